"""The command side: one application composed of the use-case groups (`*_cases.py`), all
sharing the plumbing in `app_base`."""

from __future__ import annotations

from domain.app_base import Written
from domain.assessment import AssessmentCycle
from domain.assessment_cases import AssessmentCases
from domain.core_cases import CoreCases
from domain.goals import Goal
from domain.organizations import Organization
from domain.people import Person

__all__ = ["DengtaApplication", "Written"]


class DengtaApplication(AssessmentCases, CoreCases):
    name = "dengta"
    snapshotting_intervals = {  # noqa: RUF012
        Organization: 100, Goal: 50, Person: 50, AssessmentCycle: 100}
