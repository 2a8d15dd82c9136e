"""The Organization aggregate: a node of the organisation tree (党委 → 党总支 → 党支部 → 党小组)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from eventsourcing.domain import event

from domain.base import DengtaAggregate, require_actor, require_reason
from domain.errors import (
    CycleError,
    DissolvedError,
    HasActiveChildrenError,
    HierarchyError,
    InvalidInputError,
)
from domain.values import OrganizationKind, parse_enum, require_text


class Organization(DengtaAggregate):
    TOPIC = "dengta:Organization"
    ENUM_FIELDS: ClassVar[dict[str, type[StrEnum]]] = {"kind": OrganizationKind}

    class Created(DengtaAggregate.Created):
        TOPIC = "dengta:Organization.Created"

    class Registered(Created):
        TOPIC = "dengta:Organization.Registered"
        name: str
        kind: str
        category: str
        parent_id: UUID | None
        effective_date: date | None

    class Renamed(DengtaAggregate.Event):
        TOPIC = "dengta:Organization.Renamed"
        name: str

    class Recategorized(DengtaAggregate.Event):
        TOPIC = "dengta:Organization.Recategorized"
        category: str

    class Moved(DengtaAggregate.Event):
        TOPIC = "dengta:Organization.Moved"
        parent_id: UUID
        effective_date: date | None

    class Dissolved(DengtaAggregate.Event):
        TOPIC = "dengta:Organization.Dissolved"
        effective_date: date | None

    class ChildAttached(DengtaAggregate.Event):
        TOPIC = "dengta:Organization.ChildAttached"
        child_id: UUID

    class ChildDetached(DengtaAggregate.Event):
        TOPIC = "dengta:Organization.ChildDetached"
        child_id: UUID

    @event(Registered)
    def __init__(
        self,
        *,
        id: UUID,
        actor: str,
        reason: str,
        name: str,
        kind: str,
        category: str,
        parent_id: UUID | None,
        effective_date: date | None,
    ) -> None:
        self.name = name
        self.kind = OrganizationKind(kind)
        self.category = category
        self.parent_id = parent_id
        self.dissolved = False
        self.child_ids: list[UUID] = []

    @classmethod
    def register(
        cls,
        *,
        id: UUID,
        actor: str,
        name: str,
        kind: str,
        category: str,
        parent: Organization | None,
        effective_date: date | None = None,
        reason: str = "",
    ) -> Organization:
        org_kind = parse_enum(OrganizationKind, kind, "kind")
        if parent is not None:
            parent.check_may_contain(org_kind)
        org = cls(
            id=id,
            actor=require_actor(actor),
            reason=reason.strip(),
            name=require_text(name, "name"),
            kind=org_kind.value,
            category=require_text(category, "category", 40),
            parent_id=parent.id if parent else None,
            effective_date=effective_date,
        )
        if parent is not None:
            parent._child_attached(actor=actor, reason=reason.strip(), child_id=org.id)
        return org

    def check_may_contain(self, kind: OrganizationKind) -> None:
        self.check_active()
        if not self.kind.may_contain(kind):
            raise HierarchyError(
                f"a {kind.value} may not sit under a {self.kind.value}", field="parentId"
            )

    def check_active(self) -> None:
        if self.dissolved:
            raise DissolvedError(f"organisation {self.name} is dissolved")

    def rename(self, *, actor: str, name: str, reason: str = "") -> None:
        self.check_active()
        new_name = require_text(name, "name")
        if new_name != self.name:
            self._renamed(actor=require_actor(actor), reason=reason.strip(), name=new_name)

    def recategorize(self, *, actor: str, category: str, reason: str) -> None:
        self.check_active()
        new_category = require_text(category, "category", 40)
        if new_category != self.category:
            self._recategorized(
                actor=require_actor(actor),
                reason=require_reason(reason, "the category decides how a unit is ranked"),
                category=new_category,
            )

    def move(
        self,
        *,
        actor: str,
        old_parent: Organization,
        new_parent: Organization,
        new_parent_ancestry: Sequence[UUID],
        reason: str,
        effective_date: date | None = None,
    ) -> None:
        """Move under another parent; `new_parent_ancestry` lists the new parent's ancestors."""
        self.check_active()
        why = require_reason(reason, "moving an organisation changes who answers for it")
        require_actor(actor)
        if old_parent.id != self.parent_id:
            raise InvalidInputError("old parent does not match", field="parentId")
        if new_parent.id == self.parent_id:
            return
        if new_parent.id == self.id or self.id in new_parent_ancestry:
            raise CycleError("an organisation cannot move under itself or its own descendant",
                             field="parentId")
        new_parent.check_may_contain(self.kind)
        self._moved(actor=actor, reason=why, parent_id=new_parent.id,
                    effective_date=effective_date)
        old_parent._child_detached(actor=actor, reason=why, child_id=self.id)
        new_parent._child_attached(actor=actor, reason=why, child_id=self.id)

    def dissolve(
        self,
        *,
        actor: str,
        parent: Organization | None,
        reason: str,
        effective_date: date | None = None,
    ) -> None:
        self.check_active()
        why = require_reason(reason, "dissolving an organisation ends its responsibilities")
        if self.child_ids:
            raise HasActiveChildrenError(
                f"{self.name} still has {len(self.child_ids)} active organisations under it"
            )
        self._dissolved(actor=require_actor(actor), reason=why, effective_date=effective_date)
        if parent is not None:
            parent._child_detached(actor=actor, reason=why, child_id=self.id)

    @event(Renamed)
    def _renamed(self, *, actor: str, reason: str, name: str) -> None:
        self.name = name

    @event(Recategorized)
    def _recategorized(self, *, actor: str, reason: str, category: str) -> None:
        self.category = category

    @event(Moved)
    def _moved(
        self, *, actor: str, reason: str, parent_id: UUID, effective_date: date | None
    ) -> None:
        self.parent_id = parent_id

    @event(Dissolved)
    def _dissolved(self, *, actor: str, reason: str, effective_date: date | None) -> None:
        self.dissolved = True

    @event(ChildAttached)
    def _child_attached(self, *, actor: str, reason: str, child_id: UUID) -> None:
        self.child_ids.append(child_id)

    @event(ChildDetached)
    def _child_detached(self, *, actor: str, reason: str, child_id: UUID) -> None:
        self.child_ids.remove(child_id)
