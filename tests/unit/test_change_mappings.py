"""Every event class of every aggregate in `domain/` has a field-level change mapping."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import domain
from domain.base import DengtaAggregate
from projections.audit_log import AuditLog
from projections.changes import CHANGES


def aggregates() -> list[type[DengtaAggregate]]:
    for module in pkgutil.iter_modules(domain.__path__):
        importlib.import_module(f"domain.{module.name}")
    found, todo = [], list(DengtaAggregate.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo += cls.__subclasses__()
    return found


def event_classes(aggregate: type[DengtaAggregate]) -> list[type[Any]]:
    """The events an aggregate records: its nested event classes that no other one refines
    (`Goal.Created` is only the base of `Goal.Drafted`)."""
    nested = [value for value in vars(aggregate).values()
              if isinstance(value, type) and issubclass(value, DengtaAggregate.Event)]
    return [cls for cls in nested
            if not any(other is not cls and issubclass(other, cls) for other in nested)]


def test_every_event_class_in_the_domain_has_a_change_mapping() -> None:
    events = [cls for aggregate in aggregates() for cls in event_classes(aggregate)]
    assert len(events) >= 23  # Organization, Person and Goal at least
    missing = sorted(cls.__qualname__ for cls in events if cls not in CHANGES)
    assert missing == [], f"add these to projections/changes.py CHANGES: {missing}"


def test_the_audit_log_folds_every_mapped_event() -> None:
    assert set(AuditLog.handlers) == set(CHANGES)
