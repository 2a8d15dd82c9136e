"""Read fields: thin resolvers over the read models. Every top-level read takes `asOf`."""

from __future__ import annotations

from datetime import date, datetime
from typing import TypeVar

import strawberry
from strawberry.types import Info

from app.graphql.core.duties import ResponsibilityGap, RoleHeld
from app.graphql.core.types import (
    Goal,
    Organization,
    Person,
    Viewer,
    goals_of,
    organizations_of,
    person_of,
    valid_goals_of,
    valid_on,
    visible_node,
)
from app.graphql.kit.context import Context
from app.graphql.kit.ids import (
    BadIdError,
    expect,
    from_global_id,
    system_actor,
    to_global_id,
)
from app.graphql.kit.nodes import Node
from app.graphql.kit.paging import (
    MAX_PAGE,
    Connection,
    bad_input,
    connection,
    listed,
    page_of,
)
from app.graphql.kit.permissions import AUTHENTICATED
from app.graphql.kit.vocab import GoalField, GoalLevel, GoalStatus
from projections import goals as goal_views
from projections import organization_tree as tree
from projections import responsibility_list as duty
from projections import valid_lists

T = TypeVar("T")


def node_key(global_id: str, field: str) -> tuple[str, str]:
    """(type name, raw id) of any global id the API issues, system actors' included."""
    actor = system_actor(global_id)
    if actor is not None:
        return "SystemActor", actor
    try:
        type_name, raw_id = from_global_id(global_id)
    except BadIdError as error:
        raise bad_input(str(error), field) from None
    return type_name, str(raw_id)


def raw(global_id: str, type_name: str, argument: str) -> str:
    try:
        return str(expect(global_id, type_name))
    except BadIdError as error:
        raise bad_input(str(error), argument) from None


def readable_scope(info: Info[Context, None], organization_id: str | None,
                   position: int | None,
                   argument: str = "organizationId") -> tuple[str, ...] | None:
    """The organisations a list may draw from: the asked-for subtree, cut down to what the
    principal may read (None: no restriction)."""
    scope: set[str] | None = None
    if organization_id:
        root = raw(organization_id, "Organization", argument)
        scope = {n.id for n in tree.descendants(info.context.conn, root, position)}
    return info.context.scope().cut(None if scope is None else sorted(scope))


