"""Output types of responsibility and accountability: letters, commitments, findings and their
escalation, projects, rewards and restraints, and the accountability view, each built from a
read-model row."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from app.graphql.assessment.queries import cycle_node
from app.graphql.assessment.types import AssessmentCycle, Standing
from app.graphql.core.types import (
    Goal,
    Organization,
    Person,
    ResponsibilityGap,
    person_of,
    version_field,
)
from app.graphql.kit.context import Context
from app.graphql.kit.ids import gid
from app.graphql.kit.nodes import Node, NodeRegistry
from app.graphql.kit.paging import Connection, connection, page_of
from projections import accountability as views
from projections import rectification
from projections import responsibility_list as duty
from projections import scoreboard as board
from projections.pages import slice_page


def server_today() -> date:
    """"Today" where a caller gives none: the server's date."""
    return date.today()


def business_day(value: date | None) -> date:
    return value if value is not None else server_today()


def party_gid(party_kind: str, raw_id: str) -> strawberry.ID:
    return gid("Person" if party_kind == "person" else "Organization", raw_id)


def organization_at(info: Info[Context, None], raw_id: str | None,
                    position: int | None) -> Organization | None:
    if raw_id is None:
        return None
    node = info.context.loaders.organization.get(raw_id, position)
    return Organization.from_view(node, position) if node else None


def person_at(info: Info[Context, None], raw_id: str | None,
              position: int | None) -> Person | None:
    if raw_id is None:
        return None
    member = info.context.loaders.person.get(raw_id, position)
    return person_of(member, position) if member else None


def goals_at(info: Info[Context, None], raw_ids: list[str], position: int | None) -> list[Goal]:
    loader = info.context.loaders.goal
    for raw_id in raw_ids:
        loader.want(raw_id, position)
    found = [loader.get(raw_id, position) for raw_id in raw_ids]
    return [Goal.from_view(view, position) for view in found if view is not None]


@strawberry.type(description="One side's signature on a letter.")
class Signature:
    side: str
    signer_id: strawberry.ID
    signed_on: date | None


@strawberry.type(description="A proposed change to a goal on a signed letter.")
class LetterAmendment:
    id: strawberry.ID
    goal_id: strawberry.ID
    changes: JSON
    status: str = strawberry.field(description="proposed, approved or rejected")
    proposed_by: str
    reason: str
    decided_by: str | None
    decision_reason: str | None


@strawberry.type(description="目标责任书: a higher organisation's letter to a lower one for a "
                             "year, listing the goals the lower one takes on.")
class ResponsibilityLetter(Node):
    title: str
    version: int = version_field()
    year: int
    status: str = strawberry.field(description="drafted, or signed once both sides signed")
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
            changes=JSON(a.changes), status=a.status, proposed_by=a.proposed_by,
            reason=a.reason, decided_by=a.decided_by, decision_reason=a.decision_reason)
            for a in view.amendments]
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
class RectificationMeasure:
    id: strawberry.ID
    description: str
    owner_id: strawberry.ID
    due_date: date
    overdue: bool


