"""How a score is derived (考核计分): pure functions over a cycle's scheme and its evaluations,
used by the scoreboard read model to fold scores and by `explainScore` to show the derivation,
so the explanation always adds up to the reported figure.

The rules, in order:
1. An item (a goal or a cycle indicator) gets one score per evaluator kind on a 0-100 scale:
   the mean of that kind's evaluations of it (mass and social ballots are many, averaged),
   points scaled by the item's maximum (points / max points x 100). A computed indicator is
   not evaluated: its measured value (`domain.measures`) is its score for every kind.
2. A goal that has no evaluation of a kind but has subgoals in the cycle takes, for that kind,
   the weighted mean of its subgoals' scores (weights 权重; subgoals without a score of that
   kind are left out and the others' weights rescaled).
3. The organisation's score for a kind is the weighted mean over its top items: its top goals
   (weights) and the cycle's indicators (max points as weights), kept to a millionth (so a
   stored double holds it exactly, and rules 4-7 derive again from it alike).
4. The party-building score is the weighted mean of the kinds' scores (the scheme's evaluator
   weights, rescaled over the kinds that have scored), plus approved bonus and deduction points,
   kept within 0-100.
5. The combined score weighs party building against business performance (the scheme's
   party-building weight); without a business score it is the party-building score.
6. The grade is the first band the combined score reaches; a veto caps it.
7. An annual cycle that composes routine cycles weighs the mean of their combined scores
   (the scheme's routine weight) against its own (the rest) before grading.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from domain.labels import MEETING_KINDS
from domain.measures import Measure, Source

EVALUATOR_KINDS = ("organizational", "mass", "self", "social")
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
MILLIONTH = Decimal("0.000001")


def rounded(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def kept(value: Decimal | None) -> Decimal | None:
    """A kind's score as kept (rule 3): to a millionth."""
    return None if value is None else value.quantize(MILLIONTH, rounding=ROUND_HALF_UP)


def shown(value: float | Decimal | None) -> float | None:
    """A score as people are shown it, by the API and in exports: a number to two places."""
    return None if value is None else round(float(value), 2)


@dataclass(frozen=True)
class ItemFact:
    """Something scored in a cycle for one organisation: a goal (weight, parent) or an
    indicator of the cycle's set (its max points are its weight)."""

    id: str
    kind: str  # goal | indicator
    title: str
    weight: Decimal
    parent_id: str | None = None
    source: str | None = None  # a computed indicator's source: measured, not evaluated


@dataclass(frozen=True)
class Mark:
    """One evaluation, as it currently stands."""

    evaluation_id: str
    item_id: str
    evaluator_kind: str
    evaluator: str
    points: Decimal
    max_points: Decimal

    @property
    def score(self) -> Decimal:
        return scaled(self.points, self.max_points)


def scaled(points: Decimal, max_points: Decimal) -> Decimal:
    """Points on the 0-100 scale, to a millionth: exact sums, whatever the order of addition."""
    if not max_points:
        return Decimal(0)
    return (points * HUNDRED / max_points).quantize(MILLIONTH)


@dataclass
class Tally:
    """The evaluations of one item by one evaluator kind, summed: their mean is the score."""

    total: Decimal = Decimal(0)
    count: int = 0

    def add(self, score: Decimal, count: int = 1) -> None:
        self.total += score
        self.count += count

    @property
    def mean(self) -> Decimal | None:
        return self.total / self.count if self.count else None


Tallies = dict[tuple[str, str], Tally]  # (item, evaluator kind) -> tally


def tally(marks: Sequence[Mark]) -> Tallies:
    tallies: Tallies = {}
    for mark in marks:
        tallies.setdefault((mark.item_id, mark.evaluator_kind), Tally()).add(mark.score)
    return tallies


@dataclass(frozen=True)
class Adjustment:
    id: str
    points: Decimal  # bonus > 0, deduction < 0
    item: str
    reason: str


