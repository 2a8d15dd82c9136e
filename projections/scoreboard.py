"""Read model: the scoreboard of each assessment cycle. Per organisation (a "unit": one
organisation in one cycle) and per goal: the evaluator kinds' scores, the weighted
party-building score, the combined score with business, the grade after vetoes, and how
complete the evaluation is; ranks (within the category and overall) are taken when read.
Every figure is derived by `domain.scoring`, which `explainScore` also uses, so an explanation
always adds up to the figure shown. Temporal like every read model: any cycle's scoreboard
reads as it stood at any position.

Each unit keeps the items it is scored on: its goals as they stand while the cycle is not yet
published (afterwards they are frozen; later goal changes do not move published scores), plus
the indicators the cycle copied when it opened."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, ClassVar

from domain.cycles import AssessmentCycle
from domain.evaluations import Evaluation
from domain.goals import Goal
from domain.indicators import LibraryIndicator
from domain.organizations import Organization
from domain.scoring import (
    EVALUATOR_KINDS,
    Adjustment,
    ItemFact,
    ItemTree,
    Mark,
    RoutineResult,
    Scheme,
    ScoreCard,
    Tallies,
    Tally,
    Veto,
    outcome,
    rounded,
    scaled,
    score,
)
from projections import organization_tree as tree
from projections.engine import Handler, Projection
from projections.pages import EVERYTHING, Page, count, read_page
from projections.temporal import Batch, TemporalTable, as_of
from store.db import Connection, marks

FROZEN = ("published", "locked")

CYCLES = TemporalTable(
    "view_cycles", ("cycle_id",),
    {"cycle_id": "TEXT", "title": "TEXT", "kind": "TEXT", "cadence": "TEXT", "status": "TEXT",
     "period_start": "TEXT", "period_end": "TEXT", "organizer_id": "TEXT",
     "organizations": "TEXT", "scheme": "TEXT", "scheme_version": "BIGINT",
     "indicators": "TEXT", "reopen_requested_by": "TEXT", "routine_cycles": "TEXT",
     "composed_into": "TEXT"},
    partition="cycle_id", indexes=(("period_start",),),
)
LIBRARY = TemporalTable(
    "view_indicator_library", ("indicator_id",),
    {"indicator_id": "TEXT", "item": "TEXT", "content": "TEXT", "criteria": "TEXT",
     "max_points": "TEXT", "rubric": "TEXT", "revision": "BIGINT"},
    partition="indicator_id",
)
ORGS = TemporalTable(
    "view_score_orgs", ("organization_id",),
    {"organization_id": "TEXT", "name": "TEXT", "category": "TEXT"},
    partition="organization_id",
)
GOALS = TemporalTable(
    "view_score_goals", ("organization_id", "goal_id"),
    {"organization_id": "TEXT", "goal_id": "TEXT", "parent_id": "TEXT", "title": "TEXT",
     "weight": "BIGINT", "status": "TEXT", "period_start": "TEXT", "period_end": "TEXT"},
    partition="organization_id",
)
GOAL_OWNERS = TemporalTable(
    "view_score_goal_owners", ("goal_id",),
    {"goal_id": "TEXT", "organization_id": "TEXT"}, partition="goal_id",
)
# Units an organisation takes part in, to rescore them when its goals or category change.
ORG_UNITS = TemporalTable(
    "view_score_org_units", ("organization_id", "cycle_id"),
    {"organization_id": "TEXT", "cycle_id": "TEXT"}, partition="organization_id",
)
UNITS = TemporalTable(
    "view_scores", ("unit",),
    {"unit": "TEXT", "cycle_id": "TEXT", "organization_id": "TEXT", "name": "TEXT",
     "category": "TEXT", "business": "TEXT", "adjustments": "TEXT",
     "vetoes": "TEXT", "organizational": "DOUBLE PRECISION", "mass": "DOUBLE PRECISION",
     "self": "DOUBLE PRECISION", "social": "DOUBLE PRECISION",
     "party_building": "DOUBLE PRECISION", "adjustment": "DOUBLE PRECISION",
     "combined": "DOUBLE PRECISION", "grade": "TEXT", "evaluated": "BIGINT",
     "expected": "BIGINT"},
    partition="unit", indexes=(("cycle_id", "category"), ("organization_id",)),
)
# The items a unit is scored on: apart from its scores, which move with every evaluation.
ITEMS = TemporalTable(
    "view_unit_items", ("unit",), {"unit": "TEXT", "items": "TEXT"},
    partition="unit",
)
EVALS = TemporalTable(
    "view_evaluations", ("evaluation_id",),
    {"evaluation_id": "TEXT", "unit": "TEXT", "item_id": "TEXT", "evaluator_kind": "TEXT",
     "evaluator": "TEXT", "points": "TEXT", "max_points": "TEXT", "rubric_level": "TEXT",
     "comment": "TEXT"},
    partition="evaluation_id", indexes=(("unit",),), history_indexes=(("unit", "valid_from"),),
)
# What changed each unit's score, for scoreDiff: one row per event, never superseded.
CHANGES = TemporalTable(
    "view_score_changes", ("unit", "position"),
    {"unit": "TEXT", "position": "BIGINT", "actor": "TEXT", "action": "TEXT",
     "reason": "TEXT", "ref": "TEXT", "detail": "TEXT"},
    partition="unit", append_only=True,
)


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
    return items + [ItemFact(i["id"], "indicator", i["item"], Decimal(str(i["max_points"])))
                    for i in json.loads(cycle["indicators"])]


def inputs(cycle: dict[str, Any], unit: dict[str, Any], goals: str,
           evaluations: Sequence[dict[str, Any]], routine: Sequence[RoutineResult] = (),
           ) -> dict[str, Any]:
    """The arguments of `domain.scoring.score` for one unit, from its stored rows."""
    return {"scheme": Scheme.from_dict(json.loads(cycle["scheme"])),
            "items": items_of(cycle, goals), "marks": [mark_of(e) for e in evaluations],
            **unit_facts(unit), "routine": routine}


def unit_facts(unit: dict[str, Any]) -> dict[str, Any]:
    """A unit's approved bonus and deduction items, vetoes and business score."""
    return {
        "adjustments": [Adjustment(a["id"], Decimal(a["points"]), a["item"], a["reason"])
                        for a in json.loads(unit["adjustments"]) if a["approved"]],
        "vetoes": [Veto(v["condition"], v["cap"], v["reason"])
                   for v in json.loads(unit["vetoes"])],
        "business": Decimal(unit["business"]) if unit["business"] is not None else None,
    }


