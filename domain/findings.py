"""The Finding aggregate (问题整改): a problem found by inspection, evaluation, self-check or mass
report, its rectification measures, and the closed loop: submitted with evidence, then verified
and closed (销号) or returned with a reason (退回) and reopened; a closed finding can be
reopened (重新打开) with a reason when its closure turns out wrong."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import event

from domain.base import DengtaAggregate, require_actor, require_reason
from domain.errors import (
    DuplicateError,
    InvalidInputError,
    InvalidTransitionError,
    SegregationOfDutiesError,
)
from domain.organizations import Organization
from domain.people import Person
from domain.values import parse_enum, require_not_before, require_text


class FindingSource(StrEnum):
    INSPECTION = "inspection"  # 监督检查
    EVALUATION = "evaluation"  # 考核评价
    SELF_CHECK = "self_check"  # 自查
    MASS_REPORT = "mass_report"  # 群众反映


class Severity(StrEnum):
    MINOR = "minor"  # 一般
    MAJOR = "major"  # 较重
    SERIOUS = "serious"  # 严重


class FindingStatus(StrEnum):
    OPEN = "open"  # raised, returned or reopened: rectification under way
    SUBMITTED = "submitted"  # rectified, awaiting verification
    CLOSED = "closed"  # verified and closed (销号)


def person_actor(person_id: UUID) -> str:
    """The actor a person's own changes are recorded under."""
    return f"person:{person_id}"


