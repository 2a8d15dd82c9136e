"""Root fields to read the democratic evaluation of party members: a round, the rounds of the
branches in reach, and the grades members held on a day, each cut to the principal's read
scope."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.types import Info

from app.graphql.accountability.common import business_day
from app.graphql.core.queries import raw, readable_scope
from app.graphql.kit.context import Context
from app.graphql.kit.paging import Connection, bad_input, listed, page_of
from app.graphql.kit.permissions import AUTHENTICATED
from app.graphql.members.types import MemberEvaluationRound, MemberGradeHeld
from domain.member_evaluation import GradeStanding, MemberGrade
from projections import member_evaluation as views


def _year(year: int | None) -> int | None:
    if year is not None and not 1921 <= year <= 9998:
        raise bad_input("year must lie between 1921 and 9998", "year")
    return year


def round_key(view: views.RoundView) -> tuple[str, str]:
    return f"{view.year:04d}", view.id


def grade_key(held: views.GradeHeld) -> tuple[str, str]:
    return held.round_id, held.member_id


@strawberry.type
class MembersQuery:
    @strawberry.field(permission_classes=AUTHENTICATED)
    def member_evaluation(self, info: Info[Context, None], id: strawberry.ID,
                          as_of: datetime | None = None) -> MemberEvaluationRound | None:
        position = info.context.position(as_of)
        view = views.round_of(info.context.conn, raw(id, "MemberEvaluationRound", "id"),
                              position)
        if view is None or not info.context.scope().within(view.organization_id):
            return None
        return MemberEvaluationRound.from_view(view, position)

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="民主评议党员 rounds (under `organizationId`; of a `year`), "
                                  "the latest year first, as known at `asOf`.")
    def member_evaluations(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
        organization_id: strawberry.ID | None = None, year: int | None = None,
        as_of: datetime | None = None,
    ) -> Connection[MemberEvaluationRound]:
        page = page_of(first, after, last, before, 2)
        position = info.context.position(as_of)
        scope = readable_scope(info, organization_id, position)
        found = sorted(views.rounds(info.context.conn, scope, _year(year), position),
                       key=round_key, reverse=True)
        return listed(found, round_key, page,
                      lambda chosen: [MemberEvaluationRound.from_view(v, position)
                                      for v in chosen], descending=True)

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="Members' grades (in the branches under `organizationId`; "
                                  "of a round's `year`, a `grade`, a `standing`) as they stood "
                                  "on `validAt` (default: the server's date), by the grades' "
                                  "and reviews' effective dates, as known at `asOf`.")
    def member_grades(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
        organization_id: strawberry.ID | None = None, year: int | None = None,
        grade: MemberGrade | None = None, standing: GradeStanding | None = None,
        valid_at: date | None = None, as_of: datetime | None = None,
    ) -> Connection[MemberGradeHeld]:
        page = page_of(first, after, last, before, 2)
        position = info.context.position(as_of)
        scope = readable_scope(info, organization_id, position)
        held = [g for g in views.grades_on(info.context.conn, scope, business_day(valid_at),
                                           _year(year), position)
                if (grade is None or g.grade == grade)
                and (standing is None or g.standing == standing)]
        held.sort(key=grade_key)
        return listed(held, grade_key, page,
                      lambda chosen: [MemberGradeHeld.of(g, position) for g in chosen])
