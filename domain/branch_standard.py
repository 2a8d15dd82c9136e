"""The branch work standard (党支部工作标准): items with criteria and points, kept by an
organisation for the branches below it and versioned like the indicator library: defined,
then revised with a reason; each version takes effect from its own date, and the version in
force on a day is the one effective then (of two effective the same day, the later)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.base import DengtaAggregate, require_actor, require_reason
from domain.errors import DuplicateError, InvalidInputError
from domain.organizations import Organization
from domain.values import in_force, require_text, to_decimal

MAX_ITEMS = 200


@dataclass(frozen=True)
class StandardItem:
    """One item of the standard: what is checked (`criteria`) and what it is worth."""

    code: str
    title: str
    criteria: str
    points: Decimal

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "title": self.title, "criteria": self.criteria,
                "points": str(self.points)}


def item_from(data: Mapping[str, Any]) -> StandardItem:
    points = to_decimal(data["points"], "items.points")
    if not Decimal(0) < points <= Decimal(1000):
        raise InvalidInputError("an item's points lie above 0 and at most 1000",
                                field="items.points")
    return StandardItem(require_text(str(data["code"]), "items.code", 20),
                        require_text(str(data["title"]), "items.title"),
                        str(data.get("criteria") or "").strip(), points)


def items_from(items: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The plain form a version's items are stored in, checked: at least one, each code
    once."""
    if not items:
        raise InvalidInputError("a standard needs at least one item", field="items")
    if len(items) > MAX_ITEMS:
        raise InvalidInputError(f"at most {MAX_ITEMS} items", field="items")
    parsed = [item_from(item) for item in items]
    if len({i.code for i in parsed}) != len(parsed):
        raise DuplicateError("each item's code appears once", field="items.code")
    return [i.to_dict() for i in parsed]


@dataclass(frozen=True)
class StandardVersion:
    revision: int
    effective_from: date
    items: tuple[StandardItem, ...]

    @property
    def total(self) -> Decimal:
        return sum((i.points for i in self.items), Decimal(0))


def version_of(revision: int, effective_from: date,
               items: Sequence[Mapping[str, Any]]) -> StandardVersion:
    return StandardVersion(revision, effective_from, tuple(item_from(i) for i in items))


class BranchStandard(DengtaAggregate):
    TOPIC = "dengta:BranchStandard"

    class Created(DengtaAggregate.Created):
        TOPIC = "dengta:BranchStandard.Created"

    class Defined(Created):
        TOPIC = "dengta:BranchStandard.Defined"
        organization_id: UUID
        title: str
        effective_from: date
        items: list[dict[str, str]]

    class Revised(DengtaAggregate.Event):
        TOPIC = "dengta:BranchStandard.Revised"
        revision: int
        effective_from: date
        items: list[dict[str, str]]

    @event(Defined)
    def __init__(self, *, id: UUID, actor: str, reason: str, organization_id: UUID,
                 title: str, effective_from: date, items: list[dict[str, str]]) -> None:
        self.organization_id = organization_id
        self.title = title
        # plain data, as the events carry it (a snapshot stores state as JSON)
        self.revisions: list[dict[str, Any]] = [
            {"effective_from": effective_from, "items": items}]

    @classmethod
    def define(cls, *, id: UUID, actor: str, organization: Organization, title: str,
               effective_from: date, items: Sequence[Mapping[str, Any]],
               reason: str = "") -> BranchStandard:
        organization.check_active()
        return cls(id=id, actor=require_actor(actor), reason=reason.strip(),
                   organization_id=organization.id, title=require_text(title, "title"),
                   effective_from=effective_from, items=items_from(items))

    def revise(self, *, actor: str, reason: str, effective_from: date,
               items: Sequence[Mapping[str, Any]]) -> None:
        """A new version from `effective_from`; the earlier ones still govern the days before
        it, and self-checks made against them keep their version."""
        self._revised(actor=require_actor(actor),
                      reason=require_reason(reason, "a standard's new version"),
                      revision=len(self.revisions) + 1, effective_from=effective_from,
                      items=items_from(items))

    @event(Revised)
    def _revised(self, *, actor: str, reason: str, revision: int, effective_from: date,
                 items: list[dict[str, str]]) -> None:
        self.revisions.append({"effective_from": effective_from, "items": items})

    @property
    def versions(self) -> list[StandardVersion]:
        return [version_of(number, r["effective_from"], r["items"])
                for number, r in enumerate(self.revisions, start=1)]

    def in_force(self, day: date) -> StandardVersion | None:
        return in_force(self.versions, day)
