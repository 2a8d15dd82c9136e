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
Reads need an authenticated principal. The audit trail (log, exports, live feeds) is for
inspectors and admins; a record's history, blame and diff for whoever may read the record.

Writes: each mutation asks one `may_*` function here, which looks at every party the command
names: the organisation it acts on, the organisations a cycle assesses, the people it names
(appointee, owner, committer, leader, sanctioned party, the person whose membership changes),
linked goals and records, and a ballot's own evaluator. Who counts as within reach is below
("who is within reach"). Segregation of duties stays in the domain."""

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


def may_raise_finding(conn: Connection, principal: Principal, organization_id: str,
                      owner_id: str | None = None,
                      linked_organization_ids: Sequence[str] = ()) -> bool:
    """Raise a finding on an organisation (its managers and inspectors) owned by a person in
    the same reach, linked to a goal or an evaluation of organisations in that reach."""
    return _all_over(conn, principal, (organization_id, *linked_organization_ids),
                     _manages_or_inspects) and (
        owner_id is None or person_in_reach(conn, principal, owner_id, _manages_or_inspects))


def may_rectify(conn: Connection, principal: Principal, organization_id: str,
                owners: set[str]) -> bool:
    """Plan measures and submit the rectification: the organisation's managers, the finding's
    owner and its measures' owners (`owners`: person ids)."""
    return may_manage(conn, principal, organization_id) or _is_one_of(principal, owners)


def may_plan_measure(conn: Connection, principal: Principal, organization_id: str,
                     owners: set[str], measure_owner: str) -> bool:
    """Whoever may rectify, for a measure owned by themself or by a person they manage."""
    return may_rectify(conn, principal, organization_id, owners) and (
        _is_one_of(principal, {measure_owner})
        or person_in_reach(conn, principal, measure_owner, may_manage))


def may_verify(conn: Connection, principal: Principal, organization_id: str) -> bool:
    """Verify (销号) or return (退回) a rectification; the domain refuses self-verification."""
    return may_raise_finding(conn, principal, organization_id)


def may_reopen_finding(conn: Connection, principal: Principal, organization_id: str) -> bool:
    """Reopen a closed finding (重新打开): whoever may verify one; the domain refuses its
    owners."""
    return may_verify(conn, principal, organization_id)


def may_sanction(conn: Connection, principal: Principal, organization_id: str,
                 reward: bool, party_kind: str | None = None, party_id: str | None = None,
                 basis_organization_ids: Sequence[str] = ()) -> bool:
    """Commendations are the managers'; restraints also the inspectors'. Issuing one names a
    party (`party_kind` person or organization) and its basis (the organisations of the
    evaluations, findings and letters it rests on), all within the same reach; revoking one
    (no party given) is decided by its organisation."""
    decide = may_manage if reward else _manages_or_inspects
    return _all_over(conn, principal, (organization_id, *basis_organization_ids), decide) and (
        party_id is None or party_in_reach(conn, principal, party_kind or "person", party_id,
                                           decide))


def may_sign(conn: Connection, principal: Principal, signer_id: str,
             side_organization_id: str) -> bool:
    """A signature is the signer's own act, for a side whose organisation they manage (the
    administrator may record one)."""
    return principal.is_admin or (_is_one_of(principal, {signer_id})
                                  and may_manage(conn, principal, side_organization_id))


def may_commit(conn: Connection, principal: Principal, organization_id: str,
               party_kind: str, party_id: str) -> bool:
    """Make or follow up a public commitment: its organisation's managers for a party they
    manage, or the committing person themself in an organisation where they hold a post or a
    role (or one below it)."""
    if may_manage(conn, principal, organization_id) and party_in_reach(
            conn, principal, party_kind, party_id, may_manage):
        return True
    if party_kind != "person" or not _is_one_of(principal, {party_id}):
        return False
    chain = {organization_id, *(n.id for n in tree.ancestors(conn, organization_id))}
    return bool(tree.affiliations(conn, party_id) & chain)


def may_conclude_commitment(conn: Connection, principal: Principal,
                            organization_id: str) -> bool:
    """Concluding a commitment (fulfilled or not) is its organisation's managers' judgement."""
    return may_manage(conn, principal, organization_id)