@dataclass
class UnitState:
    """What a batch keeps of a unit between events: its item tree and scheme (rebuilt when
    either changes), its evaluator kinds' scores and their items' values (an evaluation
    values again only its item and that item's ancestors, for its kind)."""

    signature: tuple[str, str, str]
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


def unit_state(b: Batch, cycle: dict[str, Any], unit_key: str) -> tuple[UnitState, bool]:
    key = ("state", unit_key)
    goals = b[ITEMS.name].peek(unit_key)
    assert goals is not None
    signature = (goals["items"], cycle["indicators"], cycle["scheme"])
    state: UnitState | None = b.memo.get(key)
    if state is not None and state.signature == signature:
        return state, False
    state = b.memo[key] = UnitState(signature, Scheme.from_dict(json.loads(cycle["scheme"])),
                                    ItemTree(items_of(cycle, goals["items"])))
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
    state, fresh = unit_state(b, cycle, unit_key)
    tallies = tallies_of(b, unit_key)
    if fresh or touched is None:
        for kind in EVALUATOR_KINDS:
            state.values[kind] = state.tree.values(tallies, kind)
            state.by_kind[kind] = state.tree.total(state.values[kind])
    else:
        item_id, kind = touched
        state.by_kind[kind] = state.tree.revalue(tallies, kind, state.values[kind], item_id)
    result = outcome(state.scheme, state.by_kind, routine=routine, **state.facts_of(unit))
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


def note(b: Batch, unit: str, e: Any, action: str, ref: str | None = None,
         detail: Any = None) -> None:
    b[CHANGES.name].put({"unit": unit, "position": b.position, "actor": e.actor,
                         "action": action, "reason": e.reason, "ref": ref,
                         "detail": None if detail is None else _json(detail)})


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


# ---- folding: the indicator library, organisations and goals ---------------------------

def indicator_defined(e: LibraryIndicator.Defined | LibraryIndicator.Revised,
                      b: Batch) -> None:
    current = b[LIBRARY.name].peek(b.subject)
    b[LIBRARY.name].put({
        "indicator_id": b.subject, "item": e.item, "content": e.content,
        "criteria": e.criteria, "max_points": str(e.max_points), "rubric": _json(e.rubric),
        "revision": current["revision"] + 1 if current else 1})


def org_registered(e: Organization.Registered, b: Batch) -> None:
    b[ORGS.name].put({"organization_id": b.subject, "name": e.name, "category": e.category})


