"""A score card: one organisation's items and their scores in a cycle, who still has to
evaluate what, and the evaluations and adjustments recorded."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from app import policy
from app.graphql.assessment.records import Adjustment, Evaluation
from app.graphql.assessment.types import KindScores, Standing, item_global_id
from app.graphql.core.types import Person, person_of
from app.graphql.kit.context import Context
from app.graphql.kit.vocab import EvaluatorKind, code, labelled
from domain.scoring import ScoreCard
from domain.scoring import shown as score
from projections import organization_tree as tree
from projections import scoreboard as board
from projections.scoreboard import records


@strawberry.type(description="An item's scores in a score card: a goal or a cycle indicator.")
class ItemScore:
    item_id: strawberry.ID
    kind: str = strawberry.field(description="goal or indicator")
    title: str
    weight: float
    parent_id: strawberry.ID | None
    by_kind: KindScores
    combined: float | None


@labelled
@strawberry.type(description="An evaluation still missing: the item and the evaluator kind "
                             "(for mass and social: at least one ballot on the organisation).")
class PendingEvaluation:
    item_id: strawberry.ID | None
    evaluator_kind: str = code(EvaluatorKind)
    expected_from: list[Person] = strawberry.field(
        description="Who is expected to give it: for self-evaluation the goal's responsible "
                    "people and the secretaries; for organisational scoring the parent "
                    "organisation's secretaries; for ballots any evaluator (empty).")


@strawberry.type(description="One organisation's full score card in a cycle.")
class ScoreCardView:
    standing: Standing
    items: list[ItemScore]
    pending: list[PendingEvaluation]
    evaluations: list[Evaluation] = strawberry.field(
        description="The evaluations recorded, as they stood (revised, corrected).")
    adjustments: list[Adjustment] = strawberry.field(
        description="Bonus and deduction items proposed, approved or not, in the order "
                    "proposed.")


def score_card_view(info: Info[Context, None], cycle_id: str, card: ScoreCard,
                    line: board.Standing, position: int | None,
                    items: dict[str, Any]) -> ScoreCardView:
    """The card of an organisation the reader may read (the caller checked)."""
    conn = info.context.conn
    organization_id = line.organization_id
    loaders = info.context.loaders
    node = tree.organization(conn, line.organization_id, position)  # the parent, below
    expected = policy.expected_evaluators(
        conn, line.organization_id, node.parent_id if node else None,
        [i for i, item in items.items() if item.kind == "goal"])
    wanted = {(i, kind): expected(kind, i if i and items[i].kind == "goal" else None)
              for i, kind in card.pending}
    people = sorted({p for ids in wanted.values() for p in ids})
    for person in people:
        loaders.person.want(person, None)
    found = {p: m for p in people if (m := loaders.person.get(p, None)) is not None}
    return ScoreCardView(
        standing=Standing.of(line, loaders.organization.get(line.organization_id, position),
                             position),
        items=[ItemScore(item_id=item_global_id(item.kind, item.id), kind=item.kind,
                         title=item.title, weight=float(item.weight),
                         parent_id=item_global_id("goal", item.parent_id)
                         if item.parent_id in items else None,
                         by_kind=KindScores.of(card.item_scores.get(item.id, {})),
                         combined=score(card.item_combined.get(item.id)))
               for item in items.values()],
        pending=[PendingEvaluation(
            item_id=item_global_id(items[i].kind, i) if i else None, evaluator_kind=kind,
            expected_from=[person_of(found[p], None) for p in wanted[(i, kind)] if p in found])
            for i, kind in card.pending],
        evaluations=[Evaluation.of(e, position)
                     for e in records.evaluations_of(conn, cycle_id, organization_id, position)],
        adjustments=[Adjustment.of(a, position)
                     for a in records.adjustments_of(conn, cycle_id, organization_id, position)])