class Finding(DengtaAggregate):
    TOPIC = "dengta:Finding"
    ENUM_FIELDS: ClassVar[dict[str, type[StrEnum]]] = {
        "source": FindingSource, "severity": Severity, "status": FindingStatus,
    }

    class Created(DengtaAggregate.Created):
        TOPIC = "dengta:Finding.Created"

    class Raised(Created):
        TOPIC = "dengta:Finding.Raised"
        title: str
        description: str
        source: str
        severity: str
        organization_id: UUID
        owner_id: UUID
        deadline: date
        goal_id: UUID | None
        evaluation_id: UUID | None
        effective_date: date

    class MeasurePlanned(DengtaAggregate.Event):
        TOPIC = "dengta:Finding.MeasurePlanned"
        measure_id: UUID
        description: str
        owner_id: UUID
        due_date: date

    class Submitted(DengtaAggregate.Event):
        TOPIC = "dengta:Finding.Submitted"
        evidence: list[str]
        effective_date: date

    class Returned(DengtaAggregate.Event):
        """退回: the verifier found the rectification wanting; the finding is open again."""

        TOPIC = "dengta:Finding.Returned"
        effective_date: date

    class Verified(DengtaAggregate.Event):
        """销号: verified and closed."""

        TOPIC = "dengta:Finding.Verified"
        effective_date: date

    class Reopened(DengtaAggregate.Event):
        """重新打开: a closed finding is open again (e.g. the problem recurred, or an inspection
        found the closure unfounded)."""

        TOPIC = "dengta:Finding.Reopened"
        effective_date: date

    @event(Raised)
    def __init__(self, *, id: UUID, actor: str, reason: str, title: str, description: str,
                 source: str, severity: str, organization_id: UUID, owner_id: UUID,
                 deadline: date, goal_id: UUID | None, evaluation_id: UUID | None,
                 effective_date: date) -> None:
        self.title = title
        self.description = description
        self.source = FindingSource(source)
        self.severity = Severity(severity)
        self.organization_id = organization_id
        self.owner_id = owner_id
        self.deadline = deadline
        self.goal_id = goal_id
        self.evaluation_id = evaluation_id
        self.status = FindingStatus.OPEN
        self.measures: list[dict[str, Any]] = []
        self.submitted_by: str | None = None
        self.raised_on = effective_date

    @property
    def began(self) -> date | None:
        # (None in a snapshot taken before the date was kept: those steps go unchecked.)
        return getattr(self, "raised_on", None)

    @classmethod
    def raise_finding(
        cls, *, id: UUID, actor: str, title: str, description: str, source: str,
        severity: str, organization: Organization, owner: Person, deadline: date,
        effective_date: date, goal_id: UUID | None = None, evaluation_id: UUID | None = None,
        reason: str = "",
    ) -> Finding:
        """`goal_id` must name a goal and `evaluation_id` an evaluation (the caller loads
        them)."""
        organization.check_active()
        if deadline < effective_date:
            raise InvalidInputError("the deadline lies before the finding was raised",
                                    field="deadline")
        return cls(id=id, actor=require_actor(actor), reason=reason.strip(),
                   title=require_text(title, "title"), description=description.strip(),
                   source=parse_enum(FindingSource, source, "source").value,
                   severity=parse_enum(Severity, severity, "severity").value,
                   organization_id=organization.id, owner_id=owner.id, deadline=deadline,
                   goal_id=goal_id, evaluation_id=evaluation_id, effective_date=effective_date)

    @property
    def responsible_actors(self) -> set[str]:
        """Whoever owns the finding or one of its measures: none of them may verify it."""
        return {person_actor(self.owner_id),
                *(person_actor(m["owner_id"]) for m in self.measures)}

    def _check_open(self, what: str) -> None:
        if self.status is not FindingStatus.OPEN:
            raise InvalidTransitionError(f"{what} needs an open finding; this one is "
                                         f"{self.status.value}")

    def plan_measure(self, *, actor: str, measure_id: UUID, description: str, owner: Person,
                     due_date: date, reason: str = "") -> None:
        self._check_open("planning a measure")
        if any(m["measure_id"] == measure_id for m in self.measures):
            raise DuplicateError("this measure is already planned", field="measureId")
        self._measure_planned(actor=require_actor(actor), reason=reason.strip(),
                              measure_id=measure_id,
                              description=require_text(description, "description", 500),
                              owner_id=owner.id, due_date=due_date)

    def submit(self, *, actor: str, evidence: Sequence[str], effective_date: date,
               reason: str = "") -> None:
        """Rectified: the measures are done, with evidence."""
        self._check_open("submitting")
        if not self.measures:
            raise InvalidTransitionError("plan at least one rectification measure first",
                                         field="findingId")
        refs = [require_text(ref, "evidence", 500) for ref in evidence]
        if not refs:
            raise InvalidInputError("a submission needs evidence", field="evidence")
        self._submitted(actor=require_actor(actor), reason=reason.strip(), evidence=refs,
                        effective_date=require_not_before(effective_date, self.began,
                                                          "the finding was raised"))

    def _check_verifier(self, actor: str) -> None:
        if self.status is not FindingStatus.SUBMITTED:
            raise InvalidTransitionError(f"only a submitted finding is verified; this one is "
                                         f"{self.status.value}")
        if actor == self.submitted_by:
            raise SegregationOfDutiesError("whoever submitted a rectification cannot verify it",
                                           field="findingId")
        if actor in self.responsible_actors:
            raise SegregationOfDutiesError("the owner of a finding or of one of its measures "
                                           "cannot verify it", field="findingId")

    def verify(self, *, actor: str, effective_date: date, reason: str = "") -> None:
        self._check_verifier(require_actor(actor))
        self._verified(actor=actor, reason=reason.strip(),
                       effective_date=require_not_before(effective_date, self.began,
                                                         "the finding was raised"))

    def return_for_rework(self, *, actor: str, reason: str, effective_date: date) -> None:
        self._check_verifier(require_actor(actor))
        self._returned(actor=actor, reason=require_reason(reason, "a return must say why"),
                       effective_date=require_not_before(effective_date, self.began,
                                                         "the finding was raised"))

    def reopen(self, *, actor: str, reason: str, effective_date: date) -> None:
        """Only a closed finding; the owner and the measure owners may not reopen it themselves
        (they rectify, others judge), and it closes again only by the same verification."""
        if self.status is not FindingStatus.CLOSED:
            raise InvalidTransitionError(f"only a closed finding is reopened; this one is "
                                         f"{self.status.value}", field="findingId")
        if require_actor(actor) in self.responsible_actors:
            raise SegregationOfDutiesError("the owner of a finding or of one of its measures "
                                           "cannot reopen it", field="findingId")
        self._reopened(actor=actor, reason=require_reason(reason, "a reopening must say why"),
                       effective_date=require_not_before(effective_date, self.began,
                                                         "the finding was raised"))

    @event(MeasurePlanned)
    def _measure_planned(self, *, actor: str, reason: str, measure_id: UUID, description: str,
                         owner_id: UUID, due_date: date) -> None:
        self.measures.append({"measure_id": measure_id, "owner_id": owner_id,
                              "due_date": due_date})

    @event(Submitted)
    def _submitted(self, *, actor: str, reason: str, evidence: list[str],
                   effective_date: date) -> None:
        self.status = FindingStatus.SUBMITTED
        self.submitted_by = actor

    @event(Returned)
    def _returned(self, *, actor: str, reason: str, effective_date: date) -> None:
        self.status = FindingStatus.OPEN

    @event(Verified)
    def _verified(self, *, actor: str, reason: str, effective_date: date) -> None:
        self.status = FindingStatus.CLOSED

    @event(Reopened)
    def _reopened(self, *, actor: str, reason: str, effective_date: date) -> None:
        self.status = FindingStatus.OPEN
