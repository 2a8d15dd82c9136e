"""PostgreSQL (production): the library's recorders plus the audit chain and append-only
triggers. The audit rows join the library's pipelined insert transaction, after its table
lock, so the chain head is stable and the extra work costs no extra round trip to read it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import ProgrammingError, StoredEvent
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresFactory,
)
from psycopg import Cursor
from psycopg.rows import DictRow

from store.audit import AUDIT_TABLE, AuditRow, Digest, chain_rows, micros

AUDIT_DDL = (
    f"""CREATE TABLE IF NOT EXISTS {AUDIT_TABLE} (
        position bigint PRIMARY KEY,
        recorded_at timestamptz NOT NULL,
        actor text NOT NULL,
        aggregate_type text NOT NULL,
        aggregate_id uuid NOT NULL,
        aggregate_version bigint NOT NULL,
        event_type text NOT NULL,
        hash bytea NOT NULL)""",
    f"CREATE INDEX IF NOT EXISTS {AUDIT_TABLE}_recorded_at ON {AUDIT_TABLE} (recorded_at)",
    """CREATE OR REPLACE FUNCTION dengta_refuse_change() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION 'dengta: % on % is refused: the record is append-only',
           TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
       END $$""",
)
# Recorded time is read after the table lock (clock_timestamp, not the transaction's start),
# so it never goes backwards along positions and a moment maps to a position by index.
HEAD_SQL = (
    f"SELECT (SELECT hash FROM {AUDIT_TABLE} ORDER BY position DESC LIMIT 1) AS hash, "
    "clock_timestamp() AS now"
)
INSERT_AUDIT = f"INSERT INTO {AUDIT_TABLE} VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
DDL_LOCK = "SELECT pg_advisory_xact_lock(7231007)"  # serialises concurrent first starts


def append_only_triggers(table: str) -> list[str]:
    return [
        f"CREATE OR REPLACE TRIGGER dengta_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION dengta_refuse_change()",
        f"CREATE OR REPLACE TRIGGER dengta_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION dengta_refuse_change()",
    ]


def run_ddl(recorder: PostgresAggregateRecorder, statements: Sequence[str]) -> None:
    with recorder.datastore.transaction(commit=True) as curs:
        curs.execute(DDL_LOCK)
        for statement in statements:
            curs.execute(statement)


class _PendingHead:
    """Carries the head query's cursor from the insert step to the fetch step of one write."""

    cursor: Cursor[DictRow]


class AuditedPostgresRecorder(PostgresApplicationRecorder):
    def create_table(self) -> None:
        if self.datastore.enable_db_functions:
            # The function path skips the table lock; tailing readers would skip events.
            raise ProgrammingError("POSTGRES_ENABLE_DB_FUNCTIONS must stay off for dengta")
        super().create_table()
        run_ddl(self, [*AUDIT_DDL, *append_only_triggers(self.events_table_name),
                       *append_only_triggers(AUDIT_TABLE)])

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        positions: Sequence[int] | None = super().insert_events(
            stored_events, pending_head=_PendingHead(), **kwargs)
        return positions

    def _insert_stored_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        super()._insert_stored_events(curs, stored_events, **kwargs)  # lock, notify, insert
        head = curs.connection.cursor()
        head.execute(HEAD_SQL, prepare=True)  # pipelined after the lock
        kwargs["pending_head"].cursor = head

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        positions = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        assert positions is not None
        head = kwargs["pending_head"].cursor.fetchone()
        assert head is not None
        rows = chain_rows(head["hash"], positions, stored_events, micros(head["now"]),
                          kwargs.get("actor", ""))
        values = [(r.position, r.recorded_at, r.actor, r.aggregate_type, r.aggregate_id,
                   r.aggregate_version, r.event_type, r.hash) for r in rows]
        if len(values) == 1:
            curs.execute(INSERT_AUDIT, values[0], prepare=True)
        else:
            curs.executemany(INSERT_AUDIT, values)
        return positions

    def select_audit(self, after: int, limit: int) -> list[AuditRow]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(f"SELECT * FROM {AUDIT_TABLE} WHERE position > %s "
                         "ORDER BY position LIMIT %s", (after, limit))
            return [
                AuditRow(r["position"], micros(r["recorded_at"]), r["actor"], r["aggregate_type"],
                         r["aggregate_id"], r["aggregate_version"], r["event_type"],
                         bytes(r["hash"]))
                for r in curs.fetchall()
            ]

    def audit_head(self) -> Digest | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(f"SELECT position, hash FROM {AUDIT_TABLE} "
                         "ORDER BY position DESC LIMIT 1")
            row = curs.fetchone()
        return Digest(row["position"], bytes(row["hash"])) if row else None


class AppendOnlyPostgresAggregateRecorder(PostgresAggregateRecorder):
    """Snapshots: kept, never altered."""

    def create_table(self) -> None:
        super().create_table()
        run_ddl(self, [AUDIT_DDL[-1], *append_only_triggers(self.events_table_name)])


class AuditedPostgresFactory(PostgresFactory):
    application_recorder_class = AuditedPostgresRecorder
    aggregate_recorder_class = AppendOnlyPostgresAggregateRecorder
