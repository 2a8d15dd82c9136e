"""Read model composition: a party member's record (党员档案) over a span of days, as of a
position — attendance at organisational life, pioneer posts held, public commitments, the
goals they answer for, rewards and restraints, and the democratic evaluations of the span's
years — each cut to the organisations a reader may
see. Folds nothing of its own: it reads the other read models."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.compliance import MemberAttendance
from domain.meetings import AttendanceStatus, MeetingKind
from domain.sanctions import SanctionKind
from projections import member_evaluation as evaluation
from projections import organizational_life as life
from projections import pioneer_posts as pioneer
from projections.accountability.records import (
    CommitmentView,
    RecordFilter,
    SanctionView,
    commitments_page,
    sanctions_page,
)
from projections.accountability.view import Party
from projections.responsibility_list import Responsibility
from projections.scoreboard import GoalScore
from projections.temporal import as_of
from store.db import Connection, marks


@dataclass(frozen=True)
class Attended:
    """One meeting the member was listed for, and how they attended."""

    meeting_id: str
    organization_id: str
    kind: MeetingKind
    held_on: date
    topic: str
    status: AttendanceStatus
    reason: str


@dataclass(frozen=True)
class AttendanceRecord:
    """Present out of the meetings the member was listed for in the span (the compliance
    view's rate, over the span instead of a year), and every absence or leave."""

    tally: MemberAttendance
    meetings: tuple[Attended, ...]

    @property
    def absences(self) -> tuple[Attended, ...]:
        return tuple(m for m in self.meetings if m.status is not AttendanceStatus.PRESENT)


@dataclass(frozen=True)
class MemberRecordView:
    person_id: str
    since: date
    until: date
    attendance: AttendanceRecord
    posts: list[pioneer.PostView]
    commitments: list[CommitmentView]
    responsibilities: list[Responsibility]
    scores: dict[str, GoalScore]  # by goal
    rewards: list[SanctionView]
    restraints: list[SanctionView]
    # 民主评议党员: the rounds of the span's years that evaluated them, with their assessment
    evaluations: list[tuple[evaluation.RoundView, evaluation.AssessmentView]]


def _within(alias: str, within: Sequence[str] | None) -> tuple[str, list[Any]]:
    if within is None:
        return "1 = 1", []
    return f"{alias}.organization_id IN ({marks(within)})", list(within)


def attendance_of(conn: Connection, person_id: str, since: date, until: date,
                  within: Sequence[str] | None = None,
                  position: int | None = None) -> AttendanceRecord:
    """The meetings held (not cancelled) from `since` to `until` that listed the person, of
    the organisations `within` (None: any), as known at `position`."""
    a_cond, a_params = as_of("a", position)
    m_cond, m_params = as_of("m", position)
    scope, scope_params = _within("m", within)
    rows = [] if within is not None and not within else conn.execute(
        f"SELECT m.id, m.organization_id, m.kind, m.held_on, m.topic, a.status, a.reason "
        f"FROM {life.ATTENDANCE.name} a JOIN {life.MEETINGS.name} m ON m.id = a.meeting_id "
        f"WHERE a.person_id = ? AND {a_cond} AND {m_cond} AND m.status = 'held' "
        f"AND m.held_on BETWEEN ? AND ? AND {scope} ORDER BY m.held_on, m.id",
        [person_id, *a_params, *m_params, since.isoformat(), until.isoformat(),
         *scope_params])
    meetings = tuple(Attended(r[0], r[1], MeetingKind(r[2]), date.fromisoformat(r[3]), r[4],
                              AttendanceStatus(r[5]), r[6]) for r in rows)

    def counted(status: AttendanceStatus) -> int:
        return sum(1 for m in meetings if m.status is status)
    return AttendanceRecord(
        MemberAttendance(person_id, len(meetings), counted(AttendanceStatus.PRESENT),
                         counted(AttendanceStatus.ABSENT), counted(AttendanceStatus.EXCUSED)),
        meetings)


def member_record(conn: Connection, person_id: str, since: date, until: date,
                  within: Sequence[str] | None = None,
                  position: int | None = None) -> MemberRecordView:
    """A member's record from `since` to `until` (inclusive), as known at `position`, of the
    organisations `within` (a reader's scope; None: all): meetings held, posts held on some
    day of the span, commitments made and sanctions taking effect in it; the goals they
    answer for as they stood at `position`."""
    posts, _, _ = pioneer.posts_page(conn, pioneer.PostFilter(
        organization_ids=within, holder_id=person_id, since=since, until=until), position)
    records = RecordFilter(person_id=person_id, within=within, since=since, until=until)
    sanctions = sanctions_page(conn, records, position)[0]
    responsibilities, scores = Party("person", person_id).goals(conn, position, within)
    return MemberRecordView(
        person_id=person_id, since=since, until=until,
        attendance=attendance_of(conn, person_id, since, until, within, position),
        posts=posts, commitments=commitments_page(conn, records, position)[0],
        responsibilities=responsibilities, scores=scores,
        rewards=[s for s in sanctions if SanctionKind(s.kind).is_reward],
        restraints=[s for s in sanctions if not SanctionKind(s.kind).is_reward],
        evaluations=evaluation.member_rounds(conn, person_id, within, (since.year, until.year),
                                             position))
