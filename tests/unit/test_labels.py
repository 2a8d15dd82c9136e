"""Every code the domain defines has its Chinese label, and every event class its name."""

from __future__ import annotations

from enum import StrEnum

import pytest

from domain import labels
from domain.assessment import Cadence, CycleKind, CycleStatus, EvaluatorKind
from domain.commitments import CommitmentStatus
from domain.findings import FindingSource, FindingStatus, Severity
from domain.letters import AmendmentStatus, LetterSide, LetterStatus
from domain.measures import Source as IndicatorSource
from domain.meeting_rules import Cadence as MeetingCadence
from domain.meetings import AttendanceStatus, MeetingKind, MeetingStatus
from domain.member_evaluation import GradeStanding, MemberGrade, ReviewOutcome
from domain.pioneer_posts import PioneerKind, PioneerStatus
from domain.projects import ProjectStatus, ProjectType
from domain.sanctions import BasisKind, SanctionKind, SanctionStatus
from domain.standardisation import LevelChange, StandardLevel
from domain.values import (
    Direction,
    GoalField,
    GoalLevel,
    GoalStatus,
    OrganizationKind,
    PartyKind,
    PostKind,
    ResponsibilityKind,
    Role,
)
from store.audit import split_topic
from tests.unit.test_change_mappings import aggregates, event_classes

VOCABULARIES: list[tuple[type[StrEnum], dict[str, str]]] = [
    (OrganizationKind, labels.ORGANIZATION_KINDS), (PostKind, labels.POSTS),
    (Role, labels.ROLES), (GoalLevel, labels.GOAL_LEVELS), (GoalField, labels.GOAL_FIELDS),
    (GoalStatus, labels.GOAL_STATUSES), (Direction, labels.DIRECTIONS),
    (ResponsibilityKind, labels.RESPONSIBILITY_KINDS), (PartyKind, labels.PARTY_KINDS),
    (CycleKind, labels.CYCLE_KINDS), (Cadence, labels.CADENCES),
    (CycleStatus, labels.CYCLE_STATUSES), (EvaluatorKind, labels.EVALUATOR_KINDS),
    (FindingSource, labels.FINDING_SOURCES), (Severity, labels.SEVERITIES),
    (FindingStatus, labels.FINDING_STATUSES), (LetterStatus, labels.LETTER_STATUSES),
    (LetterSide, labels.LETTER_SIDES), (AmendmentStatus, labels.AMENDMENT_STATUSES),
    (CommitmentStatus, labels.COMMITMENT_STATUSES),
    (ProjectType, labels.PROJECT_TYPES), (ProjectStatus, labels.PROJECT_STATUSES),
    (SanctionKind, labels.SANCTION_KINDS),
    (SanctionStatus, labels.SANCTION_STATUSES), (BasisKind, labels.BASIS_KINDS),
    (MeetingKind, labels.MEETING_KINDS), (AttendanceStatus, labels.ATTENDANCE_STATUSES),
    (MeetingStatus, labels.MEETING_STATUSES), (MeetingCadence, labels.MEETING_CADENCES),
    (IndicatorSource, labels.MEASURE_SOURCES),
    (StandardLevel, labels.STANDARD_LEVELS), (LevelChange, labels.LEVEL_CHANGES),
    (MemberGrade, labels.MEMBER_GRADES), (ReviewOutcome, labels.REVIEW_OUTCOMES),
    (GradeStanding, labels.GRADE_STANDINGS),
    (PioneerKind, labels.PIONEER_KINDS), (PioneerStatus, labels.PIONEER_STATUSES),
]


@pytest.mark.parametrize(("enum", "vocabulary"), VOCABULARIES,
                         ids=[enum.__name__ for enum, _ in VOCABULARIES])
def test_each_vocabulary_labels_exactly_its_codes(enum: type[StrEnum],
                                                   vocabulary: dict[str, str]) -> None:
    assert set(vocabulary) == {member.value for member in enum}
    assert len(set(vocabulary.values())) == len(vocabulary)  # no two codes read alike


def test_every_event_class_and_record_type_has_a_chinese_name() -> None:
    named = {split_topic(cls.TOPIC) for aggregate in aggregates()
             for cls in event_classes(aggregate)}
    assert {f"{a}.{e}" for a, e in named} == set(labels.EVENTS)
    assert {a for a, _ in named} == set(labels.AGGREGATE_TYPES)


def test_actors_read_as_people_would_say_them() -> None:
    assert labels.actor_label("admin") == "系统管理员账号"
    assert labels.actor_label("system:import") == "数据导入"
    assert labels.actor_label("system:nightly") == "系统任务 nightly"
    assert labels.label(labels.GOAL_STATUSES, "issued") == "已下达"
    assert labels.label(labels.GOAL_STATUSES, "unknown") == "unknown"
