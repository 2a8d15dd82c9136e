"""Read model: goals with filters, the goal tree with weights, and progress (the latest report
by effective date, and completion against the target honouring the indicator's direction)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, ClassVar

import orjson

from domain.goals import Goal
from projections.engine import Handler, Projection
from projections.organization_tree import NODES
from projections.pages import EVERYTHING, Page, count, read_page
from projections.temporal import Batch, TemporalTable, as_of
from store.audit_reads import recorded_times
from store.db import Connection, marks

GOALS = TemporalTable(
    "view_goals", ("id",),
    {"id": "TEXT", "parent_id": "TEXT", "organization_id": "TEXT", "level": "TEXT",
     "field": "TEXT", "title": "TEXT", "description": "TEXT", "period_start": "TEXT",
     "period_end": "TEXT", "indicator": "TEXT", "weight": "BIGINT", "status": "TEXT",
     "letter_id": "TEXT"},
    partition="id", indexes=(("parent_id",), ("organization_id",)),
)
# Progress changes far more often than a goal's definition: a narrow table of its own keeps
# each report's new version small.
PROGRESS = TemporalTable(
    "view_goal_progress", ("goal_id",),
    {"goal_id": "TEXT", "reports": "BIGINT", "value": "TEXT", "level": "TEXT", "date": "TEXT",
     "completion": "DOUBLE PRECISION"},
    partition="goal_id",
)
# Every progress report as it was made: written once, never superseded (read through the
# current index: `valid_to IS NULL`).
REPORTS = TemporalTable(
    "view_goal_reports", ("goal_id", "position"),
    {"goal_id": "TEXT", "position": "BIGINT", "value": "TEXT", "level": "TEXT",
     "effective_date": "TEXT", "evidence": "TEXT", "reason": "TEXT", "actor": "TEXT"},
    partition="goal_id", append_only=True, history_index=False,
)


@lru_cache(maxsize=4096)
def _parsed(indicator: str) -> dict[str, Any]:
    """Indicators repeat across many goals and reports: parse each text once."""
    parsed: dict[str, Any] = json.loads(indicator)
    return parsed


def _json(indicator: dict[str, Any]) -> str:
    return json.dumps(indicator, default=str, ensure_ascii=False, sort_keys=True)


def completion(indicator: dict[str, Any], value: str | None, level: str | None) -> float | None:
    """How far the latest report is towards the target: 0 at the baseline, 1 on target (more
    beyond it); for a rubric, the level's score over the best score."""
    if indicator["kind"] == "qualitative":
        scores = {lvl["name"]: Decimal(str(lvl["score"])) for lvl in indicator["levels"]}
        best = max(scores.values())
        if level is None or level not in scores or best == 0:
            return None
        return round(float(scores[level] / best), 6)
    if value is None:
        return None
    baseline, target = Decimal(str(indicator["baseline"])), Decimal(str(indicator["target"]))
    span = target - baseline
    if indicator["direction"] == "lower_is_better":
        span, progress = -span, baseline - Decimal(value)
    else:
        progress = Decimal(value) - baseline
    if span == 0:
        return 1.0 if progress >= 0 else 0.0
    ratio = float(progress / span)
    # A value the boundary now refuses (1E+400) may still be in an older log: no figure then.
    return round(max(0.0, ratio), 6) if math.isfinite(ratio) else None


@lru_cache(maxsize=4096)
def _completion(indicator: str, value: str | None, level: str | None) -> float | None:
    """`completion` of an indicator's text: reports repeat the same few values against the
    same few indicators, and a rebuild folds hundreds of thousands of them."""
    return completion(_parsed(indicator), value, level)


def drafted(e: Goal.Drafted, b: Batch) -> None:
    b[GOALS.name].put({
        "id": b.subject, "parent_id": str(e.parent_id) if e.parent_id else None,
        "organization_id": str(e.organization_id), "level": e.level, "field": e.field,
        "title": e.title, "description": e.description,
        "period_start": e.period_start.isoformat(), "period_end": e.period_end.isoformat(),
        "indicator": _json(e.indicator), "weight": e.weight, "status": "drafted",
        "letter_id": None,
    })


