"""What a client sent comes back quoted in error messages (a wrong enum code, a malformed
literal) and goes into log lines. Whatever it holds (a lone surrogate, control characters),
the answer is a valid JSON 200 and every log line can be written: generated over every
enum-typed argument of every query field."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from graphql import GraphQLEnumType, GraphQLNonNull, get_named_type, is_composite_type

from app.graphql.schema import build_schema
from tests.e2e.test_api import ADMIN, client  # noqa: F401  (the fixture)

HOSTILE = ["a\ud800b", "x\x00y", "\udfff", "换\u202e行\n"]


def enum_arguments() -> list[tuple[str, str, str, str]]:
    """(query field, argument, enum type, selection) for every enum-typed argument of a query
    field that needs no other argument (so a document asking for it is valid, and the value
    reaches coercion)."""
    schema = build_schema()._schema
    assert schema.query_type is not None
    found = []
    for name, field in schema.query_type.fields.items():
        for argument, spec in field.args.items():
            named = get_named_type(spec.type)
            others = [a for n, a in field.args.items() if n != argument]
            if not isinstance(named, GraphQLEnumType) or any(
                    isinstance(a.type, GraphQLNonNull) for a in others):
                continue
            required = "!" if isinstance(spec.type, GraphQLNonNull) else ""
            composite = is_composite_type(get_named_type(field.type))
            found.append((name, argument, f"{named.name}{required}",
                          "{ __typename }" if composite else ""))
    return found


def test_every_enum_argument_is_exercised() -> None:
    assert len(enum_arguments()) >= 5


def ask(client: Any, query: str,  # noqa: F811
        variables: dict[str, Any] | None = None) -> dict[str, Any]:
    body = json.dumps({"query": query, "variables": variables or {}})
    answer = client.post("/graphql", content=body.encode(),
                         headers={**ADMIN, "Content-Type": "application/json"})
    assert answer.status_code == 200, (query, answer.text[:200])
    parsed: dict[str, Any] = answer.json()
    assert parsed["errors"], parsed
    return parsed


@pytest.mark.parametrize("value", HOSTILE, ids=["surrogate", "nul", "lone-low", "bidi"])
def test_hostile_codes_are_quoted_back_in_valid_json_and_loggable_lines(
        client, value: str, caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    caplog.set_level(logging.INFO)
    for field, argument, type_name, selection in enum_arguments():
        quoted = ask(client, f"query($v: {type_name}) {{ {field}({argument}: $v) {selection} }}",
                     {"v": value})
        assert value in quoted["errors"][0]["message"], (field, quoted)
    for record in caplog.records:
        record.getMessage().encode("utf-8")  # raises on what a log stream cannot write
        assert "\n" not in record.getMessage().strip()
