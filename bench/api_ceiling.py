"""The GraphQL execution ceiling for the goals page of bench/api.py: the same result shape,
answered from prebuilt in-memory objects, through the same strawberry + uvicorn stack and
caches. Serve with: uvicorn bench.api_ceiling:app"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry
from strawberry.asgi import GraphQL
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.scalars import JSON


@strawberry.type
class Progress:
    reports: int
    value: Decimal | None
    completion: float | None


@strawberry.type
class Holder:
    kind: str
    party_id: strawberry.ID


@strawberry.type
class Holders:
    nodes: list[Holder]


@strawberry.type
class Org:
    name: str


@strawberry.type
class Goal:
    id: strawberry.ID
    title: str
    level: str
    status: str
    weight: int
    period_start: date
    indicator: JSON
    progress: Progress
    organization: Org
    holders: strawberry.Private[list[Holder]]

    @strawberry.field
    def responsible(self, first: int = 5) -> Holders:
        return Holders(nodes=self.holders[:first])


@strawberry.type
class Connection:
    total_count: int
    nodes: list[Goal]


GOALS = [
    Goal(id=strawberry.ID(f"R29hbDo{n:032d}"), title=f"具体目标{n}", level="specific",
         status="issued", weight=10, period_start=date(2026, 1, 1),
         indicator=JSON({"kind": "quantitative", "unit": "次", "baseline": "0", "target": "12"}),
         progress=Progress(reports=2, value=Decimal(6), completion=0.5),
         organization=Org(name="营销中心党支部"),
         holders=[Holder(kind=k, party_id=strawberry.ID(f"UGVyc29uO{n}{k}"))
                      for k in ("primary", "direct", "specific")])
    for n in range(100)
]


@strawberry.type
class Query:
    @strawberry.field
    def goals(self, first: int = 50, as_of: str | None = None) -> Connection:
        return Connection(total_count=len(GOALS), nodes=GOALS[:first])


schema = strawberry.Schema(query=Query, extensions=[
    lambda: ParserCache(maxsize=512), lambda: ValidationCache(maxsize=512)])
app = GraphQL(schema, graphql_ide=None)