@dataclass(frozen=True)
class Veto:
    condition: str
    cap: str
    reason: str


@dataclass
class Node:
    """One step of a derivation: a value, how it was obtained, and from what."""

    label: str
    value: Decimal | None
    formula: str
    weight: Decimal | None = None
    ref: str | None = None  # the item, evaluation or adjustment this node stands for
    kind: str = ""
    children: list[Node] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "value": self.value, "formula": self.formula,
                "weight": self.weight, "ref": self.ref, "kind": self.kind,
                "children": [child.as_dict() for child in self.children]}


@dataclass(frozen=True)
class Scheme:
    evaluator_weights: Mapping[str, int]
    party_building_weight: int
    grade_bands: Sequence[tuple[str, Decimal]]  # best first
    vetoes: Mapping[str, tuple[str, str]]  # condition -> (description, grade it caps at)
    routine_weight: int | None = None  # annual cycles composing routine ones

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scheme:
        return cls(
            evaluator_weights={k: int(v) for k, v in data["evaluator_weights"].items()},
            party_building_weight=int(data["party_building_weight"]),
            grade_bands=[(band["grade"], Decimal(str(band["min"])))
                         for band in data["grade_bands"]],
            vetoes={v["condition"]: (v["description"], v["cap"]) for v in data["vetoes"]},
            routine_weight=data.get("routine_weight"),
        )

    def grade_of(self, score: Decimal) -> str | None:
        return next((grade for grade, lowest in self.grade_bands if score >= lowest),
                    self.grade_bands[-1][0] if self.grade_bands else None)

    def worse(self, a: str, b: str) -> str:
        order = [grade for grade, _ in self.grade_bands]
        return max(a, b, key=lambda g: order.index(g) if g in order else -1)


@dataclass
class ScoreCard:
    by_kind: dict[str, Decimal | None]
    party_building: Decimal | None
    adjustment: Decimal
    business: Decimal | None
    combined: Decimal | None
    grade: str | None
    item_scores: dict[str, dict[str, Decimal | None]]  # item -> kind -> score
    item_combined: dict[str, Decimal | None]
    expected: int
    evaluated: int
    pending: list[tuple[str, str]]  # (item, evaluator kind) still to score
    explanation: Node
    measures: Mapping[str, Measure] = field(default_factory=dict)  # computed items' values


def routine_composed(routine_weight: int, annual: Decimal | None,
                     routine: Sequence[RoutineResult]) -> Decimal | None:
    """Rule 7: an annual cycle's result is the routine cycles' mean (their weight) plus its own
    assessment (the rest); a part without a score is left out and the other takes it all."""
    weight = Decimal(routine_weight)
    return _weighted([(weight, routine_mean(routine)), (HUNDRED - weight, annual)])


def routine_mean(routine: Sequence[RoutineResult]) -> Decimal | None:
    scored = [r.combined for r in routine if r.combined is not None]
    return sum(scored, Decimal(0)) / len(scored) if scored else None


def annual_nodes(routine_weight: int, annual: Decimal | None, formula: str,
                 children: list[Node], routine: Sequence[RoutineResult],
                 ) -> tuple[str, list[Node]]:
    weight = Decimal(routine_weight)
    own = Node("年度考核", annual, formula, weight=HUNDRED - weight, kind="annual",
               children=children)
    scored = [r for r in routine if r.combined is not None]
    mean = Node("日常考核平均", routine_mean(routine), f"mean of {len(scored)} routine cycle(s)",
                weight=weight, kind="routine_mean", children=[
                    Node(r.title, r.combined, "the routine cycle's combined score",
                         ref=r.cycle_id, kind="routine_cycle") for r in routine])
    return f"{weight}% routine mean + {HUNDRED - weight}% annual assessment", [own, mean]


def _weighted(parts: Sequence[tuple[Decimal, Decimal | None]]) -> Decimal | None:
    present = [(w, v) for w, v in parts if v is not None and w > 0]
    total = sum((w for w, _ in present), Decimal(0))
    if not present or total == 0:
        return None
    return sum((w * v for w, v in present), Decimal(0)) / total