def org_changed(column: str) -> Handler:
    def handler(e: Any, b: Batch) -> None:
        row = b[ORGS.name].get(b.subject)
        assert row is not None
        b[ORGS.name].put({**row, column: getattr(e, column)})
        for link in b[ORG_UNITS.name].rows(b.subject):
            cycle = b[CYCLES.name].peek(link["cycle_id"])
            unit = b[UNITS.name].get(unit_of(link["cycle_id"], b.subject))
            if cycle is not None and unit is not None and cycle["status"] not in FROZEN:
                b[UNITS.name].put({**unit, column: getattr(e, column)})
    return handler


def goal_drafted(e: Goal.Drafted, b: Batch) -> None:
    organization_id = str(e.organization_id)
    b[GOAL_OWNERS.name].put({"goal_id": b.subject, "organization_id": organization_id})
    b[GOALS.name].put({
        "organization_id": organization_id, "goal_id": b.subject,
        "parent_id": str(e.parent_id) if e.parent_id else None, "title": e.title,
        "weight": e.weight, "status": "drafted", "period_start": e.period_start.isoformat(),
        "period_end": e.period_end.isoformat()})


def goal_changed(e: Any, b: Batch) -> None:
    owner = b[GOAL_OWNERS.name].peek(b.subject)
    assert owner is not None
    organization_id = owner["organization_id"]
    goal = b[GOALS.name].get(organization_id, b.subject)
    assert goal is not None
    if isinstance(e, Goal.Reweighted):
        goal["weight"] = e.weight
    elif isinstance(e, Goal.Revised):
        goal["title"] = e.title or goal["title"]
        if e.period_start is not None and e.period_end is not None:
            goal["period_start"] = e.period_start.isoformat()
            goal["period_end"] = e.period_end.isoformat()
    else:
        goal["status"] = {Goal.Issued: "issued", Goal.Closed: "closed",
                          Goal.Cancelled: "cancelled"}[type(e)]
    b[GOALS.name].put(goal)
    refresh_items(b, organization_id)


# ---- folding: cycles -------------------------------------------------------------------------

def cycle_drafted(e: AssessmentCycle.Drafted, b: Batch) -> None:
    organizations = [str(o) for o in e.organization_ids]
    cycle = {
        "cycle_id": b.subject, "title": e.title, "kind": e.kind, "cadence": e.cadence,
        "status": "drafted", "period_start": e.period_start.isoformat(),
        "period_end": e.period_end.isoformat(), "organizer_id": str(e.organizer_id),
        "organizations": _json(organizations), "scheme": _json(e.scheme),
        "scheme_version": 1, "indicators": "[]", "reopen_requested_by": None,
        "routine_cycles": _json([str(c) for c in e.routine_cycle_ids]), "composed_into": "[]"}
    b[CYCLES.name].put(cycle)
    for routine_id in e.routine_cycle_ids:
        routine = b[CYCLES.name].get(str(routine_id))
        if routine is not None:
            routine["composed_into"] = _json([*json.loads(routine["composed_into"]),
                                              b.subject])
            b[CYCLES.name].put(routine)
    for organization_id in organizations:
        org = b[ORGS.name].peek(organization_id) or {"name": "", "category": ""}
        b[ORG_UNITS.name].put({"organization_id": organization_id, "cycle_id": b.subject})
        b[ITEMS.name].put({"unit": unit_of(b.subject, organization_id),
                           "items": goal_items(b, cycle, organization_id)})
        b[UNITS.name].put({
            "unit": unit_of(b.subject, organization_id), "cycle_id": b.subject,
            "organization_id": organization_id, "name": org["name"],
            "category": org["category"], "business": None, "adjustments": "[]",
            "vetoes": "[]", "organizational": None, "mass": None, "self": None,
            "social": None, "party_building": None,
            "adjustment": 0.0, "combined": None, "grade": None, "evaluated": 0,
            "expected": 0})
        rescore(b, b.subject, organization_id)


def cycle_changed(**changes: Any) -> Handler:
    def handler(e: Any, b: Batch) -> None:
        cycle = b[CYCLES.name].get(b.subject)
        assert cycle is not None
        for column, value in changes.items():
            cycle[column] = value(e, cycle) if callable(value) else value
        b[CYCLES.name].put(cycle)
        if {"scheme", "indicators"} & set(changes):
            rescore_cycle(b, b.subject)
    return handler


def business_imported(e: AssessmentCycle.BusinessScoresImported, b: Batch) -> None:
    for organization_id, value in e.scores.items():
        unit_key = unit_of(b.subject, organization_id)
        unit = b[UNITS.name].get(unit_key)
        assert unit is not None
        before = unit["business"]
        b[UNITS.name].put({**unit, "business": str(value)})
        rescore(b, b.subject, organization_id)
        note(b, unit_key, e, "business_score", detail={"before": before, "after": str(value)})