@strawberry.type(description="问题整改: a finding and its rectification, a closed loop.")
class Finding(Node):
    title: str
    version: int = version_field()
    source: str
    severity: str
    status: str = strawberry.field(description="open (raised, returned, or reopened after "
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
    last_actor: str = strawberry.field(description="Who took the latest step.")
    last_reason: str
    measures: list[RectificationMeasure]
    readable_by: strawberry.Private[tuple[str, ...]]
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
            evidence=view.evidence, last_actor=view.last_actor, last_reason=view.last_reason,
            measures=[RectificationMeasure(
                id=gid("RectificationMeasure", m.measure_id), description=m.description,
                owner_id=gid("Person", m.owner_id), due_date=m.due_date,
                overdue=m.measure_id in late) for m in view.measures],
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


@strawberry.type(description="公开承诺: a public commitment by a person or an organisation.")
class Commitment(Node):
    title: str
    version: int = version_field()
    party_kind: str
    party_id: strawberry.ID
    organization_id: strawberry.ID
    due_date: date
    made_on: date
    follow_ups: int
    status: str = strawberry.field(description="open, fulfilled or not_fulfilled")
    concluded_on: date | None
    readable_by: strawberry.Private[tuple[str, ...]]

    @classmethod
    def from_view(cls, view: views.CommitmentView) -> Commitment:
        return cls(id=gid("Commitment", view.id), title=view.title, party_kind=view.party_kind,
                   party_id=party_gid(view.party_kind, view.party_id),
                   organization_id=gid("Organization", view.organization_id),
                   due_date=view.due_date, made_on=view.made_on, follow_ups=view.follow_ups,
                   status=view.status, concluded_on=view.concluded_on,
                   readable_by=(view.organization_id,))


@strawberry.type
class Milestone:
    title: str
    due_date: date
    reached: bool


@strawberry.type(description="党建项目: foundation, promotion or innovation.")
class Project(Node):
    title: str
    version: int = version_field()
    type: str
    status: str = strawberry.field(
        description="proposed, approved, in_progress, accepted or rejected")
    leader_id: strawberry.ID
    milestones: list[Milestone]
    last_reason: str
    readable_by: strawberry.Private[tuple[str, ...]]
    view: strawberry.Private[views.ProjectView]
    position: strawberry.Private[int | None]

    @classmethod
    def from_view(cls, view: views.ProjectView, position: int | None) -> Project:
        return cls(id=gid("Project", view.id), title=view.title, type=view.project_type,
                   status=view.status, leader_id=gid("Person", view.leader_id),
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


@strawberry.type(description="What justifies a reward or restraint.")
class SanctionBasis:
    kind: str = strawberry.field(description="evaluation, finding or letter")
    id: strawberry.ID


BASIS_TYPES = {"evaluation": "Evaluation", "finding": "Finding",
               "letter": "ResponsibilityLetter"}


@strawberry.type(description="奖惩: a commendation, admonishing talk, written warning or "
                             "accountability; never deleted, only revoked with a reason.")
class Sanction(Node):
    kind: str
    version: int = version_field()
    reward: bool
    party_kind: str
    party_id: strawberry.ID
    organization_id: strawberry.ID
    basis: list[SanctionBasis]
    reason: str
    issued_by: str
    issued_on: date
    revoked: bool
    revocation_reason: str | None
    readable_by: strawberry.Private[tuple[str, ...]]

    @classmethod
    def from_view(cls, view: views.SanctionView) -> Sanction:
        return cls(
            id=gid("Sanction", view.id), kind=view.kind, reward=view.kind == "commendation",
            party_kind=view.party_kind, party_id=party_gid(view.party_kind, view.party_id),
            organization_id=gid("Organization", view.organization_id),
            basis=[SanctionBasis(kind=b["kind"], id=gid(BASIS_TYPES[b["kind"]], b["id"]))
                   for b in view.basis],
            reason=view.reason, issued_by=view.issued_by, issued_on=view.issued_on,
            revoked=view.revoked, revocation_reason=view.revocation_reason,
            readable_by=(view.organization_id,))


@strawberry.type(description="A goal someone answers for, with its status and score.")
class AccountableGoal:
    goal_id: strawberry.ID
    title: str
    level: str
    status: str
    kind: str = strawberry.field(description="collective, primary, direct or specific")
    since: date | None
    score: float | None = strawberry.field(
        description="The goal's item score (0-100, its evaluator kinds weighed by the "
                    "cycle's scheme) in `scoreCycle`; null while nobody has scored it.")
    score_cycle_id: strawberry.Private[str | None]
    position: strawberry.Private[int | None]

    @classmethod
    def from_view(cls, row: duty.Responsibility, found: board.GoalScore | None,
                  position: int | None) -> AccountableGoal:
        return cls(goal_id=gid("Goal", row.goal_id), title=row.goal_title,
                   level=row.goal_level, status=row.goal_status, kind=row.kind,
                   since=date.fromisoformat(row.since) if row.since else None,
                   score=found.score if found else None,
                   score_cycle_id=found.cycle_id if found else None, position=position)

    @strawberry.field(description="The cycle the score is taken from: the latest published "
                                  "one scoring the goal, else the latest one under way.")
    def score_cycle(self, info: Info[Context, None]) -> AssessmentCycle | None:
        return (cycle_node(info, self.score_cycle_id, self.position)
                if self.score_cycle_id else None)


@strawberry.type(description="An organisation's result in the cycle its scores are shown "
                             "from.")
class LatestAssessment:
    cycle: AssessmentCycle
    standing: Standing


@strawberry.type(description="What an accountability review opens first: for a person or an "
                             "organisation, as it stood at a moment. Its lists are keyset "
                             "connections (first/after or last/before, at most 100).")
class Accountability:
    party_kind: str
    party_id: strawberry.ID
    today: date = strawberry.field(description="The day overdue is judged against.")
    latest_assessment: LatestAssessment | None = strawberry.field(
        description="For an organisation: its combined score, grade and ranks in the latest "
                    "published cycle assessing it (else the latest one under way).")
    party: strawberry.Private[views.Party]
    position: strawberry.Private[int | None]

    @classmethod
    def of(cls, info: Info[Context, None], party: views.Party, today: date,
           position: int | None) -> Accountability:
        found = party.assessment(info.context.conn, position)
        assessment = None
        if found is not None:
            cycle = cycle_node(info, found[0].cycle_id, position)
            node = info.context.loaders.organization.get(found[1].organization_id, position)
            assessment = (LatestAssessment(cycle=cycle,
                                           standing=Standing.of(found[1], node, position))
                          if cycle else None)
        return cls(party_kind=party.kind, party_id=party_gid(party.kind, party.id),
                   today=today, latest_assessment=assessment, party=party, position=position)

    @strawberry.field(description="The goals it answers for, by kind (collective, primary, "
                                  "direct, specific), with status and score.")
    def goals(self, info: Info[Context, None], first: int | None = None,
              after: str | None = None, last: int | None = None,
              before: str | None = None) -> Connection[AccountableGoal]:
        page = page_of(first, after, last, before, 3)
        rows, scores = self.party.goals(info.context.conn, self.position,
                                        info.context.scope().organizations())
        found, more = slice_page(rows, views.responsibility_key, page)
        return connection([AccountableGoal.from_view(r, scores.get(r.goal_id), self.position)
                           for r in found], [views.responsibility_key(r) for r in found],
                          more, page, len(rows))

    @strawberry.field(description="A person's: the letters they signed; an organisation's: "
                                  "those it issued or received. The latest year first.")
    def letters(self, info: Info[Context, None], first: int | None = None,
                after: str | None = None, last: int | None = None,
                before: str | None = None) -> Connection[ResponsibilityLetter]:
        page = page_of(first, after, last, before, 3)
        where = replace(self.party.letters, within=info.context.scope().organizations())
        found, more, total = views.letters_page(info.context.conn, where, self.position, page)
        return connection([ResponsibilityLetter.from_view(v, self.today, self.position)
                           for v in found], [views.letter_key(v) for v in found], more, page,
                          total)

    @strawberry.field
    def commitments(self, info: Info[Context, None], first: int | None = None,
                    after: str | None = None, last: int | None = None,
                    before: str | None = None) -> Connection[Commitment]:
        page = page_of(first, after, last, before, 3)
        found, more, total = views.commitments_page(
            info.context.conn, "party_id", self.party.id, self.position, page,
            info.context.scope().organizations())
        return connection([Commitment.from_view(c) for c in found],
                          [views.commitment_key(c) for c in found], more, page, total)

    def _scoped_findings(self, info: Info[Context, None],
                         unclosed: bool) -> rectification.FindingFilter:
        where = self.party.findings(unclosed)
        return replace(where, organization_ids=info.context.scope().cut(where.organization_ids))

    def _findings(self, info: Info[Context, None], unclosed: bool, first: int | None,
                  after: str | None, last: int | None,
                  before: str | None) -> Connection[Finding]:
        page = page_of(first, after, last, before, 3)
        found, more, total = rectification.findings_page(
            info.context.conn, self._scoped_findings(info, unclosed), self.position, page)
        return connection([Finding.from_view(f, self.today, self.position) for f in found],
                          [rectification.finding_key(f) for f in found], more, page, total)

    @strawberry.field(description="All, closed ones included, by deadline.")
    def findings(self, info: Info[Context, None], first: int | None = None,
                 after: str | None = None, last: int | None = None,
                 before: str | None = None) -> Connection[Finding]:
        return self._findings(info, False, first, after, last, before)

    @strawberry.field(description="Those not yet closed, by deadline.")
    def open_findings(self, info: Info[Context, None], first: int | None = None,
                      after: str | None = None, last: int | None = None,
                      before: str | None = None) -> Connection[Finding]:
        return self._findings(info, True, first, after, last, before)

    @strawberry.field(description="Overdue findings and measures, most overdue first.")
    def overdue(self, info: Info[Context, None], first: int | None = None,
                after: str | None = None, last: int | None = None,
                before: str | None = None) -> Connection[OverdueItem]:
        page = page_of(first, after, last, before, 4)
        conn = info.context.conn
        findings, _, _ = rectification.findings_page(
            conn, self._scoped_findings(info, unclosed=True), self.position)
        items = rectification.overdue_items(conn, findings, self.today, self.position)
        found, more = slice_page(items, views.overdue_key, page)
        return connection([OverdueItem.from_view(i, self.today, self.position) for i in found],
                          [views.overdue_key(i) for i in found], more, page, len(items))

    @strawberry.field(description="A person's: those they lead; an organisation's: its own.")
    def projects(self, info: Info[Context, None], first: int | None = None,
                 after: str | None = None, last: int | None = None,
                 before: str | None = None) -> Connection[Project]:
        page = page_of(first, after, last, before, 2)
        found, more, total = views.projects_page(
            info.context.conn, self.party.project_column, self.party.id, self.position, page,
            info.context.scope().organizations())
        return connection([Project.from_view(p, self.position) for p in found],
                          [views.project_key(p) for p in found], more, page, total)

    @strawberry.field(description="Rewards and restraints, by date issued.")
    def sanctions(self, info: Info[Context, None], first: int | None = None,
                  after: str | None = None, last: int | None = None,
                  before: str | None = None) -> Connection[Sanction]:
        page = page_of(first, after, last, before, 2)
        found, more, total = views.sanctions_page(
            info.context.conn, "party_id", self.party.id, self.position, page,
            info.context.scope().organizations())
        return connection([Sanction.from_view(s) for s in found],
                          [views.sanction_key(s) for s in found], more, page, total)

    @strawberry.field(description="For an organisation: goals at or below it with no primary "
                                  "or direct holder, by title.")
    def responsibility_gaps(self, info: Info[Context, None], first: int | None = None,
                            after: str | None = None, last: int | None = None,
                            before: str | None = None) -> Connection[ResponsibilityGap]:
        page = page_of(first, after, last, before, 2)
        conn = info.context.conn
        found, more, total = duty.gaps_page(
            conn, self.position,
            info.context.scope().cut(self.party.subtree(conn, self.position)), page)
        return connection([ResponsibilityGap.from_view(g) for g in found],
                          [(g.title, g.goal_id) for g in found], more, page, total)


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
    return Commitment.from_view(view) if view else None


def _project_node(info: Info[Context, None], raw_id: str, position: int | None) -> Project | None:
    view = views.project(info.context.conn, raw_id, position)
    return Project.from_view(view, position) if view else None


def _sanction_node(info: Info[Context, None], raw_id: str,
                   position: int | None) -> Sanction | None:
    view = views.sanction(info.context.conn, raw_id, position)
    return Sanction.from_view(view) if view else None


NODES: NodeRegistry = {"ResponsibilityLetter": _letter_node, "Finding": _finding_node,
                       "Commitment": _commitment_node, "Project": _project_node,
                       "Sanction": _sanction_node}