@dataclass(frozen=True)
class RoutineResult:
    """A routine cycle's combined score for the organisation, composed into an annual one."""

    cycle_id: str
    title: str
    combined: Decimal | None


def score(scheme: Scheme, items: Sequence[ItemFact], marks: Sequence[Mark],
          adjustments: Sequence[Adjustment] = (), business: Decimal | None = None,
          vetoes: Sequence[Veto] = (), routine: Sequence[RoutineResult] = (),
          measures: Mapping[str, Measure] | None = None) -> ScoreCard:
    """Derive an organisation's score card for one cycle (see the module's rules), with the
    explanation down to each evaluation and each record a computed indicator counted."""
    marks_of: dict[tuple[str, str], list[Mark]] = {}
    for mark in marks:
        marks_of.setdefault((mark.item_id, mark.evaluator_kind), []).append(mark)
    return score_tallied(scheme, items, tally(marks), adjustments, business, vetoes, routine,
                         marks_of, measures)


def measured_values(items: Sequence[ItemFact],
                    measures: Mapping[str, Measure] | None) -> dict[str, Decimal | None]:
    """Each computed item's value (None until measured, or when nothing was required)."""
    found = measures or {}
    return {item.id: found[item.id].value if item.id in found else None
            for item in items if item.source is not None}


class ItemTree:
    """The items of one organisation in a cycle, arranged for scoring: goals under their
    parent goals (when the parent is scored too), the rest at the top; `measured`: the
    computed items' values."""

    def __init__(self, items: Sequence[ItemFact],
                 measured: Mapping[str, Decimal | None] | None = None) -> None:
        self.measured = dict(measured or {})
        self.items = list(items)
        self.by_id = {item.id: item for item in items}
        self.children: dict[str | None, list[ItemFact]] = {}
        for item in items:
            parent = item.parent_id if item.parent_id in self.by_id else None
            self.children.setdefault(parent, []).append(item)
        self.tops = self.children.get(None, [])
        self.leaves = [item for item in items if not self.children.get(item.id)
                       and item.source is None]

    def item_value(self, tallies: Tallies, item: ItemFact, kind: str) -> Decimal | None:
        """Rules 1 and 2: the item's own evaluations (a computed item: its measured value),
        else its subgoals by weight."""
        if item.source is not None:
            return self.measured.get(item.id)
        own = tallies.get((item.id, kind))
        if own is not None and own.count:
            return own.mean
        return _weighted([(sub.weight, self.item_value(tallies, sub, kind))
                          for sub in self.children.get(item.id, [])])

    def kind_value(self, tallies: Tallies, kind: str) -> Decimal | None:
        """Rule 3: the weighted mean over the top items."""
        return kept(_weighted([(top.weight, self.item_value(tallies, top, kind))
                               for top in self.tops]))

    def values(self, tallies: Tallies, kind: str) -> dict[str, Decimal | None]:
        """Every item's value for one evaluator kind (rules 1 and 2), to be kept and moved
        on by `revalue` as evaluations arrive."""
        return {item.id: self.item_value(tallies, item, kind) for item in self.items}

    def revalue(self, tallies: Tallies, kind: str, values: dict[str, Decimal | None],
                item_id: str) -> Decimal | None:
        """The kind's value (as `kind_value` gives it) after the evaluations of one item
        changed: that item and its ancestors are valued again, the rest kept from `values`
        (updated in place). The same sums in the same order, so the same figure."""
        item = self.by_id.get(item_id)
        while item is not None:
            if item.source is not None:
                values[item.id] = self.measured.get(item.id)
                break
            own = tallies.get((item.id, kind))
            values[item.id] = own.mean if own is not None and own.count else _weighted(
                [(sub.weight, values[sub.id]) for sub in self.children.get(item.id, [])])
            item = self.by_id.get(item.parent_id) if item.parent_id is not None else None
        return self.total(values)

    def total(self, values: dict[str, Decimal | None]) -> Decimal | None:
        """Rule 3 over items already valued."""
        return kept(_weighted([(top.weight, values[top.id]) for top in self.tops]))

    def completion(self, tallies: Tallies) -> tuple[int, list[tuple[str, str]]]:
        """How many evaluations are expected, and which are still missing: self and
        organisational on every leaf item, at least one mass and one social ballot."""
        pending = [(leaf.id, kind) for leaf in self.leaves
                   for kind in ("self", "organizational")
                   if not (tallies.get((leaf.id, kind)) or Tally()).count]
        for kind in ("mass", "social"):
            if not any(t.count for (item, k), t in tallies.items()
                       if k == kind and item in self.by_id):
                pending.append(("", kind))
        return len(self.leaves) * 2 + 2, pending


