"""Helpers to read whole read models, for comparing one way of building them with another."""

from __future__ import annotations

from datetime import date
from typing import Any

from projections import ALL, member_record, valid_time
from projections import accountability as answerable
from projections import audit_log as audit
from projections import goals as goal_views
from projections import organization_tree as tree
from projections import pioneer_posts as pioneer
from projections import responsibility_list as duty
from projections.engine import Follower
from store.db import Connection


def dump_tables(conn: Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every row version of every read-model table, in a stable order."""
    tables = [table for projection in ALL for table in projection.tables]
    return {t.name: sorted(conn.execute(f"SELECT * FROM {t.name}"), key=repr) for t in tables}


def build(app: Any, conn: Connection, stop: int | None = None, batch_size: int = 1000) -> None:
    for projection in ALL:
        follower = Follower(projection, app, conn, batch_size)
        follower.prepare()
        follower.catch_up(stop=stop)


def ids(conn: Connection) -> tuple[list[str], list[str], list[str]]:
    """Every organisation, person and goal that ever existed in these read models."""
    return tuple(  # type: ignore[return-value]
        sorted({r[0] for r in conn.execute(f"SELECT id FROM {table.name}")})
        for table in (tree.NODES, tree.PEOPLE, goal_views.GOALS)
    )


VALID_AT = date(2026, 6, 30)


def everything(conn: Connection, position: int | None,
               universe: tuple[list[str], list[str], list[str]]) -> dict[str, Any]:
    """Every query of every read model for every id in `universe`, as of `position`
    (None: current)."""
    orgs, people, goal_ids = universe
    return {
        "organizations": [tree.organization(conn, o, position) for o in orgs],
        "descendants": [tree.descendants(conn, o, position) for o in orgs],
        "ancestors": [tree.ancestors(conn, o, position) for o in orgs],
        "members": [tree.members(conn, o, position) for o in orgs],
        "goals": goal_views.goals(conn, position=position),
        "trees": [goal_views.goal_tree(conn, g, position) for g in goal_ids],
        "issued": goal_views.goals(conn, goal_views.GoalFilter(status="issued"), position),
        "duties": [duty.responsibilities_of(conn, p, position) for p in people + orgs],
        "gaps": duty.responsibility_gaps(conn, position),
        "fields": [audit.field_state(conn, i, position) for i in orgs + people + goal_ids],
        "valid": [valid_time.valid_state(conn, i, VALID_AT, position) for i in goal_ids],
        "accountability": [answerable.accountability(conn, kind, party, date(2026, 6, 30),
                                                     position)
                           for kind, parties in (("person", people), ("organization", orgs))
                           for party in parties],
        "pioneer": [pioneer.posts_page(conn, pioneer.PostFilter(valid_at=day), position)
                    for day in (date(2026, 4, 1), VALID_AT, date(2026, 10, 1))],
        "records": [member_record.member_record(conn, p, date(2026, 1, 1), date(2026, 12, 31),
                                                None, position) for p in people],
    }
