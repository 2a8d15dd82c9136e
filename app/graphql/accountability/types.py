"""Output types of responsibility letters and findings (with their escalation), and the node
fetchers of every accountability record. The other records' types are in `records`, the
accountability view in `view`."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from app.graphql.accountability.common import goals_at, organization_at, person_at, server_today
from app.graphql.accountability.records import Commitment, Project, Sanction
from app.graphql.core.types import (
    Actor,
    Goal,
    Organization,
    Person,
    actor_field,
    version_field,
)
from app.graphql.kit.context import Context
from app.graphql.kit.ids import gid
from app.graphql.kit.nodes import Node, NodeRegistry
from app.graphql.kit.vocab import (
    AmendmentStatus,
    FindingSource,
    FindingStatus,
    LetterSide,
    LetterStatus,
    Severity,
    code,
    labelled,
)
from projections import accountability as views
from projections import rectification


@labelled
@strawberry.type(description="One side's signature on a letter.")
class Signature:
    side: str = code(LetterSide)
    signer_id: strawberry.ID
    signed_on: date | None


@labelled
@strawberry.type(description="A proposed change to a goal on a signed letter.")
class LetterAmendment(Node):
    goal_id: strawberry.ID
    changes: JSON
    status: str = code(AmendmentStatus, description="proposed, approved or rejected")
    proposed_by: Actor | None = actor_field("proposer", "Who proposed it.")
    reason: str
    decided_by: Actor | None = actor_field("decider", "Who decided it (null while proposed).")
    decision_reason: str | None
    proposer: strawberry.Private[str]
    decider: strawberry.Private[str | None]
    readable_by: strawberry.Private[tuple[str, ...]]  # the letter's readers
    letter_view: strawberry.Private[views.LetterView]
    position: strawberry.Private[int | None]

    @strawberry.field(description="The letter it amends.")
    def letter(self, info: Info[Context, None]) -> ResponsibilityLetter:
        return ResponsibilityLetter.from_view(self.letter_view, server_today(), self.position)


@labelled
@strawberry.type(description="目标责任书: a higher organisation's letter to a lower one for a "
                             "year, listing the goals the lower one takes on.")
class ResponsibilityLetter(Node):
    title: str
    version: int = version_field()
    year: int
    status: str = code(LetterStatus, description="drafted, or signed once both sides signed")
    sign_by: date
    overdue: bool = strawberry.field(description="Unsigned past the signing deadline.")
    signatures: list[Signature]
    amendments: list[LetterAmendment]
    readable_by: strawberry.Private[tuple[str, ...]]
    view: strawberry.Private[views.LetterView]
    position: strawberry.Private[int | None]

    @classmethod
    def from_view(cls, view: views.LetterView, today: date,
                  position: int | None) -> ResponsibilityLetter:
        signatures = [Signature(side=side, signer_id=gid("Person", signer), signed_on=on)
                      for side, signer, on in (
                          ("issuer", view.issuer_signer_id, view.issuer_signed_on),
                          ("recipient", view.recipient_signer_id, view.recipient_signed_on))
                      if signer is not None]
        amendments = [LetterAmendment(
            id=gid("LetterAmendment", a.amendment_id), goal_id=gid("Goal", a.goal_id),
            changes=JSON(a.changes), status=a.status, proposer=a.proposed_by,
            reason=a.reason, decider=a.decided_by, decision_reason=a.decision_reason,
            readable_by=(view.issuer_id, view.recipient_id), letter_view=view,
            position=position) for a in view.amendments]
        return cls(id=gid("ResponsibilityLetter", view.id), title=view.title, year=view.year,
                   status=view.status, sign_by=view.sign_by, overdue=view.is_overdue(today),
                   signatures=signatures, amendments=amendments,
                   readable_by=(view.issuer_id, view.recipient_id), view=view,
                   position=position)

    @strawberry.field
    def issuer(self, info: Info[Context, None]) -> Organization | None:
        return organization_at(info, self.view.issuer_id, self.position)

    @strawberry.field
    def recipient(self, info: Info[Context, None]) -> Organization | None:
        return organization_at(info, self.view.recipient_id, self.position)

    @strawberry.field
    def goals(self, info: Info[Context, None]) -> list[Goal]:
        return goals_at(info, self.view.goal_ids, self.position)


@strawberry.type(description="A rectification measure: what will be done, by whom, by when.")
class RectificationMeasure(Node):
    description: str
    owner_id: strawberry.ID
    due_date: date
    overdue: bool
    readable_by: strawberry.Private[tuple[str, ...]]  # the finding's readers
    finding_view: strawberry.Private[rectification.FindingView]
    today: strawberry.Private[date]
    position: strawberry.Private[int | None]

    @strawberry.field(description="The finding it rectifies.")
    def finding(self, info: Info[Context, None]) -> Finding:
        return Finding.from_view(self.finding_view, self.today, self.position)


@labelled
@strawberry.type(description="问题整改: a finding and its rectification, a closed loop.")
class Finding(Node):
    title: str
    version: int = version_field()
    source: str = code(FindingSource)
    severity: str = code(Severity)
    status: str = code(FindingStatus, description="open (raised, returned, or reopened after "
                                               "closing), submitted, or closed (verified, "
                                               "销号)")
    deadline: date
    raised_on: date
    overdue: bool
    submissions: int
    returns: int
    reopenings: int = strawberry.field(description="How often it was reopened after being "
                                                   "closed (verified).")
    owner_id: strawberry.ID
    goal_id: strawberry.ID | None
    evaluation_id: strawberry.ID | None
    evidence: list[str] = strawberry.field(description="Of the latest submission.")
    last_actor: Actor | None = actor_field("last_actor_recorded", "Who took the latest step.")
    last_reason: str
    measures: list[RectificationMeasure]
    readable_by: strawberry.Private[tuple[str, ...]]
    last_actor_recorded: strawberry.Private[str]
    view: strawberry.Private[rectification.FindingView]
    position: strawberry.Private[int | None]

    @classmethod
    def from_view(cls, view: rectification.FindingView, today: date,
                  position: int | None) -> Finding:
        late = {m.measure_id for m in view.overdue_measures(today)}
        return cls(
            id=gid("Finding", view.id), title=view.title, source=view.source,
            severity=view.severity, status=view.status, deadline=view.deadline,
            raised_on=view.raised_on, overdue=view.is_overdue(today),
            submissions=view.submissions, returns=view.returns, reopenings=view.reopenings,
            owner_id=gid("Person", view.owner_id),
            goal_id=gid("Goal", view.goal_id) if view.goal_id else None,
            evaluation_id=gid("Evaluation", view.evaluation_id) if view.evaluation_id else None,
            evidence=view.evidence, last_actor_recorded=view.last_actor,
            last_reason=view.last_reason,
            measures=[RectificationMeasure(
                id=gid("RectificationMeasure", m.measure_id), description=m.description,
                owner_id=gid("Person", m.owner_id), due_date=m.due_date,
                overdue=m.measure_id in late, readable_by=(view.organization_id,),
                finding_view=view, today=today, position=position) for m in view.measures],
            readable_by=(view.organization_id,), view=view, position=position)

    @strawberry.field
    def organization(self, info: Info[Context, None]) -> Organization | None:
        return organization_at(info, self.view.organization_id, self.position)

    @strawberry.field
    def owner(self, info: Info[Context, None]) -> Person | None:
        return person_at(info, self.view.owner_id, self.position)


@strawberry.type(description="One rung of an overdue item's escalation, as the posts stood "
                             "on the day it fell due.")
class EscalationStep:
    level: str = strawberry.field(description="owner, secretary, or parent_secretary")
    person_id: strawberry.ID | None = strawberry.field(
        description="null: nobody held the post that day")
    name: str | None
    organization_id: strawberry.ID | None


@strawberry.type(description="An overdue finding (past its deadline) or measure (past due "
                             "before the rectification was submitted), and who answers for it.")
class OverdueItem:
    finding: Finding
    measure_id: strawberry.ID | None
    due_date: date
    days_overdue: int
    escalation: list[EscalationStep]

    @classmethod
    def from_view(cls, item: rectification.OverdueItem, today: date,
                  position: int | None) -> OverdueItem:
        return cls(
            finding=Finding.from_view(item.finding, today, position),
            measure_id=(gid("RectificationMeasure", item.measure.measure_id)
                        if item.measure else None),
            due_date=item.due_date, days_overdue=item.days_overdue,
            escalation=[EscalationStep(
                level=e.level, person_id=gid("Person", e.person_id) if e.person_id else None,
                name=e.name,
                organization_id=gid("Organization", e.organization_id)
                if e.organization_id else None) for e in item.chain])


def _letter_node(info: Info[Context, None], raw_id: str,
                 position: int | None) -> ResponsibilityLetter | None:
    view = views.letter(info.context.conn, raw_id, position)
    return ResponsibilityLetter.from_view(view, server_today(), position) if view else None


def _finding_node(info: Info[Context, None], raw_id: str, position: int | None) -> Finding | None:
    view = rectification.finding(info.context.conn, raw_id, position)
    return Finding.from_view(view, server_today(), position) if view else None


def _commitment_node(info: Info[Context, None], raw_id: str,
                     position: int | None) -> Commitment | None:
    view = views.commitment(info.context.conn, raw_id, position)
    return Commitment.from_view(view, position) if view else None


def _project_node(info: Info[Context, None], raw_id: str, position: int | None) -> Project | None:
    view = views.project(info.context.conn, raw_id, position)
    return Project.from_view(view, position) if view else None


def _sanction_node(info: Info[Context, None], raw_id: str,
                   position: int | None) -> Sanction | None:
    view = views.sanction(info.context.conn, raw_id, position)
    return Sanction.from_view(view, position) if view else None


def _amendment_node(info: Info[Context, None], raw_id: str,
                    position: int | None) -> LetterAmendment | None:
    view = views.amendment_letter(info.context.conn, raw_id, position)
    letter = ResponsibilityLetter.from_view(view, server_today(), position) if view else None
    return next((a for a in letter.amendments if a.id == gid("LetterAmendment", raw_id)),
                None) if letter else None


def _measure_node(info: Info[Context, None], raw_id: str,
                  position: int | None) -> RectificationMeasure | None:
    view = rectification.measure_finding(info.context.conn, raw_id, position)
    finding = Finding.from_view(view, server_today(), position) if view else None
    return next((m for m in finding.measures if m.id == gid("RectificationMeasure", raw_id)),
                None) if finding else None


NODES: NodeRegistry = {"ResponsibilityLetter": _letter_node, "Finding": _finding_node,
                       "Commitment": _commitment_node, "Project": _project_node,
                       "Sanction": _sanction_node, "LetterAmendment": _amendment_node,
                       "RectificationMeasure": _measure_node}
