"""Small scripted histories used by integration tests, written through the use cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from domain.application import DengtaApplication
from domain.values import Period, qualitative, quantitative

ACTOR = "person:secretary"
YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))


@dataclass
class Story:
    committee: UUID
    branch: UUID
    secretary: UUID
    annual: UUID
    specifics: list[UUID]
    last_position: int


def tell(app: DengtaApplication) -> Story:
    """A committee, a branch with its secretary, and an issued annual goal split in two."""
    committee = app.register_organization(ACTOR, name="市局党委", kind="committee",
                                          category="机关").id
    branch = app.register_organization(ACTOR, name="营销中心党支部", kind="branch",
                                       category="营销", parent_id=committee).id
    secretary = app.register_person(ACTOR, name="李书记", party_member=True).id
    app.appoint(ACTOR, secretary, organization_id=branch, post="secretary")
    annual = app.draft_goal(ACTOR, level="annual", organization_id=committee,
                            field="organizational", title="2026年支部标准化建设", period=YEAR,
                            indicator=qualitative([("优秀", 100), ("合格", 70)]),
                            weight=100).id
    specifics = [
        app.draft_goal(ACTOR, level="specific", organization_id=branch, field="organizational",
                       title=title, period=YEAR, indicator=quantitative("次", 0, 12),
                       weight=weight, parent_id=annual).id
        for title, weight in (("三会一课按期召开", 60), ("主题党日活动", 40))
    ]
    app.assign_responsibility(ACTOR, specifics[0], party_kind="person", party_id=secretary,
                              kind="primary")
    app.issue_goal_tree(ACTOR, annual, effective_date=date(2026, 1, 5))
    written = app.report_progress(ACTOR, specifics[0], effective_date=date(2026, 3, 31),
                                  value=3, evidence=["支部会议记录-Q1.pdf"])
    assert written.position is not None
    return Story(committee, branch, secretary, annual, specifics, written.position)
