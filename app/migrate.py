"""`dengta migrate`: as the owner, create or bring up to date the schema on PostgreSQL (event
store, audit chain, snapshots, their triggers and `dengta_append`), create and grant the
application role, then, when DENGTA_DATABASE_URL names that role, create its read models."""

from __future__ import annotations

import argparse
import sys
from contextlib import closing

from eventsourcing.persistence import PersistenceError
from eventsourcing.postgres import PostgresAggregateRecorder
from psycopg import Error as DatabaseError

from app.bootstrap import open_application
from app.settings import Settings
from projections import ALL
from projections.engine import create_tables
from store import probe
from store.db import Database
from store.postgres import AuditedPostgresRecorder
from store.probe import StoreProblemError
from store.roles import (
    DEFAULT_APP_ROLE,
    READ_SCHEMA,
    SchemaNotReadyError,
    grant_application_role,
)
from store.schema import fingerprint
from store.url import DatabaseURL


def _place(env: dict[str, str]) -> tuple[str, str, str]:
    return env["POSTGRES_HOST"], env["POSTGRES_PORT"], env["POSTGRES_DBNAME"]


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    owner_url = args.owner_url or settings.owner_database_url or settings.database_url
    if DatabaseURL(owner_url).backend == "sqlite":
        open_application(Settings(database_url=owner_url)).close()
        print(f"{owner_url}: SQLite has no roles; the store is created (nothing more to do)")
        return 0
    owner = DatabaseURL(owner_url).library_env(pool_size=1)
    # The server's URL names the application role when it is another user of this database.
    app_url: str | None = None
    if DatabaseURL(settings.database_url).backend == "postgresql":
        server = DatabaseURL(settings.database_url).library_env(pool_size=1)
        if _place(server) == _place(owner) and server["POSTGRES_USER"] != owner["POSTGRES_USER"]:
            app_url = settings.database_url
    role = args.app_role or settings.app_role or (
        DatabaseURL(app_url).library_env()["POSTGRES_USER"] if app_url else DEFAULT_APP_ROLE)
    if app_url is not None and DatabaseURL(app_url).library_env()["POSTGRES_USER"] != role:
        app_url = None  # it names another role than the one asked for
    password = DatabaseURL(app_url).library_env()["POSTGRES_PASSWORD"] if app_url else ""
    try:
        probe.check(DatabaseURL(owner_url), creating=True)  # reachable, in one line
        with closing(open_application(Settings(database_url=owner_url, pool_size=1))) as app:
            events, snapshots = app.recorder, app.snapshots.recorder if app.snapshots else None
            assert isinstance(events, AuditedPostgresRecorder)
            assert snapshots is None or isinstance(snapshots, PostgresAggregateRecorder)
            print(f"schema {fingerprint(events.dengta_ddl())[:12]} in {owner['POSTGRES_DBNAME']}"
                  f" as {owner['POSTGRES_USER']}: event store, audit chain, snapshots, "
                  "append-only triggers, dengta_append")
            done = grant_application_role(events, snapshots, role, password or None)
        print(f"application role {role}: {'; '.join(done)}")
        if app_url is None:
            print(f"run the server with DENGTA_DATABASE_URL naming role {role}; it creates its "
                  f"read models in schema {READ_SCHEMA}")
            return 0
        with closing(open_application(Settings(database_url=app_url, pool_size=1))), \
                Database(DatabaseURL(app_url)).connection() as conn:
            for projection in ALL:
                with conn.transaction():
                    create_tables(conn, projection)
        print(f"read models: {len(ALL)} created (or kept) in schema {READ_SCHEMA} as {role}")
    except (SchemaNotReadyError, StoreProblemError, ValueError, DatabaseError,
            PersistenceError) as error:
        print(f"dengta migrate: {error}".splitlines()[0], file=sys.stderr)
        return 2
    return 0


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    migrate = commands.add_parser(
        "migrate", help="PostgreSQL: create or update the schema as its owner and grant the "
                        "application role what the server needs (and no more)")
    migrate.add_argument("--owner-url", metavar="URL",
                         help="the owner's postgresql:// URL (default: "
                              "DENGTA_OWNER_DATABASE_URL, else DENGTA_DATABASE_URL)")
    migrate.add_argument("--app-role", metavar="NAME",
                         help="the server's role (default: DENGTA_APP_ROLE, else the user of "
                              f"DENGTA_DATABASE_URL, else {DEFAULT_APP_ROLE})")
    migrate.set_defaults(run=cmd_migrate)
