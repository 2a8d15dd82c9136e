"""Scoring a unit as events arrive: its items, the tallies kept between batches, and the
rescoring of only what an evaluation moved (its item and that item's ancestors)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from domain.measures import Measure, measure_from
from domain.scoring import (
    EVALUATOR_KINDS,
    Adjustment,
    ItemFact,
    ItemTree,
    Mark,
    RoutineResult,
    Scheme,
    Tallies,
    Tally,
    measured_values,
    scaled,
)
from domain.standings import AppliedVeto, UnitInputs, unit_outcome, vetoes_under
from projections.scoreboard.tables import (
    CHANGES,
    CYCLES,
    EVALS,
    FROZEN,
    GOALS,
    ITEMS,
    ORG_UNITS,
    UNITS,
)
from projections.temporal import Batch
from store.audit import split_topic


def unit_of(cycle_id: str, organization_id: str) -> str:
    return f"{cycle_id}:{organization_id}"


def _json(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _overlaps(goal: dict[str, Any], cycle: dict[str, Any]) -> bool:
    return bool(goal["period_start"] <= cycle["period_end"]
                and goal["period_end"] >= cycle["period_start"])


# ---- deriving a unit's scores ----------------------------------------------------------------

def items_of(cycle: dict[str, Any], goals: str) -> list[ItemFact]:
    """A unit's items: its goals (`goals`, as stored) and the cycle's indicators."""
    items = [ItemFact(i["id"], "goal", i["title"], Decimal(i["weight"]), i["parent_id"])
             for i in json.loads(goals)]
    return items + [ItemFact(i["id"], "indicator", i["item"], Decimal(str(i["max_points"])),
                             source=i.get("source"))
                    for i in json.loads(cycle["indicators"])]


def measures_of(unit: dict[str, Any]) -> dict[str, Measure]:
    """A unit's computed indicators' values (live, or as its cycle's publication froze them)."""
    return {indicator_id: measure_from(data)
            for indicator_id, data in json.loads(unit["measures"] or "{}").items()}


def inputs(cycle: dict[str, Any], unit: dict[str, Any], goals: str,
           evaluations: Sequence[dict[str, Any]], routine: Sequence[RoutineResult] = (),
           ) -> dict[str, Any]:
    """The arguments of `domain.scoring.score` for one unit, from its stored rows."""
    scheme = Scheme.from_dict(json.loads(cycle["scheme"]))
    facts = unit_facts(unit)
    return {"scheme": scheme, "items": items_of(cycle, goals),
            "marks": [mark_of(e) for e in evaluations], **facts,
            "vetoes": vetoes_under(scheme, facts["vetoes"]), "routine": routine,
            "measures": measures_of(unit)}


def unit_facts(unit: dict[str, Any]) -> dict[str, Any]:
    """A unit's approved bonus and deduction items, vetoes applied and business score: what
    `domain.standings.UnitInputs` takes besides the kinds' scores and routine results."""
    return {
        "adjustments": [Adjustment(a["id"], Decimal(a["points"]), a["item"], a["reason"])
                        for a in json.loads(unit["adjustments"]) if a["approved"]],
        "vetoes": [AppliedVeto(v["condition"], v["reason"])
                   for v in json.loads(unit["vetoes"])],
        "business": Decimal(unit["business"]) if unit["business"] is not None else None,
    }


@dataclass
class UnitState:
    """What a batch keeps of a unit between events: its item tree and scheme (rebuilt when
    either changes), its evaluator kinds' scores and their items' values (an evaluation
    values again only its item and that item's ancestors, for its kind)."""

    signature: tuple[str, str, str, str]
    scheme: Scheme
    tree: ItemTree
    by_kind: dict[str, Decimal | None] = field(default_factory=dict)
    values: dict[str, dict[str, Decimal | None]] = field(default_factory=dict)
    # Completion changes only when an (item, kind) is first scored: tallies are never removed.
    completion: tuple[int, int, int] = (-1, 0, 0)  # (tallies counted, expected, evaluated)
    facts: tuple[tuple[str, str, str | None], dict[str, Any]] | None = None

    def counted(self, tallies: Tallies) -> tuple[int, int]:
        if self.completion[0] != len(tallies):
            expected, pending = self.tree.completion(tallies)
            self.completion = (len(tallies), expected, expected - len(pending))
        return self.completion[1], self.completion[2]

    def facts_of(self, unit: dict[str, Any]) -> dict[str, Any]:
        signature = (unit["adjustments"], unit["vetoes"], unit["business"])
        if self.facts is None or self.facts[0] != signature:
            self.facts = signature, unit_facts(unit)
        return self.facts[1]


def unit_state(b: Batch, cycle: dict[str, Any], unit: dict[str, Any]) -> tuple[UnitState, bool]:
    key = ("state", unit["unit"])
    goals = b[ITEMS.name].peek(unit["unit"])
    assert goals is not None
    signature = (goals["items"], cycle["indicators"], cycle["scheme"], unit["measures"])
    state: UnitState | None = b.memo.get(key)
    if state is not None and state.signature == signature:
        return state, False
    items = items_of(cycle, goals["items"])
    state = b.memo[key] = UnitState(signature, Scheme.from_dict(json.loads(cycle["scheme"])),
                                    ItemTree(items, measured_values(items, measures_of(unit))))
    return state, True


def rescore(b: Batch, cycle_id: str, organization_id: str,
            touched: tuple[str, str] | None = None) -> None:
    """Derive the unit's figures again; `touched` names the only (item, evaluator kind)
    whose evaluations changed, if that is all that did."""
    unit_key = unit_of(cycle_id, organization_id)
    cycle = b[CYCLES.name].peek(cycle_id)
    unit = b[UNITS.name].get(unit_key)
    if cycle is None or unit is None:
        return
    routine = []
    for routine_id in _listed(cycle["routine_cycles"]):
        composed = b[CYCLES.name].peek(routine_id)
        part = b[UNITS.name].peek(unit_of(routine_id, organization_id))
        if composed is not None:
            routine.append(RoutineResult(routine_id, composed["title"], _decimal(
                part["combined"] if part else None)))
    state, fresh = unit_state(b, cycle, unit)
    tallies = tallies_of(b, unit_key)
    if fresh or touched is None:
        for kind in EVALUATOR_KINDS:
            state.values[kind] = state.tree.values(tallies, kind)
            state.by_kind[kind] = state.tree.total(state.values[kind])
    else:
        item_id, kind = touched
        state.by_kind[kind] = state.tree.revalue(tallies, kind, state.values[kind], item_id)
    result = unit_outcome(state.scheme, UnitInputs(state.by_kind, routine=routine,
                                                   **state.facts_of(unit)))
    expected, evaluated = state.counted(tallies)
    unit.update({
        "organizational": _float(state.by_kind["organizational"]),
        "mass": _float(state.by_kind["mass"]), "self": _float(state.by_kind["self"]),
        "social": _float(state.by_kind["social"]),
        "party_building": _float(result.party_building), "adjustment": float(result.adjustment),
        "combined": _float(result.combined), "grade": result.grade,
        "evaluated": evaluated, "expected": expected,
    })
    b[UNITS.name].put(unit)
    for annual_id in _listed(cycle["composed_into"]):
        if b[UNITS.name].peek(unit_of(annual_id, organization_id)) is not None:
            rescore(b, annual_id, organization_id)


@lru_cache(maxsize=256)
def _listed(ids: str) -> tuple[str, ...]:
    """A cycle's stored list of cycle ids (read for every evaluation: decoded once)."""
    return tuple(json.loads(ids))


def tallies_of(b: Batch, unit_key: str) -> Tallies:
    """The unit's evaluations summed per item and kind: tallied from its rows on first use
    (counted by the database per distinct mark, so each is scaled once), then kept up to date
    event by event."""
    key = ("tallies", unit_key)
    tallies: Tallies | None = b.memo.get(key)
    if tallies is None:
        tallies = b.memo[key] = {}
        scores: dict[tuple[str, str], Decimal] = {}  # a few distinct marks recur
        for item_id, kind, points, max_points, count in b[EVALS.name].committed_counts(
                "unit", unit_key, ("item_id", "evaluator_kind", "points", "max_points")):
            score = scores.get((points, max_points))
            if score is None:
                score = scores[points, max_points] = scaled(Decimal(points),
                                                            Decimal(max_points))
            tallies.setdefault((item_id, kind), Tally()).add(
                score if count == 1 else score * count, count)
    return tallies


def mark_of(row: dict[str, Any]) -> Mark:
    return Mark(row["evaluation_id"], row["item_id"], row["evaluator_kind"], row["evaluator"],
                Decimal(row["points"]), Decimal(row["max_points"]))


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def rescore_cycle(b: Batch, cycle_id: str) -> None:
    cycle = b[CYCLES.name].peek(cycle_id)
    if cycle is not None:
        for organization_id in json.loads(cycle["organizations"]):
            rescore(b, cycle_id, organization_id)


def note(b: Batch, unit: str, e: Any, ref: str | None = None, detail: Any = None) -> None:
    """A change to a unit's score, named as the audit log names its event (`Corrected`)."""
    b[CHANGES.name].put({"unit": unit, "position": b.position, "actor": e.actor,
                         "action": split_topic(type(e).TOPIC)[1], "reason": e.reason,
                         "ref": ref, "detail": None if detail is None else _json(detail)})


def goal_items(b: Batch, cycle: dict[str, Any], organization_id: str) -> str:
    goals = [g for g in b[GOALS.name].rows(organization_id)
             if g["status"] in ("issued", "closed") and _overlaps(g, cycle)]
    goals.sort(key=lambda g: (g["title"], g["goal_id"]))
    return _json([{"id": g["goal_id"], "title": g["title"], "weight": g["weight"],
                   "parent_id": g["parent_id"]} for g in goals])


def refresh_items(b: Batch, organization_id: str) -> None:
    """An organisation's goals changed: its units in cycles not yet published follow."""
    for link in b[ORG_UNITS.name].rows(organization_id):
        cycle = b[CYCLES.name].peek(link["cycle_id"])
        if cycle is None or cycle["status"] in FROZEN:
            continue
        unit_key = unit_of(link["cycle_id"], organization_id)
        current = b[ITEMS.name].peek(unit_key)
        if current is None:
            continue
        items = goal_items(b, cycle, organization_id)
        if items != current["items"]:
            b[ITEMS.name].put({**current, "items": items})
            rescore(b, link["cycle_id"], organization_id)
