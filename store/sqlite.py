"""SQLite (the embedded default): the library's recorders plus the audit chain and
append-only triggers, written in the same transaction as the events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import (
    SQLiteAggregateRecorder,
    SQLiteApplicationRecorder,
    SQLiteCursor,
    SQLiteFactory,
)

from store.audit import AUDIT_TABLE, AuditRow, Digest, chain_rows, micros

AUDIT_DDL = f"""
CREATE TABLE IF NOT EXISTS {AUDIT_TABLE} (
    position INTEGER PRIMARY KEY,
    recorded_at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    aggregate_type TEXT NOT NULL,
    aggregate_id TEXT NOT NULL,
    aggregate_version INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    hash BLOB NOT NULL
)"""
HEAD_SQL = f"SELECT hash FROM {AUDIT_TABLE} ORDER BY position DESC LIMIT 1"
INSERT_AUDIT = f"INSERT INTO {AUDIT_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
# Inserts the first new link only if the chain head is still the one this process last wrote.
INSERT_AUDIT_AFTER_HEAD = (
    f"INSERT INTO {AUDIT_TABLE} SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE ({HEAD_SQL}) IS ?"
)
UNKNOWN = b"unknown"


def append_only_triggers(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_refuse_{op.lower()} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'dengta: {op} on {table} is refused: "
        "the record is append-only'); END"
        for op in ("UPDATE", "DELETE")
    ]


def audit_values(row: AuditRow) -> tuple[Any, ...]:
    return (row.position, row.recorded_at_us, row.actor, row.aggregate_type,
            row.aggregate_id.hex, row.aggregate_version, row.event_type, row.hash)


def audit_row(row: Any) -> AuditRow:
    return AuditRow(row[0], row[1], row[2], row[3], UUID(row[4]), row[5], row[6], bytes(row[7]))


class AuditedSQLiteRecorder(SQLiteApplicationRecorder):
    """Positions are the events table's rowids (the library declares no AUTOINCREMENT); they
    only ever grow because the triggers below refuse every DELETE.

    Remembers the head it last wrote, so the usual write links on with one guarded insert
    instead of a read and an insert; when another process moved the head, it reads it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head: bytes | None = UNKNOWN

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            # No secondary indexes: each costs a page write per commit, and an aggregate's
            # history is found through the events table's primary key.
            AUDIT_DDL,
            *append_only_triggers(self.events_table_name),
            *append_only_triggers(AUDIT_TABLE),
        ]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        # The event insert takes the write lock first, so the head cannot move under us.
        positions = super()._insert_events(c, stored_events, **kwargs)
        if not stored_events:
            return positions
        assert positions is not None
        # SQLite runs inside this process: the database's clock is this clock.
        now_us = micros(datetime.now(UTC))
        actor = kwargs.get("actor", "")
        rows = []
        if self._head is not UNKNOWN:
            rows = chain_rows(self._head, positions, stored_events, now_us, actor)
            c.execute(INSERT_AUDIT_AFTER_HEAD, (*audit_values(rows[0]), self._head))
            if c.sqlite_cursor.rowcount != 1:
                rows = []
        if not rows:
            c.execute(HEAD_SQL)
            head = c.fetchone()
            rows = chain_rows(head[0] if head else None, positions, stored_events, now_us,
                              actor)
            c.execute(INSERT_AUDIT, audit_values(rows[0]))
        if len(rows) > 1:
            c.executemany(INSERT_AUDIT, [audit_values(row) for row in rows[1:]])
        # If the commit fails, the next write's guard notices and reads the head again.
        self._head = rows[-1].hash
        return positions

    def select_audit(self, after: int, limit: int) -> list[AuditRow]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT * FROM {AUDIT_TABLE} WHERE position > ? ORDER BY position "
                      "LIMIT ?", (after, limit))
            return [audit_row(row) for row in c.fetchall()]

    def audit_head(self) -> Digest | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT position, hash FROM {AUDIT_TABLE} ORDER BY position DESC "
                      "LIMIT 1")
            row = c.fetchone()
        return Digest(row[0], bytes(row[1])) if row else None


class AppendOnlySQLiteAggregateRecorder(SQLiteAggregateRecorder):
    """Snapshots: kept, never altered."""

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            *append_only_triggers(self.events_table_name),
        ]


class AuditedSQLiteFactory(SQLiteFactory):
    application_recorder_class = AuditedSQLiteRecorder
    aggregate_recorder_class = AppendOnlySQLiteAggregateRecorder
