"""Request limits over HTTP: body size, JSON nesting, document length, and the node count with
variable defaults and list fields. Each refusal is a 4xx with a code, never a 500."""

from __future__ import annotations

import json
import time

import pytest
from starlette.testclient import TestClient

from app.graphql.kit.cost import MAX_NODES
from app.http import create_app
from app.limits import MAX_DOCUMENT_CHARS, MAX_JSON_DEPTH
from app.settings import Settings
from tests.e2e.test_api import ADMIN, SECRET, client, gql, register

__all__ = ["client"]


def post(client: TestClient, body: bytes) -> tuple[int, dict[str, object]]:
    response = client.post("/graphql", content=body,
                           headers={**ADMIN, "content-type": "application/json"})
    return response.status_code, response.json()


def code_of(answer: dict[str, object]) -> str:
    errors = answer["errors"]
    assert isinstance(errors, list)
    return str(errors[0]["extensions"]["code"])


def test_a_body_beyond_the_limit_is_refused_unread(database_url) -> None:
    settings = Settings(database_url=database_url, jwt_secret=SECRET, max_body_bytes=10_000)
    with TestClient(create_app(settings)) as small:
        status, answer = post(small, json.dumps(
            {"query": "{ __typename }", "variables": {"x": "y" * 20_000}}).encode())
        assert (status, code_of(answer)) == (413, "BODY_TOO_LARGE")

        def chunks():  # no Content-Length: counted as it arrives
            yield b'{"query": "{ __typename }", "variables": {"x": "'
            for _ in range(100):
                yield b"y" * 1000
            yield b'"}}'
        response = small.post("/graphql", content=chunks(),
                              headers={**ADMIN, "content-type": "application/json"})
        assert response.status_code == 413
        assert small.post("/graphql", json={"query": "{ __typename }"},
                          headers=ADMIN).json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 1000, 100_000])
def test_deeply_nested_json_is_a_400(client, depth) -> None:
    nested = "[" * depth + "]" * depth
    body = f'{{"query": "{{ __typename }}", "variables": {{"x": {nested}}}}}'.encode()
    status, answer = post(client, body)
    assert (status, code_of(answer)) == (400, "JSON_TOO_DEEP")


def test_a_huge_document_is_refused_and_a_long_one_does_not_stall_others(client) -> None:
    status, answer = post(client, json.dumps(
        {"query": "#" + "x" * MAX_DOCUMENT_CHARS + "\n{ __typename }"}).encode())
    assert (status, code_of(answer)) == (400, "DOCUMENT_TOO_LARGE")
    long = "#" + "x" * (MAX_DOCUMENT_CHARS - 100) + "\n{ __typename }"
    started = time.monotonic()
    assert gql(client, long) == {"data": {"__typename": "Query"}}
    assert time.monotonic() - started < 10


def test_the_node_count_takes_variable_defaults(client) -> None:
    nested = """query($n: Int = 100) { organizations(first: $n) { nodes {
        children(first: $n) { nodes { members(first: $n) { nodes { post } } } } } } }"""
    answer = gql(client, nested)
    assert code_of(answer) == "QUERY_TOO_COSTLY"
    assert answer["data"] is None
    assert "errors" not in gql(client, nested.replace("= 100", "= 5"))


def test_the_node_count_counts_list_fields(client) -> None:
    root = register(client, "市局党委", "committee")["data"]["registerOrganization"][
        "organization"]["id"]
    many = gql(client, """query($ids: [ID!]!) { nodes(ids: $ids) { ... on Organization {
        children(first: 30) { nodes { members(first: 30) { nodes { post } } } } } } }""",
               ids=[root] * 100)
    assert code_of(many) == "QUERY_TOO_COSTLY"
    tree = gql(client, """query($id: ID!) { organizationTree(rootId: $id) {
        children(first: 40) { nodes { name } } } }""", id=root)  # 30 + 30 × 40
    assert code_of(tree) == "QUERY_TOO_COSTLY"
    fits = gql(client, """query($id: ID!) { organizationTree(rootId: $id) { name
        parent { name } } }""", id=root)
    assert fits["data"]["organizationTree"] == [{"name": "市局党委", "parent": None}]
    each_ancestry = gql(client, """query($id: ID!) { organizationTree(rootId: $id) {
        ancestors { children(first: 50) { nodes { name } } } } }""", id=root)  # 30 × 5 × 50
    assert code_of(each_ancestry) == "QUERY_TOO_COSTLY"
    entries = gql(client, "{ auditLog(first: 100) { nodes { changes { field } } } }")
    assert "errors" not in entries  # value objects are not nodes
    assert MAX_NODES == 1000
