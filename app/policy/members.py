"""Who takes part in the democratic evaluation of party members (民主评议党员).

A round, the branch committee's proposals and the organisation's grades are recorded by the
branch's managers (its secretary and deputy secretary, and the secretaries and admins above
it); a proposal may also be recorded by a committee member (委员) of the branch. Self- and
mutual evaluations are written by a member of the branch for themselves only (the principal
is the evaluator; nobody writes them for another, not even an administrator), of members of
the same branch. A 不合格 is reviewed by the managers of the organisation above the branch.
That nobody grades themselves, and that the grader does not review, is the domain's rule
(MemberEvaluation). Whoever reads a branch reads its rounds."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from app.auth import Principal
from app.policy.base import may_manage
from app.policy.standards import may_judge_branch
from domain.meetings import COMMITTEE_POSTS, PARTY_POSTS
from projections import organization_tree as tree
from store.db import Connection


def _holders(conn: Connection, organization_id: str, posts: Collection[str]) -> set[str]:
    """Who holds one of `posts` in the organisation now."""
    return {m.person_id for m in tree.members(conn, organization_id) if m.post in posts}


def _members_of_branch(conn: Connection, organization_id: str,
                       person_ids: Sequence[str]) -> bool:
    return set(person_ids) <= _holders(conn, organization_id, PARTY_POSTS)


def may_run_member_evaluation(conn: Connection, principal: Principal, organization_id: str,
                              person_ids: Sequence[str] = ()) -> bool:
    """Open a round, grade a member (`person_ids`: the members the command names, each
    holding a party post in the branch)."""
    return may_manage(conn, principal, organization_id) and _members_of_branch(
        conn, organization_id, person_ids)


def may_propose_member_grade(conn: Connection, principal: Principal, organization_id: str,
                             member_id: str) -> bool:
    """支部委员会意见: the branch's managers, or a committee member of the branch."""
    on_committee = principal.person_id is not None and str(principal.person_id) in _holders(
        conn, organization_id, COMMITTEE_POSTS)
    return ((on_committee or may_manage(conn, principal, organization_id))
            and _members_of_branch(conn, organization_id, [member_id]))


def may_evaluate_as_member(conn: Connection, principal: Principal, organization_id: str,
                           member_ids: Sequence[str] = ()) -> bool:
    """A self-evaluation (no `member_ids`) or a mutual evaluation of `member_ids`: by a
    member of the branch, for themselves, of members of the branch."""
    if principal.person_id is None:
        return False
    return _members_of_branch(conn, organization_id, [str(principal.person_id), *member_ids])


def may_review_member_grade(conn: Connection, principal: Principal,
                            organization_id: str) -> bool:
    """上级审核 of a 不合格: a manager of the organisation above the branch."""
    return may_judge_branch(conn, principal, organization_id)
