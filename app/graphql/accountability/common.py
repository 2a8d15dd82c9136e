"""What the accountability types share: "today", global ids, and the records they lead to,
each through the request's scoped loaders."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from app.graphql.core.types import Goal, Organization, Person, person_of
from app.graphql.kit.context import Context
from app.graphql.kit.ids import gid


def server_today() -> date:
    """"Today" where a caller gives none: the server's date."""
    return date.today()


def business_day(value: date | None) -> date:
    return value if value is not None else server_today()


def party_gid(party_kind: str, raw_id: str) -> strawberry.ID:
    return gid("Person" if party_kind == "person" else "Organization", raw_id)


def organization_at(info: Info[Context, None], raw_id: str | None,
                    position: int | None) -> Organization | None:
    if raw_id is None:
        return None
    node = info.context.loaders.organization.get(raw_id, position)
    return Organization.from_view(node, position) if node else None


def person_at(info: Info[Context, None], raw_id: str | None,
              position: int | None) -> Person | None:
    if raw_id is None:
        return None
    member = info.context.loaders.person.get(raw_id, position)
    return person_of(member, position) if member else None


def goals_at(info: Info[Context, None], raw_ids: list[str], position: int | None) -> list[Goal]:
    loader = info.context.loaders.goal
    for raw_id in raw_ids:
        loader.want(raw_id, position)
    found = [loader.get(raw_id, position) for raw_id in raw_ids]
    return [Goal.from_view(view, position) for view in found if view is not None]


