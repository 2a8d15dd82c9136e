"""PostgreSQL (production): the library's recorders plus the audit chain and append-only
triggers. The audit rows join the library's pipelined insert transaction, after its table
lock, so the chain head is stable and the extra work costs no extra round trip to read it.

Saves from concurrent threads are committed in groups: while one transaction holds the table
lock, the saves that arrive meanwhile queue, and the next transaction writes them all (one
lock, one flush to disk). A group that fails (one save's version conflict, say) is written
again save by save, so each save still succeeds or fails alone, as if it had been by itself."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import PersistenceError, ProgrammingError, StoredEvent
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
# A group's rows in one statement (executemany would send one INSERT per row).
INSERT_AUDITS = (f"INSERT INTO {AUDIT_TABLE} SELECT * FROM unnest(%s::bigint[], "
                 "%s::timestamptz[], %s::text[], %s::text[], %s::uuid[], %s::bigint[], "
                 "%s::text[], %s::bytea[])")
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


class _Save:
    """One save's events, waiting to be written (perhaps in a group), then its answer."""

    __slots__ = ("actor", "done", "error", "positions", "stored_events")

    def __init__(self, stored_events: Sequence[StoredEvent], actor: str) -> None:
        self.stored_events = stored_events
        self.actor = actor
        self.positions: Sequence[int] | None = None
        self.error: Exception | None = None
        self.done = False


class AuditedPostgresRecorder(PostgresApplicationRecorder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._turn = threading.Condition()
        self._queue: list[_Save] = []
        self._writing = False
        self.group_sizes: list[int] = []  # saves per transaction, the latest few (for tests)

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
        if kwargs.get("tracking") is not None or set(kwargs) - {"actor", "tracking"} \
                or not stored_events:  # a tracked write (a process application's) goes alone
            return self._insert(stored_events, **kwargs)
        save = _Save(stored_events, kwargs.get("actor", ""))
        with self._turn:
            self._queue.append(save)
            while self._writing and not save.done:
                self._turn.wait()
            leading = not save.done
            if leading:  # nobody is writing: write everything queued so far
                self._writing = True
                group, self._queue = self._queue, []
        if leading:
            try:
                self._write_group(group)
            finally:
                with self._turn:
                    for unanswered in (s for s in group if not s.done):  # the leader broke off
                        unanswered.error = PersistenceError("the write was interrupted")
                        unanswered.done = True
                    self._writing = False
                    self._turn.notify_all()
        if save.error is not None:
            raise save.error
        return save.positions

    def _write_group(self, group: list[_Save]) -> None:
        del self.group_sizes[:-100]
        self.group_sizes.append(len(group))
        if len(group) > 1:
            try:
                positions = self._insert(
                    [event for save in group for event in save.stored_events],
                    actor=[save.actor for save in group for _ in save.stored_events])
            except Exception:  # each save is written again, alone, and answered for itself
                pass
            else:
                assert positions is not None
                start = 0
                for save in group:
                    end = start + len(save.stored_events)
                    save.positions, save.done = positions[start:end], True
                    start = end
                return
        for save in group:
            try:
                save.positions = self._insert(save.stored_events, actor=save.actor)
            except Exception as error:  # raised in the saving thread
                save.error = error
            save.done = True

    def _insert(self, stored_events: Sequence[StoredEvent], **kwargs: Any
                ) -> Sequence[int] | None:
        positions: Sequence[int] | None = super().insert_events(
            stored_events, pending_head=_PendingHead(), **kwargs)
        return positions

    def _insert_stored_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        """The library's lock, notify and insert, with the chain head read after the lock and
        before the insert: a failed insert is then the pipeline's last statement, so it
        raises IntegrityError. After it, a head query would fail as "pipeline aborted", an
        OperationalError the library retries after sleeping 0.2 s, up to ten times."""
        self._lock_table(curs)
        self._notify_channel(curs)
        head = curs.connection.cursor()
        head.execute(HEAD_SQL, prepare=True)
        kwargs["pending_head"].cursor = head
        PostgresAggregateRecorder._insert_stored_events(self, curs, stored_events, **kwargs)

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
            curs.execute(INSERT_AUDITS, [list(column) for column in zip(*values, strict=True)],
                         prepare=True)
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
