"""Root fields to read responsibility and accountability: the accountability view, overdue
rectifications with their escalation, a finding and a letter."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.types import Info

from app.graphql.accountability_types import (
    Accountability,
    Finding,
    OverdueItem,
    ResponsibilityLetter,
    business_day,
)
from app.graphql.context import Context
from app.graphql.ids import BadIdError, from_global_id
from app.graphql.queries import AUTHENTICATED, bad_input, raw, readable_scope
from projections import accountability as views
from projections import organization_tree as tree
from projections import rectification


def may_read_party(info: Info[Context, None], party_kind: str, raw_id: str) -> bool:
    visible = info.context.visible()
    if visible is None:
        return True
    if party_kind == "organization":
        return raw_id in visible
    principal = info.context.principal
    return (principal is not None and str(principal.person_id) == raw_id) or bool(
        visible & tree.affiliations(info.context.conn, raw_id))


@strawberry.type
class AccountabilityQuery:
    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="The accountability view of a Person or an Organization as "
                                  "of `asOf`; overdue is judged against `today` (default: the "
                                  "server's date).")
    def accountability(self, info: Info[Context, None], party_id: strawberry.ID,
                       as_of: datetime | None = None,
                       today: date | None = None) -> Accountability | None:
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
        view = views.accountability(info.context.conn, kind, str(party), business_day(today),
                                    position)
        return Accountability.from_view(info, view, position)

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="Overdue findings and measures (under `organizationId`), "
                                  "most overdue first, each with its escalation chain as the "
                                  "posts stood on its due date.")
    def overdue_rectifications(self, info: Info[Context, None],
                               organization_id: strawberry.ID | None = None,
                               as_of: datetime | None = None,
                               today: date | None = None) -> list[OverdueItem]:
        position = info.context.position(as_of)
        conn = info.context.conn
        scope = readable_scope(info, organization_id, position)
        day = business_day(today)
        found = rectification.findings_of_organizations(
            conn, list(scope) if scope is not None else None, position)
        return [OverdueItem.from_view(item, day, position)
                for item in rectification.overdue_items(conn, found, day, position)]

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


