"""Who may do what. One module decides; resolvers only ask.

This increment knows two roles: the built-in administrator (everything) and a secretary or
deputy secretary, who manages organisations, goals and responsibilities within the subtree of
the organisation where they hold that post. A person may report progress on goals they bear
responsibility for. Reads need an authenticated principal."""

from __future__ import annotations

from app.auth import Principal
from projections import organization_tree as tree
from projections import responsibility_list as duty
from store.db import Connection, marks

MANAGING_POSTS = ("secretary", "deputy_secretary")


class ForbiddenError(Exception):
    """Raised when the principal may not do what it asked; nothing is written."""


def managed_roots(conn: Connection, principal: Principal) -> set[str]:
    if principal.person_id is None:
        return set()
    rows = conn.execute(
        "SELECT organization_id FROM view_org_posts WHERE person_id = ? AND valid_to IS NULL "
        f"AND post IN ({marks(MANAGING_POSTS)})",
        [str(principal.person_id), *MANAGING_POSTS])
    return {row[0] for row in rows}


def may_manage(conn: Connection, principal: Principal, organization_id: str) -> bool:
    """Admins manage everything; a secretary manages their organisation and all below it."""
    if principal.is_admin:
        return True
    roots = managed_roots(conn, principal)
    if not roots:
        return False
    chain = {organization_id, *(n.id for n in tree.ancestors(conn, organization_id))}
    return bool(roots & chain)


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
