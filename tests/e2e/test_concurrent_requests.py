"""Requests served at the same time: queries run on worker threads and mutations write on
writer threads, each thread on a read connection of its own; answers must not mix."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from app.auth import TokenService
from app.graphql.kit.ids import from_global_id, to_global_id
from app.http import Services, create_app
from app.settings import Settings
from domain.values import Period, quantitative

SECRET = "test-secret-that-is-long-enough-for-hs256"
HEADERS = {"Authorization": f"Bearer {TokenService(SECRET).mint('admin')}"}
GOALS = 8
REPORT = """mutation($id: ID!, $v: Decimal!) { reportProgress(input: {goalId: $id, value: $v,
  effectiveDate: "2026-06-30"}) { goal { id progress { reports value } } userErrors { code } } }"""
GOAL = """query($id: ID!) { goal(id: $id) { id title } }"""


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    settings = Settings(database_url=database_url, jwt_secret=SECRET)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def issued_goals(services: Services) -> dict[str, str]:
    """Issued goals under a new committee: global id -> title."""
    app = services.app
    committee = app.register_organization("admin", name="机关党委", kind="committee",
                                          category="机关").id
    year = Period(date(2026, 1, 1), date(2026, 12, 31))
    goals, position = {}, 0
    for n in range(GOALS):
        title = f"目标{n}"
        goal = app.draft_goal("admin", level="annual", organization_id=committee,
                              field="style", title=title, period=year,
                              indicator=quantitative("次", 0, 12), weight=100).id
        position = app.issue_goal("admin", goal).position or position
        goals[to_global_id("Goal", goal)] = title
    assert services.runner is not None and services.runner.wait_until(position)
    return goals


def test_each_thread_reads_on_its_own_connection(client: TestClient) -> None:
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    context = services.context(None, None)
    seen: list[Any] = []
    worker = threading.Thread(target=lambda: seen.append(context.conn))
    worker.start()
    worker.join()
    assert context.conn is context.conn
    assert seen[0] is not context.conn


def test_concurrent_mutations_and_queries_get_their_own_answers(client: TestClient) -> None:
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    goals = issued_goals(services)

    async def send(http: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
        response = await http.post("/graphql", json={"query": query, "variables": variables},
                                   headers=HEADERS)
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body
        return body["data"]

    async def all_at_once() -> list[dict[str, Any]]:
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            reports = [send(http, REPORT, id=goal, v=str(n + 1))
                       for n, goal in enumerate(goals)]
            reads = [send(http, GOAL, id=goal) for goal in goals for _ in range(3)]
            return await asyncio.gather(*reports, *reads)

    answers = asyncio.run(all_at_once())
    for n, (goal, answer) in enumerate(zip(goals, answers[:GOALS], strict=True)):
        payload = answer["reportProgress"]
        assert payload["userErrors"] == []
        assert payload["goal"]["id"] == goal
        assert payload["goal"]["progress"] == {"reports": 1, "value": str(Decimal(n + 1))}
    reads = answers[GOALS:]
    for n, goal in enumerate(goal for goal in goals for _ in range(3)):
        assert reads[n]["goal"] == {"id": goal, "title": goals[goal]}


def test_a_goals_nested_responsible_list_pages_both_ways(client: TestClient) -> None:
    """`responsible` is resolved without strawberry's wrapper: arguments, cursors and
    errors behave as for every other connection."""
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    app = services.app
    goal = next(iter(issued_goals(services)))
    parties = [app.register_organization("admin", name=f"支部{n}", kind="branch",
                                         category="机关").id for n in range(3)]
    position = 0
    for party, kind in zip(parties, ("collective", "primary", "direct"), strict=True):
        position = app.assign_responsibility("admin", from_global_id(goal)[1],
                                             party_kind="organization", party_id=party,
                                             kind=kind, reason="定责").position or position
    assert services.runner is not None and services.runner.wait_until(position)
    page = """query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
      goal(id: $id) { organization { name } responsible(first: $first, after: $after,
        last: $last, before: $before) { totalCount nodes { kind }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }"""

    def ask(**arguments: Any) -> dict[str, Any]:
        response = client.post("/graphql", headers=HEADERS, json={
            "query": page, "variables": {"id": goal, **arguments}})
        return dict(response.json())

    first = ask(first=2)["data"]["goal"]
    assert first["organization"] == {"name": "机关党委"}
    assert [n["kind"] for n in first["responsible"]["nodes"]] == ["collective", "primary"]
    assert first["responsible"]["totalCount"] == 3
    assert first["responsible"]["pageInfo"]["hasNextPage"] is True
    rest = ask(first=2, after=first["responsible"]["pageInfo"]["endCursor"])["data"]["goal"]
    assert [n["kind"] for n in rest["responsible"]["nodes"]] == ["direct"]
    assert rest["responsible"]["pageInfo"]["hasNextPage"] is False
    assert rest["responsible"]["pageInfo"]["hasPreviousPage"] is True
    last = ask(last=2)["data"]["goal"]["responsible"]
    assert [n["kind"] for n in last["nodes"]] == ["primary", "direct"]
    assert last["pageInfo"]["hasPreviousPage"] is True
    oversized = ask(first=500)
    assert oversized["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert oversized["errors"][0]["path"] == ["goal", "responsible"]
