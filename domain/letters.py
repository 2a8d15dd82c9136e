"""The ResponsibilityLetter aggregate (目标责任书): a higher organisation's letter to a lower one
for a year, listing the goals the lower one takes on, signed by both sides' secretaries; once
signed, its goals change only through amendments the issuing side approves."""

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
    LetterSignedError,
    NotFoundError,
    OutsideParentScopeError,
    SignerNotAuthorizedError,
)
from domain.goals import Goal
from domain.organizations import Organization
from domain.people import Person
from domain.values import PostKind, parse_enum, require_text


class LetterStatus(StrEnum):
    DRAFTED = "drafted"
    SIGNED = "signed"  # both sides have signed


class LetterSide(StrEnum):
    ISSUER = "issuer"  # the higher organisation, which drafts and approves amendments
    RECIPIENT = "recipient"  # the lower organisation, which takes the goals on


class AmendmentStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"


class ResponsibilityLetter(DengtaAggregate):
    TOPIC = "dengta:ResponsibilityLetter"
    ENUM_FIELDS: ClassVar[dict[str, type[StrEnum]]] = {"status": LetterStatus}

    class Created(DengtaAggregate.Created):
        TOPIC = "dengta:ResponsibilityLetter.Created"

    class Drafted(Created):
        TOPIC = "dengta:ResponsibilityLetter.Drafted"
        issuer_id: UUID
        recipient_id: UUID
        year: int
        title: str
        sign_by: date

    class GoalListed(DengtaAggregate.Event):
        TOPIC = "dengta:ResponsibilityLetter.GoalListed"
        goal_id: UUID

    class Signed(DengtaAggregate.Event):
        """One side's signature, by that side's secretary."""

        TOPIC = "dengta:ResponsibilityLetter.Signed"
        side: str
        signer_id: UUID
        effective_date: date

    class AmendmentProposed(DengtaAggregate.Event):
        TOPIC = "dengta:ResponsibilityLetter.AmendmentProposed"
        amendment_id: UUID
        goal_id: UUID
        changes: dict[str, Any]

    class AmendmentApproved(DengtaAggregate.Event):
        TOPIC = "dengta:ResponsibilityLetter.AmendmentApproved"
        amendment_id: UUID

    class AmendmentRejected(DengtaAggregate.Event):
        TOPIC = "dengta:ResponsibilityLetter.AmendmentRejected"
        amendment_id: UUID

    @event(Drafted)
    def __init__(self, *, id: UUID, actor: str, reason: str, issuer_id: UUID,
                 recipient_id: UUID, year: int, title: str, sign_by: date) -> None:
        self.issuer_id = issuer_id
        self.recipient_id = recipient_id
        self.year = year
        self.title = title
        self.sign_by = sign_by
        self.goal_ids: list[UUID] = []
        self.signers: dict[str, UUID] = {}
        self.status = LetterStatus.DRAFTED
        self.amendments: dict[str, dict[str, Any]] = {}  # by amendment id (text)

    @classmethod
    def draft(cls, *, id: UUID, actor: str, issuer: Organization, recipient: Organization,
              recipient_ancestry: Sequence[UUID], year: int, title: str, sign_by: date,
              reason: str = "") -> ResponsibilityLetter:
        """`recipient_ancestry` lists the recipient's ancestors: the issuer must be one."""
        issuer.check_active()
        recipient.check_active()
        if issuer.id not in recipient_ancestry:
            raise OutsideParentScopeError("a letter goes from an organisation to one below it",
                                          field="recipientId")
        if not 2000 <= year <= 2100:
            raise InvalidInputError("year must be between 2000 and 2100", field="year")
        return cls(id=id, actor=require_actor(actor), reason=reason.strip(),
                   issuer_id=issuer.id, recipient_id=recipient.id, year=year,
                   title=require_text(title, "title"), sign_by=sign_by)

    def is_overdue(self, today: date) -> bool:
        return self.status is not LetterStatus.SIGNED and today > self.sign_by

    def list_goal(self, *, actor: str, goal: Goal, goal_ancestry: Sequence[UUID],
                  reason: str = "") -> None:
        """Put a goal on the letter; it must belong to the recipient or an organisation below.
        `goal_ancestry` lists the ancestors of the goal's organisation."""
        if self.signers:
            raise LetterSignedError("a letter's goals are fixed once anyone has signed it",
                                    field="letterId")
        if goal.organization_id != self.recipient_id and self.recipient_id not in goal_ancestry:
            raise OutsideParentScopeError("the goal belongs to neither the recipient nor an "
                                          "organisation below it", field="goalId")
        if goal.period_start.year > self.year or goal.period_end.year < self.year:
            raise InvalidInputError(f"the goal's period does not cover {self.year}",
                                    field="goalId")
        if goal.id in self.goal_ids:
            raise DuplicateError("the goal is already on this letter", field="goalId")
        goal.check_listable()
        self._goal_listed(actor=require_actor(actor), reason=reason.strip(), goal_id=goal.id)

    def sign(self, *, actor: str, side: str, signer: Person, goals: Sequence[Goal],
             effective_date: date, reason: str = "") -> None:
        """One side signs. The second signature binds the listed `goals` to the letter."""
        which = parse_enum(LetterSide, side, "side")
        if which.value in self.signers:
            raise DuplicateError(f"the {which.value} side has already signed", field="side")
        if not self.goal_ids:
            raise InvalidTransitionError("list the goals before signing", field="letterId")
        organization_id = self.issuer_id if which is LetterSide.ISSUER else self.recipient_id
        if not signer.holds(organization_id, PostKind.SECRETARY):
            raise SignerNotAuthorizedError(
                f"{signer.name} is not the secretary of the {which.value} side",
                field="signerId")
        if {g.id for g in goals} != set(self.goal_ids):
            raise InvalidInputError("the goals to bind must be the letter's goals",
                                    field="goals")
        self._signed(actor=require_actor(actor), reason=reason.strip(), side=which.value,
                     signer_id=signer.id, effective_date=effective_date)
        if self.status is LetterStatus.SIGNED:
            for goal in goals:
                goal.bind_to_letter(actor=actor, letter_id=self.id)

    def propose_amendment(self, *, actor: str, amendment_id: UUID, goal_id: UUID,
                          changes: dict[str, Any], reason: str) -> None:
        why = require_reason(reason, "a signed letter changes only by reasoned amendment")
        if self.status is not LetterStatus.SIGNED:
            raise InvalidTransitionError("only a signed letter is amended; edit the draft",
                                         field="letterId")
        if goal_id not in self.goal_ids:
            raise NotFoundError("the goal is not on this letter", field="goalId")
        if not changes:
            raise InvalidInputError("an amendment must change something", field="changes")
        self._amendment_proposed(actor=require_actor(actor), reason=why,
                                 amendment_id=amendment_id, goal_id=goal_id, changes=changes)

    def pending_amendment(self, amendment_id: UUID) -> dict[str, Any]:
        amendment = self.amendments.get(str(amendment_id))
        if amendment is None:
            raise NotFoundError("no such amendment on this letter", field="amendmentId")
        if amendment["status"] != AmendmentStatus.PROPOSED.value:
            raise InvalidTransitionError(f"the amendment is already {amendment['status']}",
                                         field="amendmentId")
        return amendment

    def approve_amendment(self, *, actor: str, amendment_id: UUID, reason: str = "") -> None:
        """The issuing side approves; the caller then applies the change to the goal."""
        self.pending_amendment(amendment_id)
        self._amendment_approved(actor=require_actor(actor), reason=reason.strip(),
                                 amendment_id=amendment_id)

    def reject_amendment(self, *, actor: str, amendment_id: UUID, reason: str) -> None:
        self.pending_amendment(amendment_id)
        self._amendment_rejected(actor=require_actor(actor),
                                 reason=require_reason(reason, "a rejection must say why"),
                                 amendment_id=amendment_id)

    @event(GoalListed)
    def _goal_listed(self, *, actor: str, reason: str, goal_id: UUID) -> None:
        self.goal_ids.append(goal_id)

    @event(Signed)
    def _signed(self, *, actor: str, reason: str, side: str, signer_id: UUID,
                effective_date: date) -> None:
        self.signers[side] = signer_id
        if len(self.signers) == len(LetterSide):
            self.status = LetterStatus.SIGNED

    @event(AmendmentProposed)
    def _amendment_proposed(self, *, actor: str, reason: str, amendment_id: UUID,
                            goal_id: UUID, changes: dict[str, Any]) -> None:
        self.amendments[str(amendment_id)] = {"goal_id": goal_id, "changes": changes,
                                              "status": AmendmentStatus.PROPOSED.value}

    @event(AmendmentApproved)
    def _amendment_approved(self, *, actor: str, reason: str, amendment_id: UUID) -> None:
        self.amendments[str(amendment_id)]["status"] = AmendmentStatus.APPROVED.value

    @event(AmendmentRejected)
    def _amendment_rejected(self, *, actor: str, reason: str, amendment_id: UUID) -> None:
        self.amendments[str(amendment_id)]["status"] = AmendmentStatus.REJECTED.value
