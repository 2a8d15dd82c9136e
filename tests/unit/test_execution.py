"""Our executor's shortcuts (app.graphql.kit.execution) answer exactly what graphql-core's
executor answers, data and errors alike, including where a shortcut must step aside: a null
in a non-null field, a value the type cannot serialise, an exception, a list with a null,
arguments, aliases, fragments, directives and abstract types."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from enum import Enum
from typing import Any

import pytest
import strawberry
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from app.graphql.kit.execution import execution_for


@strawberry.enum
class Colour(Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Leafy(Named):
    count: int
    amount: Decimal | None
    colour: Colour
    broken_count: int  # holds a value Int cannot serialise
    missing: str  # holds None: a non-null field with no value
    maybe: str | None
    tags: list[str]

    @strawberry.field
    def greeting(self, prefix: str = "你好") -> str:
        return f"{prefix}{self.name}"

    @strawberry.field
    def explodes(self) -> str | None:
        raise ValueError("boom")

    @strawberry.field
    async def later(self) -> str:
        await asyncio.sleep(0)
        return self.name


@strawberry.type
class Holder:
    label: str
    leaves: list[Leafy]
    first: Leafy | None
    optional_leaves: list[Leafy | None] | None = None


def leafy(name: str, **changes: Any) -> Leafy:
    values: dict[str, Any] = {"name": name, "count": 3, "amount": Decimal("1.50"),
                              "colour": Colour.RED, "broken_count": 1, "missing": "有",
                              "maybe": None, "tags": ["a", "b"]}
    values.update(changes)
    return Leafy(**values)


@strawberry.type
class Query:
    @strawberry.field
    def holder(self) -> Holder:
        return Holder(label="盒", leaves=[leafy("甲"), leafy("乙", maybe="有")],
                      first=leafy("丙"), optional_leaves=[leafy("丁"), None])

    @strawberry.field
    def bad_holder(self) -> Holder | None:
        return Holder(label="坏", leaves=[leafy("甲"), leafy("乙", missing=None)],
                      first=leafy("丙", broken_count=2**40))

    @strawberry.field
    def null_item_holder(self) -> Holder | None:
        return Holder(label="空", leaves=[leafy("甲"), None], first=None)  # type: ignore[list-item]

    @strawberry.field
    def wrong_holder(self) -> Holder | None:
        """Holds a Holder where a Leafy belongs: graphql-core's check refuses it."""
        inner = Holder(label="内", leaves=[], first=None)
        return Holder(label="错", leaves=[leafy("甲"), inner], first=inner)  # type: ignore[list-item,arg-type]

    @strawberry.field
    def named(self) -> list[Named]:
        return [leafy("戊")]


DOCUMENTS = [
    "{ holder { label leaves { name count amount colour maybe tags } first { name } } }",
    "{ holder { leaves { n: name c: count name } first { ...F } } } "
    "fragment F on Leafy { name colour greeting(prefix: \"嗨\") }",
    "query($skip: Boolean!) { holder { leaves { name count @skip(if: $skip) } } }",
    "{ holder { optionalLeaves { name } } }",
    "{ badHolder { label leaves { name missing } } }",
    "{ badHolder { label first { name brokenCount } } }",
    "{ holder { leaves { name explodes later } } }",
    "{ nullItemHolder { label leaves { name } first { name } } }",
    "{ wrongHolder { label leaves { name } } }",
    "{ wrongHolder { label first { name } } }",
    "{ named { name ... on Leafy { count } __typename } }",
    "{ holder { __typename leaves { __typename name } } }",
]


def run(schema: strawberry.Schema, document: str) -> tuple[Any, Any]:
    result = asyncio.run(schema.execute(document, variable_values={"skip": True}))
    errors = sorted((e.message, tuple(e.path or ())) for e in result.errors or [])
    return result.data, errors


@pytest.mark.parametrize("document", DOCUMENTS)
def test_same_answer_as_graphql_core(document: str) -> None:
    plain = strawberry.Schema(query=Query,
                              execution_context_class=StrawberryGraphQLCoreExecutionContext)
    ours = strawberry.Schema(query=Query)
    ours.execution_context_class = execution_for(ours)
    expected = run(plain, document)
    assert run(ours, document) == expected
    assert expected[0] is not None or expected[1]  # the document means something


def test_the_shortcut_is_taken() -> None:
    """Leaves are read without graphql-core's field machinery (else the tests above compare
    graphql-core with itself)."""
    ours = strawberry.Schema(query=Query)
    ours.execution_context_class = execution_for(ours)
    read = ours.execution_context_class.attributes
    types = ours._schema.type_map
    leafy, holder = types["Leafy"].fields, types["Holder"].fields  # type: ignore[attr-defined]
    assert read[id(leafy["count"])] == "count" and read[id(holder["leaves"])] == "leaves"
    assert read[id(holder["optionalLeaves"])] == "optional_leaves"
    assert id(leafy["greeting"]) not in read
