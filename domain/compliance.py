"""Whether an organisation kept its organisational life (三会一课) in a year, judged on a day:
required against held per meeting kind and period, the periods without enough meetings, and
each member's attendance. Pure: the read model hands in the facts as they stood.

The rules: a period (month, quarter or year) is judged by the rule version in force on the day
it closes, or on the judging day if it has not closed yet; it counts for a meeting kind when
that version asks that kind of this organisation kind at that cadence (so a rule changed from
quarterly to monthly in July judges Q1–Q2 by quarters and July–December by months). A period
is due once it has closed by the judging day; one under way shows what was held so far and is
missing nothing yet; periods not begun are left out. Only meetings held on or before the
judging day count, cancelled records never."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from domain.meeting_rules import Cadence, RuleVersion
from domain.meetings import AttendanceStatus, MeetingKind
from domain.values import in_force


@dataclass(frozen=True)
class HeldMeeting:
    id: str
    kind: MeetingKind
    held_on: date
    attendance: tuple[tuple[str, str], ...]  # (person id, status)


@dataclass(frozen=True)
class PeriodCompliance:
    label: str  # 2026, 2026-Q2, 2026-05
    start: date
    end: date
    required: int
    held: int
    due: bool  # closed by the judging day
    meeting_ids: tuple[str, ...]

    @property
    def missing(self) -> bool:
        return self.due and self.held < self.required

    @property
    def fulfilled(self) -> int:
        """Meetings that count towards what was required (no more than required)."""
        return min(self.held, self.required) if self.due else 0


@dataclass(frozen=True)
class KindCompliance:
    kind: MeetingKind
    periods: tuple[PeriodCompliance, ...]
    held: int  # meetings of the kind held in the year up to the judging day

    @property
    def required(self) -> int:
        return sum(p.required for p in self.periods if p.due)

    @property
    def fulfilled(self) -> int:
        return sum(p.fulfilled for p in self.periods)

    @property
    def missing(self) -> tuple[PeriodCompliance, ...]:
        return tuple(p for p in self.periods if p.missing)


@dataclass(frozen=True)
class MemberAttendance:
    person_id: str
    listed: int
    present: int
    absent: int
    excused: int

    @property
    def rate(self) -> float | None:
        """Present out of the meetings the member was listed for (请假 is not 出席)."""
        return round(self.present / self.listed, 4) if self.listed else None


@dataclass(frozen=True)
class Compliance:
    year: int
    judged_on: date
    rule_revision: int | None  # the version in force on the judging day
    kinds: tuple[KindCompliance, ...]
    members: tuple[MemberAttendance, ...]

    @property
    def required(self) -> int:
        return sum(k.required for k in self.kinds)

    @property
    def fulfilled(self) -> int:
        return sum(k.fulfilled for k in self.kinds)

    @property
    def rate(self) -> float | None:
        """Fulfilled out of required (None when nothing was due)."""
        return round(self.fulfilled / self.required, 4) if self.required else None


def periods(cadence: Cadence, year: int) -> list[tuple[str, date, date]]:
    """A year's periods of a cadence: label, first and last day."""
    found = []
    for index in range(12 // cadence.months):
        first_month = index * cadence.months + 1
        start = date(year, first_month, 1)
        after = (date(year + 1, 1, 1) if first_month + cadence.months > 12
                 else date(year, first_month + cadence.months, 1))
        label = {Cadence.MONTHLY: f"{year}-{first_month:02d}",
                 Cadence.QUARTERLY: f"{year}-Q{index + 1}",
                 Cadence.YEARLY: str(year)}[cadence]
        found.append((label, start, after - timedelta(days=1)))
    return found


@dataclass(frozen=True)
class JudgedPeriod:
    """A period a meeting kind is judged in: what the rule in force then required, and whether
    it had closed by the judging day."""

    label: str
    start: date
    end: date
    times: int
    due: bool


def judged_periods(kind: MeetingKind, organization_kind: str, year: int, day: date,
                   versions: Sequence[RuleVersion]) -> list[JudgedPeriod]:
    """The periods of `year` begun by `day` in which the rules judge `kind` of an
    organisation of `organization_kind`, in order; the same for every such organisation, so a
    summary works them out once per rule set and organisation kind."""
    cadences = {r.cadence for v in versions for r in v.for_kind(organization_kind)
                if r.meeting_kind is kind}
    judged: list[JudgedPeriod] = []
    for cadence in sorted(cadences, key=lambda c: c.months):
        for label, start, end in periods(cadence, year):
            if start > day:
                continue
            version = in_force(versions, min(end, day))
            rule = next((r for r in version.for_kind(organization_kind)
                         if r.meeting_kind is kind), None) if version else None
            if rule is None or rule.cadence is not cadence:
                continue
            judged.append(JudgedPeriod(label, start, end, rule.times, end <= day))
    return sorted(judged, key=lambda p: (p.start, p.end))


def _kind_compliance(kind: MeetingKind, organization_kind: str, year: int, day: date,
                     versions: Sequence[RuleVersion],
                     meetings: Sequence[HeldMeeting]) -> KindCompliance | None:
    of_kind = [m for m in meetings if m.kind is kind]
    judged = []
    for p in judged_periods(kind, organization_kind, year, day, versions):
        held = [m.id for m in of_kind if p.start <= m.held_on <= p.end]
        judged.append(PeriodCompliance(p.label, p.start, p.end, p.times, len(held), p.due,
                                       tuple(held)))
    if not judged and not of_kind:
        return None
    return KindCompliance(kind, tuple(judged), len(of_kind))


def assess(organization_kind: str, year: int, day: date, versions: Sequence[RuleVersion],
           meetings: Sequence[HeldMeeting]) -> Compliance:
    """The compliance of one organisation in `year`, judged on `day`, from the rule versions
    and the meetings (held, not cancelled) known then."""
    counted = [m for m in meetings if m.held_on.year == year and m.held_on <= day]
    kinds = [found for kind in MeetingKind
             if (found := _kind_compliance(kind, organization_kind, year, day, versions,
                                           counted)) is not None]
    tally: dict[str, dict[str, int]] = {}
    for meeting in counted:
        for person, status in meeting.attendance:
            counts = tally.setdefault(person, dict.fromkeys(AttendanceStatus, 0))
            counts[AttendanceStatus(status)] += 1
    members = tuple(MemberAttendance(
        person, sum(c.values()), c[AttendanceStatus.PRESENT], c[AttendanceStatus.ABSENT],
        c[AttendanceStatus.EXCUSED]) for person, c in sorted(tally.items()))
    version = in_force(versions, min(day, date(year, 12, 31)))
    return Compliance(year, day, version.revision if version else None, tuple(kinds), members)
