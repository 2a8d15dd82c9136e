"""Snapshots, trusted only as far as the chain.

A snapshot is taken before the write of the event it is at, and the digest of its stored bytes
(`store.audit.snapshot_digest`) goes into that event's audit row, whose link covers it (chain
version 2). Loading uses a snapshot only when its bytes still hash to that digest; any other
(altered, or taken by hand or before version 2: not anchored) is passed over and the aggregate
is replayed from its events. `check_snapshots` tells verification which snapshots disagree:
anchored ones by their digest, the others by replaying their aggregate."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.application import project_aggregate
from eventsourcing.persistence import StoredEvent

from store.audit import snapshot_digest

LOOK_BACK = 4  # snapshots read per load beyond the one wanted, in case the latest was altered
BATCH = 500


@dataclass(frozen=True)
class SnapshotAnchor:
    """A stored snapshot with the position of the event it is at and the digest that event's
    audit row keeps (None: no such event, or no digest)."""

    snapshot: StoredEvent
    position: int | None
    digest: bytes | None

    @property
    def anchored(self) -> bool:
        return self.digest is not None and self.digest == snapshot_digest(self.snapshot)


def anchored_select(anchors_sql: str, mark: str, originator_id: object, gt: int | None,
                    lte: int | None, desc: bool, limit: int | None) -> tuple[str, list[Any]]:
    """An aggregate's anchored snapshots (a recorder's `select_events`), in either dialect
    (`mark`: its placeholder), with LOOK_BACK more than asked in case the latest was altered."""
    statement = anchors_sql + f"WHERE s.originator_id = {mark} "
    params: list[Any] = [originator_id]
    if gt is not None:
        statement += f"AND s.originator_version > {mark} "
        params.append(gt)
    if lte is not None:
        statement += f"AND s.originator_version <= {mark} "
        params.append(lte)
    statement += "AND a.snapshot_hash IS NOT NULL ORDER BY s.originator_version "
    statement += "DESC " if desc else "ASC "
    if limit is not None:
        statement += f"LIMIT {mark}"
        params.append(limit + LOOK_BACK)
    return statement, params


def trusted(anchors: Sequence[SnapshotAnchor], limit: int | None) -> list[StoredEvent]:
    """The snapshots the chain vouches for, in the order read, at most `limit`."""
    chosen = [anchor.snapshot for anchor in anchors if anchor.anchored]
    return chosen if limit is None else chosen[:limit]


class AnchoredSnapshotRecorder(Protocol):
    def select_snapshot_anchors(self, after: tuple[UUID, int] | None,
                                limit: int) -> list[SnapshotAnchor]: ...


def all_anchors(recorder: AnchoredSnapshotRecorder) -> Iterator[SnapshotAnchor]:
    after: tuple[UUID, int] | None = None
    while batch := recorder.select_snapshot_anchors(after, BATCH):
        yield from batch
        last = batch[-1].snapshot
        assert isinstance(last.originator_id, UUID)
        after = (last.originator_id, last.originator_version)


@dataclass(frozen=True)
class SnapshotProblem:
    position: int  # of the event the snapshot is at (0 when there is none)
    problem: str


Replay = Callable[[StoredEvent], str]
"""Given a snapshot the chain does not vouch for, what its state disagrees with a replay of
its aggregate's events about ("" when they agree)."""


def check_snapshots(recorder: AnchoredSnapshotRecorder,
                    replay: Replay | None = None) -> SnapshotProblem | None:
    """The first snapshot (by position) that disagrees with the chain, or None."""
    problems = []
    for anchor in all_anchors(recorder):
        snapshot = anchor.snapshot
        named = f"snapshot of {snapshot.originator_id} at version {snapshot.originator_version}"
        if anchor.position is None:
            problems.append(SnapshotProblem(0, f"{named} is of no stored event"))
        elif anchor.digest is not None:
            if not anchor.anchored:
                problems.append(SnapshotProblem(
                    anchor.position, f"{named} does not match the digest its audit row keeps"))
        elif replay is not None and (disagreement := replay(snapshot)):
            problems.append(SnapshotProblem(
                anchor.position, f"{named} (not anchored) {disagreement}"))
    return min(problems, key=lambda found: found.position, default=None)


def replay_check(app: Any) -> Replay:
    """A `Replay` over an eventsourcing application: the snapshot's state against its
    aggregate's events replayed (never from a snapshot) to the snapshot's version, both
    through the snapshot store's mapper, so they are compared as stored."""
    mapper = app.snapshots.mapper

    def disagreement(stored: StoredEvent) -> str:
        try:
            snapshot = mapper.to_domain_event(stored)
        except Exception as error:  # any undecodable snapshot is a finding, not a crash
            return f"cannot be decoded: {type(error).__name__}"
        events = app.events.get(stored.originator_id, lte=stored.originator_version)
        aggregate = project_aggregate(None, events)
        if aggregate is None:
            return "is of an aggregate without events"
        fresh = mapper.to_domain_event(mapper.to_stored_event(type(snapshot).take(aggregate)))
        if (fresh.topic, fresh.state) != (snapshot.topic, snapshot.state):
            return "does not match its aggregate's events"
        return ""

    return disagreement
