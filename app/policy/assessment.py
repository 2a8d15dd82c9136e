"""Who may keep the indicator library, run, administer and score assessment cycles, and
correct an evaluation; and whom a score card expects to evaluate."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from app.auth import Principal
from app.policy.base import all_over, may_manage, roles, roles_at
from projections import organization_tree as tree
from projections import responsibility_list as duty
from store.db import Connection


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
    return all_over(conn, principal, (organizer_id, *assessed_ids, *routine_organizer_ids))


def may_run_cycle(conn: Connection, principal: Principal, organizer_id: str,
                  assessed_ids: Sequence[str], named_ids: Sequence[str] = ()) -> bool:
    """Revise the scheme, open, advance, ask to reopen; import business scores, propose
    bonus or deduction items, apply or lift vetoes (`named_ids`: the organisations the
    command names): the organiser's managers, who manage every organisation assessed."""
    return all_over(conn, principal, (organizer_id, *assessed_ids, *named_ids))


def may_administer_cycle(conn: Connection, principal: Principal, organizer_id: str,
                         assessed_ids: Sequence[str]) -> bool:
    """Publish, lock, approve a reopening or a bonus item: admins of the organiser, who
    manage every organisation assessed."""
    return may_administer(conn, principal, organizer_id) and all_over(
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