def adjustment_proposed(e: AssessmentCycle.AdjustmentProposed, b: Batch) -> None:
    unit_key = unit_of(b.subject, str(e.organization_id))
    unit = b[UNITS.name].get(unit_key)
    assert unit is not None
    adjustments = json.loads(unit["adjustments"])
    adjustments.append({"id": str(e.adjustment_id), "item": e.item, "points": str(e.points),
                        "reason": e.reason, "proposer": e.actor, "approved": False,
                        "approver": None})
    b[UNITS.name].put({**unit, "adjustments": _json(adjustments)})
    note(b, unit_key, e, "adjustment_proposed", str(e.adjustment_id),
         {"item": e.item, "points": str(e.points)})


def adjustment_approved(e: AssessmentCycle.AdjustmentApproved, b: Batch) -> None:
    unit_key = unit_of(b.subject, str(e.organization_id))
    unit = b[UNITS.name].get(unit_key)
    assert unit is not None
    adjustments = json.loads(unit["adjustments"])
    for adjustment in adjustments:
        if adjustment["id"] == str(e.adjustment_id):
            adjustment.update(approved=True, approver=e.actor)
    b[UNITS.name].put({**unit, "adjustments": _json(adjustments)})
    rescore(b, b.subject, str(e.organization_id))
    note(b, unit_key, e, "adjustment_approved", str(e.adjustment_id))


def veto_changed(e: AssessmentCycle.VetoApplied | AssessmentCycle.VetoLifted,
                 b: Batch) -> None:
    cycle = b[CYCLES.name].peek(b.subject)
    assert cycle is not None
    caps = {v["condition"]: v["cap"] for v in json.loads(cycle["scheme"])["vetoes"]}
    unit_key = unit_of(b.subject, str(e.organization_id))
    unit = b[UNITS.name].get(unit_key)
    assert unit is not None
    vetoes = [v for v in json.loads(unit["vetoes"]) if v["condition"] != e.condition]
    applied = isinstance(e, AssessmentCycle.VetoApplied)
    if applied:
        vetoes.append({"condition": e.condition, "cap": caps.get(e.condition, ""),
                       "reason": e.reason})
    b[UNITS.name].put({**unit, "vetoes": _json(vetoes)})
    rescore(b, b.subject, str(e.organization_id))
    note(b, unit_key, e, "veto_applied" if applied else "veto_lifted",
         detail={"condition": e.condition})


# ---- folding: evaluations --------------------------------------------------------------------

def evaluation_recorded(e: Evaluation.Recorded, b: Batch) -> None:
    cycle_id, organization_id = str(e.cycle_id), str(e.organization_id)
    unit_key = unit_of(cycle_id, organization_id)
    tallies = tallies_of(b, unit_key)  # before the new row joins them
    row = {"unit": unit_key, "evaluation_id": b.subject, "item_id": str(e.item_id),
           "evaluator_kind": e.evaluator_kind, "evaluator": e.actor, "points": str(e.points),
           "max_points": str(e.max_points), "rubric_level": e.rubric_level,
           "comment": e.comment}
    b[EVALS.name].put(row)
    tallies.setdefault((str(e.item_id), e.evaluator_kind), Tally()).add(mark_of(row).score)
    rescore(b, cycle_id, organization_id, (str(e.item_id), e.evaluator_kind))
    note(b, unit_key, e, "evaluated", b.subject,
         {"item": str(e.item_id), "kind": e.evaluator_kind, "after": str(e.points)})


def evaluation_rescored(e: Evaluation.Revised | Evaluation.Corrected, b: Batch) -> None:
    row = b[EVALS.name].get(b.subject)
    assert row is not None
    unit_key = row["unit"]
    before = row["points"]
    tallies = tallies_of(b, unit_key)
    changed = {**row, "points": str(e.points), "rubric_level": e.rubric_level,
               "comment": e.comment}
    b[EVALS.name].put(changed)
    tallies[(row["item_id"], row["evaluator_kind"])].add(
        mark_of(changed).score - mark_of(row).score, count=0)
    cycle_id, organization_id = unit_key.split(":")
    rescore(b, cycle_id, organization_id, (row["item_id"], row["evaluator_kind"]))
    action = "corrected" if isinstance(e, Evaluation.Corrected) else "revised"
    note(b, unit_key, e, action, b.subject,
         {"item": row["item_id"], "kind": row["evaluator_kind"], "before": before,
          "after": str(e.points)})


