"""The tamper-evident audit chain and the append-only tables, on each backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.bootstrap import open_application
from app.settings import Settings
from domain.goals import Goal
from store import chain
from store.audit import EMPTY_DIGEST, Digest
from tests.integration.stories import ACTOR, tell
from tests.integration.tampering import (
    drop_append_only_triggers,
    events_table,
    execute_as_owner,
    id_column,
    refuse_audit_rows_by,
)


def test_every_event_gets_an_audit_row_with_actor_type_and_database_time(app) -> None:
    started = datetime.now(UTC)
    story = tell(app)
    app.revise_goal("person:inspector", story.annual, reason="纠正标题", title="新标题")
    rows = app.recorder.select_audit(0, 1000)
    assert [r.position for r in rows] == list(range(1, len(rows) + 1))
    assert rows[-1].actor == "person:inspector"
    assert (rows[-1].aggregate_type, rows[-1].event_type) == ("Goal", "Revised")
    assert rows[-1].aggregate_id == story.annual
    assert rows[0].aggregate_type == "Organization"
    assert started - timedelta(seconds=5) < rows[-1].recorded_at < datetime.now(UTC) + \
        timedelta(seconds=5)


def test_events_written_together_share_one_recorded_time(app) -> None:
    story = tell(app)
    rows = app.recorder.select_audit(0, 1000)
    registered_branch = [r for r in rows if r.aggregate_id in (story.branch, story.committee)]
    # The branch's registration and the committee's ChildAttached were one save.
    assert registered_branch[1].recorded_at_us == registered_branch[2].recorded_at_us


def test_verify_passes_on_an_honest_log(app) -> None:
    assert str(chain.verify(app.recorder)) == f"OK 0 {bytes(32).hex()}"
    tell(app)
    result = chain.verify(app.recorder)
    assert result.ok
    assert result.head == chain.head(app.recorder)
    assert result.head.position == app.recorder.max_notification_id()


def test_two_writers_on_one_store_keep_one_chain(settings: Settings) -> None:
    first, second = open_application(settings), open_application(settings)
    try:
        for turn in range(3):
            first.register_person(ACTOR, name=f"甲{turn}", party_member=True)
            first.register_person(ACTOR, name=f"丙{turn}", party_member=True)
            second.register_person(ACTOR, name=f"乙{turn}", party_member=True)
        result = chain.verify(first.recorder)
        assert result.ok, str(result)
        assert result.head.position == 9
    finally:
        first.close()
        second.close()


def test_a_write_rolled_back_after_linking_leaves_the_chain_whole(settings: Settings) -> None:
    """The failed write's position is taken again by the next writer: its link must not be
    the one the failed writer follows next."""
    first, second = open_application(settings), open_application(settings)
    try:
        first.register_person(ACTOR, name="甲", party_member=True)
        refuse_audit_rows_by(first, "person:refused")
        with pytest.raises(Exception) as refused:
            first.register_person("person:refused", name="乙", party_member=True)
        assert "refused for the test" in str(refused.value.__cause__ or refused.value)
        second.register_person(ACTOR, name="丙", party_member=True)
        first.register_person(ACTOR, name="丁", party_member=True)
        result = chain.verify(first.recorder)
        assert result.ok, str(result)
        assert [row.actor for row in first.recorder.select_audit(0, 10)] == [ACTOR] * 3
    finally:
        first.close()
        second.close()


@pytest.mark.parametrize("statement", [
    "UPDATE {events} SET topic = 'dengta:Goal.Forged'",
    "DELETE FROM {events}",
    "UPDATE dengta_audit SET actor = 'someone-else'",
    "DELETE FROM dengta_audit",
])
def test_the_trigger_refuses_updates_and_deletes(app, statement) -> None:
    tell(app)
    before = chain.verify(app.recorder)
    with pytest.raises(Exception, match="append-only"):
        execute_as_owner(app, statement.format(events=events_table(app)))
    assert chain.verify(app.recorder) == before


def test_snapshots_are_append_only_too(app) -> None:
    story = tell(app)
    app.take_snapshot(story.annual)
    table = "stored_snapshots" if "SQLITE_DBNAME" in app.env else "dengta_snapshots"
    with pytest.raises(Exception, match="append-only"):
        execute_as_owner(app, f"DELETE FROM {table}")


def test_altering_one_stored_event_makes_verify_name_its_position(app) -> None:
    story = tell(app)
    app.report_progress(ACTOR, story.specifics[0], effective_date=story_date(), value=9)
    target = app.recorder.select_notifications(1, 1000)[5]
    drop_append_only_triggers(app, events_table(app))
    forged = target.state.replace(b'"actor":"person:secretary"', b'"actor":"person:nobody"')
    assert forged != target.state
    execute_as_owner(app, f"UPDATE {events_table(app)} SET state = x'{forged.hex()}' "
                          f"WHERE {id_column(app)} = {target.id}"
                     if "SQLITE_DBNAME" in app.env else
                     f"UPDATE {events_table(app)} SET state = '\\x{forged.hex()}'::bytea "
                     f"WHERE {id_column(app)} = {target.id}")
    result = chain.verify(app.recorder)
    assert not result.ok
    assert result.broken_at == target.id
    assert result.head.position == target.id - 1
    assert str(result).startswith(f"BROKEN {target.id} ")


def test_a_forged_audit_actor_breaks_the_chain(app) -> None:
    tell(app)
    drop_append_only_triggers(app, "dengta_audit")
    execute_as_owner(app, "UPDATE dengta_audit SET actor = 'person:scapegoat' WHERE position = 3")
    assert chain.verify(app.recorder).broken_at == 3


def test_a_deleted_event_is_noticed(app) -> None:
    tell(app)
    drop_append_only_triggers(app, events_table(app))
    execute_as_owner(app, f"DELETE FROM {events_table(app)} WHERE {id_column(app)} = 4")
    result = chain.verify(app.recorder)
    assert (result.broken_at, result.problem) == (4, "stored event missing")


def test_a_digest_taken_earlier_still_verifies_after_more_events(app) -> None:
    story = tell(app)
    digest = chain.head(app.recorder)
    for value in range(5):
        app.report_progress(ACTOR, story.specifics[0], effective_date=story_date(), value=value)
    result = chain.verify(app.recorder, digest)
    assert result.ok and result.digest_found
    assert result.head.position > digest.position
    assert chain.verify(app.recorder, EMPTY_DIGEST).ok


def test_a_digest_not_in_the_chain_fails_verification(app) -> None:
    tell(app)
    head = chain.head(app.recorder)
    wrong = Digest(head.position - 1, head.hash)
    result = chain.verify(app.recorder, wrong)
    assert not result.ok
    assert str(result).startswith("DIGEST MISMATCH")
    beyond = chain.verify(app.recorder, Digest(head.position + 10, head.hash))
    assert beyond.digest_found is False


def test_a_rewritten_history_with_recomputed_hashes_fails_against_a_kept_digest(app) -> None:
    """An attacker who alters an event and re-links every later hash passes a plain verify;
    the digest an inspector kept still catches it."""
    story = tell(app)
    kept = chain.head(app.recorder)
    drop_append_only_triggers(app, events_table(app))
    drop_append_only_triggers(app, "dengta_audit")
    target = app.recorder.select_notifications(1, 1)[0]
    forged = target.state.replace("市局党委".encode(), "伪造党委".encode())
    assert forged != target.state
    sqlite = "SQLITE_DBNAME" in app.env
    literal = f"x'{forged.hex()}'" if sqlite else f"'\\x{forged.hex()}'::bytea"
    execute_as_owner(app, f"UPDATE {events_table(app)} SET state = {literal} "
                          f"WHERE {id_column(app)} = {target.id}")
    relink_chain(app)
    assert chain.verify(app.recorder).ok
    assert not chain.verify(app.recorder, kept).ok
    assert app.get(Goal, story.annual)  # the application itself still reads happily


def relink_chain(app) -> None:
    from store.audit import link, row_canonical_bytes

    previous = bytes(32)
    events = {e.id: e for e in app.recorder.select_notifications(1, 10_000)}
    sqlite = "SQLITE_DBNAME" in app.env
    for row in app.recorder.select_audit(0, 10_000):
        event = events[row.position]
        previous = link(previous, row_canonical_bytes(row, event.topic, event.state))
        literal = f"x'{previous.hex()}'" if sqlite else f"'\\x{previous.hex()}'::bytea"
        execute_as_owner(app, f"UPDATE dengta_audit SET hash = {literal} "
                              f"WHERE position = {row.position}")


def story_date():
    from datetime import date
    return date(2026, 6, 30)


def test_the_chain_links_chinese_actors_and_states_byte_for_byte(app) -> None:
    """The links are hashed over UTF-8 bytes (lengths in bytes, not characters): on
    PostgreSQL the database computes them, and `verify` recomputes them in Python."""
    story = tell(app)
    app.revise_goal("person:张书记", story.annual, reason="纠正标题：错别字",
                    title="党建目标（修订）")
    rows = app.recorder.select_audit(0, 1000)
    assert rows[-1].actor == "person:张书记"
    assert chain.verify(chain.audited(app.recorder)).ok
