"""The scoreboard's records one by one, as `node(id)` and a score card list them: an evaluation,
a bonus or deduction item (an adjustment), an indicator of the library; each as it stood at a
position."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from projections.scoreboard.queries import LibraryEntry
from projections.scoreboard.tables import CHANGES, CYCLES, EVALS, LIBRARY, UNITS
from projections.scoreboard.units import unit_of
from projections.temporal import as_of
from store.db import Connection


@dataclass(frozen=True)
class EvaluationView:
    id: str
    cycle_id: str
    organization_id: str
    item_id: str
    item_kind: str  # goal or indicator
    evaluator_kind: str
    evaluator: str  # the recorded actor
    points: str
    max_points: str
    rubric_level: str | None
    comment: str


@dataclass(frozen=True)
class AdjustmentView:
    id: str
    cycle_id: str
    organization_id: str
    item: str
    points: str
    reason: str
    proposer: str
    approved: bool
    approver: str | None


def _indicator_ids(conn: Connection, cycle_id: str, position: int | None) -> set[str]:
    cond, params = as_of("c", position)
    rows = conn.execute(f"SELECT c.indicators FROM {CYCLES.name} c "
                        f"WHERE c.cycle_id = ? AND {cond}", [cycle_id, *params])
    return {i["id"] for i in json.loads(rows[0][0])} if rows else set()


def _evaluations(conn: Connection, where: str, params: Sequence[Any],
                 position: int | None) -> list[EvaluationView]:
    cond, as_of_params = as_of("e", position)
    rows = conn.execute(
        "SELECT e.evaluation_id, e.unit, e.item_id, e.evaluator_kind, e.evaluator, e.points, "
        f"e.max_points, e.rubric_level, e.comment FROM {EVALS.name} e "
        f"WHERE {where} AND {cond} ORDER BY e.evaluation_id", [*params, *as_of_params])
    indicators: dict[str, set[str]] = {}
    found = []
    for row in rows:
        cycle_id, _, organization_id = str(row[1]).partition(":")
        if cycle_id not in indicators:
            indicators[cycle_id] = _indicator_ids(conn, cycle_id, position)
        found.append(EvaluationView(
            row[0], cycle_id, organization_id, row[2],
            "indicator" if row[2] in indicators[cycle_id] else "goal", row[3], row[4], row[5],
            row[6], row[7], row[8]))
    return found


def evaluation(conn: Connection, evaluation_id: str,
               position: int | None = None) -> EvaluationView | None:
    found = _evaluations(conn, "e.evaluation_id = ?", [evaluation_id], position)
    return found[0] if found else None


def evaluations_of(conn: Connection, cycle_id: str, organization_id: str,
                   position: int | None = None) -> list[EvaluationView]:
    """One organisation's evaluations in a cycle."""
    return _evaluations(conn, "e.unit = ?", [unit_of(cycle_id, organization_id)], position)


def adjustments_of(conn: Connection, cycle_id: str, organization_id: str,
                   position: int | None = None) -> list[AdjustmentView]:
    """One organisation's bonus and deduction items in a cycle, proposed or approved, in the
    order they were proposed."""
    cond, params = as_of("u", position)
    rows = conn.execute(f"SELECT u.adjustments FROM {UNITS.name} u WHERE u.unit = ? AND {cond}",
                        [unit_of(cycle_id, organization_id), *params])
    if not rows:
        return []
    return [AdjustmentView(a["id"], cycle_id, organization_id, a["item"], a["points"],
                           a["reason"], a["proposer"], a["approved"], a["approver"])
            for a in json.loads(rows[0][0])]


def adjustment(conn: Connection, adjustment_id: str,
               position: int | None = None) -> AdjustmentView | None:
    """An adjustment, found through the change its proposal noted on its unit."""
    rows = conn.execute(
        f"SELECT c.unit FROM {CHANGES.name} c WHERE c.ref = ? AND c.action = ? "
        f"{'AND c.position <= ?' if position is not None else ''}",
        [adjustment_id, "AdjustmentProposed", *([position] if position is not None else [])])
    if not rows:
        return None
    cycle_id, _, organization_id = str(rows[0][0]).partition(":")
    return next((a for a in adjustments_of(conn, cycle_id, organization_id, position)
                 if a.id == adjustment_id), None)


def library_entry(conn: Connection, indicator_id: str,
                  position: int | None = None) -> LibraryEntry | None:
    """An indicator of the library, in the revision it had at `position`."""
    cond, params = as_of("i", position)
    rows = conn.execute(f"SELECT {', '.join('i.' + c for c in LIBRARY.column_names)} "
                        f"FROM {LIBRARY.name} i WHERE i.indicator_id = ? AND {cond}",
                        [indicator_id, *params])
    return (LibraryEntry(rows[0][0], rows[0][1], rows[0][2], rows[0][3], rows[0][4],
                         json.loads(rows[0][5]), rows[0][6], rows[0][7]) if rows else None)