@dataclass(frozen=True)
class Outcome:
    raw: Decimal | None
    adjustment: Decimal
    party_building: Decimal | None
    combined: Decimal | None  # rounded to 2 places
    grade: str | None
    own: Decimal | None  # an annual cycle's own assessment, before composing routine ones


def outcome(scheme: Scheme, by_kind: Mapping[str, Decimal | None],
            adjustments: Sequence[Adjustment], business: Decimal | None,
            vetoes: Sequence[Veto], routine: Sequence[RoutineResult]) -> Outcome:
    """Rules 4 to 7, from the evaluator kinds' scores to the grade."""
    raw = _weighted([(Decimal(scheme.evaluator_weights.get(k, 0)), by_kind[k])
                     for k in EVALUATOR_KINDS])
    adjustment = sum((a.points for a in adjustments), Decimal(0))
    party_building = None if raw is None else min(HUNDRED, max(Decimal(0), raw + adjustment))
    pb_weight = Decimal(scheme.party_building_weight)
    combined: Decimal | None = party_building
    if party_building is not None and business is not None:
        combined = (pb_weight * party_building + (HUNDRED - pb_weight) * business) / HUNDRED
    own = combined
    if scheme.routine_weight is not None:
        combined = routine_composed(scheme.routine_weight, combined, routine)
    grade = None if combined is None else scheme.grade_of(rounded(combined))
    for veto in vetoes:
        if grade is not None:
            grade = scheme.worse(grade, veto.cap)
    return Outcome(raw, adjustment, party_building,
                   None if combined is None else rounded(combined), grade, own)


