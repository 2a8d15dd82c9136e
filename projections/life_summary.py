"""Read model query: the 三会一课 compliance summary of an organisation's subtree (a province's
thousands of branches) — per organisation required against held, fulfilled, missing periods
and attendance, and the totals — in one set-based statement, not one view per organisation.

The rules are worked out in Python once per rule set and organisation kind (the periods
closed by the judging day, each with what it required: `domain.compliance.judged_periods`),
handed to the database as a small table of (period, month) cells, and the meetings are
counted against them in SQL. A period is made of whole months and only closed periods count,
so a meeting's month decides which periods it falls in. Equals `organizational_life.compliance`
organisation by organisation (a test checks it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from domain.compliance import judged_periods
from domain.meeting_rules import RuleVersion
from domain.meetings import MeetingKind
from projections import life_tally as tally
from projections import organization_tree as tree
from projections import organizational_life as life
from projections.pages import EVERYTHING, Page
from projections.temporal import as_of
from store.db import Connection, marks


@dataclass(frozen=True)
class Tally:
    """Counts that add up over organisations."""

    organizations: int = 0
    required: int = 0  # meetings the closed periods required
    fulfilled: int = 0  # meetings counted towards them (no more than each period required)
    held: int = 0  # meetings held in the year up to the judging day
    missing: int = 0  # closed periods with too few meetings
    behind: int = 0  # organisations with a missing period
    listed: int = 0  # attendance entries of those meetings
    present: int = 0

    @property
    def rate(self) -> float | None:
        """完成率: fulfilled out of required (None when nothing was due)."""
        return round(self.fulfilled / self.required, 4) if self.required else None

    @property
    def attendance_rate(self) -> float | None:
        """平均出席率: present out of listed, over every meeting counted."""
        return round(self.present / self.listed, 4) if self.listed else None


@dataclass(frozen=True)
class OrganizationTally:
    id: str
    name: str
    kind: str
    tally: Tally


SummaryKey = tuple[str, str]


def summary_key(row: OrganizationTally) -> SummaryKey:
    return (row.name, row.id)


@dataclass(frozen=True)
class Summary:
    rows: list[OrganizationTally]  # the page asked for, by name
    more: bool
    totals: Tally  # over every organisation of the subtree the reader may read


@dataclass(frozen=True)
class Plan:
    """How an organisation kind is judged under a rule set: what the closed periods require,
    how many there are, and per meeting kind the closed periods as (months, times) — one
    SQL expression each, shared by the rule sets that judge a kind alike."""

    required: int
    periods: int
    kinds: dict[str, tuple[tuple[tuple[int, ...], int], ...]]


def _plans(rule_sets: dict[str, life.RuleSetView], year: int,
           day: date) -> dict[tuple[str, str], Plan]:
    """By rule set and organisation kind."""
    found = {}
    for set_id, view in rule_sets.items():
        versions: tuple[RuleVersion, ...] = view.versions
        for organization_kind in sorted({r.organization_kind.value for v in versions
                                         for r in v.rules}):
            kinds = {}
            for meeting_kind in MeetingKind:
                closed = tuple(
                    (tuple(range(p.start.month, p.end.month + 1)), p.times)
                    for p in judged_periods(meeting_kind, organization_kind, year, day,
                                            versions) if p.due)
                if closed:
                    kinds[meeting_kind.value] = closed
            found[set_id, organization_kind] = Plan(
                sum(times for cells in kinds.values() for _, times in cells),
                sum(len(cells) for cells in kinds.values()), kinds)
    return found


def _months(measure: str, months: Sequence[int], alias: str = "t") -> str:
    return " + ".join(f"{alias}.{tally.column(measure, m)}" for m in months) or "0"


def _judged(shapes: list[tuple[tuple[tuple[int, ...], int], ...]]) -> tuple[str, str]:
    """SQL for a tally row's fulfilled meetings and periods met, by its shape (the number of
    its meeting kind's closed periods in `shapes`, NULL: none)."""
    fulfilled, met = [], []
    for number, cells in enumerate(shapes):
        counts = [(_months("held", months), times) for months, times in cells]
        fulfilled.append(f"WHEN {number} THEN " + " + ".join(
            f"CASE WHEN {n} < {times} THEN {n} ELSE {times} END" for n, times in counts))
        met.append(f"WHEN {number} THEN " + " + ".join(
            f"CASE WHEN {n} >= {times} THEN 1 ELSE 0 END" for n, times in counts))
    if not shapes:
        return "0", "0"
    return (f"CASE p.shape {' '.join(fulfilled)} ELSE 0 END",
            f"CASE p.shape {' '.join(met)} ELSE 0 END")