class Scoreboard(Projection):
    name = "scoreboard"
    version = 2  # 2: a unit's items apart from its scores
    tables = (LIBRARY, CYCLES, ORGS, GOALS, GOAL_OWNERS, ORG_UNITS, UNITS, ITEMS, EVALS,
              CHANGES)
    handlers: ClassVar[dict[type[Any], Handler]] = {
        LibraryIndicator.Defined: indicator_defined,
        LibraryIndicator.Revised: indicator_defined,
        Organization.Registered: org_registered,
        Organization.Renamed: org_changed("name"),
        Organization.Recategorized: org_changed("category"),
        Goal.Drafted: goal_drafted,
        Goal.Revised: goal_changed,
        Goal.Reweighted: goal_changed,
        Goal.Issued: goal_changed,
        Goal.Closed: goal_changed,
        Goal.Cancelled: goal_changed,
        AssessmentCycle.Drafted: cycle_drafted,
        AssessmentCycle.SchemeRevised: cycle_changed(
            scheme=lambda e, c: _json(e.scheme),
            scheme_version=lambda e, c: c["scheme_version"] + 1),
        AssessmentCycle.Opened: cycle_changed(
            status="opened", indicators=lambda e, c: _json(e.indicators)),
        AssessmentCycle.Advanced: cycle_changed(status=lambda e, c: e.status),
        AssessmentCycle.Published: cycle_changed(status="published"),
        AssessmentCycle.Locked: cycle_changed(status="locked"),
        AssessmentCycle.ReopenRequested: cycle_changed(
            reopen_requested_by=lambda e, c: e.actor),
        AssessmentCycle.Reopened: cycle_changed(status="under_review",
                                                reopen_requested_by=None),
        AssessmentCycle.BusinessScoresImported: business_imported,
        AssessmentCycle.AdjustmentProposed: adjustment_proposed,
        AssessmentCycle.AdjustmentApproved: adjustment_approved,
        AssessmentCycle.VetoApplied: veto_changed,
        AssessmentCycle.VetoLifted: veto_changed,
        Evaluation.Recorded: evaluation_recorded,
        Evaluation.Revised: evaluation_rescored,
        Evaluation.Corrected: evaluation_rescored,
    }

    @classmethod
    def partitions(cls, event: Any, subject: str) -> dict[str, Any]:
        if isinstance(event, Evaluation.Recorded):
            unit = unit_of(str(event.cycle_id), str(event.organization_id))
            return {UNITS.name: unit, ITEMS.name: unit, EVALS.name: subject,
                    CYCLES.name: str(event.cycle_id)}
        if isinstance(event, Evaluation.Event):
            return {EVALS.name: subject}
        if isinstance(event, AssessmentCycle.Event):
            return {CYCLES.name: subject}
        if isinstance(event, Goal.Event):
            return {GOAL_OWNERS.name: subject}
        if isinstance(event, LibraryIndicator.Event):
            return {LIBRARY.name: subject}
        return {ORGS.name: subject, ORG_UNITS.name: subject}


# ---- queries ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Cycle:
    id: str
    title: str
    kind: str
    cadence: str | None
    status: str
    period_start: str
    period_end: str
    organizer_id: str
    organization_ids: list[str]
    scheme: dict[str, Any]
    scheme_version: int
    indicators: list[dict[str, Any]]
    reopen_requested_by: str | None
    routine_cycle_ids: list[str]


CYCLE_COLUMNS = ", ".join(f"c.{name}" for name in CYCLES.column_names)


def _cycle(row: Sequence[Any]) -> Cycle:
    values = dict(zip(CYCLES.column_names, row, strict=True))
    return Cycle(values["cycle_id"], values["title"], values["kind"], values["cadence"],
                 values["status"], values["period_start"], values["period_end"],
                 values["organizer_id"], json.loads(values["organizations"]),
                 json.loads(values["scheme"]), values["scheme_version"],
                 json.loads(values["indicators"]), values["reopen_requested_by"],
                 json.loads(values["routine_cycles"]))


def cycle(conn: Connection, cycle_id: str, position: int | None = None) -> Cycle | None:
    cond, params = as_of("c", position)
    rows = conn.execute(f"SELECT {CYCLE_COLUMNS} FROM {CYCLES.name} c "
                        f"WHERE c.cycle_id = ? AND {cond}", [cycle_id, *params])
    return _cycle(rows[0]) if rows else None