@strawberry.type
class Query:
    @strawberry.field(permission_classes=AUTHENTICATED)
    def viewer(self, info: Info[Context, None]) -> Viewer:
        principal = info.context.principal
        assert principal is not None
        person, roles = None, []
        if principal.person_id is not None:
            found = tree.person(info.context.conn, str(principal.person_id))
            person = person_of(found, None) if found else None
            roles = [RoleHeld(role=role, organization_id=strawberry.ID(
                to_global_id("Organization", org)))
                for role, org in tree.roles_of(info.context.conn, str(principal.person_id))]
        return Viewer(subject=principal.subject, is_admin=principal.is_admin, person=person,
                      roles=roles)

    @strawberry.field(permission_classes=AUTHENTICATED)
    def node(self, info: Info[Context, None], id: strawberry.ID,
             as_of: datetime | None = None) -> Node | None:
        return visible_node(info, *node_key(id, "id"), info.context.position(as_of))

    @strawberry.field(permission_classes=AUTHENTICATED)
    def nodes(self, info: Info[Context, None], ids: list[strawberry.ID],
              as_of: datetime | None = None) -> list[Node | None]:
        if len(ids) > MAX_PAGE:
            raise bad_input(f"at most {MAX_PAGE} ids", "ids")
        position = info.context.position(as_of)
        found: list[Node | None] = []
        for global_id in ids:
            found.append(visible_node(info, *node_key(global_id, "ids"), position))
        return found

    @strawberry.field(permission_classes=AUTHENTICATED)
    def organization(self, info: Info[Context, None], id: strawberry.ID,
                     as_of: datetime | None = None) -> Organization | None:
        found = visible_node(info, "Organization", raw(id, "Organization", "id"),
                             info.context.position(as_of))
        return found if isinstance(found, Organization) else None

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="An organisation and everything below it, parents first. "
                                  "With `validAt`, the tree as it stood in the business on "
                                  "that date (names, categories, parents after back-dated "
                                  "moves; those registered later left out), as known at "
                                  "`asOf`.")
    def organization_tree(self, info: Info[Context, None], root_id: strawberry.ID,
                          as_of: datetime | None = None,
                          valid_at: date | None = None) -> list[Organization]:
        position = info.context.position(as_of)
        root = raw(root_id, "Organization", "rootId")
        conn = info.context.conn
        nodes = (tree.descendants(conn, root, position) if valid_at is None else
                 valid_lists.subtree(valid_lists.organizations(conn, valid_at, position), root))
        scope = info.context.scope()
        return organizations_of(info, [n for n in nodes if scope.within(n.id)], position)

    @strawberry.field(permission_classes=AUTHENTICATED)
    def person(self, info: Info[Context, None], id: strawberry.ID,
               as_of: datetime | None = None) -> Person | None:
        found = visible_node(info, "Person", raw(id, "Person", "id"),
                             info.context.position(as_of))
        return found if isinstance(found, Person) else None

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="A goal as the system showed it at `asOf` (default: now); "
                                  "with `validAt`, as true in the business on that date, as "
                                  "known at `asOf`: a back-dated correction changes the "
                                  "second, never the first.")
    def goal(self, info: Info[Context, None], id: strawberry.ID,
             as_of: datetime | None = None, valid_at: date | None = None) -> Goal | None:
        found = visible_node(info, "Goal", raw(id, "Goal", "id"), info.context.position(as_of))
        if not isinstance(found, Goal):
            return None
        return found if valid_at is None else valid_on(info, found, valid_at)

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="Goals, filtered (`category`: of organisations of that "
                                  "category), in period and title order (keyset pages). With "
                                  "`validAt`, each goal as true in the business on that date "
                                  "(title, status, weight, period, progress, `responsible`), "
                                  "as known at `asOf`, filtered and ordered by those values; "
                                  "organisation and category as of `asOf`.")
    def goals(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
        organization_id: strawberry.ID | None = None,
        level: GoalLevel | None = None, field: GoalField | None = None,
        status: GoalStatus | None = None,
        category: str | None = None, as_of: datetime | None = None,
        valid_at: date | None = None,
    ) -> Connection[Goal]:
        page = page_of(first, after, last, before, 3)
        position = info.context.position(as_of)
        conn = info.context.conn
        where = goal_views.GoalFilter(
            organization_ids=readable_scope(info, organization_id, position), level=level,
            field=field, status=status, category=category)
        if valid_at is not None:
            return listed(valid_lists.goals(conn, where, valid_at, position),
                          goal_views.sort_key, page,
                          lambda views: valid_goals_of(info, views, valid_at, position))
        views, more = goal_views.goals_page(conn, where, position, page)
        return connection(goals_of(info, views, position),
                          [goal_views.sort_key(v) for v in views], more, page,
                          goal_views.count_goals(conn, where, position))

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="Organisations by name, optionally only under `rootId`, of "
                                  "a `category`, or whose name contains `nameContains` "
                                  "(ignoring case). With `validAt`, as they stood in the "
                                  "business on that date (name, category, parent, dissolved; "
                                  "`rootId`'s subtree by the parents of that date; those "
                                  "registered later left out), as known at `asOf`.")
    def organizations(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
        root_id: strawberry.ID | None = None, category: str | None = None,
        name_contains: str | None = None, as_of: datetime | None = None,
        valid_at: date | None = None,
    ) -> Connection[Organization]:
        page = page_of(first, after, last, before, 2)
        position = info.context.position(as_of)
        if valid_at is not None:
            nodes = valid_lists.organizations(info.context.conn, valid_at, position)
            if root_id is not None:
                nodes = valid_lists.subtree(nodes, raw(root_id, "Organization", "rootId"))
            scope = info.context.scope()
            return listed(valid_lists.named([n for n in nodes if scope.within(n.id)], category,
                                            name_contains),
                          lambda n: (n.name, n.id), page,
                          lambda chosen: organizations_of(info, chosen, position))
        nodes, more, total = tree.organizations_page(
            info.context.conn, readable_scope(info, root_id, position, "rootId"), position,
            page, category, name_contains)
        return connection(organizations_of(info, nodes, position),
                          [(n.name, n.id) for n in nodes], more, page, total)

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="People by name, optionally only those with a post under "
                                  "`organizationId`, or whose name contains `nameContains` "
                                  "(ignoring case).")
    def people(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
        organization_id: strawberry.ID | None = None, name_contains: str | None = None,
        as_of: datetime | None = None,
    ) -> Connection[Person]:
        page = page_of(first, after, last, before, 2)
        position = info.context.position(as_of)
        people, more, total = tree.people_page(
            info.context.conn, readable_scope(info, organization_id, position), position, page,
            name_contains)
        return connection([person_of(p, position) for p in people],
                          [(p.name, p.person_id) for p in people], more, page, total)

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="Issued goals with no primary or no direct responsible party.")
    def responsibility_gaps(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
        organization_id: strawberry.ID | None = None, as_of: datetime | None = None,
    ) -> Connection[ResponsibilityGap]:
        page = page_of(first, after, last, before, 2)
        position = info.context.position(as_of)
        gaps, more, total = duty.gaps_page(
            info.context.conn, position, readable_scope(info, organization_id, position), page)
        return connection([ResponsibilityGap.from_view(g) for g in gaps],
                          [(g.title, g.goal_id) for g in gaps], more, page, total)