def _values(name: str, columns: Sequence[tuple[str, str]],
            rows: Sequence[tuple[Any, ...]]) -> tuple[str, list[Any]]:
    """A CTE of literal rows, typed (PostgreSQL infers a parameter's type from the first row);
    without rows, one row of NULLs that joins nothing."""
    first = ", ".join(f"CAST(? AS {kind})" for _, kind in columns)
    rest = f"({marks(columns)})"
    filled = list(rows) or [(None,) * len(columns)]
    sql = (f"{name}({', '.join(c for c, _ in columns)}) AS (VALUES ({first})"
           + "".join(f", {rest}" for _ in filled[1:]) + ")")
    return sql, [value for row in filled for value in row]


TALLY_COLUMNS = ("required", "fulfilled", "held", "missing", "listed", "present")


def summary(conn: Connection, organization_id: str, year: int, day: date,
            position: int | None = None, readable: Sequence[str] | None = None,
            page: Page = EVERYTHING) -> Summary | None:
    """The subtree of `organization_id` as it stood at `position`, each organisation judged
    on `day` for `year` as `organizational_life.compliance` judges it, cut to `readable`
    (None: everything): a keyset page by name and the totals. None when the organisation is
    unknown."""
    if tree.organization(conn, organization_id, position) is None:
        return None
    if readable is not None and not readable:
        return Summary([], False, Tally())
    root_rules = life.governing_rule_set(conn, organization_id, position)
    plans = _plans(life.every_rule_set(conn, position), year, day)
    shapes = sorted({cells for plan in plans.values() for cells in plan.kinds.values()})
    fulfilled, met = _judged(shapes)
    needs_sql, needs_params = _values("needs", (
        ("rule_set", "TEXT"), ("org_kind", "TEXT"), ("required", "BIGINT"),
        ("periods", "BIGINT")), [(s, k, p.required, p.periods) for (s, k), p in plans.items()])
    shape_sql, shape_params = _values("shapes", (
        ("rule_set", "TEXT"), ("org_kind", "TEXT"), ("meeting_kind", "TEXT"),
        ("shape", "BIGINT")), [(s, k, kind, shapes.index(cells))
                               for (s, k), p in plans.items() for kind, cells in p.kinds.items()])
    # Held, listed and present count up to the judging day: the whole months before it
    # from the tally; the days of its own month from the meetings (none when it is the
    # month's last day).
    if day.year != year:
        whole, partial_month = (12 if day.year > year else 0), False
    else:
        partial_month = (day + timedelta(days=1)).month == day.month
        whole = day.month - 1 if partial_month else day.month
    months = range(1, whole + 1)
    node, node_params = as_of("n", position)
    owner, owner_params = as_of("g", position)
    counted, counted_params = as_of("t", position)
    scope, scope_params = "", []
    if readable is not None:
        scope, scope_params = f"WHERE s.id IN ({marks(readable)})", list(readable)
    partial, partial_params = "", []
    if partial_month:
        meeting, meeting_params = as_of("m", position)
        partial = (f" UNION ALL SELECT m.organization_id, 1, m.listed, m.present, 0, 0"
                   f" FROM sub s JOIN {life.MEETINGS.name} m ON m.organization_id = s.id"
                   f" WHERE m.status = 'held' AND m.held_on BETWEEN ? AND ? AND {meeting}")
        partial_params = [day.replace(day=1).isoformat(), day.isoformat(), *meeting_params]
    sql = (
        f"WITH RECURSIVE sub(id, name, kind, rule_set) AS ("
        f" SELECT n.id, n.name, n.kind, CAST(? AS TEXT) FROM {tree.NODES.name} n"
        f" WHERE n.id = ? AND {node}"
        f" UNION ALL SELECT n.id, n.name, n.kind, COALESCE(g.rule_set_id, sub.rule_set)"
        f" FROM sub JOIN {tree.NODES.name} n ON n.parent_id = sub.id AND {node}"
        f" LEFT JOIN {life.RULE_VERSIONS.name} g ON g.organization_id = n.id"
        f" AND g.revision = 1 AND {owner}),"
        f" {needs_sql}, {shape_sql},"
        # MATERIALIZED: PostgreSQL otherwise sorts the wide tally rows to group them
        f" counted(org, held, listed, present, fulfilled, met) AS MATERIALIZED ("
        f" SELECT t.organization_id, {_months('held', months)},"
        f" {_months('listed', months)}, {_months('present', months)}, {fulfilled}, {met}"
        f" FROM sub s JOIN {tally.TALLY.name} t ON t.organization_id = s.id"
        f" AND t.year = ? AND {counted} LEFT JOIN shapes p ON p.rule_set = s.rule_set"
        f" AND p.org_kind = s.kind AND p.meeting_kind = t.kind{partial}),"
        f" per_org AS (SELECT org, sum(held) AS held, sum(listed) AS listed,"
        f" sum(present) AS present, sum(fulfilled) AS fulfilled, sum(met) AS met"
        f" FROM counted GROUP BY org),"
        f" tallied AS (SELECT s.id, s.name, s.kind, COALESCE(d.required, 0) AS required,"
        f" COALESCE(a.fulfilled, 0) AS fulfilled, COALESCE(a.held, 0) AS held,"
        f" COALESCE(d.periods, 0) - COALESCE(a.met, 0) AS missing,"
        f" COALESCE(a.listed, 0) AS listed, COALESCE(a.present, 0) AS present"
        f" FROM sub s LEFT JOIN needs d ON d.rule_set = s.rule_set AND d.org_kind = s.kind"
        f" LEFT JOIN per_org a ON a.org = s.id {scope}),"
        f" totalled AS (SELECT x.*, count(*) OVER () AS all_organizations,"
        + "".join(f" sum(x.{c}) OVER () AS all_{c}," for c in TALLY_COLUMNS)
        + " sum(CASE WHEN x.missing > 0 THEN 1 ELSE 0 END) OVER () AS all_behind"
        " FROM tallied x)"
    )
    params: list[Any] = [root_rules.id if root_rules else None, organization_id, *node_params,
                         *node_params, *owner_params, *needs_params, *shape_params,
                         year, *counted_params, *partial_params, *scope_params]
    rows, more = _page(conn, sql, params, page)
    if rows:
        totals = _tally(rows[0][9:], int(rows[0][9 + len(TALLY_COLUMNS) + 1]))
    else:  # past the last page: the totals still
        found = conn.execute(sql + " SELECT " + ", ".join(
            ["max(all_organizations)", *(f"max(all_{c})" for c in TALLY_COLUMNS),
             "max(all_behind)"]) + " FROM totalled", params)[0]
        totals = _tally(found, int(found[-1] or 0))
    return Summary([OrganizationTally(r[0], r[1], r[2], _tally(
        (1, *r[3:9]), 1 if r[6] else 0)) for r in rows], more, totals)


