"""Who may record organisational life (组织生活) and set its rules.

Meetings are recorded, corrected and cancelled by the organisation's managers: its secretary
and deputy secretary (their posts give the secretary role) and the secretaries and admins
above it; every person a record names (presider, attendees) must be within their reach, but a
presider may also serve above the organisation (a secretary above giving a 党课). Rule
sets of required frequencies are kept by admins over the organisation that sets them, since
they decide how its whole subtree is judged. The compliance view is read by whoever reads the
organisation (the read scope)."""

from __future__ import annotations

from collections.abc import Sequence

from app.auth import Principal
from app.policy.base import may_grant_roles, may_manage, person_in_reach
from projections import organization_tree as tree
from store.db import Connection


def may_record_meeting(conn: Connection, principal: Principal, organization_id: str,
                       attendee_ids: Sequence[str] = (), presider_id: str | None = None,
                       ) -> bool:
    """Record a meeting, or correct or cancel its record (`attendee_ids`, `presider_id`: the
    people the command names). The presider is within reach, or serves above the
    organisation: a branch's secretary records the 党课 the committee's secretary gave."""
    return may_manage(conn, principal, organization_id) and all(
        person_in_reach(conn, principal, person, may_manage) for person in set(attendee_ids)
    ) and (presider_id is None or person_in_reach(conn, principal, presider_id, may_manage)
           or serves_above(conn, presider_id, organization_id))


def serves_above(conn: Connection, person_id: str, organization_id: str) -> bool:
    """Whether a person holds a post or a role in an organisation above this one (whether
    they held a party post there on the meeting day is the domain's rule)."""
    above = {node.id for node in tree.ancestors(conn, organization_id)}
    return bool(above & tree.affiliations(conn, person_id))


def may_set_meeting_rules(conn: Connection, principal: Principal,
                          organization_id: str) -> bool:
    """Define or revise the rule set an organisation keeps for its subtree: its admins."""
    return may_grant_roles(conn, principal, organization_id)
