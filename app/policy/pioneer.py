"""Who designates pioneer posts (党员示范岗 / 党员责任区) and who follows them up.

A post is the organisation's decision (its committee's, recorded by its secretary or deputy
secretary): designating, ending early, correcting and cancelling belong to the organisation's
managers — its secretaries and the secretaries and admins above it — and the holder must be
within their reach. Follow-ups are notes on how the post goes: the managers write them, and
so does the holder on their own post (a self-report, marked as the holder's in the record), as
anyone reports progress on a goal they answer for. That nobody designates themself, nor ends,
corrects or cancels their own post, is the domain's rule (PioneerPost). Whoever reads the
organisation reads its posts."""

from __future__ import annotations

from app.auth import Principal
from app.policy.base import is_one_of, may_manage, person_in_reach
from store.db import Connection


def may_designate_pioneer(conn: Connection, principal: Principal, organization_id: str,
                          holder_id: str) -> bool:
    """Designate a post, end it early, correct or cancel its record."""
    return may_manage(conn, principal, organization_id) and person_in_reach(
        conn, principal, holder_id, may_manage)


def may_follow_up_pioneer(conn: Connection, principal: Principal, organization_id: str,
                          holder_id: str) -> bool:
    return is_one_of(principal, {holder_id}) or may_designate_pioneer(
        conn, principal, organization_id, holder_id)
