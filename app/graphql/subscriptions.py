"""Subscriptions over WebSocket (graphql-transport-ws)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry
from strawberry.types import Info

from app.graphql.context import Context
from app.graphql.ids import to_global_id
from app.graphql.queries import AUTHENTICATED
from store import chain
from store.audit import AuditRow

POLL_SECONDS = 0.2


@strawberry.type(description="An event as the audit chain recorded it.")
class RecordedEvent:
    position: int
    recorded_at: datetime
    actor: str
    aggregate_type: str
    aggregate_id: strawberry.ID
    event_type: str

    @classmethod
    def from_row(cls, row: AuditRow) -> RecordedEvent:
        return cls(position=row.position, recorded_at=row.recorded_at, actor=row.actor,
                   aggregate_type=row.aggregate_type,
                   aggregate_id=strawberry.ID(to_global_id(row.aggregate_type,
                                                           row.aggregate_id)),
                   event_type=row.event_type)


@strawberry.type
class Subscription:
    @strawberry.subscription(permission_classes=AUTHENTICATED,
                             description="Events as they are recorded, after `after` (default: "
                                         "from now on).")
    async def recorded_events(self, info: Info[Context, None],
                              after: int | None = None) -> AsyncGenerator[RecordedEvent, None]:
        recorder = chain.audited(info.context.app.recorder)
        position = after if after is not None else chain.head(recorder).position
        while True:
            rows = await asyncio.to_thread(recorder.select_audit, position, 100)
            for row in rows:
                yield RecordedEvent.from_row(row)
                position = row.position
            if not rows:
                await asyncio.sleep(POLL_SECONDS)
