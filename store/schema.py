"""Which schema a PostgreSQL database holds: a fingerprint of the DDL that made it, kept in a
one-row table, so a role that may not change the schema can tell whether it is the one this
code needs (store/roles.py) instead of failing later on a missing table or an old function."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from importlib.metadata import version

SCHEMA_TABLE = "dengta_schema"
# Bump when the schema changes in a way the statements' text does not show (a data fix).
REVISION = 1


def fingerprint(statements: Sequence[str]) -> str:
    """The DDL's fingerprint: its statements, the library's version (its tables) and REVISION."""
    digest = hashlib.sha256(f"{REVISION}\0{version('eventsourcing')}".encode())
    for statement in statements:
        digest.update(b"\0" + statement.encode())
    return digest.hexdigest()


def record(schema: str, statements: Sequence[str]) -> list[str]:
    """Statements that keep the fingerprint of `statements` (run in the same transaction)."""
    return [
        f'CREATE TABLE IF NOT EXISTS "{schema}".{SCHEMA_TABLE} ('
        "id int PRIMARY KEY CHECK (id = 1), fingerprint text NOT NULL, "
        "migrated_at timestamptz NOT NULL, migrated_by text NOT NULL)",
        f'INSERT INTO "{schema}".{SCHEMA_TABLE} AS s VALUES '
        f"(1, '{fingerprint(statements)}', now(), current_user) ON CONFLICT (id) DO UPDATE "
        "SET fingerprint = excluded.fingerprint, migrated_at = excluded.migrated_at, "
        "migrated_by = excluded.migrated_by WHERE s.fingerprint <> excluded.fingerprint",
    ]
