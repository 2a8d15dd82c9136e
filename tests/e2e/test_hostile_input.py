"""A property-based hostile-input suite generated from the schema's input types: every mutation
gets inputs whose leaves are hostile (NUL and control characters, huge text, dates at the
extremes, decimals like 1E+400, NaN and -0, ids of every kind and of none). Whatever arrives:
no 5xx, no INTERNAL error, a refused input writes nothing; afterwards the read models equal a
rebuild and the audit chain verifies."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.boundary import LONG_TEXT, MAX_DECIMAL, unwanted_characters
from app.graphql.schema import build_schema
from projections import ALL
from projections.engine import reset
from store import chain
from store.db import Database
from store.url import DatabaseURL
from tests.e2e.test_api import ADMIN, client, draft, events, register
from tests.integration.views import build, dump_tables

__all__ = ["client"]

SCHEMA = build_schema()._schema
assert SCHEMA.mutation_type is not None
MUTATIONS = SCHEMA.mutation_type.fields

HOSTILE_TEXT = st.one_of(
    st.sampled_from(["monthly\u0000", "\u0007\u001b[31m张三\u200b", "x" * 25_000, "", "  ",
                     "营销中心党支部", "合格", "issued", "secretary", "committee", "self",
                     "e\u0301", "\ud800", "\u202e反转", "a\r\nb", "\t"]),
    st.text(max_size=30),
)
HOSTILE_DECIMAL = st.sampled_from(["1E+400", "-1E+400", "NaN", "Infinity", "-0", "0.0000001",
                                   "1e12", "100", "3", "-5", "0"])
HOSTILE_DATE = st.sampled_from(["0001-01-01", "9999-12-31", "1337-05-05", "2135-01-01",
                                "2026-03-01", "2026-12-31", "1921-06-30"])
HOSTILE_DATETIME = st.sampled_from(["2026-12-07T22:00:00", "2026-12-07", "0001-01-01T00:00:00Z",
                                    "2026-12-07T22:00:00+08:00"])
HOSTILE_INT = st.sampled_from([0, 1, 50, 100, -1, 101, 2**31 - 1, -(2**31)])


def value_of(kind: GraphQLInputType, ids: st.SearchStrategy[str],
             depth: int = 0) -> st.SearchStrategy[Any]:
    if isinstance(kind, GraphQLNonNull):
        return value_of(kind.of_type, ids, depth)
    if isinstance(kind, GraphQLList):
        item = value_of(kind.of_type, ids, depth + 1)
        return st.one_of(st.lists(item, max_size=3),
                         item.map(lambda one: [one] * 600))  # beyond every item limit
    if isinstance(kind, GraphQLInputObjectType):
        required = {name: value_of(f.type, ids, depth + 1) for name, f in kind.fields.items()
                    if isinstance(f.type, GraphQLNonNull)}
        optional = {name: value_of(f.type, ids, depth + 1) for name, f in kind.fields.items()
                    if not isinstance(f.type, GraphQLNonNull)}
        return st.fixed_dictionaries(required, optional=optional)
    if isinstance(kind, GraphQLEnumType):  # its names, or any text (a validation error)
        return st.one_of(st.sampled_from(sorted(kind.values)), HOSTILE_TEXT)
    assert isinstance(kind, GraphQLScalarType), kind
    return {
        "String": HOSTILE_TEXT, "ID": ids, "Int": HOSTILE_INT, "Boolean": st.booleans(),
        "Decimal": HOSTILE_DECIMAL, "Date": HOSTILE_DATE, "DateTime": HOSTILE_DATETIME,
        "Float": st.sampled_from([0.0, 1e308, -1.5]),
    }.get(kind.name, HOSTILE_TEXT)


def document(name: str) -> str:
    field = MUTATIONS[name]
    declared = ", ".join(f"${arg}: {definition.type}" for arg, definition in field.args.items())
    passed = ", ".join(f"{arg}: ${arg}" for arg in field.args)
    return (f"mutation({declared}) {{ {name}({passed}) {{ "
            "userErrors { field code message } } }")


@pytest.fixture
def world(client) -> list[str]:
    """A few real records, so that some generated inputs reach the domain's rules."""
    org = register(client, "市局党委", "committee")["data"]["registerOrganization"][
        "organization"]["id"]
    branch = register(client, "营销中心党支部", "branch", org)["data"][
        "registerOrganization"]["organization"]["id"]
    goal = draft(client, org, "全年开展主题党日")["data"]["draftGoal"]["goal"]["id"]
    person = client.post("/graphql", headers=ADMIN, json={"query": """mutation {
        registerPerson(input: {name: "张三", partyMember: true}) { person { id } } }"""}
                         ).json()["data"]["registerPerson"]["person"]["id"]
    return [org, branch, goal, person]


