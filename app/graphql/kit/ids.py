"""Opaque global ids (Relay): base64 of '<Type>:<uuid>', and for actors that are not people
(the administrator account, system jobs) base64 of 'SystemActor:<actor>'."""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache
from uuid import UUID

import strawberry


class BadIdError(ValueError):
    """Raised when a global id is malformed or names another type than expected."""


@lru_cache(maxsize=1 << 16)  # a page names the same organisations and people on every row
def to_global_id(type_name: str, raw_id: str | UUID) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{raw_id}".encode()).decode()


def gid(type_name: str, raw_id: str | UUID) -> strawberry.ID:
    """A record's global id, as an ID field holds it."""
    return strawberry.ID(to_global_id(type_name, raw_id))


def from_global_id(global_id: str) -> tuple[str, UUID]:
    try:
        type_name, _, raw = base64.urlsafe_b64decode(global_id.encode()).decode().partition(":")
        return type_name, UUID(raw)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadIdError(f"{global_id!r} is not an id this API issued") from None


def any_id(text: str, type_name: str) -> UUID:
    """A record's id as a person types it: a raw uuid or the API's global id of that type
    (what the command line takes). Raises BadIdError."""
    try:
        return UUID(text.strip())
    except ValueError:
        return expect(text.strip(), type_name)


def expect(global_id: str, type_name: str) -> UUID:
    kind, raw = from_global_id(global_id)
    if kind != type_name:
        raise BadIdError(f"{global_id!r} is the id of a {kind}, not of a {type_name}")
    return raw


SYSTEM_ACTOR = "SystemActor"
PERSON_ACTOR = "person:"


def actor_global_id(actor: str) -> str:
    """The global id of an actor as events record it: `person:<uuid>` is that Person's; any
    other (`admin`, `system:<job>`) a SystemActor's."""
    person = actor_person(actor)
    return to_global_id("Person", person) if person else to_global_id(SYSTEM_ACTOR, actor)


def actor_person(actor: str) -> str | None:
    """The person's id in `person:<uuid>`; None for any other actor."""
    if not actor.startswith(PERSON_ACTOR):
        return None
    try:
        return str(UUID(actor.removeprefix(PERSON_ACTOR)))
    except ValueError:
        return None


def system_actor(global_id: str) -> str | None:
    """The actor a SystemActor's global id names (None: not a SystemActor's id)."""
    try:
        type_name, _, raw = base64.urlsafe_b64decode(global_id.encode()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return raw if type_name == SYSTEM_ACTOR and raw else None


def recorded_actor(global_id: str) -> str:
    """An actor as events record it, from a Person's or a SystemActor's global id; anything
    else is taken as already in the recorded form (`person:<id>`, `admin`, `system:<job>`)."""
    named = system_actor(global_id)
    if named is not None:
        return named
    try:
        type_name, raw = from_global_id(global_id)
    except BadIdError:
        return global_id
    return f"{PERSON_ACTOR}{raw}" if type_name == "Person" else global_id
