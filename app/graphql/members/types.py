"""Output types of the democratic evaluation of party members: a branch's round with each
member's self-evaluation, mutual tally, committee proposal, grade and review, and the grades
members held on a day, each built from a read-model view."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from app.graphql.accountability.common import organization_at, person_at
from app.graphql.core.types import Organization, Person, version_field
from app.graphql.kit.context import Context
from app.graphql.kit.ids import gid
from app.graphql.kit.nodes import Node, NodeRegistry
from app.graphql.kit.vocab import code, labelled
from domain.member_evaluation import GradeStanding, MemberGrade, ReviewOutcome
from projections import member_evaluation as views


def _code(value: MemberGrade | None) -> str | None:
    return value.value if value is not None else None


@labelled
@strawberry.type(description="How many members proposed a grade for a member (互评).")
class GradeCount:
    grade: str = code(MemberGrade)
    count: int


@strawberry.type(description="自我评价: the member's own account, written by the member.")
class SelfEvaluation:
    summary: str
    evaluated_on: date
    reason: str = strawberry.field(description="Why it was last corrected (empty at first).")


@labelled
@strawberry.type(description="支部委员会意见: the branch committee's proposed grade.")
class GradeProposal:
    grade: str = code(MemberGrade)
    opinion: str
    proposed_on: date


@labelled
@strawberry.type(description="组织评定: the grade the branch gave, with its reasons "
                             "(required for 不合格).")
class OrganisationGrade:
    grade: str = code(MemberGrade)
    reason: str
    graded_on: date


@labelled
@strawberry.type(description="上级审核: the level above's review of a 不合格, upheld or "
                             "changed, with reasons.")
class GradeReview:
    outcome: str = code(ReviewOutcome)
    reason: str
    reviewed_on: date
    reviewed_by: strawberry.Private[str | None]
    position: strawberry.Private[int | None]

    @strawberry.field(description="The organisation above that reviewed.")
    def reviewed_by_organization(self, info: Info[Context, None]) -> Organization | None:
        return organization_at(info, self.reviewed_by, self.position)


@labelled
@strawberry.type(description="One member's evaluation in a round. `grade` is the one that "
                             "stands (after a review, the review's); `standing` says whether "
                             "it is final or awaits the level above.")
class MemberAssessment:
    member_id: strawberry.ID
    self_evaluation: SelfEvaluation | None
    mutual: list[GradeCount] = strawberry.field(
        description="互评: how many members proposed each grade (never one's own).")
    mutual_count: int
    proposal: GradeProposal | None
    organisation_grade: OrganisationGrade | None
    review: GradeReview | None
    grade: str | None = code(MemberGrade, nullable=True, description="null: not graded yet.")
    standing: str = code(GradeStanding)
    raw: strawberry.Private[str]
    position: strawberry.Private[int | None]

    @classmethod
    def of(cls, view: views.AssessmentView, position: int | None) -> MemberAssessment:
        return cls(
            member_id=gid("Person", view.member_id),
            self_evaluation=SelfEvaluation(summary=view.summary, evaluated_on=view.self_on,
                                           reason=view.self_reason or "")
            if view.summary is not None and view.self_on is not None else None,
            mutual=[GradeCount(grade=g.value, count=n) for g, n in view.tally.items()],
            mutual_count=view.mutual_count,
            proposal=GradeProposal(grade=view.proposal.value, opinion=view.opinion or "",
                                   proposed_on=view.proposed_on)
            if view.proposal is not None and view.proposed_on is not None else None,
            organisation_grade=OrganisationGrade(grade=view.graded.value,
                                                 reason=view.grade_reason or "",
                                                 graded_on=view.graded_on)
            if view.graded is not None and view.graded_on is not None else None,
            review=GradeReview(outcome=view.outcome, reason=view.review_reason or "",
                               reviewed_on=view.reviewed_on, reviewed_by=view.reviewed_by,
                               position=position)
            if view.outcome is not None and view.reviewed_on is not None else None,
            grade=_code(view.grade), standing=view.standing.value, raw=view.member_id,
            position=position)

    @strawberry.field
    def member(self, info: Info[Context, None]) -> Person | None:
        return person_at(info, self.raw, self.position)


@strawberry.type(description="民主评议党员: a branch's annual democratic evaluation of its "
                             "members. Never edited: each submission, grade and review is a "
                             "reasoned event (see the record's history).")
class MemberEvaluationRound(Node):
    year: int
    opened_on: date
    members: list[MemberAssessment]
    version: int = version_field()
    readable_by: strawberry.Private[tuple[str, ...]]
    view: strawberry.Private[views.RoundView]
    position: strawberry.Private[int | None]

    @classmethod
    def from_view(cls, view: views.RoundView, position: int | None) -> MemberEvaluationRound:
        return cls(id=gid("MemberEvaluationRound", view.id), year=view.year,
                   opened_on=view.opened_on,
                   members=[MemberAssessment.of(a, position) for a in view.assessments],
                   readable_by=(view.organization_id,), view=view, position=position)

    @strawberry.field
    def organization(self, info: Info[Context, None]) -> Organization | None:
        return organization_at(info, self.view.organization_id, self.position)


@labelled
@strawberry.type(description="A member's grade as it stood on the query's `validAt`.")
class MemberGradeHeld:
    grade: str = code(MemberGrade)
    standing: str = code(GradeStanding)
    year: int
    since: date = strawberry.field(description="When the grade or review that gave it took "
                                               "effect.")
    reason: str
    evaluation_id: strawberry.ID
    held: strawberry.Private[views.GradeHeld]
    position: strawberry.Private[int | None]

    @classmethod
    def of(cls, held: views.GradeHeld, position: int | None) -> MemberGradeHeld:
        return cls(grade=held.grade.value, standing=held.standing.value, year=held.year,
                   since=held.since, reason=held.reason,
                   evaluation_id=gid("MemberEvaluationRound", held.round_id), held=held,
                   position=position)

    @strawberry.field
    def member(self, info: Info[Context, None]) -> Person | None:
        return person_at(info, self.held.member_id, self.position)

    @strawberry.field
    def organization(self, info: Info[Context, None]) -> Organization | None:
        return organization_at(info, self.held.organization_id, self.position)


def _round_node(info: Info[Context, None], raw_id: str,
                position: int | None) -> MemberEvaluationRound | None:
    view = views.round_of(info.context.conn, raw_id, position)
    return MemberEvaluationRound.from_view(view, position) if view else None


NODES: NodeRegistry = {"MemberEvaluationRound": _round_node}
