"""Who may record organisational life (组织生活) and set its rules.

Meetings are recorded, corrected and cancelled by the organisation's managers: its secretary
and deputy secretary (their posts give the secretary role) and the secretaries and admins
above it; every person a record names (presider, attendees) must be within their reach. Rule
sets of required frequencies are kept by admins over the organisation that sets them, since
they decide how its whole subtree is judged. The compliance view is read by whoever reads the
organisation (the read scope)."""

from __future__ import annotations

from collections.abc import Sequence

from app.auth import Principal
from app.policy.base import may_grant_roles, may_manage, person_in_reach
from store.db import Connection


def may_record_meeting(conn: Connection, principal: Principal, organization_id: str,
                       person_ids: Sequence[str] = ()) -> bool:
    """Record a meeting, or correct or cancel its record (`person_ids`: the presider and the
    attendees the command names)."""
    return may_manage(conn, principal, organization_id) and all(
        person_in_reach(conn, principal, person, may_manage) for person in set(person_ids))


def may_set_meeting_rules(conn: Connection, principal: Principal,
                          organization_id: str) -> bool:
    """Define or revise the rule set an organisation keeps for its subtree: its admins."""
    return may_grant_roles(conn, principal, organization_id)
