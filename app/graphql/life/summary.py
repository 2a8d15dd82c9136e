"""Output types of the 三会一课 compliance summary over a subtree: each organisation's counts and
the totals, from the summary read model's rows."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from app.graphql.accountability.common import organization_at
from app.graphql.core.types import Organization
from app.graphql.kit.context import Context
from app.graphql.kit.ids import gid
from app.graphql.kit.paging import Connection
from app.graphql.kit.vocab import code, labelled
from domain.values import OrganizationKind
from projections import life_summary as summary


@strawberry.type(description="Counts of organisational life that add up over organisations: "
                             "what the closed periods required, what was held and who came.")
class ComplianceTally:
    organizations: int
    required: int = strawberry.field(description="应开: meetings the closed periods required.")
    fulfilled: int = strawberry.field(description="Meetings counted towards them (at most what "
                                                  "each period required).")
    held: int = strawberry.field(description="已开: meetings held in the year up to the "
                                             "judging day, of any kind.")
    missing: int = strawberry.field(description="Closed periods with fewer meetings than "
                                                "required.")
    behind: int = strawberry.field(description="Organisations with a missing period.")
    listed: int = strawberry.field(description="Attendance entries of the meetings held.")
    present: int
    rate: float | None = strawberry.field(description="完成率: fulfilled out of required.")
    attendance_rate: float | None = strawberry.field(
        description="平均出席率: present out of listed, over every meeting held.")

    @classmethod
    def of(cls, tally: summary.Tally) -> ComplianceTally:
        return cls(organizations=tally.organizations, required=tally.required,
                   fulfilled=tally.fulfilled, held=tally.held, missing=tally.missing,
                   behind=tally.behind, listed=tally.listed, present=tally.present,
                   rate=tally.rate, attendance_rate=tally.attendance_rate)


@labelled
@strawberry.type(description="One organisation of the summary: its own compliance counts, as "
                             "its `meetingCompliance` gives them.")
class OrganizationCompliance:
    organization_id: strawberry.ID
    name: str
    kind: str = code(OrganizationKind)
    tally: ComplianceTally
    raw: strawberry.Private[str]
    position: strawberry.Private[int | None]

    @strawberry.field
    def organization(self, info: Info[Context, None]) -> Organization | None:
        return organization_at(info, self.raw, self.position)

    @classmethod
    def of(cls, row: summary.OrganizationTally, position: int | None) -> OrganizationCompliance:
        return cls(organization_id=gid("Organization", row.id), name=row.name, kind=row.kind,
                   tally=ComplianceTally.of(row.tally), raw=row.id, position=position)


@strawberry.type(description="三会一课 compliance across an organisation's subtree in a year, as "
                             "known at `asOf` and judged on `judgedOn`: the totals, and each "
                             "organisation the reader may read, by name.")
class MeetingComplianceSummary:
    year: int
    judged_on: date
    totals: ComplianceTally
    organizations: Connection[OrganizationCompliance]