def cycles_page(conn: Connection, position: int | None = None, page: Page = EVERYTHING,
                organization_ids: Sequence[str] | None = None,
                ) -> tuple[list[Cycle], bool, int]:
    """Cycles, the latest period first; with `organization_ids`, only those organised by or
    assessing one of them."""
    cond, params = as_of("c", position)
    if organization_ids is not None:
        wanted = list(organization_ids) or [""]
        link_cond, link_params = as_of("l", position)
        cond += (f" AND (c.organizer_id IN ({marks(wanted)}) OR EXISTS (SELECT 1 FROM "
                 f"{ORG_UNITS.name} l WHERE l.cycle_id = c.cycle_id AND {link_cond} AND "
                 f"l.organization_id IN ({marks(wanted)})))")
        params = [*params, *wanted, *link_params, *wanted]
    rows, more = read_page(conn, CYCLE_COLUMNS, f"{CYCLES.name} c", cond, params,
                           ("c.period_start", "c.cycle_id"), page, descending=True)
    return [_cycle(row) for row in rows], more, count(conn, f"{CYCLES.name} c", cond, params)


@dataclass(frozen=True)
class Standing:
    """One organisation's line on a cycle's scoreboard."""

    cycle_id: str
    organization_id: str
    name: str
    category: str
    by_kind: dict[str, float | None]
    party_building: float | None
    adjustment: float
    business: str | None
    combined: float | None
    grade: str | None
    vetoes: list[dict[str, Any]]
    evaluated: int
    expected: int
    category_rank: int | None
    overall_rank: int | None
    place: int  # in the list asked for, from 1


STANDING_COLUMNS = ("u.cycle_id, u.organization_id, u.name, u.category, u.organizational, "
                    "u.mass, u.self, u.social, u.party_building, u.adjustment, u.business, "
                    "u.combined, u.grade, u.vetoes, u.evaluated, u.expected")


def _standing(row: Sequence[Any]) -> Standing:
    return Standing(row[0], row[1], row[2], row[3], dict(zip(EVALUATOR_KINDS, row[4:8],
                                                              strict=True)),
                    row[8], row[9], row[10], row[11], row[12], json.loads(row[13]), row[14],
                    row[15], row[16], row[17], row[18])


def _ranked(cycle_id: str, position: int | None, category: str | None,
            organization_ids: Sequence[str] | None) -> tuple[str, list[Any]]:
    """A cycle's lines with their ranks (over the whole cycle: within the category and overall;
    ties share a rank, unscored lines have none) and their place in the list asked for (best
    first, unscored last)."""
    cond, params = as_of("u", position)
    where: list[str] = []
    extra: list[Any] = []
    if category is not None:
        where.append("r.category = ?")
        extra.append(category)
    if organization_ids is not None:
        where.append(f"r.organization_id IN ({marks(organization_ids) or 'NULL'})")
        extra += list(organization_ids)
    ranked = (
        f"SELECT {STANDING_COLUMNS}, "
        "CASE WHEN u.combined IS NULL THEN NULL ELSE RANK() OVER (PARTITION BY u.category, "
        "u.combined IS NULL ORDER BY u.combined DESC) END AS category_rank, "
        "CASE WHEN u.combined IS NULL THEN NULL ELSE RANK() OVER (PARTITION BY "
        "u.combined IS NULL ORDER BY u.combined DESC) END AS overall_rank "
        f"FROM {UNITS.name} u WHERE u.cycle_id = ? AND {cond}")
    placed = (
        "SELECT r.*, ROW_NUMBER() OVER (ORDER BY r.combined IS NULL, r.combined DESC, r.name, "
        f"r.organization_id) AS place FROM ({ranked}) r "
        f"{'WHERE ' + ' AND '.join(where) if where else ''}")
    return f"({placed}) p", [cycle_id, *params, *extra]


def standings_page(conn: Connection, cycle_id: str, position: int | None = None,
                   category: str | None = None, organization_ids: Sequence[str] | None = None,
                   page: Page = EVERYTHING) -> tuple[list[Standing], bool, int]:
    """A page of a cycle's scoreboard (keyed by place in the ranking), whether more lie beyond
    it, and how many lines in all."""
    source, params = _ranked(cycle_id, position, category, organization_ids)
    rows, more = read_page(conn, "p.*", source, "1 = 1", params, ("p.place",), page)
    total = count(conn, source, "1 = 1", params)
    return [_standing(row) for row in rows], more, total


def standings(conn: Connection, cycle_id: str, position: int | None = None,
              category: str | None = None, organization_ids: Sequence[str] | None = None,
              ) -> list[Standing]:
    """A cycle's whole scoreboard, best first."""
    return standings_page(conn, cycle_id, position, category, organization_ids)[0]


def standing(conn: Connection, cycle_id: str, organization_id: str,
             position: int | None = None) -> Standing | None:
    found = standings(conn, cycle_id, position, organization_ids=[organization_id])
    return found[0] if found else None


