"""Mutation inputs: one input object per mutation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from app.graphql.kit.acks import MutationInput, UpdateInput
from app.graphql.kit.vocab import (
    Direction,
    GoalField,
    GoalLevel,
    OrganizationKind,
    PostKind,
    ResponsibilityKind,
    Role,
)
from domain.errors import InvalidInputError
from domain.values import Indicator, qualitative, quantitative


@strawberry.input
class RubricLevelInput:
    name: str
    score: Decimal


@strawberry.input(description="Quantitative (unit, baseline, target, direction) or a rubric.")
class IndicatorInput:
    unit: str | None = None
    baseline: Decimal | None = None
    target: Decimal | None = None
    direction: Direction = Direction.HIGHER_IS_BETTER
    rubric: list[RubricLevelInput] | None = None

    def to_domain(self) -> Indicator:
        if self.rubric is not None:
            return qualitative([(level.name, level.score) for level in self.rubric])
        if self.unit is None or self.baseline is None or self.target is None:
            raise InvalidInputError("a quantitative indicator needs unit, baseline and target",
                                    field="indicator")
        return quantitative(self.unit, self.baseline, self.target, self.direction)


@strawberry.input
class RegisterOrganizationInput(MutationInput):
    name: str
    kind: OrganizationKind
    category: str
    parent_id: strawberry.ID | None = None
    effective_date: date | None = None
    reason: str = ""


@strawberry.input
class RenameOrganizationInput(UpdateInput):
    organization_id: strawberry.ID
    name: str
    reason: str = ""


@strawberry.input
class RecategorizeOrganizationInput(UpdateInput):
    organization_id: strawberry.ID
    category: str
    reason: str


@strawberry.input
class MoveOrganizationInput(UpdateInput):
    organization_id: strawberry.ID
    new_parent_id: strawberry.ID
    reason: str
    effective_date: date | None = None


@strawberry.input
class DissolveOrganizationInput(UpdateInput):
    organization_id: strawberry.ID
    reason: str
    effective_date: date | None = None


@strawberry.input
class RegisterPersonInput(MutationInput):
    name: str
    party_member: bool
    reason: str = ""


@strawberry.input
class PostInput(UpdateInput):
    person_id: strawberry.ID
    organization_id: strawberry.ID
    post: PostKind
    effective_date: date | None = None
    reason: str = ""


@strawberry.input(description="admin, secretary, member, evaluator or inspector, over the "
                            "subtree of an organisation.")
class RoleInput(UpdateInput):
    person_id: strawberry.ID
    organization_id: strawberry.ID
    role: Role
    reason: str


@strawberry.input
class ChangePartyMembershipInput(UpdateInput):
    person_id: strawberry.ID
    party_member: bool
    effective_date: date | None = None
    reason: str = ""


@strawberry.input
class SubgoalWeightInput:
    goal_id: strawberry.ID
    weight: int


@strawberry.input
class DraftGoalInput(MutationInput):
    level: GoalLevel
    organization_id: strawberry.ID
    field: GoalField
    title: str
    period_start: date
    period_end: date
    indicator: IndicatorInput
    weight: int
    description: str = ""
    parent_id: strawberry.ID | None = None
    sibling_weights: list[SubgoalWeightInput] = strawberry.field(
        default_factory=list,
        description="Under an issued parent the live subgoals' weights must still sum to 100: "
                    "the siblings' new weights, written with the draft in one change (a "
                    "reason is then required).")
    reason: str = ""


@strawberry.input
class ReviseGoalInput(UpdateInput):
    goal_id: strawberry.ID
    reason: str = ""
    title: str | None = None
    description: str | None = None
    field: GoalField | None = None
    period_start: date | None = None
    period_end: date | None = None
    indicator: IndicatorInput | None = None


@strawberry.input
class ReweightSubgoalsInput(UpdateInput):
    parent_id: strawberry.ID
    weights: list[SubgoalWeightInput]
    reason: str = ""


@strawberry.input(description="Issue (下达), close or cancel a goal.")
class GoalStepInput(UpdateInput):
    goal_id: strawberry.ID
    effective_date: date | None = None
    reason: str = ""


@strawberry.input(description="Cancel a goal.")
class CancelGoalInput(GoalStepInput):
    sibling_weights: list[SubgoalWeightInput] = strawberry.field(
        default_factory=list,
        description="Under an issued parent, the remaining siblings' new weights (summing to "
                    "100 without the cancelled goal), written with the cancellation in one "
                    "change.")


@strawberry.input
class ReportProgressInput(UpdateInput):
    goal_id: strawberry.ID
    effective_date: date
    value: Decimal | None = None
    rubric_level: str | None = None
    evidence: list[str] = strawberry.field(default_factory=list)
    reason: str = ""


@strawberry.input
class ResponsibilityInput(UpdateInput):
    goal_id: strawberry.ID
    party_id: strawberry.ID = strawberry.field(description="A Person or an Organization id.")
    kind: ResponsibilityKind
    reason: str = ""
    effective_date: date | None = None
