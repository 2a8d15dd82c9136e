"""The Person aggregate: a party member or staff member and the posts they hold."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.base import DengtaAggregate, require_actor, require_reason
from domain.errors import DuplicateError, NotFoundError, PartyMembershipRequiredError
from domain.organizations import Organization
from domain.values import PostKind, Role, parse_enum, require_text


class Person(DengtaAggregate):
    TOPIC = "dengta:Person"

    class Created(DengtaAggregate.Created):
        TOPIC = "dengta:Person.Created"

    class Registered(Created):
        TOPIC = "dengta:Person.Registered"
        name: str
        party_member: bool

    class MembershipChanged(DengtaAggregate.Event):
        TOPIC = "dengta:Person.MembershipChanged"
        party_member: bool
        effective_date: date | None

    class PostTaken(DengtaAggregate.Event):
        TOPIC = "dengta:Person.PostTaken"
        organization_id: UUID
        post: str
        effective_date: date | None

    class PostEnded(DengtaAggregate.Event):
        TOPIC = "dengta:Person.PostEnded"
        organization_id: UUID
        post: str
        effective_date: date | None

    class RoleGranted(DengtaAggregate.Event):
        TOPIC = "dengta:Person.RoleGranted"
        role: str
        organization_id: UUID

    class RoleRevoked(DengtaAggregate.Event):
        TOPIC = "dengta:Person.RoleRevoked"
        role: str
        organization_id: UUID

    @event(Registered)
    def __init__(
        self, *, id: UUID, actor: str, reason: str, name: str, party_member: bool
    ) -> None:
        self.name = name
        self.party_member = party_member
        # Active posts and grants only; ended ones live in the event history.
        self.posts: list[dict[str, Any]] = []
        self.roles: list[dict[str, Any]] = []

    @classmethod
    def register(
        cls, *, id: UUID, actor: str, name: str, party_member: bool, reason: str = ""
    ) -> Person:
        return cls(
            id=id,
            actor=require_actor(actor),
            reason=reason.strip(),
            name=require_text(name, "name", 40),
            party_member=bool(party_member),
        )

    def holds_post_in(self, organization_id: UUID) -> bool:
        return any(post["organization_id"] == organization_id for post in self.posts)

    def holds(self, organization_id: UUID, post: PostKind) -> bool:
        return self._find_post(organization_id, post) is not None

    def _find_post(self, organization_id: UUID, post: PostKind) -> dict[str, Any] | None:
        return next(
            (p for p in self.posts
             if p["organization_id"] == organization_id and p["post"] == post.value),
            None,
        )

    def take_post(
        self,
        *,
        actor: str,
        organization: Organization,
        post: str,
        effective_date: date | None = None,
        reason: str = "",
    ) -> None:
        kind = parse_enum(PostKind, post, "post")
        organization.check_active()
        if kind.requires_party_membership and not self.party_member:
            raise PartyMembershipRequiredError(
                f"{self.name} is not a party member and cannot be {kind.value}", field="post"
            )
        if self._find_post(organization.id, kind) is not None:
            raise DuplicateError(f"{self.name} already holds this post", field="post")
        self._post_taken(actor=require_actor(actor), reason=reason.strip(),
                         organization_id=organization.id, post=kind.value,
                         effective_date=effective_date)

    def end_post(
        self,
        *,
        actor: str,
        organization_id: UUID,
        post: str,
        effective_date: date | None = None,
        reason: str = "",
    ) -> None:
        kind = parse_enum(PostKind, post, "post")
        if self._find_post(organization_id, kind) is None:
            raise NotFoundError(f"{self.name} holds no such post", field="post")
        self._post_ended(actor=require_actor(actor), reason=reason.strip(),
                         organization_id=organization_id, post=kind.value,
                         effective_date=effective_date)

    def grant_role(self, *, actor: str, role: str, organization: Organization,
                   reason: str) -> None:
        kind = parse_enum(Role, role, "role")
        organization.check_active()
        if any(r["role"] == kind.value and r["organization_id"] == organization.id
               for r in self.roles):
            raise DuplicateError(f"{self.name} already has this role here", field="role")
        self._role_granted(actor=require_actor(actor),
                           reason=require_reason(reason, "roles decide who may do what"),
                           role=kind.value, organization_id=organization.id)

    def revoke_role(self, *, actor: str, role: str, organization_id: UUID, reason: str) -> None:
        kind = parse_enum(Role, role, "role")
        if not any(r["role"] == kind.value and r["organization_id"] == organization_id
                   for r in self.roles):
            raise NotFoundError(f"{self.name} has no such role", field="role")
        self._role_revoked(actor=require_actor(actor),
                           reason=require_reason(reason, "roles decide who may do what"),
                           role=kind.value, organization_id=organization_id)

    @event(RoleGranted)
    def _role_granted(self, *, actor: str, reason: str, role: str,
                      organization_id: UUID) -> None:
        self.roles.append({"role": role, "organization_id": organization_id})

    @event(RoleRevoked)
    def _role_revoked(self, *, actor: str, reason: str, role: str,
                      organization_id: UUID) -> None:
        self.roles = [r for r in self.roles
                      if not (r["role"] == role and r["organization_id"] == organization_id)]

    def change_membership(
        self, *, actor: str, party_member: bool, effective_date: date | None = None,
        reason: str = "",
    ) -> None:
        if bool(party_member) == self.party_member:
            return
        if not party_member and any(
            PostKind(p["post"]).requires_party_membership for p in self.posts
        ):
            raise PartyMembershipRequiredError(
                f"{self.name} still holds party posts; end them first", field="partyMember"
            )
        self._membership_changed(actor=require_actor(actor), reason=reason.strip(),
                                 party_member=bool(party_member), effective_date=effective_date)

    @event(MembershipChanged)
    def _membership_changed(
        self, *, actor: str, reason: str, party_member: bool, effective_date: date | None
    ) -> None:
        self.party_member = party_member

    @event(PostTaken)
    def _post_taken(
        self, *, actor: str, reason: str, organization_id: UUID, post: str,
        effective_date: date | None,
    ) -> None:
        self.posts.append({"organization_id": organization_id, "post": post})

    @event(PostEnded)
    def _post_ended(
        self, *, actor: str, reason: str, organization_id: UUID, post: str,
        effective_date: date | None,
    ) -> None:
        self.posts = [
            p for p in self.posts
            if not (p["organization_id"] == organization_id and p["post"] == post)
        ]
