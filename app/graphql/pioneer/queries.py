"""Root fields to read pioneer posts, each cut to the principal's read scope."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.types import Info

from app.graphql.core.queries import raw, readable_scope
from app.graphql.kit.context import Context
from app.graphql.kit.paging import Connection, connection, page_of
from app.graphql.kit.permissions import AUTHENTICATED
from app.graphql.kit.vocab import PioneerKind, PioneerStatus
from app.graphql.pioneer.types import PioneerPost
from projections import pioneer_posts as views


@strawberry.type
class PioneerQuery:
    @strawberry.field(permission_classes=AUTHENTICATED)
    def pioneer_post(self, info: Info[Context, None], id: strawberry.ID,
                     as_of: datetime | None = None) -> PioneerPost | None:
        position = info.context.position(as_of)
        raw_id = raw(id, "PioneerPost", "id")
        view = views.posts_by_id(info.context.conn, [raw_id], position).get(raw_id)
        if view is None or not info.context.scope().within(view.organization_id):
            return None
        return PioneerPost.from_view(view, position)

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="Pioneer posts and responsibility zones (under "
                                  "`organizationId`; held by `personId`; of a `kind`; a "
                                  "`status`), the latest first, in keyset pages. With "
                                  "`validAt`, those held on that day (within their period, "
                                  "before an early end, not cancelled). As known at `asOf`.")
    def pioneer_posts(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
        organization_id: strawberry.ID | None = None, person_id: strawberry.ID | None = None,
        kind: PioneerKind | None = None, status: PioneerStatus | None = None,
        valid_at: date | None = None, as_of: datetime | None = None,
    ) -> Connection[PioneerPost]:
        page = page_of(first, after, last, before, 2)
        position = info.context.position(as_of)
        where = views.PostFilter(
            organization_ids=readable_scope(info, organization_id, position),
            holder_id=raw(person_id, "Person", "personId") if person_id else None,
            kind=kind.value if kind else None, status=status.value if status else None,
            valid_at=valid_at)
        found, more, total = views.posts_page(info.context.conn, where, position, page)
        return connection([PioneerPost.from_view(v, position) for v in found],
                          [views.post_key(v) for v in found], more, page, total)
