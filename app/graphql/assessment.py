"""The assessment API: the indicator library, cycles, evaluations, the scoreboard, score cards,
explanations and score diffs (reads take `asOf`), and a mutation per use case."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, cast
from uuid import UUID

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from app import policy
from app.graphql import mutations as m
from app.graphql.acks import Acknowledged, MutationInput, UpdateInput
from app.graphql.context import Context
from app.graphql.ids import BadIdError, from_global_id, to_global_id
from app.graphql.paging import Connection, bad_input, connection, page_of
from app.graphql.queries import AUTHENTICATED, raw
from app.graphql.types import (
    FEATURE_NODES,
    Node,
    Organization,
    Person,
    UserError,
    person_of,
)
from domain.app_base import Written
from domain.errors import NotFoundError
from domain.scoring import Node as ScoreNode
from domain.scoring import ScoreCard
from domain.scoring import score as derive
from domain.values import Period
from projections import organization_tree as tree
from projections import scoreboard as board
from projections.engine import tracked
from projections.pages import Page
from projections.scoreboard import Scoreboard
from store.audit_reads import log_head, recorded_times

# ---- types -----------------------------------------------------------------------------------


def score(value: float | Decimal | None) -> float | None:
    return None if value is None else round(float(value), 2)


@strawberry.type(description="A score per evaluator kind (0-100; null: nobody has scored).")
class KindScores:
    organizational: float | None
    mass: float | None
    self_: float | None = strawberry.field(name="self")
    social: float | None

    @classmethod
    def of(cls, values: dict[str, Any]) -> KindScores:
        return cls(organizational=score(values.get("organizational")),
                   mass=score(values.get("mass")), self_=score(values.get("self")),
                   social=score(values.get("social")))


@strawberry.type
class KindWeight:
    kind: str
    weight: int


@strawberry.type
class GradeBand:
    grade: str
    min: float


@strawberry.type(description="一票否决: a condition that caps the grade.")
class VetoCondition:
    condition: str
    description: str
    cap: str


@strawberry.type(description="评价方案: how a cycle weighs and grades.")
class Scheme:
    evaluator_weights: list[KindWeight]
    party_building_weight: int
    grade_bands: list[GradeBand]
    vetoes: list[VetoCondition]
    routine_weight: int | None

    @classmethod
    def of(cls, data: dict[str, Any]) -> Scheme:
        return cls(
            evaluator_weights=[KindWeight(kind=k, weight=w)
                               for k, w in data["evaluator_weights"].items()],
            party_building_weight=data["party_building_weight"],
            grade_bands=[GradeBand(grade=b["grade"], min=float(b["min"]))
                         for b in data["grade_bands"]],
            vetoes=[VetoCondition(condition=v["condition"], description=v["description"],
                                  cap=v["cap"]) for v in data["vetoes"]],
            routine_weight=data.get("routine_weight"))


@strawberry.type
class RubricPoints:
    name: str
    points: float


@strawberry.type(description="A reusable indicator of the library (考核指标), or the version of "
                             "it a cycle copied when it opened.")
class Indicator:
    id: strawberry.ID
    revision: int
    item: str
    content: str
    criteria: str
    max_points: float
    rubric: list[RubricPoints] | None

    @classmethod
    def of(cls, data: dict[str, Any]) -> Indicator:
        rubric = data.get("rubric")
        return cls(id=strawberry.ID(to_global_id("LibraryIndicator", data["id"])),
                   revision=data["revision"], item=data["item"], content=data["content"],
                   criteria=data["criteria"], max_points=float(data["max_points"]),
                   rubric=[RubricPoints(name=r["name"], points=float(r["points"]))
                           for r in rubric] if rubric else None)


def organization_at(info: Info[Context, None], raw_id: str,
                    position: int | None) -> Organization | None:
    node = info.context.loaders.organization.get(raw_id, position)
    return Organization.from_view(node, position) if node else None


@strawberry.type(description="One organisation's line on a cycle's scoreboard.")
class Standing:
    category: str
    by_kind: KindScores
    party_building: float | None
    adjustment: float = strawberry.field(description="Approved bonus minus deduction points.")
    business: float | None
    combined: float | None
    grade: str | None
    vetoes: list[str]
    evaluated: int
    expected: int
    category_rank: int | None
    overall_rank: int | None
    organization: Organization | None

    @classmethod
    def of(cls, line: board.Standing, node: tree.OrganizationNode | None,
           position: int | None) -> Standing:
        return cls(category=line.category, by_kind=KindScores.of(line.by_kind),
                   party_building=score(line.party_building), adjustment=line.adjustment,
                   business=score(Decimal(line.business)) if line.business else None,
                   combined=score(line.combined), grade=line.grade,
                   vetoes=[v["condition"] for v in line.vetoes], evaluated=line.evaluated,
                   expected=line.expected, category_rank=line.category_rank,
                   overall_rank=line.overall_rank,
                   organization=Organization.from_view(node, position) if node else None)


@strawberry.type(description="Scores rolled up the organisation tree: the assessed "
                             "organisations at or below one organisation.")
class ScoreRollup:
    assessed: int
    scored: int
    mean: float | None
    best: float | None
    worst: float | None


@strawberry.type(description="An assessment round (考核周期).")
class AssessmentCycle(Node):
    title: str
    kind: str
    cadence: str | None
    status: str
    period_start: date
    period_end: date
    scheme: Scheme
    scheme_version: int
    indicators: list[Indicator] = strawberry.field(
        description="The indicator versions copied when the cycle opened.")
    reopen_requested: bool
    raw_id: strawberry.Private[str]
    organizer_raw_id: strawberry.Private[str]
    organization_raw_ids: strawberry.Private[list[str]]
    position: strawberry.Private[int | None]

    @property
    def readable_by(self) -> tuple[str, ...]:
        """Readers of the organiser or of any organisation assessed see the cycle."""
        return (self.organizer_raw_id, *self.organization_raw_ids)

    @classmethod
    def of(cls, found: board.Cycle, position: int | None) -> AssessmentCycle:
        return cls(id=strawberry.ID(to_global_id("AssessmentCycle", found.id)),
                   title=found.title, kind=found.kind, cadence=found.cadence,
                   status=found.status, period_start=date.fromisoformat(found.period_start),
                   period_end=date.fromisoformat(found.period_end),
                   scheme=Scheme.of(found.scheme), scheme_version=found.scheme_version,
                   indicators=[Indicator.of(i) for i in found.indicators],
                   reopen_requested=found.reopen_requested_by is not None,
                   raw_id=found.id, organizer_raw_id=found.organizer_id,
                   organization_raw_ids=found.organization_ids, position=position)

    @strawberry.field
    def organizer(self, info: Info[Context, None]) -> Organization | None:
        return organization_at(info, self.organizer_raw_id, self.position)

    @strawberry.field(description="The organisations assessed (those the viewer may read).")
    def organizations(self, info: Info[Context, None]) -> list[Organization]:
        scope = info.context.scope()
        readable = [o for o in self.organization_raw_ids if scope.within(o)]
        for raw_id in readable:
            info.context.loaders.organization.want(raw_id, self.position)
        found = [organization_at(info, raw_id, self.position) for raw_id in readable]
        return [o for o in found if o is not None]

    @strawberry.field(description="Scores up the organisation tree: the mean, best and worst "
                                  "of the assessed organisations at or below this one.")
    def rollup(self, info: Info[Context, None],
               organization_id: strawberry.ID) -> ScoreRollup:
        organization = raw(organization_id, "Organization", "organizationId")
        visible_organization(info, organization)
        found = board.rollup(info.context.conn, self.raw_id, organization, self.position)
        return ScoreRollup(assessed=found.assessed, scored=found.scored, mean=found.mean,
                           best=score(found.best), worst=score(found.worst))

    @strawberry.field(description="The scoreboard, best first, ranked within the category "
                                  "and overall (ties share a rank); pages by place.")
    def scoreboard(self, info: Info[Context, None], category: str | None = None,
                   first: int | None = None, after: str | None = None,
                   last: int | None = None, before: str | None = None) -> Connection[Standing]:
        return standings(info, self.raw_id, category, self.position, first, after, last,
                         before)


def standings(info: Info[Context, None], cycle_id: str, category: str | None,
              position: int | None, first: int | None, after: str | None, last: int | None,
              before: str | None) -> Connection[Standing]:
    """A page of a scoreboard. What a page shows at a position the scoreboard has folded
    never changes, so the finished page is kept (per process, LRU) under that position; a
    current page under the position the followers had reached, until they move on."""
    page = page_of(first, after, last, before, 1)
    try:
        keyed = Page(limit=page.limit, backwards=page.backwards,
                     after=(int(page.after[0]),) if page.after else None,
                     before=(int(page.before[0]),) if page.before else None)
    except ValueError:
        raise bad_input("not a cursor of this scoreboard", "after") from None
    cut = info.context.scope().organizations()
    scope = list(cut) if cut is not None else None
    reached = folded_position(info)
    if position is not None and position > reached:  # the follower is behind: not final
        return standings_connection(info, cycle_id, category, position, keyed, page, scope)
    key = ("standings", cycle_id, category, "current" if position is None else position,
           reached if position is None else None, keyed, None if scope is None else tuple(scope))
    found: Connection[Standing] | None = info.context.results.get(key)
    if found is None:
        found = info.context.results[key] = standings_connection(
            info, cycle_id, category, position, keyed, page, scope)
    return found


def folded_position(info: Info[Context, None]) -> int:
    """How far the scoreboard has folded: known to this process's followers, else read."""
    runner = info.context.runner
    known = runner.position(Scoreboard.name) if runner is not None else None
    if known is not None:
        return known
    folded = tracked(info.context.conn, Scoreboard)
    return folded[0] if folded else 0


