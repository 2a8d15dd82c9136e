"""The assessment API's reads (each takes `asOf`): the indicator library, cycles, the
scoreboard, score cards, explanations and score diffs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from app.graphql.assessment.cards import ScoreCardView, score_card_view
from app.graphql.assessment.measures import MeasuredIndicator
from app.graphql.assessment.records import adjustment_node, evaluation_node, indicator_node
from app.graphql.assessment.types import (
    AssessmentCycle,
    Indicator,
    ScoreChange,
    ScoreDiff,
    ScoreExplanation,
    ScoreMoment,
    Standing,
    cycle_node,
    flatten,
    item_global_id,
    readable_cycle,
    standings,
    visible_organization,
)
from app.graphql.assessment.what_if import (
    SchemeChangeInput,
    WhatIfStanding,
    what_if_standings,
)
from app.graphql.core.queries import raw
from app.graphql.kit.context import Context
from app.graphql.kit.ids import actor_global_id, to_global_id
from app.graphql.kit.nodes import NodeRegistry
from app.graphql.kit.paging import Connection, bad_input, connection, page_of
from app.graphql.kit.permissions import AUTHENTICATED
from domain.labels import event_label
from domain.scoring import ScoreCard
from domain.scoring import score as derive
from domain.scoring import shown as score
from projections import scoreboard as board
from projections.scoreboard.tables import FROZEN
from store.audit_reads import log_head, recorded_times


def readable_cycles(info: Info[Context, None]) -> list[str] | None:
    """The organisations whose cycles (as organiser or assessed) the viewer may list."""
    found = info.context.scope().organizations()
    return None if found is None else list(found)


@strawberry.type
class AssessmentQuery:
    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="The indicator library (考核指标库), by item.")
    def indicators(self, info: Info[Context, None], first: int | None = None,
                   after: str | None = None, last: int | None = None,
                   before: str | None = None,
                   as_of: datetime | None = None) -> Connection[Indicator]:
        page = page_of(first, after, last, before, 2)
        position = info.context.position(as_of)
        entries, more, total = board.library_page(info.context.conn, position, page)
        return connection([Indicator.of(vars(entry), position) for entry in entries],
                          [(entry.item, entry.id) for entry in entries], more, page, total)

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="Assessment cycles, the latest period first.")
    def assessment_cycles(self, info: Info[Context, None], first: int | None = None,
                          after: str | None = None, last: int | None = None,
                          before: str | None = None,
                          as_of: datetime | None = None) -> Connection[AssessmentCycle]:
        page = page_of(first, after, last, before, 2)
        position = info.context.position(as_of)
        found, more, total = board.cycles_page(info.context.conn, position, page,
                                               readable_cycles(info))
        return connection([AssessmentCycle.of(c, position) for c in found],
                          [(c.period_start, c.id) for c in found], more, page, total)

    @strawberry.field(permission_classes=AUTHENTICATED)
    def assessment_cycle(self, info: Info[Context, None], id: strawberry.ID,
                         as_of: datetime | None = None) -> AssessmentCycle | None:
        position = info.context.position(as_of)
        found = board.cycle(info.context.conn, raw(id, "AssessmentCycle", "id"), position)
        return AssessmentCycle.of(found, position) if found and readable_cycle(
            info, found) else None

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="A cycle's scoreboard for one category (classified "
                                  "assessment) or all: best first, with grade and ranks.")
    def scoreboard(self, info: Info[Context, None], cycle_id: strawberry.ID,
                   category: str | None = None, first: int | None = None,
                   after: str | None = None, last: int | None = None,
                   before: str | None = None,
                   as_of: datetime | None = None) -> Connection[Standing]:
        position = info.context.position(as_of)
        return standings(info, raw(cycle_id, "AssessmentCycle", "cycleId"), category,
                         position, first, after, last, before)

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="What-if (假设评分): the cycle's ranking under a changed "
                                  "scheme, scored in memory as the scoreboard scores it, beside "
                                  "the actual one (as of asOf); writes nothing. Best first under "
                                  "the changed scheme; pages by place.")
    def what_if(self, info: Info[Context, None], cycle_id: strawberry.ID,
                scheme: SchemeChangeInput, category: str | None = None,
                first: int | None = None, after: str | None = None, last: int | None = None,
                before: str | None = None,
                as_of: datetime | None = None) -> Connection[WhatIfStanding]:
        position = info.context.position(as_of)
        found = board.cycle(info.context.conn, raw(cycle_id, "AssessmentCycle", "cycleId"),
                            position)
        if found is None or not readable_cycle(info, found):
            raise bad_input("no such cycle, or not one you may read", "cycleId")
        return what_if_standings(info, found, scheme, category, position, first, after, last,
                                 before)

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="One organisation's score card: items, and who still has "
                                  "to evaluate what.")
    def score_card(self, info: Info[Context, None], cycle_id: strawberry.ID,
                   organization_id: strawberry.ID,
                   as_of: datetime | None = None) -> ScoreCardView | None:
        position = info.context.position(as_of)
        found = card_at(info, cycle_id, organization_id, position)
        if found is None:
            return None
        card, line, items, cycle = found
        return score_card_view(info, cycle.id, card, line, position, items)

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="How a score was derived: from the final score down to each "
                                  "evaluation, with the weights and formula at each step.")
    def explain_score(self, info: Info[Context, None], cycle_id: strawberry.ID,
                      organization_id: strawberry.ID,
                      as_of: datetime | None = None) -> ScoreExplanation | None:
        position = info.context.position(as_of)
        found = card_at(info, cycle_id, organization_id, position)
        if found is None:
            return None
        card, _, items, cycle = found
        frozen = cycle.status in FROZEN
        return ScoreExplanation(score=score(card.combined), grade=card.grade,
                                scheme_version=cycle.scheme_version,
                                steps=flatten(info, card.explanation, items),
                                measures=[MeasuredIndicator.of(i, items[i].title, m, frozen)
                                          for i, m in card.measures.items() if i in items])

    @strawberry.field(permission_classes=AUTHENTICATED,
                      name="scoreDiff",
                      description="An organisation's score at two moments, the delta, and the "
                                  "events (actor, time, reason) that explain the change.")
    def score_diff(self, info: Info[Context, None], cycle_id: strawberry.ID,
                   organization_id: strawberry.ID,
                   from_: Annotated[datetime, strawberry.argument(name="from")],
                   to: datetime | None = None) -> ScoreDiff | None:
        start = info.context.position(from_)
        end = info.context.position(to)
        conn = info.context.conn
        if end is None:
            end = log_head(conn)
        cycle = raw(cycle_id, "AssessmentCycle", "cycleId")
        organization = raw(organization_id, "Organization", "organizationId")
        visible_organization(info, organization)
        assert start is not None
        diff = board.score_diff(conn, cycle, organization, start, end)
        if diff is None:
            return None
        times = recorded_times(conn, [c.position for c in diff.changes])

        def moment(position: int, line: board.Standing | None) -> ScoreMoment:
            return ScoreMoment(position=position,
                               combined=score(line.combined) if line else None,
                               party_building=score(line.party_building) if line else None,
                               grade=line.grade if line else None,
                               category_rank=line.category_rank if line else None,
                               overall_rank=line.overall_rank if line else None)

        derivation = board.unit_inputs(conn, cycle, organization, end)
        kinds = {item.id: item.kind for item in derivation["items"]} if derivation else {}
        return ScoreDiff(before=moment(start, diff.before), after=moment(end, diff.after),
                         delta=diff.delta, events=[score_change(c, times, kinds)
                                                   for c in diff.changes])


# What a score change's `ref` names, by the event's type.
REF_TYPES = {"Recorded": "Evaluation", "Revised": "Evaluation", "Corrected": "Evaluation",
             "AdjustmentProposed": "Adjustment", "AdjustmentApproved": "Adjustment"}


def score_change(change: board.Change, times: dict[int, datetime],
                 kinds: dict[str, str]) -> ScoreChange:
    """A change as the API shows it: ids as global ids, the actor as an Actor."""
    detail = change.detail
    if detail is not None and detail.get("item") in kinds:
        detail = {**detail, "item": item_global_id(kinds[detail["item"]], detail["item"])}
    ref_type = REF_TYPES.get(change.action)
    return ScoreChange(
        position=change.position, recorded_at=times.get(change.position),
        actor_id=strawberry.ID(actor_global_id(change.actor)), actor_recorded=change.actor,
        action=change.action, action_label=event_label(
            "Evaluation" if ref_type == "Evaluation" else "AssessmentCycle", change.action),
        reason=change.reason,
        ref=strawberry.ID(to_global_id(ref_type, change.ref)) if change.ref and ref_type
        else None, detail=cast(JSON, detail))


def card_at(info: Info[Context, None], cycle_id: strawberry.ID,
            organization_id: strawberry.ID, position: int | None,
            ) -> tuple[ScoreCard, board.Standing, dict[str, Any], board.Cycle] | None:
    conn = info.context.conn
    cycle = raw(cycle_id, "AssessmentCycle", "cycleId")
    organization = raw(organization_id, "Organization", "organizationId")
    visible_organization(info, organization)
    found = board.cycle(conn, cycle, position)
    derivation = board.unit_inputs(conn, cycle, organization, position)
    line = board.standing(conn, cycle, organization, position)
    if found is None or derivation is None or line is None:
        return None
    items = {item.id: item for item in derivation["items"]}
    return derive(**derivation), line, items, found


NODES: NodeRegistry = {"AssessmentCycle": cycle_node, "LibraryIndicator": indicator_node,
                       "Evaluation": evaluation_node, "Adjustment": adjustment_node}
