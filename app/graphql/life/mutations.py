"""Mutations of organisational life: record a meeting, correct its attendance or minutes,
cancel it; define and revise a rule set of required frequencies. Each takes one input, calls
one use case and returns the changed object with userErrors."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from app import policy
from app.graphql.accountability.types import server_today
from app.graphql.core.mutations import Prepared, actor, asks, domain, ids, run
from app.graphql.core.queries import AUTHENTICATED
from app.graphql.kit.acks import Acknowledged
from app.graphql.kit.context import Context
from app.graphql.kit.errors import UserError
from app.graphql.life import inputs
from app.graphql.life.types import Meeting, MeetingRuleSet, value_of
from domain.app_base import Written
from domain.errors import NotFoundError
from projections import organizational_life as life


@strawberry.type
class MeetingPayload(Acknowledged):
    RECORD = "Meeting"
    meeting: Meeting | None
    user_errors: list[UserError]


@strawberry.type
class MeetingRuleSetPayload(Acknowledged):
    RECORD = "MeetingRuleSet"
    rule_set: MeetingRuleSet | None
    user_errors: list[UserError]


Result = tuple[Written | None, list[UserError]]


def meeting_payload(info: Info[Context, None], result: Result) -> MeetingPayload:
    written, errors = result
    view = (life.meetings_by_id(info.context.conn, [str(written.id)]).get(str(written.id))
            if written else None)
    return MeetingPayload(meeting=Meeting.from_view(view, None) if view else None,
                          user_errors=errors)


def rule_set_payload(info: Info[Context, None], result: Result) -> MeetingRuleSetPayload:
    written, errors = result
    view = (life.rule_sets_by_id(info.context.conn, [str(written.id)]).get(str(written.id))
            if written else None)
    return MeetingRuleSetPayload(rule_set=MeetingRuleSet.from_view(view, None) if view else None,
                                 user_errors=errors)


def known_meeting(info: Info[Context, None], global_id: str) -> tuple[UUID, life.MeetingView]:
    meeting_id = ids(global_id, "Meeting", "meetingId")
    view = life.meetings_by_id(info.context.conn, [str(meeting_id)]).get(str(meeting_id))
    if view is None:
        raise NotFoundError(f"no meeting with id {meeting_id}", field="meetingId")
    return meeting_id, view


def attendance_of(given: list[inputs.AttendanceInput]) -> list[dict[str, Any]]:
    return [{"person_id": ids(a.person_id, "Person", "attendance.personId"),
             "status": value_of(a.status), "reason": a.reason} for a in given]


def named_people(presider: UUID, attendance: list[dict[str, Any]]) -> list[str]:
    return [str(presider), *(str(a["person_id"]) for a in attendance)]


def rules_of(given: list[inputs.MeetingRuleInput]) -> list[dict[str, Any]]:
    return [{"organization_kind": r.organization_kind, "meeting_kind": value_of(r.meeting_kind),
             "cadence": value_of(r.cadence), "times": r.times} for r in given]


@strawberry.type
class LifeMutation:
    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="Record a meeting held by a party organisation.")
    async def record_meeting(self, info: Info[Context, None],
                             input: inputs.RecordMeetingInput) -> MeetingPayload:
        def prepare() -> Prepared:
            organization = ids(input.organization_id, "Organization", "organizationId")
            presider = ids(input.presider_id, "Person", "presiderId")
            attendance = attendance_of(input.attendance)
            allowed = asks(info, policy.may_record_meeting, str(organization),
                           named_people(presider, attendance))
            return allowed, lambda: domain(info).record_meeting(
                actor(info), organization_id=organization, kind=value_of(input.kind),
                held_on=input.held_on, today=server_today(), topic=input.topic,
                presider_id=presider, attendance=attendance, minutes=input.minutes,
                evidence=input.evidence, reason=input.reason)
        return meeting_payload(info, await run(info, prepare, "record this organisation's "
                                                              "meetings"))

    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="Correct a meeting's attendance (the whole list), with "
                                     "a reason.")
    async def correct_attendance(self, info: Info[Context, None],
                                 input: inputs.CorrectAttendanceInput) -> MeetingPayload:
        def prepare() -> Prepared:
            meeting_id, view = known_meeting(info, input.meeting_id)
            presider = ids(input.presider_id, "Person", "presiderId")
            attendance = attendance_of(input.attendance)
            allowed = asks(info, policy.may_record_meeting, view.organization_id,
                           named_people(presider, attendance))
            return allowed, lambda: domain(info).correct_attendance(
                actor(info), meeting_id, presider_id=presider, attendance=attendance,
                reason=input.reason)
        return meeting_payload(info, await run(info, prepare, "correct this meeting"))

    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="Correct a meeting's topic, minutes and evidence, with a "
                                     "reason.")
    async def correct_minutes(self, info: Info[Context, None],
                              input: inputs.CorrectMinutesInput) -> MeetingPayload:
        def prepare() -> Prepared:
            meeting_id, view = known_meeting(info, input.meeting_id)
            return asks(info, policy.may_record_meeting, view.organization_id), lambda: domain(
                info).correct_minutes(actor(info), meeting_id, topic=input.topic,
                                      minutes=input.minutes, evidence=input.evidence,
                                      reason=input.reason)
        return meeting_payload(info, await run(info, prepare, "correct this meeting"))

    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="Cancel (作废) a meeting record, with a reason.")
    async def cancel_meeting(self, info: Info[Context, None],
                             input: inputs.CancelMeetingInput) -> MeetingPayload:
        def prepare() -> Prepared:
            meeting_id, view = known_meeting(info, input.meeting_id)
            return asks(info, policy.may_record_meeting, view.organization_id), lambda: domain(
                info).cancel_meeting(actor(info), meeting_id, reason=input.reason)
        return meeting_payload(info, await run(info, prepare, "cancel this meeting"))

    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="Define an organisation's rule set of required meeting "
                                     "frequencies for its subtree.")
    async def define_meeting_rules(self, info: Info[Context, None],
                                   input: inputs.DefineMeetingRulesInput,
                                   ) -> MeetingRuleSetPayload:
        def prepare() -> Prepared:
            organization = ids(input.organization_id, "Organization", "organizationId")
            return asks(info, policy.may_set_meeting_rules, str(organization)), lambda: domain(
                info).define_meeting_rules(actor(info), organization_id=organization,
                                           title=input.title,
                                           effective_from=input.effective_from,
                                           rules=rules_of(input.rules), reason=input.reason)
        return rule_set_payload(info, await run(info, prepare, "set this organisation's "
                                                               "meeting rules"))

    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="A new version of a rule set, from `effectiveFrom`.")
    async def revise_meeting_rules(self, info: Info[Context, None],
                                   input: inputs.ReviseMeetingRulesInput,
                                   ) -> MeetingRuleSetPayload:
        def prepare() -> Prepared:
            rule_set_id = ids(input.rule_set_id, "MeetingRuleSet", "ruleSetId")
            view = life.rule_sets_by_id(info.context.conn, [str(rule_set_id)]).get(
                str(rule_set_id))
            if view is None:
                raise NotFoundError(f"no rule set with id {rule_set_id}", field="ruleSetId")
            return asks(info, policy.may_set_meeting_rules, view.organization_id), lambda: (
                domain(info).revise_meeting_rules(
                    actor(info), rule_set_id, effective_from=input.effective_from,
                    rules=rules_of(input.rules), reason=input.reason))
        return rule_set_payload(info, await run(info, prepare, "revise these meeting rules"))
