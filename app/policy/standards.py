"""Who keeps the branch standard and who judges branches against it (党支部标准化规范化建设).

A standard is kept by admins over the organisation that issues it, since it decides how every
branch below is judged. A branch checks itself: its managers (its secretaries, and the
secretaries and admins above it). Acceptance, lowering and revoking a level belong to the
managers of the organisation above the branch — never to the branch's own managers; that
nobody holding a post in the branch judges it, nor accepts a self-check they recorded, is the
domain's rule (Standardisation). Whoever reads a branch reads its record and levels."""

from __future__ import annotations

from app.auth import Principal
from app.policy.base import may_grant_roles, may_manage
from projections import organization_tree as tree
from store.db import Connection


def may_keep_standard(conn: Connection, principal: Principal, organization_id: str) -> bool:
    """Define or revise the standard an organisation keeps for the branches below it."""
    return may_grant_roles(conn, principal, organization_id)


def may_self_check(conn: Connection, principal: Principal, organization_id: str) -> bool:
    return may_manage(conn, principal, organization_id)


def may_judge_branch(conn: Connection, principal: Principal, organization_id: str) -> bool:
    """Accept a branch, lower or revoke its level: a manager of the organisation above."""
    node = tree.organization(conn, organization_id)
    if node is None or node.parent_id is None:
        return principal.is_admin
    return may_manage(conn, principal, node.parent_id)