def standings_connection(info: Info[Context, None], cycle_id: str, category: str | None,
                         position: int | None, keyed: Page, page: Page,
                         scope: list[str] | None) -> Connection[Standing]:
    lines, more, total = board.standings_page(info.context.conn, cycle_id, position,
                                              category, scope, keyed)
    loader = info.context.loaders.organization
    for line in lines:
        loader.want(line.organization_id, position)
    return connection([Standing.of(line, loader.get(line.organization_id, position), position)
                       for line in lines], [(line.place,) for line in lines], more, page, total)


@strawberry.type(description="An item's scores in a score card: a goal or a cycle indicator.")
class ItemScore:
    item_id: strawberry.ID
    kind: str
    title: str
    weight: float
    parent_id: strawberry.ID | None
    by_kind: KindScores
    combined: float | None


@strawberry.type(description="An evaluation still missing: the item and the evaluator kind "
                             "(for mass and social: at least one ballot on the organisation).")
class PendingEvaluation:
    item_id: strawberry.ID | None
    evaluator_kind: str
    expected_from: list[Person] = strawberry.field(
        description="Who is expected to give it: for self-evaluation the goal's responsible "
                    "people and the secretaries; for organisational scoring the parent "
                    "organisation's secretaries; for ballots any evaluator (empty).")


