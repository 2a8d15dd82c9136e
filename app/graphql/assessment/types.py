"""The assessment API's output types: indicators, cycles, standings, score cards, the
derivation of a score and its differences between two moments."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from app.graphql.assessment.measures import MeasuredIndicator
from app.graphql.core.queries import raw
from app.graphql.core.types import (
    Actor,
    Organization,
    actor_field,
    actor_of,
    version_field,
)
from app.graphql.kit.context import Context
from app.graphql.kit.ids import to_global_id
from app.graphql.kit.nodes import Node
from app.graphql.kit.paging import Connection, bad_input, connection, page_of
from app.graphql.kit.vocab import (
    CycleCadence,
    CycleKind,
    CycleStatus,
    EvaluatorKind,
    IndicatorSource,
    code,
    labelled,
)
from domain.scoring import Node as ScoreNode
from domain.scoring import shown as score
from projections import organization_tree as tree
from projections import scoreboard as board
from projections.engine import tracked
from projections.pages import Page
from projections.scoreboard import Scoreboard


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


@labelled
@strawberry.type
class KindWeight:
    kind: str = code(EvaluatorKind)
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


@labelled
@strawberry.type(description="A reusable indicator of the library (考核指标), or the revision "
                             "of it a cycle copied when it opened (the same id: `node(id)` "
                             "gives the library's revision as of `asOf`; `revision` tells "
                             "them apart).")
class Indicator(Node):
    version: int = version_field()
    revision: int
    item: str
    content: str
    criteria: str
    max_points: float
    rubric: list[RubricPoints] | None
    position: strawberry.Private[int | None]
    source: str | None = code(IndicatorSource, nullable=True, description=(
        "A computed indicator's source (null: scored by hand): its value is measured, "
        "nobody evaluates it."))

    @property
    def readable_by(self) -> None:
        """The library belongs to no organisation: every principal reads it."""
        return None

    @classmethod
    def of(cls, data: dict[str, Any], position: int | None) -> Indicator:
        rubric = data.get("rubric")
        return cls(id=strawberry.ID(to_global_id("LibraryIndicator", data["id"])),
                   revision=data["revision"], item=data["item"], content=data["content"],
                   criteria=data["criteria"], max_points=float(data["max_points"]),
                   source=data.get("source"),
                   rubric=[RubricPoints(name=r["name"], points=float(r["points"]))
                           for r in rubric] if rubric else None, position=position)


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


@labelled
@strawberry.type(description="An assessment round (考核周期).")
class AssessmentCycle(Node):
    title: str
    version: int = version_field()
    kind: str = code(CycleKind)
    cadence: str | None = code(CycleCadence, nullable=True)
    status: str = code(CycleStatus)
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
                   indicators=[Indicator.of(i, position) for i in found.indicators],
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


def readable_cycle(info: Info[Context, None], found: board.Cycle | None) -> bool:
    """Readers of the organiser or of any organisation assessed see the cycle."""
    return found is not None and info.context.scope().any_within(
        (found.organizer_id, *found.organization_ids))


def cycle_node(info: Info[Context, None], raw_id: str,
               position: int | None) -> AssessmentCycle | None:
    """A cycle, if the principal may read it."""
    found = board.cycle(info.context.conn, raw_id, position)
    return (AssessmentCycle.of(found, position)
            if found is not None and readable_cycle(info, found) else None)


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


def item_global_id(kind: str, raw_id: str) -> strawberry.ID:
    return strawberry.ID(to_global_id("Goal" if kind == "goal" else "LibraryIndicator", raw_id))


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
        description="The goal, indicator, evaluation or (under a computed indicator) "
                    "meeting this step stands for.")
    evaluator: Actor | None = actor_field(
        "evaluator_recorded", "For an evaluation's step: who evaluated (null when outside your "
                              "scope; the label then says 评价人).")
    evaluator_recorded: strawberry.Private[str | None] = None


@strawberry.type
class ScoreExplanation:
    score: float | None
    grade: str | None
    scheme_version: int
    steps: list[ScoreStep] = strawberry.field(description="Depth first, the final score first.")
    measures: list[MeasuredIndicator] = strawberry.field(description=(
        "The computed indicators' values (e.g. 三会一课完成率), how each was computed and the "
        "meetings behind it; their steps show the same."))


def flatten(info: Info[Context, None], root: ScoreNode,
            items: dict[str, Any]) -> list[ScoreStep]:
    """The derivation's tree as a list; an evaluation's step is labelled with its
    evaluator's name (the scoring labels it by the recorded actor)."""
    steps: list[ScoreStep] = []

    def label_of(node: ScoreNode) -> str:
        if node.kind != "evaluation":
            return node.label
        evaluator = actor_of(info, node.label, None)
        return evaluator.name if evaluator is not None else "评价人"

    def ref_of(node: ScoreNode) -> strawberry.ID | None:
        if node.ref is None:
            return None
        if node.kind == "evaluation":
            return strawberry.ID(to_global_id("Evaluation", node.ref))
        if node.kind == "meeting":
            return strawberry.ID(to_global_id("Meeting", node.ref))
        if node.ref in items:
            return item_global_id(items[node.ref].kind, node.ref)
        return strawberry.ID(to_global_id("Adjustment", node.ref))

    def visit(node: ScoreNode, parent: int | None) -> None:
        number = len(steps)
        steps.append(ScoreStep(id=number, parent_id=parent, label=label_of(node),
                               value=None if node.value is None else float(node.value),
                               formula=node.formula,
                               weight=None if node.weight is None else float(node.weight),
                               kind=node.kind, ref=ref_of(node),
                               evaluator_recorded=node.label
                               if node.kind == "evaluation" else None))
        for child in node.children:
            visit(child, number)

    visit(root, None)
    return steps


@strawberry.type(description="One event that moved a score.")
class ScoreChange:
    position: int
    recorded_at: datetime | None
    actor_id: strawberry.ID = strawberry.field(
        description="Who did it: a Person's or a SystemActor's global id.")
    actor: Actor | None = actor_field("actor_recorded", "Who did it.")
    action: str = strawberry.field(description="The event, named as the audit log names it "
                                               "(`Corrected`, `VetoApplied`, …).")
    action_label: str = strawberry.field(description="The event, in Chinese.")
    reason: str
    ref: strawberry.ID | None = strawberry.field(
        description="The evaluation or adjustment it concerned.")
    detail: JSON | None = strawberry.field(
        description="What changed; an `item` in it is the goal's or indicator's global id.")
    actor_recorded: strawberry.Private[str]


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


def visible_organization(info: Info[Context, None], organization_id: str) -> None:
    if not info.context.scope().within(organization_id):
        raise bad_input("no such organisation, or not one you may read", "organizationId")
