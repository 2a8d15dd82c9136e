"""The Meeting aggregate (组织生活 / 三会一课): a party organisation's meeting as recorded fact —
kind, date, topic, who presided, each member's attendance, minutes and evidence. Records are
never edited: attendance and minutes are corrected, and a record cancelled, by reasoned events.

Who may attend is decided in business time: a member is someone holding a party post in the
organisation on the meeting date (`Tenure`, from the posts' effective dates; a post taken or
ended without one counts from the day it was recorded), and a committee meeting (支部委员会)
is for the committee (secretary, deputy secretary, committee members). The presider is a
member present, or someone holding a party post above the organisation that day (not listed)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import event

from domain.base import DengtaAggregate, require_actor, require_reason
from domain.errors import (
    DuplicateError,
    InvalidInputError,
    InvalidTransitionError,
    PostRequiredError,
    ReasonRequiredError,
)
from domain.labels import MEETING_KINDS
from domain.organizations import Organization
from domain.people import Person
from domain.values import OrganizationKind, PostKind, parse_enum, require_text


class MeetingKind(StrEnum):
    BRANCH_GENERAL = "branch_general"  # 支部党员大会
    BRANCH_COMMITTEE = "branch_committee"  # 支部委员会
    GROUP = "group"  # 党小组会
    LECTURE = "lecture"  # 党课
    THEME_DAY = "theme_day"  # 主题党日
    LIFE_MEETING = "life_meeting"  # 组织生活会
    DEMOCRATIC_REVIEW = "democratic_review"  # 民主评议党员大会

    @property
    def label(self) -> str:
        return MEETING_KINDS[self.value]


class AttendanceStatus(StrEnum):
    PRESENT = "present"  # 出席
    ABSENT = "absent"  # 缺席: needs a reason
    EXCUSED = "excused"  # 请假


class MeetingStatus(StrEnum):
    HELD = "held"
    CANCELLED = "cancelled"  # 作废: recorded in error, kept with the reason


COMMITTEE_POSTS = frozenset({PostKind.SECRETARY.value, PostKind.DEPUTY_SECRETARY.value,
                             PostKind.COMMITTEE_MEMBER.value})
PARTY_POSTS = frozenset(p.value for p in PostKind if p.requires_party_membership)
MAX_ATTENDEES = 500


@dataclass(frozen=True)
class Tenure:
    """A post held in business time: [since, until)."""

    organization_id: UUID
    post: str
    since: date
    until: date | None

    def covers(self, day: date) -> bool:
        return self.since <= day and (self.until is None or day < self.until)


def tenures_from(events: Iterable[Any]) -> list[Tenure]:
    """A person's tenures, from their events (PostTaken / PostEnded), by effective dates."""
    held: dict[tuple[UUID, str], date] = {}
    found: list[Tenure] = []
    for e in events:
        if isinstance(e, Person.PostTaken | Person.PostEnded):
            day = e.effective_date or e.timestamp.date()
            key = (e.organization_id, e.post)
            if isinstance(e, Person.PostTaken):
                held[key] = day
            elif key in held:
                found.append(Tenure(e.organization_id, e.post, held.pop(key), day))
    return found + [Tenure(org, post, since, None) for (org, post), since in held.items()]