def may_report_progress(conn: Connection, principal: Principal, goal_id: str,
                        organization_id: str) -> bool:
    if may_manage(conn, principal, organization_id):
        return True
    if principal.person_id is None:
        return False
    held = duty.responsibilities_of(conn, str(principal.person_id))
    return any(r.goal_id == goal_id for r in held)


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


def _over(conn: Connection, principal: Principal, organization_id: str,
          decide: Decide) -> bool:
    return principal.is_admin or decide(conn, principal, organization_id)


def _manages_or_inspects(conn: Connection, principal: Principal, organization_id: str) -> bool:
    return may_manage(conn, principal, organization_id) or may_inspect(conn, principal,
                                                                      organization_id)


def _is_one_of(principal: Principal, person_ids: set[str]) -> bool:
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
        return _over(conn, principal, party_id, decide)
    return person_in_reach(conn, principal, party_id, decide)


def _all_over(conn: Connection, principal: Principal, organization_ids: Iterable[str],
              decide: Decide = may_manage) -> bool:
    return principal.is_admin or all(decide(conn, principal, org)
                                     for org in set(organization_ids))


# ---- organisations, people, goals ------------------------------------------------------------

def may_register_organization(conn: Connection, principal: Principal,
                              parent_id: str | None) -> bool:
    """A root organisation is the administrator's; one below another, its managers'."""
    if parent_id is None:
        return principal.is_admin
    return may_manage(conn, principal, parent_id)


def may_change_organization(conn: Connection, principal: Principal,
                            organization_id: str) -> bool:
    """Rename, re-categorise or dissolve: the organisation's managers."""
    return may_manage(conn, principal, organization_id)


def may_move_organization(conn: Connection, principal: Principal, organization_id: str,
                          new_parent_id: str) -> bool:
    """Both the organisation and its new parent must be managed."""
    return _all_over(conn, principal, (organization_id, new_parent_id))


def may_register_person(conn: Connection, principal: Principal) -> bool:
    """Anyone who manages some organisation may register the people they will appoint."""
    return principal.is_admin or bool(managed_roots(conn, principal))


def may_appoint(conn: Connection, principal: Principal, organization_id: str,
                person_id: str) -> bool:
    """Appoint to a post, or end one: the organisation's managers, for a person they manage
    (or who holds no post or role yet)."""
    return may_manage(conn, principal, organization_id) and person_in_reach(
        conn, principal, person_id, may_manage, unaffiliated=True)


def may_change_membership(conn: Connection, principal: Principal, person_id: str) -> bool:
    """A person's party membership: whoever manages every organisation where they serve."""
    return (principal.is_admin or bool(managed_roots(conn, principal))) and person_in_reach(
        conn, principal, person_id, may_manage, unaffiliated=True, wholly=True)


def may_grant_role(conn: Connection, principal: Principal, organization_id: str,
                   person_id: str) -> bool:
    """Grant or revoke a role over an organisation: admins over it, for a person within
    their reach (or who holds no post or role yet)."""
    return may_grant_roles(conn, principal, organization_id) and person_in_reach(
        conn, principal, person_id, may_grant_roles, unaffiliated=True)


def may_draft_goal(conn: Connection, principal: Principal, organization_id: str,
                   parent_organization_id: str | None) -> bool:
    """A goal's organisation and, for a subgoal, the parent goal's (whose subgoals' weights
    the draft re-splits) must be managed."""
    return _all_over(conn, principal, [organization_id] + (
        [parent_organization_id] if parent_organization_id else []))


def may_change_goal(conn: Connection, principal: Principal, organization_id: str,
                    parent_organization_id: str | None = None) -> bool:
    """Revise, re-weight, issue, close or cancel a goal: its organisation's managers (and,
    for a cancellation re-splitting its siblings, the parent goal's)."""
    return may_draft_goal(conn, principal, organization_id, parent_organization_id)


def may_assign_responsibility(conn: Connection, principal: Principal, organization_id: str,
                              party_kind: str, party_id: str) -> bool:
    """Make a party responsible for a goal: the goal's managers, for a party they manage."""
    return may_manage(conn, principal, organization_id) and party_in_reach(
        conn, principal, party_kind, party_id, may_manage)