@strawberry.type(description="One organisation's full score card in a cycle.")
class ScoreCardView:
    standing: Standing
    items: list[ItemScore]
    pending: list[PendingEvaluation]


def item_global_id(kind: str, raw_id: str) -> strawberry.ID:
    return strawberry.ID(to_global_id("Goal" if kind == "goal" else "LibraryIndicator", raw_id))


def score_card_view(info: Info[Context, None], card: ScoreCard, line: board.Standing,
                    position: int | None, items: dict[str, Any]) -> ScoreCardView:
    conn = info.context.conn
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
            for i, kind in card.pending])


@strawberry.type(description="A step of a score's derivation; `parentId` links the tree.")
class ScoreStep:
    id: int
    parent_id: int | None
    label: str
    value: float | None
    formula: str
    weight: float | None
    kind: str
    ref: strawberry.ID | None = strawberry.field(
        description="The goal, indicator or evaluation this step stands for.")


@strawberry.type
class ScoreExplanation:
    score: float | None
    grade: str | None
    scheme_version: int
    steps: list[ScoreStep] = strawberry.field(description="Depth first, the final score first.")


def flatten(root: ScoreNode, items: dict[str, Any]) -> list[ScoreStep]:
    steps: list[ScoreStep] = []

    def ref_of(node: ScoreNode) -> strawberry.ID | None:
        if node.ref is None:
            return None
        if node.kind == "evaluation":
            return strawberry.ID(to_global_id("Evaluation", node.ref))
        if node.ref in items:
            return item_global_id(items[node.ref].kind, node.ref)
        return strawberry.ID(to_global_id("Adjustment", node.ref))

    def visit(node: ScoreNode, parent: int | None) -> None:
        number = len(steps)
        steps.append(ScoreStep(id=number, parent_id=parent, label=node.label,
                               value=None if node.value is None else float(node.value),
                               formula=node.formula,
                               weight=None if node.weight is None else float(node.weight),
                               kind=node.kind, ref=ref_of(node)))
        for child in node.children:
            visit(child, number)

    visit(root, None)
    return steps


