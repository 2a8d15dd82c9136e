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
