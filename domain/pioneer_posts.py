"""The PioneerPost aggregate (党员示范岗 / 党员责任区): a post or a zone of responsibility that a
party organisation designates a party member to hold for a period, followed up with dated
notes on how it went (by whom: the holder's own report or the organisation's), ended early
with a reason, corrected by reasoned events and never edited.

The period is inclusive: held from `held_from` to `held_to`. Ended early on a day, the post is
no longer held from that day on. The holder holds a party post, on the first day, in the
organisation or in one below it. Nobody designates themself, nor ends, corrects or cancels
their own post (segregation of duties); the holder may follow it up."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from eventsourcing.domain import event

from domain.base import DengtaAggregate, require_actor, require_reason
from domain.errors import (
    InvalidInputError,
    InvalidTransitionError,
    PostRequiredError,
    SegregationOfDutiesError,
)
from domain.labels import PIONEER_KINDS
from domain.meetings import PARTY_POSTS, Tenure
from domain.organizations import Organization
from domain.values import parse_enum, require_text

MAX_EVIDENCE = 20


class PioneerKind(StrEnum):
    EXEMPLARY_POST = "exemplary_post"  # 党员示范岗
    RESPONSIBILITY_ZONE = "responsibility_zone"  # 党员责任区

    @property
    def label(self) -> str:
        return PIONEER_KINDS[self.value]


class PioneerStatus(StrEnum):
    """How the record stands (whether it was held on a day follows from its dates)."""

    DESIGNATED = "designated"  # 已设岗: held over its period
    ENDED = "ended"  # 提前结束
    CANCELLED = "cancelled"  # 已作废: recorded in error, kept with the reason


def check_period(held_from: date, held_to: date) -> None:
    if held_to < held_from:
        raise InvalidInputError("the period ends before it begins", field="heldTo")


def optional_text(value: str, field: str, max_length: int) -> str:
    return require_text(value, field, max_length) if value.strip() else ""


def actor_is(actor: str, person_id: UUID) -> bool:
    return actor.removeprefix("person:") == str(person_id)


def check_holder(holder_id: UUID, within: Sequence[UUID], held_from: date,
                 tenures: Sequence[Tenure]) -> None:
    """The holder holds a party post on `held_from` in one of the organisations `within`
    (the designating one and those below it)."""
    if not any(t.organization_id in within and t.post in PARTY_POSTS and t.covers(held_from)
               for t in tenures):
        raise PostRequiredError(f"{holder_id} held no party post in this organisation (or "
                                f"below it) on {held_from.isoformat()}", field="holderId")


class PioneerPost(DengtaAggregate):
    TOPIC = "dengta:PioneerPost"
    ENUM_FIELDS: ClassVar[dict[str, type[StrEnum]]] = {
        "kind": PioneerKind, "status": PioneerStatus,
    }

    class Created(DengtaAggregate.Created):
        TOPIC = "dengta:PioneerPost.Created"

    class Designated(Created):
        """`effective_date`: the first day held."""

        TOPIC = "dengta:PioneerPost.Designated"
        organization_id: UUID
        holder_id: UUID
        kind: str
        title: str
        scope: str
        description: str
        effective_date: date
        held_to: date

    class FollowedUp(DengtaAggregate.Event):
        """`effective_date`: the day the note speaks of; `by_holder`: the holder's own."""

        TOPIC = "dengta:PioneerPost.FollowedUp"
        number: int
        note: str
        evidence: list[str]
        effective_date: date
        by_holder: bool

    class EndedEarly(DengtaAggregate.Event):
        """`effective_date`: the first day no longer held."""

        TOPIC = "dengta:PioneerPost.EndedEarly"
        effective_date: date

    class PeriodCorrected(DengtaAggregate.Event):
        TOPIC = "dengta:PioneerPost.PeriodCorrected"
        held_from: date
        held_to: date

    class DetailsCorrected(DengtaAggregate.Event):
        TOPIC = "dengta:PioneerPost.DetailsCorrected"
        title: str
        scope: str
        description: str

    class Cancelled(DengtaAggregate.Event):
        TOPIC = "dengta:PioneerPost.Cancelled"

    @event(Designated)
    def __init__(self, *, id: UUID, actor: str, reason: str, organization_id: UUID,
                 holder_id: UUID, kind: str, title: str, scope: str, description: str,
                 effective_date: date, held_to: date) -> None:
        self.organization_id = organization_id
        self.holder_id = holder_id
        self.kind = PioneerKind(kind)
        self.title = title
        self.scope = scope
        self.description = description
        self.held_from = effective_date
        self.held_to = held_to
        self.ended_on: date | None = None
        self.status = PioneerStatus.DESIGNATED
        self.follow_ups: list[date] = []  # each follow-up's day

    @classmethod
    def designate(cls, *, id: UUID, actor: str, organization: Organization, holder_id: UUID,
                  within: Sequence[UUID], tenures: Sequence[Tenure], kind: str, title: str,
                  scope: str, held_from: date, held_to: date, description: str = "",
                  reason: str = "") -> PioneerPost:
        """`within`: the organisation and those below it; `tenures`: the holder's posts."""
        organization.check_active()
        if actor_is(actor, holder_id):
            raise SegregationOfDutiesError("nobody designates themself: a post is given by "
                                           "the organisation", field="holderId")
        check_period(held_from, held_to)
        check_holder(holder_id, within, held_from, tenures)
        return cls(id=id, actor=require_actor(actor), reason=reason.strip(),
                   organization_id=organization.id, holder_id=holder_id,
                   kind=parse_enum(PioneerKind, kind, "kind").value,
                   title=require_text(title, "title"), scope=require_text(scope, "scope", 500),
                   description=optional_text(description, "description", 2000),
                   effective_date=held_from, held_to=held_to)

    # ---- guards ----------------------------------------------------------------------------

    def _check_not_cancelled(self, what: str) -> None:
        if self.status is PioneerStatus.CANCELLED:
            raise InvalidTransitionError(f"{what}: this record is cancelled", field="postId")

    def _check_not_holder(self, actor: str, what: str) -> None:
        if actor_is(actor, self.holder_id):
            raise SegregationOfDutiesError(f"the holder does not {what} their own post",
                                           field="actor")

    @property
    def last_day(self) -> date:
        """The last day held (the day before an early end)."""
        return self.held_to if self.ended_on is None else min(
            self.held_to, date.fromordinal(self.ended_on.toordinal() - 1))

    def held_on(self, day: date) -> bool:
        return (self.status is not PioneerStatus.CANCELLED
                and self.held_from <= day <= self.last_day)

    # ---- follow-ups -------------------------------------------------------------------------

    def follow_up(self, *, actor: str, note: str, followed_on: date, today: date,
                  evidence: Sequence[str] = (), reason: str = "") -> None:
        """A dated note on how the post went: from its first day, not after `today` (the
        recorder's business day); a closing note after its end is welcome."""
        self._check_not_cancelled("no follow-up")
        if followed_on < self.held_from:
            raise InvalidInputError(f"the post was held from {self.held_from.isoformat()}",
                                    field="followedOn")
        if followed_on > today:
            raise InvalidInputError("a follow-up tells what has happened, not before",
                                    field="followedOn")
        if len(evidence) > MAX_EVIDENCE:
            raise InvalidInputError(f"at most {MAX_EVIDENCE} pieces of evidence",
                                    field="evidence")
        self._followed_up(actor=require_actor(actor), reason=reason.strip(),
                          number=len(self.follow_ups) + 1,
                          note=require_text(note, "note", 2000),
                          evidence=[require_text(ref, "evidence", 500) for ref in evidence],
                          effective_date=followed_on,
                          by_holder=actor_is(actor, self.holder_id))

    @event(FollowedUp)
    def _followed_up(self, *, actor: str, reason: str, number: int, note: str,
                     evidence: list[str], effective_date: date, by_holder: bool) -> None:
        self.follow_ups.append(effective_date)

    # ---- ending and corrections --------------------------------------------------------------

    def end_early(self, *, actor: str, reason: str, ended_on: date, today: date) -> None:
        """No longer held from `ended_on` (after the first day, on or before the last; not
        after `today`: an end is recorded once decided)."""
        self._check_not_cancelled("it cannot end")
        self._check_not_holder(actor, "end")
        if self.status is PioneerStatus.ENDED:
            raise InvalidTransitionError(f"already ended on {self.ended_on}", field="postId")
        why = require_reason(reason, "an early end must say why")
        if not self.held_from < ended_on <= self.held_to:
            raise InvalidInputError(
                f"an early end falls after the first day ({self.held_from.isoformat()}) and "
                f"no later than the last ({self.held_to.isoformat()})", field="endedOn")
        if ended_on > today:
            raise InvalidInputError("a post is ended once decided, not before",
                                    field="endedOn")
        self._ended_early(actor=require_actor(actor), reason=why, effective_date=ended_on)

    @event(EndedEarly)
    def _ended_early(self, *, actor: str, reason: str, effective_date: date) -> None:
        self.ended_on = effective_date
        self.status = PioneerStatus.ENDED

    def correct_period(self, *, actor: str, reason: str, held_from: date, held_to: date,
                       tenures: Sequence[Tenure], within: Sequence[UUID]) -> None:
        """The period as it should have been recorded; an early end and the follow-ups stay
        inside it, and the holder held a party post on the new first day."""
        self._check_not_cancelled("the period cannot be corrected")
        self._check_not_holder(actor, "correct")
        why = require_reason(reason, "a correction of the period must say why")
        check_period(held_from, held_to)
        if (held_from, held_to) == (self.held_from, self.held_to):
            raise InvalidInputError("the period is already as given", field="heldFrom")
        if self.ended_on is not None and not held_from < self.ended_on <= held_to:
            raise InvalidInputError(f"the post ended early on {self.ended_on.isoformat()}: "
                                    "the period must contain it", field="heldTo")
        if self.follow_ups and min(self.follow_ups) < held_from:
            raise InvalidInputError("a follow-up is dated before the new first day",
                                    field="heldFrom")
        check_holder(self.holder_id, within, held_from, tenures)
        self._period_corrected(actor=require_actor(actor), reason=why, held_from=held_from,
                               held_to=held_to)

    @event(PeriodCorrected)
    def _period_corrected(self, *, actor: str, reason: str, held_from: date,
                          held_to: date) -> None:
        self.held_from = held_from
        self.held_to = held_to

    def correct_details(self, *, actor: str, reason: str, title: str, scope: str,
                        description: str) -> None:
        self._check_not_cancelled("the details cannot be corrected")
        self._check_not_holder(actor, "correct")
        why = require_reason(reason, "a correction must say why")
        details = (require_text(title, "title"), require_text(scope, "scope", 500),
                   optional_text(description, "description", 2000))
        if details == (self.title, self.scope, self.description):
            raise InvalidInputError("the details are already as given", field="title")
        self._details_corrected(actor=require_actor(actor), reason=why, title=details[0],
                                scope=details[1], description=details[2])

    @event(DetailsCorrected)
    def _details_corrected(self, *, actor: str, reason: str, title: str, scope: str,
                           description: str) -> None:
        self.title = title
        self.scope = scope
        self.description = description

    def cancel(self, *, actor: str, reason: str) -> None:
        """作废: designated in error (the wrong person, say); the record stays, with the
        reason, and no longer counts as held."""
        self._check_not_cancelled("already cancelled")
        self._check_not_holder(actor, "cancel")
        self._cancelled(actor=require_actor(actor),
                        reason=require_reason(reason, "a cancellation must say why"))

    @event(Cancelled)
    def _cancelled(self, *, actor: str, reason: str) -> None:
        self.status = PioneerStatus.CANCELLED
