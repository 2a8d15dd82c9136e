"""The assessment API's mutation inputs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import strawberry

from app.graphql.kit.acks import MutationInput, UpdateInput
from app.graphql.kit.vocab import CycleCadence, CycleKind, EvaluatorKind, IndicatorSource


@strawberry.input
class RubricPointsInput:
    name: str
    points: Decimal


@strawberry.input
class DefineIndicatorInput(MutationInput):
    item: str
    content: str = ""
    criteria: str = ""
    max_points: Decimal = Decimal(100)
    rubric: list[RubricPointsInput] | None = None
    source: IndicatorSource | None = strawberry.field(
        default=None, description="Computed from this source (e.g. 三会一课完成率) instead of "
                                  "scored by hand; its cycles freeze the value on publication.")
    reason: str = ""


@strawberry.input
class ReviseIndicatorInput(UpdateInput):
    indicator_id: strawberry.ID
    item: str
    content: str = ""
    criteria: str = ""
    max_points: Decimal = Decimal(100)
    rubric: list[RubricPointsInput] | None = None
    source: IndicatorSource | None = strawberry.field(
        default=None, description="Computed from this source (e.g. 三会一课完成率) instead of "
                                  "scored by hand; its cycles freeze the value on publication.")
    reason: str = ""


@strawberry.input
class KindWeightInput:
    kind: EvaluatorKind
    weight: int


@strawberry.input
class GradeBandInput:
    grade: str
    min: Decimal


@strawberry.input
class VetoConditionInput:
    condition: str
    cap: str
    description: str = ""


@strawberry.input
class SchemeInput:
    evaluator_weights: list[KindWeightInput]
    grade_bands: list[GradeBandInput]
    party_building_weight: int = 100
    vetoes: list[VetoConditionInput] = strawberry.field(default_factory=list)
    routine_weight: int | None = None

    def to_domain(self) -> dict[str, Any]:
        return {"evaluator_weights": {w.kind: w.weight for w in self.evaluator_weights},
                "party_building_weight": self.party_building_weight,
                "grade_bands": [{"grade": b.grade, "min": b.min} for b in self.grade_bands],
                "vetoes": [{"condition": v.condition, "cap": v.cap,
                            "description": v.description} for v in self.vetoes],
                "routine_weight": self.routine_weight}


@strawberry.input
class DraftCycleInput(MutationInput):
    title: str
    kind: CycleKind
    period_start: date
    period_end: date
    organizer_id: strawberry.ID
    organization_ids: list[strawberry.ID]
    scheme: SchemeInput
    cadence: CycleCadence | None = None
    routine_cycle_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    reason: str = ""


@strawberry.input
class ReviseSchemeInput(UpdateInput):
    cycle_id: strawberry.ID
    scheme: SchemeInput
    reason: str = ""


@strawberry.input
class OpenCycleInput(UpdateInput):
    cycle_id: strawberry.ID
    indicator_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    reason: str = ""


@strawberry.input
class CycleStepInput(UpdateInput):
    cycle_id: strawberry.ID
    reason: str = ""


@strawberry.input
class EvaluateInput(UpdateInput):
    cycle_id: strawberry.ID
    organization_id: strawberry.ID
    item_id: strawberry.ID = strawberry.field(description="A Goal or a LibraryIndicator the "
                                                          "cycle copied.")
    kind: EvaluatorKind = strawberry.field(description="organizational, mass, self or social")
    points: Decimal | None = None
    rubric_level: str | None = None
    comment: str = ""
    evidence: list[str] = strawberry.field(default_factory=list)
    reason: str = ""


@strawberry.input
class CorrectEvaluationInput(UpdateInput):
    evaluation_id: strawberry.ID
    reason: str
    points: Decimal | None = None
    rubric_level: str | None = None
    comment: str = ""
    evidence: list[str] = strawberry.field(default_factory=list)


@strawberry.input
class BusinessScoreInput:
    organization_id: strawberry.ID
    score: Decimal


@strawberry.input
class ImportBusinessScoresInput(UpdateInput):
    cycle_id: strawberry.ID
    scores: list[BusinessScoreInput]
    reason: str = ""


@strawberry.input
class ProposeAdjustmentInput(MutationInput):
    cycle_id: strawberry.ID
    organization_id: strawberry.ID
    item: str
    points: Decimal = strawberry.field(description="A bonus (> 0) or a deduction (< 0).")
    reason: str


@strawberry.input
class ApproveAdjustmentInput(UpdateInput):
    cycle_id: strawberry.ID
    adjustment_id: strawberry.ID
    reason: str = ""


@strawberry.input
class VetoInput(UpdateInput):
    cycle_id: strawberry.ID
    organization_id: strawberry.ID
    condition: str
    reason: str
