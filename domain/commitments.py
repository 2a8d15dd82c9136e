"""The Commitment aggregate (公开承诺): a promise a person or organisation makes to the masses,
followed up with evidence and concluded fulfilled or not fulfilled."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import event

from domain.base import DengtaAggregate, require_actor, require_reason
from domain.errors import InvalidInputError, InvalidTransitionError
from domain.organizations import Organization
from domain.people import Person
from domain.values import PartyKind, require_not_before, require_text


class CommitmentStatus(StrEnum):
    """Where a commitment stands, as the read models and its history show it."""
    OPEN = "open"  # 履行中
    CONCLUDED = "concluded"  # 已结束 (a conclusion, in the history of changes)
    FULFILLED = "fulfilled"  # 已兑现
    NOT_FULFILLED = "not_fulfilled"  # 未兑现


class Commitment(DengtaAggregate):
    TOPIC = "dengta:Commitment"

    class Created(DengtaAggregate.Created):
        TOPIC = "dengta:Commitment.Created"

    class Made(Created):
        TOPIC = "dengta:Commitment.Made"
        party_kind: str
        party_id: UUID
        organization_id: UUID
        title: str
        content: str
        due_date: date
        effective_date: date

    class FollowedUp(DengtaAggregate.Event):
        TOPIC = "dengta:Commitment.FollowedUp"
        note: str
        evidence: list[str]
        effective_date: date

    class Concluded(DengtaAggregate.Event):
        TOPIC = "dengta:Commitment.Concluded"
        fulfilled: bool
        effective_date: date

    @event(Made)
    def __init__(self, *, id: UUID, actor: str, reason: str, party_kind: str, party_id: UUID,
                 organization_id: UUID, title: str, content: str, due_date: date,
                 effective_date: date) -> None:
        self.party_kind = party_kind
        self.party_id = party_id
        self.organization_id = organization_id
        self.title = title
        self.due_date = due_date
        self.follow_ups = 0
        self.fulfilled: bool | None = None  # None while not concluded
        self.made_on = effective_date

    @property
    def began(self) -> date | None:
        # (None in a snapshot taken before the date was kept: those steps go unchecked.)
        return getattr(self, "made_on", None)

    @classmethod
    def make(cls, *, id: UUID, actor: str, party: Person | Organization,
             organization: Organization, title: str, content: str, due_date: date,
             effective_date: date, reason: str = "") -> Commitment:
        """`organization`: where the commitment is made public (the party itself when an
        organisation commits)."""
        organization.check_active()
        if due_date < effective_date:
            raise InvalidInputError("the commitment falls due before it is made",
                                    field="dueDate")
        kind = PartyKind.ORGANIZATION if isinstance(party, Organization) else PartyKind.PERSON
        return cls(id=id, actor=require_actor(actor), reason=reason.strip(),
                   party_kind=kind.value, party_id=party.id, organization_id=organization.id,
                   title=require_text(title, "title"),
                   content=require_text(content, "content", 2000), due_date=due_date,
                   effective_date=effective_date)

    def _check_open(self) -> None:
        if self.fulfilled is not None:
            raise InvalidTransitionError("the commitment is already concluded")

    def follow_up(self, *, actor: str, note: str, evidence: Sequence[str],
                  effective_date: date, reason: str = "") -> None:
        self._check_open()
        self._followed_up(actor=require_actor(actor), reason=reason.strip(),
                          note=require_text(note, "note", 2000),
                          evidence=[require_text(ref, "evidence", 500) for ref in evidence],
                          effective_date=require_not_before(effective_date, self.began,
                                                            "the commitment was made"))

    def conclude(self, *, actor: str, fulfilled: bool, effective_date: date,
                 reason: str) -> None:
        self._check_open()
        self._concluded(actor=require_actor(actor),
                        reason=require_reason(reason, "a conclusion must say why"),
                        fulfilled=bool(fulfilled),
                        effective_date=require_not_before(effective_date, self.began,
                                                          "the commitment was made"))

    @event(FollowedUp)
    def _followed_up(self, *, actor: str, reason: str, note: str, evidence: list[str],
                     effective_date: date) -> None:
        self.follow_ups += 1

    @event(Concluded)
    def _concluded(self, *, actor: str, reason: str, fulfilled: bool,
                   effective_date: date) -> None:
        self.fulfilled = fulfilled
