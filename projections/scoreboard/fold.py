"""The scoreboard's fold: a handler per event, and the projection."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, ClassVar

from domain.cycles import AssessmentCycle
from domain.evaluations import Evaluation
from domain.goals import Goal
from domain.indicators import LibraryIndicator
from domain.meeting_rules import MeetingRuleSet
from domain.meetings import Meeting
from domain.organizations import Organization
from domain.scoring import (
    Tally,
)
from projections.engine import Handler, Projection
from projections.scoreboard.measured import (
    NOT_MEASURED,
    freeze,
    go_live,
    meeting_cancelled,
    meeting_recorded,
    org_moved,
    rules_defined,
    rules_revised,
)
from projections.scoreboard.tables import (
    CHANGES,
    CYCLES,
    EVALS,
    FROZEN,
    GOAL_OWNERS,
    GOALS,
    ITEMS,
    LIBRARY,
    MEASURED,
    MEETING_OWNERS,
    MEETINGS,
    ORG_UNITS,
    ORGS,
    RULE_SETS,
    UNITS,
)
from projections.scoreboard.units import (
    _json,
    goal_items,
    mark_of,
    note,
    refresh_items,
    rescore,
    rescore_cycle,
    tallies_of,
    unit_of,
)
from projections.temporal import Batch

# ---- folding: the indicator library, organisations and goals ---------------------------

def indicator_defined(e: LibraryIndicator.Defined | LibraryIndicator.Revised,
                      b: Batch) -> None:
    current = b[LIBRARY.name].peek(b.subject)
    b[LIBRARY.name].put({
        "indicator_id": b.subject, "item": e.item, "content": e.content,
        "criteria": e.criteria, "max_points": str(e.max_points), "rubric": _json(e.rubric),
        "source": e.source, "revision": current["revision"] + 1 if current else 1})


def org_registered(e: Organization.Registered, b: Batch) -> None:
    b[ORGS.name].put({"organization_id": b.subject, "name": e.name, "category": e.category,
                      "kind": e.kind,
                      "parent_id": str(e.parent_id) if e.parent_id else None})


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
            "expected": 0, "measures": NOT_MEASURED})
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


def then(first: Handler, *more: Callable[[Batch, str], None]) -> Handler:
    """A cycle's handler, then steps over the cycle it changed."""
    def handler(e: Any, b: Batch) -> None:
        first(e, b)
        for step in more:
            step(b, b.subject)
    return handler


def published(e: AssessmentCycle.Published, b: Batch) -> None:
    cycle_changed(status="published")(e, b)
    freeze(e, b)


def business_imported(e: AssessmentCycle.BusinessScoresImported, b: Batch) -> None:
    for organization_id, value in e.scores.items():
        unit_key = unit_of(b.subject, organization_id)
        unit = b[UNITS.name].get(unit_key)
        assert unit is not None
        before = unit["business"]
        b[UNITS.name].put({**unit, "business": str(value)})
        rescore(b, b.subject, organization_id)
        note(b, unit_key, e, detail={"before": before, "after": str(value)})


def adjustment_proposed(e: AssessmentCycle.AdjustmentProposed, b: Batch) -> None:
    unit_key = unit_of(b.subject, str(e.organization_id))
    unit = b[UNITS.name].get(unit_key)
    assert unit is not None
    adjustments = json.loads(unit["adjustments"])
    adjustments.append({"id": str(e.adjustment_id), "item": e.item, "points": str(e.points),
                        "reason": e.reason, "proposer": e.actor, "approved": False,
                        "approver": None})
    b[UNITS.name].put({**unit, "adjustments": _json(adjustments)})
    note(b, unit_key, e, str(e.adjustment_id),
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
    note(b, unit_key, e, str(e.adjustment_id))


def veto_changed(e: AssessmentCycle.VetoApplied | AssessmentCycle.VetoLifted,
                 b: Batch) -> None:
    unit_key = unit_of(b.subject, str(e.organization_id))
    unit = b[UNITS.name].get(unit_key)
    assert unit is not None
    vetoes = [v for v in json.loads(unit["vetoes"]) if v["condition"] != e.condition]
    applied = isinstance(e, AssessmentCycle.VetoApplied)
    if applied:
        # The cap is the scheme's, read when scoring: it follows a revised scheme.
        vetoes.append({"condition": e.condition, "reason": e.reason})
    b[UNITS.name].put({**unit, "vetoes": _json(vetoes)})
    rescore(b, b.subject, str(e.organization_id))
    note(b, unit_key, e, detail={"condition": e.condition})


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
    note(b, unit_key, e, b.subject,
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
    note(b, unit_key, e, b.subject,
         {"item": row["item_id"], "kind": row["evaluator_kind"], "before": before,
          "after": str(e.points)})


class Scoreboard(Projection):
    name = "scoreboard"
    # 2: a unit's items apart from its scores; 3: kinds' scores kept to a millionth, veto
    # caps taken from the scheme when scoring; 4: changes named as the audit log names events;
    # 5: computed indicators, measured from the meetings and rule sets folded here
    version = 5
    tables = (LIBRARY, CYCLES, ORGS, GOALS, GOAL_OWNERS, ORG_UNITS, UNITS, ITEMS, EVALS,
              CHANGES, MEETINGS, MEETING_OWNERS, RULE_SETS, MEASURED)
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
        AssessmentCycle.Opened: then(cycle_changed(
            status="opened", indicators=lambda e, c: _json(e.indicators)), go_live),
        AssessmentCycle.Advanced: cycle_changed(status=lambda e, c: e.status),
        AssessmentCycle.Published: published,
        AssessmentCycle.Locked: cycle_changed(status="locked"),
        AssessmentCycle.ReopenRequested: cycle_changed(
            reopen_requested_by=lambda e, c: e.actor),
        AssessmentCycle.Reopened: then(cycle_changed(status="under_review",
                                                     reopen_requested_by=None), go_live),
        AssessmentCycle.BusinessScoresImported: business_imported,
        AssessmentCycle.AdjustmentProposed: adjustment_proposed,
        AssessmentCycle.AdjustmentApproved: adjustment_approved,
        AssessmentCycle.VetoApplied: veto_changed,
        AssessmentCycle.VetoLifted: veto_changed,
        Evaluation.Recorded: evaluation_recorded,
        Evaluation.Revised: evaluation_rescored,
        Evaluation.Corrected: evaluation_rescored,
        Organization.Moved: org_moved,
        Meeting.Recorded: meeting_recorded,
        Meeting.Cancelled: meeting_cancelled,
        MeetingRuleSet.Defined: rules_defined,
        MeetingRuleSet.Revised: rules_revised,
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
        if isinstance(event, Meeting.Event):
            return {MEETING_OWNERS.name: subject}
        if isinstance(event, MeetingRuleSet.Event):
            return {RULE_SETS.name: subject}
        return {ORGS.name: subject, ORG_UNITS.name: subject}


# ---- queries ---------------------------------------------------------------------------------
