"""Use cases of pioneer posts (党员示范岗 / 党员责任区): designate a member, follow the post up,
end it early, correct or cancel its record. Each follows get → decide → one atomic save, with
the actor passed explicitly."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from domain.app_base import Written
from domain.core_cases import CoreCases
from domain.meetings import Tenure, tenures_from
from domain.organizations import Organization
from domain.people import Person
from domain.pioneer_posts import PioneerPost


class PioneerCases(CoreCases):
    def _holder_posts(self, organization: Organization,
                      holder_id: UUID) -> tuple[list[Tenure], list[UUID]]:
        """The holder's posts in business time, and the organisations among them that lie at
        or below `organization`."""
        self.get(Person, holder_id, "holderId")
        tenures = tenures_from(self.repository.event_store.get(holder_id))
        within = [t.organization_id for t in tenures
                  if t.organization_id == organization.id or organization.id in self.ancestry(
                      self.get(Organization, t.organization_id))]
        return tenures, within

    def designate_pioneer(self, actor: str, *, organization_id: UUID, holder_id: UUID,
                          kind: str, title: str, scope: str, held_from: date, held_to: date,
                          description: str = "", reason: str = "",
                          id: UUID | None = None) -> Written:
        organization = self.get(Organization, organization_id, "organizationId")
        tenures, within = self._holder_posts(organization, holder_id)
        post = PioneerPost.designate(
            id=self._new_id(id), actor=actor, organization=organization, holder_id=holder_id,
            within=within, tenures=tenures, kind=kind, title=title, scope=scope,
            held_from=held_from, held_to=held_to, description=description, reason=reason)
        return Written(post.id, self.commit(actor, post))

    def follow_up_pioneer(self, actor: str, post_id: UUID, *, note: str, followed_on: date,
                          today: date, evidence: Sequence[str] = (),
                          reason: str = "") -> Written:
        """`today`: the recorder's business day."""
        post = self.get(PioneerPost, post_id, "postId")
        post.follow_up(actor=actor, note=note, followed_on=followed_on, today=today,
                       evidence=evidence, reason=reason)
        return Written(post.id, self.commit(actor, post))

    def end_pioneer_early(self, actor: str, post_id: UUID, *, ended_on: date, today: date,
                          reason: str) -> Written:
        post = self.get(PioneerPost, post_id, "postId")
        post.end_early(actor=actor, reason=reason, ended_on=ended_on, today=today)
        return Written(post.id, self.commit(actor, post))

    def correct_pioneer_period(self, actor: str, post_id: UUID, *, held_from: date,
                               held_to: date, reason: str) -> Written:
        post = self.get(PioneerPost, post_id, "postId")
        tenures, within = self._holder_posts(
            self.get(Organization, post.organization_id), post.holder_id)
        post.correct_period(actor=actor, reason=reason, held_from=held_from, held_to=held_to,
                            tenures=tenures, within=within)
        return Written(post.id, self.commit(actor, post))

    def correct_pioneer_details(self, actor: str, post_id: UUID, *, title: str, scope: str,
                                description: str, reason: str) -> Written:
        post = self.get(PioneerPost, post_id, "postId")
        post.correct_details(actor=actor, reason=reason, title=title, scope=scope,
                             description=description)
        return Written(post.id, self.commit(actor, post))

    def cancel_pioneer(self, actor: str, post_id: UUID, *, reason: str) -> Written:
        post = self.get(PioneerPost, post_id, "postId")
        post.cancel(actor=actor, reason=reason)
        return Written(post.id, self.commit(actor, post))
