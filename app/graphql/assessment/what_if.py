"""What-if (假设评分): a cycle's ranking under a changed scheme, scored in memory beside the
scoreboard's own; nothing is written."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

from app.graphql.assessment.inputs import (
    GradeBandInput,
    KindWeightInput,
    SchemeInput,
    VetoConditionInput,
)
from app.graphql.assessment.types import organization_at
from app.graphql.core.types import Organization
from app.graphql.kit.context import Context
from app.graphql.kit.paging import Connection, bad_input, connection, page_of
from domain.cycles import checked_scheme
from domain.errors import DomainError
from domain.scoring import Scheme
from domain.scoring import shown as score
from projections import scoreboard as board
from projections.pages import Page, slice_page


@strawberry.input(description="A change to a cycle's scheme, shaped as SchemeInput: a field "
                              "given replaces the cycle's value, a field left out (or null) "
                              "keeps it.")
class SchemeChangeInput:
    evaluator_weights: list[KindWeightInput] | None = None
    grade_bands: list[GradeBandInput] | None = None
    party_building_weight: int | None = None
    vetoes: list[VetoConditionInput] | None = None
    routine_weight: int | None = None

    def over(self, scheme: dict[str, Any]) -> dict[str, Any]:
        """The cycle's stored scheme with this change, in the form `checked_scheme` takes."""
        given = SchemeInput(
            evaluator_weights=self.evaluator_weights or [], grade_bands=self.grade_bands or [],
            party_building_weight=self.party_building_weight or 0, vetoes=self.vetoes or [],
            routine_weight=self.routine_weight).to_domain()
        return {**scheme, **{name: given[name] for name in SCHEME_FIELDS
                             if getattr(self, name) is not None}}


SCHEME_FIELDS = ("evaluator_weights", "grade_bands", "party_building_weight", "vetoes",
                 "routine_weight")


@strawberry.type(description="A line's figures under one scheme.")
class WhatIfScore:
    party_building: float | None
    combined: float | None
    grade: str | None
    category_rank: int | None
    overall_rank: int | None


@strawberry.type(description="An organisation's line as the scoreboard shows it (actual) and "
                             "under the changed scheme (hypothetical); a move is how many "
                             "places it climbs (negative: falls), null when either is unranked.")
class WhatIfStanding:
    category: str
    actual: WhatIfScore
    hypothetical: WhatIfScore
    category_rank_move: int | None
    overall_rank_move: int | None
    organization_raw_id: strawberry.Private[str]
    position: strawberry.Private[int | None]

    @strawberry.field
    def organization(self, info: Info[Context, None]) -> Organization | None:
        return organization_at(info, self.organization_raw_id, self.position)


def move(actual: int | None, hypothetical: int | None) -> int | None:
    return None if actual is None or hypothetical is None else actual - hypothetical


def line_of(found: board.Comparison, position: int | None) -> WhatIfStanding:
    actual, line = found.actual, found.hypothetical
    return WhatIfStanding(
        category=actual.category,
        actual=WhatIfScore(party_building=score(actual.party_building),
                           combined=score(actual.combined), grade=actual.grade,
                           category_rank=actual.category_rank,
                           overall_rank=actual.overall_rank),
        hypothetical=WhatIfScore(party_building=score(line.outcome.party_building),
                                 combined=score(line.outcome.combined),
                                 grade=line.outcome.grade, category_rank=line.category_rank,
                                 overall_rank=line.overall_rank),
        category_rank_move=move(actual.category_rank, line.category_rank),
        overall_rank_move=move(actual.overall_rank, line.overall_rank),
        organization_raw_id=actual.organization_id, position=position)


def changed_scheme(found: board.Cycle, change: SchemeChangeInput) -> Scheme:
    """The cycle's scheme with the change, validated as `reviseScheme` validates it."""
    try:
        return Scheme.from_dict(checked_scheme(change.over(found.scheme)))
    except DomainError as error:
        field = error.field or "scheme"
        raise GraphQLError(f"{field}: {error.message}", extensions={
            "code": "BAD_USER_INPUT", "argument": "scheme", "field": field}) from None


def what_if_standings(info: Info[Context, None], found: board.Cycle, change: SchemeChangeInput,
                      category: str | None, position: int | None, first: int | None,
                      after: str | None, last: int | None,
                      before: str | None) -> Connection[WhatIfStanding]:
    """A page of the comparison, in the order of the changed scheme's ranking (best first),
    keyed by place; lines outside the reader's scope are left out, ranks are over the whole
    cycle (as on the scoreboard)."""
    page = page_of(first, after, last, before, 1)
    try:
        keyed = Page(limit=page.limit, backwards=page.backwards,
                     after=(int(page.after[0]),) if page.after else None,
                     before=(int(page.before[0]),) if page.before else None)
    except ValueError:
        raise bad_input("not a cursor of this what-if", "after") from None
    scheme = changed_scheme(found, change)
    lines = [line for line in board.what_if(info.context.conn, found, scheme, position,
                                            info.context.scope().organizations())
             if category is None or line.actual.category == category]
    chosen, more = slice_page(lines, lambda line: (line.hypothetical.place,), keyed)
    loader = info.context.loaders.organization
    for line in chosen:
        loader.want(line.actual.organization_id, position)
    return connection([line_of(line, position) for line in chosen],
                      [(line.hypothetical.place,) for line in chosen], more, page, len(lines))
