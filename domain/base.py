"""What every dengta aggregate and event shares: the actor and reason on each event."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any, ClassVar

from eventsourcing.domain import Aggregate, Snapshot
from eventsourcing.persistence import Transcoding
from eventsourcing.utils import register_topic

from domain.errors import InvalidInputError, ReasonRequiredError


class DengtaSnapshot(Snapshot):
    """Snapshots store state as JSON, which turns enum members into plain strings; restoring
    turns them back so a snapshotted aggregate equals a replayed one."""

    TOPIC = "dengta:Snapshot"

    def mutate(self, _: None) -> Any:
        aggregate = super().mutate(_)
        assert isinstance(aggregate, DengtaAggregate)
        for name, enum in aggregate.ENUM_FIELDS.items():
            setattr(aggregate, name, enum(getattr(aggregate, name)))
        return aggregate


# Aggregates register their own topics as they are defined; the snapshot class is only
# registered when a process takes a snapshot, and a process that only reads one needs it too.
register_topic(DengtaSnapshot.TOPIC, DengtaSnapshot)


class DengtaAggregate(Aggregate):
    """Base of our aggregates. Every event records who did it (actor) and why (reason, empty
    where policy does not ask for one)."""

    ENUM_FIELDS: ClassVar[dict[str, type[StrEnum]]] = {}
    Snapshot = DengtaSnapshot

    class Event(Aggregate.Event):
        actor: str
        reason: str

    class Created(Event, Aggregate.Created):
        pass


def require_actor(actor: str) -> str:
    if not isinstance(actor, str) or not actor.strip():
        raise InvalidInputError("every change needs an actor", field="actor")
    return actor


def require_reason(reason: str, why: str) -> str:
    """Policy: some changes (anything after issue, a dissolution, a move) must say why."""
    if not reason or not reason.strip():
        raise ReasonRequiredError(f"a reason is required: {why}", field="reason")
    return reason.strip()


class DateAsISO(Transcoding):
    """Stores business (effective) dates as ISO strings."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: Any) -> date:
        return date.fromisoformat(data)
