"""The scoreboard's records as `node(id)` fetches them and a score card lists them: an
evaluation and a bonus or deduction item (an adjustment), each read by the readers of the
organisation it scores, as its score card is."""

from __future__ import annotations

from decimal import Decimal

import strawberry
from strawberry.types import Info

from app.graphql.assessment.types import (
    AssessmentCycle,
    Indicator,
    cycle_node,
    item_global_id,
    organization_at,
)
from app.graphql.core.types import Actor, Organization, actor_field, version_field
from app.graphql.kit.context import Context
from app.graphql.kit.ids import gid
from app.graphql.kit.nodes import Node
from app.graphql.kit.vocab import EvaluatorKind, code, labelled
from projections.scoreboard import records


@labelled
@strawberry.type(description="评价打分: one evaluator kind's score of one item (a goal or a "
                             "cycle indicator) of one organisation in a cycle.")
class Evaluation(Node):
    version: int = version_field()
    item_id: strawberry.ID = strawberry.field(description="The Goal or the LibraryIndicator "
                                                          "scored.")
    evaluator_kind: str = code(EvaluatorKind)
    points: float
    max_points: float
    rubric_level: str | None
    comment: str
    evaluator: Actor | None = actor_field(
        "evaluator_recorded", "Who evaluated (null when outside your scope).")
    evaluator_recorded: strawberry.Private[str]
    view: strawberry.Private[records.EvaluationView]
    raw_id: strawberry.Private[str]
    position: strawberry.Private[int | None]

    @property
    def readable_by(self) -> tuple[str, ...]:
        return (self.view.organization_id,)

    @classmethod
    def of(cls, view: records.EvaluationView, position: int | None) -> Evaluation:
        return cls(id=gid("Evaluation", view.id),
                   item_id=item_global_id(view.item_kind, view.item_id),
                   evaluator_kind=view.evaluator_kind, points=float(Decimal(view.points)),
                   max_points=float(Decimal(view.max_points)),
                   rubric_level=view.rubric_level, comment=view.comment,
                   evaluator_recorded=view.evaluator, view=view, raw_id=view.id,
                   position=position)

    @strawberry.field
    def cycle(self, info: Info[Context, None]) -> AssessmentCycle | None:
        return cycle_node(info, self.view.cycle_id, self.position)

    @strawberry.field(description="The organisation scored.")
    def organization(self, info: Info[Context, None]) -> Organization | None:
        return organization_at(info, self.view.organization_id, self.position)


@strawberry.type(description="加减分项: a bonus (positive points) or deduction (negative) on one "
                             "organisation's score in a cycle; it counts once approved.")
class Adjustment(Node):
    item: str
    points: float
    reason: str
    approved: bool
    proposed_by: Actor | None = actor_field("proposer", "Who proposed it.")
    approved_by: Actor | None = actor_field("approver", "Who approved it (null until then).")
    proposer: strawberry.Private[str]
    approver: strawberry.Private[str | None]
    view: strawberry.Private[records.AdjustmentView]
    position: strawberry.Private[int | None]

    @property
    def readable_by(self) -> tuple[str, ...]:
        return (self.view.organization_id,)

    @classmethod
    def of(cls, view: records.AdjustmentView, position: int | None) -> Adjustment:
        return cls(id=gid("Adjustment", view.id), item=view.item,
                   points=float(Decimal(view.points)), reason=view.reason,
                   approved=view.approved, proposer=view.proposer, approver=view.approver,
                   view=view, position=position)

    @strawberry.field
    def cycle(self, info: Info[Context, None]) -> AssessmentCycle | None:
        return cycle_node(info, self.view.cycle_id, self.position)

    @strawberry.field(description="The organisation whose score it moves.")
    def organization(self, info: Info[Context, None]) -> Organization | None:
        return organization_at(info, self.view.organization_id, self.position)


# The node fetchers: each record with what decides who reads it (`readable_by`), checked
# against the reader's scope by `node` as for every record.

def evaluation_node(info: Info[Context, None], raw_id: str,
                    position: int | None) -> Evaluation | None:
    found = records.evaluation(info.context.conn, raw_id, position)
    return Evaluation.of(found, position) if found else None


def adjustment_node(info: Info[Context, None], raw_id: str,
                    position: int | None) -> Adjustment | None:
    found = records.adjustment(info.context.conn, raw_id, position)
    return Adjustment.of(found, position) if found else None


def indicator_node(info: Info[Context, None], raw_id: str,
                   position: int | None) -> Indicator | None:
    found = records.library_entry(info.context.conn, raw_id, position)
    return Indicator.of(vars(found), position) if found else None
