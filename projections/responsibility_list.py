"""Read model: each person's (or organisation's) responsibility list, and the responsibility
gaps: issued goals with no primary or no direct responsible party."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from domain.goals import Goal
from projections.engine import Handler, Projection
from projections.pages import EVERYTHING, Page, count, read_page
from projections.temporal import Batch, TemporalTable, as_of
from store.db import Connection, marks

# Its own copy of what it shows of each goal, so the list and the gaps are consistent with
# the responsibilities at every position, whatever the goals projection has reached.
GOAL_FACTS = TemporalTable(
    "view_responsibility_goals", ("goal_id",),
    {"goal_id": "TEXT", "organization_id": "TEXT", "level": "TEXT", "title": "TEXT",
     "status": "TEXT"},
    partition="goal_id", indexes=(("status",),),
)
RESPONSIBILITIES = TemporalTable(
    "view_responsibilities", ("goal_id", "party_id", "kind"),
    {"goal_id": "TEXT", "party_id": "TEXT", "party_kind": "TEXT", "kind": "TEXT",
     "since": "TEXT"},
    partition="goal_id", indexes=(("party_id",),),
)


def drafted(e: Goal.Drafted, b: Batch) -> None:
    b[GOAL_FACTS.name].put({"goal_id": b.subject,
                            "organization_id": str(e.organization_id), "level": e.level,
                            "title": e.title, "status": "drafted"})


def _update_goal(**changes: Any) -> Handler:
    def handler(e: Any, b: Batch) -> None:
        row = b[GOAL_FACTS.name].get(b.subject)
        assert row is not None
        values = {k: (getattr(e, k) if v is None else v) for k, v in changes.items()}
        b[GOAL_FACTS.name].put({**row, **{k: v for k, v in values.items() if v is not None}})
    return handler


def assigned(e: Goal.ResponsibilityAssigned, b: Batch) -> None:
    b[RESPONSIBILITIES.name].put({
        "goal_id": b.subject, "party_id": str(e.party_id),
        "party_kind": e.party_kind, "kind": e.kind,
        "since": e.effective_date.isoformat() if e.effective_date else None,
    })


def revoked(e: Goal.ResponsibilityRevoked, b: Batch) -> None:
    b[RESPONSIBILITIES.name].delete(b.subject, str(e.party_id), e.kind)


class ResponsibilityList(Projection):
    name = "responsibility_list"
    tables = (GOAL_FACTS, RESPONSIBILITIES)
    handlers: ClassVar[dict[type[Any], Handler]] = {
        Goal.Drafted: drafted,
        Goal.Revised: _update_goal(title=None),
        Goal.Issued: _update_goal(status="issued"),
        Goal.Closed: _update_goal(status="closed"),
        Goal.Cancelled: _update_goal(status="cancelled"),
        Goal.ResponsibilityAssigned: assigned,
        Goal.ResponsibilityRevoked: revoked,
    }


# ---- queries ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Responsibility:
    goal_id: str
    goal_title: str
    goal_status: str
    goal_level: str
    organization_id: str
    kind: str
    party_kind: str
    since: str | None


@dataclass(frozen=True)
class Gap:
    goal_id: str
    title: str
    organization_id: str
    level: str
    missing_primary: bool
    missing_direct: bool


KIND_ORDER = "CASE r.kind WHEN 'collective' THEN 0 WHEN 'primary' THEN 1 WHEN 'direct' THEN 2 " \
             "ELSE 3 END"


def responsibilities_of(conn: Connection, party_id: str,
                        position: int | None = None) -> list[Responsibility]:
    """What one person or organisation is responsible for, by kind, with each goal's status."""
    r_cond, r_params = as_of("r", position)
    g_cond, g_params = as_of("g", position)
    rows = conn.execute(
        f"SELECT r.goal_id, g.title, g.status, g.level, g.organization_id, r.kind, "
        f"r.party_kind, r.since FROM {RESPONSIBILITIES.name} r "
        f"JOIN {GOAL_FACTS.name} g ON g.goal_id = r.goal_id "
        f"WHERE r.party_id = ? AND {r_cond} AND {g_cond} ORDER BY {KIND_ORDER}, g.title, r.goal_id",
        [party_id, *r_params, *g_params])
    return [Responsibility(*row) for row in rows]


