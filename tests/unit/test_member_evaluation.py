"""Rules of the democratic evaluation of party members, in memory: a round lists members who
held a party post in the branch; members write their own self- and mutual evaluations; nobody
grades themselves; the committee proposes before the organisation grades; 不合格 needs
reasons and is final only once the level above has reviewed it; corrections say why."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest

from domain.errors import (
    DuplicateError,
    InvalidInputError,
    InvalidTransitionError,
    PostRequiredError,
    ReasonRequiredError,
    SegregationOfDutiesError,
)
from domain.meetings import Tenure
from domain.member_evaluation import (
    GradeStanding,
    MemberEvaluation,
    MemberGrade,
    member_evaluation_id,
)
from domain.organizations import Organization
from tests.unit.builders import organization

TODAY = date(2027, 1, 20)
OPENED = date(2027, 1, 5)
SECRETARY, ZHANG, LI = uuid4(), uuid4(), uuid4()
CLERK = "person:committee-clerk"  # records the branch's decisions
REVIEWER = "person:committee-secretary"


def me(person: UUID) -> str:
    return f"person:{person}"


def tenure(
    branch: Organization,
    post: str = "member",
    since: date = date(2020, 1, 1),
    until: date | None = None,
) -> list[Tenure]:
    return [Tenure(branch.id, post, since, until)]


def opened() -> tuple[Organization, Organization, MemberEvaluation]:
    committee = organization()
    branch = organization("branch", committee, "一支部")
    round_ = MemberEvaluation.open(
        actor=me(SECRETARY),
        branch=branch,
        year=2026,
        opened_on=OPENED,
        today=TODAY,
        member_ids=[SECRETARY, ZHANG, LI],
        tenures={
            str(SECRETARY): tenure(branch, "secretary"),
            str(ZHANG): tenure(branch),
            str(LI): tenure(branch),
        },
    )
    return committee, branch, round_


def graded(
    grade: str = "unqualified", reason: str = "长期不参加组织生活"
) -> tuple[Organization, Organization, MemberEvaluation]:
    committee, branch, round_ = opened()
    round_.propose(
        actor=me(SECRETARY),
        member_id=ZHANG,
        grade=grade,
        opinion="多次缺席",
        proposed_on=date(2027, 1, 10),
        today=TODAY,
    )
    round_.grade(
        actor=CLERK,
        member_id=ZHANG,
        grade=grade,
        graded_on=date(2027, 1, 12),
        today=TODAY,
        reason=reason,
    )
    return committee, branch, round_


def test_one_round_a_branch_and_year_of_members_holding_a_party_post_then() -> None:
    committee, branch, round_ = opened()
    assert round_.id == member_evaluation_id(branch.id, 2026)
    kwargs = {"actor": me(SECRETARY), "year": 2026, "opened_on": OPENED, "today": TODAY}
    with pytest.raises(InvalidInputError):  # a committee holds no evaluation of its own
        MemberEvaluation.open(
            branch=committee, member_ids=[ZHANG], tenures={str(ZHANG): tenure(committee)}, **kwargs
        )
    with pytest.raises(PostRequiredError):  # the post ended before the round
        MemberEvaluation.open(
            branch=branch,
            member_ids=[ZHANG],
            tenures={str(ZHANG): tenure(branch, until=date(2026, 12, 1))},
            **kwargs,
        )
    with pytest.raises(PostRequiredError):  # staff is no party post
        MemberEvaluation.open(
            branch=branch,
            member_ids=[ZHANG],
            tenures={str(ZHANG): tenure(branch, "staff")},
            **kwargs,
        )
    with pytest.raises(DuplicateError):
        MemberEvaluation.open(
            branch=branch, member_ids=[ZHANG, ZHANG], tenures={str(ZHANG): tenure(branch)}, **kwargs
        )
    with pytest.raises(InvalidInputError):  # 2026's round does not open in 2028
        MemberEvaluation.open(
            branch=branch,
            member_ids=[ZHANG],
            tenures={str(ZHANG): tenure(branch)},
            **{**kwargs, "opened_on": date(2028, 1, 5), "today": date(2028, 2, 1)},
        )


def test_members_write_their_own_self_evaluation_and_correct_it_with_a_reason() -> None:
    _, _, round_ = opened()
    with pytest.raises(SegregationOfDutiesError):  # an account is nobody's self
        round_.self_evaluate(actor="admin", summary="认真学习", evaluated_on=OPENED, today=TODAY)
    with pytest.raises(SegregationOfDutiesError):  # nor is someone outside the round
        round_.self_evaluate(
            actor=me(uuid4()), summary="认真学习", evaluated_on=OPENED, today=TODAY
        )
    with pytest.raises(InvalidInputError):  # not before the round opened
        round_.self_evaluate(
            actor=me(ZHANG), summary="认真学习", evaluated_on=date(2027, 1, 1), today=TODAY
        )
    round_.self_evaluate(actor=me(ZHANG), summary="认真学习", evaluated_on=OPENED, today=TODAY)
    with pytest.raises(ReasonRequiredError):
        round_.self_evaluate(
            actor=me(ZHANG), summary="认真学习，积极带头", evaluated_on=OPENED, today=TODAY
        )
    round_.self_evaluate(
        actor=me(ZHANG),
        summary="认真学习，积极带头",
        evaluated_on=OPENED,
        today=TODAY,
        reason="补充",
    )
    assert str(ZHANG) in round_.self_evaluated


def test_mutual_evaluation_grades_others_never_oneself() -> None:
    _, _, round_ = opened()
    with pytest.raises(SegregationOfDutiesError):
        round_.evaluate_mutually(
            actor=me(ZHANG),
            member_id=ZHANG,
            grade="excellent",
            comment="",
            evaluated_on=OPENED,
            today=TODAY,
        )
    with pytest.raises(SegregationOfDutiesError):  # only members of the round evaluate
        round_.evaluate_mutually(
            actor=CLERK,
            member_id=ZHANG,
            grade="qualified",
            comment="",
            evaluated_on=OPENED,
            today=TODAY,
        )
    with pytest.raises(InvalidInputError):
        round_.evaluate_mutually(
            actor=me(LI),
            member_id=uuid4(),
            grade="qualified",
            comment="",
            evaluated_on=OPENED,
            today=TODAY,
        )
    with pytest.raises(InvalidInputError):
        round_.evaluate_mutually(
            actor=me(LI),
            member_id=ZHANG,
            grade="fine",
            comment="",
            evaluated_on=OPENED,
            today=TODAY,
        )
    round_.evaluate_mutually(
        actor=me(LI),
        member_id=ZHANG,
        grade="qualified",
        comment="按时交纳党费",
        evaluated_on=OPENED,
        today=TODAY,
    )
    with pytest.raises(ReasonRequiredError):
        round_.evaluate_mutually(
            actor=me(LI),
            member_id=ZHANG,
            grade="excellent",
            comment="",
            evaluated_on=OPENED,
            today=TODAY,
        )
    round_.evaluate_mutually(
        actor=me(LI),
        member_id=ZHANG,
        grade="excellent",
        comment="",
        evaluated_on=OPENED,
        today=TODAY,
        reason="重新考虑",
    )
    assert round_.mutual == {f"{LI}:{ZHANG}": "excellent"}


def test_the_committee_proposes_before_the_organisation_grades_and_not_for_itself() -> None:
    _, _, round_ = opened()
    with pytest.raises(InvalidTransitionError):
        round_.grade(
            actor=CLERK,
            member_id=ZHANG,
            grade="qualified",
            graded_on=date(2027, 1, 12),
            today=TODAY,
        )
    with pytest.raises(SegregationOfDutiesError):
        round_.propose(
            actor=me(SECRETARY),
            member_id=SECRETARY,
            grade="excellent",
            opinion="",
            proposed_on=date(2027, 1, 10),
            today=TODAY,
        )
    with pytest.raises(InvalidInputError):  # 不合格 gives its grounds
        round_.propose(
            actor=me(SECRETARY),
            member_id=ZHANG,
            grade="unqualified",
            opinion=" ",
            proposed_on=date(2027, 1, 10),
            today=TODAY,
        )
    round_.propose(
        actor=me(LI),
        member_id=SECRETARY,
        grade="excellent",
        opinion="带头",
        proposed_on=date(2027, 1, 10),
        today=TODAY,
    )
    with pytest.raises(SegregationOfDutiesError):  # the grader is not the member
        round_.grade(
            actor=me(SECRETARY),
            member_id=SECRETARY,
            grade="excellent",
            graded_on=date(2027, 1, 12),
            today=TODAY,
        )
    with pytest.raises(InvalidInputError):  # not before the proposal
        round_.grade(
            actor=CLERK,
            member_id=SECRETARY,
            grade="excellent",
            graded_on=date(2027, 1, 9),
            today=TODAY,
        )
    round_.grade(
        actor=CLERK,
        member_id=SECRETARY,
        grade="excellent",
        graded_on=date(2027, 1, 12),
        today=TODAY,
    )
    assert round_.standing(SECRETARY) is GradeStanding.FINAL
    with pytest.raises(InvalidTransitionError):  # graded: the proposal is closed
        round_.propose(
            actor=me(LI),
            member_id=SECRETARY,
            grade="qualified",
            opinion="",
            proposed_on=date(2027, 1, 13),
            today=TODAY,
            reason="复议",
        )
    with pytest.raises(ReasonRequiredError):  # a grade given again is a correction
        round_.grade(
            actor=CLERK,
            member_id=SECRETARY,
            grade="qualified",
            graded_on=date(2027, 1, 13),
            today=TODAY,
        )


def test_unqualified_needs_reasons_and_awaits_the_level_above() -> None:
    with pytest.raises(ReasonRequiredError):
        graded(reason=" ")
    committee, branch, round_ = graded()
    assert round_.standing(ZHANG) is GradeStanding.AWAITING_REVIEW
    review = {
        "member_id": ZHANG,
        "reviewed_on": date(2027, 1, 15),
        "today": TODAY,
        "reviewed_by": committee,
        "tenures": [],
    }
    with pytest.raises(ReasonRequiredError):
        round_.review(actor=REVIEWER, outcome="upheld", grade=None, reason="", **review)
    with pytest.raises(SegregationOfDutiesError):  # whoever graded does not review
        round_.review(actor=CLERK, outcome="upheld", grade=None, reason="属实", **review)
    with pytest.raises(SegregationOfDutiesError):  # nor anyone with a post in the branch
        round_.review(
            actor=REVIEWER,
            outcome="upheld",
            grade=None,
            reason="属实",
            **{**review, "tenures": tenure(branch, "committee_member")},
        )
    with pytest.raises(SegregationOfDutiesError):  # nor the member
        round_.review(
            actor=me(ZHANG), outcome="changed", grade="qualified", reason="申诉", **review
        )
    with pytest.raises(InvalidInputError):  # a change names another grade
        round_.review(
            actor=REVIEWER, outcome="changed", grade="unqualified", reason="属实", **review
        )
    round_.review(
        actor=REVIEWER,
        outcome="changed",
        grade="basically_qualified",
        reason="情节较轻，已有改正",
        **review,
    )
    assert round_.standing(ZHANG) is GradeStanding.FINAL
    assert round_.grades[str(ZHANG)]["grade"] == MemberGrade.BASICALLY_QUALIFIED.value
    with pytest.raises(InvalidTransitionError):  # reviewed: the branch cannot overturn it
        round_.grade(
            actor=CLERK,
            member_id=ZHANG,
            grade="qualified",
            graded_on=date(2027, 1, 16),
            today=TODAY,
            reason="重新评定",
        )


def test_only_an_unqualified_grade_is_reviewed() -> None:
    committee, _, round_ = graded("qualified", reason="")
    assert round_.standing(ZHANG) is GradeStanding.FINAL
    with pytest.raises(InvalidTransitionError):
        round_.review(
            actor=REVIEWER,
            member_id=ZHANG,
            outcome="upheld",
            grade=None,
            reviewed_on=date(2027, 1, 15),
            today=TODAY,
            reason="同意",
            reviewed_by=committee,
            tenures=[],
        )
