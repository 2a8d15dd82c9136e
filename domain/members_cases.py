"""Use cases of the democratic evaluation of party members (民主评议党员): open a branch's
round for a year, the members' self- and mutual evaluations, the committee's proposal, the
organisation's grade and the review of a 不合格 by the level above. Each follows get → decide
→ one atomic save, with the actor passed explicitly."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from domain.app_base import Written
from domain.core_cases import CoreCases
from domain.errors import InvalidInputError
from domain.meetings import Tenure, tenures_from
from domain.member_evaluation import MemberEvaluation, member_evaluation_id, person_of
from domain.organizations import Organization
from domain.people import Person


class MembersCases(CoreCases):
    def _posts(self, person_id: UUID, field: str) -> list[Tenure]:
        """A person's posts in business time (the person must exist)."""
        self.get(Person, person_id, field)
        return tenures_from(self.repository.event_store.get(person_id))

    def open_member_evaluation(
        self,
        actor: str,
        *,
        organization_id: UUID,
        year: int,
        opened_on: date,
        today: date,
        member_ids: Sequence[UUID],
        reason: str = "",
    ) -> Written:
        """A branch's round for `year` (one each: opening it twice is ALREADY_EXISTS)."""
        branch = self.get(Organization, organization_id, "organizationId")
        self._new_id(member_evaluation_id(branch.id, year))
        tenures = {str(m): self._posts(m, "memberIds") for m in member_ids}
        round_ = MemberEvaluation.open(
            actor=actor,
            branch=branch,
            year=year,
            opened_on=opened_on,
            today=today,
            member_ids=member_ids,
            tenures=tenures,
            reason=reason,
        )
        return Written(round_.id, self.commit(actor, round_))

    def _round(self, round_id: UUID) -> MemberEvaluation:
        return self.get(MemberEvaluation, round_id, "evaluationId")

    def submit_self_evaluation(
        self,
        actor: str,
        round_id: UUID,
        *,
        summary: str,
        evaluated_on: date,
        today: date,
        reason: str = "",
    ) -> Written:
        round_ = self._round(round_id)
        round_.self_evaluate(
            actor=actor, summary=summary, evaluated_on=evaluated_on, today=today, reason=reason
        )
        return Written(round_.id, self.commit(actor, round_))

    def submit_mutual_evaluation(
        self,
        actor: str,
        round_id: UUID,
        *,
        member_id: UUID,
        grade: str,
        evaluated_on: date,
        today: date,
        comment: str = "",
        reason: str = "",
    ) -> Written:
        round_ = self._round(round_id)
        round_.evaluate_mutually(
            actor=actor,
            member_id=member_id,
            grade=grade,
            comment=comment,
            evaluated_on=evaluated_on,
            today=today,
            reason=reason,
        )
        return Written(round_.id, self.commit(actor, round_))

    def propose_member_grade(
        self,
        actor: str,
        round_id: UUID,
        *,
        member_id: UUID,
        grade: str,
        opinion: str,
        proposed_on: date,
        today: date,
        reason: str = "",
    ) -> Written:
        round_ = self._round(round_id)
        round_.propose(
            actor=actor,
            member_id=member_id,
            grade=grade,
            opinion=opinion,
            proposed_on=proposed_on,
            today=today,
            reason=reason,
        )
        return Written(round_.id, self.commit(actor, round_))

    def grade_member(
        self,
        actor: str,
        round_id: UUID,
        *,
        member_id: UUID,
        grade: str,
        graded_on: date,
        today: date,
        reason: str = "",
    ) -> Written:
        round_ = self._round(round_id)
        round_.grade(
            actor=actor,
            member_id=member_id,
            grade=grade,
            graded_on=graded_on,
            today=today,
            reason=reason,
        )
        return Written(round_.id, self.commit(actor, round_))

    def review_member_grade(
        self,
        actor: str,
        round_id: UUID,
        *,
        member_id: UUID,
        outcome: str,
        reviewed_on: date,
        today: date,
        reason: str,
        grade: str | None = None,
    ) -> Written:
        """上级审核 by the organisation directly above the branch."""
        round_ = self._round(round_id)
        branch = self.get(Organization, round_.organization_id, "evaluationId")
        if branch.parent_id is None:
            raise InvalidInputError(
                "a grade is reviewed by the organisation above the branch", field="evaluationId"
            )
        person = person_of(actor)
        round_.review(
            actor=actor,
            member_id=member_id,
            outcome=outcome,
            grade=grade,
            reviewed_on=reviewed_on,
            today=today,
            reason=reason,
            reviewed_by=self.get(Organization, branch.parent_id),
            tenures=tenures_from(self.repository.event_store.get(UUID(person))) if person else [],
        )
        return Written(round_.id, self.commit(actor, round_))
