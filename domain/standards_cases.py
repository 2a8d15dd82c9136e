"""Use cases of branch standardisation (党支部标准化规范化建设): the versioned standard, a
branch's self-check, acceptance by the organisation above, and lowering or revoking a level.
Each follows get → decide → one atomic save, with the actor passed explicitly."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from domain.app_base import Written
from domain.branch_standard import BranchStandard
from domain.core_cases import CoreCases
from domain.errors import InvalidInputError
from domain.findings import Finding
from domain.meetings import Tenure, tenures_from
from domain.organizations import Organization
from domain.standardisation import Standardisation, standardisation_id


class StandardsCases(CoreCases):
    def define_standard(self, actor: str, *, organization_id: UUID, title: str,
                        effective_from: date, items: Sequence[Mapping[str, Any]],
                        reason: str = "", id: UUID | None = None) -> Written:
        """A standard kept by an organisation for the branches below it."""
        standard = BranchStandard.define(
            id=self._new_id(id), actor=actor,
            organization=self.get(Organization, organization_id, "organizationId"),
            title=title, effective_from=effective_from, items=items, reason=reason)
        return Written(standard.id, self.commit(actor, standard))

    def revise_standard(self, actor: str, standard_id: UUID, *, effective_from: date,
                        items: Sequence[Mapping[str, Any]], reason: str) -> Written:
        standard = self.get(BranchStandard, standard_id, "standardId")
        standard.revise(actor=actor, reason=reason, effective_from=effective_from,
                        items=items)
        return Written(standard.id, self.commit(actor, standard))

    def _record_of(self, actor: str, branch: Organization) -> Standardisation:
        """The branch's record, opened by its first self-check."""
        record_id = standardisation_id(branch.id)
        if self.exists(record_id):
            return self.get(Standardisation, record_id, "organizationId")
        return Standardisation.open(actor=actor, branch=branch)

    def _tenures_of(self, actor: str) -> list[Tenure]:
        """The acting person's posts in business time (none for an account or a job, or an
        actor that names no person)."""
        try:
            person_id = UUID(actor.removeprefix("person:"))
        except ValueError:
            return []
        return tenures_from(self.repository.event_store.get(person_id))

    def _finding(self, finding_id: UUID | None) -> UUID | None:
        return self.get(Finding, finding_id, "findingId").id if finding_id else None

    def self_check_branch(self, actor: str, *, organization_id: UUID, standard_id: UUID,
                          checked_on: date, today: date, scores: Sequence[Mapping[str, Any]],
                          reason: str = "") -> Written:
        """`today`: the recorder's business day."""
        branch = self.get(Organization, organization_id, "organizationId")
        record = self._record_of(actor, branch)
        record.self_check(actor=actor, standard=self.get(BranchStandard, standard_id,
                                                         "standardId"),
                          keepers=[branch.id, *self.ancestry(branch)], checked_on=checked_on,
                          today=today, scores=scores, reason=reason)
        return Written(record.id, self.commit(actor, record))

    def _existing(self, organization_id: UUID) -> Standardisation:
        record_id = standardisation_id(organization_id)
        if not self.exists(record_id):
            self.get(Organization, organization_id, "organizationId")
            raise InvalidInputError("the branch has not checked itself against a standard",
                                    field="organizationId")
        return self.get(Standardisation, record_id, "organizationId")

    def accept_branch(self, actor: str, *, organization_id: UUID, level: str,
                      effective_date: date, today: date, reason: str) -> Written:
        """达标验收 by the organisation directly above the branch."""
        record = self._existing(organization_id)
        branch = self.get(Organization, organization_id, "organizationId")
        if branch.parent_id is None:
            raise InvalidInputError("a branch is accepted by the organisation above it",
                                    field="organizationId")
        latest = record.self_checks[-1] if record.self_checks else None
        standard = self.get(BranchStandard, latest["standard_id"]) if latest else None
        record.accept(actor=actor, reason=reason, level=level, effective_date=effective_date,
                      today=today, standard=standard,
                      accepted_by=self.get(Organization, branch.parent_id),
                      tenures=self._tenures_of(actor))
        return Written(record.id, self.commit(actor, record))

    def lower_branch_level(self, actor: str, *, organization_id: UUID, level: str,
                           effective_date: date, today: date, reason: str,
                           finding_id: UUID | None = None) -> Written:
        record = self._existing(organization_id)
        record.lower(actor=actor, reason=reason, level=level, effective_date=effective_date,
                     today=today, tenures=self._tenures_of(actor),
                     finding_id=self._finding(finding_id))
        return Written(record.id, self.commit(actor, record))

    def revoke_branch_level(self, actor: str, *, organization_id: UUID, effective_date: date,
                            today: date, reason: str,
                            finding_id: UUID | None = None) -> Written:
        record = self._existing(organization_id)
        record.revoke(actor=actor, reason=reason, effective_date=effective_date, today=today,
                      tenures=self._tenures_of(actor), finding_id=self._finding(finding_id))
        return Written(record.id, self.commit(actor, record))
