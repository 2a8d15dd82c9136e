"""The root field to read a member's record, for a reader whose remit holds the member."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from app.graphql.accountability.common import business_day
from app.graphql.accountability.queries import may_read_party
from app.graphql.core.queries import raw
from app.graphql.kit.context import Context
from app.graphql.kit.paging import bad_input
from app.graphql.kit.permissions import AUTHENTICATED
from app.graphql.member_record.types import MemberRecord
from projections import member_record as views

MAX_DAYS = 10 * 366

From = Annotated[date | None, strawberry.argument(
    name="from", description="The first day (default: 1 January of the year of `to`).")]
To = Annotated[date | None, strawberry.argument(
    name="to", description="The last day (default: the server's date).")]


@strawberry.type
class MemberRecordQuery:
    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="A party member's record from `from` to `to` (at most ten "
                                  "years), as known at `asOf`: null unless the reader may read "
                                  "the person (oneself, or someone holding a post or role in "
                                  "the reader's remit); each list holds only what belongs to "
                                  "organisations the reader may read.")
    def member_record(self, info: Info[Context, None], person_id: strawberry.ID,
                      from_: From = None, to: To = None,
                      as_of: datetime | None = None) -> MemberRecord | None:
        person = raw(person_id, "Person", "personId")
        until = business_day(to)
        since = date(until.year, 1, 1) if from_ is None else from_
        if since > until:
            raise bad_input("from must not be after to", "from")
        if (until - since).days > MAX_DAYS:
            raise bad_input("at most ten years at once", "from")
        position = info.context.position(as_of)
        if not may_read_party(info, "person", person):
            return None
        return MemberRecord.of(views.member_record(
            info.context.conn, person, since, until, info.context.scope().organizations(),
            position), position)
