"""One audit feed over WebSocket: `recordedEvents` and `auditEvents` obey `policy.audit_scope`
(members, evaluators and people with no role are refused; an inspector over a branch gets
that branch's entries, the replay from `after` included), and live subscriptions are bounded
per principal and per connection."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import pytest
from starlette.testclient import TestClient

from app.graphql.audit import feed
from tests.e2e import test_write_scope
from tests.e2e.test_api import bearer
from tests.e2e.test_authorization import _raw
from tests.e2e.test_write_scope import World, principals

world, scoped = test_write_scope.world, test_write_scope.scoped  # the fixtures

RECORDED = "subscription($after: Int) { recordedEvents(after: $after) { position aggregateId } }"
AUDITED = "subscription { auditEvents { position } }"


@contextmanager
def socket(client: TestClient, headers: dict[str, str]) -> Iterator[Any]:
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init",
                      "payload": {"Authorization": headers["Authorization"]}})
        assert ws.receive_json()["type"] == "connection_ack"
        yield ws


def subscribe(ws: Any, id: str, query: str, **variables: Any) -> None:
    ws.send_json({"id": id, "type": "subscribe",
                  "payload": {"query": query, "variables": variables}})


def error_code(message: dict[str, Any]) -> str | None:
    if message["type"] == "error":
        return str(message["payload"][0]["extensions"]["code"])
    if message["type"] == "next" and message["payload"].get("errors"):
        return str(message["payload"]["errors"][0]["extensions"]["code"])
    return None


def next_of(ws: Any, id: str) -> dict[str, Any]:
    """The next message for subscription `id` (others' messages are skipped)."""
    while True:
        message = ws.receive_json()
        if message.get("id") == id and message["type"] != "complete":
            return dict(message)


def concerned(client: TestClient) -> dict[int, str | None]:
    """Every entry of the audit log, read by the administrator: position -> organisation."""
    found: dict[int, str | None] = {}
    after = None
    while True:
        page = client.post("/graphql", headers=bearer(), json={
            "query": "query($after: String) { auditLog(first: 100, after: $after) { nodes { "
                     "position organization { id } } pageInfo { endCursor hasNextPage } } }",
            "variables": {"after": after}}).json()["data"]["auditLog"]
        for node in page["nodes"]:
            found[node["position"]] = (node["organization"] or {}).get("id")
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


@pytest.mark.parametrize("role", ["member", "evaluator", "nobody"])
def test_the_feeds_are_refused_to_whoever_may_not_read_the_trail(scoped: World,
                                                                 role: str) -> None:
    client, ids = scoped
    with socket(client, principals(ids)[role]) as ws:
        subscribe(ws, "1", RECORDED, after=0)
        assert error_code(next_of(ws, "1")) == "FORBIDDEN"
        subscribe(ws, "2", AUDITED)
        assert error_code(next_of(ws, "2")) == "FORBIDDEN"


def test_an_inspector_over_a_branch_gets_its_entries_replayed_and_live(scoped: World) -> None:
    client, ids = scoped
    services = client.app.state.services  # type: ignore[attr-defined]
    entries = concerned(client)
    branch = {ids["A"], ids["A1"], ids["A2"]}
    expected = sorted(p for p, org in entries.items() if org in branch)
    assert 0 < len(expected) < len(entries)
    with socket(client, principals(ids)["inspector of A"]) as ws:
        subscribe(ws, "1", RECORDED, after=0)
        replayed = [next_of(ws, "1")["payload"]["data"]["recordedEvents"]["position"]
                    for _ in expected]
        assert replayed == expected
        subscribe(ws, "2", AUDITED)
        app = services.app
        app.rename_organization("admin", UUID(_raw(ids["B1"])), name="乙一组")
        last = app.rename_organization("admin", UUID(_raw(ids["A1"])), name="甲一组").position
        live = next_of(ws, "1")["payload"]["data"]["recordedEvents"]
        assert (live["position"], live["aggregateId"]) == (last, ids["A1"])
        assert next_of(ws, "2")["payload"]["data"]["auditEvents"]["position"] == last


def test_live_feeds_are_bounded_per_principal_and_per_connection(
        scoped: World, monkeypatch: pytest.MonkeyPatch) -> None:
    client, ids = scoped
    inspector = principals(ids)["inspector of A"]
    with socket(client, inspector) as ws, socket(client, inspector) as other:
        for n in range(feed.MAX_PER_PRINCIPAL):  # each replays: it holds its place
            subscribe(ws if n % 2 else other, str(n), RECORDED, after=0)
            assert error_code(next_of(ws if n % 2 else other, str(n))) is None
        subscribe(ws, "over", RECORDED)
        assert error_code(next_of(ws, "over")) == "TOO_MANY_SUBSCRIPTIONS"
        ws.send_json({"id": "1", "type": "complete"})
        subscribe(ws, "again", RECORDED, after=0)  # a freed place is taken again
        assert error_code(next_of(ws, "again")) is None
    monkeypatch.setattr(feed, "MAX_PER_PRINCIPAL", 100)
    with socket(client, bearer()) as ws, socket(client, bearer()) as other:
        for n in range(feed.MAX_PER_CONNECTION):
            subscribe(ws, str(n), RECORDED, after=0)
            assert error_code(next_of(ws, str(n))) is None
        subscribe(ws, "over", AUDITED)
        assert error_code(next_of(ws, "over")) == "TOO_MANY_SUBSCRIPTIONS"
        subscribe(other, "fresh", RECORDED, after=0)
        assert error_code(next_of(other, "fresh")) is None
