"""The Sanction aggregate (奖惩): a reward or a restraint — commendation, admonishing talk
(约谈), written warning, accountability (问责) — tied to the evaluations, findings or letters
that justify it. Never deleted: a revocation is an event with a reason."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import event

from domain.base import DengtaAggregate, require_actor, require_reason
from domain.errors import InvalidInputError, InvalidTransitionError
from domain.organizations import Organization
from domain.people import Person
from domain.values import PartyKind, parse_enum


class SanctionKind(StrEnum):
    COMMENDATION = "commendation"  # 表彰
    ADMONISHING_TALK = "admonishing_talk"  # 约谈
    WRITTEN_WARNING = "written_warning"  # 书面警示
    ACCOUNTABILITY = "accountability"  # 问责

    @property
    def is_reward(self) -> bool:
        return self is SanctionKind.COMMENDATION


class SanctionStatus(StrEnum):
    """Whether a sanction stands, as the read models show it."""
    IN_FORCE = "in_force"  # 有效
    REVOKED = "revoked"  # 已撤销


class BasisKind(StrEnum):
    """What may justify a sanction."""

    EVALUATION = "evaluation"
    FINDING = "finding"
    LETTER = "letter"


class Sanction(DengtaAggregate):
    TOPIC = "dengta:Sanction"
    ENUM_FIELDS: ClassVar[dict[str, type[StrEnum]]] = {"kind": SanctionKind}

    class Created(DengtaAggregate.Created):
        TOPIC = "dengta:Sanction.Created"

    class Issued(Created):
        TOPIC = "dengta:Sanction.Issued"
        kind: str
        party_kind: str
        party_id: UUID
        organization_id: UUID
        basis: list[dict[str, Any]]  # {"kind": BasisKind, "id": UUID}
        effective_date: date

    class Revoked(DengtaAggregate.Event):
        TOPIC = "dengta:Sanction.Revoked"
        effective_date: date

    @event(Issued)
    def __init__(self, *, id: UUID, actor: str, reason: str, kind: str, party_kind: str,
                 party_id: UUID, organization_id: UUID, basis: list[dict[str, Any]],
                 effective_date: date) -> None:
        self.kind = SanctionKind(kind)
        self.party_id = party_id
        self.organization_id = organization_id
        self.basis = basis
        self.revoked = False

    @classmethod
    def issue(cls, *, id: UUID, actor: str, kind: str, party: Person | Organization,
              organization: Organization, basis: Sequence[tuple[str, UUID]],
              effective_date: date, reason: str) -> Sanction:
        """`basis`: (kind, id) pairs; the caller checks that findings and letters exist
        (evaluations are opaque references until they exist)."""
        if not basis:
            raise InvalidInputError("a reward or restraint must cite what justifies it",
                                    field="basis")
        refs = [{"kind": parse_enum(BasisKind, k, "basis.kind").value, "id": ref}
                for k, ref in basis]
        party_kind = (PartyKind.ORGANIZATION if isinstance(party, Organization)
                      else PartyKind.PERSON)
        return cls(id=id, actor=require_actor(actor),
                   reason=require_reason(reason, "rewards and restraints must say why"),
                   kind=parse_enum(SanctionKind, kind, "kind").value,
                   party_kind=party_kind.value, party_id=party.id,
                   organization_id=organization.id, basis=refs, effective_date=effective_date)

    def revoke(self, *, actor: str, reason: str, effective_date: date) -> None:
        if self.revoked:
            raise InvalidTransitionError("already revoked")
        self._revoked(actor=require_actor(actor),
                      reason=require_reason(reason, "a revocation must say why"),
                      effective_date=effective_date)

    @event(Revoked)
    def _revoked(self, *, actor: str, reason: str, effective_date: date) -> None:
        self.revoked = True
