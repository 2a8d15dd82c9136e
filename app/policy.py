"""Who may do what. One module decides; resolvers only ask.

Roles are scoped to an organisation's subtree and come from posts (secretary and deputy
secretary → secretary; committee member and member → member) and from explicit grants, which
are events. The built-in administrator may do everything; an `admin` grant, everything in its
subtree, granting roles included; a secretary manages organisations, people's posts, goals and
responsibilities in its subtree; anyone may report progress on a goal they are responsible
for. Assessment: the indicator library is kept by admins; cycles are run by the organiser's
managers and published, locked and reopened by its admins; evaluators give mass and social
ballots; organisational scoring is the parent organisation's managers'.

Accountability: a secretary manages letters (drafts them for organisations below; approves
amendments as the issuing side), commitments, findings and projects in its subtree; a letter is
signed by the signer themself; inspectors raise findings, verify or return rectifications and
issue and revoke restraints, but change no goals or scores; commendations are the managers'. A
finding's owner and its measures' owners may plan and submit the rectification; that nobody
verifies their own is the domain's rule (Finding), not only this module's.
Reads need an authenticated principal. The audit trail (log, exports, live feed) is for
inspectors and admins; a record's history, blame and diff for whoever may read the record."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from app.auth import Principal
from projections import organization_tree as tree
from projections import responsibility_list as duty
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


def may_inspect(conn: Connection, principal: Principal, organization_id: str) -> bool:
    """Inspectors (and admins) over an organisation: at it or above it."""
    return principal.is_admin or bool(
        roles_at(conn, principal, organization_id) & {"admin", "inspector"})


def may_raise_finding(conn: Connection, principal: Principal, organization_id: str) -> bool:
    return may_manage(conn, principal, organization_id) or may_inspect(conn, principal,
                                                                      organization_id)


def may_rectify(conn: Connection, principal: Principal, organization_id: str,
                owners: set[str]) -> bool:
    """Plan measures and submit the rectification: the organisation's managers, the finding's
    owner and its measures' owners (`owners`: person ids)."""
    return may_manage(conn, principal, organization_id) or (
        principal.person_id is not None and str(principal.person_id) in owners)


def may_verify(conn: Connection, principal: Principal, organization_id: str) -> bool:
    """Verify (销号) or return (退回) a rectification; the domain refuses self-verification."""
    return may_raise_finding(conn, principal, organization_id)


def may_reopen_finding(conn: Connection, principal: Principal, organization_id: str) -> bool:
    """Reopen a closed finding (重新打开): whoever may verify one; the domain refuses its
    owners."""
    return may_verify(conn, principal, organization_id)


def may_sanction(conn: Connection, principal: Principal, organization_id: str,
                 reward: bool) -> bool:
    """Commendations are the managers'; restraints also the inspectors'."""
    if reward:
        return may_manage(conn, principal, organization_id)
    return may_raise_finding(conn, principal, organization_id)


def may_sign(principal: Principal, signer_id: str) -> bool:
    """A signature is the signer's own act (the administrator may record one)."""
    return principal.is_admin or str(principal.person_id) == signer_id


def may_commit(conn: Connection, principal: Principal, organization_id: str,
               party_id: str) -> bool:
    """Make or follow up a public commitment: its organisation's managers, or the person."""
    return may_manage(conn, principal, organization_id) or str(principal.person_id) == party_id


def may_report_progress(conn: Connection, principal: Principal, goal_id: str,
                        organization_id: str) -> bool:
    if may_manage(conn, principal, organization_id):
        return True
    if principal.person_id is None:
        return False
    held = duty.responsibilities_of(conn, str(principal.person_id))
    return any(r.goal_id == goal_id for r in held)


def require(allowed: bool, what: str) -> None:
    if not allowed:
        raise ForbiddenError(f"you may not {what}")


# ---- assessment ------------------------------------------------------------------------------

def may_administer(conn: Connection, principal: Principal, organization_id: str) -> bool:
    """Publishing, locking, approving reopenings and bonus items: admins of the organiser."""
    return principal.is_admin or "admin" in roles_at(conn, principal, organization_id)


def may_curate_indicators(conn: Connection, principal: Principal) -> bool:
    """The indicator library is shared by every cycle: admins keep it."""
    return principal.is_admin or any(role == "admin" for role, _ in roles(conn, principal))


def may_evaluate(conn: Connection, principal: Principal, kind: str, organization_id: str,
                 parent_id: str | None, goal_id: str | None) -> bool:
    """Self-evaluation: the organisation's managers and whoever is responsible for the goal;
    organisational scoring: the higher level's secretary (or an admin above); mass and social
    ballots: evaluators over the organisation."""
    if principal.is_admin:
        return True
    if kind == "self":
        if may_manage(conn, principal, organization_id):
            return True
        if goal_id is None or principal.person_id is None:
            return False
        held = duty.responsibilities_of(conn, str(principal.person_id))
        return any(r.goal_id == goal_id for r in held)
    if kind == "organizational":
        return parent_id is not None and may_manage(conn, principal, parent_id)
    if kind in ("mass", "social"):
        return bool(roles_at(conn, principal, organization_id) & {"evaluator", "admin"})
    return False


SECRETARY_POSTS = ("secretary", "deputy_secretary")


def expected_evaluators(conn: Connection, organization_id: str, parent_id: str | None,
                        goal_ids: Sequence[str]) -> Callable[[str, str | None], list[str]]:
    """Who is expected to give an evaluation of an organisation's items (the people
    `may_evaluate` lets, by post and responsibility; mass and social ballots are open to any
    evaluator), as a function of (kind, goal) over what it reads once: person ids."""
    def secretaries(organization: str | None) -> list[str]:
        return [m.person_id for m in tree.members(conn, organization)
                if m.post in SECRETARY_POSTS] if organization else []

    own, above = secretaries(organization_id), secretaries(parent_id)
    holders = duty.holders_of(conn, goal_ids)

    def expected(kind: str, goal_id: str | None) -> list[str]:
        if kind == "self":
            responsible = [h.party_id for h in holders.get(goal_id or "", [])
                           if h.party_kind == "person"]
            return list(dict.fromkeys([*responsible, *own]))
        return above if kind == "organizational" else []
    return expected


AUDITING_ROLES = ("admin", "inspector")


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
