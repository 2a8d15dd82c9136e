"""The audit chain: one row per stored event, each linked to the previous by a SHA-256 hash.

hash(n) = sha256(hash(n-1) ‖ canonical(n)), where canonical(n) is the stored event (position,
originator id and version, topic, state) with the audit facts that are not inside the event
(database time recorded, actor), in a fixed binary layout. The first link follows 32 zero bytes.
"""

from __future__ import annotations

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

    @property
    def recorded_at(self) -> datetime:
        return EPOCH + timedelta(microseconds=self.recorded_at_us)


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


def chain_rows(
    previous: bytes | None,
    positions: Sequence[int],
    stored_events: Sequence[StoredEvent],
    recorded_at_us: int,
    actor: str | Sequence[str],
) -> list[AuditRow]:
    """The audit rows for events just inserted at `positions`, continuing from `previous`;
    `actor` wrote them all, or is a list with each event's actor (saves written together)."""
    actors = each_actor(actor, len(stored_events))
    if len(positions) != len(stored_events):
        raise ValueError("each stored event needs its position")
    last = previous or GENESIS
    rows = []
    for position, stored, writer in zip(positions, stored_events, actors, strict=True):
        originator_id = stored.originator_id
        assert isinstance(originator_id, UUID)
        last = link(last, canonical_bytes(position, recorded_at_us, writer, originator_id,
                                          stored.originator_version, stored.topic,
                                          stored.state))
        aggregate_type, event_type = split_topic(stored.topic)
        rows.append(AuditRow(position, recorded_at_us, writer, aggregate_type, originator_id,
                             stored.originator_version, event_type, last))
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
