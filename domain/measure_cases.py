"""The facts computed indicators are measured from, gathered from the event store when a cycle
is published (so publishing needs no read model and freezes what the log held then): each
organisation's kind, the rule set that governs it, and its meetings held (not cancelled)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from domain.app_base import ApplicationBase
from domain.compliance import HeldMeeting
from domain.measures import MeetingFacts
from domain.meeting_rules import MeetingRuleSet, RuleVersion, rule_set_id, version_of
from domain.meetings import Meeting, MeetingKind
from domain.organizations import Organization

MEETING_TOPICS = (Meeting.Recorded.TOPIC, Meeting.Cancelled.TOPIC)
PAGE = 500


class MeasureCases(ApplicationBase):
    def governing_rules(self, organization: Organization) -> list[RuleVersion]:
        """The versions of the organisation's rule set, else of the nearest organisation above
        it that has one (as `projections.organizational_life.governing_rule_set`)."""
        current: Organization | None = organization
        while current is not None:
            if self.exists(rule_set_id(current.id)):
                rule_set = self.get(MeetingRuleSet, rule_set_id(current.id))
                return [version_of(v["revision"], v["effective_from"], v["rules"])
                        for v in rule_set.versions]
            parent = current.parent_id
            current = self.get(Organization, parent) if parent is not None else None
        return []

    def meeting_facts(self, organization_ids: Sequence[UUID]) -> dict[UUID, MeetingFacts]:
        """Per organisation, what its meeting compliance is measured from: one pass over the
        meeting records in the log."""
        wanted = set(organization_ids)
        held: dict[UUID, tuple[UUID, HeldMeeting]] = {}
        start: int | None = None
        while True:
            page = self.recorder.select_notifications(start, PAGE, topics=MEETING_TOPICS,
                                                      inclusive_of_start=False)
            for notification in page:
                event = self.mapper.to_domain_event(notification)
                if isinstance(event, Meeting.Recorded):
                    if event.organization_id in wanted:
                        held[event.originator_id] = (event.organization_id, HeldMeeting(
                            str(event.originator_id), MeetingKind(event.kind),
                            event.effective_date, ()))
                elif isinstance(event, Meeting.Cancelled):
                    held.pop(event.originator_id, None)
            if len(page) < PAGE:
                break
            start = page[-1].id
        facts = {}
        for organization_id in organization_ids:
            organization = self.get(Organization, organization_id)
            facts[organization_id] = MeetingFacts(
                organization.kind.value, self.governing_rules(organization),
                sorted((m for owner, m in held.values() if owner == organization_id),
                       key=lambda m: (m.held_on, m.id)))
        return facts
