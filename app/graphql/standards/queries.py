"""Root fields to read branch standardisation: a standard, a branch's record, the levels
branches held on a day and the shares by year, each cut to the principal's read scope."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.types import Info

from app.graphql.accountability.common import business_day
from app.graphql.core.queries import raw, readable_scope
from app.graphql.kit.context import Context
from app.graphql.kit.paging import Connection, bad_input, listed, page_of
from app.graphql.kit.permissions import AUTHENTICATED
from app.graphql.standards.types import (
    BranchStandard,
    BranchStandardisation,
    LevelHeld,
    LevelShare,
)
from domain.standardisation import StandardLevel
from projections import standardisation as views

MAX_YEARS = 10


@strawberry.type
class StandardsQuery:
    @strawberry.field(permission_classes=AUTHENTICATED)
    def branch_standard(self, info: Info[Context, None], id: strawberry.ID,
                        as_of: datetime | None = None) -> BranchStandard | None:
        position = info.context.position(as_of)
        raw_id = raw(id, "BranchStandard", "id")
        view = views.standards_by_id(info.context.conn, [raw_id], position).get(raw_id)
        if view is None or not info.context.scope().within(view.organization_id):
            return None
        return BranchStandard.from_view(view, position)

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="A branch's standardisation record (null before its first "
                                  "self-check), as known at `asOf`.")
    def branch_standardisation(self, info: Info[Context, None],
                               organization_id: strawberry.ID,
                               as_of: datetime | None = None) -> BranchStandardisation | None:
        position = info.context.position(as_of)
        raw_id = raw(organization_id, "Organization", "organizationId")
        if not info.context.scope().within(raw_id):
            return None
        view = views.record_of(info.context.conn, raw_id, position)
        return BranchStandardisation.from_view(view, position) if view else None

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="Which branches (under `organizationId`) held which level on "
                                  "`validAt` (default: the server's date), by the changes' "
                                  "effective dates, as known at `asOf`; of one `level` if "
                                  "given. A revoked level is none.")
    def branch_levels(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
        organization_id: strawberry.ID | None = None, level: StandardLevel | None = None,
        valid_at: date | None = None, as_of: datetime | None = None,
    ) -> Connection[LevelHeld]:
        page = page_of(first, after, last, before, 1)
        position = info.context.position(as_of)
        scope = readable_scope(info, organization_id, position)
        held = views.levels_held(info.context.conn, scope, business_day(valid_at), position)
        chosen = sorted((org, change) for org, change in held.items()
                        if level is None or change.level == level)
        return listed(chosen, lambda pair: (pair[0],), page,
                      lambda found: [LevelHeld.of(org, change, position)
                                     for org, change in found])

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="The share of branches (under `organizationId`) at each "
                                  "level at the end of each year from `fromYear` to `toYear` "
                                  "(default: the last three years, 一年打基础、二年见成效、"
                                  "三年上水平), as known at `asOf`.")
    def branch_level_shares(self, info: Info[Context, None],
                            organization_id: strawberry.ID | None = None,
                            from_year: int | None = None, to_year: int | None = None,
                            as_of: datetime | None = None) -> list[LevelShare]:
        position = info.context.position(as_of)
        last_year = business_day(None).year if to_year is None else to_year
        first_year = last_year - 2 if from_year is None else from_year
        if not 1921 <= first_year <= last_year <= 9998:
            raise bad_input("years lie between 1921 and 9998, fromYear not after toYear",
                            "fromYear")
        if last_year - first_year >= MAX_YEARS:
            raise bad_input(f"at most {MAX_YEARS} years at once", "fromYear")
        scope = readable_scope(info, organization_id, position)
        return [LevelShare.of(share) for share in views.level_shares(
            info.context.conn, scope, range(first_year, last_year + 1), position)]
