"""What a principal may read: the read scope every loader applies (`ReadScope`) and the audit
trail's scope."""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.auth import Principal
from app.policy.base import AUDITING_ROLES, SEES_EVERYTHING, require, roles
from projections import organization_tree as tree
from projections.engine import tracked
from store.db import Connection


def visible_organizations(conn: Connection, principal: Principal,
                          position: int | None = None) -> set[str] | None:
    """The organisations a principal may read: None means all of them (the administrator, an
    admin or inspector grant over a root); otherwise the subtrees where it holds any role."""
    if principal.is_admin:
        return None
    held = roles(conn, principal)
    visible: set[str] = set()
    for role, org in held:
        if role in SEES_EVERYTHING and not tree.ancestors(conn, org):
            return None
        visible |= {n.id for n in tree.descendants(conn, org, position)}
    return visible


def may_read_organization(visible: set[str] | None, organization_id: str) -> bool:
    return visible is None or organization_id in visible


@dataclass(frozen=True)
class ReadScope:
    """What a principal may read, as predicates the loaders apply to every record they fetch.

    `subtree`: the organisations whose content (goals, posts and people, letters, findings,
    commitments, projects, sanctions, cycles, scores) it reads in full; None: everything.
    `outline`: the ancestors of those subtrees, readable as organisations only (name, kind,
    category, so breadcrumbs work): what hangs below or on them (children off the path,
    members, goals, ...) is cut to the subtree like anything else. A person is readable when
    it is oneself or holds a post or role in the subtree."""

    subtree: frozenset[str] | None
    outline: frozenset[str] = frozenset()
    person_id: str | None = None

    @property
    def everything(self) -> bool:
        return self.subtree is None

    def organization(self, organization_id: str) -> bool:
        """An organisation as a record: in the subtree, or an ancestor of it."""
        return (self.subtree is None or organization_id in self.subtree
                or organization_id in self.outline)

    def within(self, organization_id: str | None) -> bool:
        """What belongs to an organisation (its goals, posts, findings, ...)."""
        return self.subtree is None or (organization_id is not None
                                        and organization_id in self.subtree)

    def any_within(self, organization_ids: Iterable[str]) -> bool:
        """A record several organisations read (a letter: issuer and recipient)."""
        return self.subtree is None or any(o in self.subtree for o in organization_ids)

    def shared(self, organization_ids: Iterable[str] | None) -> bool:
        """A record the readers of any of these organisations read; None: a record of no
        organisation (an indicator of the library), which every principal reads, as it
        reads the library's list."""
        return organization_ids is None or self.any_within(organization_ids)

    def person(self, person_id: str, affiliations: Iterable[str]) -> bool:
        """Oneself, or someone holding a post or role in the subtree."""
        return self.subtree is None or person_id == self.person_id or self.any_within(
            affiliations)

    def organizations(self) -> tuple[str, ...] | None:
        """The subtree as an SQL filter (None: no restriction)."""
        return None if self.subtree is None else tuple(sorted(self.subtree))

    def cut(self, organization_ids: Sequence[str] | None) -> tuple[str, ...] | None:
        """Organisations asked for (None: any), cut down to the subtree."""
        if organization_ids is None:
            return self.organizations()
        return tuple(o for o in organization_ids if self.within(o))


def read_scope(conn: Connection, principal: Principal) -> ReadScope:
    """The principal's read scope: everything for the administrator and an admin or inspector
    grant over a root; else the subtrees where it holds any role, and their ancestors."""
    me = str(principal.person_id) if principal.person_id is not None else None
    if principal.is_admin:
        return ReadScope(None, person_id=me)
    subtree: set[str] = set()
    outline: set[str] = set()
    for role, org in roles(conn, principal):
        above = {n.id for n in tree.ancestors(conn, org)}
        if role in SEES_EVERYTHING and not above:
            return ReadScope(None, person_id=me)
        subtree |= {n.id for n in tree.descendants(conn, org)}
        outline |= above
    return ReadScope(frozenset(subtree), frozenset(outline - subtree), me)


def shared_read_scope(conn: Connection, principal: Principal,
                      shared: MutableMapping[Any, Any]) -> ReadScope:
    """`read_scope`, kept in `shared` (the process's requests share it) under the position the
    organisation tree's read model stands at: the scope comes from that model alone (posts,
    grants, the tree), so while it has not moved the scope has not either, and a request pays
    one lookup instead of the tree walks. The position is read before the scope is worked
    out, so what is kept under it is never older than it."""
    if principal.is_admin or principal.person_id is None:
        return read_scope(conn, principal)
    key = ("read scope", principal.person_id, tracked(conn, tree.OrganizationTree))
    scope: ReadScope | None = shared.get(key)
    if scope is None:
        scope = shared[key] = read_scope(conn, principal)
    return scope


def require_audit_of(conn: Connection, principal: Principal, organization_ids: set[str],
                     what: str) -> None:
    """Inspectors and admins over at least one of the organisations (at it or above it)."""
    roots = audit_scope(conn, principal)
    if roots is None:
        return
    require(any(({org} | {a.id for a in tree.ancestors(conn, org)}) & set(roots)
                for org in organization_ids), what)


def audit_scope(conn: Connection, principal: Principal) -> tuple[str, ...] | None:
    """The subtrees whose audit trail (log, exports, live feed) a principal may read: None
    means all of it (the administrator, an admin or inspector grant over a root). Anyone
    without an admin or inspector grant is refused."""
    if principal.is_admin:
        return None
    roots = {org for role, org in roles(conn, principal) if role in AUDITING_ROLES}
    require(bool(roots), "read the audit trail: it is for inspectors and admins")
    if any(not tree.ancestors(conn, org) for org in roots):
        return None
    return tuple(sorted(roots))