def unit_inputs(conn: Connection, cycle_id: str, organization_id: str,
                position: int | None = None) -> dict[str, Any] | None:
    """What one organisation's scores are derived from, as it stood at `position`."""
    found = cycle(conn, cycle_id, position)
    unit_key = unit_of(cycle_id, organization_id)
    u_cond, u_params = as_of("u", position)
    rows = conn.execute(f"SELECT {', '.join('u.' + c for c in UNITS.column_names)} "
                        f"FROM {UNITS.name} u WHERE u.unit = ? AND {u_cond}",
                        [unit_key, *u_params])
    if found is None or not rows:
        return None
    unit = dict(zip(UNITS.column_names, rows[0], strict=True))
    i_cond, i_params = as_of("i", position)
    goals = conn.execute(f"SELECT i.items FROM {ITEMS.name} i WHERE i.unit = ? AND {i_cond}",
                         [unit_key, *i_params])[0][0]
    e_cond, e_params = as_of("e", position)
    evaluations = conn.execute(
        f"SELECT {', '.join('e.' + c for c in EVALS.column_names)} FROM {EVALS.name} e "
        f"WHERE e.unit = ? AND {e_cond} ORDER BY e.evaluation_id", [unit_key, *e_params])
    cycle_row = {"scheme": _json(found.scheme), "indicators": _json(found.indicators)}
    routine = []
    for routine_id in found.routine_cycle_ids:
        composed = cycle(conn, routine_id, position)
        part = standing(conn, routine_id, organization_id, position)
        if composed is not None:
            routine.append(RoutineResult(routine_id, composed.title,
                                         _decimal(part.combined if part else None)))
    return inputs(cycle_row, unit, goals, [dict(zip(EVALS.column_names, row, strict=True))
                                    for row in evaluations], routine)


def score_card(conn: Connection, cycle_id: str, organization_id: str,
               position: int | None = None) -> ScoreCard | None:
    """The full derivation for one organisation (items, pending evaluations, explanation),
    recomputed from the rows as they stood at `position`: the same function folded them."""
    found = unit_inputs(conn, cycle_id, organization_id, position)
    return score(**found) if found is not None else None


def evaluation_scope(conn: Connection, evaluation_id: str) -> tuple[str, str, str] | None:
    """The cycle, organisation and evaluator kind of an evaluation."""
    rows = conn.execute(
        f"SELECT e.unit, e.evaluator_kind FROM {EVALS.name} e "
        "WHERE e.evaluation_id = ? AND e.valid_to IS NULL", [evaluation_id])
    if not rows:
        return None
    cycle_id, organization_id = rows[0][0].split(":")
    return cycle_id, organization_id, rows[0][1]


def evaluator_of(conn: Connection, evaluation_id: str) -> str | None:
    """Who recorded an evaluation (an actor: `person:<id>`, `admin`), which corrections keep."""
    rows = conn.execute(f"SELECT e.evaluator FROM {EVALS.name} e "
                        "WHERE e.evaluation_id = ? AND e.valid_to IS NULL", [evaluation_id])
    return str(rows[0][0]) if rows else None


@dataclass(frozen=True)
class Change:
    position: int
    actor: str
    action: str
    reason: str
    ref: str | None
    detail: dict[str, Any] | None


def changes_between(conn: Connection, cycle_id: str, organization_id: str, after: int,
                    until: int) -> list[Change]:
    """The events that moved one organisation's score in (after, until], oldest first."""
    rows = conn.execute(
        f"SELECT position, actor, action, reason, ref, detail FROM {CHANGES.name} "
        "WHERE unit = ? AND position > ? AND position <= ? ORDER BY position",
        [unit_of(cycle_id, organization_id), after, until])
    return [Change(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]) if r[5] else None)
            for r in rows]


@dataclass(frozen=True)
class LibraryEntry:
    id: str
    item: str
    content: str
    criteria: str
    max_points: str
    rubric: list[dict[str, Any]] | None
    revision: int


def library_page(conn: Connection, position: int | None = None,
                 page: Page = EVERYTHING) -> tuple[list[LibraryEntry], bool, int]:
    """The indicator library, by item."""
    cond, params = as_of("i", position)
    rows, more = read_page(conn, ", ".join("i." + c for c in LIBRARY.column_names),
                           f"{LIBRARY.name} i", cond, params, ("i.item", "i.indicator_id"), page)
    return ([LibraryEntry(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6]) for r in rows],
            more, count(conn, f"{LIBRARY.name} i", cond, params))


def library(conn: Connection, position: int | None = None) -> list[LibraryEntry]:
    return library_page(conn, position)[0]


@dataclass(frozen=True)
class Rollup:
    """The scores of the assessed organisations in one subtree (the organisation included)."""

    assessed: int
    scored: int
    mean: float | None
    best: float | None
    worst: float | None


