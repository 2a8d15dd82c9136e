"""The pieces of the request log that need no server: ids, one-line messages, error codes."""

from __future__ import annotations

import pytest
from graphql import GraphQLError

from app import logs
from app.graphql.schema import client_code, is_unexpected


@pytest.mark.parametrize("sent", ["a", "edge-7f3a:42", "5f0c2b1e-1c55-4d0e-9d1f-2a6b8e7c9d10",
                                  "trace/abc+def=="])
def test_a_sane_request_id_is_kept(sent: str) -> None:
    assert logs.chosen_request_id(sent) == sent


@pytest.mark.parametrize("sent", [None, "", " lead", "with space", "line\nbreak", "<b>",
                                  "行", "x" * 129, "-starts-with-a-dash"])
def test_any_other_is_replaced_by_a_new_one(sent: str | None) -> None:
    chosen = logs.chosen_request_id(sent)
    assert chosen != sent and len(chosen) == 32 and chosen.isalnum()
    assert chosen != logs.chosen_request_id(sent)


def test_a_message_becomes_one_bounded_line() -> None:
    assert logs.one_line("Cannot query\n  field 'x'\r\n\tnow") == "Cannot query field 'x' now"
    long = logs.one_line("字" * 1000)
    assert len(long) == logs.MAX_MESSAGE and long.endswith("…")


def test_codes_of_client_errors() -> None:
    assert client_code(GraphQLError("no", extensions={"code": "FORBIDDEN"})) == "FORBIDDEN"
    assert client_code(GraphQLError("Syntax Error: Unexpected <EOF>.")) == \
        "GRAPHQL_PARSE_FAILED"
    assert client_code(GraphQLError("Cannot query field 'x' on type 'Query'.")) == \
        "GRAPHQL_VALIDATION_FAILED"
    assert client_code(GraphQLError("odd", path=["goals"])) == "BAD_REQUEST"


def test_only_an_error_that_is_no_graphql_error_is_unexpected() -> None:
    assert is_unexpected(GraphQLError("boom", original_error=RuntimeError("boom")))
    assert not is_unexpected(GraphQLError("no", original_error=GraphQLError("no")))
    assert not is_unexpected(GraphQLError("Syntax Error"))


def test_an_unknown_log_format_is_refused() -> None:
    with pytest.raises(ValueError, match="text, json"):
        logs.configure("xml")
