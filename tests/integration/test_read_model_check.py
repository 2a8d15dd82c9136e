"""The audit log read model is verified against the chain: a row a superuser rewrote
(another actor, another reason, another type, other changes) is named by its position, on
each backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from projections import audit_check
from projections.audit_log import AuditLog
from store.db import Connection, Database
from store.url import DatabaseURL
from tests.integration.audit_story import AuditStory, tell_audit_story
from tests.integration.tampering import execute_as_owner, rewrite_audit_entry
from tests.integration.views import build


@pytest.fixture
def conn(database_url: str) -> Iterator[Connection]:
    with Database(DatabaseURL(database_url)).connection() as connection:
        yield connection


@pytest.fixture
def told(app, conn) -> AuditStory:
    story = tell_audit_story(app)
    build(app, conn)
    return story


def reweighted(conn: Connection) -> int:
    return int(conn.execute("SELECT max(position) FROM view_audit_entries "
                            "WHERE event_type = 'Reweighted'")[0][0])


def test_an_honest_audit_log_agrees_with_the_chain(told, app, conn) -> None:
    result = audit_check.verify_read_models(conn, app)
    assert result.ok, str(result)
    assert result.checked_to == app.recorder.max_notification_id()
    assert str(result) == f"OK audit_log {result.checked_to}"


@pytest.mark.parametrize(("assignments", "columns"), [
    ("actor = 'person:scapegoat'", "actor"),
    ("reason = '按上级要求'", "reason"),
    ("event_type = 'Cancelled'", "event_type"),
    ("changes = '[]'", "changes"),
    ("actor = 'person:x', reason = 'y'", "actor, reason"),
])
def test_a_rewritten_entry_is_named_with_what_disagrees(told, app, conn, assignments,
                                                        columns) -> None:
    position = reweighted(conn)
    rewrite_audit_entry(app, position, assignments)
    result = audit_check.verify_read_models(conn, app)
    assert result.broken_at == position
    assert result.problem == f"audit log entry disagrees with its event: {columns}"
    assert str(result).startswith(f"BROKEN {position} audit log entry")


def test_a_deleted_entry_is_missing(told, app, conn) -> None:
    position = reweighted(conn)
    execute_as_owner(app, f"DELETE FROM view_audit_entries WHERE position = {position}")
    result = audit_check.verify_read_models(conn, app)
    assert (result.broken_at, result.problem) == (position, "audit log entry missing")


def test_only_what_the_projection_folded_is_checked(told, app, conn) -> None:
    """A follower behind the log is not a disagreement: entries are checked up to its
    tracked position."""
    folded = audit_check.folded_to(conn)
    execute_as_owner(app, f"UPDATE dengta_tracking SET position = {folded - 3} "
                          f"WHERE projection = '{AuditLog.name}'")
    result = audit_check.verify_read_models(conn, app)
    assert result.ok and result.checked_to == folded - 3