def _goal(e: Any, b: Batch) -> dict[str, Any]:
    row = b[GOALS.name].get(b.subject)
    assert row is not None, f"goal {e.originator_id} was never drafted"
    return row


def revised(e: Goal.Revised, b: Batch) -> None:
    row = _goal(e, b)
    for name in ("title", "description", "field"):
        if getattr(e, name) is not None:
            row[name] = getattr(e, name)
    if e.period_start is not None:
        row["period_start"] = e.period_start.isoformat()
    if e.period_end is not None:
        row["period_end"] = e.period_end.isoformat()
    if e.indicator is not None:
        row["indicator"] = _json(e.indicator)
        progress = b[PROGRESS.name].get(b.subject)
        if progress is not None:
            progress["completion"] = completion(e.indicator, progress["value"],
                                                progress["level"])
            b[PROGRESS.name].put(progress)
    b[GOALS.name].put(row)


def progress_reported(e: Goal.ProgressReported, b: Batch) -> None:
    row = b[PROGRESS.name].get(b.subject) or {
        "goal_id": b.subject, "reports": 0, "value": None, "level": None, "date": None,
        "completion": None}
    row["reports"] += 1
    reported = e.effective_date.isoformat()
    # The latest report is the one with the latest effective date; a late-filed report about
    # an earlier quarter does not replace it.
    if row["date"] is None or reported >= row["date"]:
        row["value"] = str(e.value) if e.value is not None else None
        row["level"] = e.rubric_level
        row["date"] = reported
        goal = b[GOALS.name].peek(b.subject)
        assert goal is not None, f"goal {b.subject} was never drafted"
        row["completion"] = _completion(goal["indicator"], row["value"], row["level"])
    b[PROGRESS.name].put(row)
    b[REPORTS.name].append((b.subject, b.position,
                            str(e.value) if e.value is not None else None, e.rubric_level,
                            reported, json.dumps(list(e.evidence), ensure_ascii=False),
                            e.reason, e.actor))


def _status(status: str) -> Handler:
    def handler(e: Any, b: Batch) -> None:
        b[GOALS.name].put({**_goal(e, b), "status": status})
    return handler


class Goals(Projection):
    name = "goals"
    # 2: progress moved to its own table; 3: the signed letter a goal is on; 4: every report
    version = 4
    tables = (GOALS, PROGRESS, REPORTS)
    handlers: ClassVar[dict[type[Any], Handler]] = {
        Goal.Drafted: drafted,
        Goal.Revised: revised,
        Goal.Reweighted: lambda e, b: b[GOALS.name].put({**_goal(e, b), "weight": e.weight}),
        Goal.Issued: _status("issued"),
        Goal.Closed: _status("closed"),
        Goal.Cancelled: _status("cancelled"),
        Goal.ProgressReported: progress_reported,
        Goal.BoundToLetter: lambda e, b: b[GOALS.name].put({**_goal(e, b),
                                                            "letter_id": str(e.letter_id)}),
    }


# ---- queries ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class GoalView:
    id: str
    parent_id: str | None
    organization_id: str
    level: str
    field: str
    title: str
    description: str
    period_start: date
    period_end: date
    indicator: dict[str, Any]
    weight: int
    status: str
    progress_reports: int
    progress_value: Decimal | None
    progress_level: str | None
    progress_date: date | None
    completion: float | None
    letter_id: str | None = None  # the signed responsibility letter the goal is on
    depth: int = 0

    @classmethod
    def from_row(cls, r: tuple[Any, ...]) -> GoalView:
        return cls(
            r[0], r[1], r[2], r[3], r[4], r[5], r[6], date.fromisoformat(r[7]),
            date.fromisoformat(r[8]), orjson.loads(r[9]), r[10], r[11], r[12],
            Decimal(r[13]) if r[13] is not None else None, r[14],
            date.fromisoformat(r[15]) if r[15] else None, r[16], r[17],
            r[18] if len(r) > 18 else 0,
        )


