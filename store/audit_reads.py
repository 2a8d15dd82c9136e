"""What the read side asks of the audit table: which position a moment maps to, when
positions were recorded, and the log's head. Moments are compared in UTC on both backends
(a naive one is taken as UTC: PostgreSQL would otherwise read it in its session's zone)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from uuid import UUID

from store.audit import AUDIT_TABLE, EPOCH, micros
from store.db import Connection, marks


def utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def position_at(conn: Connection, moment: datetime) -> int:
    """The last position recorded at or before `moment`, through the audit table; 0 before
    the first event."""
    moment = utc(moment)
    if conn.dialect == "postgresql":
        # Recorded times follow positions (taken after the insert lock): read backwards along
        # the recorded_at index, the rows of one write (one time) sorted by position.
        rows = conn.execute(f"SELECT position FROM {AUDIT_TABLE} WHERE recorded_at <= ? "
                            "ORDER BY recorded_at DESC, position DESC LIMIT 1", [moment])
    else:  # no index on recorded_at (it would cost a page per commit): from the newest back
        rows = conn.execute(f"SELECT position FROM {AUDIT_TABLE} WHERE recorded_at <= ? "
                            "ORDER BY position DESC LIMIT 1", [micros(moment)])
    return int(rows[0][0]) if rows and rows[0][0] is not None else 0


def _recorded_at(value: datetime | int) -> datetime:
    return value if isinstance(value, datetime) else EPOCH + timedelta(microseconds=value)


def recorded_times(conn: Connection, positions: Sequence[int]) -> dict[int, datetime]:
    if not positions:
        return {}
    rows = conn.execute(f"SELECT position, recorded_at FROM {AUDIT_TABLE} "
                        f"WHERE position IN ({marks(positions)})", list(positions))
    return {row[0]: _recorded_at(row[1]) for row in rows}


def log_head(conn: Connection) -> int:
    return int(conn.execute(f"SELECT coalesce(max(position), 0) FROM {AUDIT_TABLE}")[0][0])


def last_event_of(conn: Connection, aggregate_id: UUID,
                  event_type: str) -> tuple[int, datetime] | None:
    """The position and recorded time of a record's latest event of one type. Scans the
    audit table: for occasional look-ups (the demo's chapters), not for requests."""
    key = aggregate_id if conn.dialect == "postgresql" else aggregate_id.hex
    rows = conn.execute(f"SELECT position, recorded_at FROM {AUDIT_TABLE} "
                        "WHERE aggregate_id = ? AND event_type = ? "
                        "ORDER BY position DESC LIMIT 1", [key, event_type])
    return (int(rows[0][0]), _recorded_at(rows[0][1])) if rows else None


def recorded_after(conn: Connection, position: int) -> datetime | None:
    """When the first event after `position` was recorded; None while it is the head."""
    rows = conn.execute(f"SELECT recorded_at FROM {AUDIT_TABLE} WHERE position > ? "
                        "ORDER BY position LIMIT 1", [position])
    return _recorded_at(rows[0][0]) if rows else None
