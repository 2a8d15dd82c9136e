"""Opaque global ids (Relay): base64 of '<Type>:<uuid>'."""

from __future__ import annotations

import base64
import binascii
from uuid import UUID


class BadIdError(ValueError):
    """Raised when a global id is malformed or names another type than expected."""


def to_global_id(type_name: str, raw_id: str | UUID) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{raw_id}".encode()).decode()


def from_global_id(global_id: str) -> tuple[str, UUID]:
    try:
        type_name, _, raw = base64.urlsafe_b64decode(global_id.encode()).decode().partition(":")
        return type_name, UUID(raw)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadIdError(f"{global_id!r} is not an id this API issued") from None


def expect(global_id: str, type_name: str) -> UUID:
    kind, raw = from_global_id(global_id)
    if kind != type_name:
        raise BadIdError(f"{global_id!r} is the id of a {kind}, not of a {type_name}")
    return raw
