"""The audit chain: one row per stored event, each linked to the previous by a SHA-256 hash.

hash(n) = sha256(hash(n-1) ‖ canonical(n)), where canonical(n) is the stored event (position,
originator id and version, topic, state) with the audit facts that are not inside the event
(database time recorded, actor), in a fixed binary layout. The first link follows 32 zero bytes.

Each row names the formula of its link (`chain_version`). Version 1 (rows written before it
existed) covers the above; version 2 (every row written since) also covers every other column
read back: the aggregate and event type, and the digest of the snapshot taken at that event
(`snapshot_hash`, absent when none was), so a snapshot is trusted only as far as the chain.
"""

from __future__ import annotations

import contextlib
import hashlib
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from uuid import UUID

from eventsourcing.persistence import StoredEvent

GENESIS = bytes(32)
AUDIT_TABLE = "dengta_audit"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# position, recorded_at_us, originator id, originator version, length of the actor
_FIXED = struct.Struct(">qq16sqI")
_LENGTH = struct.Struct(">I")
# v2: position, recorded_at_us, originator id, originator version (texts follow, each sized)
_FIXED_V2 = struct.Struct(">qq16sq")
CHAIN_VERSION = 2  # the formula new links use
_V2 = b"\x02"  # a v1 layout starts with a position's high byte, 0 for any real position


@dataclass(frozen=True)
class AuditRow:
    position: int
    recorded_at_us: int  # microseconds since the Unix epoch, database time
    actor: str
    aggregate_type: str
    aggregate_id: UUID
    aggregate_version: int
    event_type: str
    hash: bytes
    chain_version: int = 1
    snapshot_hash: bytes | None = None
    problem: str = ""  # set when a stored value has the wrong type: verify reports it

    @property
    def recorded_at(self) -> datetime:
        return EPOCH + timedelta(microseconds=self.recorded_at_us)


@dataclass(frozen=True)
class ChainEvent:
    """A stored event as verification reads it: straight from the table, so a value of the
    wrong type is reported (`problem`) instead of breaking the read."""

    position: int
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes
    problem: str = ""


def _malformed(column: str, value: object) -> str:
    return f"stored {column} is {type(value).__name__}, not what the chain covers"


def chain_event(position: int, originator_id: object, originator_version: object,
                topic: object, state: object) -> ChainEvent:
    """Check the types of a stored event's values as the database returned them."""
    problem = ""
    if isinstance(state, memoryview):
        state = bytes(state)
    if isinstance(originator_id, str):
        try:
            originator_id = UUID(originator_id)
        except ValueError:
            problem = "stored originator id is not a UUID"
    for column, value, kind in (("originator id", originator_id, UUID),
                                ("originator version", originator_version, int),
                                ("topic", topic, str), ("state", state, bytes)):
        if not problem and not isinstance(value, kind):
            problem = _malformed(column, value)
    if problem:
        return ChainEvent(position, UUID(int=0), 0, "", b"", problem)
    assert isinstance(originator_id, UUID) and isinstance(originator_version, int)
    assert isinstance(topic, str) and isinstance(state, bytes)
    return ChainEvent(position, originator_id, originator_version, topic, state)


def checked_audit_row(position: int, recorded_at_us: object, actor: object,
                      aggregate_type: object, aggregate_id: object, aggregate_version: object,
                      event_type: object, hash: object, chain_version: object,
                      snapshot_hash: object) -> AuditRow:
    """An audit row from the values the database returned, or one naming the malformed value."""
    if isinstance(aggregate_id, str):
        with contextlib.suppress(ValueError):
            aggregate_id = UUID(aggregate_id)
    hash = bytes(hash) if isinstance(hash, memoryview) else hash
    if isinstance(snapshot_hash, memoryview):
        snapshot_hash = bytes(snapshot_hash)
    for column, value, kind in (
        ("recorded_at", recorded_at_us, int), ("actor", actor, str),
        ("aggregate_type", aggregate_type, str), ("aggregate_id", aggregate_id, UUID),
        ("aggregate_version", aggregate_version, int), ("event_type", event_type, str),
        ("hash", hash, bytes), ("chain_version", chain_version, int),
        ("snapshot_hash", snapshot_hash, bytes | None),
    ):
        if not isinstance(value, kind):
            return AuditRow(position, 0, "", "", UUID(int=0), 0, "", b"", 1, None,
                            f"audit row's {column} is {type(value).__name__}")
    return AuditRow(position, recorded_at_us, actor, aggregate_type, aggregate_id,  # type: ignore[arg-type]
                    aggregate_version, event_type, hash, chain_version, snapshot_hash)  # type: ignore[arg-type]


