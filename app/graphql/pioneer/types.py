"""Output types of pioneer posts: the post with its holder, period and follow-ups, built from
the read model's view."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from app.graphql.accountability.common import organization_at, person_at
from app.graphql.core.types import Actor, Organization, Person, actor_field, version_field
from app.graphql.kit.context import Context
from app.graphql.kit.ids import gid
from app.graphql.kit.nodes import Node, NodeRegistry
from app.graphql.kit.vocab import PioneerKind, PioneerStatus, code, labelled
from projections import pioneer_posts as views


@strawberry.type(description="A follow-up: a dated note on how the post went, with evidence, "
                             "by the organisation or by the holder themself.")
class PioneerFollowUp:
    number: int
    followed_on: date = strawberry.field(description="The day the note speaks of.")
    note: str
    evidence: list[str]
    by_holder: bool = strawberry.field(description="The holder's own report.")
    reason: str
    actor: strawberry.Private[str]
    position: strawberry.Private[int | None]
    author: Actor | None = actor_field("actor", "Who wrote it: a Person (null when the reader "
                                                "may not read them) or a SystemActor.")


@labelled
@strawberry.type(description="党员示范岗 / 党员责任区: a post or a zone of responsibility an "
                             "organisation designates a party member to hold from `heldFrom` to "
                             "`heldTo` (inclusive), followed up with dated notes. Never "
                             "edited: an early end, corrections and cancellation are reasoned "
                             "events (see the record's history).")
class PioneerPost(Node):
    kind: str = code(PioneerKind)
    title: str
    scope: str = strawberry.field(description="岗位职责 / 责任区范围: what the post covers.")
    description: str
    held_from: date
    held_to: date
    ended_on: date | None = strawberry.field(
        description="Ended early: the first day no longer held.")
    status: str = code(PioneerStatus)
    corrections: int = strawberry.field(description="How many corrections (period, details, "
                                                    "cancellation) it has had.")
    last_reason: str = strawberry.field(description="The reason of the last change.")
    follow_ups: list[PioneerFollowUp]
    version: int = version_field()
    designated_by: Actor | None = actor_field("designator", "Who recorded the designation.")
    designator: strawberry.Private[str]
    readable_by: strawberry.Private[tuple[str, ...]]
    view: strawberry.Private[views.PostView]
    position: strawberry.Private[int | None]

    @classmethod
    def from_view(cls, view: views.PostView, position: int | None) -> PioneerPost:
        return cls(
            id=gid("PioneerPost", view.id), kind=view.kind, title=view.title, scope=view.scope,
            description=view.description, held_from=view.held_from, held_to=view.held_to,
            ended_on=view.ended_on, status=view.status, corrections=view.corrections,
            last_reason=view.last_reason,
            follow_ups=[PioneerFollowUp(number=f.number, followed_on=f.followed_on,
                                        note=f.note, evidence=f.evidence,
                                        by_holder=f.by_holder, reason=f.reason,
                                        actor=f.actor, position=position)
                        for f in view.follow_ups],
            designator=view.designated_by, readable_by=(view.organization_id,), view=view,
            position=position)

    @strawberry.field(description="Whether it was held on `on`: within its period, before an "
                                  "early end, and not cancelled.")
    def held_on(self, on: date) -> bool:
        return self.view.held_on(on)

    @strawberry.field
    def organization(self, info: Info[Context, None]) -> Organization | None:
        return organization_at(info, self.view.organization_id, self.position)

    @strawberry.field
    def holder(self, info: Info[Context, None]) -> Person | None:
        return person_at(info, self.view.holder_id, self.position)


def _post_node(info: Info[Context, None], raw_id: str,
               position: int | None) -> PioneerPost | None:
    view = views.posts_by_id(info.context.conn, [raw_id], position).get(raw_id)
    return PioneerPost.from_view(view, position) if view else None


NODES: NodeRegistry = {"PioneerPost": _post_node}
