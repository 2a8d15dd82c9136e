"""Idempotency receipts: a client's key for one write, kept with what the write recorded.

A row (principal, key) → (fingerprint of the input, record id, last position) is inserted by
the recorders in the same transaction as the write's events and audit rows: a committed write
always has its receipt, a rolled-back one never has. The primary key makes a second write under
the same key by the same principal fail as a whole (the loser then finds the winner's receipt).
Receipts are kept like the log (never updated or deleted)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

RECEIPTS_TABLE = "dengta_receipts"

SQLITE_DDL = f"""
CREATE TABLE IF NOT EXISTS {RECEIPTS_TABLE} (
    principal TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    record_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (principal, key)
)"""
POSTGRES_DDL = f"""
CREATE TABLE IF NOT EXISTS {RECEIPTS_TABLE} (
    principal text NOT NULL,
    key text NOT NULL,
    fingerprint text NOT NULL,
    record_id uuid NOT NULL,
    position bigint NOT NULL,
    PRIMARY KEY (principal, key))"""
INSERT_SQLITE = f"INSERT INTO {RECEIPTS_TABLE} VALUES (?, ?, ?, ?, ?)"
INSERT_POSTGRES = f"INSERT INTO {RECEIPTS_TABLE} VALUES (%s, %s, %s, %s, %s)"
SELECT_SQLITE = (f"SELECT fingerprint, record_id, position FROM {RECEIPTS_TABLE} "
                 "WHERE principal = ? AND key = ?")
SELECT_POSTGRES = (f"SELECT fingerprint, record_id, position FROM {RECEIPTS_TABLE} "
                   "WHERE principal = %s AND key = %s")


@dataclass(frozen=True)
class Kept:
    """What a key was first used for: the input's fingerprint, the record and the position
    of the write's last event."""

    fingerprint: str
    record_id: UUID
    position: int


def values(receipt: Any, position: int, sqlite: bool) -> tuple[Any, ...]:
    """The row for a `domain.app_base.Receipt` whose write ended at `position`."""
    record = receipt.record_id
    return (receipt.principal, receipt.key, receipt.fingerprint,
            record.hex if sqlite else record, position)


def kept(row: Any) -> Kept:
    record = row[1]
    return Kept(str(row[0]), record if isinstance(record, UUID) else UUID(record), int(row[2]))
