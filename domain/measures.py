"""Computed indicators (计算指标): a cycle indicator whose value is measured from recorded
facts instead of scored by hand. One source so far, the meeting compliance rate (三会一课完成率)
of the organisation assessed over the cycle's period. Pure: callers hand in the facts.

The rule: the periods of every meeting kind the rules ask of the organisation (judged as the
compliance view judges them, on the cycle's last day) that lie wholly inside the cycle's period
count; the rate is the meetings that count towards what was required (no more than required in
each period, so an extra meeting does not make up for a missing one) out of what was required,
on the 0-100 scale of scores. Nothing required, no value: the indicator is left out of the
weighted means like an item nobody scored. While a cycle is open the value follows the records;
its publication freezes it (`AssessmentCycle.Published.measures`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from domain.compliance import HeldMeeting, assess
from domain.labels import MEASURE_SOURCES
from domain.meeting_rules import RuleVersion
from domain.meetings import MeetingKind
from domain.values import Period

HUNDRED = Decimal(100)
MILLIONTH = Decimal("0.000001")


class Source(StrEnum):
    """Where a computed indicator takes its value from."""

    MEETING_COMPLIANCE = "meeting_compliance"  # 三会一课完成率

    @property
    def label(self) -> str:
        return MEASURE_SOURCES[self.value]


@dataclass(frozen=True)
class MeetingFacts:
    """What the meeting compliance of one organisation is measured from."""

    organization_kind: str
    versions: Sequence[RuleVersion]  # of the rule set that governs it
    meetings: Sequence[HeldMeeting]  # held, not cancelled


@dataclass(frozen=True)
class KindMeasure:
    """One meeting kind's part: required and held in the periods counted, and which meetings."""

    kind: str
    required: int
    held: int
    fulfilled: int
    periods: tuple[str, ...]  # the periods counted, e.g. 2026-04, 2026-Q2
    meetings: tuple[tuple[str, str], ...]  # (meeting id, ISO day held) held in them

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "required": self.required, "held": self.held,
                "fulfilled": self.fulfilled, "periods": list(self.periods),
                "meetings": [{"id": i, "held_on": d} for i, d in self.meetings]}


@dataclass(frozen=True)
class Measure:
    """A computed indicator's value for one organisation, with what it was computed from."""

    source: str
    value: Decimal | None  # 0-100, to a millionth; None when nothing was required
    judged_on: str  # ISO date: the day the periods were judged on (the cycle's last day)
    rule_revision: int | None
    kinds: tuple[KindMeasure, ...]

    @property
    def required(self) -> int:
        return sum(k.required for k in self.kinds)

    @property
    def fulfilled(self) -> int:
        return sum(k.fulfilled for k in self.kinds)

    @property
    def meeting_ids(self) -> tuple[str, ...]:
        return tuple(i for k in self.kinds for i, _ in k.meetings)

    def to_dict(self) -> dict[str, Any]:
        """The stored form (in the Published event and the scoreboard): plain JSON."""
        return {"source": self.source,
                "value": None if self.value is None else str(self.value),
                "judged_on": self.judged_on, "rule_revision": self.rule_revision,
                "kinds": [k.to_dict() for k in self.kinds]}


def measure_from(data: Mapping[str, Any]) -> Measure:
    value = data.get("value")
    return Measure(
        str(data["source"]), None if value is None else Decimal(str(value)),
        str(data["judged_on"]), data.get("rule_revision"),
        tuple(KindMeasure(str(k["kind"]), int(k["required"]), int(k["held"]),
                          int(k["fulfilled"]), tuple(k["periods"]),
                          tuple((m["id"], m["held_on"]) for m in k["meetings"]))
              for k in data["kinds"]))


def meeting_compliance(facts: MeetingFacts, period: Period) -> Measure:
    """The meeting compliance rate of one organisation over `period` (see the module's rule)."""
    days = {m.id: m.held_on.isoformat() for m in facts.meetings}
    kinds: dict[MeetingKind, list[Any]] = {}
    revision = None
    for year in range(period.start.year, period.end.year + 1):
        found = assess(facts.organization_kind, year, period.end, facts.versions,
                       facts.meetings)
        revision = found.rule_revision
        for kind in found.kinds:
            kinds.setdefault(kind.kind, []).extend(
                p for p in kind.periods if period.start <= p.start and p.end <= period.end)
    parts = tuple(KindMeasure(
        kind.value, sum(p.required for p in counted), sum(p.held for p in counted),
        sum(p.fulfilled for p in counted), tuple(p.label for p in counted),
        tuple((m, days[m]) for p in counted for m in p.meeting_ids))
        for kind, counted in kinds.items() if counted)
    required = sum(k.required for k in parts)
    fulfilled = sum(k.fulfilled for k in parts)
    value = (Decimal(fulfilled) * HUNDRED / required).quantize(MILLIONTH) if required else None
    return Measure(Source.MEETING_COMPLIANCE.value, value, period.end.isoformat(), revision,
                   parts)

