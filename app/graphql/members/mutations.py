"""Mutations of the democratic evaluation of party members: open a round; a member's self-
and mutual evaluations; the committee's proposal; the organisation's grade; the review of a
不合格 from above. Each a plan for `kit.writes`: the ids it takes, the policy function that
decides over which parties, the use case it calls."""

from __future__ import annotations

from uuid import UUID

import strawberry

from app import policy
from app.graphql.accountability.common import server_today
from app.graphql.kit.acks import Acknowledged
from app.graphql.kit.errors import UserError
from app.graphql.kit.writes import Command, Writer, record_answer, write
from app.graphql.members import inputs
from app.graphql.members.types import MemberEvaluationRound
from projections import member_evaluation as views


@strawberry.type
class MemberEvaluationPayload(Acknowledged):
    RECORD = "MemberEvaluationRound"
    evaluation: MemberEvaluationRound | None
    user_errors: list[UserError]


EVALUATION = record_answer(MemberEvaluationPayload, views.round_of,
                           lambda view: MemberEvaluationRound.from_view(view, None))


def known_round(w: Writer, global_id: str) -> tuple[UUID, views.RoundView]:
    return w.known(global_id, "MemberEvaluationRound", "evaluationId", views.round_of,
                   "no member evaluation with id {id}")


@strawberry.type
class MembersMutation:
    @write(EVALUATION, "open this branch's member evaluation",
           description="Open a branch's annual democratic evaluation of its members.")
    def open_member_evaluation(w: Writer, input: inputs.OpenMemberEvaluationInput,
                               ) -> Command[None]:
        organization = w.id(input.organization_id, "Organization", "organizationId")
        members = w.ids(input.member_ids, "Person", "memberIds")
        return w.allow_if(policy.may_run_member_evaluation, str(organization),
                          [str(m) for m in members]).call(
            w.app.open_member_evaluation, organization_id=organization, year=input.year,
            opened_on=input.opened_on, today=server_today(), member_ids=members,
            reason=input.reason)

    @write(EVALUATION, "evaluate yourself in this round",
           description="A member's self-evaluation (自我评价), written by the member.")
    def submit_self_evaluation(w: Writer, input: inputs.SubmitSelfEvaluationInput,
                               ) -> Command[None]:
        round_id, view = known_round(w, input.evaluation_id)
        return w.allow_if(policy.may_evaluate_as_member, view.organization_id).call(
            w.app.submit_self_evaluation, round_id, summary=input.summary,
            evaluated_on=input.evaluated_on, today=server_today(), reason=input.reason)

    @write(EVALUATION, "evaluate members of this round",
           description="A member's grade proposal for another member (互评).")
    def submit_mutual_evaluation(w: Writer, input: inputs.SubmitMutualEvaluationInput,
                                 ) -> Command[None]:
        round_id, view = known_round(w, input.evaluation_id)
        member = w.id(input.member_id, "Person", "memberId")
        return w.allow_if(policy.may_evaluate_as_member, view.organization_id,
                          [str(member)]).call(
            w.app.submit_mutual_evaluation, round_id, member_id=member,
            grade=input.grade.value, comment=input.comment, evaluated_on=input.evaluated_on,
            today=server_today(), reason=input.reason)

    @write(EVALUATION, "propose grades in this round",
           description="The branch committee's proposed grade for a member "
                       "(支部委员会意见).")
    def propose_member_grade(w: Writer, input: inputs.ProposeMemberGradeInput,
                             ) -> Command[None]:
        round_id, view = known_round(w, input.evaluation_id)
        member = w.id(input.member_id, "Person", "memberId")
        return w.allow_if(policy.may_propose_member_grade, view.organization_id,
                          str(member)).call(
            w.app.propose_member_grade, round_id, member_id=member, grade=input.grade.value,
            opinion=input.opinion, proposed_on=input.proposed_on, today=server_today(),
            reason=input.reason)

    @write(EVALUATION, "grade members in this round",
           description="The organisation's grade of a member (组织评定); 不合格 with "
                       "reasons, then reviewed by the level above.")
    def grade_member(w: Writer, input: inputs.GradeMemberInput) -> Command[None]:
        round_id, view = known_round(w, input.evaluation_id)
        member = w.id(input.member_id, "Person", "memberId")
        return w.allow_if(policy.may_run_member_evaluation, view.organization_id,
                          [str(member)]).call(
            w.app.grade_member, round_id, member_id=member, grade=input.grade.value,
            graded_on=input.graded_on, today=server_today(), reason=input.reason)

    @write(EVALUATION, "review grades of this branch",
           description="上级审核: the organisation above upholds or changes a 不合格, "
                       "with reasons.")
    def review_member_grade(w: Writer, input: inputs.ReviewMemberGradeInput,
                            ) -> Command[None]:
        round_id, view = known_round(w, input.evaluation_id)
        member = w.id(input.member_id, "Person", "memberId")
        return w.allow_if(policy.may_review_member_grade, view.organization_id).call(
            w.app.review_member_grade, round_id, member_id=member,
            outcome=input.outcome.value, reviewed_on=input.reviewed_on,
            today=server_today(), reason=input.reason,
            grade=input.grade.value if input.grade else None)
