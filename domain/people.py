"""The Person aggregate: a party member or staff member and the posts they hold."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.base import DengtaAggregate, require_actor
from domain.errors import DuplicateError, NotFoundError, PartyMembershipRequiredError
from domain.organizations import Organization
from domain.values import PostKind, parse_enum, require_text


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

    @event(Registered)
    def __init__(
        self, *, id: UUID, actor: str, reason: str, name: str, party_member: bool
    ) -> None:
        self.name = name
        self.party_member = party_member
        # Active posts only; ended ones live in the event history.
        self.posts: list[dict[str, Any]] = []

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
