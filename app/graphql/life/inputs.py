"""Mutation inputs of organisational life: one input object per mutation."""

from __future__ import annotations

from datetime import date

import strawberry

from app.graphql.kit.acks import MutationInput, UpdateInput
from domain.meeting_rules import Cadence
from domain.meetings import AttendanceStatus, MeetingKind
from domain.values import OrganizationKind


@strawberry.input(description="One person's attendance; an absence needs a reason.")
class AttendanceInput:
    person_id: strawberry.ID
    status: AttendanceStatus
    reason: str = ""


@strawberry.input(description="A meeting as held: everyone listed held a party post in the "
                              "organisation on `heldOn` (a committee meeting: a committee "
                              "post), the presider is a member listed as present or holds a "
                              "party post in an organisation above on `heldOn` (then not "
                              "listed), and `heldOn` is not after today.")
class RecordMeetingInput(MutationInput):
    organization_id: strawberry.ID
    kind: MeetingKind
    held_on: date
    topic: str
    presider_id: strawberry.ID
    attendance: list[AttendanceInput]
    minutes: str = ""
    evidence: list[str] = strawberry.field(default_factory=list)
    reason: str = ""


@strawberry.input(description="The whole attendance as it should have been recorded, and "
                              "why.")
class CorrectAttendanceInput(UpdateInput):
    meeting_id: strawberry.ID
    presider_id: strawberry.ID
    attendance: list[AttendanceInput]
    reason: str


@strawberry.input(description="The topic, minutes and evidence as they should have been "
                              "recorded, and why.")
class CorrectMinutesInput(UpdateInput):
    meeting_id: strawberry.ID
    topic: str
    minutes: str
    reason: str
    evidence: list[str] = strawberry.field(default_factory=list)


@strawberry.input(description="作废: the record stays, with the reason, and no longer counts.")
class CancelMeetingInput(UpdateInput):
    meeting_id: strawberry.ID
    reason: str


@strawberry.input(description="At least `times` meetings of `meetingKind` each period in an "
                              "organisation of `organizationKind`.")
class MeetingRuleInput:
    organization_kind: OrganizationKind
    meeting_kind: MeetingKind
    cadence: Cadence
    times: int = 1


@strawberry.input(description="An organisation's rule set for its subtree (one each).")
class DefineMeetingRulesInput(MutationInput):
    organization_id: strawberry.ID
    title: str
    effective_from: date
    rules: list[MeetingRuleInput]
    reason: str = ""


@strawberry.input(description="A new version of a rule set, in force from `effectiveFrom`.")
class ReviseMeetingRulesInput(UpdateInput):
    rule_set_id: strawberry.ID
    effective_from: date
    rules: list[MeetingRuleInput]
    reason: str