def _tally(values: Sequence[Any], behind: int) -> Tally:
    """From (organisations, required, fulfilled, held, missing, listed, present)."""
    counts = [int(v or 0) for v in values[:7]]
    return Tally(counts[0], counts[1], counts[2], counts[3], counts[4], behind, counts[5],
                 counts[6])


def _page(conn: Connection, sql: str, params: list[Any],
          page: Page) -> tuple[list[Any], bool]:
    """A keyset page of `totalled` by name and id."""
    clause, values = "1 = 1", list(params)
    if page.after is not None:
        clause += " AND (name, id) > (?, ?)"
        values += list(page.after)
    if page.before is not None:
        clause += " AND (name, id) < (?, ?)"
        values += list(page.before)
    direction = " DESC" if page.backwards else ""
    select = ("id, name, kind, " + ", ".join(TALLY_COLUMNS) + ", all_organizations, "
              + ", ".join(f"all_{c}" for c in TALLY_COLUMNS) + ", all_behind")
    query = (f"{sql} SELECT {select} FROM totalled WHERE {clause} "
             f"ORDER BY name{direction}, id{direction}")
    if page.limit is not None:
        query += " LIMIT ?"
        values.append(page.limit + 1)
    rows = conn.execute(query, values)
    more = page.limit is not None and len(rows) > page.limit
    rows = rows[:page.limit] if page.limit is not None else rows
    return (rows[::-1] if page.backwards else rows), more
