"""Annual democratic evaluation of party members (民主评议党员) in a branch: one round a branch
and year, listing the members evaluated; each member's self-evaluation (自我评价), members'
mutual evaluation (互评: each member's grade proposal for others), the branch committee's
proposal (支部委员会意见), the organisation's grade (组织评定), and for 不合格 the review by
the level above (上级审核), upheld or changed with reasons, before it is final.

Segregation of duties: nobody grades themselves — a mutual evaluation, a proposal, a grade
and a review each name someone other than who records it; self-evaluations and mutual
evaluations are written by the member themself; a review comes from nobody holding a post in
the branch on the day, nor from whoever gave the grade. Nothing is edited: a second
submission of the same thing is a correction and says why."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import DengtaAggregate, require_actor, require_reason
from domain.errors import (
    DuplicateError,
    InvalidInputError,
    InvalidTransitionError,
    PostRequiredError,
    SegregationOfDutiesError,
)
from domain.labels import GRADE_STANDINGS, MEMBER_GRADES, REVIEW_OUTCOMES
from domain.meetings import PARTY_POSTS, Tenure
from domain.organizations import Organization
from domain.values import OrganizationKind, parse_enum, require_text

MAX_MEMBERS = 500
MAX_TEXT = 2000


class MemberGrade(StrEnum):
    EXCELLENT = "excellent"  # 优秀
    QUALIFIED = "qualified"  # 合格
    BASICALLY_QUALIFIED = "basically_qualified"  # 基本合格
    UNQUALIFIED = "unqualified"  # 不合格: with reasons, reviewed by the level above

    @property
    def label(self) -> str:
        return MEMBER_GRADES[self.value]


class ReviewOutcome(StrEnum):
    UPHELD = "upheld"  # 维持
    CHANGED = "changed"  # 改变

    @property
    def label(self) -> str:
        return REVIEW_OUTCOMES[self.value]


class GradeStanding(StrEnum):
    UNGRADED = "ungraded"  # 未评定
    AWAITING_REVIEW = "awaiting_review"  # 待上级审核 (不合格)
    FINAL = "final"  # 已确定

    @property
    def label(self) -> str:
        return GRADE_STANDINGS[self.value]


def member_evaluation_id(organization_id: UUID, year: int) -> UUID:
    """One round a branch and year: its id follows from both."""
    return uuid5(NAMESPACE_URL, f"dengta:member-evaluation:{organization_id}:{year}")


def person_of(actor: str) -> str | None:
    """The person an actor names (`person:<id>`), or None (an account, a job)."""
    if not actor.startswith("person:"):
        return None
    try:
        return str(UUID(actor.removeprefix("person:")))
    except ValueError:
        return None


def standing_after(grade: str, reviewed: bool) -> GradeStanding:
    if grade == MemberGrade.UNQUALIFIED.value and not reviewed:
        return GradeStanding.AWAITING_REVIEW
    return GradeStanding.FINAL


class MemberEvaluation(DengtaAggregate):
    TOPIC = "dengta:MemberEvaluation"

    class Created(DengtaAggregate.Created):
        TOPIC = "dengta:MemberEvaluation.Created"

    class Opened(Created):
        """`effective_date`: the day the round opened."""

        TOPIC = "dengta:MemberEvaluation.Opened"
        organization_id: UUID
        year: int
        effective_date: date
        members: list[str]

    class SelfEvaluated(DengtaAggregate.Event):
        TOPIC = "dengta:MemberEvaluation.SelfEvaluated"
        member_id: UUID
        effective_date: date
        summary: str

    class MutuallyEvaluated(DengtaAggregate.Event):
        TOPIC = "dengta:MemberEvaluation.MutuallyEvaluated"
        evaluator_id: UUID
        member_id: UUID
        effective_date: date
        grade: str
        comment: str

    class Proposed(DengtaAggregate.Event):
        """支部委员会意见."""

        TOPIC = "dengta:MemberEvaluation.Proposed"
        member_id: UUID
        effective_date: date
        grade: str
        opinion: str

    class Graded(DengtaAggregate.Event):
        """The organisation's grade; `reason`: its reasons (required for 不合格)."""

        TOPIC = "dengta:MemberEvaluation.Graded"
        member_id: UUID
        effective_date: date
        grade: str

    class Reviewed(DengtaAggregate.Event):
        """The level above's review of a 不合格: `grade` is the final one."""

        TOPIC = "dengta:MemberEvaluation.Reviewed"
        member_id: UUID
        effective_date: date
        outcome: str
        grade: str
        reviewed_by: UUID  # the organisation above

    @event(Opened)
    def __init__(
        self,
        *,
        id: UUID,
        actor: str,
        reason: str,
        organization_id: UUID,
        year: int,
        effective_date: date,
        members: list[str],
    ) -> None:
        self.organization_id = organization_id
        self.year = year
        self.opened_on = effective_date
        self.members = members
        # plain data keyed by person id, as the events carry it (snapshots store JSON)
        self.self_evaluated: dict[str, date] = {}
        self.mutual: dict[str, str] = {}  # "<evaluator>:<member>" -> grade
        self.proposals: dict[str, dict[str, Any]] = {}  # grade, on, actor
        self.grades: dict[str, dict[str, Any]] = {}  # grade, on, actor, reviewed

    @classmethod
    def open(
        cls,
        *,
        actor: str,
        branch: Organization,
        year: int,
        opened_on: date,
        today: date,
        member_ids: Sequence[UUID],
        tenures: Mapping[str, Sequence[Tenure]],
        reason: str = "",
    ) -> MemberEvaluation:
        """`tenures`: the posts of the members listed, by person id; each held a party post
        in the branch on `opened_on`."""
        if branch.kind is not OrganizationKind.BRANCH:
            raise InvalidInputError("民主评议党员 is held by a 党支部", field="organizationId")
        branch.check_active()
        if not 1921 <= year <= 9998:
            raise InvalidInputError("year must lie between 1921 and 9998", field="year")
        if opened_on.year not in (year, year + 1):
            raise InvalidInputError(
                "a round opens in its year or early in the next", field="openedOn"
            )
        if opened_on > today:
            raise InvalidInputError("a round is recorded once opened", field="openedOn")
        members = [str(m) for m in member_ids]
        if not members:
            raise InvalidInputError("list the members evaluated", field="memberIds")
        if len(members) > MAX_MEMBERS:
            raise InvalidInputError(f"at most {MAX_MEMBERS} members", field="memberIds")
        if len(set(members)) != len(members):
            raise DuplicateError("a member is listed twice", field="memberIds")
        for member in members:
            if not any(
                t.organization_id == branch.id and t.post in PARTY_POSTS and t.covers(opened_on)
                for t in tenures.get(member, ())
            ):
                raise PostRequiredError(
                    f"{member} held no party post in the branch on {opened_on.isoformat()}",
                    field="memberIds",
                )
        return cls(
            id=member_evaluation_id(branch.id, year),
            actor=require_actor(actor),
            reason=reason.strip(),
            organization_id=branch.id,
            year=year,
            effective_date=opened_on,
            members=members,
        )

    # ---- shared checks ---------------------------------------------------------------------

    def _member(self, member_id: UUID, field: str = "memberId") -> str:
        member = str(member_id)
        if member not in self.members:
            raise InvalidInputError(f"{member} is not evaluated in this round", field=field)
        return member

    def _author(self, actor: str, what: str) -> str:
        """The member recording `what` themself."""
        person = person_of(actor)
        if person is None or person not in self.members:
            raise SegregationOfDutiesError(
                f"{what} is written by a member of the round themself", field="actor"
            )
        return person

    def _day(self, day: date, today: date, field: str, after: date | None = None) -> date:
        if day > today:
            raise InvalidInputError("recorded once it happened, not before", field=field)
        earliest = max(self.opened_on, after) if after else self.opened_on
        if day < earliest:
            raise InvalidInputError(f"not before {earliest.isoformat()}", field=field)
        return day

    def _open_for(self, member: str, what: str) -> None:
        if member in self.grades:
            raise InvalidTransitionError(f"{what}: the member has been graded", field="memberId")

    @staticmethod
    def _why(reason: str, again: bool, what: str) -> str:
        """A second submission is a correction: it says why."""
        return (
            require_reason(reason, f"{what} is corrected with a reason")
            if again
            else reason.strip()
        )

    def _not_self(self, actor: str, member: str, what: str) -> None:
        if person_of(actor) == member:
            raise SegregationOfDutiesError(f"nobody {what} themselves", field="memberId")

    # ---- the member's own ------------------------------------------------------------------

    def self_evaluate(
        self, *, actor: str, summary: str, evaluated_on: date, today: date, reason: str = ""
    ) -> None:
        member = self._author(actor, "a self-evaluation")
        self._open_for(member, "the self-evaluation is closed")
        self._self_evaluated(
            actor=actor,
            reason=self._why(reason, member in self.self_evaluated, "a self-evaluation"),
            member_id=UUID(member),
            effective_date=self._day(evaluated_on, today, "evaluatedOn"),
            summary=require_text(summary, "summary", MAX_TEXT),
        )

    def evaluate_mutually(
        self,
        *,
        actor: str,
        member_id: UUID,
        grade: str,
        comment: str,
        evaluated_on: date,
        today: date,
        reason: str = "",
    ) -> None:
        evaluator = self._author(actor, "a mutual evaluation")
        member = self._member(member_id)
        self._not_self(actor, member, "evaluates")
        self._open_for(member, "mutual evaluation is closed")
        self._mutually_evaluated(
            actor=actor,
            reason=self._why(reason, f"{evaluator}:{member}" in self.mutual, "a mutual evaluation"),
            evaluator_id=UUID(evaluator),
            member_id=UUID(member),
            effective_date=self._day(evaluated_on, today, "evaluatedOn"),
            grade=parse_enum(MemberGrade, grade, "grade").value,
            comment=comment.strip(),
        )

    # ---- the branch's ----------------------------------------------------------------------

    def propose(
        self,
        *,
        actor: str,
        member_id: UUID,
        grade: str,
        opinion: str,
        proposed_on: date,
        today: date,
        reason: str = "",
    ) -> None:
        """支部委员会意见; 不合格 gives its grounds in the opinion."""
        member = self._member(member_id)
        self._not_self(actor, member, "proposes a grade for")
        self._open_for(member, "the proposal is closed")
        proposed = parse_enum(MemberGrade, grade, "grade")
        text = opinion.strip()
        if proposed is MemberGrade.UNQUALIFIED and not text:
            raise InvalidInputError("a proposal of 不合格 gives its grounds", field="opinion")
        self._proposed(
            actor=require_actor(actor),
            reason=self._why(reason, member in self.proposals, "a proposal"),
            member_id=UUID(member),
            effective_date=self._day(proposed_on, today, "proposedOn"),
            grade=proposed.value,
            opinion=text[:MAX_TEXT],
        )

    def grade(
        self,
        *,
        actor: str,
        member_id: UUID,
        grade: str,
        graded_on: date,
        today: date,
        reason: str = "",
    ) -> None:
        """The organisation's grade, after the committee's proposal; 不合格 needs reasons
        and awaits review. A grade given again is a correction, until the level above has
        reviewed it."""
        member = self._member(member_id)
        self._not_self(actor, member, "grades")
        proposal = self.proposals.get(member)
        if proposal is None:
            raise InvalidTransitionError(
                "the branch committee proposes a grade first", field="memberId"
            )
        held = self.grades.get(member)
        if held is not None and held["reviewed"]:
            raise InvalidTransitionError(
                "the level above has reviewed this grade: it is final", field="memberId"
            )
        given = parse_enum(MemberGrade, grade, "grade")
        why = self._why(reason, held is not None, "a grade")
        if given is MemberGrade.UNQUALIFIED:
            why = require_reason(why, "不合格 gives its reasons")
        after = held["on"] if held else proposal["on"]
        self._graded(
            actor=require_actor(actor),
            reason=why,
            member_id=UUID(member),
            effective_date=self._day(graded_on, today, "gradedOn", after),
            grade=given.value,
        )

    # ---- the level above's -----------------------------------------------------------------

    def review(
        self,
        *,
        actor: str,
        member_id: UUID,
        outcome: str,
        grade: str | None,
        reviewed_on: date,
        today: date,
        reason: str,
        reviewed_by: Organization,
        tenures: Sequence[Tenure],
    ) -> None:
        """上级审核 of a 不合格: upheld, or changed to `grade`; with reasons. `tenures`: the
        reviewer's posts. A review given again corrects the last one."""
        member = self._member(member_id)
        self._not_self(actor, member, "reviews the grade of")
        held = self.grades.get(member)
        if held is None or (
            held["grade"] != MemberGrade.UNQUALIFIED.value and not held["reviewed"]
        ):
            raise InvalidTransitionError(
                "only a grade of 不合格 is reviewed by the level above", field="memberId"
            )
        if held["actor"] == actor:
            raise SegregationOfDutiesError(
                "whoever gave the grade does not review it", field="actor"
            )
        if any(
            t.organization_id == self.organization_id and t.covers(reviewed_on) for t in tenures
        ):
            raise SegregationOfDutiesError(
                "a grade is reviewed from above, never by someone holding a post in the branch",
                field="actor",
            )
        decided = parse_enum(ReviewOutcome, outcome, "outcome")
        graded = held["graded"]
        if decided is ReviewOutcome.UPHELD:
            if grade is not None and grade != graded:
                raise InvalidInputError("an upheld grade stays as given", field="grade")
            final = graded
        else:
            if grade is None:
                raise InvalidInputError("a changed grade names the new one", field="grade")
            final = parse_enum(MemberGrade, grade, "grade").value
            if final == graded:
                raise InvalidInputError("a changed grade differs from the one given", field="grade")
        self._reviewed(
            actor=require_actor(actor),
            reason=require_reason(reason, "a review gives its reasons"),
            member_id=UUID(member),
            effective_date=self._day(reviewed_on, today, "reviewedOn", held["on"]),
            outcome=decided.value,
            grade=final,
            reviewed_by=reviewed_by.id,
        )

    def standing(self, member_id: UUID) -> GradeStanding:
        held = self.grades.get(str(member_id))
        if held is None:
            return GradeStanding.UNGRADED
        return standing_after(held["grade"], held["reviewed"])

    # ---- events ----------------------------------------------------------------------------

    @event(SelfEvaluated)
    def _self_evaluated(
        self, *, actor: str, reason: str, member_id: UUID, effective_date: date, summary: str
    ) -> None:
        self.self_evaluated[str(member_id)] = effective_date

    @event(MutuallyEvaluated)
    def _mutually_evaluated(
        self,
        *,
        actor: str,
        reason: str,
        evaluator_id: UUID,
        member_id: UUID,
        effective_date: date,
        grade: str,
        comment: str,
    ) -> None:
        self.mutual[f"{evaluator_id}:{member_id}"] = grade

    @event(Proposed)
    def _proposed(
        self,
        *,
        actor: str,
        reason: str,
        member_id: UUID,
        effective_date: date,
        grade: str,
        opinion: str,
    ) -> None:
        self.proposals[str(member_id)] = {"grade": grade, "on": effective_date, "actor": actor}

    @event(Graded)
    def _graded(
        self, *, actor: str, reason: str, member_id: UUID, effective_date: date, grade: str
    ) -> None:
        self.grades[str(member_id)] = {
            "grade": grade,
            "graded": grade,
            "on": effective_date,
            "actor": actor,
            "reviewed": False,
        }

    @event(Reviewed)
    def _reviewed(
        self,
        *,
        actor: str,
        reason: str,
        member_id: UUID,
        effective_date: date,
        outcome: str,
        grade: str,
        reviewed_by: UUID,
    ) -> None:
        held = self.grades[str(member_id)]
        self.grades[str(member_id)] = {
            **held,
            "grade": grade,
            "on": effective_date,
            "reviewed": True,
        }
