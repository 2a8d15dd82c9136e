"""SQLite (the embedded default): the library's recorders plus the audit chain and
append-only triggers, written in the same transaction as the events."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import (
    SQLiteAggregateRecorder,
    SQLiteApplicationRecorder,
    SQLiteCursor,
    SQLiteFactory,
)

from store.audit import AUDIT_TABLE, AuditRow, Digest, chain_rows

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
AUDIT_INDEXES = (
    f"CREATE INDEX IF NOT EXISTS {AUDIT_TABLE}_recorded_at ON {AUDIT_TABLE} (recorded_at)",
    f"CREATE INDEX IF NOT EXISTS {AUDIT_TABLE}_aggregate ON {AUDIT_TABLE} "
    "(aggregate_id, position)",
)
# Database time in microseconds; SQLite's clock has millisecond resolution.
HEAD_SQL = (
    f"SELECT (SELECT hash FROM {AUDIT_TABLE} ORDER BY position DESC LIMIT 1), "
    "CAST(strftime('%s','now') AS INTEGER) * 1000000 "
    "+ CAST(substr(strftime('%f','now'), 4) AS INTEGER) * 1000"
)
INSERT_AUDIT = f"INSERT INTO {AUDIT_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?)"


def append_only_triggers(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_refuse_{op.lower()} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'dengta: {op} on {table} is refused: "
        "the record is append-only'); END"
        for op in ("UPDATE", "DELETE")
    ]


def audit_row(row: Any) -> AuditRow:
    return AuditRow(row[0], row[1], row[2], row[3], UUID(row[4]), row[5], row[6], bytes(row[7]))


class AuditedSQLiteRecorder(SQLiteApplicationRecorder):
    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            AUDIT_DDL,
            *AUDIT_INDEXES,
            *append_only_triggers(self.events_table_name),
            *append_only_triggers(AUDIT_TABLE),
        ]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        # The event insert takes the write lock first, so the head read below is stable.
        positions = super()._insert_events(c, stored_events, **kwargs)
        assert positions is not None
        c.execute(HEAD_SQL)
        previous, now_us = c.fetchone()
        rows = chain_rows(previous, positions, stored_events, now_us, kwargs.get("actor", ""))
        c.executemany(INSERT_AUDIT, [
            (r.position, r.recorded_at_us, r.actor, r.aggregate_type, r.aggregate_id.hex,
             r.aggregate_version, r.event_type, r.hash)
            for r in rows
        ])
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
