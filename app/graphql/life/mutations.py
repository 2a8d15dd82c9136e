"""Mutations of organisational life: record a meeting, correct its attendance or minutes,
cancel it; define and revise a rule set of required frequencies. Each a plan for
`kit.writes`: the ids it takes, the policy function that decides over which parties, the use
case it calls."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import strawberry

from app import policy
from app.graphql.accountability.common import server_today
from app.graphql.kit.acks import Acknowledged
from app.graphql.kit.errors import UserError
from app.graphql.kit.writes import Command, Writer, record_answer, write
from app.graphql.life import inputs
from app.graphql.life.types import Meeting, MeetingRuleSet
from projections import organizational_life as life
from store.db import Connection


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


def meeting_of(conn: Connection, meeting_id: str) -> life.MeetingView | None:
    return life.meetings_by_id(conn, [meeting_id]).get(meeting_id)


def rule_set_of(conn: Connection, rule_set_id: str) -> life.RuleSetView | None:
    return life.rule_sets_by_id(conn, [rule_set_id]).get(rule_set_id)


MEETING = record_answer(MeetingPayload, meeting_of, lambda view: Meeting.from_view(view, None))
RULE_SET = record_answer(MeetingRuleSetPayload, rule_set_of,
                         lambda view: MeetingRuleSet.from_view(view, None))


def known_meeting(w: Writer, global_id: str) -> tuple[UUID, life.MeetingView]:
    return w.known(global_id, "Meeting", "meetingId", meeting_of, "no meeting with id {id}")


def attendance_of(w: Writer, given: list[inputs.AttendanceInput]) -> list[dict[str, Any]]:
    return [{"person_id": w.id(a.person_id, "Person", "attendance.personId"),
             "status": a.status.value, "reason": a.reason} for a in given]


def attendees(attendance: list[dict[str, Any]]) -> list[str]:
    return [str(a["person_id"]) for a in attendance]


def rules_of(given: list[inputs.MeetingRuleInput]) -> list[dict[str, Any]]:
    return [{"organization_kind": r.organization_kind, "meeting_kind": r.meeting_kind.value,
             "cadence": r.cadence.value, "times": r.times} for r in given]


@strawberry.type
class LifeMutation:
    @write(MEETING, "record this organisation's meetings",
           description="Record a meeting held by a party organisation.")
    def record_meeting(w: Writer, input: inputs.RecordMeetingInput) -> Command[None]:
        organization = w.id(input.organization_id, "Organization", "organizationId")
        presider = w.id(input.presider_id, "Person", "presiderId")
        attendance = attendance_of(w, input.attendance)
        return w.allow_if(policy.may_record_meeting, str(organization),
                          attendees(attendance), str(presider)).call(
            w.app.record_meeting, organization_id=organization, kind=input.kind.value,
            held_on=input.held_on, today=server_today(), topic=input.topic,
            presider_id=presider, attendance=attendance, minutes=input.minutes,
            evidence=input.evidence, reason=input.reason)

    @write(MEETING, "correct this meeting",
           description="Correct a meeting's attendance (the whole list), with a reason.")
    def correct_attendance(w: Writer, input: inputs.CorrectAttendanceInput) -> Command[None]:
        meeting_id, view = known_meeting(w, input.meeting_id)
        presider = w.id(input.presider_id, "Person", "presiderId")
        attendance = attendance_of(w, input.attendance)
        return w.allow_if(policy.may_record_meeting, view.organization_id,
                          attendees(attendance), str(presider)).call(
            w.app.correct_attendance, meeting_id, presider_id=presider, attendance=attendance,
            reason=input.reason)

    @write(MEETING, "correct this meeting",
           description="Correct a meeting's topic, minutes and evidence, with a reason.")
    def correct_minutes(w: Writer, input: inputs.CorrectMinutesInput) -> Command[None]:
        meeting_id, view = known_meeting(w, input.meeting_id)
        return w.allow_if(policy.may_record_meeting, view.organization_id).call(
            w.app.correct_minutes, meeting_id, topic=input.topic, minutes=input.minutes,
            evidence=input.evidence, reason=input.reason)

    @write(MEETING, "cancel this meeting",
           description="Cancel (作废) a meeting record, with a reason.")
    def cancel_meeting(w: Writer, input: inputs.CancelMeetingInput) -> Command[None]:
        meeting_id, view = known_meeting(w, input.meeting_id)
        return w.allow_if(policy.may_record_meeting, view.organization_id).call(
            w.app.cancel_meeting, meeting_id, reason=input.reason)

    @write(RULE_SET, "set this organisation's meeting rules",
           description="Define an organisation's rule set of required meeting frequencies "
                       "for its subtree.")
    def define_meeting_rules(w: Writer, input: inputs.DefineMeetingRulesInput,
                             ) -> Command[None]:
        organization = w.id(input.organization_id, "Organization", "organizationId")
        return w.allow_if(policy.may_set_meeting_rules, str(organization)).call(
            w.app.define_meeting_rules, organization_id=organization, title=input.title,
            effective_from=input.effective_from, rules=rules_of(input.rules),
            reason=input.reason)

    @write(RULE_SET, "revise these meeting rules",
           description="A new version of a rule set, from `effectiveFrom`.")
    def revise_meeting_rules(w: Writer, input: inputs.ReviseMeetingRulesInput,
                             ) -> Command[None]:
        rule_set_id, view = w.known(input.rule_set_id, "MeetingRuleSet", "ruleSetId",
                                    rule_set_of, "no rule set with id {id}")
        return w.allow_if(policy.may_set_meeting_rules, view.organization_id).call(
            w.app.revise_meeting_rules, rule_set_id, effective_from=input.effective_from,
            rules=rules_of(input.rules), reason=input.reason)
