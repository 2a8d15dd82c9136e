"""What an attacker with database access (or a superuser) does, per backend."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import psycopg

from domain.application import DengtaApplication


def events_table(app: DengtaApplication) -> str:
    return str(app.recorder.events_table_name)  # type: ignore[attr-defined]


def execute_as_owner(app: DengtaApplication, sql: str) -> None:
    """Run SQL outside the application, as the database owner would."""
    env = app.env
    if "SQLITE_DBNAME" in env:
        with closing(sqlite3.connect(env["SQLITE_DBNAME"])) as conn:
            conn.executescript(sql)
            conn.commit()
    else:
        with psycopg.connect(dbname=env["POSTGRES_DBNAME"], host=env["POSTGRES_HOST"],
                             port=env["POSTGRES_PORT"], user=env["POSTGRES_USER"],
                             autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]


def drop_append_only_triggers(app: DengtaApplication, table: str) -> None:
    if "SQLITE_DBNAME" in app.env:
        execute_as_owner(app, f"DROP TRIGGER {table}_refuse_update; "
                              f"DROP TRIGGER {table}_refuse_delete;")
    else:
        execute_as_owner(app, f"DROP TRIGGER dengta_append_only ON {table}")


def id_column(app: DengtaApplication) -> str:
    return "rowid" if "SQLITE_DBNAME" in app.env else "notification_id"


def refuse_audit_rows_by(app: DengtaApplication, actor: str) -> None:
    """Make the database refuse the audit row of any write by `actor`: that write fails after
    its event was inserted and its link computed, and is rolled back."""
    if "SQLITE_DBNAME" in app.env:
        execute_as_owner(app, "CREATE TRIGGER refuse_actor BEFORE INSERT ON dengta_audit "
                              f"WHEN NEW.actor = '{actor}' "
                              "BEGIN SELECT RAISE(ABORT, 'refused for the test'); END;")
    else:
        execute_as_owner(app, "CREATE FUNCTION refuse_actor() RETURNS trigger LANGUAGE plpgsql "
                              f"AS $$ BEGIN IF NEW.actor = '{actor}' THEN "
                              "RAISE EXCEPTION 'refused for the test'; END IF; RETURN NEW; "
                              "END $$; CREATE TRIGGER refuse_actor BEFORE INSERT ON "
                              "dengta_audit FOR EACH ROW EXECUTE FUNCTION refuse_actor();")


def is_sqlite(app: DengtaApplication) -> bool:
    return "SQLITE_DBNAME" in app.env


def blob(app: DengtaApplication, value: bytes) -> str:
    """A bytes literal in the backend's SQL."""
    return f"x'{value.hex()}'" if is_sqlite(app) else f"'\\x{value.hex()}'::bytea"


def update_audit_row(app: DengtaApplication, position: int, assignments: str) -> None:
    drop_append_only_triggers(app, "dengta_audit")
    execute_as_owner(app, f"UPDATE dengta_audit SET {assignments} WHERE position = {position}")


def turn_stored_state_into_text(app: DengtaApplication, position: int) -> None:
    """SQLite stores the one event's state as TEXT; PostgreSQL, whose column has one type,
    has the whole column altered to text (every state then reads back as text)."""
    if is_sqlite(app):
        drop_append_only_triggers(app, events_table(app))
        execute_as_owner(app, f"UPDATE {events_table(app)} SET state = CAST(state AS TEXT) "
                              f"WHERE rowid = {position}")
    else:
        execute_as_owner(app, f"ALTER TABLE {events_table(app)} ALTER COLUMN state TYPE text "
                              "USING convert_from(state, 'UTF8')")


def downgrade_to_chain_v1(app: DengtaApplication) -> None:
    """Make the store what the code before chain version 2 wrote: the audit table without its
    version 2 columns, every link by the version 1 formula."""
    from store.audit import canonical_bytes, link

    events = {e.id: e for e in app.recorder.select_notifications(1, 100_000)}  # type: ignore[attr-defined]
    rows = app.recorder.select_audit(0, 100_000)  # type: ignore[attr-defined]
    drop_append_only_triggers(app, "dengta_audit")
    execute_as_owner(app, "ALTER TABLE dengta_audit DROP COLUMN chain_version; "
                          "ALTER TABLE dengta_audit DROP COLUMN snapshot_hash;"
                     if is_sqlite(app) else
                     "ALTER TABLE dengta_audit DROP COLUMN chain_version, "
                     "DROP COLUMN snapshot_hash")
    previous = bytes(32)
    updates = []
    for row in rows:
        event = events[row.position]
        previous = link(previous, canonical_bytes(
            row.position, row.recorded_at_us, row.actor, event.originator_id,
            event.originator_version, event.topic, event.state))
        updates.append(f"UPDATE dengta_audit SET hash = {blob(app, previous)} "
                       f"WHERE position = {row.position};")
    execute_as_owner(app, "\n".join(updates))


def snapshots_table(app: DengtaApplication) -> str:
    return "stored_snapshots" if is_sqlite(app) else "dengta_snapshots"


def alter_snapshot(app: DengtaApplication, originator_id: object, version: int,
                   old: bytes, new: bytes) -> None:
    """Replace `old` by `new` in a stored snapshot's state, as a superuser would."""
    table = snapshots_table(app)
    (stored,) = [s for s in app.snapshots.recorder.select_snapshot_anchors(None, 10_000)  # type: ignore[union-attr, attr-defined]
                 if (s.snapshot.originator_id, s.snapshot.originator_version)
                 == (originator_id, version)]
    forged = stored.snapshot.state.replace(old, new)
    assert forged != stored.snapshot.state
    drop_append_only_triggers(app, table)
    key = f"'{originator_id.hex}'" if is_sqlite(app) else f"'{originator_id}'::uuid"  # type: ignore[attr-defined]
    execute_as_owner(app, f"UPDATE {table} SET state = {blob(app, forged)} "
                          f"WHERE originator_id = {key} AND originator_version = {version}")


def rewrite_audit_entry(app: DengtaApplication, position: int, assignments: str) -> None:
    """Rewrite an audit log read-model row, as a superuser would (read models have no
    append-only triggers: they are derived, and verified against the chain)."""
    execute_as_owner(app, f"UPDATE view_audit_entries SET {assignments} "
                          f"WHERE position = {position} AND valid_to IS NULL")
