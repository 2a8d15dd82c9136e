"""Honest acknowledgements: every mutation's payload says what was recorded (`recorded`: the
position, database time and global id of the record written) and how it stands (`status`:
APPLIED, PENDING or REJECTED); update inputs take an `expectedVersion`; every input takes a
`clientMutationId`, an idempotency key.

Done once: the payload types derive from `Acknowledged`, the inputs from `MutationInput` or
`UpdateInput`, and `acknowledge` wraps every mutation's resolver so that `writes.run` finds
the attempt (its input, key and fingerprint) and the wrapper fills the payload from what `run`
recorded on it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from inspect import isawaitable
from typing import Any, ClassVar

import strawberry
from graphql import GraphQLField, GraphQLSchema

from app.graphql.kit.ids import to_global_id
from domain.app_base import Written


@strawberry.enum(description="How a mutation's write stands.")
class WriteStatus(Enum):
    APPLIED = strawberry.enum_value(
        "APPLIED", description="Written, and the read models (the payload's object, the next "
                               "query) show it.")
    PENDING = strawberry.enum_value(
        "PENDING", description="Written (see `recorded`), but the read models had not caught "
                               "up within the wait: the payload's object may be null or "
                               "stale. Do not write again; read the record later by "
                               "`recorded.id`.")
    REJECTED = strawberry.enum_value(
        "REJECTED", description="Nothing was written: see `userErrors`.")


def _recorded_at(root: Recorded) -> datetime:
    return root.moment()


@strawberry.type(description="What a mutation recorded in the log.")
class Recorded:
    position: int = strawberry.field(description="The log position of the write's last event.")
    # Read from the audit row only when asked for: most writers ask for the record written.
    recorded_at: datetime = strawberry.field(resolver=_recorded_at,
                                             description="When the database recorded it.")
    moment: strawberry.Private[Callable[[], datetime]]
    id: strawberry.ID = strawberry.field(description="The global id of the record written.")
    replayed: bool = strawberry.field(
        default=False, description="True when this answer repeats an earlier write under the "
                                   "same `clientMutationId` (nothing new was written).")


@strawberry.type
class Acknowledged:
    """The base of every mutation payload. `RECORD` names the GraphQL type of the record the
    payload's write is about (its `recorded.id`)."""

    RECORD: ClassVar[str]
    status: WriteStatus = strawberry.field(
        default=WriteStatus.REJECTED, description="APPLIED, PENDING (written, read models "
                                                  "behind) or REJECTED (nothing written).")
    recorded: Recorded | None = strawberry.field(
        default=None, description="What was written; null when nothing was.")
    client_mutation_id: str | None = strawberry.field(
        default=None, description="The input's `clientMutationId`, echoed.")


@strawberry.input
class MutationInput:
    client_mutation_id: str | None = strawberry.field(
        default=None, description="An idempotency key chosen by the client (Relay's "
                                  "convention): the same principal sending the same input "
                                  "under the same key again gets the first answer and "
                                  "nothing is written again; a different input under a used "
                                  "key is refused (IDEMPOTENCY_KEY_REUSED).")


@strawberry.input
class UpdateInput(MutationInput):
    expected_version: int | None = strawberry.field(
        default=None, description="The record's `version` as last read: when it has changed "
                                  "since, nothing is written (CONFLICT).")


@dataclass
class Attempt:
    """One mutation call: its input, key and fingerprint; then what `run` made of it."""

    field: str
    input: dict[str, Any]
    status: WriteStatus = WriteStatus.REJECTED
    written: Written | None = None
    # When the write was recorded: known for a replay, else read when the payload asks.
    recorded_at: datetime | None = None
    when_recorded: Callable[[int], datetime | None] | None = None
    replayed: bool = False

    @property
    def key(self) -> str | None:
        key = self.input.get("clientMutationId")
        return str(key) if key else None

    @property
    def expected_version(self) -> int | None:
        version = self.input.get("expectedVersion")
        return int(version) if version is not None else None

    @property
    def fingerprint(self) -> str:
        """The mutation and its input (without the key), canonically."""
        body = {k: v for k, v in self.input.items() if k != "clientMutationId"}
        text = json.dumps([self.field, body], sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()


_attempt: ContextVar[Attempt | None] = ContextVar("dengta_attempt", default=None)


def current() -> Attempt | None:
    return _attempt.get()


def fill(payload: Any, attempt: Attempt) -> Any:
    """The one place a payload gets its `status`, `recorded` and echoed key."""
    if not isinstance(payload, Acknowledged):
        return payload
    payload.status = attempt.status
    payload.client_mutation_id = attempt.key
    written = attempt.written
    if (attempt.status is not WriteStatus.REJECTED and written is not None
            and written.position is not None
            and (attempt.recorded_at is not None or attempt.when_recorded is not None)):
        payload.recorded = Recorded(
            position=written.position, moment=_moment(attempt, written.position),
            id=strawberry.ID(to_global_id(type(payload).RECORD, str(written.id))),
            replayed=attempt.replayed)
    else:
        payload.recorded = None
    return payload


def _moment(attempt: Attempt, position: int) -> Callable[[], datetime]:
    def moment() -> datetime:
        if attempt.recorded_at is None and attempt.when_recorded is not None:
            attempt.recorded_at = attempt.when_recorded(position)
        if attempt.recorded_at is None:  # (a committed write always has its audit row)
            raise LookupError(f"no audit row at position {position}")
        return attempt.recorded_at
    return moment


def acknowledged(resolve: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    async def resolve_acknowledged(root: Any, info: Any, **kwargs: Any) -> Any:
        given = kwargs.get("input")
        attempt = Attempt(info.field_name, dict(given) if isinstance(given, dict) else {})
        token = _attempt.set(attempt)
        try:
            payload = resolve(root, info, **kwargs)
            if isawaitable(payload):
                payload = await payload
        finally:
            _attempt.reset(token)
        return fill(payload, attempt)
    return resolve_acknowledged


def acknowledge(schema: GraphQLSchema) -> None:
    """Wraps every mutation's resolver (before the input boundary wraps it, so the
    fingerprint is taken of the cleaned input)."""
    assert schema.mutation_type is not None
    for field in schema.mutation_type.fields.values():
        assert isinstance(field, GraphQLField) and field.resolve is not None
        field.resolve = acknowledged(field.resolve)