def score_tallied(scheme: Scheme, items: Sequence[ItemFact], tallies: Tallies,
                  adjustments: Sequence[Adjustment] = (), business: Decimal | None = None,
                  vetoes: Sequence[Veto] = (), routine: Sequence[RoutineResult] = (),
                  marks_of: dict[tuple[str, str], list[Mark]] | None = None,
                  measures: Mapping[str, Measure] | None = None) -> ScoreCard:
    """The full score card, with its explanation, from tallies."""
    tree = ItemTree(items, measured_values(items, measures))
    by_kind = {kind: tree.kind_value(tallies, kind) for kind in EVALUATOR_KINDS}
    result = outcome(scheme, by_kind, adjustments, business, vetoes, routine)
    item_scores = {item.id: {kind: tree.item_value(tallies, item, kind)
                             for kind in EVALUATOR_KINDS} for item in items}

    def item_node(item: ItemFact, kind: str, weight: Decimal) -> Node:
        value = item_scores[item.id][kind]
        if item.source is not None:
            return measured_node(item, kind, weight, value, (measures or {}).get(item.id))
        own = tallies.get((item.id, kind))
        if own is not None and own.count:
            return Node(item.title, value, f"mean of {own.count} evaluation(s), "
                        "points / max points x 100", weight=weight, ref=item.id, kind=kind,
                        children=[Node(m.evaluator, m.score,
                                       f"{m.points} / {m.max_points} x 100",
                                       ref=m.evaluation_id, kind="evaluation")
                                  for m in (marks_of or {}).get((item.id, kind), [])])
        return Node(item.title, value, "weighted mean of subgoals by weight", weight=weight,
                    ref=item.id, kind=kind,
                    children=[item_node(sub, kind, sub.weight)
                              for sub in tree.children.get(item.id, [])])

    kind_nodes = [Node(kind, by_kind[kind], "weighted mean of top items (goal weight, "
                       "indicator max points)",
                       weight=Decimal(scheme.evaluator_weights.get(kind, 0)),
                       kind="evaluator_kind",
                       children=[item_node(top, kind, top.weight) for top in tree.tops])
                  for kind in EVALUATOR_KINDS]
    raw_node = Node("党建得分（加减分前）", result.raw, "weighted mean of evaluator kinds by "
                    "the scheme's weights", kind="party_building_raw", children=kind_nodes)
    pb_node = Node("党建得分", result.party_building, "raw + bonus - deductions, within 0-100",
                   kind="party_building", children=[
                       raw_node, *(Node(a.item, a.points, a.reason, ref=a.id,
                                        kind="adjustment") for a in adjustments)])
    pb_weight = Decimal(scheme.party_building_weight)
    if result.party_building is not None and business is not None:
        formula = f"{pb_weight}% party building + {HUNDRED - pb_weight}% business"
        pb_node.weight = pb_weight
        combined_children = [pb_node, Node("业绩考评", business, "imported business score",
                                           weight=HUNDRED - pb_weight, kind="business")]
    else:
        formula = "party building only (no business score)"
        combined_children = [pb_node]
    if scheme.routine_weight is not None:
        formula, combined_children = annual_nodes(scheme.routine_weight, result.own, formula,
                                                  combined_children, routine)
    explanation = Node("综合得分", result.combined, formula, kind="combined",
                       children=[*combined_children,
                                 *(Node(f"一票否决：{v.condition}", None,
                                        f"caps the grade at {v.cap}", kind="veto")
                                   for v in vetoes)])
    expected, pending = tree.completion(tallies)
    item_combined = {
        item.id: _weighted([(Decimal(scheme.evaluator_weights.get(k, 0)),
                             item_scores[item.id][k]) for k in EVALUATOR_KINDS])
        for item in items}
    return ScoreCard(
        by_kind=by_kind, party_building=result.party_building, adjustment=result.adjustment,
        business=business, combined=result.combined, grade=result.grade,
        item_scores=item_scores, item_combined=item_combined, expected=expected,
        evaluated=expected - len(pending), pending=pending, explanation=explanation,
        measures=dict(measures or {}))


def measured_node(item: ItemFact, kind: str, weight: Decimal, value: Decimal | None,
                  measure: Measure | None) -> Node:
    """A computed item's step: its value, each meeting kind's rate weighed by what it required
    (so they add up to it), and under each the meetings counted (`ref`: the meeting)."""
    source = Source(item.source).label if item.source else ""
    if measure is None:
        return Node(item.title, value, f"computed ({source}): not measured yet", weight=weight,
                    ref=item.id, kind=kind)
    formula = (f"computed ({source}): {measure.fulfilled} of {measure.required} required "
               f"meetings held x 100, periods judged on {measure.judged_on}"
               if measure.required else f"computed ({source}): nothing was required")
    return Node(item.title, value, formula, weight=weight, ref=item.id, kind=kind, children=[
        Node(MEETING_KINDS.get(part.kind, part.kind),
             scaled(Decimal(part.fulfilled), Decimal(part.required)),
             f"{part.fulfilled} of {part.required} required x 100 (held {part.held}; "
             f"periods {', '.join(part.periods)})", weight=Decimal(part.required),
             kind="meeting_kind",
             children=[Node(f"{MEETING_KINDS.get(part.kind, part.kind)} {held_on}", None,
                            "held", ref=meeting_id, kind="meeting")
                       for meeting_id, held_on in part.meetings])
        for part in measure.kinds])
