"""The indicator library (指标库): versioned indicators that assessment cycles copy when they
open. An indicator is scored by hand (points or a rubric level), or computed: it names a source
(`domain.measures.Source`) its value is measured from."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.assessment import (
    rubric_from,
)
from domain.base import DengtaAggregate, require_actor, require_reason
from domain.errors import (
    InvalidInputError,
)
from domain.measures import Source
from domain.values import parse_enum, require_text, to_decimal


def _no_source(event_state: dict[str, Any]) -> None:
    """Versions defined before computed indicators were all scored by hand."""
    event_state["source"] = None


class LibraryIndicator(DengtaAggregate):
    """A reusable assessment indicator (考核指标): item, content, scoring criteria, max points,
    scored by points or by rubric level. Each revision is a new version; cycles copy it."""

    TOPIC = "dengta:LibraryIndicator"

    class Created(DengtaAggregate.Created):
        TOPIC = "dengta:LibraryIndicator.Created"

    class Defined(Created):
        TOPIC = "dengta:LibraryIndicator.Defined"
        class_version = 2
        item: str
        content: str
        criteria: str
        max_points: Decimal
        rubric: list[dict[str, Any]] | None
        source: str | None  # computed from this source; None: scored by hand

        upcast_v1_v2 = staticmethod(_no_source)

    class Revised(DengtaAggregate.Event):
        TOPIC = "dengta:LibraryIndicator.Revised"
        class_version = 2
        item: str
        content: str
        criteria: str
        max_points: Decimal
        rubric: list[dict[str, Any]] | None
        source: str | None

        upcast_v1_v2 = staticmethod(_no_source)

    @event(Defined)
    def __init__(self, *, id: UUID, actor: str, reason: str, item: str, content: str,
                 criteria: str, max_points: Decimal, rubric: list[dict[str, Any]] | None,
                 source: str | None) -> None:
        self.revision = 1
        self._set(item, content, criteria, max_points, rubric, source)

    def _set(self, item: str, content: str, criteria: str, max_points: Decimal,
             rubric: list[dict[str, Any]] | None, source: str | None) -> None:
        self.item = item
        self.content = content
        self.criteria = criteria
        self.max_points = max_points
        self.rubric = rubric
        self.source = source

    @staticmethod
    def _checked(item: str, content: str, criteria: str, max_points: Any,
                 rubric: Sequence[Mapping[str, Any]] | None,
                 source: str | None) -> dict[str, Any]:
        most = to_decimal(max_points, "maxPoints")
        if most <= 0:
            raise InvalidInputError("max points must be positive", field="maxPoints")
        if source is not None and rubric:
            raise InvalidInputError("a computed indicator is measured, not graded by a rubric",
                                    field="rubric")
        return {"item": require_text(item, "item", 100),
                "content": content.strip(), "criteria": criteria.strip(),
                "max_points": most, "rubric": rubric_from(rubric, most),
                "source": None if source is None else parse_enum(Source, source,
                                                                 "source").value}

    @classmethod
    def define(cls, *, id: UUID, actor: str, item: str, content: str, criteria: str,
               max_points: Any, rubric: Sequence[Mapping[str, Any]] | None = None,
               source: str | None = None, reason: str = "") -> LibraryIndicator:
        return cls(id=id, actor=require_actor(actor), reason=reason.strip(),
                   **cls._checked(item, content, criteria, max_points, rubric, source))

    def revise(self, *, actor: str, reason: str, item: str, content: str, criteria: str,
               max_points: Any, rubric: Sequence[Mapping[str, Any]] | None = None,
               source: str | None = None) -> None:
        """A new version; cycles opened earlier keep the version they copied."""
        self._revised(actor=require_actor(actor),
                      reason=require_reason(reason, "an indicator's new version"),
                      **self._checked(item, content, criteria, max_points, rubric, source))

    @event(Revised)
    def _revised(self, *, actor: str, reason: str, item: str, content: str, criteria: str,
                 max_points: Decimal, rubric: list[dict[str, Any]] | None,
                 source: str | None) -> None:
        self.revision += 1
        self._set(item, content, criteria, max_points, rubric, source)

    def copy(self) -> dict[str, Any]:
        """What a cycle keeps of this version."""
        return {"id": str(self.id), "revision": self.revision, "item": self.item,
                "content": self.content, "criteria": self.criteria,
                "max_points": self.max_points, "rubric": self.rubric, "source": self.source}


# ---- the scheme ------------------------------------------------------------------------------
