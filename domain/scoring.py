"""How a score is derived (考核计分): pure functions over a cycle's scheme and its evaluations,
used by the scoreboard read model to fold scores and by `explainScore` to show the derivation,
so the explanation always adds up to the reported figure.

The rules, in order:
1. An item (a goal or a cycle indicator) gets one score per evaluator kind on a 0-100 scale:
   the mean of that kind's evaluations of it (mass and social ballots are many, averaged),
   points scaled by the item's maximum (points / max points x 100).
2. A goal that has no evaluation of a kind but has subgoals in the cycle takes, for that kind,
   the weighted mean of its subgoals' scores (weights 权重; subgoals without a score of that
   kind are left out and the others' weights rescaled).
3. The organisation's score for a kind is the weighted mean over its top items: its top goals
   (weights) and the cycle's indicators (max points as weights).
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

EVALUATOR_KINDS = ("organizational", "mass", "self", "social")
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
MILLIONTH = Decimal("0.000001")


def rounded(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ItemFact:
    """Something scored in a cycle for one organisation: a goal (weight, parent) or an
    indicator of the cycle's set (its max points are its weight)."""

    id: str
    kind: str  # goal | indicator
    title: str
    weight: Decimal
    parent_id: str | None = None


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
        """On the 0-100 scale, to a millionth: exact sums, whatever the order of addition."""
        if not self.max_points:
            return Decimal(0)
        return (self.points * HUNDRED / self.max_points).quantize(MILLIONTH)


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


def compose_annual(routine_weight: int, annual: Decimal | None, formula: str,
                   children: list[Node], routine: Sequence[RoutineResult],
                   ) -> tuple[Decimal | None, str, list[Node]]:
    """Rule 7: an annual cycle's result is the routine cycles' mean (their weight) plus its own
    assessment (the rest); a part without a score is left out and the other takes it all."""
    scored = [r.combined for r in routine if r.combined is not None]
    mean = sum(scored, Decimal(0)) / len(scored) if scored else None
    weight = Decimal(routine_weight)
    own = Node("年度考核", annual, formula, weight=HUNDRED - weight, kind="annual",
               children=children)
    routine_node = Node("日常考核平均", mean, f"mean of {len(scored)} routine cycle(s)",
                        weight=weight, kind="routine_mean", children=[
                            Node(r.title, r.combined, "the routine cycle's combined score",
                                 ref=r.cycle_id, kind="routine_cycle") for r in routine])
    value = _weighted([(weight, mean), (HUNDRED - weight, annual)])
    return (value, f"{weight}% routine mean + {HUNDRED - weight}% annual assessment",
            [own, routine_node])


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
          vetoes: Sequence[Veto] = (), routine: Sequence[RoutineResult] = ()) -> ScoreCard:
    """Derive an organisation's score card for one cycle (see the module's rules), with the
    explanation down to each evaluation."""
    marks_of: dict[tuple[str, str], list[Mark]] = {}
    for mark in marks:
        marks_of.setdefault((mark.item_id, mark.evaluator_kind), []).append(mark)
    return score_tallied(scheme, items, tally(marks), adjustments, business, vetoes, routine,
                         marks_of)


