"""The read scope is shared by a process's requests (`policy.shared_read_scope`): it must
follow posts and grants the moment the read models have them, in both directions."""

from __future__ import annotations

from starlette.testclient import TestClient

from app.graphql.kit.ids import from_global_id
from tests.e2e.test_api import bearer, gql
from tests.e2e.test_authorization import world  # noqa: F401  (the fixture)

GOALS = "{ goals(first: 50) { totalCount nodes { title } } }"
APPOINT = """mutation($input: PostInput!) { appointToPost(input: $input) { status
  userErrors { code message } } }"""
END = """mutation($input: PostInput!) { endPost(input: $input) { status
  userErrors { code message } } }"""
GRANT = """mutation($input: RoleInput!) { grantRole(input: $input) { status
  userErrors { code message } } }"""
REVOKE = """mutation($input: RoleInput!) { revokeRole(input: $input) { status
  userErrors { code message } } }"""


def titles(client: TestClient, headers: dict[str, str]) -> set[str]:
    data = gql(client, GOALS, headers)["data"]["goals"]
    assert data["totalCount"] == len(data["nodes"])
    return {node["title"] for node in data["nodes"]}


def test_scope_follows_posts_and_grants_as_they_change(
        world: tuple[TestClient, dict[str, str]]) -> None:  # noqa: F811
    client, ids = world
    newcomer = bearer(f"person:{from_global_id(ids['newA'])[1]}")
    assert titles(client, newcomer) == set()  # read twice: the second from the shared scope
    assert titles(client, newcomer) == set()

    post = {"personId": ids["newA"], "organizationId": ids["A"], "post": "member"}
    assert gql(client, APPOINT, input=post)["data"]["appointToPost"]["status"] == "APPLIED"
    assert {"gA", "closeA"} <= titles(client, newcomer)
    assert not {"gB", "closeB"} & titles(client, newcomer)

    grant = {"personId": ids["newA"], "organizationId": ids["B"], "role": "inspector",
             "reason": "巡察"}
    assert gql(client, GRANT, input=grant)["data"]["grantRole"]["status"] == "APPLIED"
    assert {"gA", "gB"} <= titles(client, newcomer)

    assert gql(client, END, input=post)["data"]["endPost"]["status"] == "APPLIED"
    assert gql(client, REVOKE, input=grant)["data"]["revokeRole"]["status"] == "APPLIED"
    assert titles(client, newcomer) == set()
