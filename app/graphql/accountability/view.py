"""The accountability view's output types: what a review of a person or an organisation
opens first, each list a keyset connection cut to the reader's scope."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import strawberry
from strawberry.types import Info

from app.graphql.accountability.common import party_gid
from app.graphql.accountability.records import Commitment, Project, Sanction, commitments_of
from app.graphql.accountability.types import Finding, OverdueItem, ResponsibilityLetter
from app.graphql.assessment.types import AssessmentCycle, Standing, cycle_node
from app.graphql.core.duties import ResponsibilityGap
from app.graphql.kit.context import Context
from app.graphql.kit.ids import gid
from app.graphql.kit.paging import Connection, connection, listed, page_of
from app.graphql.kit.vocab import (
    GoalLevel,
    GoalStatus,
    PartyKind,
    ResponsibilityKind,
    code,
    labelled,
)
from projections import accountability as views
from projections import rectification, valid_lists
from projections import responsibility_list as duty
from projections import scoreboard as board
from projections.pages import slice_page


@labelled
@strawberry.type(description="A goal someone answers for, with its status and score.")
class AccountableGoal:
    goal_id: strawberry.ID
    title: str
    level: str = code(GoalLevel)
    status: str = code(GoalStatus)
    kind: str = code(ResponsibilityKind, description="collective, primary, direct or specific")
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


@labelled
@strawberry.type(description="What an accountability review opens first: for a person or an "
                             "organisation, as it stood at a moment. Its lists are keyset "
                             "connections (first/after or last/before, at most 100).")
class Accountability:
    party_kind: str = code(PartyKind)
    party_id: strawberry.ID
    today: date = strawberry.field(description="The day overdue is judged against.")
    valid_at: date | None = strawberry.field(
        description="Set when asked `validAt`: its goals, letters, commitments, findings, "
                    "overdue items, projects and sanctions are as true in the business on "
                    "that date, as known at `asOf` (README: asOf × validAt).")
    latest_assessment: LatestAssessment | None = strawberry.field(
        description="For an organisation: its combined score, grade and ranks in the latest "
                    "published cycle assessing it (else the latest one under way).")
    party: strawberry.Private[views.Party]
    position: strawberry.Private[int | None]

    @classmethod
    def of(cls, info: Info[Context, None], party: views.Party, today: date,
           position: int | None, valid_at: date | None = None) -> Accountability:
        found = party.assessment(info.context.conn, position)
        assessment = None
        if found is not None:
            cycle = cycle_node(info, found[0].cycle_id, position)
            node = info.context.loaders.organization.get(found[1].organization_id, position)
            assessment = (LatestAssessment(cycle=cycle,
                                           standing=Standing.of(found[1], node, position))
                          if cycle else None)
        return cls(party_kind=party.kind, party_id=party_gid(party.kind, party.id),
                   today=today, valid_at=valid_at, latest_assessment=assessment, party=party,
                   position=position)

    @strawberry.field(description="The goals it answers for, by kind (collective, primary, "
                                  "direct, specific), with status and score.")
    def goals(self, info: Info[Context, None], first: int | None = None,
              after: str | None = None, last: int | None = None,
              before: str | None = None) -> Connection[AccountableGoal]:
        page = page_of(first, after, last, before, 3)
        conn, within = info.context.conn, info.context.scope().organizations()
        if self.valid_at is not None:
            rows = valid_lists.responsibilities(conn, self.party.id, self.valid_at,
                                                self.position, within)
            scores = board.goal_scores(conn, sorted({r.goal_id for r in rows}), self.position)
        else:
            rows, scores = self.party.goals(conn, self.position, within)
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
        if self.valid_at is not None:
            return listed(valid_lists.letters(info.context.conn, where, self.valid_at,
                                              self.position), views.letter_key, page,
                          lambda chosen: [ResponsibilityLetter.from_view(v, self.today,
                                                                         self.position)
                                          for v in chosen], descending=True)
        found, more, total = views.letters_page(info.context.conn, where, self.position, page)
        return connection([ResponsibilityLetter.from_view(v, self.today, self.position)
                           for v in found], [views.letter_key(v) for v in found], more, page,
                          total)

    def _records(self, info: Info[Context, None]) -> views.RecordFilter:
        return replace(self.party.records, within=info.context.scope().organizations())

    @strawberry.field(description="A person's: those they made; an organisation's: its own and "
                                  "those made public in it (by its members or anyone). By "
                                  "due date.")
    def commitments(self, info: Info[Context, None], first: int | None = None,
                    after: str | None = None, last: int | None = None,
                    before: str | None = None) -> Connection[Commitment]:
        page = page_of(first, after, last, before, 3)
        if self.valid_at is not None:
            return listed(valid_lists.commitments(info.context.conn, self._records(info),
                                                  self.valid_at, self.position),
                          views.commitment_key, page,
                          lambda chosen: commitments_of(info, chosen, self.position))
        found, more, total = views.commitments_page(info.context.conn, self._records(info),
                                                    self.position, page)
        return connection(commitments_of(info, found, self.position),
                          [views.commitment_key(c) for c in found], more, page, total)

    def _scoped_findings(self, info: Info[Context, None],
                         unclosed: bool) -> rectification.FindingFilter:
        where = self.party.findings(unclosed)
        return replace(where, organization_ids=info.context.scope().cut(where.organization_ids))

    def _findings(self, info: Info[Context, None], unclosed: bool, first: int | None,
                  after: str | None, last: int | None,
                  before: str | None) -> Connection[Finding]:
        page = page_of(first, after, last, before, 3)
        where = self._scoped_findings(info, unclosed)
        if self.valid_at is not None:
            return listed(valid_lists.findings(info.context.conn, where, self.valid_at,
                                               self.position), rectification.finding_key, page,
                          lambda chosen: [Finding.from_view(f, self.today, self.position)
                                          for f in chosen])
        found, more, total = rectification.findings_page(info.context.conn, where,
                                                         self.position, page)
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
        where = self._scoped_findings(info, unclosed=True)
        findings = (rectification.findings_page(conn, where, self.position)[0]
                    if self.valid_at is None else
                    valid_lists.findings(conn, where, self.valid_at, self.position))
        items = rectification.overdue_items(conn, findings, self.today, self.position)
        found, more = slice_page(items, views.overdue_key, page)
        return connection([OverdueItem.from_view(i, self.today, self.position) for i in found],
                          [views.overdue_key(i) for i in found], more, page, len(items))

    @strawberry.field(description="A person's: those they lead; an organisation's: its own.")
    def projects(self, info: Info[Context, None], first: int | None = None,
                 after: str | None = None, last: int | None = None,
                 before: str | None = None) -> Connection[Project]:
        page = page_of(first, after, last, before, 2)
        if self.valid_at is not None:
            return listed(valid_lists.projects(info.context.conn, self._records(info),
                                               self.valid_at, self.position),
                          views.project_key, page,
                          lambda chosen: [Project.from_view(p, self.position) for p in chosen])
        found, more, total = views.projects_page(info.context.conn, self._records(info),
                                                 self.position, page)
        return connection([Project.from_view(p, self.position) for p in found],
                          [views.project_key(p) for p in found], more, page, total)

    @strawberry.field(description="Rewards and restraints, by date issued. A person's: those on "
                                  "them; an organisation's: those on it, issued in it, or on "
                                  "someone who held a post in it on the day it took effect.")
    def sanctions(self, info: Info[Context, None], first: int | None = None,
                  after: str | None = None, last: int | None = None,
                  before: str | None = None) -> Connection[Sanction]:
        page = page_of(first, after, last, before, 2)
        if self.valid_at is not None:
            return listed(valid_lists.sanctions(info.context.conn, self._records(info),
                                                self.valid_at, self.position),
                          views.sanction_key, page,
                          lambda chosen: [Sanction.from_view(s, self.position) for s in chosen])
        found, more, total = views.sanctions_page(info.context.conn, self._records(info),
                                                  self.position, page)
        return connection([Sanction.from_view(s, self.position) for s in found],
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
