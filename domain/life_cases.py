"""Use cases of organisational life (组织生活): recording meetings and correcting or cancelling
the records, and the rule sets of required frequencies. Each follows get → decide → one atomic
save, with the actor passed explicitly."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from domain.app_base import Written
from domain.core_cases import CoreCases
from domain.meeting_rules import MeetingRuleSet, rule_set_id
from domain.meetings import Meeting, Tenure, tenures_from
from domain.organizations import Organization
from domain.people import Person

Attendance = Sequence[Mapping[str, Any]]  # person_id, status, reason


class LifeCases(CoreCases):
    def _tenures(self, presider_id: UUID, attendance: Attendance) -> dict[str, list[Tenure]]:
        """The posts, in business time, of everyone the record names (each must exist)."""
        found: dict[str, list[Tenure]] = {}
        for person_id, field in [(presider_id, "presiderId"),
                                 *((UUID(str(e["person_id"])), "attendance.personId")
                                   for e in attendance)]:
            if str(person_id) not in found:
                self.get(Person, person_id, field)
                found[str(person_id)] = tenures_from(
                    self.repository.event_store.get(person_id))
        return found

    def record_meeting(
        self, actor: str, *, organization_id: UUID, kind: str, held_on: date, today: date,
        topic: str, presider_id: UUID, attendance: Attendance, minutes: str = "",
        evidence: Sequence[str] = (), reason: str = "", id: UUID | None = None,
    ) -> Written:
        """`today`: the recorder's business day (no meeting is recorded before it is held)."""
        organization = self.get(Organization, organization_id, "organizationId")
        meeting = Meeting.record(
            id=self._new_id(id), actor=actor, organization=organization,
            kind=kind, held_on=held_on, today=today, topic=topic, presider_id=presider_id,
            attendance=attendance, tenures=self._tenures(presider_id, attendance),
            above=self.ancestry(organization), minutes=minutes, evidence=evidence,
            reason=reason)
        return Written(meeting.id, self.commit(actor, meeting))

    def correct_attendance(self, actor: str, meeting_id: UUID, *, presider_id: UUID,
                           attendance: Attendance, reason: str) -> Written:
        meeting = self.get(Meeting, meeting_id, "meetingId")
        meeting.correct_attendance(
            actor=actor, reason=reason, presider_id=presider_id, attendance=attendance,
            tenures=self._tenures(presider_id, attendance),
            above=self.ancestry(self.get(Organization, meeting.organization_id)))
        return Written(meeting.id, self.commit(actor, meeting))

    def correct_minutes(self, actor: str, meeting_id: UUID, *, topic: str, minutes: str,
                        evidence: Sequence[str], reason: str) -> Written:
        meeting = self.get(Meeting, meeting_id, "meetingId")
        meeting.correct_minutes(actor=actor, reason=reason, topic=topic, minutes=minutes,
                                evidence=evidence)
        return Written(meeting.id, self.commit(actor, meeting))

    def cancel_meeting(self, actor: str, meeting_id: UUID, *, reason: str) -> Written:
        meeting = self.get(Meeting, meeting_id, "meetingId")
        meeting.cancel(actor=actor, reason=reason)
        return Written(meeting.id, self.commit(actor, meeting))

    def define_meeting_rules(self, actor: str, *, organization_id: UUID, title: str,
                             effective_from: date, rules: Sequence[Mapping[str, Any]],
                             reason: str = "") -> Written:
        """An organisation's rule set (one each: defining it twice is ALREADY_EXISTS)."""
        organization = self.get(Organization, organization_id, "organizationId")
        self._new_id(rule_set_id(organization.id))
        rule_set = MeetingRuleSet.define(actor=actor, organization=organization, title=title,
                                         effective_from=effective_from, rules=rules,
                                         reason=reason)
        return Written(rule_set.id, self.commit(actor, rule_set))

    def revise_meeting_rules(self, actor: str, rule_set_id: UUID, *, effective_from: date,
                             rules: Sequence[Mapping[str, Any]], reason: str) -> Written:
        rule_set = self.get(MeetingRuleSet, rule_set_id, "ruleSetId")
        rule_set.revise(actor=actor, reason=reason, effective_from=effective_from,
                        rules=rules)
        return Written(rule_set.id, self.commit(actor, rule_set))
