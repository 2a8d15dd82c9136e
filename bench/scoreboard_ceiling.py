"""The GraphQL execution ceiling for the scoreboard query of bench/scoreboard.py: the same
result shape (top 100 of a category with scores, grade and ranks), answered from prebuilt
in-memory objects through the same strawberry + uvicorn stack and caches.
Serve with: uvicorn bench.scoreboard_ceiling:app"""

from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL
from strawberry.extensions import ParserCache, ValidationCache


@strawberry.type
class Org:
    name: str


@strawberry.type
class KindScores:
    organizational: float | None
    mass: float | None
    self_: float | None = strawberry.field(name="self")
    social: float | None


@strawberry.type
class Standing:
    organization: Org
    category: str
    combined: float | None
    party_building: float | None
    business: float | None
    grade: str | None
    category_rank: int | None
    overall_rank: int | None
    by_kind: KindScores


LINES = [
    Standing(organization=Org(name=f"第{n}党支部"), category="营销", combined=95 - n * 0.1,
             party_building=94 - n * 0.1, business=90.5, grade="优秀", category_rank=n + 1,
             overall_rank=n * 5 + 1,
             by_kind=KindScores(organizational=92.5, mass=88.25, self_=96.0, social=85.5))
    for n in range(100)
]


@strawberry.type
class Page:
    total_count: int
    nodes: list[Standing]


@strawberry.type
class Query:
    @strawberry.field
    def scoreboard(self, cycle_id: strawberry.ID, category: str | None = None, first: int = 100,
                   as_of: str | None = None) -> Page:
        return Page(total_count=400, nodes=LINES[:first])


schema = strawberry.Schema(query=Query, extensions=[
    lambda: ParserCache(maxsize=512), lambda: ValidationCache(maxsize=512)])
app = GraphQL(schema, graphql_ide=None)
