"""What every dengta aggregate and event shares: the actor and reason on each event."""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Transcoding

from domain.errors import InvalidInputError, ReasonRequiredError


class DengtaAggregate(Aggregate):
    """Base of our aggregates. Every event records who did it (actor) and why (reason, empty
    where policy does not ask for one)."""

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
    """Policy: some changes (anything after a goal is issued, a dissolution, a move) must say why."""
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
