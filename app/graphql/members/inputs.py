"""Mutation inputs of the democratic evaluation of party members: one input object per
mutation. A second submission of the same thing is a correction and gives its `reason`."""

from __future__ import annotations

from datetime import date

import strawberry

from app.graphql.kit.acks import MutationInput, UpdateInput
from domain.member_evaluation import MemberGrade, ReviewOutcome


@strawberry.input(description="A branch's round for `year`, opened on `openedOn` (in the year "
                              "or early in the next), listing the members evaluated: each "
                              "held a party post in the branch that day.")
class OpenMemberEvaluationInput(MutationInput):
    organization_id: strawberry.ID
    year: int
    opened_on: date
    member_ids: list[strawberry.ID]
    reason: str = ""


@strawberry.input(description="自我评价: the principal's own, as a member of the round.")
class SubmitSelfEvaluationInput(UpdateInput):
    evaluation_id: strawberry.ID
    summary: str
    evaluated_on: date
    reason: str = ""


@strawberry.input(description="互评: the principal's grade proposal for another member of the "
                              "round (never oneself).")
class SubmitMutualEvaluationInput(UpdateInput):
    evaluation_id: strawberry.ID
    member_id: strawberry.ID
    grade: MemberGrade
    evaluated_on: date
    comment: str = ""
    reason: str = ""


@strawberry.input(description="支部委员会意见: the committee's proposed grade for a member "
                              "(not for the one recording it); 不合格 gives its grounds.")
class ProposeMemberGradeInput(UpdateInput):
    evaluation_id: strawberry.ID
    member_id: strawberry.ID
    grade: MemberGrade
    opinion: str
    proposed_on: date
    reason: str = ""


@strawberry.input(description="组织评定: the organisation's grade, after the committee's "
                              "proposal; `reason` gives the reasons (required for 不合格, "
                              "which then awaits the level above, and for a correction).")
class GradeMemberInput(UpdateInput):
    evaluation_id: strawberry.ID
    member_id: strawberry.ID
    grade: MemberGrade
    graded_on: date
    reason: str = ""


@strawberry.input(description="上级审核 of a 不合格 by the organisation above the branch: "
                              "upheld, or changed to `grade`, with reasons.")
class ReviewMemberGradeInput(UpdateInput):
    evaluation_id: strawberry.ID
    member_id: strawberry.ID
    outcome: ReviewOutcome
    reviewed_on: date
    reason: str
    grade: MemberGrade | None = None
