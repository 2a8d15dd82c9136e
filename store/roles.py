"""Least privilege on PostgreSQL: an owner role creates and migrates the schema; the
application role the server runs as may read the event store and append to it (through
`dengta_append`), and nothing else there: it cannot update, delete, truncate, alter or drop
the event, audit and snapshot tables, nor switch their triggers off.

Read models and their tracking are derived data, folded again from the log at will: the
application role owns them, in a schema of their own (`dengta_read`, first on its search
path), so its followers create, reset and rebuild them as they do with one URL.

With one URL that may create the schema (the embedded default: a superuser or the database's
owner), everything is created on first use, as before. A role that may not create it checks
that the schema is there and current, and says what to run when it is not."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from eventsourcing.postgres import PostgresAggregateRecorder
from psycopg.sql import SQL, Composed, Identifier, Literal

from store import receipts, schema
from store.audit import AUDIT_TABLE
from store.postgres import DDL_LOCK, AuditedPostgresRecorder

READ_SCHEMA = "dengta_read"
DEFAULT_APP_ROLE = "dengta_app"
MIGRATE_HINT = ("run `dengta migrate` with the owner's URL (DENGTA_OWNER_DATABASE_URL or "
                "--owner-url)")


class SchemaNotReadyError(Exception):
    """The connecting role may not create the schema, and it is missing, older or not
    granted to it. The message is one line that says what to run."""


def _table(schema_name: str, table: str) -> str:
    return f'"{schema_name}"."{table}"'


def _one(recorder: PostgresAggregateRecorder, sql: str, params: Any = None) -> Any:
    with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
        curs.execute(sql, params)
        row = curs.fetchone()
    return None if row is None else next(iter(row.values()))


def may_create(recorder: AuditedPostgresRecorder) -> bool:
    """Whether the connecting role may create (or replace) the schema: it may create in the
    store's schema and owns the event store, if there is one yet."""
    return bool(_one(
        recorder,
        "SELECT has_schema_privilege(n.oid, 'CREATE') AND coalesce((SELECT "
        "pg_has_role(c.relowner, 'USAGE') FROM pg_class c WHERE c.oid = to_regclass(%s)), "
        "true) FROM pg_namespace n WHERE n.nspname = %s",
        (_table(recorder.datastore.schema, recorder.events_table_name),
         recorder.datastore.schema)))


def open_schema(events: AuditedPostgresRecorder,
                snapshots: PostgresAggregateRecorder | None) -> None:
    """Create the schema as the library would on first use (owner), else check it (the
    application role): raises SchemaNotReadyError."""
    if may_create(events):
        with taking_turns(events):
            events.create_table()
            if snapshots is not None:
                snapshots.create_table()
        return
    check_schema(events, snapshots)


FIRST_START = 7231008  # an advisory lock's key, apart from DDL_LOCK's


@contextmanager
def taking_turns(events: AuditedPostgresRecorder) -> Iterator[None]:
    """While this process creates the schema, others starting at the same moment (an API and
    its projection worker, uvicorn's workers) wait: the library's CREATE TYPE and CREATE
    TABLE IF NOT EXISTS fail when two run at once. A session lock on a connection of its
    own, held across the library's several transactions."""
    with events.datastore.get_connection() as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", [FIRST_START])
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", [FIRST_START])


def check_schema(events: AuditedPostgresRecorder,
                 snapshots: PostgresAggregateRecorder | None) -> None:
    name = events.datastore.schema
    who = _one(events, "SELECT 'role ' || quote_ident(current_user) || ' in database ' || "
                       "quote_ident(current_database())")
    kept = _table(name, schema.SCHEMA_TABLE)
    if _one(events, "SELECT to_regclass(%s) IS NULL", (kept,)):
        raise SchemaNotReadyError(f"{who} finds no dengta schema and may not create one: "
                             f"{MIGRATE_HINT}")
    wanted = [(_table(name, events.events_table_name), "SELECT"),
              (_table(name, AUDIT_TABLE), "SELECT"), (kept, "SELECT")]
    if snapshots is not None:
        wanted.append((_table(name, snapshots.events_table_name), "INSERT"))
    lacking = [f"{privilege} on {table}" for table, privilege in wanted
               if not _one(events, "SELECT to_regclass(%s) IS NOT NULL AND "
                                   "has_table_privilege(%s, %s)", (table, table, privilege))]
    if not _one(events, "SELECT coalesce(bool_or(has_function_privilege(oid, 'EXECUTE')), "
                        "false) FROM pg_proc WHERE proname = 'dengta_append'"):
        lacking.append("EXECUTE on dengta_append")
    if not _one(events, "SELECT coalesce(has_schema_privilege(current_schema(), 'CREATE'), "
                        "false)"):
        lacking.append(f"a schema of its own for the read models ({READ_SCHEMA})")
    if lacking:
        raise SchemaNotReadyError(f"{who} lacks {', '.join(lacking)}: {MIGRATE_HINT} "
                             "naming this role (--app-role)")
    found = _one(events, f"SELECT fingerprint FROM {kept}")
    needed = schema.fingerprint(events.dengta_ddl())
    if found != needed:
        raise SchemaNotReadyError(
            f"{who} finds the dengta schema of another version ({str(found)[:12]}; this one "
            f"needs {needed[:12]}): {MIGRATE_HINT}")