COLUMNS = ("g.id, g.parent_id, g.organization_id, g.level, g.field, g.title, g.description, "
           "g.period_start, g.period_end, g.indicator, g.weight, g.status, "
           "coalesce(p.reports, 0), p.value, p.level, p.date, p.completion, g.letter_id")


def _with_progress(conn: Connection, position: int | None) -> tuple[str, list[Any]]:
    """The join that brings each goal's progress (as of `position`) beside it. On PostgreSQL
    the version visible at a position is each goal's latest begun by then (if not ended), one
    descent of the history index per goal; the plain as-of condition reads every version
    begun by then (thousands, after a year of reports). SQLite has no LATERAL."""
    if position is not None and conn.dialect == "postgresql":
        return (f" LEFT JOIN LATERAL (SELECT * FROM {PROGRESS.name} v WHERE v.goal_id = g.id "
                "AND v.valid_from <= ? ORDER BY v.valid_from DESC, v.valid_to DESC LIMIT 1) p "
                "ON p.valid_to IS NULL OR p.valid_to > ?", [position, position])
    cond, params = as_of("p", position)
    return f" LEFT JOIN {PROGRESS.name} p ON p.goal_id = g.id AND {cond}", params


@dataclass(frozen=True)
class GoalFilter:
    organization_ids: tuple[str, ...] | None = None  # e.g. a subtree from organization_tree
    level: str | None = None
    field: str | None = None
    status: str | None = None
    overlapping: tuple[date, date] | None = None  # goals whose period overlaps this one
    category: str | None = None  # of organisations of this category (分类考核)


def goal(conn: Connection, goal_id: str, position: int | None = None) -> GoalView | None:
    cond, params = as_of("g", position)
    join, joined = _with_progress(conn, position)
    rows = conn.execute(f"SELECT {COLUMNS} FROM {GOALS.name} g{join} WHERE g.id = ? AND {cond}",
                        [*joined, goal_id, *params])
    return GoalView.from_row(rows[0]) if rows else None


def organization_of(conn: Connection, goal_id: str) -> str | None:
    """The organisation a goal belongs to now (what a policy check needs: no progress join)."""
    rows = conn.execute(f"SELECT organization_id FROM {GOALS.name} "
                        "WHERE id = ? AND valid_to IS NULL", [goal_id])
    return str(rows[0][0]) if rows else None


def goals_by_id(conn: Connection, ids: Sequence[str],
                position: int | None = None) -> dict[str, GoalView]:
    """Several goals at once (for dataloaders), by id."""
    if not ids:
        return {}
    cond, params = as_of("g", position)
    join, joined = _with_progress(conn, position)
    rows = conn.execute(f"SELECT {COLUMNS} FROM {GOALS.name} g{join} "
                        f"WHERE g.id IN ({marks(ids)}) AND {cond}",
                        [*joined, *ids, *params])
    return {row[0]: GoalView.from_row(row) for row in rows}


def subgoals_of(conn: Connection, parent_ids: Sequence[str],
                position: int | None = None) -> dict[str, list[GoalView]]:
    """The direct subgoals of several goals at once, by title."""
    found: dict[str, list[GoalView]] = {parent: [] for parent in parent_ids}
    if not parent_ids:
        return found
    cond, params = as_of("g", position)
    join, joined = _with_progress(conn, position)
    rows = conn.execute(f"SELECT {COLUMNS} FROM {GOALS.name} g{join} "
                        f"WHERE g.parent_id IN ({marks(parent_ids)}) AND {cond} "
                        "ORDER BY g.title, g.id", [*joined, *parent_ids, *params])
    for row in rows:
        view = GoalView.from_row(row)
        found[view.parent_id or ""].append(view)
    return found


def _where(where: GoalFilter, position: int | None) -> tuple[str, list[Any]] | None:
    cond, params = as_of("g", position)
    clauses, values = [cond], list(params)
    if where.organization_ids is not None:
        if not where.organization_ids:
            return None
        clauses.append(f"g.organization_id IN ({marks(where.organization_ids)})")
        values += where.organization_ids
    for column in ("level", "field", "status"):
        if getattr(where, column) is not None:
            clauses.append(f"g.{column} = ?")
            values.append(getattr(where, column))
    if where.overlapping is not None:
        clauses.append("g.period_start <= ? AND g.period_end >= ?")
        values += [where.overlapping[1].isoformat(), where.overlapping[0].isoformat()]
    if where.category is not None:
        node_cond, node_params = as_of("n", position)
        clauses.append(f"g.organization_id IN (SELECT n.id FROM {NODES.name} n "
                       f"WHERE n.category = ? AND {node_cond})")
        values += [where.category, *node_params]
    return " AND ".join(clauses), values