def attendance_from(entries: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The plain form an attendance list is stored in, checked: each person once, a known
    status, a reason for an absence."""
    if not entries:
        raise InvalidInputError("list at least the presider's attendance", field="attendance")
    if len(entries) > MAX_ATTENDEES:
        raise InvalidInputError(f"at most {MAX_ATTENDEES} attendees", field="attendance")
    seen: set[str] = set()
    result = []
    for entry in entries:
        person = str(entry["person_id"])
        if person in seen:
            raise DuplicateError("a person is listed twice", field="attendance.personId")
        seen.add(person)
        status = parse_enum(AttendanceStatus, str(entry["status"]), "attendance.status")
        reason = str(entry.get("reason") or "").strip()
        if status is AttendanceStatus.ABSENT and not reason:
            raise ReasonRequiredError("an absence must say why", field="attendance.reason")
        result.append({"person_id": person, "status": status.value, "reason": reason})
    return result


def check_attendees(attendance: Sequence[Mapping[str, str]], kind: MeetingKind,
                    organization_id: UUID, held_on: date,
                    tenures: Mapping[str, Sequence[Tenure]]) -> None:
    """Everyone listed held a party post in the organisation on the meeting date (a
    committee meeting: a committee post)."""
    posts = COMMITTEE_POSTS if kind is MeetingKind.BRANCH_COMMITTEE else PARTY_POSTS
    for entry in attendance:
        if not any(t.organization_id == organization_id and t.post in posts
                   and t.covers(held_on) for t in tenures.get(entry["person_id"], ())):
            what = "a committee post" if kind is MeetingKind.BRANCH_COMMITTEE else \
                "a party post"
            raise PostRequiredError(
                f"{entry['person_id']} held no {what} in this organisation on "
                f"{held_on.isoformat()}", field="attendance.personId")


def check_presider(attendance: Sequence[Mapping[str, str]], presider_id: UUID,
                   organization_id: UUID, above: Sequence[UUID], held_on: date,
                   tenures: Mapping[str, Sequence[Tenure]]) -> None:
    """The presider is a member listed as present, or presides from above: holds a party
    post on the day in an organisation above this one (`above`) and none in it — such a
    presider (the secretary above giving a 党课, an upper-level leader at a 组织生活会) is
    not listed, since the attendance is the organisation's members' and so are its rates."""
    posts = tenures.get(str(presider_id), ())

    def holds_post_in(organizations: set[UUID]) -> bool:
        return any(t.organization_id in organizations and t.post in PARTY_POSTS
                   and t.covers(held_on) for t in posts)

    entry = next((e for e in attendance if e["person_id"] == str(presider_id)), None)
    member = holds_post_in({organization_id})
    if entry is None and member:
        raise InvalidInputError("a presider who is a member of the organisation is listed "
                                "as present", field="presiderId")
    if entry is None and not holds_post_in(set(above)):
        raise PostRequiredError(
            f"the presider held no party post in this organisation or any above it on "
            f"{held_on.isoformat()}", field="presiderId")
    if entry is not None and not member and holds_post_in(set(above)):
        raise InvalidInputError("a presider from an organisation above is not listed among "
                                "the attendees (they are the organisation's members)",
                                field="attendance.personId")
    if entry is not None and entry["status"] != AttendanceStatus.PRESENT.value:
        raise InvalidInputError("the presider must be listed as present",
                                field="presiderId")


def check_kind(kind: MeetingKind, organization: Organization) -> None:
    """党小组会 is a party group's meeting; a party group has no committee."""
    is_group = organization.kind is OrganizationKind.GROUP
    if kind is MeetingKind.GROUP and not is_group:
        raise InvalidInputError(f"a {kind.label} is held by a party group", field="kind")
    if kind is MeetingKind.BRANCH_COMMITTEE and is_group:
        raise InvalidInputError("a party group has no committee", field="kind")


class Meeting(DengtaAggregate):
    TOPIC = "dengta:Meeting"
    ENUM_FIELDS: ClassVar[dict[str, type[StrEnum]]] = {
        "kind": MeetingKind, "status": MeetingStatus,
    }

    class Created(DengtaAggregate.Created):
        TOPIC = "dengta:Meeting.Created"

    class Recorded(Created):
        """`effective_date`: the day the meeting was held."""

        TOPIC = "dengta:Meeting.Recorded"
        organization_id: UUID
        kind: str
        effective_date: date
        topic: str
        presider_id: UUID
        attendance: list[dict[str, str]]
        minutes: str
        evidence: list[str]

    class AttendanceCorrected(DengtaAggregate.Event):
        TOPIC = "dengta:Meeting.AttendanceCorrected"
        presider_id: UUID
        attendance: list[dict[str, str]]

    class MinutesCorrected(DengtaAggregate.Event):
        TOPIC = "dengta:Meeting.MinutesCorrected"
        topic: str
        minutes: str
        evidence: list[str]

    class Cancelled(DengtaAggregate.Event):
        TOPIC = "dengta:Meeting.Cancelled"

    @event(Recorded)
    def __init__(self, *, id: UUID, actor: str, reason: str, organization_id: UUID, kind: str,
                 effective_date: date, topic: str, presider_id: UUID,
                 attendance: list[dict[str, str]], minutes: str,
                 evidence: list[str]) -> None:
        self.organization_id = organization_id
        self.kind = MeetingKind(kind)
        self.held_on = effective_date
        self.topic = topic
        self.presider_id = presider_id
        self.attendance = attendance
        self.minutes = minutes
        self.evidence = evidence
        self.status = MeetingStatus.HELD

    @classmethod
    def record(cls, *, id: UUID, actor: str, organization: Organization, kind: str,
               held_on: date, today: date, topic: str, presider_id: UUID,
               attendance: Sequence[Mapping[str, Any]], tenures: Mapping[str, Sequence[Tenure]],
               above: Sequence[UUID] = (), minutes: str = "", evidence: Sequence[str] = (),
               reason: str = "") -> Meeting:
        """`today` is the recorder's business day (a meeting is recorded once held);
        `tenures`: the posts of the presider and the people listed, by person id; `above`:
        the organisations above this one (a presider may come from one of them)."""
        organization.check_active()
        meeting_kind = parse_enum(MeetingKind, kind, "kind")
        check_kind(meeting_kind, organization)
        if held_on > today:
            raise InvalidInputError("a meeting is recorded once it has been held, not before",
                                    field="heldOn")
        listed = attendance_from(attendance)
        check_presider(listed, presider_id, organization.id, above, held_on, tenures)
        check_attendees(listed, meeting_kind, organization.id, held_on, tenures)
        return cls(id=id, actor=require_actor(actor), reason=reason.strip(),
                   organization_id=organization.id, kind=meeting_kind.value,
                   effective_date=held_on, topic=require_text(topic, "topic"),
                   presider_id=presider_id, attendance=listed, minutes=minutes.strip(),
                   evidence=[require_text(ref, "evidence", 500) for ref in evidence])

    def _check_held(self, what: str) -> None:
        if self.status is MeetingStatus.CANCELLED:
            raise InvalidTransitionError(f"{what}: this record is cancelled",
                                         field="meetingId")

    def correct_attendance(self, *, actor: str, reason: str, presider_id: UUID,
                           attendance: Sequence[Mapping[str, Any]],
                           tenures: Mapping[str, Sequence[Tenure]],
                           above: Sequence[UUID] = ()) -> None:
        """The whole list as it should have been recorded (and the presider)."""
        self._check_held("attendance cannot be corrected")
        why = require_reason(reason, "a correction of attendance must say why")
        listed = attendance_from(attendance)
        check_presider(listed, presider_id, self.organization_id, above, self.held_on,
                       tenures)
        check_attendees(listed, self.kind, self.organization_id, self.held_on, tenures)
        if listed == self.attendance and presider_id == self.presider_id:
            raise InvalidInputError("the attendance is already as given", field="attendance")
        self._attendance_corrected(actor=require_actor(actor), reason=why,
                                   presider_id=presider_id, attendance=listed)

    def correct_minutes(self, *, actor: str, reason: str, topic: str, minutes: str,
                        evidence: Sequence[str]) -> None:
        self._check_held("the minutes cannot be corrected")
        why = require_reason(reason, "a correction of minutes must say why")
        refs = [require_text(ref, "evidence", 500) for ref in evidence]
        new_topic = require_text(topic, "topic")
        if (new_topic, minutes.strip(), refs) == (self.topic, self.minutes, self.evidence):
            raise InvalidInputError("the minutes are already as given", field="minutes")
        self._minutes_corrected(actor=require_actor(actor), reason=why, topic=new_topic,
                                minutes=minutes.strip(), evidence=refs)

    def cancel(self, *, actor: str, reason: str) -> None:
        """作废: the record stays, with the reason, and no longer counts."""
        self._check_held("already cancelled")
        self._cancelled(actor=require_actor(actor),
                        reason=require_reason(reason, "a cancellation must say why"))

    @property
    def people(self) -> list[str]:
        return [e["person_id"] for e in self.attendance]

    @event(AttendanceCorrected)
    def _attendance_corrected(self, *, actor: str, reason: str, presider_id: UUID,
                              attendance: list[dict[str, str]]) -> None:
        self.presider_id = presider_id
        self.attendance = attendance

    @event(MinutesCorrected)
    def _minutes_corrected(self, *, actor: str, reason: str, topic: str, minutes: str,
                           evidence: list[str]) -> None:
        self.topic = topic
        self.minutes = minutes
        self.evidence = evidence

    @event(Cancelled)
    def _cancelled(self, *, actor: str, reason: str) -> None:
        self.status = MeetingStatus.CANCELLED