@strawberry.type(description="One event that moved a score.")
class ScoreChange:
    position: int
    recorded_at: datetime | None
    actor: str
    action: str
    reason: str
    ref: strawberry.ID | None
    detail: JSON | None


@strawberry.type
class ScoreMoment:
    position: int
    combined: float | None
    party_building: float | None
    grade: str | None
    category_rank: int | None
    overall_rank: int | None


@strawberry.type(description="Before and after scores, the delta, and the events between.")
class ScoreDiff:
    before: ScoreMoment
    after: ScoreMoment
    delta: float | None
    events: list[ScoreChange]


# ---- queries ---------------------------------------------------------------------------------

def readable_cycles(info: Info[Context, None]) -> list[str] | None:
    """The organisations whose cycles (as organiser or assessed) the viewer may list."""
    found = info.context.scope().organizations()
    return None if found is None else list(found)


def readable_cycle(info: Info[Context, None], found: board.Cycle | None) -> bool:
    return found is not None and info.context.scope().any_within(
        (found.organizer_id, *found.organization_ids))


def visible_organization(info: Info[Context, None], organization_id: str) -> None:
    if not info.context.scope().within(organization_id):
        raise bad_input("no such organisation, or not one you may read", "organizationId")


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
        return connection([Indicator.of(vars(entry)) for entry in entries],
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
                      description="One organisation's score card: items, and who still has "
                                  "to evaluate what.")
    def score_card(self, info: Info[Context, None], cycle_id: strawberry.ID,
                   organization_id: strawberry.ID,
                   as_of: datetime | None = None) -> ScoreCardView | None:
        position = info.context.position(as_of)
        found = card_at(info, cycle_id, organization_id, position)
        if found is None:
            return None
        card, line, items, _ = found
        return score_card_view(info, card, line, position, items)

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
        return ScoreExplanation(score=score(card.combined), grade=card.grade,
                                scheme_version=cycle.scheme_version,
                                steps=flatten(card.explanation, items))

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

        return ScoreDiff(before=moment(start, diff.before), after=moment(end, diff.after),
                         delta=diff.delta, events=[
            ScoreChange(position=c.position, recorded_at=times.get(c.position), actor=c.actor,
                        action=c.action, reason=c.reason,
                        ref=strawberry.ID(to_global_id("Evaluation", c.ref))
                        if c.ref and c.action in ("evaluated", "revised", "corrected")
                        else None, detail=cast(JSON, c.detail)) for c in diff.changes])


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


def cycle_node(info: Info[Context, None], raw_id: str,
               position: int | None) -> AssessmentCycle | None:
    """A cycle, if the principal may read it (its organiser's or an assessed organisation's
    readers)."""
    found = board.cycle(info.context.conn, raw_id, position)
    return (AssessmentCycle.of(found, position)
            if found is not None and readable_cycle(info, found) else None)


FEATURE_NODES["AssessmentCycle"] = cycle_node