def micros(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


@lru_cache(maxsize=1024)  # a few dozen topics, split on every write
def split_topic(topic: str) -> tuple[str, str]:
    """'dengta:Goal.Issued' -> ('Goal', 'Issued')."""
    qualname = topic.partition(":")[2] or topic
    aggregate_type, _, event_type = qualname.partition(".")
    return aggregate_type, event_type or aggregate_type


def canonical_bytes(
    position: int, recorded_at_us: int, actor: str, originator_id: UUID,
    originator_version: int, topic: str, state: bytes,
) -> bytes:
    actor_bytes = actor.encode()
    topic_bytes = topic.encode()
    return b"".join((
        _FIXED.pack(position, recorded_at_us, originator_id.bytes, originator_version,
                    len(actor_bytes)),
        actor_bytes,
        _LENGTH.pack(len(topic_bytes)),
        topic_bytes,
        state,
    ))


def _sized(text: str) -> bytes:
    encoded = text.encode()
    return _LENGTH.pack(len(encoded)) + encoded


def canonical_bytes_v2(
    position: int, recorded_at_us: int, actor: str, originator_id: UUID,
    originator_version: int, topic: str, state: bytes, aggregate_type: str, event_type: str,
    snapshot_hash: bytes | None,
) -> bytes:
    """Version 2: a version byte, then version 1's fields, each text length-prefixed, the
    audit row's type columns and the snapshot digest (length 0 or 32) before the state, which
    stays last (so it needs no length)."""
    snapshot = snapshot_hash or b""
    return b"".join((
        _V2,
        _FIXED_V2.pack(position, recorded_at_us, originator_id.bytes, originator_version),
        _sized(actor), _sized(topic), _sized(aggregate_type), _sized(event_type),
        _LENGTH.pack(len(snapshot)), snapshot,
        state,
    ))


def row_canonical_bytes(row: AuditRow, topic: str, state: bytes) -> bytes:
    """The canonical bytes of an audit row and its stored event, by the row's chain version."""
    if row.chain_version == 1:
        return canonical_bytes(row.position, row.recorded_at_us, row.actor, row.aggregate_id,
                               row.aggregate_version, topic, state)
    if row.chain_version == 2:
        return canonical_bytes_v2(row.position, row.recorded_at_us, row.actor,
                                  row.aggregate_id, row.aggregate_version, topic, state,
                                  row.aggregate_type, row.event_type, row.snapshot_hash)
    raise ValueError(f"unknown chain version {row.chain_version}")


def snapshot_digest(snapshot: StoredEvent) -> bytes:
    """What an audit row keeps of the snapshot taken at its event: the snapshot's identity and
    bytes, hashed (Python computes it on both backends)."""
    originator_id = snapshot.originator_id
    assert isinstance(originator_id, UUID)
    return hashlib.sha256(b"".join((
        originator_id.bytes, struct.pack(">q", snapshot.originator_version),
        _sized(snapshot.topic), snapshot.state,
    ))).digest()


def link(previous: bytes, canonical: bytes) -> bytes:
    return hashlib.sha256(previous + canonical).digest()


def each_actor(actor: str | Sequence[str], count: int) -> list[str]:
    """Each of `count` events' actor: `actor` wrote them all, or is a list with each event's
    actor (saves written together)."""
    actors = [actor] * count if isinstance(actor, str) else list(actor)
    if not all(actors):
        raise ValueError("every write needs an actor: pass actor=... to save()")
    if len(actors) != count:
        raise ValueError("each stored event needs its actor")
    return actors


SnapshotDigests = dict[tuple[UUID | str, int], bytes]


def snapshot_digests(snapshots: Sequence[StoredEvent] | None) -> SnapshotDigests:
    """The digests of snapshots taken in a write, by the (aggregate, version) they are of."""
    digests: SnapshotDigests = {}
    for snapshot in snapshots or ():
        originator_id = snapshot.originator_id
        assert isinstance(originator_id, UUID)
        digests[originator_id, snapshot.originator_version] = snapshot_digest(snapshot)
    return digests


def chain_rows(
    previous: bytes | None,
    positions: Sequence[int],
    stored_events: Sequence[StoredEvent],
    recorded_at_us: int,
    actor: str | Sequence[str],
    snapshots: SnapshotDigests | None = None,
) -> list[AuditRow]:
    """The audit rows for events just inserted at `positions`, continuing from `previous`;
    `actor` wrote them all, or is a list with each event's actor (saves written together);
    `snapshots` has the digests of the snapshots taken at some of these events."""
    actors = each_actor(actor, len(stored_events))
    if len(positions) != len(stored_events):
        raise ValueError("each stored event needs its position")
    last = previous or GENESIS
    rows = []
    for position, stored, writer in zip(positions, stored_events, actors, strict=True):
        originator_id = stored.originator_id
        assert isinstance(originator_id, UUID)
        aggregate_type, event_type = split_topic(stored.topic)
        snapshot = (snapshots or {}).get((originator_id, stored.originator_version))
        last = link(last, canonical_bytes_v2(
            position, recorded_at_us, writer, originator_id, stored.originator_version,
            stored.topic, stored.state, aggregate_type, event_type, snapshot))
        rows.append(AuditRow(position, recorded_at_us, writer, aggregate_type, originator_id,
                             stored.originator_version, event_type, last, CHAIN_VERSION,
                             snapshot))
    return rows


@dataclass(frozen=True)
class Digest:
    """A chain head an inspector keeps: later chains must still pass through it."""

    position: int
    hash: bytes

    def __str__(self) -> str:
        return f"{self.position}:{self.hash.hex()}"

    @classmethod
    def parse(cls, text: str) -> Digest:
        position, sep, hex_hash = text.strip().partition(":")
        try:
            digest = cls(int(position), bytes.fromhex(hex_hash))
        except ValueError:
            digest = None
        if not sep or digest is None or len(digest.hash) != 32 or digest.position < 0:
            raise ValueError(f"a digest looks like POSITION:SHA256HEX, not {text!r}")
        return digest


EMPTY_DIGEST = Digest(0, GENESIS)
