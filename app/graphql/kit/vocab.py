"""Closed vocabularies as GraphQL enums: one enum per vocabulary of `domain.labels`, its values
the codes the records store, each described by its Chinese label; `code()` declares an output
field of one, `labelled` gives each such field its `…Label` sibling, `vocabularies` lists them
all for a front end to load once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

import strawberry
from strawberry.types.base import StrawberryObjectDefinition, get_object_definition
from strawberry.types.field import StrawberryField
from strawberry.utils.str_converters import to_camel_case

from domain import labels
from domain.assessment import Cadence as CycleCadence
from domain.assessment import CycleKind, CycleStatus, EvaluatorKind
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

__all__ = ["VOCABULARIES", "AmendmentStatus", "AttendanceStatus", "BasisKind", "CommitmentStatus",
           "CycleCadence", "CycleKind", "CycleStatus", "Direction", "EvaluatorKind",
           "FindingSource", "FindingStatus", "GoalField", "GoalLevel", "GoalStatus",
           "GradeStanding", "IndicatorSource", "LetterSide", "LetterStatus", "LevelChange",
           "MeetingCadence", "MeetingKind", "MeetingStatus", "MemberGrade",
           "OrganizationKind", "PartyKind", "PioneerKind", "PioneerStatus", "PostKind",
           "ProjectStatus", "ProjectType", "ResponsibilityKind", "ReviewOutcome", "Role",
           "SanctionKind", "SanctionStatus", "Severity", "StandardLevel", "Vocabulary",
           "VocabularyQuery",
           "code", "label_of", "labelled"]

# The GraphQL enum of a vocabulary is the domain's own StrEnum, registered here (the domain
# stays free of GraphQL): its members are str, so the plain codes read models return serialize
# as they are and the parsed arguments go to use cases unchanged; mypy sees the domain's type
# in every input and argument. Output fields stay `str` in Python (`code()` names the GraphQL
# type), so no row needs converting. tests/unit/test_labels.py holds each enum to its labels.


@dataclass(frozen=True)
class Vocabulary:
    name: str
    enum: type[StrEnum]
    labels: Mapping[str, str]
    description: str


VOCABULARIES: tuple[Vocabulary, ...] = (
    Vocabulary("OrganizationKind", OrganizationKind, labels.ORGANIZATION_KINDS,
               "组织类别: the kind of a party organisation (党委, 党总支, 党支部, 党小组)."),
    Vocabulary("PostKind", PostKind, labels.POSTS, "职务: the post a person holds in an "
               "organisation."),
    Vocabulary("Role", Role, labels.ROLES, "权限角色: what a person may do within an "
               "organisation's subtree."),
    Vocabulary("GoalLevel", GoalLevel, labels.GOAL_LEVELS, "目标层级: term, annual or "
               "specific goal."),
    Vocabulary("GoalField", GoalField, labels.GOAL_FIELDS, "目标领域: the area of party "
               "building a goal belongs to."),
    Vocabulary("GoalStatus", GoalStatus, labels.GOAL_STATUSES, "目标状态: where a goal is in "
               "its life."),
    Vocabulary("Direction", Direction, labels.DIRECTIONS, "指标方向: whether a higher or a "
               "lower value of an indicator is better."),
    Vocabulary("ResponsibilityKind", ResponsibilityKind, labels.RESPONSIBILITY_KINDS,
               "责任类型: how a party answers for a goal."),
    Vocabulary("PartyKind", PartyKind, labels.PARTY_KINDS, "责任主体类型: a person or an "
               "organisation."),
    Vocabulary("CycleKind", CycleKind, labels.CYCLE_KINDS, "考核类型: routine or annual "
               "assessment."),
    Vocabulary("CycleCadence", CycleCadence, labels.CADENCES, "考核频次: how often a routine "
               "assessment runs."),
    Vocabulary("CycleStatus", CycleStatus, labels.CYCLE_STATUSES, "考核阶段: where an "
               "assessment cycle stands."),
    Vocabulary("EvaluatorKind", EvaluatorKind, labels.EVALUATOR_KINDS, "评价主体: who "
               "evaluates (organisation, the masses, oneself, society)."),
    Vocabulary("FindingSource", FindingSource, labels.FINDING_SOURCES, "问题来源: where a "
               "finding came from."),
    Vocabulary("Severity", Severity, labels.SEVERITIES, "问题严重程度: how serious a finding "
               "is."),
    Vocabulary("FindingStatus", FindingStatus, labels.FINDING_STATUSES, "整改状态: where a "
               "finding's rectification stands."),
    Vocabulary("LetterStatus", LetterStatus, labels.LETTER_STATUSES, "责任书状态: drafted or "
               "signed."),
    Vocabulary("LetterSide", LetterSide, labels.LETTER_SIDES, "责任书签订方: issuer or "
               "recipient of a responsibility letter."),
    Vocabulary("AmendmentStatus", AmendmentStatus, labels.AMENDMENT_STATUSES, "修正状态: "
               "where a proposed amendment to a signed letter stands."),
    Vocabulary("CommitmentStatus", CommitmentStatus, labels.COMMITMENT_STATUSES,
               "承诺状态: where a public commitment stands."),
    Vocabulary("ProjectType", ProjectType, labels.PROJECT_TYPES, "项目类型: the kind of a "
               "party-building project."),
    Vocabulary("ProjectStatus", ProjectStatus, labels.PROJECT_STATUSES, "项目状态: where a "
               "party-building project stands."),
    Vocabulary("SanctionKind", SanctionKind, labels.SANCTION_KINDS, "奖惩类型: a reward or "
               "a restraint."),
    Vocabulary("SanctionStatus", SanctionStatus, labels.SANCTION_STATUSES, "奖惩状态: in "
               "force, or revoked."),
    Vocabulary("BasisKind", BasisKind, labels.BASIS_KINDS, "奖惩依据类型: what a sanction "
               "rests on."),
    Vocabulary("MeetingKind", MeetingKind, labels.MEETING_KINDS, "会议类型: the meetings of "
               "organisational life (三会一课等)."),
    Vocabulary("AttendanceStatus", AttendanceStatus, labels.ATTENDANCE_STATUSES, "出勤: a "
               "member's attendance at a meeting."),
    Vocabulary("MeetingStatus", MeetingStatus, labels.MEETING_STATUSES, "会议记录状态: held, "
               "or cancelled (作废) with a reason."),
    Vocabulary("MeetingCadence", MeetingCadence, labels.MEETING_CADENCES, "召开频次: how "
               "often a meeting is required."),
    Vocabulary("IndicatorSource", IndicatorSource, labels.MEASURE_SOURCES, "计算指标来源: "
               "where a computed indicator takes its value from (三会一课完成率: the meeting "
               "compliance of the organisation assessed over the cycle's period)."),
    Vocabulary("StandardLevel", StandardLevel, labels.STANDARD_LEVELS, "达标等级: the level "
               "a branch's acceptance (达标验收) gives it."),
    Vocabulary("LevelChange", LevelChange, labels.LEVEL_CHANGES, "等级变化: how a branch's "
               "level changed (dynamic management); after a revocation it holds none until "
               "accepted again."),
    Vocabulary("MemberGrade", MemberGrade, labels.MEMBER_GRADES, "评议等次: a party "
               "member's grade in the democratic evaluation (民主评议党员)."),
    Vocabulary("ReviewOutcome", ReviewOutcome, labels.REVIEW_OUTCOMES, "审核结论: whether the "
               "level above upheld or changed a 不合格."),
    Vocabulary("GradeStanding", GradeStanding, labels.GRADE_STANDINGS, "评定状态: whether a "
               "member's grade is final or awaits the level above's review."),
    Vocabulary("PioneerKind", PioneerKind, labels.PIONEER_KINDS, "设岗类型: a post a party "
               "member holds as an example (党员示范岗) or a zone they answer for (党员责任区)."),
    Vocabulary("PioneerStatus", PioneerStatus, labels.PIONEER_STATUSES, "设岗记录状态: "
               "designated (held over its period), ended early, or cancelled (作废) with a "
               "reason."),
)
_BY_ENUM: Mapping[type[StrEnum], Vocabulary] = {v.enum: v for v in VOCABULARIES}
_VOCABULARY = "dengta.vocabulary"  # the field metadata key `code()` sets and `labelled` reads


def _register(vocabulary: Vocabulary) -> None:
    strawberry.enum(vocabulary.enum, name=vocabulary.name, description=vocabulary.description,
                    graphql_name_from="value")
    for value in vocabulary.enum.__strawberry_definition__.values:  # type: ignore[attr-defined]
        value.description = vocabulary.labels[value.value]


for _vocabulary in VOCABULARIES:
    _register(_vocabulary)


def code(enum: type[StrEnum], *, nullable: bool = False, description: str | None = None) -> Any:
    """An output field holding a code of `enum` (a plain str in Python: the read models'
    codes need no converting); `labelled` adds its Chinese label beside it."""
    return strawberry.field(graphql_type=enum | None if nullable else enum,
                            description=description, metadata={_VOCABULARY: (enum, nullable)})


def label_of(enum: type[StrEnum], value: str | None) -> str | None:
    return labels.label(_BY_ENUM[enum].labels, value)


Labelled = TypeVar("Labelled", bound=type)


def labelled(cls: Labelled) -> Labelled:
    """Adds `xLabel` (the Chinese label) beside every field `x` of `cls` declared by `code()`:
    apply it above `@strawberry.type`."""
    definition = get_object_definition(cls, strict=True)
    for field in list(definition.fields):
        if _VOCABULARY in field.metadata:
            definition.fields.append(_label_field(definition, field, *field.metadata[_VOCABULARY]))
    return cls


def _label_field(definition: StrawberryObjectDefinition, field: StrawberryField,
                 enum: type[StrEnum], nullable: bool) -> StrawberryField:
    name = field.python_name

    def resolve(root: Any) -> str | None:
        return label_of(enum, getattr(root, name))

    graphql_name = to_camel_case(name)
    label_field: StrawberryField = strawberry.field(
        graphql_type=str | None if nullable else str, name=f"{graphql_name}Label",
        description=f"`{graphql_name}` 的中文名称。")(resolve)
    label_field.python_name = f"{name}_label"
    label_field.origin = definition.origin
    return label_field


@strawberry.type(description="A vocabulary value: the code the API sends and takes, and its "
                             "Chinese label.")
class VocabularyValue:
    code: str
    label: str


@strawberry.type(name="Vocabulary", description="A closed vocabulary: the name of its GraphQL "
                                               "enum, what it is, and every value with its label.")
class VocabularyInfo:
    name: str
    description: str
    values: list[VocabularyValue]


@strawberry.type
class VocabularyQuery:
    @strawberry.field(description="Every closed vocabulary with its Chinese labels, for a front "
                                  "end to load once.")
    def vocabularies(self) -> list[VocabularyInfo]:
        return [VocabularyInfo(name=v.name, description=v.description,
                               values=[VocabularyValue(code=code, label=label)
                                       for code, label in v.labels.items()])
                for v in VOCABULARIES]
