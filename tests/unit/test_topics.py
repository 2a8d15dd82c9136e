"""Stored events must always replay: every event class has an explicit, stable topic."""

from __future__ import annotations

from domain.branch_standard import BranchStandard
from domain.commitments import Commitment
from domain.findings import Finding
from domain.goals import Goal
from domain.letters import ResponsibilityLetter
from domain.meeting_rules import MeetingRuleSet
from domain.meetings import Meeting
from domain.member_evaluation import MemberEvaluation
from domain.organizations import Organization
from domain.people import Person
from domain.pioneer_posts import PioneerPost
from domain.projects import Project
from domain.sanctions import Sanction
from domain.standardisation import Standardisation


def test_every_event_class_has_an_explicit_stable_topic() -> None:
    for aggregate in (Organization, Person, Goal, ResponsibilityLetter, Commitment, Finding,
                      Project, Sanction, Meeting, MeetingRuleSet, BranchStandard,
                      Standardisation, MemberEvaluation, PioneerPost):
        events = [v for v in vars(aggregate).values()
                  if isinstance(v, type) and issubclass(v, aggregate.Event)
                  and v.__name__ != "Event"]
        assert events
        for event_class in events:
            assert event_class.TOPIC.startswith(f"dengta:{aggregate.__name__}."), event_class
