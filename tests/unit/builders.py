"""In-memory aggregates for rule tests: no store, no I/O."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from domain.goals import Goal
from domain.organizations import Organization
from domain.people import Person
from domain.values import Indicator, Period, qualitative, quantitative

ACTOR = "person:tester"
YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
TERM = Period(date(2024, 1, 1), date(2026, 12, 31))
RUBRIC = qualitative([("优秀", 100), ("合格", 70)])


def organization(kind: str = "committee", parent: Organization | None = None,
                 name: str = "党委") -> Organization:
    return Organization.register(id=uuid4(), actor=ACTOR, name=name, kind=kind,
                                 category="机关", parent=parent)


def person(party_member: bool = True, name: str = "张三") -> Person:
    return Person.register(id=uuid4(), actor=ACTOR, name=name, party_member=party_member)


def goal(
    organization: Organization,
    *,
    level: str = "annual",
    parent: Goal | None = None,
    weight: int = 100,
    period: Period = YEAR,
    indicator: Indicator | None = None,
    ancestry: list | None = None,
    reason: str = "",
) -> Goal:
    return Goal.draft(
        id=uuid4(), actor=ACTOR, level=level, organization=organization,
        organization_ancestry=ancestry or [], parent=parent, field="political",
        title="三会一课", description="", period=period,
        indicator=indicator or quantitative("次", 0, 12), weight=weight, reason=reason,
    )


def issued(g: Goal, parent: Goal | None = None, subgoals: list | None = None) -> Goal:
    g.issue(actor=ACTOR, parent=parent, subgoals=subgoals or [])
    return g
