"""Defence in depth: a read model never stops on text the store accepted. The input boundary
refuses NUL and control characters now, but an older log may hold them (PostgreSQL's text
cannot), so the followers and a rebuild store them as U+FFFD there."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from projections import ALL
from projections import goals as goal_views
from projections.engine import Follower, reset, tracked
from store.db import Database
from store.url import DatabaseURL
from tests.integration.stories import ACTOR, tell
from tests.integration.views import build


@pytest.fixture
def conn(database_url: str):
    with Database(DatabaseURL(database_url)).connection() as connection:
        yield connection


def test_text_with_nul_halts_no_read_model_and_no_rebuild(app, conn) -> None:
    story = tell(app)
    app.rename_organization(ACTOR, story.branch, name="营销\x00中心", reason="monthly\x00")
    position = app.report_progress(ACTOR, story.specifics[0], value=Decimal(3),
                                   effective_date=date(2026, 3, 1),
                                   evidence=["会议记录\x00.pdf"], reason="monthly\x00").position
    followers = [Follower(p, app, conn, batch_size=5) for p in ALL]
    for follower in followers:
        follower.prepare()
        follower.catch_up()
    assert all(tracked(conn, p)[0] >= position for p in ALL)  # type: ignore[index]
    shown = "营销\x00中心" if conn.dialect == "sqlite" else "营销\ufffd中心"
    rows = conn.execute("SELECT name FROM view_org_nodes WHERE id = ? AND valid_to IS NULL",
                        [str(story.branch)])
    assert rows == [(shown,)]
    goal = goal_views.goal(conn, str(story.specifics[0]))
    assert goal is not None and goal.progress_value == Decimal(3)
    incremental = {p.name: tracked(conn, p) for p in ALL}
    for projection in ALL:
        reset(conn, projection)
    build(app, conn, batch_size=1000)
    assert {p.name: tracked(conn, p) for p in ALL} == incremental