@settings(max_examples=250, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def hostile_mutations(client: Any, world: list[str], data: st.DataObject) -> None:
    ids = st.one_of(st.sampled_from(world), st.sampled_from(
        ["", "T3JnYW5pemF0aW9uOjE=", "not-an-id\u0000", "x" * 300, "R29hbDp4"]))
    name = data.draw(st.sampled_from(sorted(MUTATIONS)), label="mutation")
    variables = {arg: data.draw(value_of(definition.type, ids), label=arg)
                 for arg, definition in MUTATIONS[name].args.items()}
    before = events(client)
    # (Escaped as ASCII: a lone surrogate travels as "\\ud800", as a hostile client sends it.)
    body = json.dumps({"query": document(name), "variables": variables}).encode()
    response = client.post("/graphql", content=body,
                           headers={**ADMIN, "content-type": "application/json"})
    assert response.status_code in (200, 400, 413), response.text[:500]
    answer = response.json()
    codes = [e.get("extensions", {}).get("code") for e in answer.get("errors", [])]
    assert "INTERNAL" not in codes, answer
    payload = (answer.get("data") or {}).get(name)
    if answer.get("errors") or (payload and payload["userErrors"]):
        assert events(client) == before, (name, variables, answer)
    app = client.app.state.services.app
    for notification in app.recorder.select_notifications(before + 1, 100):
        stored = app.mapper.to_domain_event(notification)
        assert_within_the_boundary(vars(stored), (name, type(stored).__name__))


def assert_within_the_boundary(value: Any, where: tuple[str, ...]) -> None:
    """What was accepted holds nothing the boundary refuses."""
    if isinstance(value, dict):
        for key, item in value.items():
            assert_within_the_boundary(item, (*where, str(key)))
    elif isinstance(value, list | tuple):
        for item in value:
            assert_within_the_boundary(item, where)
    elif isinstance(value, str):
        assert not unwanted_characters(value, multiline=True), (where, value[:80])
        assert len(value) <= LONG_TEXT.max_chars, where
    elif isinstance(value, Decimal):
        assert value.is_finite() and abs(value) <= MAX_DECIMAL, (where, value)
    elif isinstance(value, date) and not isinstance(value, datetime):
        assert date(1921, 7, 1) <= value <= date(2040, 12, 31), (where, value)


def test_no_hostile_input_halts_bloats_or_corrupts_the_record(client, world,
                                                             database_url) -> None:
    hostile_mutations(client, world)
    services = client.app.state.services  # type: ignore[attr-defined]
    runner = services.runner
    assert runner.wait_until(events(client), 10)
    runner.stop()  # (its followers would fold into the tables the rebuild below refills)
    with Database(DatabaseURL(database_url)).connection() as conn:
        folded = dump_tables(conn)
        for projection in ALL:
            reset(conn, projection)
        build(services.app, conn)
        assert dump_tables(conn) == folded
    assert chain.verify(chain.audited(services.app.recorder)).ok


def test_a_lone_surrogate_for_an_enum_is_a_validation_error_not_a_500(client) -> None:
    """graphql-core echoes the bad value in its message: the answer must still encode."""
    body = json.dumps({"query": "mutation($l: StandardLevel!) { acceptBranch(input: {"
                                "organizationId: \"x\", level: $l, effectiveDate: "
                                "\"2026-01-01\", reason: \"r\"}) { status } }",
                       "variables": {"l": "\ud800"}})
    response = client.post("/graphql", content=body, headers={
        **ADMIN, "Content-Type": "application/json"})
    assert response.status_code in (200, 400), response.text
    (error,) = response.json()["errors"]
    assert "\ud800" in error["message"]
