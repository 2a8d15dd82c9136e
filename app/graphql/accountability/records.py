"""Output types of the records an organisation or a person answers for besides goals and
findings: public commitments with their follow-ups, projects, rewards and restraints."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.types import Info

from app.graphql.accountability.common import goals_at, organization_at, party_gid
from app.graphql.core.types import (
    Actor,
    Goal,
    Organization,
    actor_field,
    actor_of,
    version_field,
)
from app.graphql.kit.context import Context
from app.graphql.kit.ids import actor_person, gid
from app.graphql.kit.nodes import Node
from app.graphql.kit.paging import Connection, paginate
from app.graphql.kit.vocab import (
    BasisKind,
    CommitmentStatus,
    PartyKind,
    ProjectStatus,
    ProjectType,
    SanctionKind,
    SanctionStatus,
    code,
    labelled,
)
from projections import accountability as views


@strawberry.type(description="A follow-up of a public commitment: what was done, with "
                             "evidence.")
class CommitmentFollowUp:
    note: str
    evidence: list[str]
    effective_date: date
    reason: str
    recorded_at: datetime = strawberry.field(description="When the system learned it.")
    view: strawberry.Private[views.FollowUpView]
    position: strawberry.Private[int | None]

    @strawberry.field(description="Who reported it: a Person (null when the reader may not "
                                  "read them) or a SystemActor.")
    def reporter(self, info: Info[Context, None]) -> Actor | None:
        return actor_of(info, self.view.actor, self.position)


@labelled
@strawberry.type(description="公开承诺: a public commitment by a person or an organisation.")
class Commitment(Node):
    title: str
    content: str
    version: int = version_field()
    party_kind: str = code(PartyKind)
    party_id: strawberry.ID
    organization_id: strawberry.ID = strawberry.field(
        description="Where it was made public (the party itself when an organisation "
                    "commits).")
    due_date: date
    made_on: date
    follow_ups: int = strawberry.field(description="How many follow-ups it has had.")
    status: str = code(CommitmentStatus, description="open, fulfilled or not_fulfilled")
    concluded_on: date | None
    readable_by: strawberry.Private[tuple[str, ...]]
    raw_id: strawberry.Private[str]
    position: strawberry.Private[int | None]

    @classmethod
    def from_view(cls, view: views.CommitmentView, position: int | None = None) -> Commitment:
        return cls(id=gid("Commitment", view.id), title=view.title, content=view.content,
                   party_kind=view.party_kind,
                   party_id=party_gid(view.party_kind, view.party_id),
                   organization_id=gid("Organization", view.organization_id),
                   due_date=view.due_date, made_on=view.made_on, follow_ups=view.follow_ups,
                   status=view.status, concluded_on=view.concluded_on,
                   readable_by=(view.organization_id,), raw_id=view.id, position=position)

    @strawberry.field(description="Its follow-ups, in the order they were recorded.")
    def follow_up_notes(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
    ) -> Connection[CommitmentFollowUp]:
        found = info.context.loaders.follow_ups.get(self.raw_id, self.position) or []
        notes = [CommitmentFollowUp(note=f.note, evidence=f.evidence,
                                    effective_date=f.effective_date, reason=f.reason,
                                    recorded_at=f.recorded_at, view=f, position=self.position)
                 for f in found]
        page = paginate(notes, lambda f: (f"{f.view.position:020d}",), first, after, last,
                        before)
        for note in page.nodes:
            info.context.loaders.person.want(actor_person(note.view.actor), self.position)
        return page


def commitments_of(info: Info[Context, None], found: list[views.CommitmentView],
                   position: int | None) -> list[Commitment]:
    """Commitment objects for a list, announcing what their nested fields may ask for."""
    for view in found:
        info.context.loaders.follow_ups.want(view.id, position)
        info.context.loaders.version.want(view.id, position)
    return [Commitment.from_view(view, position) for view in found]


@strawberry.type
class Milestone:
    title: str
    due_date: date
    reached: bool


@labelled
@strawberry.type(description="党建项目: foundation, promotion or innovation.")
class Project(Node):
    title: str
    version: int = version_field()
    type: str = code(ProjectType)
    status: str = code(ProjectStatus,
        description="proposed, approved, in_progress, accepted or rejected")
    leader_id: strawberry.ID
    proposed_on: date = strawberry.field(description="The day it was proposed (recorded).")
    milestones: list[Milestone]
    last_reason: str
    readable_by: strawberry.Private[tuple[str, ...]]
    view: strawberry.Private[views.ProjectView]
    position: strawberry.Private[int | None]

    @classmethod
    def from_view(cls, view: views.ProjectView, position: int | None) -> Project:
        return cls(id=gid("Project", view.id), title=view.title, type=view.project_type,
                   status=view.status, leader_id=gid("Person", view.leader_id),
                   proposed_on=view.proposed_on,
                   milestones=[Milestone(title=m["title"],
                                         due_date=date.fromisoformat(m["due_date"]),
                                         reached=index < view.reached)
                               for index, m in enumerate(view.milestones)],
                   last_reason=view.last_reason, readable_by=(view.organization_id,),
                   view=view, position=position)

    @strawberry.field
    def organization(self, info: Info[Context, None]) -> Organization | None:
        return organization_at(info, self.view.organization_id, self.position)

    @strawberry.field
    def goals(self, info: Info[Context, None]) -> list[Goal]:
        return goals_at(info, self.view.goal_ids, self.position)


@labelled
@strawberry.type(description="What justifies a reward or restraint.")
class SanctionBasis:
    kind: str = code(BasisKind, description="evaluation, finding or letter")
    id: strawberry.ID


BASIS_TYPES = {"evaluation": "Evaluation", "finding": "Finding",
               "letter": "ResponsibilityLetter"}


@labelled
@strawberry.type(description="奖惩: a commendation, admonishing talk, written warning or "
                             "accountability; never deleted, only revoked with a reason.")
class Sanction(Node):
    kind: str = code(SanctionKind)
    version: int = version_field()
    reward: bool
    party_kind: str = code(PartyKind)
    party_id: strawberry.ID
    organization_id: strawberry.ID
    basis: list[SanctionBasis]
    reason: str
    issued_by: Actor | None = actor_field("issuer", "Who issued it.")
    issued_on: date
    status: str = code(SanctionStatus, description="in_force, or revoked")
    revoked: bool
    revocation_reason: str | None
    readable_by: strawberry.Private[tuple[str, ...]]
    issuer: strawberry.Private[str]
    position: strawberry.Private[int | None]

    @classmethod
    def from_view(cls, view: views.SanctionView, position: int | None) -> Sanction:
        return cls(
            id=gid("Sanction", view.id), kind=view.kind, reward=view.kind == "commendation",
            party_kind=view.party_kind, party_id=party_gid(view.party_kind, view.party_id),
            organization_id=gid("Organization", view.organization_id),
            basis=[SanctionBasis(kind=b["kind"], id=gid(BASIS_TYPES[b["kind"]], b["id"]))
                   for b in view.basis],
            reason=view.reason, issuer=view.issued_by, issued_on=view.issued_on,
            status=view.status, revoked=view.revoked,
            revocation_reason=view.revocation_reason,
            readable_by=(view.organization_id,), position=position)
