"""The data both sides of bench/peer.py serve: bench/api.py's seed, a little more so that an
accountability page and a scoreboard page are about as large as the goals page, dengta's read
models built from it, and the peer's tables (bench/peer/schema.sql) filled row for row from
those read models, history included."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg

from app.graphql.kit.ids import from_global_id, to_global_id
from bench import api, scoreboard
from domain.application import DengtaApplication
from store.url import DatabaseURL

SCHEMA = Path(__file__).parent / "peer" / "schema.sql"
SCORED_BRANCHES = 50

# Each peer table: the dengta read model it copies and the columns it takes from it (`v`).
COPIES: dict[str, tuple[str, str]] = {
    "organizations": ("view_org_nodes", "v.id::uuid, v.name, v.kind, v.category, "
                      "v.parent_id::uuid, coalesce(v.dissolved, 0) <> 0"),
    "people": ("view_people", "v.id::uuid, v.name, v.party_member <> 0"),
    "goals": ("view_goals", "v.id::uuid, v.parent_id::uuid, v.organization_id::uuid, v.level, "
              "v.field, v.title, v.description, v.period_start::date, v.period_end::date, "
              "v.indicator::jsonb, v.weight, v.status"),
    "responsibilities": ("view_responsibilities", "v.goal_id::uuid, v.party_id::uuid, "
                         "v.party_kind::peer.party_kind, v.kind::peer.responsibility_kind, "
                         "v.since::date"),
    "goal_progress": ("view_goal_progress", "v.goal_id::uuid, v.reports, v.value::numeric, "
                      "v.level, v.date::date, v.completion"),
    "cycles": ("view_cycles", "v.cycle_id::uuid, v.title, v.status, v.period_start::date, "
               "v.period_end::date"),
    "scores": ("view_scores", "v.cycle_id::uuid, v.organization_id::uuid, v.name, v.category, "
               "v.organizational, v.mass, v.self, v.social, v.party_building, v.adjustment, "
               "v.business::double precision, v.combined, v.grade, v.evaluated, v.expected"),
}


class Seeded:
    """What the works need to address: the goals to report progress on, the moment before
    their progress, the person answering for them, and the larger scoreboard's cycle."""

    def __init__(self, goal_ids: list[str], moment: str, person_id: str, cycle_id: str):
        self.goal_ids = goal_ids
        self.moment = moment
        self.person_id = person_id
        self.cycle_id = cycle_id


def seed(url: str) -> Seeded:
    """bench/api.py's seed; then one person made directly responsible for its goals (an
    accountability page of 50) and a cycle scoring 50 more branches (a scoreboard page of 50)
    whose goals sort after the goals page's 50; then dengta's read models, built."""
    goal_ids, moment = api.seed(url)
    app = DengtaApplication(env=DatabaseURL(url).library_env())
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT aggregate_id FROM dengta_audit WHERE aggregate_type = "
                           "'Person' ORDER BY position LIMIT 1").fetchone()
    assert row is not None, "the demo registered nobody"
    person = uuid.UUID(str(row[0]))
    for goal_id in goal_ids:
        app.assign_responsibility("system:bench", from_global_id(goal_id)[1],
                                  party_kind="person", party_id=person, kind="direct",
                                  reason="压测：责任到人")
    with contextlib.redirect_stdout(io.StringIO()):  # its progress lines
        cycle, _, _ = scoreboard.seed(app, SCORED_BRANCHES, 1, 2)
    app.close()
    build = subprocess.run([sys.executable, "-m", "app.cli", "rebuild"],
                           env={**os.environ, "DENGTA_DATABASE_URL": url},
                           capture_output=True, text=True)
    if build.returncode != 0:
        sys.exit(f"dengta rebuild failed: {build.stderr}")
    return Seeded(goal_ids, moment, to_global_id("Person", person), cycle)


def fill_peer(url: str) -> None:
    """The peer's schema, its tables filled from dengta's current rows and its history tables
    from every row version (each stamped with the recorded time of the position that wrote or
    superseded it), then its audit triggers."""
    with psycopg.connect(url) as conn:
        conn.execute(SCHEMA.read_text())
        for table, (source, columns) in COPIES.items():
            conn.execute(f"INSERT INTO peer.{table} SELECT {columns} FROM {source} v "
                         "WHERE v.valid_to IS NULL")
            conn.execute(
                f"INSERT INTO peer_private.{table}_history "
                f"SELECT {columns}, since.recorded_at, until.recorded_at FROM {source} v "
                "JOIN dengta_audit since ON since.position = v.valid_from "
                "LEFT JOIN dengta_audit until ON until.position = v.valid_to")
        conn.execute("SELECT peer_private.install_history_triggers()")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")
