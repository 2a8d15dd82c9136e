"""SQLite (the embedded default): the library's recorders plus the audit chain and
append-only triggers, written in the same transaction as the events."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import InterfaceError, StoredEvent
from eventsourcing.sqlite import (
    SQLITE3_DEFAULT_LOCK_TIMEOUT,
    SQLiteAggregateRecorder,
    SQLiteApplicationRecorder,
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteCursor,
    SQLiteDatastore,
    SQLiteFactory,
)
from eventsourcing.utils import Environment, EnvType

from store import receipts
from store.audit import (
    AUDIT_TABLE,
    AuditRow,
    ChainEvent,
    Digest,
    chain_event,
    chain_rows,
    checked_audit_row,
    snapshot_digests,
)
from store.snapshots import SnapshotAnchor, anchored_select, trusted

AUDIT_DDL = f"""
CREATE TABLE IF NOT EXISTS {AUDIT_TABLE} (
    position INTEGER PRIMARY KEY,
    recorded_at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    aggregate_type TEXT NOT NULL,
    aggregate_id TEXT NOT NULL,
    aggregate_version INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    hash BLOB NOT NULL,
    chain_version INTEGER NOT NULL DEFAULT 1,
    snapshot_hash BLOB
)"""
# Logs made before chain version 2 lack its columns: they are added (no row is rewritten; the
# old rows keep version 1, the default, and verify by the formula they were linked with).
CHAIN_V2_COLUMNS = {"chain_version": "INTEGER NOT NULL DEFAULT 1", "snapshot_hash": "BLOB"}
AUDIT_COLUMNS = ("position, recorded_at, actor, aggregate_type, aggregate_id, "
                 "aggregate_version, event_type, hash, chain_version, snapshot_hash")
HEAD_SQL = f"SELECT hash FROM {AUDIT_TABLE} ORDER BY position DESC LIMIT 1"
INSERT_AUDIT = (f"INSERT INTO {AUDIT_TABLE} ({AUDIT_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
STATEMENT_CACHE_SIZE = 128  # sqlite3's own default


def append_only_triggers(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_refuse_{op.lower()} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'dengta: {op} on {table} is refused: "
        "the record is append-only'); END"
        for op in ("UPDATE", "DELETE")
    ]


def audit_values(row: AuditRow) -> tuple[Any, ...]:
    return (row.position, row.recorded_at_us, row.actor, row.aggregate_type,
            row.aggregate_id.hex, row.aggregate_version, row.event_type, row.hash,
            row.chain_version, row.snapshot_hash)


def audit_row(row: Any) -> AuditRow:
    return checked_audit_row(*row)


def add_chain_v2_columns(c: SQLiteCursor) -> None:
    c.execute(f"PRAGMA table_info({AUDIT_TABLE})")
    present = {row[1] for row in c.fetchall()}
    for column, declaration in CHAIN_V2_COLUMNS.items():
        if column not in present:
            c.execute(f"ALTER TABLE {AUDIT_TABLE} ADD COLUMN {column} {declaration}")


class _Written:
    """The last link one write made: (position, hash)."""

    head: tuple[int, bytes] | None = None


class AuditedSQLiteRecorder(SQLiteApplicationRecorder):
    """Positions are the events table's rowids (the library declares no AUTOINCREMENT): each
    is one more than the largest before it, and they only ever grow because the triggers
    below refuse every DELETE.

    So when a write's first event lands right after the last link this process committed,
    nobody wrote in between and that link is the chain head: the usual write links on
    without reading the head. Otherwise (another process wrote) it reads the head."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._committed_head: tuple[int, bytes] | None = None

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            # No secondary indexes: each costs a page write per commit, and an aggregate's
            # history is found through the events table's primary key.
            AUDIT_DDL,
            receipts.SQLITE_DDL,
            *append_only_triggers(self.events_table_name),
            *append_only_triggers(AUDIT_TABLE),
            *append_only_triggers(receipts.RECEIPTS_TABLE),
        ]

    def create_table(self) -> None:
        super().create_table()
        with self.datastore.transaction(commit=True) as c:
            add_chain_v2_columns(c)

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        written = _Written()
        positions = super().insert_events(stored_events, written=written, **kwargs)
        # Only a committed link may be followed: a rolled-back one's position is reused.
        if written.head is not None:
            self._committed_head = written.head
        return positions

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        # The event insert takes the write lock first, so the head cannot move under us.
        positions = super()._insert_events(c, stored_events, **kwargs)
        if not stored_events:
            return positions
        assert positions is not None
        # SQLite runs inside this process: the database's clock is this clock.
        now_us = time.time_ns() // 1000
        known = self._committed_head
        if known is not None and known[0] + 1 == positions[0]:
            previous: bytes | None = known[1]
        else:
            c.execute(HEAD_SQL)
            row = c.fetchone()
            previous = row[0] if row else None
        rows = chain_rows(previous, positions, stored_events, now_us, kwargs.get("actor", ""),
                          snapshot_digests(kwargs.get("snapshots")))
        if len(rows) == 1:
            c.execute(INSERT_AUDIT, audit_values(rows[0]))
        else:
            c.executemany(INSERT_AUDIT, [audit_values(row) for row in rows])
        if kwargs.get("receipt") is not None:  # the client's idempotency key, kept with it
            c.execute(receipts.INSERT_SQLITE,
                      receipts.values(kwargs["receipt"], positions[-1], sqlite=True))
        written = kwargs.get("written")
        if written is not None:
            written.head = (rows[-1].position, rows[-1].hash)
        return positions

    def select_audit(self, after: int, limit: int) -> list[AuditRow]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT {AUDIT_COLUMNS} FROM {AUDIT_TABLE} WHERE position > ? "
                      "ORDER BY position LIMIT ?", (after, limit))
            return [audit_row(row) for row in c.fetchall()]

    def select_chain_events(self, after: int, limit: int) -> list[ChainEvent]:
        """Stored events as the chain covers them, read without the library's decoding."""
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT rowid, originator_id, originator_version, topic, state FROM "
                      f"{self.events_table_name} WHERE rowid > ? ORDER BY rowid LIMIT ?",
                      (after, limit))
            return [chain_event(*row) for row in c.fetchall()]

    def find_receipt(self, principal: str, key: str) -> receipts.Kept | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(receipts.SELECT_SQLITE, (principal, key))
            row = c.fetchone()
        return receipts.kept(row) if row else None

    def audit_head(self) -> Digest | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT position, hash FROM {AUDIT_TABLE} ORDER BY position DESC "
                      "LIMIT 1")
            row = c.fetchone()
        return Digest(row[0], bytes(row[1])) if row else None