def may_revoke_responsibility(conn: Connection, principal: Principal,
                              organization_id: str) -> bool:
    """Taking a duty off a goal is the goal's managers' (whoever holds it now)."""
    return may_manage(conn, principal, organization_id)


# ---- letters and projects --------------------------------------------------------------------

def may_draft_letter(conn: Connection, principal: Principal, issuer_id: str,
                     recipient_id: str, goal_organization_ids: Sequence[str] = ()) -> bool:
    """The issuer's managers, for a recipient and goals they manage too."""
    return _all_over(conn, principal, (issuer_id, recipient_id, *goal_organization_ids))


def may_list_letter_goal(conn: Connection, principal: Principal, issuer_id: str,
                         goal_organization_id: str) -> bool:
    return _all_over(conn, principal, (issuer_id, goal_organization_id))


def may_propose_amendment(conn: Connection, principal: Principal, recipient_id: str,
                          goal_organization_id: str) -> bool:
    """The recipient side proposes, for a goal it manages."""
    return _all_over(conn, principal, (recipient_id, goal_organization_id))


def may_decide_amendment(conn: Connection, principal: Principal, issuer_id: str) -> bool:
    """The issuing side approves or rejects."""
    return may_manage(conn, principal, issuer_id)


def may_propose_project(conn: Connection, principal: Principal, organization_id: str,
                        leader_id: str, goal_organization_ids: Sequence[str] = ()) -> bool:
    """The organisation's managers, for a leader and goals they manage."""
    return _all_over(conn, principal, (organization_id, *goal_organization_ids)) and (
        person_in_reach(conn, principal, leader_id, may_manage))


def may_run_project(conn: Connection, principal: Principal, organization_id: str) -> bool:
    return may_manage(conn, principal, organization_id)


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


def may_create_cycle(conn: Connection, principal: Principal, organizer_id: str,
                     assessed_ids: Sequence[str],
                     routine_organizer_ids: Sequence[str] = ()) -> bool:
    """Draft a cycle: the organiser's managers, for organisations they all manage (and
    routine cycles, for an annual one, whose organisers they manage)."""
    return _all_over(conn, principal, (organizer_id, *assessed_ids, *routine_organizer_ids))


def may_run_cycle(conn: Connection, principal: Principal, organizer_id: str,
                  assessed_ids: Sequence[str], named_ids: Sequence[str] = ()) -> bool:
    """Revise the scheme, open, advance, ask to reopen; import business scores, propose
    bonus or deduction items, apply or lift vetoes (`named_ids`: the organisations the
    command names): the organiser's managers, who manage every organisation assessed."""
    return _all_over(conn, principal, (organizer_id, *assessed_ids, *named_ids))


def may_administer_cycle(conn: Connection, principal: Principal, organizer_id: str,
                         assessed_ids: Sequence[str]) -> bool:
    """Publish, lock, approve a reopening or a bonus item: admins of the organiser, who
    manage every organisation assessed."""
    return may_administer(conn, principal, organizer_id) and _all_over(
        conn, principal, assessed_ids)


def may_evaluate_in_cycle(conn: Connection, principal: Principal, assessed_ids: Sequence[str],
                          kind: str, organization_id: str, parent_id: str | None,
                          goal_id: str | None) -> bool:
    """Evaluate an organisation the cycle assesses (`may_evaluate`); the cycle's organiser
    plays no part: evaluators are scoped by whom they score."""
    return organization_id in assessed_ids and may_evaluate(
        conn, principal, kind, organization_id, parent_id, goal_id)


BALLOT_KINDS = ("mass", "social")


def may_correct_evaluation(conn: Connection, principal: Principal, organizer_id: str,
                           assessed_ids: Sequence[str], kind: str, organization_id: str,
                           parent_id: str | None, evaluator: str) -> bool:
    """Correct an evaluation after publication: the cycle's administrators; otherwise whoever
    may give that kind of evaluation of the organisation, and for a mass or social ballot
    (one person's own vote) only the evaluator who cast it (`evaluator`: the actor recorded)."""
    if may_administer_cycle(conn, principal, organizer_id, assessed_ids):
        return True
    if kind in BALLOT_KINDS and principal.actor != evaluator:
        return False
    return may_evaluate(conn, principal, kind, organization_id, parent_id, None)


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