def score_tallied(scheme: Scheme, items: Sequence[ItemFact], tallies: Tallies,
                  adjustments: Sequence[Adjustment] = (), business: Decimal | None = None,
                  vetoes: Sequence[Veto] = (), routine: Sequence[RoutineResult] = (),
                  marks_of: dict[tuple[str, str], list[Mark]] | None = None) -> ScoreCard:
    """The same derivation from tallies kept up to date one evaluation at a time (what the
    scoreboard folds), so its cost does not grow with the number of ballots."""
    by_id = {item.id: item for item in items}
    children: dict[str | None, list[ItemFact]] = {}
    for item in items:
        parent = item.parent_id if item.parent_id in by_id else None
        children.setdefault(parent, []).append(item)

    item_scores: dict[str, dict[str, Decimal | None]] = {}
    item_nodes: dict[tuple[str, str], Node] = {}

    def item_score(item: ItemFact, kind: str) -> Decimal | None:
        key = (item.id, kind)
        if key in item_nodes:
            return item_nodes[key].value
        own = tallies.get(key)
        value: Decimal | None
        if own is not None and own.count:
            value = own.mean
            node = Node(item.title, value, f"mean of {own.count} evaluation(s), "
                        "points / max points x 100", ref=item.id, kind=kind, children=[
                            Node(m.evaluator, m.score, f"{m.points} / {m.max_points} x 100",
                                 ref=m.evaluation_id, kind="evaluation")
                            for m in (marks_of or {}).get(key, [])])
        else:
            subs = children.get(item.id, [])
            parts = [(sub.weight, item_score(sub, kind)) for sub in subs]
            value = _weighted(parts)
            node = Node(item.title, value, "weighted mean of subgoals by weight", ref=item.id,
                        kind=kind, children=[item_nodes[(sub.id, kind)] for sub in subs])
            for sub_node, sub in zip(node.children, subs, strict=True):
                sub_node.weight = sub.weight
        item_nodes[key] = node
        item_scores.setdefault(item.id, {})[kind] = value
        return value

    kind_nodes: list[Node] = []
    by_kind: dict[str, Decimal | None] = {}
    tops = children.get(None, [])
    for kind in EVALUATOR_KINDS:
        parts = [(top.weight, item_score(top, kind)) for top in tops]
        for item in items:
            item_score(item, kind)
        by_kind[kind] = _weighted(parts)
        kind_node = Node(kind, by_kind[kind], "weighted mean of top items (goal weight, "
                         "indicator max points)", weight=Decimal(scheme.evaluator_weights
                                                                 .get(kind, 0)),
                         kind="evaluator_kind",
                         children=[item_nodes[(top.id, kind)] for top in tops])
        for node, top in zip(kind_node.children, tops, strict=True):
            node.weight = top.weight
        kind_nodes.append(kind_node)

    raw = _weighted([(Decimal(scheme.evaluator_weights.get(k, 0)), by_kind[k])
                     for k in EVALUATOR_KINDS])
    adjustment = sum((a.points for a in adjustments), Decimal(0))
    party_building = None if raw is None else min(HUNDRED, max(Decimal(0), raw + adjustment))
    raw_node = Node("党建得分（加减分前）", raw, "weighted mean of evaluator kinds by the scheme's "
                    "weights", kind="party_building_raw", children=kind_nodes)
    adjustment_nodes = [Node(a.item, a.points, a.reason, ref=a.id, kind="adjustment")
                        for a in adjustments]
    pb_node = Node("党建得分", party_building, "raw + bonus - deductions, within 0-100",
                   kind="party_building", children=[raw_node, *adjustment_nodes])
    pb_weight = Decimal(scheme.party_building_weight)
    if party_building is not None and business is not None:
        combined: Decimal | None = (pb_weight * party_building
                                    + (HUNDRED - pb_weight) * business) / HUNDRED
        formula = f"{pb_weight}% party building + {HUNDRED - pb_weight}% business"
        pb_node.weight = pb_weight
        combined_children = [pb_node, Node("业绩考评", business, "imported business score",
                                           weight=HUNDRED - pb_weight, kind="business")]
    else:
        combined = party_building
        formula = "party building only (no business score)"
        combined_children = [pb_node]
    if scheme.routine_weight is not None:
        combined, formula, combined_children = compose_annual(
            scheme.routine_weight, combined, formula, combined_children, routine)
    grade = None if combined is None else scheme.grade_of(rounded(combined))
    for veto in vetoes:
        if grade is not None:
            grade = scheme.worse(grade, veto.cap)
    if combined is not None:
        combined = rounded(combined)
    explanation = Node("综合得分", combined, formula, kind="combined",
                       children=[*combined_children,
                                 *(Node(f"一票否决：{v.condition}", None,
                                        f"caps the grade at {v.cap}", kind="veto")
                                   for v in vetoes)])

    leaves = [item for item in items if not children.get(item.id)]
    scored = {key for key, t in tallies.items() if t.count and key[0] in by_id}
    pending = [(leaf.id, kind) for leaf in leaves for kind in ("self", "organizational")
               if (leaf.id, kind) not in scored]
    for kind in ("mass", "social"):
        if not any(k == kind for _, k in scored):
            pending.append(("", kind))
    expected = len(leaves) * 2 + 2
    item_combined = {
        item.id: _weighted([(Decimal(scheme.evaluator_weights.get(k, 0)),
                             item_scores[item.id].get(k)) for k in EVALUATOR_KINDS])
        for item in items}
    return ScoreCard(
        by_kind=by_kind, party_building=party_building, adjustment=adjustment,
        business=business, combined=combined, grade=grade, item_scores=item_scores,
        item_combined=item_combined, expected=expected, evaluated=expected - len(pending),
        pending=pending, explanation=explanation)
