"""Root fields to read responsibility and accountability: the accountability view, overdue
rectifications with their escalation, findings and letters."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from app.graphql.accountability.common import business_day
from app.graphql.accountability.records import Commitment, Project, Sanction, commitments_of
from app.graphql.accountability.types import Finding, OverdueItem, ResponsibilityLetter
from app.graphql.accountability.view import Accountability
from app.graphql.core.queries import raw, readable_scope
from app.graphql.kit.context import Context
from app.graphql.kit.ids import BadIdError, from_global_id
from app.graphql.kit.paging import (
    Connection,
    bad_input,
    connection,
    listed,
    page_of,
    paginate,
)
from app.graphql.kit.permissions import AUTHENTICATED
from app.graphql.kit.vocab import (
    CommitmentStatus,
    FindingStatus,
    LetterStatus,
    ProjectStatus,
    SanctionStatus,
)
from projections import accountability as views
from projections import organization_tree as tree
from projections import rectification, valid_lists


def may_read_party(info: Info[Context, None], party_kind: str, raw_id: str) -> bool:
    visible = info.context.visible()
    if visible is None:
        return True
    if party_kind == "organization":
        return raw_id in visible
    principal = info.context.principal
    return (principal is not None and str(principal.person_id) == raw_id) or bool(
        visible & tree.affiliations(info.context.conn, raw_id))


# Most overdue first, as a sortable text key: days overdue counted down from this.
OVERDUE_KEY_SPAN = 10**9 - 1

# The record's own date: a commitment's day it was made, a project's day it was proposed, a
# sanction's day it took effect.
From = Annotated[date | None, strawberry.argument(
    name="from", description="Only those whose own date is on or after this day.")]
To = Annotated[date | None, strawberry.argument(
    name="to", description="Only those whose own date is on or before this day.")]


def record_filter(info: Info[Context, None], organization_id: str | None,
                  person_id: str | None, status: str | None, from_: date | None,
                  to: date | None, position: int | None) -> views.RecordFilter:
    """A top-level list's filter: the asked-for subtree cut to the reader's scope."""
    return views.RecordFilter(
        organization_ids=readable_scope(info, organization_id, position),
        person_id=raw(person_id, "Person", "personId") if person_id else None, status=status,
        since=from_, until=to)


@strawberry.type
class AccountabilityQuery:
    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="The accountability view of a Person or an Organization as "
                                  "of `asOf`; overdue is judged against `today` (default: the "
                                  "server's date). With `validAt`, its lists as true in the "
                                  "business on that date (the goals it answered for then, "
                                  "letters, commitments, findings, overdue items, projects, "
                                  "sanctions), as known at `asOf`; `today` defaults to it. "
                                  "Scores, the latest assessment and responsibility gaps stay "
                                  "as of `asOf`.")
    def accountability(self, info: Info[Context, None], party_id: strawberry.ID,
                       as_of: datetime | None = None, today: date | None = None,
                       valid_at: date | None = None) -> Accountability | None:
        try:
            party_type, party = from_global_id(party_id)
        except BadIdError as error:
            raise bad_input(str(error), "partyId") from None
        if party_type not in ("Person", "Organization"):
            raise bad_input("partyId must name a Person or an Organization", "partyId")
        kind = party_type.lower()
        position = info.context.position(as_of)
        if not may_read_party(info, kind, str(party)):
            return None
        return Accountability.of(info, views.Party(kind, str(party)),
                                 business_day(today or valid_at), position, valid_at)

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="Overdue findings and measures (under `organizationId`), "
                                  "most overdue first, each with its escalation chain as the "
                                  "posts stood on its due date. With `validAt`, what was "
                                  "overdue in the business on that date (findings and "
                                  "measures as they stood then, judged against `today`, "
                                  "default `validAt`), as known at `asOf`.")
    def overdue_rectifications(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
        organization_id: strawberry.ID | None = None, as_of: datetime | None = None,
        today: date | None = None, valid_at: date | None = None,
    ) -> Connection[OverdueItem]:
        position = info.context.position(as_of)
        conn = info.context.conn
        scope = readable_scope(info, organization_id, position)
        day = business_day(today or valid_at)
        found = rectification.findings_of_organizations(
            conn, list(scope) if scope is not None else None, position)
        if valid_at is not None:
            found = valid_lists.valid_views(conn, found, valid_at, position)
        items = [OverdueItem.from_view(item, day, position)
                 for item in rectification.overdue_items(conn, found, day, position)]
        return paginate(items, lambda i: (f"{OVERDUE_KEY_SPAN - i.days_overdue:09d}",
                                          str(i.finding.id), str(i.measure_id or "")),
                        first, after, last, before)

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="Findings (under `organizationId`; `status`: open, "
                                  "submitted or closed) by deadline, title and id, in keyset "
                                  "pages; overdue is judged against `today`. With `validAt`, "
                                  "each finding as it stood in the business on that date "
                                  "(status, deadline, owner, measures; those raised later "
                                  "left out), as known at `asOf`; `today` defaults to it.")
    def findings(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
        organization_id: strawberry.ID | None = None, status: FindingStatus | None = None,
        as_of: datetime | None = None, today: date | None = None,
        valid_at: date | None = None,
    ) -> Connection[Finding]:
        page = page_of(first, after, last, before, 3)
        position = info.context.position(as_of)
        where = rectification.FindingFilter(
            organization_ids=readable_scope(info, organization_id, position), status=status)
        day = business_day(today or valid_at)
        if valid_at is not None:
            return listed(valid_lists.findings(info.context.conn, where, valid_at, position),
                          rectification.finding_key, page,
                          lambda views: [Finding.from_view(f, day, position) for f in views])
        found, more, total = rectification.findings_page(info.context.conn, where, position,
                                                         page)
        return connection([Finding.from_view(f, day, position) for f in found],
                          [rectification.finding_key(f) for f in found], more, page, total)

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="Responsibility letters issued or received under "
                                  "`organizationId` (`status`: drafted or signed), the latest "
                                  "year first, in keyset pages. With `validAt`, each letter "
                                  "as it stood in the business on that date (signed by then "
                                  "or not, its goals and amendments), as known at `asOf`; "
                                  "`today` defaults to it.")
    def responsibility_letters(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
        organization_id: strawberry.ID | None = None, year: int | None = None,
        status: LetterStatus | None = None, as_of: datetime | None = None,
        today: date | None = None,
        valid_at: date | None = None,
    ) -> Connection[ResponsibilityLetter]:
        page = page_of(first, after, last, before, 3)
        position = info.context.position(as_of)
        where = views.LetterFilter(
            organization_ids=readable_scope(info, organization_id, position), year=year,
            status=status)
        day = business_day(today or valid_at)
        if valid_at is not None:
            return listed(
                valid_lists.letters(info.context.conn, where, valid_at, position),
                views.letter_key, page,
                lambda found: [ResponsibilityLetter.from_view(v, day, position) for v in found],
                descending=True)
        found, more, total = views.letters_page(info.context.conn, where, position, page)
        return connection([ResponsibilityLetter.from_view(v, day, position) for v in found],
                          [views.letter_key(v) for v in found], more, page, total)

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="Public commitments made under `organizationId` (by "
                                  "`personId`; `status`: open, fulfilled or not_fulfilled; "
                                  "made between `from` and `to`), by due date, in keyset "
                                  "pages. With `validAt`, each as it stood in the business "
                                  "on that date (open or concluded, its follow-ups; those "
                                  "made later left out), as known at `asOf`.")
    def commitments(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
        organization_id: strawberry.ID | None = None, person_id: strawberry.ID | None = None,
        status: CommitmentStatus | None = None, from_: From = None, to: To = None,
        as_of: datetime | None = None, valid_at: date | None = None,
    ) -> Connection[Commitment]:
        page = page_of(first, after, last, before, 3)
        position = info.context.position(as_of)
        where = record_filter(info, organization_id, person_id, status, from_, to, position)
        if valid_at is not None:
            return listed(valid_lists.commitments(info.context.conn, where, valid_at, position),
                          views.commitment_key, page,
                          lambda found: commitments_of(info, found, position))
        found, more, total = views.commitments_page(info.context.conn, where, position, page)
        return connection(commitments_of(info, found, position),
                          [views.commitment_key(c) for c in found], more, page, total)

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="Party-building projects of organisations under "
                                  "`organizationId` (led by `personId`; `status`: proposed, "
                                  "approved, in_progress, accepted or rejected; proposed "
                                  "between `from` and `to`), by title, in keyset pages. "
                                  "With `validAt`, each as it stood in the business on that "
                                  "date (its step, milestones reached; those proposed later "
                                  "left out), as known at `asOf`.")
    def projects(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
        organization_id: strawberry.ID | None = None, person_id: strawberry.ID | None = None,
        status: ProjectStatus | None = None, from_: From = None, to: To = None,
        as_of: datetime | None = None, valid_at: date | None = None,
    ) -> Connection[Project]:
        page = page_of(first, after, last, before, 2)
        position = info.context.position(as_of)
        where = record_filter(info, organization_id, person_id, status, from_, to, position)
        if valid_at is not None:
            return listed(valid_lists.projects(info.context.conn, where, valid_at, position),
                          views.project_key, page,
                          lambda found: [Project.from_view(p, position) for p in found])
        found, more, total = views.projects_page(info.context.conn, where, position, page)
        return connection([Project.from_view(p, position) for p in found],
                          [views.project_key(p) for p in found], more, page, total)

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="Rewards and restraints issued under `organizationId` (on "
                                  "`personId`; `status`: in_force or revoked; taking effect "
                                  "between `from` and `to`), by date issued, in keyset pages. "
                                  "With `validAt`, each as it stood in the business on that "
                                  "date (in force or revoked; those taking effect later left "
                                  "out), as known at `asOf`.")
    def sanctions(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
        organization_id: strawberry.ID | None = None, person_id: strawberry.ID | None = None,
        status: SanctionStatus | None = None, from_: From = None, to: To = None,
        as_of: datetime | None = None, valid_at: date | None = None,
    ) -> Connection[Sanction]:
        page = page_of(first, after, last, before, 2)
        position = info.context.position(as_of)
        where = record_filter(info, organization_id, person_id, status, from_, to, position)
        if valid_at is not None:
            return listed(valid_lists.sanctions(info.context.conn, where, valid_at, position),
                          views.sanction_key, page,
                          lambda found: [Sanction.from_view(s, position) for s in found])
        found, more, total = views.sanctions_page(info.context.conn, where, position, page)
        return connection([Sanction.from_view(s, position) for s in found],
                          [views.sanction_key(s) for s in found], more, page, total)

    @strawberry.field(permission_classes=AUTHENTICATED)
    def finding(self, info: Info[Context, None], id: strawberry.ID,
                as_of: datetime | None = None, today: date | None = None) -> Finding | None:
        position = info.context.position(as_of)
        view = rectification.finding(info.context.conn, raw(id, "Finding", "id"), position)
        if view is None or not may_read_party(info, "organization", view.organization_id):
            return None
        return Finding.from_view(view, business_day(today), position)

    @strawberry.field(permission_classes=AUTHENTICATED)
    def responsibility_letter(self, info: Info[Context, None], id: strawberry.ID,
                              as_of: datetime | None = None,
                              today: date | None = None) -> ResponsibilityLetter | None:
        position = info.context.position(as_of)
        view = views.letter(info.context.conn, raw(id, "ResponsibilityLetter", "id"), position)
        if view is None or not (may_read_party(info, "organization", view.recipient_id)
                                or may_read_party(info, "organization", view.issuer_id)):
            return None
        return ResponsibilityLetter.from_view(view, business_day(today), position)


