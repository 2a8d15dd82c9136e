"""Output types of organisational life (组织生活): meeting records, rule sets of required
frequencies and the compliance view, each built from a read-model row."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from app.graphql.accountability.common import organization_at, person_at
from app.graphql.core.types import Organization, Person, version_field
from app.graphql.kit.context import Context
from app.graphql.kit.ids import gid
from app.graphql.kit.nodes import Node, NodeRegistry
from app.graphql.kit.vocab import code, labelled
from domain import compliance as rules
from domain.meeting_rules import Cadence
from domain.meeting_rules import MeetingRule as DomainRule
from domain.meetings import AttendanceStatus, MeetingKind, MeetingStatus
from domain.values import OrganizationKind
from projections import organizational_life as life


@labelled
@strawberry.type(description="One person's attendance at a meeting.")
class Attendance:
    person_id: strawberry.ID
    status: str = code(AttendanceStatus)
    reason: str
    raw: strawberry.Private[str]
    position: strawberry.Private[int | None]

    @strawberry.field
    def person(self, info: Info[Context, None]) -> Person | None:
        return person_at(info, self.raw, self.position)


@labelled
@strawberry.type(description="会议记录: a meeting of a party organisation as recorded fact. "
                             "Never edited: corrections and cancellation are reasoned events "
                             "(see the record's history).")
class Meeting(Node):
    kind: str = code(MeetingKind)
    held_on: date
    topic: str
    minutes: str
    evidence: list[str]
    status: str = code(MeetingStatus)
    corrections: int = strawberry.field(description="How many corrections (attendance, "
                                                    "minutes, cancellation) it has had.")
    last_reason: str = strawberry.field(description="The reason of the last change.")
    attendance: list[Attendance]
    version: int = version_field()
    readable_by: strawberry.Private[tuple[str, ...]]
    view: strawberry.Private[life.MeetingView]
    position: strawberry.Private[int | None]

    @classmethod
    def from_view(cls, view: life.MeetingView, position: int | None) -> Meeting:
        return cls(
            id=gid("Meeting", view.id), kind=view.kind,
            held_on=view.held_on, topic=view.topic, minutes=view.minutes,
            evidence=view.evidence, status=view.status, corrections=view.corrections,
            last_reason=view.last_reason,
            attendance=[Attendance(person_id=gid("Person", a.person_id),
                                   status=a.status, reason=a.reason,
                                   position=position, raw=a.person_id)
                        for a in view.attendance],
            readable_by=(view.organization_id,), view=view, position=position)

    @strawberry.field
    def organization(self, info: Info[Context, None]) -> Organization | None:
        return organization_at(info, self.view.organization_id, self.position)

    @strawberry.field
    def presider(self, info: Info[Context, None]) -> Person | None:
        return person_at(info, self.view.presider_id, self.position)


@labelled
@strawberry.type(description="A required frequency: an organisation of `organizationKind` holds "
                             "at least `times` meetings of `meetingKind` each period.")
class MeetingRule:
    organization_kind: str = code(OrganizationKind)
    meeting_kind: str = code(MeetingKind)
    cadence: str = code(Cadence)
    times: int

    @classmethod
    def of(cls, rule: DomainRule) -> MeetingRule:
        return cls(organization_kind=rule.organization_kind, meeting_kind=rule.meeting_kind,
                   cadence=rule.cadence, times=rule.times)


@strawberry.type(description="One version of a rule set, in force from `effectiveFrom`.")
class MeetingRuleVersion:
    revision: int
    effective_from: date
    rules: list[MeetingRule]
    actor: str
    reason: str


@strawberry.type(description="三会一课制度: the required frequencies an organisation sets for its "
                             "subtree, every version kept; the rule in force on a day is the "
                             "version effective then.")
class MeetingRuleSet(Node):
    title: str
    versions: list[MeetingRuleVersion]
    version: int = version_field()
    readable_by: strawberry.Private[tuple[str, ...]]
    view: strawberry.Private[life.RuleSetView]
    position: strawberry.Private[int | None]

    @classmethod
    def from_view(cls, view: life.RuleSetView, position: int | None) -> MeetingRuleSet:
        versions = [MeetingRuleVersion(revision=v.revision, effective_from=v.effective_from,
                                       rules=[MeetingRule.of(r) for r in v.rules],
                                       actor=actor, reason=reason)
                    for v, (actor, reason) in zip(view.versions, view.reasons, strict=True)]
        return cls(id=gid("MeetingRuleSet", view.id), title=view.title, versions=versions,
                   readable_by=(view.organization_id,), view=view, position=position)

    @strawberry.field
    def organization(self, info: Info[Context, None]) -> Organization | None:
        return organization_at(info, self.view.organization_id, self.position)

    @strawberry.field(description="The version in force on `on`, if any.")
    def in_force(self, on: date) -> MeetingRuleVersion | None:
        found = self.view.in_force(on)
        return next((v for v in self.versions if found and v.revision == found.revision),
                    None)


@strawberry.type(description="One period of a meeting kind: required against held.")
class PeriodCompliance:
    label: str = strawberry.field(description="2026, 2026-Q2 or 2026-05")
    start: date
    end: date
    required: int
    held: int
    due: bool = strawberry.field(description="The period closed by the judging day.")
    missing: bool = strawberry.field(description="Due, and fewer meetings than required.")
    meetings: list[Meeting]


@labelled
@strawberry.type(description="One meeting kind over the year: its periods and totals.")
class KindCompliance:
    kind: str = code(MeetingKind)
    held: int = strawberry.field(description="Meetings of the kind held in the year up to "
                                             "the judging day.")
    required: int = strawberry.field(description="What the due periods required.")
    fulfilled: int = strawberry.field(description="Meetings counted towards it (at most what "
                                                  "each due period required).")
    missing_periods: list[str] = strawberry.field(description="Due periods with too few.")
    periods: list[PeriodCompliance]


@strawberry.type(description="A member's attendance over the year's meetings up to the "
                             "judging day: present out of the meetings they were listed for.")
class MemberAttendance:
    person_id: strawberry.ID
    listed: int
    present: int
    absent: int
    excused: int
    rate: float | None
    raw: strawberry.Private[str]
    position: strawberry.Private[int | None]

    @strawberry.field
    def person(self, info: Info[Context, None]) -> Person | None:
        return person_at(info, self.raw, self.position)


@strawberry.type(description="三会一课 compliance of an organisation in a year, as known at "
                             "`asOf` and judged on `judgedOn` (the query's `validAt`).")
class MeetingCompliance:
    year: int
    judged_on: date
    rule_set_title: str | None = strawberry.field(
        description="The governing rule set (the organisation's, else the nearest above).")
    rule_revision: int | None = strawberry.field(
        description="The version of it in force on the judging day.")
    rules_in_force: MeetingRuleVersion | None = strawberry.field(
        description="That version's rules (readable whoever keeps the rule set).")
    required: int
    fulfilled: int
    rate: float | None = strawberry.field(description="Fulfilled out of required.")
    kinds: list[KindCompliance]
    members: list[MemberAttendance]
    organization_id: strawberry.Private[str]
    position: strawberry.Private[int | None]

    @classmethod
    def from_view(cls, organization_id: str, view: life.ComplianceView,
                  position: int | None) -> MeetingCompliance:
        found = view.compliance
        rule_set = MeetingRuleSet.from_view(view.rule_set, position) if view.rule_set else None

        def period(p: rules.PeriodCompliance) -> PeriodCompliance:
            return PeriodCompliance(
                label=p.label, start=p.start, end=p.end, required=p.required, held=p.held,
                due=p.due, missing=p.missing,
                meetings=[Meeting.from_view(view.meetings[m], position) for m in p.meeting_ids])

        return cls(
            year=found.year, judged_on=found.judged_on,
            rule_set_title=view.rule_set.title if view.rule_set else None,
            rule_revision=found.rule_revision,
            rules_in_force=next((v for v in rule_set.versions
                                 if v.revision == found.rule_revision), None)
            if rule_set else None,
            required=found.required,
            fulfilled=found.fulfilled, rate=found.rate,
            kinds=[KindCompliance(kind=k.kind, held=k.held,
                                  required=k.required, fulfilled=k.fulfilled,
                                  missing_periods=[p.label for p in k.missing],
                                  periods=[period(p) for p in k.periods])
                   for k in found.kinds],
            members=[MemberAttendance(person_id=gid("Person", m.person_id), listed=m.listed,
                                      present=m.present, absent=m.absent, excused=m.excused,
                                      rate=m.rate, raw=m.person_id, position=position)
                     for m in found.members],
            organization_id=organization_id, position=position)

    @strawberry.field
    def organization(self, info: Info[Context, None]) -> Organization | None:
        return organization_at(info, self.organization_id, self.position)


def _meeting_node(info: Info[Context, None], raw_id: str, position: int | None) -> Meeting | None:
    view = life.meetings_by_id(info.context.conn, [raw_id], position).get(raw_id)
    return Meeting.from_view(view, position) if view else None


def _rule_set_node(info: Info[Context, None], raw_id: str,
                   position: int | None) -> MeetingRuleSet | None:
    view = life.rule_sets_by_id(info.context.conn, [raw_id], position).get(raw_id)
    return MeetingRuleSet.from_view(view, position) if view else None


NODES: NodeRegistry = {"Meeting": _meeting_node, "MeetingRuleSet": _rule_set_node}
