"""The chain covers every audit-row column read back, and a malformed stored value is reported
where it lies, never a crash (issue 15), on each backend."""

from __future__ import annotations

from datetime import date

from app.bootstrap import open_application
from app.settings import Settings
from store import chain
from tests.integration.stories import ACTOR, tell
from tests.integration.tampering import (
    downgrade_to_chain_v1,
    turn_stored_state_into_text,
    update_audit_row,
)


def last_goal_event(app) -> int:
    rows = app.recorder.select_audit(0, 10_000)
    return max(row.position for row in rows if row.aggregate_type == "Goal")


def test_new_links_use_chain_version_2(app) -> None:
    tell(app)
    rows = app.recorder.select_audit(0, 10_000)
    assert {row.chain_version for row in rows} == {2}


def test_a_forged_event_type_is_reported_at_its_position(app) -> None:
    """A forged 'Goal Cancelled' would show in the live feed: verify names it."""
    tell(app)
    position = last_goal_event(app)
    update_audit_row(app, position, "event_type = 'Cancelled'")
    result = chain.verify(app.recorder)
    assert result.broken_at == position
    assert "Goal.Cancelled" in result.problem
    assert str(result).startswith(f"BROKEN {position} ")


def test_a_forged_aggregate_type_is_reported_at_its_position(app) -> None:
    tell(app)
    update_audit_row(app, 3, "aggregate_type = 'Goal'")  # the first person's registration
    result = chain.verify(app.recorder)
    assert (result.broken_at, result.head.position) == (3, 2)


def test_a_forged_snapshot_anchor_breaks_the_link(app) -> None:
    tell(app)
    update_audit_row(app, 4, "snapshot_hash = " + ("x'" if "SQLITE_DBNAME" in app.env
                                                    else "'\\x") + "00" * 32 + "'")
    result = chain.verify(app.recorder)
    assert (result.broken_at, result.problem) == (4, "hash does not match the stored event")


def test_a_stored_state_turned_into_text_is_reported_not_a_crash(app) -> None:
    tell(app)
    turn_stored_state_into_text(app, 5)
    result = chain.verify(app.recorder)
    # SQLite: the one event altered; PostgreSQL: the whole column, so from the first event.
    expected = 5 if "SQLITE_DBNAME" in app.env else 1
    assert result.broken_at == expected
    assert result.problem == "stored state is str, not what the chain covers"
    assert str(result).startswith(f"BROKEN {expected} stored state is str")


def test_a_log_written_with_the_version_1_formula_still_verifies(settings: Settings) -> None:
    """Upgrading adds the version 2 columns without rewriting a row: the old links verify by
    the old formula (their type columns against the topic they cover), new ones by the new,
    and a digest kept before the upgrade is still a link of the chain."""
    old = open_application(settings)
    story = tell(old)
    downgrade_to_chain_v1(old)
    kept = chain.head(old.recorder)
    old.close()
    upgraded = open_application(settings)
    try:
        rows = upgraded.recorder.select_audit(0, 10_000)
        assert {row.chain_version for row in rows} == {1}
        assert chain.verify(upgraded.recorder, kept).ok
        upgraded.report_progress(ACTOR, story.specifics[0], effective_date=date(2026, 6, 30),
                                 value=5)
        rows = upgraded.recorder.select_audit(0, 10_000)
        assert [row.chain_version for row in rows[-2:]] == [1, 2]
        result = chain.verify(upgraded.recorder, kept)
        assert result.ok and result.digest_found, str(result)
        assert result.head.position == rows[-1].position
        update_audit_row(upgraded, 3, "event_type = 'Forged'")  # a v1 row's type column
        assert chain.verify(upgraded.recorder).broken_at == 3
    finally:
        upgraded.close()
