"""What every rule stands on: the roles a principal holds over an organisation, managing and
inspecting, who is within reach, and the one way to refuse (`require`, ForbiddenError)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from app.auth import Principal
from projections import organization_tree as tree
from store.db import Connection

MANAGING_ROLES = ("admin", "secretary")


class ForbiddenError(Exception):
    """Raised when the principal may not do what it asked; nothing is written."""


def roles(conn: Connection, principal: Principal) -> list[tuple[str, str]]:
    if principal.person_id is None:
        return []
    return tree.roles_of(conn, str(principal.person_id))


def roles_at(conn: Connection, principal: Principal, organization_id: str) -> set[str]:
    """The roles the principal holds over an organisation: at it or above it."""
    held = roles(conn, principal)
    if not held:
        return set()
    chain = {organization_id, *(n.id for n in tree.ancestors(conn, organization_id))}
    return {role for role, org in held if org in chain}


def managed_roots(conn: Connection, principal: Principal) -> set[str]:
    return {org for role, org in roles(conn, principal) if role in MANAGING_ROLES}


def may_manage(conn: Connection, principal: Principal, organization_id: str) -> bool:
    """Admins manage everything; an admin grant or a secretary its subtree."""
    return principal.is_admin or bool(
        roles_at(conn, principal, organization_id) & set(MANAGING_ROLES))


def may_grant_roles(conn: Connection, principal: Principal, organization_id: str) -> bool:
    return principal.is_admin or "admin" in roles_at(conn, principal, organization_id)


SEES_EVERYTHING = ("admin", "inspector")


def may_inspect(conn: Connection, principal: Principal, organization_id: str) -> bool:
    """Inspectors (and admins) over an organisation: at it or above it."""
    return principal.is_admin or bool(
        roles_at(conn, principal, organization_id) & {"admin", "inspector"})


# ---- who is within reach ---------------------------------------------------------------------
#
# A command names organisations and people. An organisation is within a principal's reach for
# a rule when the rule holds over it (at it or above it). A person is within reach when they
# hold a post or a role (`organization_tree.affiliations`) in at least one organisation
# within reach. Someone who holds neither (just registered) belongs to no subtree yet: any
# manager may appoint them or grant them a role (else nobody but the administrator could),
# but nobody outside the administrator may make them a finding's owner, a sanction's party or
# a commitment's party. Changing a person's party membership concerns every organisation
# where they serve: all of their posts and roles must lie within reach.

Decide = Callable[[Connection, Principal, str], bool]


def over(conn: Connection, principal: Principal, organization_id: str,
          decide: Decide) -> bool:
    return principal.is_admin or decide(conn, principal, organization_id)


def manages_or_inspects(conn: Connection, principal: Principal, organization_id: str) -> bool:
    return may_manage(conn, principal, organization_id) or may_inspect(conn, principal,
                                                                      organization_id)


def is_one_of(principal: Principal, person_ids: set[str]) -> bool:
    return principal.person_id is not None and str(principal.person_id) in person_ids


def person_in_reach(conn: Connection, principal: Principal, person_id: str, decide: Decide,
                    unaffiliated: bool = False, wholly: bool = False) -> bool:
    """Whether a person is within the principal's reach for a rule (see above):
    `unaffiliated` admits someone with no post or role; `wholly` asks all of their posts and
    roles to be within reach, not just one."""
    if principal.is_admin:
        return True
    where = tree.affiliations(conn, person_id)
    if not where:
        return unaffiliated
    within = (decide(conn, principal, org) for org in where)
    return all(within) if wholly else any(within)


def party_in_reach(conn: Connection, principal: Principal, party_kind: str, party_id: str,
                   decide: Decide) -> bool:
    """A party (a person or an organisation) within the principal's reach for a rule."""
    if party_kind == "organization":
        return over(conn, principal, party_id, decide)
    return person_in_reach(conn, principal, party_id, decide)


def all_over(conn: Connection, principal: Principal, organization_ids: Iterable[str],
              decide: Decide = may_manage) -> bool:
    return principal.is_admin or all(decide(conn, principal, org)
                                     for org in set(organization_ids))


def require(allowed: bool, what: str) -> None:
    if not allowed:
        raise ForbiddenError(f"you may not {what}")


AUDITING_ROLES = ("admin", "inspector")