def rollup(conn: Connection, cycle_id: str, organization_id: str,
           position: int | None = None) -> Rollup:
    """Up the organisation tree: the unweighted mean of the combined scores of the assessed
    organisations at or below `organization_id` (as the tree stood at `position`)."""
    subtree = [n.id for n in tree.descendants(conn, organization_id, position)]
    lines = standings(conn, cycle_id, position, organization_ids=subtree)
    scores = [line.combined for line in lines if line.combined is not None]
    return Rollup(len(lines), len(scores),
                  round(sum(scores) / len(scores), 2) if scores else None,
                  max(scores, default=None), min(scores, default=None))


# ---- scores for the accountability view -----------------------------------------------------

@dataclass(frozen=True)
class AssessedIn:
    """A cycle that assesses an organisation, with the goals it scores there."""

    cycle_id: str
    cycle_title: str
    organization_id: str
    goal_ids: frozenset[str]


def assessments_of(conn: Connection, organization_ids: Sequence[str],
                   position: int | None = None) -> dict[str, list[AssessedIn]]:
    """Per organisation, the cycles past drafting that assess it, the one to show first first:
    published or locked cycles before the rest (their scores are final), then the latest period
    end first."""
    if not organization_ids:
        return {}
    u_cond, u_params = as_of("u", position)
    c_cond, c_params = as_of("c", position)
    i_cond, i_params = as_of("i", position)
    rows = conn.execute(
        f"SELECT u.organization_id, u.cycle_id, c.title, i.items FROM {UNITS.name} u "
        f"JOIN {CYCLES.name} c ON c.cycle_id = u.cycle_id "
        f"JOIN {ITEMS.name} i ON i.unit = u.unit AND {i_cond} "
        f"WHERE u.organization_id IN ({marks(organization_ids)}) AND c.status <> 'drafted' "
        f"AND {u_cond} AND {c_cond} ORDER BY u.organization_id, "
        f"CASE WHEN c.status IN ({marks(FROZEN)}) THEN 0 ELSE 1 END, c.period_end DESC, "
        "u.cycle_id DESC",
        [*i_params, *organization_ids, *u_params, *c_params, *FROZEN])
    found: dict[str, list[AssessedIn]] = {}
    for organization_id, cycle_id, title, items in rows:
        found.setdefault(organization_id, []).append(AssessedIn(
            cycle_id, title, organization_id, frozenset(i["id"] for i in json.loads(items))))
    return found


@dataclass(frozen=True)
class GoalScore:
    """A goal's item score (its evaluator kinds' scores weighed by the cycle's scheme) in the
    cycle it is shown from."""

    cycle_id: str
    cycle_title: str
    score: float | None


def goal_scores(conn: Connection, goal_ids: Sequence[str],
                position: int | None = None) -> dict[str, GoalScore]:
    """Each goal's score from the first cycle (see `assessments_of`) that scores it as an
    item of its organisation, derived from the evaluations as they stood at `position`.
    Goals no cycle scores are left out."""
    if not goal_ids:
        return {}
    cond, params = as_of("o", position)
    owners: dict[str, str] = {row[0]: row[1] for row in conn.execute(
        f"SELECT o.goal_id, o.organization_id FROM {GOAL_OWNERS.name} o "
        f"WHERE o.goal_id IN ({marks(goal_ids)}) AND {cond}", [*goal_ids, *params])}
    assessed = assessments_of(conn, sorted(set(owners.values())), position)
    cards: dict[tuple[str, str], ScoreCard | None] = {}
    found: dict[str, GoalScore] = {}
    for goal_id in goal_ids:
        unit = next((a for a in assessed.get(owners.get(goal_id, ""), [])
                     if goal_id in a.goal_ids), None)
        if unit is None:
            continue
        key = (unit.cycle_id, unit.organization_id)
        if key not in cards:
            cards[key] = score_card(conn, unit.cycle_id, unit.organization_id, position)
        card = cards[key]
        value = None if card is None else card.item_combined.get(goal_id)
        found[goal_id] = GoalScore(unit.cycle_id, unit.cycle_title,
                                   None if value is None else float(rounded(value)))
    return found


def latest_standing(conn: Connection, organization_id: str,
                    position: int | None = None) -> tuple[AssessedIn, Standing] | None:
    """The organisation's line in the first cycle (see `assessments_of`) that assesses it."""
    for unit in assessments_of(conn, [organization_id], position).get(organization_id, []):
        line = standing(conn, unit.cycle_id, organization_id, position)
        if line is not None:
            return unit, line
    return None
