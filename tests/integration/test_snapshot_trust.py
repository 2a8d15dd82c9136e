"""Snapshots are trusted only as far as the chain (issue 15): one altered in the database
changes no behaviour (it is passed over and the aggregate replayed), and verification names
it, on each backend."""

from __future__ import annotations

from datetime import date

import pytest

from app.bootstrap import open_application
from app.settings import Settings
from domain.goals import Goal
from store import chain
from store.audit import snapshot_digest
from tests.integration.stories import ACTOR, Story, tell
from tests.integration.tampering import alter_snapshot

ISSUED, CLOSED = b'"status":"issued"', b'"status":"closed"'


@pytest.fixture
def snapshotted(app) -> Story:
    """A goal with snapshots every third event: at versions 3 and 6."""
    app.snapshotting_intervals = {Goal: 3}
    story = tell(app)
    for value in range(4):
        app.report_progress(ACTOR, story.specifics[0], effective_date=date(2026, 6, 30),
                            value=value)
    return story


def position_of(app, aggregate_id, version: int) -> int:
    (row,) = [r for r in app.recorder.select_audit(0, 10_000)
              if (r.aggregate_id, r.aggregate_version) == (aggregate_id, version)]
    return int(row.position)


def test_a_snapshot_is_anchored_in_its_events_audit_row_and_used(app, snapshotted) -> None:
    goal = snapshotted.specifics[0]
    stored = app.snapshots.recorder.select_events(goal, desc=True, limit=1)
    assert [s.originator_version for s in stored] == [6]
    anchors = app.snapshots.recorder.select_snapshot_anchors(None, 100)
    (latest,) = [a for a in anchors if a.snapshot.originator_version == 6]
    row = app.recorder.select_audit(position_of(app, goal, 6) - 1, 1)[0]
    assert row.snapshot_hash == snapshot_digest(stored[0]) == latest.digest
    assert row.chain_version == 2
    assert chain.verify_application(app).ok


def test_an_altered_snapshot_changes_no_behaviour_and_verify_names_it(
        settings: Settings, app, snapshotted) -> None:
    goal = snapshotted.specifics[0]
    alter_snapshot(app, goal, 6, ISSUED, CLOSED)
    fresh = open_application(settings)  # nothing cached: it loads from the store
    try:
        assert [s.originator_version for s in
                fresh.snapshots.recorder.select_events(goal, desc=True, limit=1)] == [3]
        assert fresh.get(Goal, goal).status.value == "issued"
        fresh.report_progress(ACTOR, goal, effective_date=date(2026, 7, 1), value=9)
        result = chain.verify_application(fresh)
        position = position_of(fresh, goal, 6)
        assert result.broken_at == position
        assert result.problem == (f"snapshot of {goal} at version 6 does not match the digest "
                                  "its audit row keeps")
        assert str(result).startswith(f"BROKEN {position} snapshot of {goal}")
        assert chain.verify(chain.audited(fresh.recorder)).ok  # the events' chain is whole
    finally:
        fresh.close()


def test_a_snapshot_taken_by_hand_is_never_used_and_checked_by_replay(
        settings: Settings, app) -> None:
    """Snapshots not anchored (taken by hand, or before chain version 2) are passed over when
    loading; verification replays their aggregate and compares."""
    story = tell(app)
    goal = story.specifics[0]
    app.take_snapshot(goal)
    version = app.get(Goal, goal).version
    assert app.snapshots.recorder.select_events(goal, desc=True, limit=1) == []
    assert chain.verify_application(app).ok
    alter_snapshot(app, goal, version, ISSUED, CLOSED)
    fresh = open_application(settings)
    try:
        assert fresh.get(Goal, goal).status.value == "issued"
        result = chain.verify_application(fresh)
        assert result.broken_at == position_of(fresh, goal, version)
        assert result.problem.endswith("(not anchored) does not match its aggregate's events")
    finally:
        fresh.close()
