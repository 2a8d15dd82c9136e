"""Subscriptions over WebSocket (graphql-transport-ws). `recordedEvents` is the audit feed
(`feed`) in the chain's terms: the same entries `auditEvents` streams, within the same
`policy.audit_scope`, history from `after` included."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry
from strawberry.types import Info

from app.graphql.audit import feed
from app.graphql.core.types import Actor, actor_of
from app.graphql.kit.context import Context
from app.graphql.kit.ids import actor_global_id, to_global_id
from app.graphql.kit.permissions import AUTHENTICATED
from domain import labels
from projections import audit_log as audit


@strawberry.type(description="An event as the audit chain recorded it.")
class RecordedEvent:
    position: int
    recorded_at: datetime
    actor_id: strawberry.ID = strawberry.field(
        description="Who did it: a Person's or a SystemActor's global id.")
    aggregate_type: str
    aggregate_id: strawberry.ID
    event_type: str
    recorded_actor: strawberry.Private[str]

    @strawberry.field(description="The event's Chinese name, e.g. 调整权重.")
    def event_type_label(self) -> str:
        return labels.event_label(self.aggregate_type, self.event_type)

    @strawberry.field(description="The record type's Chinese name, e.g. 目标.")
    def aggregate_type_label(self) -> str:
        return labels.AGGREGATE_TYPES.get(self.aggregate_type, self.aggregate_type)

    @strawberry.field(description="Who did it: the Person (null when outside your scope) or "
                                  "the SystemActor.")
    def actor(self, info: Info[Context, None]) -> Actor | None:
        return actor_of(info, self.recorded_actor, None)

    @classmethod
    def from_entry(cls, entry: audit.Entry) -> RecordedEvent:
        return cls(position=entry.position, recorded_at=entry.recorded_at,
                   actor_id=strawberry.ID(actor_global_id(entry.actor)),
                   recorded_actor=entry.actor, aggregate_type=entry.aggregate_type,
                   aggregate_id=strawberry.ID(to_global_id(entry.aggregate_type,
                                                           entry.aggregate_id)),
                   event_type=entry.event_type)


@strawberry.type
class Subscription:
    @strawberry.subscription(permission_classes=AUTHENTICATED,
                             description="Events as they are recorded, after `after` (default: "
                                         "from now on).")
    async def recorded_events(self, info: Info[Context, None],
                              after: int | None = None) -> AsyncGenerator[RecordedEvent, None]:
        where = audit.AuditFilter(scope=feed.scope(info))
        async for entry in feed.entries(info, where, after):
            yield RecordedEvent.from_entry(entry)