# ---- inputs ----------------------------------------------------------------------------------

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
    reason: str = ""


@strawberry.input
class ReviseIndicatorInput(UpdateInput):
    indicator_id: strawberry.ID
    item: str
    content: str = ""
    criteria: str = ""
    max_points: Decimal = Decimal(100)
    rubric: list[RubricPointsInput] | None = None
    reason: str = ""


@strawberry.input
class KindWeightInput:
    kind: str
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
    kind: str
    period_start: date
    period_end: date
    organizer_id: strawberry.ID
    organization_ids: list[strawberry.ID]
    scheme: SchemeInput
    cadence: str | None = None
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
    kind: str = strawberry.field(description="organizational, mass, self or social")
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


# ---- mutations -------------------------------------------------------------------------------

@strawberry.type
class IndicatorPayload(Acknowledged):
    RECORD = "LibraryIndicator"
    indicator: Indicator | None
    user_errors: list[UserError]


@strawberry.type
class CyclePayload(Acknowledged):
    RECORD = "AssessmentCycle"
    cycle: AssessmentCycle | None
    user_errors: list[UserError]


@strawberry.type
class EvaluationPayload(Acknowledged):
    RECORD = "Evaluation"
    evaluation_id: strawberry.ID | None
    score_card: ScoreCardView | None
    user_errors: list[UserError]


@strawberry.type
class AdjustmentPayload(Acknowledged):
    RECORD = "Adjustment"
    adjustment_id: strawberry.ID | None
    cycle: AssessmentCycle | None
    user_errors: list[UserError]


def rubric(levels: list[RubricPointsInput] | None) -> list[dict[str, Any]] | None:
    return None if levels is None else [{"name": r.name, "points": r.points} for r in levels]


def cycle_payload(info: Info[Context, None],
                  result: tuple[Written | None, list[UserError]]) -> CyclePayload:
    written, errors = result
    found = board.cycle(info.context.conn, str(written.id)) if written else None
    return CyclePayload(cycle=AssessmentCycle.of(found, None) if found else None,
                        user_errors=errors)


def indicator_payload(info: Info[Context, None],
                      result: tuple[Written | None, list[UserError]]) -> IndicatorPayload:
    written, errors = result
    found = next((vars(e) for e in board.library(info.context.conn)
                  if written and e.id == str(written.id)), None)
    return IndicatorPayload(indicator=Indicator.of(found) if found else None,
                            user_errors=errors)


def cycle_organizer(info: Info[Context, None], cycle_id: UUID) -> board.Cycle:
    found = board.cycle(info.context.conn, str(cycle_id))
    if found is None:
        raise NotFoundError(f"no assessment cycle with id {cycle_id}", field="cycleId")
    return found


def principal_check(info: Info[Context, None],
                    decide: Callable[..., bool], *args: Any) -> Callable[[], bool]:
    return m.asks(info, decide, *args)


def cycle_parties(info: Info[Context, None], cycle_id: UUID) -> tuple[str, list[str]]:
    """A cycle's organiser and the organisations it assesses, for the policy."""
    found = cycle_organizer(info, cycle_id)
    return found.organizer_id, list(found.organization_ids)


def item_id_of(global_id: str) -> tuple[str, UUID]:
    try:
        kind, item = from_global_id(global_id)
    except BadIdError as error:
        raise NotFoundError(str(error), field="itemId") from None
    if kind not in ("Goal", "LibraryIndicator"):
        raise NotFoundError("itemId must name a Goal or a LibraryIndicator", field="itemId")
    return kind, item


def card_payload(info: Info[Context, None], result: tuple[Written | None, list[UserError]],
                 cycle_id: str, organization_id: str | None) -> EvaluationPayload:
    written, errors = result
    card = None
    if written is not None and organization_id is not None:
        found = card_at(info, strawberry.ID(to_global_id("AssessmentCycle", cycle_id)),
                        strawberry.ID(to_global_id("Organization", organization_id)), None)
        if found is not None:
            card = score_card_view(info, found[0], found[1], None, found[2])
    return EvaluationPayload(
        evaluation_id=strawberry.ID(to_global_id("Evaluation", written.id)) if written else None,
        score_card=card, user_errors=errors)


