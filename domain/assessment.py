"""Assessment (考核评价): the vocabulary its aggregates share (kinds, stages, evaluator kinds,
points within a maximum or a rubric, the items evaluations score, derived ids). The aggregates
live one a module: `indicators` (the library), `cycles`, `evaluations`, `scorers`.

An evaluation is an aggregate of its own (a province-sized cycle holds millions of them); its
id is derived from what it scores, so the same evaluator scoring the same item again revises
it. A cycle remembers who scored in it through small `Scorer` marker aggregates, so the rule
"whoever scored may not lock the cycle or approve its reopening" needs no read model."""


from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.errors import (
    InvalidInputError,
)
from domain.scoring import EVALUATOR_KINDS
from domain.values import require_text, to_decimal

ASSESSMENT_NAMESPACE = uuid5(NAMESPACE_URL, "https://dengta/assessment")


class CycleKind(StrEnum):
    ROUTINE = "routine"  # 日常考核: monthly or quarterly
    ANNUAL = "annual"  # 年度考核


class Cadence(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


class CycleStatus(StrEnum):
    DRAFTED = "drafted"
    OPENED = "opened"
    SELF_EVALUATION = "self_evaluation"
    HIGHER_LEVEL_SCORING = "higher_level_scoring"
    UNDER_REVIEW = "under_review"
    PUBLISHED = "published"
    LOCKED = "locked"


class EvaluatorKind(StrEnum):
    ORGANIZATIONAL = "organizational"  # 组织评价, by the higher level
    MASS = "mass"  # 群众评价, many ballots
    SELF = "self"  # 自我评价
    SOCIAL = "social"  # 社会评价, many ballots


BALLOT_KINDS = (EvaluatorKind.MASS, EvaluatorKind.SOCIAL)
STAGES = list(CycleStatus)
# The stages in which each evaluator kind may score (before publication).
SCORING_STAGES = {
    EvaluatorKind.SELF: (CycleStatus.SELF_EVALUATION, CycleStatus.HIGHER_LEVEL_SCORING),
    EvaluatorKind.ORGANIZATIONAL: (CycleStatus.HIGHER_LEVEL_SCORING,),
    EvaluatorKind.MASS: (CycleStatus.SELF_EVALUATION, CycleStatus.HIGHER_LEVEL_SCORING),
    EvaluatorKind.SOCIAL: (CycleStatus.SELF_EVALUATION, CycleStatus.HIGHER_LEVEL_SCORING),
}
ADVANCES = {
    CycleStatus.OPENED: CycleStatus.SELF_EVALUATION,
    CycleStatus.SELF_EVALUATION: CycleStatus.HIGHER_LEVEL_SCORING,
    CycleStatus.HIGHER_LEVEL_SCORING: CycleStatus.UNDER_REVIEW,
}
assert tuple(EvaluatorKind) == tuple(EvaluatorKind(k) for k in EVALUATOR_KINDS)


def points_within(points: Any, max_points: Decimal, field: str = "points") -> Decimal:
    value = to_decimal(points, field)
    if not 0 <= value <= max_points:
        raise InvalidInputError(f"{field} must lie between 0 and {max_points}", field=field)
    return value


def rubric_from(levels: Sequence[Mapping[str, Any]] | None,
                max_points: Decimal) -> list[dict[str, Any]] | None:
    if levels is None:
        return None
    rubric = [{"name": require_text(str(level["name"]), "rubric.name", 20),
               "points": points_within(level["points"], max_points, "rubric.points")}
              for level in levels]
    if not rubric or len({level["name"] for level in rubric}) != len(rubric):
        raise InvalidInputError("a rubric needs levels with distinct names", field="rubric")
    return rubric


# ---- the indicator library -------------------------------------------------------------------


def evaluation_id(cycle_id: UUID, organization_id: UUID, item_id: UUID, kind: EvaluatorKind,
                  evaluator: str) -> UUID:
    """Self and organisational evaluations are one per item; ballots one per evaluator."""
    who = evaluator if kind in BALLOT_KINDS else ""
    return uuid5(ASSESSMENT_NAMESPACE,
                 f"evaluation:{cycle_id}:{organization_id}:{item_id}:{kind.value}:{who}")


def scorer_id(cycle_id: UUID, actor: str) -> UUID:
    return uuid5(ASSESSMENT_NAMESPACE, f"scorer:{cycle_id}:{actor}")


class Item:
    """What an evaluation scores: a goal of the assessed organisation (0-100, or its rubric)
    or one of the cycle's indicators (0 to its max points, or its rubric)."""

    def __init__(self, id: UUID, kind: str, max_points: Decimal,
                 rubric: list[dict[str, Any]] | None) -> None:
        self.id = id
        self.kind = kind
        self.max_points = max_points
        self.rubric = rubric
