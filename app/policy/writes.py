"""Who may make each change to organisations, people, goals, letters, commitments, findings,
projects and sanctions: one `may_*` function a mutation, looking at every party it names."""

from __future__ import annotations

from collections.abc import Sequence

from app.auth import Principal
from app.policy.base import (
    all_over,
    is_one_of,
    managed_roots,
    manages_or_inspects,
    may_grant_roles,
    may_manage,
    party_in_reach,
    person_in_reach,
)
from projections import organization_tree as tree
from projections import responsibility_list as duty
from store.db import Connection


def may_raise_finding(conn: Connection, principal: Principal, organization_id: str,
                      owner_id: str | None = None,
                      linked_organization_ids: Sequence[str] = ()) -> bool:
    """Raise a finding on an organisation (its managers and inspectors) owned by a person in
    the same reach, linked to a goal or an evaluation of organisations in that reach."""
    return all_over(conn, principal, (organization_id, *linked_organization_ids),
                     manages_or_inspects) and (
        owner_id is None or person_in_reach(conn, principal, owner_id, manages_or_inspects))


def may_rectify(conn: Connection, principal: Principal, organization_id: str,
                owners: set[str]) -> bool:
    """Plan measures and submit the rectification: the organisation's managers, the finding's
    owner and its measures' owners (`owners`: person ids)."""
    return may_manage(conn, principal, organization_id) or is_one_of(principal, owners)


def may_plan_measure(conn: Connection, principal: Principal, organization_id: str,
                     owners: set[str], measure_owner: str) -> bool:
    """Whoever may rectify, for a measure owned by themself or by a person they manage."""
    return may_rectify(conn, principal, organization_id, owners) and (
        is_one_of(principal, {measure_owner})
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
    decide = may_manage if reward else manages_or_inspects
    return all_over(conn, principal, (organization_id, *basis_organization_ids), decide) and (
        party_id is None or party_in_reach(conn, principal, party_kind or "person", party_id,
                                           decide))


def may_sign(conn: Connection, principal: Principal, signer_id: str,
             side_organization_id: str) -> bool:
    """A signature is the signer's own act, for a side whose organisation they manage (the
    administrator may record one)."""
    return principal.is_admin or (is_one_of(principal, {signer_id})
                                  and may_manage(conn, principal, side_organization_id))


def may_commit(conn: Connection, principal: Principal, organization_id: str,
               party_kind: str, party_id: str) -> bool:
    """Make or follow up a public commitment: its organisation's managers for a party they
    manage, or the committing person themself in an organisation where they hold a post or a
    role (or one below it)."""
    if may_manage(conn, principal, organization_id) and party_in_reach(
            conn, principal, party_kind, party_id, may_manage):
        return True
    if party_kind != "person" or not is_one_of(principal, {party_id}):
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
    return all_over(conn, principal, (organization_id, new_parent_id))


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
    return all_over(conn, principal, [organization_id] + (
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


def may_draft_letter(conn: Connection, principal: Principal, issuer_id: str,
                     recipient_id: str, goal_organization_ids: Sequence[str] = ()) -> bool:
    """The issuer's managers, for a recipient and goals they manage too."""
    return all_over(conn, principal, (issuer_id, recipient_id, *goal_organization_ids))


def may_list_letter_goal(conn: Connection, principal: Principal, issuer_id: str,
                         goal_organization_id: str) -> bool:
    return all_over(conn, principal, (issuer_id, goal_organization_id))


def may_propose_amendment(conn: Connection, principal: Principal, recipient_id: str,
                          goal_organization_id: str) -> bool:
    """The recipient side proposes, for a goal it manages."""
    return all_over(conn, principal, (recipient_id, goal_organization_id))


def may_decide_amendment(conn: Connection, principal: Principal, issuer_id: str) -> bool:
    """The issuing side approves or rejects."""
    return may_manage(conn, principal, issuer_id)


def may_propose_project(conn: Connection, principal: Principal, organization_id: str,
                        leader_id: str, goal_organization_ids: Sequence[str] = ()) -> bool:
    """The organisation's managers, for a leader and goals they manage."""
    return all_over(conn, principal, (organization_id, *goal_organization_ids)) and (
        person_in_reach(conn, principal, leader_id, may_manage))


def may_run_project(conn: Connection, principal: Principal, organization_id: str) -> bool:
    return may_manage(conn, principal, organization_id)