def goals_ever_held(conn: Connection, party_id: str,
                    position: int | None = None) -> dict[str, str]:
    """The goals a party held any duty on up to `position` (ended ones too: for what it
    answered for on a past date), with each goal's organisation as of `position`."""
    g_cond, g_params = as_of("g", position)
    rows = conn.execute(
        f"SELECT DISTINCT r.goal_id, g.organization_id FROM {RESPONSIBILITIES.name} r "
        f"JOIN {GOAL_FACTS.name} g ON g.goal_id = r.goal_id WHERE r.party_id = ? "
        f"{'AND r.valid_from <= ? ' if position is not None else ''}AND {g_cond}",
        [party_id, *([position] if position is not None else []), *g_params])
    return {row[0]: row[1] for row in rows}


@dataclass(frozen=True)
class Holder:
    goal_id: str
    party_id: str
    party_kind: str
    kind: str
    since: str | None


def holders_of(conn: Connection, goal_ids: Sequence[str],
               position: int | None = None) -> dict[str, list[Holder]]:
    """Who bears responsibility for each of several goals (for dataloaders), by kind."""
    found: dict[str, list[Holder]] = {goal_id: [] for goal_id in goal_ids}
    if not goal_ids:
        return found
    cond, params = as_of("r", position)
    rows = conn.execute(
        f"SELECT r.goal_id, r.party_id, r.party_kind, r.kind, r.since "
        f"FROM {RESPONSIBILITIES.name} r WHERE r.goal_id IN ({marks(goal_ids)}) "
        f"AND {cond} ORDER BY {KIND_ORDER}, r.party_id", [*goal_ids, *params])
    for row in rows:
        found[row[0]].append(Holder(*row))
    return found


def responsibility_gaps(conn: Connection, position: int | None = None,
                        organization_ids: Sequence[str] | None = None,
                        page: Page = EVERYTHING) -> list[Gap]:
    """Issued goals nobody bears primary or direct responsibility for, by title."""
    return gaps_page(conn, position, organization_ids, page)[0]


def gaps_page(conn: Connection, position: int | None, organization_ids: Sequence[str] | None,
              page: Page) -> tuple[list[Gap], bool, int]:
    """A keyset page of the gaps, whether more lie beyond it, and how many in all."""
    g_cond, g_params = as_of("g", position)
    r_cond, r_params = as_of("r", position)

    def holds(kind: str) -> str:
        return (f"EXISTS (SELECT 1 FROM {RESPONSIBILITIES.name} r WHERE r.goal_id = g.goal_id "
                f"AND r.kind = '{kind}' AND {r_cond})")

    scope, scope_params = "", []
    if organization_ids is not None:
        if not organization_ids:
            return [], False, 0
        scope = f" AND g.organization_id IN ({marks(organization_ids)})"
        scope_params = list(organization_ids)
    where = (f"g.status = 'issued' AND {g_cond}{scope} "
             f"AND NOT ({holds('primary')} AND {holds('direct')})")
    params = [*g_params, *scope_params, *r_params, *r_params]
    select = (f"g.goal_id, g.title, g.organization_id, g.level, {holds('primary')}, "
              f"{holds('direct')}")
    rows, more = read_page(conn, select, f"{GOAL_FACTS.name} g", where,
                           [*r_params, *r_params, *params], ("g.title", "g.goal_id"), page)
    gaps = [Gap(r[0], r[1], r[2], r[3], not r[4], not r[5]) for r in rows]
    return gaps, more, count(conn, f"{GOAL_FACTS.name} g", where, params)
