"""The command side: one application composed of the use-case groups (`*_cases.py`), all
sharing the plumbing in `app_base`."""

from __future__ import annotations

from domain.accountability_cases import AccountabilityCases
from domain.app_base import Written
from domain.assessment_cases import AssessmentCases
from domain.commitments import Commitment
from domain.core_cases import CoreCases
from domain.cycles import AssessmentCycle
from domain.findings import Finding
from domain.goals import Goal
from domain.letters import ResponsibilityLetter
from domain.life_cases import LifeCases
from domain.meetings import Meeting
from domain.member_evaluation import MemberEvaluation
from domain.members_cases import MembersCases
from domain.organizations import Organization
from domain.people import Person
from domain.pioneer_cases import PioneerCases
from domain.pioneer_posts import PioneerPost
from domain.projects import Project
from domain.sanctions import Sanction
from domain.standards_cases import StandardsCases

__all__ = ["DengtaApplication", "Written"]


class DengtaApplication(PioneerCases, MembersCases, StandardsCases, LifeCases, AssessmentCases,
                        AccountabilityCases, CoreCases):
    name = "dengta"
    snapshotting_intervals = {Organization: 100, Goal: 50, Person: 50,  # noqa: RUF012
                              AssessmentCycle: 100, ResponsibilityLetter: 50, Finding: 50,
                              Commitment: 50, Project: 50, Sanction: 50,
                              Meeting: 50, MemberEvaluation: 100, PioneerPost: 50}
