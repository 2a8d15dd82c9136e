"""Before a command opens the store: is it reachable, and does it hold a dengta store? Each
misconfiguration becomes one line that names what was looked for and what to do, within a
couple of seconds (the library's pool would retry for ten, then print a traceback)."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from pathlib import Path

import psycopg

from store.audit import AUDIT_TABLE
from store.roles import MIGRATE_HINT
from store.url import DatabaseURL

# libpq's least connect_timeout; a closed port or a missing socket answers at once anyway.
CONNECT_TIMEOUT_SECONDS = 2
CREATE_HINT = "run `dengta init` (an empty store) or `dengta demo` (the demo) to create one"


class StoreProblemError(Exception):
    """Raised when the configured store cannot be used as it is; the message is one line
    naming the store, what is wrong and what to do."""


class NoStoreError(StoreProblemError):
    """Raised when the store is reachable but holds no dengta store (or the SQLite file is
    not there): only `dengta init` and `dengta demo` create one."""


def check(url: DatabaseURL, *, creating: bool = False) -> None:
    """Raises StoreProblemError unless the store can be opened; NoStoreError when it holds no
    dengta store yet, unless `creating` (the commands that make one)."""
    try:
        if url.backend == "sqlite":
            _check_sqlite(url.sqlite_path)
        else:
            _check_postgres(url)
    except NoStoreError:
        if not creating:
            raise


def _check_sqlite(path: Path) -> None:
    where = path.absolute()
    if path.is_dir():
        raise StoreProblemError(f"the SQLite store {where} is a folder: name a file in "
                                "DENGTA_DATABASE_URL (sqlite:///folder/dengta.db)")
    if not path.exists():
        if not path.parent.is_dir():
            raise NoStoreError(f"no SQLite store at {where}: its folder {where.parent} does "
                               f"not exist (a relative path is read from the working "
                               f"directory, {Path.cwd()}); correct DENGTA_DATABASE_URL, or "
                               f"{CREATE_HINT}")
        raise NoStoreError(f"no SQLite store at {where} (a relative path is read from the "
                           f"working directory, {Path.cwd()}); correct DENGTA_DATABASE_URL, "
                           f"or {CREATE_HINT}")
    try:
        # Read-only: looking must not create or change anything.
        with closing(sqlite3.connect(f"{where.as_uri()}?mode=ro", uri=True)) as conn:
            found = conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?",
                                 (AUDIT_TABLE,)).fetchone()
    except sqlite3.DatabaseError as error:
        raise StoreProblemError(f"{where} is not a dengta store ({error}): correct "
                                "DENGTA_DATABASE_URL") from None
    if found is None:
        raise NoStoreError(f"{where} holds no dengta store: correct DENGTA_DATABASE_URL, or "
                           f"{CREATE_HINT}")


def _check_postgres(url: DatabaseURL) -> None:
    env = url.library_env()
    host, port = env["POSTGRES_HOST"], env["POSTGRES_PORT"]
    user, database = env["POSTGRES_USER"], env["POSTGRES_DBNAME"]
    where = f"socket {host}/.s.PGSQL.{port}" if host.startswith("/") else f"{host}:{port}"
    try:
        conn = psycopg.connect(host=host, port=port, user=user, dbname=database,
                               password=env["POSTGRES_PASSWORD"] or None,
                               connect_timeout=CONNECT_TIMEOUT_SECONDS, autocommit=True)
    except psycopg.Error as error:
        raise StoreProblemError(_refusal(str(error), where, host, port, user, database)
                                ) from None
    with conn:
        present, may_create = conn.execute(
            "SELECT to_regclass(%s) IS NOT NULL, has_schema_privilege('public', 'CREATE')",
            (f"public.{AUDIT_TABLE}",)).fetchone() or (False, False)
    if not present:
        if may_create:
            raise NoStoreError(f"database {database} at {where} holds no dengta store "
                               f"(user {user}): correct DENGTA_DATABASE_URL, or {CREATE_HINT}")
        raise StoreProblemError(f"database {database} at {where} holds no dengta store and "
                                f"user {user} may not create one: {MIGRATE_HINT}")


def _refusal(message: str, where: str, host: str, port: str, user: str, database: str) -> str:
    """One line for a refused connection, from libpq's message (it carries no SQLSTATE)."""
    if re.search(r'database ".*" does not exist', message):
        return (f"PostgreSQL at {where} has no database {database!r}: create it (createdb -h "
                f"{host} -p {port} -U <a user who may> {database}) or correct the database "
                "in DENGTA_DATABASE_URL")
    if re.search(r'role ".*" does not exist', message):
        return (f"PostgreSQL at {where} knows no user {user!r}: create that role, or correct "
                "the user in DENGTA_DATABASE_URL")
    if "password" in message or "authentication failed" in message:
        return (f"PostgreSQL at {where} refused user {user!r} (password or authentication "
                "failed): correct the user and password in DENGTA_DATABASE_URL")
    if re.search(r"resolve host|translate host name", message):
        return (f"cannot find PostgreSQL's host {host!r} (no such name): correct the host in "
                "DENGTA_DATABASE_URL")
    if re.search(r"Connection refused|No such file|timeout expired|Network is unreachable|"
                 r"No route to host", message):
        return (f"cannot reach PostgreSQL at {where}: is the server running there, on that "
                "port? (correct the host and port in DENGTA_DATABASE_URL)")
    detail = message.strip().splitlines()[0] if message.strip() else "no reason given"
    return (f"PostgreSQL at {where} refused user {user!r} on database {database!r}: "
            f"{detail}")
