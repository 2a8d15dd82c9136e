"""Verifies the audit chain by recomputing every link from the stored events."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any

from store.audit import (
    EMPTY_DIGEST,
    GENESIS,
    AuditRow,
    ChainEvent,
    Digest,
    link,
    row_canonical_bytes,
    split_topic,
)
from store.postgres import AuditedPostgresRecorder
from store.snapshots import AnchoredSnapshotRecorder, Replay, check_snapshots, replay_check
from store.sqlite import AuditedSQLiteRecorder

BATCH = 1000
AuditedRecorder = AuditedSQLiteRecorder | AuditedPostgresRecorder


def audited(recorder: object) -> AuditedRecorder:
    """The application's recorder, as the audited kind our factories build."""
    if not isinstance(recorder, AuditedSQLiteRecorder | AuditedPostgresRecorder):
        raise TypeError(f"{type(recorder).__name__} keeps no audit chain")
    return recorder


@dataclass(frozen=True)
class Verification:
    head: Digest  # the last link recomputed and found intact
    broken_at: int | None = None
    problem: str = ""
    digest_found: bool | None = None  # None when no digest was asked about

    @property
    def ok(self) -> bool:
        return self.broken_at is None and self.digest_found is not False

    def __str__(self) -> str:
        if self.broken_at is not None:
            return f"BROKEN {self.broken_at} {self.problem}"
        if self.digest_found is False:
            return f"DIGEST MISMATCH {self.problem}"
        return f"OK {self.head.position} {self.head.hash.hex()}"


def head(recorder: AuditedRecorder) -> Digest:
    return recorder.audit_head() or EMPTY_DIGEST


def _events(recorder: AuditedRecorder) -> Iterator[ChainEvent]:
    after = 0
    while batch := recorder.select_chain_events(after, BATCH):
        yield from batch
        after = batch[-1].position


def _audit(recorder: AuditedRecorder) -> Iterator[AuditRow]:
    after = 0
    while batch := recorder.select_audit(after, BATCH):
        yield from batch
        after = batch[-1].position


def _disagreement(event: ChainEvent, row: AuditRow) -> str:
    """What an audit row says that its stored event does not (columns a version 1 link does
    not cover are checked here against the topic, which it does)."""
    if (event.originator_id, event.originator_version) != (
        row.aggregate_id, row.aggregate_version
    ):
        return "audit row names another event"
    if (row.aggregate_type, row.event_type) != split_topic(event.topic):
        return (f"audit row's type {row.aggregate_type}.{row.event_type} is not the stored "
                f"event's {event.topic}")
    if row.chain_version not in (1, 2):
        return f"audit row has unknown chain version {row.chain_version}"
    if row.chain_version == 1 and row.snapshot_hash is not None:
        return "a version 1 audit row cannot anchor a snapshot"
    return ""


def verify(recorder: AuditedRecorder, digest: Digest | None = None,
           snapshots: AnchoredSnapshotRecorder | None = None,
           replay: Replay | None = None) -> Verification:
    """Recompute the chain from the first event; stop at the first position that disagrees.
    With a digest, also check that the recomputed chain passes through it. With the snapshot
    recorder, an intact chain is then checked against every snapshot (`store.snapshots`;
    `replay` checks those the chain does not vouch for)."""
    previous = Digest(0, GENESIS)
    found = None if digest is None else digest == EMPTY_DIGEST

    def broken(position: int, problem: str) -> Verification:
        return Verification(previous, position, problem, found)

    for event, row in zip_longest(_events(recorder), _audit(recorder)):
        if row is None:
            return broken(event.position, "stored event has no audit row")
        if event is None:
            return broken(row.position, "audit row has no stored event")
        if event.position != row.position:
            missing = "audit row" if event.position < row.position else "stored event"
            return broken(min(event.position, row.position), f"{missing} missing")
        problem = event.problem or row.problem or _disagreement(event, row)
        if problem:
            return broken(row.position, problem)
        expected = link(previous.hash, row_canonical_bytes(row, event.topic, event.state))
        if expected != row.hash:
            return broken(row.position, "hash does not match the stored event")
        previous = Digest(row.position, expected)
        if digest is not None and digest.position == row.position:
            found = digest.hash == expected
    if snapshots is not None and (wrong := check_snapshots(snapshots, replay)):
        return broken(wrong.position, wrong.problem)
    problem = f"the chain does not pass through {digest}" if found is False else ""
    return Verification(previous, None, problem, found)


def verify_application(app: Any, digest: Digest | None = None) -> Verification:
    """Everything an eventsourcing application's store trusts: the chain and the snapshots."""
    snapshot_store = getattr(app, "snapshots", None)
    return verify(audited(app.recorder), digest,
                  snapshot_store.recorder if snapshot_store is not None else None,
                  replay_check(app) if snapshot_store is not None else None)
