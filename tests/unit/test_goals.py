"""Rules of goals: decomposition, weights, lifecycle, progress and responsibility."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from domain.errors import (
    DuplicateError,
    GoalNotModifiableError,
    HasActiveChildrenError,
    InvalidInputError,
    InvalidTransitionError,
    LevelMustStepDownError,
    NotFoundError,
    OutsideParentScopeError,
    PeriodOutsideParentError,
    PostRequiredError,
    ReasonRequiredError,
    WeightsMustSumTo100Error,
)
from domain.goals import Goal, settle_subgoal_weights
from domain.values import GoalStatus, Period
from tests.unit.builders import ACTOR, RUBRIC, TERM, goal, issued, organization, person

Q1 = date(2026, 3, 31)


@pytest.fixture
def committee():
    return organization()


@pytest.fixture
def branch(committee):
    return organization("branch", committee, "营销中心党支部")


def split(committee, weights: list[int]) -> tuple[Goal, list[Goal]]:
    term = goal(committee, level="term", period=TERM)
    return term, [goal(committee, parent=term, weight=w) for w in weights]


def test_a_drafted_goal_records_its_indicator_and_starts_drafted(committee) -> None:
    g = goal(committee, indicator=RUBRIC)
    assert g.status is GoalStatus.DRAFTED
    assert g.indicator == RUBRIC


@pytest.mark.parametrize("weight", [-1, 101, True])
def test_a_weight_outside_0_to_100_is_refused(committee, weight) -> None:
    with pytest.raises(InvalidInputError) as error:
        goal(committee, weight=weight)
    assert error.value.field == "weight"


def test_a_period_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(InvalidInputError):
        Period(date(2026, 12, 31), date(2026, 1, 1))


@pytest.mark.parametrize(("parent_level", "child_level"),
                         [("annual", "annual"), ("annual", "term"), ("specific", "specific")])
def test_a_subgoal_level_must_step_down(committee, parent_level, child_level) -> None:
    parent = goal(committee, level=parent_level)
    with pytest.raises(LevelMustStepDownError):
        goal(committee, level=child_level, parent=parent)


def test_a_subgoal_period_must_lie_inside_the_parent_period(committee) -> None:
    annual = goal(committee)
    with pytest.raises(PeriodOutsideParentError):
        goal(committee, level="specific", parent=annual,
             period=Period(date(2026, 6, 1), date(2027, 1, 31)))


def test_a_subgoal_must_belong_to_the_parent_organisation_or_below(committee, branch) -> None:
    annual = goal(branch)
    with pytest.raises(OutsideParentScopeError):
        goal(committee, level="specific", parent=annual)
    below = goal(branch, level="specific", parent=goal(committee), ancestry=[committee.id])
    assert below.organization_id == branch.id


def test_a_goal_is_issued_only_when_its_subgoals_weigh_100(committee) -> None:
    term, subgoals = split(committee, [60, 30])
    with pytest.raises(WeightsMustSumTo100Error, match="90"):
        term.issue(actor=ACTOR, parent=None, subgoals=subgoals)
    settle_subgoal_weights(term, subgoals, {subgoals[1].id: 40}, actor=ACTOR, reason="")
    term.issue(actor=ACTOR, parent=None, subgoals=subgoals)
    assert term.status is GoalStatus.ISSUED


def test_cancelled_subgoals_do_not_count_towards_the_100(committee) -> None:
    term, subgoals = split(committee, [100, 50])
    subgoals[1].cancel(actor=ACTOR, subgoals=[], reason="合并")
    term.issue(actor=ACTOR, parent=None, subgoals=subgoals)


def test_a_subgoal_cannot_be_issued_before_its_parent(committee) -> None:
    term, subgoals = split(committee, [100])
    with pytest.raises(InvalidTransitionError):
        subgoals[0].issue(actor=ACTOR, parent=term, subgoals=[])


def test_an_issued_goal_cannot_be_issued_again(committee) -> None:
    g = issued(goal(committee))
    with pytest.raises(InvalidTransitionError):
        g.issue(actor=ACTOR, parent=None, subgoals=[])


def test_after_issue_every_change_needs_a_reason(committee) -> None:
    g = issued(goal(committee))
    with pytest.raises(ReasonRequiredError):
        g.revise(actor=ACTOR, reason="", parent=None, subgoals=[], title="新标题")
    with pytest.raises(ReasonRequiredError):
        g.reweight(actor=ACTOR, weight=50, reason=" ")
    with pytest.raises(ReasonRequiredError):
        g.assign_responsibility(actor=ACTOR, party=committee, kind="collective")
    with pytest.raises(ReasonRequiredError):
        g.cancel(actor=ACTOR, subgoals=[], reason="")
    g.revise(actor=ACTOR, reason="上级要求调整", parent=None, subgoals=[], title="新标题")
    assert g.title == "新标题"
    assert g.collect_events()[-1].reason == "上级要求调整"


def test_before_issue_changes_need_no_reason(committee) -> None:
    g = goal(committee)
    g.revise(actor=ACTOR, reason="", parent=None, subgoals=[], title="草稿修改")
    g.reweight(actor=ACTOR, weight=40, reason="")
    assert (g.title, g.weight) == ("草稿修改", 40)


def test_under_an_issued_parent_weights_change_together_or_not_at_all(committee) -> None:
    term, subgoals = split(committee, [60, 40])
    issued(term, subgoals=subgoals)
    with pytest.raises(WeightsMustSumTo100Error):
        settle_subgoal_weights(term, subgoals, {subgoals[0].id: 50}, actor=ACTOR, reason="调整")
    with pytest.raises(ReasonRequiredError):
        settle_subgoal_weights(term, subgoals, {subgoals[0].id: 50, subgoals[1].id: 50},
                               actor=ACTOR, reason="")
    settle_subgoal_weights(term, subgoals, {subgoals[0].id: 50, subgoals[1].id: 50},
                           actor=ACTOR, reason="年中调整")
    assert [g.weight for g in subgoals] == [50, 50]


def test_drafting_under_an_issued_parent_needs_a_reason(committee) -> None:
    term, subgoals = split(committee, [100])
    issued(term, subgoals=subgoals)
    with pytest.raises(ReasonRequiredError):
        goal(committee, parent=term, weight=0)
    goal(committee, parent=term, weight=0, reason="新增年度目标")


def test_a_revised_period_must_still_contain_the_subgoals(committee) -> None:
    term, subgoals = split(committee, [100])
    with pytest.raises(PeriodOutsideParentError):
        term.revise(actor=ACTOR, reason="", parent=None, subgoals=subgoals,
                    period=Period(date(2024, 1, 1), date(2025, 12, 31)))


def test_moving_one_end_of_a_period_keeps_the_other(committee) -> None:
    term, subgoals = split(committee, [100])
    start = term.period_start
    term.revise(actor=ACTOR, reason="", parent=None, subgoals=subgoals,
                period_end=date(2027, 12, 31))
    assert (term.period_start, term.period_end) == (start, date(2027, 12, 31))
    with pytest.raises(PeriodOutsideParentError):  # the merged period is checked whole
        term.revise(actor=ACTOR, reason="", parent=None, subgoals=subgoals,
                    period_start=date(2026, 6, 1))


@pytest.mark.parametrize("finish", ["close", "cancel"])
def test_a_finished_goal_takes_no_more_changes(committee, finish) -> None:
    g = issued(goal(committee))
    if finish == "close":
        g.close(actor=ACTOR)
    else:
        g.cancel(actor=ACTOR, subgoals=[], reason="不再适用")
    with pytest.raises(GoalNotModifiableError):
        g.revise(actor=ACTOR, reason="x", parent=None, subgoals=[], title="t")
    with pytest.raises(GoalNotModifiableError):
        g.report_progress(actor=ACTOR, effective_date=Q1, value=1)
    with pytest.raises(GoalNotModifiableError):
        g.assign_responsibility(actor=ACTOR, party=committee, kind="collective", reason="x")
    with pytest.raises(GoalNotModifiableError):
        g.cancel(actor=ACTOR, subgoals=[], reason="x")


def test_only_an_issued_goal_can_be_closed(committee) -> None:
    with pytest.raises(InvalidTransitionError):
        goal(committee).close(actor=ACTOR)


def test_a_goal_with_live_subgoals_cannot_be_cancelled(committee) -> None:
    term, subgoals = split(committee, [100])
    with pytest.raises(HasActiveChildrenError):
        term.cancel(actor=ACTOR, subgoals=subgoals, reason="撤销")


def test_progress_is_reported_on_issued_goals_only(committee) -> None:
    with pytest.raises(InvalidTransitionError):
        goal(committee).report_progress(actor=ACTOR, effective_date=Q1, value=3)


def test_a_quantitative_goal_takes_a_value_with_evidence(committee) -> None:
    g = issued(goal(committee))
    with pytest.raises(InvalidInputError):
        g.report_progress(actor=ACTOR, effective_date=Q1, rubric_level="优秀")
    with pytest.raises(InvalidInputError):
        g.report_progress(actor=ACTOR, effective_date=Q1, value="three")
    g.report_progress(actor=ACTOR, effective_date=Q1, value="3", evidence=["会议记录.pdf"])
    assert g.latest_progress is not None
    assert g.latest_progress["value"] == Decimal(3)
    assert g.latest_progress["evidence"] == ["会议记录.pdf"]
    assert g.progress_reports == 1


def test_the_latest_progress_is_the_latest_effective_report(committee) -> None:
    g = issued(goal(committee))
    later, earlier = Q1 + timedelta(days=40), Q1
    g.report_progress(actor=ACTOR, effective_date=later, value="6")
    g.report_progress(actor=ACTOR, effective_date=earlier, value="3", reason="补报")
    assert g.latest_progress is not None and g.latest_progress["value"] == Decimal(6)
    g.report_progress(actor=ACTOR, effective_date=later, value="7", reason="更正")
    assert g.latest_progress["value"] == Decimal(7)  # the same day: the later recorded
    assert g.progress_reports == 3


def test_a_qualitative_goal_takes_a_level_of_its_rubric(committee) -> None:
    g = issued(goal(committee, indicator=RUBRIC))
    with pytest.raises(InvalidInputError):
        g.report_progress(actor=ACTOR, effective_date=Q1, rubric_level="良好")
    with pytest.raises(InvalidInputError):
        g.report_progress(actor=ACTOR, effective_date=Q1, value=90)
    g.report_progress(actor=ACTOR, effective_date=Q1, rubric_level="优秀")


def test_a_primary_responsible_person_must_hold_a_post_in_the_owning_organisation(
    committee, branch
) -> None:
    g = goal(branch)
    outsider = person()
    outsider.take_post(actor=ACTOR, organization=committee, post="member")
    with pytest.raises(PostRequiredError):
        g.assign_responsibility(actor=ACTOR, party=outsider, kind="primary")
    g.assign_responsibility(actor=ACTOR, party=outsider, kind="direct")
    secretary = person()
    secretary.take_post(actor=ACTOR, organization=branch, post="secretary")
    g.assign_responsibility(actor=ACTOR, party=secretary, kind="primary")
    assert {r["kind"] for r in g.responsibilities} == {"direct", "primary"}


def test_an_organisation_can_bear_collective_responsibility(committee) -> None:
    g = goal(committee)
    g.assign_responsibility(actor=ACTOR, party=committee, kind="collective")
    assert g.responsibilities == [{"party_kind": "organization", "party_id": committee.id,
                                   "kind": "collective"}]


def test_the_same_responsibility_cannot_be_assigned_twice(committee) -> None:
    g = goal(committee)
    g.assign_responsibility(actor=ACTOR, party=committee, kind="collective")
    with pytest.raises(DuplicateError):
        g.assign_responsibility(actor=ACTOR, party=committee, kind="collective")


def test_revoking_needs_an_assigned_responsibility(committee) -> None:
    g = goal(committee)
    with pytest.raises(NotFoundError):
        g.revoke_responsibility(actor=ACTOR, party_id=committee.id, kind="collective")
    g.assign_responsibility(actor=ACTOR, party=committee, kind="collective")
    g.revoke_responsibility(actor=ACTOR, party_id=committee.id, kind="collective")
    assert g.responsibilities == []


def test_every_event_carries_the_actor_and_a_reason_field(committee) -> None:
    g = issued(goal(committee))
    g.close(actor="person:closer", reason="年度考核完成", effective_date=date(2026, 12, 31))
    events = g.collect_events()
    assert all(e.actor for e in events)
    assert events[-1].actor == "person:closer"
    assert events[-1].reason == "年度考核完成"
    assert events[-1].effective_date == date(2026, 12, 31)


def test_a_change_without_an_actor_is_refused(committee) -> None:
    with pytest.raises(InvalidInputError):
        issued(goal(committee)).close(actor="")