def goals(conn: Connection, where: GoalFilter = GoalFilter(),
          position: int | None = None) -> list[GoalView]:
    """Every goal matching the filter, by period, title and id."""
    return goals_page(conn, where, position)[0]


SortKey = tuple[str, str, str]  # period_start, title, id: the keyset of a goal list


def sort_key(view: GoalView) -> SortKey:
    return (view.period_start.isoformat(), view.title, view.id)


SORT = ("g.period_start", "g.title", "g.id")


def goals_page(conn: Connection, where: GoalFilter, position: int | None,
               page: Page = EVERYTHING) -> tuple[list[GoalView], bool]:
    """A keyset page of goals in (period, title, id) order, and whether more lie beyond."""
    found = _where(where, position)
    if found is None:
        return [], False
    clause, values = found
    join, joined = _with_progress(conn, position)
    rows, more = read_page(conn, COLUMNS, f"{GOALS.name} g{join}", clause, [*joined, *values],
                           SORT, page)
    return [GoalView.from_row(r) for r in rows], more


def count_goals(conn: Connection, where: GoalFilter, position: int | None) -> int:
    found = _where(where, position)
    return count(conn, f"{GOALS.name} g", *found) if found else 0


def goal_tree(conn: Connection, root_id: str, position: int | None = None) -> list[GoalView]:
    """A goal and everything decomposed from it, with weights, parents before children."""
    cond, params = as_of("g", position)
    join, joined = _with_progress(conn, position)
    rows = conn.execute(
        f"WITH RECURSIVE tree(id, depth) AS ("
        f" SELECT g.id, 0 FROM {GOALS.name} g WHERE g.id = ? AND {cond}"
        f" UNION ALL SELECT g.id, tree.depth + 1 FROM {GOALS.name} g"
        f" JOIN tree ON g.parent_id = tree.id WHERE {cond})"
        f" SELECT {COLUMNS}, tree.depth FROM tree JOIN {GOALS.name} g ON g.id = tree.id{join}"
        f" WHERE {cond} ORDER BY tree.depth, g.title, g.id",
        [root_id, *params, *params, *joined, *params])
    return [GoalView.from_row(r) for r in rows]


@dataclass(frozen=True)
class ReportView:
    """One progress report as it was made."""

    goal_id: str
    position: int
    value: Decimal | None
    rubric_level: str | None
    effective_date: date
    evidence: list[str]
    reason: str
    actor: str
    recorded_at: datetime


def reports_of(conn: Connection, goal_ids: Sequence[str],
               position: int | None = None) -> dict[str, list[ReportView]]:
    """The progress reports of several goals at once, by effective date, then as recorded."""
    found: dict[str, list[ReportView]] = {goal: [] for goal in goal_ids}
    if not goal_ids:
        return found
    # Reports are never superseded: as of a position, those written by then.
    upto, params = ("", []) if position is None else (" AND r.valid_from <= ?", [position])
    rows = conn.execute(
        "SELECT r.goal_id, r.position, r.value, r.level, r.effective_date, r.evidence, "
        f"r.reason, r.actor FROM {REPORTS.name} r WHERE r.goal_id IN ({marks(goal_ids)}) "
        f"AND r.valid_to IS NULL{upto} ORDER BY r.goal_id, r.effective_date, r.position",
        [*goal_ids, *params])
    recorded = recorded_times(conn, [int(r[1]) for r in rows])
    for r in rows:
        found[r[0]].append(ReportView(
            r[0], int(r[1]), Decimal(r[2]) if r[2] is not None else None, r[3],
            date.fromisoformat(r[4]), json.loads(r[5]), r[6], r[7], recorded[int(r[1])]))
    return found
