"""Value types of the party-building domain: kinds, levels, fields, periods and indicators."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from domain.errors import InvalidInputError


class OrganizationKind(StrEnum):
    COMMITTEE = "committee"  # 党委
    GENERAL_BRANCH = "general_branch"  # 党总支
    BRANCH = "branch"  # 党支部
    GROUP = "group"  # 党小组

    @property
    def rank(self) -> int:
        return list(OrganizationKind).index(self)

    def may_contain(self, child: OrganizationKind) -> bool:
        """A committee may sit under a committee (a province over its cities); otherwise kinds
        step down the tree, and a party group holds no organisations at all."""
        if self is OrganizationKind.COMMITTEE and child is OrganizationKind.COMMITTEE:
            return True
        return child.rank > self.rank


class PostKind(StrEnum):
    SECRETARY = "secretary"  # 书记
    DEPUTY_SECRETARY = "deputy_secretary"  # 副书记
    COMMITTEE_MEMBER = "committee_member"  # 委员
    MEMBER = "member"  # 党员
    STAFF = "staff"  # 群众 / 工作人员

    @property
    def requires_party_membership(self) -> bool:
        return self is not PostKind.STAFF


class Role(StrEnum):
    """Explicit role grants, scoped to an organisation's subtree (posts imply some roles too)."""

    ADMIN = "admin"
    SECRETARY = "secretary"
    MEMBER = "member"
    EVALUATOR = "evaluator"  # mass and social evaluation within a cycle
    INSPECTOR = "inspector"  # reads everything, audit included; changes no goals or scores


class GoalLevel(StrEnum):
    TERM = "term"  # 任期目标
    ANNUAL = "annual"  # 年度目标
    SPECIFIC = "specific"  # 具体目标

    @property
    def rank(self) -> int:
        return list(GoalLevel).index(self)


class GoalField(StrEnum):
    POLITICAL = "political"  # 政治建设
    IDEOLOGICAL = "ideological"  # 思想建设
    ORGANIZATIONAL = "organizational"  # 组织建设
    STYLE = "style"  # 作风建设
    DISCIPLINE = "discipline"  # 纪律建设
    INSTITUTIONAL = "institutional"  # 制度建设
    BUSINESS_INTEGRATION = "business_integration"  # 党建+业务


class GoalStatus(StrEnum):
    DRAFTED = "drafted"
    ISSUED = "issued"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class Direction(StrEnum):
    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


class ResponsibilityKind(StrEnum):
    COLLECTIVE = "collective"  # 集体责任
    PRIMARY = "primary"  # 主体责任
    DIRECT = "direct"  # 直接责任
    SPECIFIC = "specific"  # 具体责任


class PartyKind(StrEnum):
    """Who can hold a responsibility: a person or an organisation."""

    PERSON = "person"
    ORGANIZATION = "organization"


E = TypeVar("E", bound=StrEnum)


def parse_enum(enum: type[E], value: str, field: str) -> E:
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise InvalidInputError(f"{field} must be one of: {allowed}", field=field) from None


def require_text(value: str, field: str, max_length: int = 200) -> str:
    text = value.strip()
    if not text:
        raise InvalidInputError(f"{field} must not be empty", field=field)
    if len(text) > max_length:
        raise InvalidInputError(f"{field} is longer than {max_length} characters", field=field)
    return text


def require_not_before(when: date, earliest: date | None, what: str,
                       field: str = "effectiveDate") -> date:
    """A step of a record's life is not dated before the record began (`earliest`: None for
    records whose state predates that rule)."""
    if earliest is not None and when < earliest:
        raise InvalidInputError(f"{field} {when.isoformat()} lies before {what} "
                                f"({earliest.isoformat()})", field=field)
    return when


def require_weight(weight: int, field: str = "weight") -> int:
    if isinstance(weight, bool) or not isinstance(weight, int) or not 0 <= weight <= 100:
        raise InvalidInputError("weight must be a whole number from 0 to 100", field=field)
    return weight


def to_decimal(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInputError(f"{field} must be a number", field=field) from None
    if not number.is_finite():
        raise InvalidInputError(f"{field} must be a finite number", field=field)
    return number


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidInputError("the period ends before it starts", field="period")

    def contains(self, other: Period) -> bool:
        return self.start <= other.start and other.end <= self.end


@dataclass(frozen=True)
class RubricLevel:
    name: str
    score: Decimal


@dataclass(frozen=True)
class QuantitativeIndicator:
    """A measured indicator, e.g. 三会一课 held: 12 per year, higher is better."""

    unit: str
    baseline: Decimal
    target: Decimal
    direction: Direction

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "quantitative",
            "unit": self.unit,
            "baseline": self.baseline,
            "target": self.target,
            "direction": self.direction.value,
        }


@dataclass(frozen=True)
class QualitativeIndicator:
    """A rubric of named levels, each with a score (e.g. 优秀 / 良好 / 合格 / 不合格)."""

    levels: tuple[RubricLevel, ...]

    def level_named(self, name: str) -> RubricLevel | None:
        return next((level for level in self.levels if level.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "qualitative",
            "levels": [{"name": level.name, "score": level.score} for level in self.levels],
        }


Indicator = QuantitativeIndicator | QualitativeIndicator


def quantitative(
    unit: str, baseline: Any, target: Any, direction: str = Direction.HIGHER_IS_BETTER
) -> QuantitativeIndicator:
    return QuantitativeIndicator(
        unit=require_text(unit, "indicator.unit", 20),
        baseline=to_decimal(baseline, "indicator.baseline"),
        target=to_decimal(target, "indicator.target"),
        direction=parse_enum(Direction, direction, "indicator.direction"),
    )


def qualitative(levels: Sequence[tuple[str, Any]]) -> QualitativeIndicator:
    if not levels:
        raise InvalidInputError("a rubric needs at least one level", field="indicator.levels")
    rubric = tuple(
        RubricLevel(require_text(name, "indicator.levels.name", 20),
                    to_decimal(score, "indicator.levels.score"))
        for name, score in levels
    )
    if len({level.name for level in rubric}) != len(rubric):
        raise InvalidInputError("rubric level names must differ", field="indicator.levels")
    return QualitativeIndicator(rubric)


def indicator_from_dict(data: Mapping[str, Any]) -> Indicator:
    """Rebuild an indicator from the plain form events carry."""
    if data["kind"] == "quantitative":
        return quantitative(data["unit"], data["baseline"], data["target"], data["direction"])
    return qualitative([(level["name"], level["score"]) for level in data["levels"]])


class Versioned(Protocol):
    """A version of a rule set or standard: numbered, in force from a day."""

    @property
    def revision(self) -> int: ...

    @property
    def effective_from(self) -> date: ...


VersionT = TypeVar("VersionT", bound=Versioned)


def in_force(versions: Sequence[VersionT], day: date) -> VersionT | None:
    """The version in force on `day`: the latest effective on or before it (of two effective
    the same day, the later revision)."""
    effective = [v for v in versions if v.effective_from <= day]
    return max(effective, key=lambda v: (v.effective_from, v.revision), default=None)
