"""Verifies the audit log read model against the chain: every entry an inspector reads
(`view_audit_entries`: type, actor, reason, dates, organisation, changes) recomputed from the
stored events by the projection's own fold (`audit_log.record`, over an in-memory field state)
and compared, position by position, up to where the projection has folded.

Run it after the chain verified: the events it recomputes from are then the ones the chain
covers, so a row rewritten in the read model (another actor, another reason) is named."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any, cast

from projections.audit_log import ENTRIES, FIELDS, AuditLog, record
from projections.engine import has_tracking, tracked
from projections.temporal import Batch
from store.db import Connection

BATCH = 1000
# view_audit_entries' columns, in the order `record` appends them.
COLUMNS = tuple(ENTRIES.columns)
ENTRY_COLUMNS = ", ".join(COLUMNS)


@dataclass(frozen=True)
class ReadModelCheck:
    checked_to: int  # the position the audit log had folded to (0: never folded)
    broken_at: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None

    def __str__(self) -> str:
        if self.broken_at is not None:
            return f"BROKEN {self.broken_at} {self.problem}"
        return f"OK {AuditLog.name} {self.checked_to}"


class _FieldState:
    """The field rows `record` reads and writes, in memory."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], dict[str, Any]] = {}

    def peek(self, aggregate_id: str, field: str) -> dict[str, Any] | None:
        return self.rows.get((aggregate_id, field))

    def put(self, row: dict[str, Any]) -> None:
        self.rows[row["aggregate_id"], row["field"]] = row

    def delete(self, aggregate_id: str, field: str) -> None:
        self.rows.pop((aggregate_id, field), None)


class _Recomputation:
    """What `record` needs of a Batch: the entries it appends are kept, nothing is written."""

    def __init__(self) -> None:
        self.position = 0
        self.subject = ""
        self.memo: dict[Any, Any] = {}
        self.entries: list[tuple[Any, ...]] = []
        self.tables: dict[str, Any] = {FIELDS.name: _FieldState(), ENTRIES.name: self.entries}

    def __getitem__(self, name: str) -> Any:
        return self.tables[name]


def recomputed_entries(events: Iterable[tuple[int, Any]]) -> Iterator[tuple[Any, ...]]:
    """The entries the audit log folds from (position, domain event) pairs, in order."""
    batch = _Recomputation()
    for position, event in events:
        if type(event) not in AuditLog.handlers:
            continue
        batch.position, batch.subject = position, str(event.originator_id)
        record(event, cast(Batch, batch))
        yield batch.entries.pop()


def _stored_entries(conn: Connection, up_to: int) -> Iterator[tuple[Any, ...]]:
    if up_to == 0:  # nothing folded yet: the table may not even exist
        return
    after = 0
    while rows := conn.execute(f"SELECT {ENTRY_COLUMNS} FROM {ENTRIES.name} "
                               "WHERE valid_to IS NULL AND position > ? AND position <= ? "
                               "ORDER BY position LIMIT ?", [after, up_to, BATCH]):
        yield from (tuple(row) for row in rows)
        after = rows[-1][0]


def folded_to(conn: Connection) -> int:
    """The position the audit log read model has folded to."""
    state = tracked(conn, AuditLog) if has_tracking(conn) else None
    return state[0] if state else 0


def verify_audit_log(conn: Connection, events: Iterable[tuple[int, Any]],
                     up_to: int) -> ReadModelCheck:
    """Compare the stored entries up to `up_to` with those recomputed from `events` (every
    event of the log up to there, in order); name the first position that disagrees."""
    for expected, stored in zip_longest(recomputed_entries(events),
                                        _stored_entries(conn, up_to)):
        if expected is None:
            return ReadModelCheck(up_to, stored[0], "audit log entry of no event")
        if stored is None:
            return ReadModelCheck(up_to, expected[0], "audit log entry missing")
        if expected[0] != stored[0]:
            position = min(expected[0], stored[0])
            problem = ("audit log entry missing" if expected[0] < stored[0]
                       else "audit log entry of no event")
            return ReadModelCheck(up_to, position, problem)
        differing = [name for name, want, have in zip(COLUMNS, expected, stored, strict=True)
                     if want != have]
        if differing:
            return ReadModelCheck(up_to, stored[0], "audit log entry disagrees with its "
                                                    f"event: {', '.join(differing)}")
    return ReadModelCheck(up_to)


def logged_events(app: Any, up_to: int) -> Iterator[tuple[int, Any]]:
    """An eventsourcing application's events up to a position, decoded, in order."""
    start = 1
    decode = app.mapper.to_domain_event
    while start <= up_to and (notifications := app.recorder.select_notifications(
            start, BATCH, stop=up_to)):
        yield from ((n.id, decode(n)) for n in notifications)
        start = notifications[-1].id + 1


def verify_read_models(conn: Connection, app: Any) -> ReadModelCheck:
    """The audit log read model against the application's log, as far as it has folded."""
    up_to = folded_to(conn)
    return verify_audit_log(conn, logged_events(app, up_to), up_to)