class AppendOnlySQLiteAggregateRecorder(SQLiteAggregateRecorder):
    """Snapshots: kept, never altered, and read only when the chain vouches for them
    (`store.snapshots`)."""

    chain_events_table = "stored_events"  # the application's events, whose audit rows anchor

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            *append_only_triggers(self.events_table_name),
        ]

    def _anchors_sql(self, join: str) -> str:
        return (f"SELECT s.originator_id, s.originator_version, s.topic, s.state, e.rowid, "
                f"a.snapshot_hash FROM {self.events_table_name} s {join} JOIN "
                f"{self.chain_events_table} e ON e.originator_id = s.originator_id AND "
                f"e.originator_version = s.originator_version {join} JOIN {AUDIT_TABLE} a "
                "ON a.position = e.rowid ")

    def select_events(
        self, originator_id: UUID | str, *, gt: int | None = None, lte: int | None = None,
        desc: bool = False, limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        statement, params = anchored_select(
            self._anchors_sql(""), "?",
            originator_id.hex if isinstance(originator_id, UUID) else originator_id,
            gt, lte, desc, limit)
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, params)
            return trusted([snapshot_anchor(row) for row in c.fetchall()], limit)

    def select_snapshot_anchors(self, after: tuple[UUID, int] | None,
                                limit: int) -> list[SnapshotAnchor]:
        statement = self._anchors_sql("LEFT")
        params: list[Any] = []
        if after is not None:
            statement += "WHERE (s.originator_id, s.originator_version) > (?, ?) "
            params += [after[0].hex, after[1]]
        statement += "ORDER BY s.originator_id, s.originator_version LIMIT ?"
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, [*params, limit])
            return [snapshot_anchor(row) for row in c.fetchall()]


def snapshot_anchor(row: Any) -> SnapshotAnchor:
    digest = row[5]
    return SnapshotAnchor(StoredEvent(UUID(row[0]), row[1], row[2], row[3]), row[4],
                          bytes(digest) if isinstance(digest, bytes | memoryview) else None)


class StatementCachingPool(SQLiteConnectionPool):
    """The library's connections, but with a statement cache: it asks for
    `cached_statements=True`, which sqlite3 takes as a cache of one statement, so every write
    re-prepared its inserts (about 15 us of each audited write)."""

    def _create_connection(self) -> SQLiteConnection:
        try:
            connection = sqlite3.connect(
                database=self.db_name, uri=True, check_same_thread=False,
                isolation_level=None, cached_statements=STATEMENT_CACHE_SIZE,
                timeout=self.lock_timeout or SQLITE3_DEFAULT_LOCK_TIMEOUT,
            )
        except (sqlite3.Error, TypeError) as error:
            raise InterfaceError(error) from error
        if not self.is_sqlite_memory_mode and not self.is_journal_mode_wal:
            connection.execute("PRAGMA journal_mode=WAL")  # kept in the file once set
            self.is_journal_mode_wal = True
        connection.row_factory = sqlite3.Row
        return SQLiteConnection(sqlite_conn=connection, max_age=self.max_age)


def use_statement_cache(datastore: SQLiteDatastore) -> None:
    """Give a library datastore the pool above (before it opened any connection)."""
    library_pool = datastore.pool
    datastore.pool = StatementCachingPool(
        db_name=library_pool.db_name, lock_timeout=library_pool.lock_timeout,
        pool_size=library_pool.pool_size, max_overflow=library_pool.max_overflow,
        pool_timeout=library_pool.pool_timeout, max_age=library_pool.max_age,
        pre_ping=library_pool.pre_ping,
    )
    library_pool.close()


class AuditedSQLiteFactory(SQLiteFactory):
    application_recorder_class = AuditedSQLiteRecorder
    aggregate_recorder_class = AppendOnlySQLiteAggregateRecorder

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        use_statement_cache(self.datastore)
