"""The node registry: how `node(id)` and the records other records name are fetched, per type
name. Each feature package declares its `NODES`; `app.graphql.schema` assembles them and the
composition root hands them to every request's context (no module registers itself on
import)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import strawberry
from strawberry.types import Info

from app.graphql.kit.context import Context

# type name -> fetch(info, raw id, position): the record (an output object carrying
# `readable_by`, the organisations whose readers see it), or None.
NodeFetch = Callable[[Info[Context, None], str, int | None], Any]
NodeRegistry = Mapping[str, NodeFetch]


@strawberry.interface(description="An object with a global id (Relay).")
class Node:
    id: strawberry.ID

    @strawberry.field(description="The log position this object answers for: null when it is "
                                  "the current state, the position of the moment asked for "
                                  "when it was read `asOf` one. A client cache keys objects by "
                                  "`id` and this, so a past state never overwrites the current "
                                  "one (README: client caches).")
    def as_of_position(self) -> int | None:
        position: int | None = getattr(self, "position", None)
        return position