@strawberry.type
class AssessmentMutation:
    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def define_indicator(self, info: Info[Context, None],
                               input: DefineIndicatorInput) -> IndicatorPayload:
        def prepare() -> m.Prepared:
            return principal_check(info, policy.may_curate_indicators), lambda: m.domain(
                info).define_indicator(m.actor(info), item=input.item, content=input.content,
                                       criteria=input.criteria, max_points=input.max_points,
                                       rubric=rubric(input.rubric), reason=input.reason)
        return indicator_payload(info, await m.run(info, prepare, "keep the indicator library"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def revise_indicator(self, info: Info[Context, None],
                               input: ReviseIndicatorInput) -> IndicatorPayload:
        def prepare() -> m.Prepared:
            indicator = m.ids(input.indicator_id, "LibraryIndicator", "indicatorId")
            return principal_check(info, policy.may_curate_indicators), lambda: m.domain(
                info).revise_indicator(m.actor(info), indicator, item=input.item,
                                       content=input.content, criteria=input.criteria,
                                       max_points=input.max_points,
                                       rubric=rubric(input.rubric), reason=input.reason)
        return indicator_payload(info, await m.run(info, prepare, "keep the indicator library"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def draft_cycle(self, info: Info[Context, None],
                          input: DraftCycleInput) -> CyclePayload:
        def prepare() -> m.Prepared:
            organizer = m.ids(input.organizer_id, "Organization", "organizerId")
            assessed = [m.ids(o, "Organization", "organizationIds")
                        for o in input.organization_ids]
            routine = [m.ids(c, "AssessmentCycle", "routineCycleIds")
                       for c in input.routine_cycle_ids]
            period = Period(input.period_start, input.period_end)
            routine_organizers = [cycle_organizer(info, c).organizer_id for c in routine]
            allowed = principal_check(info, policy.may_create_cycle, str(organizer),
                                      [str(o) for o in assessed], routine_organizers)
            return allowed, lambda: m.domain(info).draft_cycle(
                m.actor(info), title=input.title, kind=input.kind, period=period,
                organizer_id=organizer, organization_ids=assessed,
                scheme=input.scheme.to_domain(), cadence=input.cadence,
                routine_cycle_ids=routine, reason=input.reason)
        return cycle_payload(info, await m.run(info, prepare, "run assessments here"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def revise_cycle_scheme(self, info: Info[Context, None],
                                  input: ReviseSchemeInput) -> CyclePayload:
        def prepare() -> m.Prepared:
            cycle = m.ids(input.cycle_id, "AssessmentCycle", "cycleId")
            allowed = principal_check(info, policy.may_run_cycle, *cycle_parties(info, cycle))
            return allowed, lambda: m.domain(info).revise_cycle_scheme(
                m.actor(info), cycle, scheme=input.scheme.to_domain(), reason=input.reason)
        return cycle_payload(info, await m.run(info, prepare, "change this cycle's scheme"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def open_cycle(self, info: Info[Context, None], input: OpenCycleInput) -> CyclePayload:
        def prepare() -> m.Prepared:
            cycle = m.ids(input.cycle_id, "AssessmentCycle", "cycleId")
            indicators = [m.ids(i, "LibraryIndicator", "indicatorIds")
                          for i in input.indicator_ids]
            allowed = principal_check(info, policy.may_run_cycle, *cycle_parties(info, cycle))
            return allowed, lambda: m.domain(info).open_cycle(
                m.actor(info), cycle, indicator_ids=indicators, reason=input.reason)
        return cycle_payload(info, await m.run(info, prepare, "open this cycle"))

    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="To the next stage: self-evaluation, higher-level "
                                     "scoring, review.")
    async def advance_cycle(self, info: Info[Context, None],
                            input: CycleStepInput) -> CyclePayload:
        return cycle_payload(info, await cycle_step(info, input, policy.may_run_cycle,
                                                    "advance_cycle", "advance this cycle"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def publish_cycle(self, info: Info[Context, None],
                            input: CycleStepInput) -> CyclePayload:
        return cycle_payload(info, await cycle_step(info, input, policy.may_administer_cycle,
                                                    "publish_cycle", "publish this cycle"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def lock_cycle(self, info: Info[Context, None], input: CycleStepInput) -> CyclePayload:
        return cycle_payload(info, await cycle_step(info, input, policy.may_administer_cycle,
                                                    "lock_cycle", "lock this cycle"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def request_cycle_reopen(self, info: Info[Context, None],
                                   input: CycleStepInput) -> CyclePayload:
        return cycle_payload(info, await cycle_step(info, input, policy.may_run_cycle,
                                                    "request_reopen",
                                                    "ask to reopen this cycle"))

    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="Approve another person's request to reopen.")
    async def approve_cycle_reopen(self, info: Info[Context, None],
                                   input: CycleStepInput) -> CyclePayload:
        return cycle_payload(info, await cycle_step(info, input, policy.may_administer_cycle,
                                                    "approve_reopen", "reopen this cycle"))

    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="Score an item, or revise one's score before publication.")
    async def evaluate(self, info: Info[Context, None], input: EvaluateInput,
                       ) -> EvaluationPayload:
        organization = None

        def prepare() -> m.Prepared:
            nonlocal organization
            cycle = m.ids(input.cycle_id, "AssessmentCycle", "cycleId")
            organization = m.ids(input.organization_id, "Organization", "organizationId")
            item_kind, item = item_id_of(input.item_id)
            node = tree.organization(info.context.conn, str(organization))
            if node is None:
                raise NotFoundError("no such organisation", field="organizationId")
            goal = str(item) if item_kind == "Goal" else None
            assessed = cycle_parties(info, cycle)[1]
            return principal_check(info, policy.may_evaluate_in_cycle, assessed, input.kind,
                                   str(organization), node.parent_id, goal), lambda: m.domain(
                info).evaluate(
                m.actor(info), cycle, organization_id=organization, item_id=item,
                kind=input.kind, points=input.points, rubric_level=input.rubric_level,
                comment=input.comment, evidence=input.evidence, reason=input.reason)
        result = await m.run(info, prepare, f"give {input.kind} evaluations here")
        return card_payload(info, result, str(m.ids(input.cycle_id, "AssessmentCycle",
                                                    "cycleId")) if result[0] else "",
                            str(organization) if organization else None)

    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="After publication: a reasoned correction of an "
                                     "evaluation; nothing is overwritten.")
    async def correct_evaluation(self, info: Info[Context, None],
                                 input: CorrectEvaluationInput) -> EvaluationPayload:
        located: tuple[str, str] | None = None

        def prepare() -> m.Prepared:
            nonlocal located
            evaluation = m.ids(input.evaluation_id, "Evaluation", "evaluationId")
            found = board.evaluation_scope(info.context.conn, str(evaluation))
            if found is None:
                raise NotFoundError("no such evaluation", field="evaluationId")
            located = found[0], found[1]
            cycle, organization, kind = found
            node = tree.organization(info.context.conn, organization)
            allowed = principal_check(
                info, policy.may_correct_evaluation, *cycle_parties(info, UUID(cycle)), kind,
                organization, node.parent_id if node else None,
                board.evaluator_of(info.context.conn, str(evaluation)) or "")
            return allowed, lambda: m.domain(
                info).correct_evaluation(
                m.actor(info), evaluation, reason=input.reason, points=input.points,
                rubric_level=input.rubric_level, comment=input.comment,
                evidence=input.evidence)
        result = await m.run(info, prepare, "correct this evaluation")
        return card_payload(info, result, located[0] if located else "",
                            located[1] if located else None)

    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="业绩考评: business performance scores per organisation.")
    async def import_business_scores(self, info: Info[Context, None],
                                     input: ImportBusinessScoresInput) -> CyclePayload:
        def prepare() -> m.Prepared:
            cycle = m.ids(input.cycle_id, "AssessmentCycle", "cycleId")
            scores = {m.ids(s.organization_id, "Organization", "scores.organizationId"):
                      s.score for s in input.scores}
            allowed = principal_check(info, policy.may_run_cycle, *cycle_parties(info, cycle),
                                      [str(o) for o in scores])
            return allowed, lambda: m.domain(info).import_business_scores(
                m.actor(info), cycle, scores=scores, reason=input.reason)
        return cycle_payload(info, await m.run(info, prepare,
                                               "import business scores for this cycle"))

    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="加减分: propose a bonus or deduction item.")
    async def propose_adjustment(self, info: Info[Context, None],
                                 input: ProposeAdjustmentInput) -> AdjustmentPayload:
        def prepare() -> m.Prepared:
            cycle = m.ids(input.cycle_id, "AssessmentCycle", "cycleId")
            organization = m.ids(input.organization_id, "Organization", "organizationId")
            allowed = principal_check(info, policy.may_run_cycle, *cycle_parties(info, cycle),
                                      [str(organization)])
            return allowed, lambda: m.domain(info).propose_adjustment(
                m.actor(info), cycle, organization_id=organization, item=input.item,
                points=input.points, reason=input.reason)
        written, errors = await m.run(info, prepare, "propose bonus or deduction items here")
        found = (board.cycle(info.context.conn, str(m.ids(input.cycle_id, "AssessmentCycle",
                                                           "cycleId")))
                 if written else None)
        return AdjustmentPayload(
            adjustment_id=strawberry.ID(to_global_id("Adjustment", written.id))
            if written else None,
            cycle=AssessmentCycle.of(found, None) if found else None, user_errors=errors)

    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="Approve a bonus or deduction item someone else proposed.")
    async def approve_adjustment(self, info: Info[Context, None],
                                 input: ApproveAdjustmentInput) -> CyclePayload:
        def prepare() -> m.Prepared:
            cycle = m.ids(input.cycle_id, "AssessmentCycle", "cycleId")
            adjustment = m.ids(input.adjustment_id, "Adjustment", "adjustmentId")
            allowed = principal_check(info, policy.may_administer_cycle,
                                      *cycle_parties(info, cycle))
            return allowed, lambda: m.domain(
                info).approve_adjustment(m.actor(info), cycle, adjustment_id=adjustment,
                                         reason=input.reason)
        return cycle_payload(info, await m.run(info, prepare,
                                               "approve bonus or deduction items here"))

    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="一票否决: apply a veto condition of the scheme.")
    async def apply_veto(self, info: Info[Context, None], input: VetoInput) -> CyclePayload:
        return cycle_payload(info, await veto_step(info, input, "apply_veto"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def lift_veto(self, info: Info[Context, None], input: VetoInput) -> CyclePayload:
        return cycle_payload(info, await veto_step(info, input, "lift_veto"))


async def cycle_step(info: Info[Context, None], input: CycleStepInput,
                     decide: Callable[..., bool], use_case: str,
                     what: str) -> tuple[Written | None, list[UserError]]:
    def prepare() -> m.Prepared:
        cycle = m.ids(input.cycle_id, "AssessmentCycle", "cycleId")
        call = getattr(m.domain(info), use_case)
        return principal_check(info, decide, *cycle_parties(info, cycle)), lambda: call(
            m.actor(info), cycle, reason=input.reason)
    return await m.run(info, prepare, what)


async def veto_step(info: Info[Context, None], input: VetoInput,
                    use_case: str) -> tuple[Written | None, list[UserError]]:
    def prepare() -> m.Prepared:
        cycle = m.ids(input.cycle_id, "AssessmentCycle", "cycleId")
        organization = m.ids(input.organization_id, "Organization", "organizationId")
        call = getattr(m.domain(info), use_case)
        allowed = principal_check(info, policy.may_run_cycle, *cycle_parties(info, cycle),
                                  [str(organization)])
        return allowed, lambda: call(
            m.actor(info), cycle, organization_id=organization, condition=input.condition,
            reason=input.reason)
    return await m.run(info, prepare, "change vetoes in this cycle")
