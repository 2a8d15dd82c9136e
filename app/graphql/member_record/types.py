"""Output types of a member's record, built from `projections.member_record`'s view."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from app.graphql.accountability.common import organization_at, person_at
from app.graphql.accountability.records import Commitment, Sanction, commitments_of
from app.graphql.accountability.view import AccountableGoal
from app.graphql.core.types import Organization, Person
from app.graphql.kit.context import Context
from app.graphql.kit.ids import gid
from app.graphql.kit.vocab import AttendanceStatus, MeetingKind, code, labelled
from app.graphql.life.types import Meeting
from app.graphql.members.types import MemberAssessment, MemberEvaluationRound
from app.graphql.pioneer.types import PioneerPost
from projections import member_record as views
from projections import organizational_life as life


class MissedMeetings:
    """The meetings a record's absences name, read in one query when the first is asked for
    (not one per absence)."""

    def __init__(self, ids: list[str], position: int | None) -> None:
        self.ids, self.position = ids, position
        self.found: dict[str, life.MeetingView] | None = None

    def get(self, info: Info[Context, None], meeting_id: str) -> life.MeetingView | None:
        if self.found is None:
            self.found = life.meetings_by_id(info.context.conn, self.ids, self.position)
        return self.found.get(meeting_id)


@labelled
@strawberry.type(description="A meeting the member was listed for and did not attend: absent "
                             "(with the reason) or excused.")
class MissedMeeting:
    meeting_id: strawberry.ID
    kind: str = code(MeetingKind)
    held_on: date
    topic: str
    status: str = code(AttendanceStatus)
    reason: str
    view: strawberry.Private[views.Attended]
    position: strawberry.Private[int | None]
    meetings: strawberry.Private[MissedMeetings]

    @strawberry.field
    def organization(self, info: Info[Context, None]) -> Organization | None:
        return organization_at(info, self.view.organization_id, self.position)

    @strawberry.field
    def meeting(self, info: Info[Context, None]) -> Meeting | None:
        found = self.meetings.get(info, self.view.meeting_id)
        return Meeting.from_view(found, self.position) if found else None


@strawberry.type(description="Attendance at organisational life over the span: present out of "
                             "the meetings held (not cancelled) that listed the member, as the "
                             "compliance view counts it (请假 is not 出席), and every meeting "
                             "missed.")
class RecordAttendance:
    listed: int
    present: int
    absent: int
    excused: int
    rate: float | None
    absences: list[MissedMeeting]


@strawberry.type(description="The member's evaluation in a round of 民主评议党员 (a year of "
                             "the span): their own assessment, and the round it is part of.")
class RecordEvaluation:
    year: int
    assessment: MemberAssessment
    round: MemberEvaluationRound


@strawberry.type(description="党员档案: what a party member did and answered for from `from` to "
                             "`to`, as known at `asOf`, of the organisations the reader may "
                             "see: attendance, pioneer posts held, public commitments made, "
                             "the goals they answer for, rewards and restraints taking effect, "
                             "and their democratic evaluations (民主评议党员).")
class MemberRecord:
    since: date = strawberry.field(name="from")
    until: date = strawberry.field(name="to")
    attendance: RecordAttendance
    pioneer_posts: list[PioneerPost] = strawberry.field(
        description="Posts and zones held on some day of the span.")
    responsibilities: list[AccountableGoal] = strawberry.field(
        description="The goals they answer for (as they stood at `asOf`), by kind, with "
                    "status and score.")
    rewards: list[Sanction] = strawberry.field(description="Commendations (表彰).")
    restraints: list[Sanction] = strawberry.field(
        description="约谈, written warnings, accountability (问责).")
    evaluations: list[RecordEvaluation] = strawberry.field(
        description="民主评议党员: the rounds of the span's years that evaluated them (the "
                    "year a round is for, not the day it was opened).")
    person_id: strawberry.Private[str]
    view: strawberry.Private[views.MemberRecordView]
    position: strawberry.Private[int | None]

    @classmethod
    def of(cls, view: views.MemberRecordView, position: int | None) -> MemberRecord:
        tally = view.attendance.tally
        missed = MissedMeetings([m.meeting_id for m in view.attendance.absences], position)
        return cls(
            since=view.since, until=view.until,
            attendance=RecordAttendance(
                listed=tally.listed, present=tally.present, absent=tally.absent,
                excused=tally.excused, rate=tally.rate,
                absences=[MissedMeeting(meeting_id=gid("Meeting", m.meeting_id), kind=m.kind,
                                        held_on=m.held_on, topic=m.topic, status=m.status,
                                        reason=m.reason, view=m, position=position,
                                        meetings=missed)
                          for m in view.attendance.absences]),
            pioneer_posts=[PioneerPost.from_view(p, position) for p in view.posts],
            responsibilities=[AccountableGoal.from_view(r, view.scores.get(r.goal_id), position)
                              for r in view.responsibilities],
            rewards=[Sanction.from_view(s, position) for s in view.rewards],
            restraints=[Sanction.from_view(s, position) for s in view.restraints],
            evaluations=[RecordEvaluation(year=r.year, assessment=MemberAssessment.of(a, position),
                                          round=MemberEvaluationRound.from_view(r, position))
                         for r, a in view.evaluations],
            person_id=view.person_id, view=view, position=position)

    @strawberry.field
    def person(self, info: Info[Context, None]) -> Person | None:
        return person_at(info, self.person_id, self.position)

    @strawberry.field(description="Public commitments made in the span, by due date.")
    def commitments(self, info: Info[Context, None]) -> list[Commitment]:
        return commitments_of(info, self.view.commitments, self.position)
