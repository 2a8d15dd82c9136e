"""Root fields to read organisational life: meeting records, rule sets and the compliance
view, each cut to the principal's read scope."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.types import Info

from app.graphql.accountability.common import business_day
from app.graphql.core.queries import raw, readable_scope
from app.graphql.kit.context import Context
from app.graphql.kit.paging import Connection, bad_input, connection, page_of
from app.graphql.kit.permissions import AUTHENTICATED
from app.graphql.life.summary import (
    ComplianceTally,
    MeetingComplianceSummary,
    OrganizationCompliance,
)
from app.graphql.life.types import Meeting, MeetingCompliance, MeetingRuleSet
from domain.meetings import MeetingKind, MeetingStatus
from projections import life_summary as summaries
from projections import organization_tree as tree
from projections import organizational_life as life
from projections.engine import tracked
from projections.pages import Page


def _folded(info: Info[Context, None]) -> int:
    """How far the read models a summary reads (the tree, organisational life) have both
    folded: known to this process's followers, else read."""
    runner = info.context.runner
    reached = []
    for projection in (tree.OrganizationTree, life.OrganizationalLife):
        known = runner.position(projection.name) if runner is not None else None
        if known is None:
            found = tracked(info.context.conn, projection)
            known = found[0] if found else 0
        reached.append(known)
    return min(reached)


def _summary(info: Info[Context, None], organization_id: str, year: int, day: date,
             position: int | None, page: Page) -> summaries.Summary | None:
    """The summary, kept in the process's shared results while the read models it reads
    have not moved (as of a position they have passed: for good), like the scoreboard's
    standings: a province's dashboard asks for it again and again, and working it out
    reads every organisation's tally."""
    readable = info.context.scope().organizations()
    reached = _folded(info)
    if position is not None and position > reached:  # not final yet
        return summaries.summary(info.context.conn, organization_id, year, day, position,
                                 readable, page)
    key = ("meeting compliance summary", organization_id, year, day, position,
           reached if position is None else None, page, readable)
    found: summaries.Summary | None = info.context.results.get(key)
    if found is None:
        found = info.context.results[key] = summaries.summary(
            info.context.conn, organization_id, year, day, position, readable, page)
    return found


def _year(year: int | None, day: date) -> int:
    wanted = day.year if year is None else year
    if not 1921 <= wanted <= 9998:
        raise bad_input("year must lie between 1921 and 9998", "year")
    return wanted


@strawberry.type
class LifeQuery:
    @strawberry.field(permission_classes=AUTHENTICATED)
    def meeting(self, info: Info[Context, None], id: strawberry.ID,
                as_of: datetime | None = None) -> Meeting | None:
        position = info.context.position(as_of)
        raw_id = raw(id, "Meeting", "id")
        view = life.meetings_by_id(info.context.conn, [raw_id], position).get(raw_id)
        if view is None or not info.context.scope().within(view.organization_id):
            return None
        return Meeting.from_view(view, position)

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="Meeting records (under `organizationId`; of a `kind`, a "
                                  "`year`, a `status`: held or cancelled), the latest first, "
                                  "in keyset pages.")
    def meetings(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
        organization_id: strawberry.ID | None = None, kind: MeetingKind | None = None,
        year: int | None = None, status: MeetingStatus | None = None, as_of: datetime | None = None,
    ) -> Connection[Meeting]:
        page = page_of(first, after, last, before, 2)
        position = info.context.position(as_of)
        where = life.MeetingFilter(
            organization_ids=readable_scope(info, organization_id, position),
            kind=kind.value if kind else None, year=year, status=status.value if status else None)
        found, more, total = life.meetings_page(info.context.conn, where, position, page)
        return connection([Meeting.from_view(v, position) for v in found],
                          [life.meeting_key(v) for v in found], more, page, total)

    @strawberry.field(permission_classes=AUTHENTICATED)
    def meeting_rule_set(self, info: Info[Context, None], id: strawberry.ID,
                         as_of: datetime | None = None) -> MeetingRuleSet | None:
        position = info.context.position(as_of)
        raw_id = raw(id, "MeetingRuleSet", "id")
        view = life.rule_sets_by_id(info.context.conn, [raw_id], position).get(raw_id)
        if view is None or not info.context.scope().within(view.organization_id):
            return None
        return MeetingRuleSet.from_view(view, position)

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="三会一课 compliance of an organisation in `year` (default: "
                                  "the year of `validAt`): required against held per meeting "
                                  "kind and period, the missing periods, each member's "
                                  "attendance. As known at `asOf`; judged on `validAt` "
                                  "(default: the server's date): meetings held on or before "
                                  "it, each period by the rules in force when it closed.")
    def meeting_compliance(self, info: Info[Context, None], organization_id: strawberry.ID,
                           year: int | None = None, as_of: datetime | None = None,
                           valid_at: date | None = None) -> MeetingCompliance | None:
        position = info.context.position(as_of)
        raw_id = raw(organization_id, "Organization", "organizationId")
        day = business_day(valid_at)
        wanted = _year(year, day)
        if not info.context.scope().within(raw_id):
            return None
        found = life.compliance(info.context.conn, raw_id, wanted, day, position)
        return MeetingCompliance.from_view(raw_id, found, position) if found else None

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="三会一课 compliance across `organizationId`'s subtree (a "
                                  "province's branches): the totals, and a page of its "
                                  "organisations by name, each counted as its "
                                  "`meetingCompliance` counts it; both cut to what the reader "
                                  "may read. `year`, `asOf` and `validAt` as there.")
    def meeting_compliance_summary(
        self, info: Info[Context, None], organization_id: strawberry.ID,
        first: int | None = None, after: str | None = None, last: int | None = None,
        before: str | None = None, year: int | None = None, as_of: datetime | None = None,
        valid_at: date | None = None,
    ) -> MeetingComplianceSummary | None:
        page = page_of(first, after, last, before, 2)
        position = info.context.position(as_of)
        raw_id = raw(organization_id, "Organization", "organizationId")
        day = business_day(valid_at)
        wanted = _year(year, day)
        scope = info.context.scope()
        if not scope.organization(raw_id):
            return None
        found = _summary(info, raw_id, wanted, day, position, page)
        if found is None:
            return None
        rows = [OrganizationCompliance.of(row, position) for row in found.rows]
        return MeetingComplianceSummary(
            year=wanted, judged_on=day, totals=ComplianceTally.of(found.totals),
            organizations=connection(rows, [summaries.summary_key(r) for r in found.rows],
                                     found.more, page, found.totals.organizations))
