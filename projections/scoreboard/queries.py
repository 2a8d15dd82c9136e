"""What the scoreboard answers: cycles, standings with ranks taken when read, score cards,
changes between two moments, the library, roll-ups and what a party was assessed in."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from domain.scoring import (
    EVALUATOR_KINDS,
    RoutineResult,
    ScoreCard,
    rounded,
    score,
    shown,
)
from projections import organization_tree as tree
from projections.pages import EVERYTHING, Page, count, read_page
from projections.scoreboard.tables import (
    CHANGES,
    CYCLES,
    EVALS,
    FROZEN,
    GOAL_OWNERS,
    ITEMS,
    LIBRARY,
    ORG_UNITS,
    UNITS,
)
from projections.scoreboard.units import _decimal, _json, inputs, unit_of
from projections.temporal import as_of
from store.db import Connection, marks


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
class ScoreDiff:
    """A unit's standing at two positions, the change of its combined score (as shown, to two
    places) and the events between them that moved it."""

    before: Standing | None
    after: Standing
    delta: float | None
    changes: list[Change]


def score_diff(conn: Connection, cycle_id: str, organization_id: str, start: int,
               end: int) -> ScoreDiff | None:
    """None when the unit has no standing at `end`."""
    before = standing(conn, cycle_id, organization_id, start)
    after = standing(conn, cycle_id, organization_id, end)
    if after is None:
        return None
    first, last = shown(before.combined) if before else None, shown(after.combined)
    delta = round(last - first, 2) if last is not None and first is not None else None
    return ScoreDiff(before=before, after=after, delta=delta,
                     changes=changes_between(conn, cycle_id, organization_id, start, end))


@dataclass(frozen=True)
class LibraryEntry:
    id: str
    item: str
    content: str
    criteria: str
    max_points: str
    rubric: list[dict[str, Any]] | None
    revision: int
    source: str | None  # a computed indicator's source; None: scored by hand


def library_page(conn: Connection, position: int | None = None,
                 page: Page = EVERYTHING) -> tuple[list[LibraryEntry], bool, int]:
    """The indicator library, by item."""
    cond, params = as_of("i", position)
    rows, more = read_page(conn, ", ".join("i." + c for c in LIBRARY.column_names),
                           f"{LIBRARY.name} i", cond, params, ("i.item", "i.indicator_id"), page)
    return ([LibraryEntry(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6], r[7])
             for r in rows],
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
