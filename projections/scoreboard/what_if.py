"""A cycle scored again under another scheme, in memory: its inputs read as they stood at a
position, run through `domain.standings` (what the fold runs for each unit), beside the
scoreboard's own lines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from domain.scoring import EVALUATOR_KINDS, RoutineResult, Scheme
from domain.standings import Entrant, Line, UnitInputs, standings
from projections.scoreboard.queries import Cycle, Standing, cycle
from projections.scoreboard.queries import standings as actual_standings
from projections.scoreboard.tables import UNITS
from projections.scoreboard.units import _decimal, unit_facts
from projections.temporal import as_of
from store.db import Connection

UNIT_COLUMNS = ("organization_id", "name", "category", *EVALUATOR_KINDS, "business",
                "adjustments", "vetoes", "combined")


@dataclass(frozen=True)
class Comparison:
    """An organisation's line as the scoreboard shows it and under the other scheme."""

    actual: Standing
    hypothetical: Line


def entrants(conn: Connection, found: Cycle, position: int | None) -> list[Entrant]:
    """The cycle's organisations with what their figures derive from at `position`: the
    kinds' scores the fold kept (exact: kept to a millionth), bonus and deduction items,
    business scores, vetoes, and the routine cycles' combined scores for an annual cycle."""
    units = _units(conn, found.id, position)
    parts: list[tuple[str, str, dict[str, float | None]]] = []
    for routine_id in found.routine_cycle_ids:
        composed = cycle(conn, routine_id, position)
        if composed is not None:
            parts.append((routine_id, composed.title, {
                row["organization_id"]: row["combined"]
                for row in _units(conn, routine_id, position)}))
    return [Entrant(
        unit["organization_id"], unit["name"], unit["category"], UnitInputs(
            by_kind={kind: _decimal(unit[kind]) for kind in EVALUATOR_KINDS},
            routine=[RoutineResult(routine_id, title,
                                   _decimal(combined.get(unit["organization_id"])))
                     for routine_id, title, combined in parts],
            **unit_facts(unit)))
        for unit in units]


def _units(conn: Connection, cycle_id: str, position: int | None) -> list[dict[str, Any]]:
    cond, params = as_of("u", position)
    rows = conn.execute(f"SELECT {', '.join('u.' + c for c in UNIT_COLUMNS)} "
                        f"FROM {UNITS.name} u WHERE u.cycle_id = ? AND {cond}",
                        [cycle_id, *params])
    return [dict(zip(UNIT_COLUMNS, row, strict=True)) for row in rows]


def what_if(conn: Connection, found: Cycle, scheme: Scheme, position: int | None = None,
            organization_ids: Sequence[str] | None = None) -> list[Comparison]:
    """Every line of the cycle at `position` (with `organization_ids`, only theirs; ranks are
    over the whole cycle either way) beside its figures under `scheme`, in the order of the
    scheme's ranking."""
    actual = {line.organization_id: line
              for line in actual_standings(conn, found.id, position)}
    wanted = None if organization_ids is None else set(organization_ids)
    return [Comparison(actual[line.organization_id], line)
            for line in standings(scheme, entrants(conn, found, position))
            if (wanted is None or line.organization_id in wanted)
            and line.organization_id in actual]
