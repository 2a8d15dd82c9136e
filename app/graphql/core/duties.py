"""Rows about who answers for what: a goal's holders, a person's responsibilities, the goals
nobody answers for, the roles a viewer holds. Plain values (ids, titles), no records."""

from __future__ import annotations

from datetime import date

import strawberry

from app.graphql.kit.ids import to_global_id
from app.graphql.kit.vocab import (
    GoalLevel,
    GoalStatus,
    PartyKind,
    ResponsibilityKind,
    Role,
    code,
    labelled,
)
from projections import responsibility_list as duty

# Responsibility kinds in their order of weight, as sortable keys.
KIND_ORDER = {"collective": "0", "primary": "1", "direct": "2", "specific": "3"}


@labelled
@strawberry.type(description="A person or organisation responsible for a goal.")
class Holder:
    kind: str = code(ResponsibilityKind)
    party_kind: str = code(PartyKind)
    party_id: strawberry.ID
    since: date | None

    @classmethod
    def from_view(cls, holder: duty.Holder) -> Holder:
        type_name = "Person" if holder.party_kind == "person" else "Organization"
        return cls(kind=holder.kind, party_kind=holder.party_kind,
                   party_id=strawberry.ID(to_global_id(type_name, holder.party_id)),
                   since=date.fromisoformat(holder.since) if holder.since else None)


@labelled
@strawberry.type(description="A responsibility someone bears for a goal.")
class Responsibility:
    kind: str = code(ResponsibilityKind)
    party_kind: str = code(PartyKind)
    goal_title: str
    goal_status: str = code(GoalStatus)
    goal_id: strawberry.ID
    since: date | None

    @classmethod
    def from_view(cls, row: duty.Responsibility, _position: int | None) -> Responsibility:
        return cls(kind=row.kind, party_kind=row.party_kind, goal_title=row.goal_title,
                   goal_status=row.goal_status,
                   goal_id=strawberry.ID(to_global_id("Goal", row.goal_id)),
                   since=date.fromisoformat(row.since) if row.since else None)


@labelled
@strawberry.type(description="An issued goal nobody bears primary or direct responsibility for.")
class ResponsibilityGap:
    goal_id: strawberry.ID
    title: str
    level: str = code(GoalLevel)
    missing_primary: bool
    missing_direct: bool

    @classmethod
    def from_view(cls, gap: duty.Gap) -> ResponsibilityGap:
        return cls(goal_id=strawberry.ID(to_global_id("Goal", gap.goal_id)), title=gap.title,
                   level=gap.level, missing_primary=gap.missing_primary,
                   missing_direct=gap.missing_direct)


@labelled
@strawberry.type(description="A role held over an organisation's subtree.")
class RoleHeld:
    role: str = code(Role)
    organization_id: strawberry.ID
