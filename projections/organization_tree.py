"""Read model: the organisation tree (ancestors, descendants, category) with members and posts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from domain.organizations import Organization
from domain.people import Person
from projections.engine import Handler, Projection
from projections.pages import Page, count, read_page
from projections.temporal import Batch, TemporalTable, as_of
from store.db import Connection, marks

NODES = TemporalTable(
    "view_org_nodes", ("id",),
    {"id": "TEXT", "name": "TEXT", "kind": "TEXT", "category": "TEXT", "parent_id": "TEXT",
     "dissolved": "BIGINT", "folded_name": "TEXT"},
    partition="id", indexes=(("parent_id",),),
)
PEOPLE = TemporalTable(
    "view_people", ("id",),
    {"id": "TEXT", "name": "TEXT", "party_member": "BIGINT", "folded_name": "TEXT"},
    partition="id",
)
POSTS = TemporalTable(
    "view_org_posts", ("person_id", "organization_id", "post"),
    {"person_id": "TEXT", "organization_id": "TEXT", "post": "TEXT", "since": "TEXT"},
    partition="person_id", indexes=(("organization_id",),),
)


ROLES = TemporalTable(
    "view_role_grants", ("person_id", "organization_id", "role"),
    {"person_id": "TEXT", "organization_id": "TEXT", "role": "TEXT"},
    partition="person_id",
)


def fold(text: str) -> str:
    """Text as name searches compare it: case-folded in Python, so that matching is the same
    on both backends whatever their collation (SQLite's LIKE folds ASCII only)."""
    return text.casefold()


def contains_pattern(text: str) -> str:
    """A LIKE pattern (escaped with a backslash) for names containing `text`."""
    escaped = fold(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


NAME_CONTAINS = "{}.folded_name LIKE ? ESCAPE '\\'"


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def registered(e: Organization.Registered, b: Batch) -> None:
    b[NODES.name].put({"id": b.subject, "name": e.name, "kind": e.kind,
                       "category": e.category,
                       "parent_id": str(e.parent_id) if e.parent_id else None, "dissolved": 0,
                       "folded_name": fold(e.name)})


def _change_node(e: Any, b: Batch, **changes: Any) -> None:
    row = b[NODES.name].get(b.subject)
    assert row is not None, f"{e.originator_id} was never registered"
    b[NODES.name].put({**row, **changes})


def person_registered(e: Person.Registered, b: Batch) -> None:
    b[PEOPLE.name].put({"id": b.subject, "name": e.name,
                        "party_member": int(e.party_member), "folded_name": fold(e.name)})


def membership_changed(e: Person.MembershipChanged, b: Batch) -> None:
    row = b[PEOPLE.name].get(b.subject)
    assert row is not None
    b[PEOPLE.name].put({**row, "party_member": int(e.party_member)})


def post_taken(e: Person.PostTaken, b: Batch) -> None:
    b[POSTS.name].put({"person_id": b.subject,
                       "organization_id": str(e.organization_id), "post": e.post,
                       "since": _iso(e.effective_date)})


def post_ended(e: Person.PostEnded, b: Batch) -> None:
    b[POSTS.name].delete(b.subject, str(e.organization_id), e.post)


def role_granted(e: Person.RoleGranted, b: Batch) -> None:
    b[ROLES.name].put({"person_id": b.subject, "organization_id": str(e.organization_id),
                       "role": e.role})


def role_revoked(e: Person.RoleRevoked, b: Batch) -> None:
    b[ROLES.name].delete(b.subject, str(e.organization_id), e.role)


class OrganizationTree(Projection):
    name = "organization_tree"
    version = 3  # 2: role grants; 3: names folded for searching
    tables = (NODES, PEOPLE, POSTS, ROLES)
    handlers: ClassVar[dict[type[Any], Handler]] = {
        Organization.Registered: registered,
        Organization.Renamed: lambda e, b: _change_node(e, b, name=e.name,
                                                        folded_name=fold(e.name)),
        Organization.Recategorized: lambda e, b: _change_node(e, b, category=e.category),
        Organization.Moved: lambda e, b: _change_node(e, b, parent_id=str(e.parent_id)),
        Organization.Dissolved: lambda e, b: _change_node(e, b, dissolved=1),
        Person.Registered: person_registered,
        Person.MembershipChanged: membership_changed,
        Person.PostTaken: post_taken,
        Person.PostEnded: post_ended,
        Person.RoleGranted: role_granted,
        Person.RoleRevoked: role_revoked,
    }


# ---- queries ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class OrganizationNode:
    id: str
    name: str
    kind: str
    category: str
    parent_id: str | None
    dissolved: bool
    depth: int = 0

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> OrganizationNode:
        return cls(row[0], row[1], row[2], row[3], row[4], bool(row[5]),
                   row[6] if len(row) > 6 else 0)


@dataclass(frozen=True)
class Member:
    person_id: str
    name: str
    party_member: bool
    post: str
    since: str | None


NODE_COLUMNS = "n.id, n.name, n.kind, n.category, n.parent_id, n.dissolved"


def organization(conn: Connection, organization_id: str,
                 position: int | None = None) -> OrganizationNode | None:
    cond, params = as_of("n", position)
    rows = conn.execute(f"SELECT {NODE_COLUMNS} FROM {NODES.name} n WHERE n.id = ? AND {cond}",
                        [organization_id, *params])
    return OrganizationNode.from_row(rows[0]) if rows else None


def organizations(conn: Connection, ids: Sequence[str],
                  position: int | None = None) -> dict[str, OrganizationNode]:
    """Several organisations at once (for dataloaders), by id."""
    if not ids:
        return {}
    cond, params = as_of("n", position)
    rows = conn.execute(f"SELECT {NODE_COLUMNS} FROM {NODES.name} n "
                        f"WHERE n.id IN ({marks(ids)}) AND {cond}",
                        [*ids, *params])
    return {row[0]: OrganizationNode.from_row(row) for row in rows}


def _scoped(alias: str, column: str, scope: Sequence[str] | None, position: int | None,
            ) -> tuple[str, list[Any]] | None:
    cond, params = as_of(alias, position)
    if scope is None:
        return cond, params
    if not scope:
        return None
    return f"{cond} AND {alias}.{column} IN ({marks(scope)})", [*params, *scope]


def organizations_page(conn: Connection, scope: Sequence[str] | None, position: int | None,
                       page: Page, category: str | None = None,
                       name_contains: str | None = None,
                       ) -> tuple[list[OrganizationNode], bool, int]:
    """Organisations (all, or those in `scope`; of a `category`; whose name contains
    `name_contains`, case-insensitively) by name: a keyset page, whether more lie beyond it,
    and how many there are in all."""
    found = _scoped("n", "id", scope, position)
    if found is None:
        return [], False, 0
    where, params = found
    if category is not None:
        where, params = f"{where} AND n.category = ?", [*params, category]
    if name_contains:
        where += " AND " + NAME_CONTAINS.format("n")
        params = [*params, contains_pattern(name_contains)]
    rows, more = read_page(conn, NODE_COLUMNS, f"{NODES.name} n", where, params,
                           ("n.name", "n.id"), page)
    return ([OrganizationNode.from_row(r) for r in rows], more,
            count(conn, f"{NODES.name} n", where, params))


def people_page(conn: Connection, scope: Sequence[str] | None, position: int | None,
                page: Page, name_contains: str | None = None,
                ) -> tuple[list[Member], bool, int]:
    """People (all, or those holding a post in `scope`; whose name contains `name_contains`,
    case-insensitively) by name, as keyset pages."""
    cond, params = as_of("m", position)
    where, values = cond, list(params)
    if name_contains:
        where += " AND " + NAME_CONTAINS.format("m")
        values.append(contains_pattern(name_contains))
    if scope is not None:
        if not scope:
            return [], False, 0
        post_cond, post_params = as_of("p", position)
        where += (f" AND m.id IN (SELECT p.person_id FROM {POSTS.name} p WHERE {post_cond} "
                  f"AND p.organization_id IN ({marks(scope)}))")
        values += [*post_params, *scope]
    rows, more = read_page(conn, "m.id, m.name, m.party_member", f"{PEOPLE.name} m", where,
                           values, ("m.name", "m.id"), page)
    return ([Member(r[0], r[1], bool(r[2]), "", None) for r in rows], more,
            count(conn, f"{PEOPLE.name} m", where, values))


def descendants(conn: Connection, organization_id: str, position: int | None = None,
                include_self: bool = True) -> list[OrganizationNode]:
    """The subtree under an organisation, depth-first by name, as it stood at `position`."""
    cond, params = as_of("n", position)
    rows = conn.execute(
        f"WITH RECURSIVE tree(id, depth) AS ("
        f" SELECT n.id, 0 FROM {NODES.name} n WHERE n.id = ? AND {cond}"
        f" UNION ALL SELECT n.id, tree.depth + 1 FROM {NODES.name} n"
        f" JOIN tree ON n.parent_id = tree.id WHERE {cond})"
        f" SELECT {NODE_COLUMNS}, tree.depth FROM tree JOIN {NODES.name} n ON n.id = tree.id"
        f" WHERE {cond} ORDER BY tree.depth, n.name, n.id",
        [organization_id, *params, *params, *params])
    nodes = [OrganizationNode.from_row(row) for row in rows]
    return nodes if include_self else nodes[1:]


def ancestors(conn: Connection, organization_id: str,
              position: int | None = None) -> list[OrganizationNode]:
    """From the organisation's parent up to the root, as it stood at `position`."""
    cond, params = as_of("n", position)
    rows = conn.execute(
        f"WITH RECURSIVE up(id, depth) AS ("
        f" SELECT n.parent_id, 1 FROM {NODES.name} n WHERE n.id = ? AND {cond}"
        f" UNION ALL SELECT n.parent_id, up.depth + 1 FROM {NODES.name} n"
        f" JOIN up ON n.id = up.id WHERE {cond} AND n.parent_id IS NOT NULL)"
        f" SELECT {NODE_COLUMNS}, up.depth FROM up JOIN {NODES.name} n ON n.id = up.id"
        f" WHERE {cond} ORDER BY up.depth",
        [organization_id, *params, *params, *params])
    return [OrganizationNode.from_row(row) for row in rows]


def person(conn: Connection, person_id: str, position: int | None = None) -> Member | None:
    """A person, with no post (post and since empty)."""
    return people(conn, [person_id], position).get(person_id)


def people(conn: Connection, person_ids: Sequence[str],
           position: int | None = None) -> dict[str, Member]:
    """Several people at once, by id (no post)."""
    if not person_ids:
        return {}
    cond, params = as_of("m", position)
    rows = conn.execute(f"SELECT m.id, m.name, m.party_member FROM {PEOPLE.name} m "
                        f"WHERE m.id IN ({marks(person_ids)}) AND {cond}",
                        [*person_ids, *params])
    return {row[0]: Member(row[0], row[1], bool(row[2]), "", None) for row in rows}


# What each post implies, besides explicit grants.
POST_ROLES = {"secretary": "secretary", "deputy_secretary": "secretary",
              "committee_member": "member", "member": "member"}


def roles_of(conn: Connection, person_id: str,
             position: int | None = None) -> list[tuple[str, str]]:
    """(role, organisation id) pairs a person holds: from posts and from explicit grants."""
    post_cond, post_params = as_of("p", position)
    role_cond, role_params = as_of("r", position)
    posts = conn.execute(f"SELECT p.post, p.organization_id FROM {POSTS.name} p "
                         f"WHERE p.person_id = ? AND {post_cond}", [person_id, *post_params])
    grants = conn.execute(f"SELECT r.role, r.organization_id FROM {ROLES.name} r "
                          f"WHERE r.person_id = ? AND {role_cond}", [person_id, *role_params])
    implied = [(POST_ROLES[post], org) for post, org in posts if post in POST_ROLES]
    return sorted(set(implied) | {(role, org) for role, org in grants})


def affiliations(conn: Connection, person_id: str) -> set[str]:
    """Where a person currently holds a post or a role."""
    rows = conn.execute(
        f"SELECT organization_id FROM {POSTS.name} WHERE person_id = ? AND valid_to IS NULL "
        f"UNION SELECT organization_id FROM {ROLES.name} WHERE person_id = ? "
        "AND valid_to IS NULL", [person_id, person_id])
    return {row[0] for row in rows}


def members(conn: Connection, organization_id: str,
            position: int | None = None) -> list[Member]:
    post_cond, post_params = as_of("p", position)
    person_cond, person_params = as_of("m", position)
    rows = conn.execute(
        f"SELECT p.person_id, m.name, m.party_member, p.post, p.since "
        f"FROM {POSTS.name} p JOIN {PEOPLE.name} m ON m.id = p.person_id "
        f"WHERE p.organization_id = ? AND {post_cond} AND {person_cond} "
        f"ORDER BY p.post, m.name, p.person_id",
        [organization_id, *post_params, *person_params])
    return [Member(r[0], r[1], bool(r[2]), r[3], r[4]) for r in rows]


def children_of(conn: Connection, parent_ids: Sequence[str],
                position: int | None = None) -> dict[str, list[OrganizationNode]]:
    """The organisations directly under several organisations at once, by name."""
    found: dict[str, list[OrganizationNode]] = {parent: [] for parent in parent_ids}
    if not parent_ids:
        return found
    cond, params = as_of("n", position)
    rows = conn.execute(f"SELECT {NODE_COLUMNS}, 1 FROM {NODES.name} n "
                        f"WHERE n.parent_id IN ({marks(parent_ids)}) AND {cond} "
                        "ORDER BY n.name, n.id", [*parent_ids, *params])
    for row in rows:
        node = OrganizationNode.from_row(row)
        found[node.parent_id or ""].append(node)
    return found


def members_of(conn: Connection, organization_ids: Sequence[str],
               position: int | None = None) -> dict[str, list[Member]]:
    """The people holding posts in several organisations at once (for dataloaders)."""
    found: dict[str, list[Member]] = {org: [] for org in organization_ids}
    if not organization_ids:
        return found
    post_cond, post_params = as_of("p", position)
    person_cond, person_params = as_of("m", position)
    rows = conn.execute(
        f"SELECT p.organization_id, p.person_id, m.name, m.party_member, p.post, p.since "
        f"FROM {POSTS.name} p JOIN {PEOPLE.name} m ON m.id = p.person_id "
        f"WHERE p.organization_id IN ({marks(organization_ids)}) AND {post_cond} "
        f"AND {person_cond} ORDER BY p.post, m.name, p.person_id",
        [*organization_ids, *post_params, *person_params])
    for r in rows:
        found[r[0]].append(Member(r[1], r[2], bool(r[3]), r[4], r[5]))
    return found


def affiliations_of(conn: Connection, person_ids: Sequence[str]) -> dict[str, set[str]]:
    """Where each of several people currently holds a post or a role."""
    found: dict[str, set[str]] = {person: set() for person in person_ids}
    if not person_ids:
        return found
    wanted = marks(person_ids)
    rows = conn.execute(
        f"SELECT person_id, organization_id FROM {POSTS.name} WHERE person_id IN ({wanted}) "
        f"AND valid_to IS NULL UNION SELECT person_id, organization_id FROM {ROLES.name} "
        f"WHERE person_id IN ({wanted}) AND valid_to IS NULL", [*person_ids, *person_ids])
    for person, organization in rows:
        found[person].add(organization)
    return found