def grant_application_role(events: AuditedPostgresRecorder,
                           snapshots: PostgresAggregateRecorder | None, role: str,
                           password: str | None = None) -> list[str]:
    """As the schema's owner: create `role` if need be (LOGIN, nothing else; `password` if
    given) and give it what the server needs and no more. Returns what it did, in words.
    Raises ValueError for a role the protection would not bind."""
    name = events.datastore.schema
    it = Identifier(role)
    events_table = _table(name, events.events_table_name)
    done: list[str] = []
    with events.datastore.transaction(commit=True) as curs:

        def run(statement: SQL | Composed | str, params: Any = None) -> Any:
            curs.execute(SQL(statement) if isinstance(statement, str) else statement,
                         params)
            return curs.fetchone() if curs.description else None

        run(DDL_LOCK)
        owner = run("SELECT current_user AS who")["who"]
        if role == owner:
            raise ValueError(f"the application role must not be the owner {owner!r}: the "
                             "owner may switch the protection off")
        found = run("SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolbypassrls OR "
                    "rolreplication AS mighty FROM pg_roles WHERE rolname = %s", (role,))
        if found is None:
            run(SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION "
                    "NOBYPASSRLS").format(it))
            done.append(f"role {role} created")
        elif found["mighty"]:
            raise ValueError(f"role {role!r} is a superuser or may create roles or databases, "
                             "replicate or bypass row security: the protection would not "
                             "bind it")
        if password:
            run(SQL("ALTER ROLE {} PASSWORD {}").format(it, Literal(password)))
        if run("SELECT pg_has_role(%s, c.relowner, 'MEMBER') AS member FROM pg_class c "
               "WHERE c.oid = to_regclass(%s)", (role, events_table))["member"]:
            raise ValueError(f"role {role!r} is a member of the event store's owner: it "
                             "would hold the owner's rights")
        # Before PostgreSQL 15 every role may create in `public`: no longer.
        if run("SELECT EXISTS (SELECT 1 FROM pg_namespace n, aclexplode(n.nspacl) a "
               "WHERE n.nspname = %s AND a.grantee = 0 AND a.privilege_type = 'CREATE') "
               "AS open", (name,))["open"]:
            run(SQL("REVOKE CREATE ON SCHEMA {} FROM PUBLIC").format(Identifier(name)))
            done.append(f"CREATE on schema {name} revoked from PUBLIC")
        for kind in ("TABLES", "SEQUENCES", "FUNCTIONS"):
            run(SQL(f"REVOKE ALL ON ALL {kind} IN SCHEMA {{}} FROM {{}}").format(
                Identifier(name), it))
        run(SQL("REVOKE ALL ON SCHEMA {} FROM {}").format(Identifier(name), it))
        run(SQL("GRANT USAGE ON SCHEMA {} TO {}").format(Identifier(name), it))
        readable = [events_table, _table(name, AUDIT_TABLE), _table(name, schema.SCHEMA_TABLE)]
        run(SQL(f"GRANT SELECT ON {', '.join(readable)} TO {{}}").format(it))
        done.append(f"SELECT on {', '.join(readable)}")
        receipts_table = _table(name, receipts.RECEIPTS_TABLE)  # clientMutationId keys
        run(SQL(f"GRANT SELECT, INSERT ON {receipts_table} TO {{}}").format(it))
        done.append(f"SELECT, INSERT on {receipts_table}")
        if snapshots is not None:
            snapshot_table = _table(name, snapshots.events_table_name)
            run(SQL(f"GRANT SELECT, INSERT ON {snapshot_table} TO {{}}").format(it))
            done.append(f"SELECT, INSERT on {snapshot_table}")
        functions = run("SELECT string_agg(oid::regprocedure::text, ', ') AS f FROM pg_proc "
                        "WHERE proname = 'dengta_append' AND pronamespace = %s::regnamespace",
                        (name,))["f"]
        run(SQL(f"GRANT EXECUTE ON FUNCTION {functions} TO {{}}").format(it))
        done.append(f"EXECUTE on {functions} (SECURITY DEFINER)")
        read = Identifier(READ_SCHEMA)
        run(SQL("CREATE SCHEMA IF NOT EXISTS {}").format(read))
        run(SQL("GRANT USAGE, CREATE ON SCHEMA {} TO {}").format(read, it))
        database = run("SELECT current_database() AS db")["db"]
        run(SQL("ALTER ROLE {} IN DATABASE {} SET search_path = {}, {}").format(
            it, Identifier(database), read, Identifier(name)))
        done.append(f"its read models in schema {READ_SCHEMA} (its search path: "
                    f"{READ_SCHEMA}, {name})")
        if run("SELECT has_schema_privilege(%s, %s, 'CREATE') AS can", (role, name))["can"]:
            raise ValueError(f"role {role!r} may still create in schema {name} (through a "
                             "role it belongs to): revoke that first")
    return done
