"""`validAt` on the lists, over HTTP on each backend: each record as true in the business on a
date, as known at `asOf`; a back-dated change moves the valid-time answer for the dates it
covers and no `asOf` answer; records not yet there on the date are left out; every list
answers what `validState` answers record by record; pages and `totalCount` agree; the reader's
scope applies as on the current lists."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from starlette.testclient import TestClient

from app.graphql.kit.ids import from_global_id
from tests.e2e.test_api import bearer
from tests.e2e.test_lists_api import read, world  # noqa: F401  (the fixture)

World = tuple[TestClient, dict[str, Any]]


def settle(client: TestClient) -> str:
    """Waits for the read models, then returns a moment after everything written so far."""
    services = client.app.state.services  # type: ignore[attr-defined]
    assert services.runner.wait_until(services.app.recorder.max_notification_id(), 10)
    time.sleep(0.01)
    moment = datetime.now(UTC).isoformat()
    time.sleep(0.01)
    return moment


def raw(global_id: str) -> Any:
    return from_global_id(global_id)[1]


GOALS = """query($at: Date, $asOf: DateTime) { goals(first: 10, validAt: $at, asOf: $asOf) {
  totalCount nodes { title validAt progress { reports value effectiveDate } } } }"""


def test_goals_on_a_date_follow_a_back_dated_report_and_asof_does_not(world: World) -> None:  # noqa: F811
    client, ids = world
    before = ids["before_second_report"]

    def progress(**variables: Any) -> dict[str, Any]:
        nodes = read(client, GOALS, **variables)["goals"]["nodes"]
        return {n["title"]: n["progress"] for n in nodes}["三会一课"]

    assert progress(at="2026-10-31")["value"] == "30"  # only the back-dated one by then
    assert progress(at="2026-12-01") == {"reports": 2, "value": "60",
                                         "effectiveDate": "2026-11-17"}
    assert progress(at="2026-10-31", asOf=before) == {"reports": 0, "value": None,
                                                      "effectiveDate": None}
    assert progress(asOf=before)["value"] == progress()["value"] == "60"
    assert {n["validAt"] for n in read(client, GOALS, at="2026-10-31")["goals"]["nodes"]} == {
        "2026-10-31"}


TREE = """query($root: ID!, $at: Date, $asOf: DateTime) {
  organizationTree(rootId: $root, validAt: $at, asOf: $asOf) { name } }"""
ORGANIZATIONS = """query($at: Date, $asOf: DateTime, $root: ID) {
  organizations(first: 20, validAt: $at, asOf: $asOf, rootId: $root) {
    totalCount nodes { name parent { name } } } }"""


def test_organisations_on_a_date_follow_back_dated_moves_and_registrations(
        world: World) -> None:  # noqa: F811
    client, ids = world
    app = client.app.state.services.app  # type: ignore[attr-defined]
    d = app.register_organization("admin", name="新建党支部", kind="branch", category="营销",
                                  parent_id=raw(ids["C"]),
                                  effective_date=date(2026, 4, 1)).id
    app.move_organization("admin", raw(ids["A1"]), new_parent_id=raw(ids["B"]),
                          reason="划转", effective_date=date(2026, 9, 1))
    between = settle(client)
    app.move_organization("admin", raw(ids["A1"]), new_parent_id=d, reason="补记划转",
                          effective_date=date(2026, 5, 1))
    settle(client)

    def under(root: str, **variables: Any) -> list[str]:
        return [n["name"] for n in read(client, TREE, root=ids[root], **variables)[
            "organizationTree"]]

    group = "百分之100%_小组"
    assert group in under("A", at="2026-04-30")
    assert under("C", at="2026-03-31") == ["市局党委", "物流党支部", "营销一党支部", group]
    assert "新建党支部" in under("C", at="2026-04-01")
    parents = {day: {n["name"]: n["parent"]["name"] if n["parent"] else None
                     for n in read(client, ORGANIZATIONS, at=day)["organizations"]["nodes"]}
               for day in ("2026-04-30", "2026-06-01", "2026-10-01")}
    assert [parents[day][group] for day in parents] == ["营销一党支部", "新建党支部", "物流党支部"]
    # As known before the back-dated move was recorded, June had A1 still under A.
    assert group in under("A", at="2026-06-01", asOf=between)
    # asOf answers what the system showed, untouched by valid time.
    assert group in under("B", asOf=between) and group not in under("B")
    assert "新建党支部" not in [n["name"] for n in read(
        client, ORGANIZATIONS, at="2026-03-31")["organizations"]["nodes"]]


RECORDS = {
    "commitments": "title status followUps",
    "sanctions": "title: kind status",
    "projects": "title status",
    "findings": "title status",
    "responsibilityLetters": "title status",
}
# The enum each list's `status` filter takes.
STATUSES = {"commitments": "CommitmentStatus", "sanctions": "SanctionStatus",
            "projects": "ProjectStatus", "findings": "FindingStatus",
            "responsibilityLetters": "LetterStatus"}


def listed(client: TestClient, field: str, headers: dict[str, str] | None = None,
           **arguments: Any) -> dict[str, Any]:
    declared = "".join(f", ${name}: {kind}" for name, kind in (
        ("at", "Date"), ("asOf", "DateTime"), ("status", STATUSES[field]), ("after", "String"),
        ("before", "String"), ("first", "Int"), ("last", "Int")))
    query = (f"query({declared[2:]}) {{ {field}(first: $first, last: $last, after: $after, "
             f"before: $before, validAt: $at, asOf: $asOf, status: $status) {{ totalCount "
             f"pageInfo {{ hasNextPage hasPreviousPage endCursor startCursor }} "
             f"nodes {{ id {RECORDS[field]} }} }} }}")
    if "first" not in arguments and "last" not in arguments:
        arguments["first"] = 50
    return read(client, query, headers, **arguments)[field]


def titles(connection: dict[str, Any]) -> list[str]:
    return [n["title"] for n in connection["nodes"]]


def test_records_are_listed_as_they_stood_on_the_date(world: World) -> None:  # noqa: F811
    client, _ = world
    assert titles(listed(client, "commitments", at="2026-02-20")) == ["物流承诺", "走访群众"]
    assert titles(listed(client, "commitments", at="2026-06-01", status="fulfilled")) == [
        "支部承诺"]
    assert titles(listed(client, "commitments", at="2026-05-31", status="fulfilled")) == []
    follow_ups = {n["title"]: n["followUps"] for n in listed(
        client, "commitments", at="2026-03-15")["nodes"]}
    assert follow_ups["走访群众"] == 1
    assert listed(client, "findings", at="2026-03-31")["totalCount"] == 0
    assert titles(listed(client, "findings", at="2026-04-01", status="open")) == ["台账不全"]
    assert titles(listed(client, "projects", at="2026-02-28", status="approved")) == []
    assert titles(listed(client, "projects", at="2026-03-01", status="approved")) == [
        "党员先锋岗"]
    in_force = listed(client, "sanctions", at="2026-07-31", status="in_force")["totalCount"]
    assert in_force == 4 and listed(client, "sanctions", status="in_force")["totalCount"] == 3
    assert listed(client, "sanctions", at="2026-04-30")["totalCount"] == 1


def test_a_back_dated_conclusion_changes_the_dates_it_covers_and_not_asof(
        world: World) -> None:  # noqa: F811
    client, ids = world
    app = client.app.state.services.app  # type: ignore[attr-defined]
    app.step_project("admin", raw(ids["p_A1"]), step="start", effective_date=date(2026, 6, 1))
    recorded_first = settle(client)
    app.step_project("admin", raw(ids["p_A"]), step="approve", effective_date=date(2026, 2, 1))
    settle(client)

    def statuses(**arguments: Any) -> dict[str, str]:
        return {n["title"]: n["status"] for n in listed(client, "projects", **arguments)[
            "nodes"]}

    assert statuses(at="2026-03-15") == {"红色驿站": "approved", "党员先锋岗": "approved",
                                         "物流先锋": "proposed"}
    assert statuses(at="2026-03-15", asOf=recorded_first)["红色驿站"] == "proposed"
    assert statuses(at="2026-07-01")["党员先锋岗"] == "in_progress"
    assert statuses(asOf=recorded_first)["红色驿站"] == "proposed"  # what the system showed


def state_of(client: TestClient, node_id: str, day: str) -> dict[str, Any]:
    fields = read(client, "query($id: ID!, $at: Date!) { validState(id: $id, validAt: $at) "
                  "{ field value } }", id=node_id, at=day)["validState"]
    return {f["field"]: f["value"] for f in fields}


EXPECTED: dict[str, Callable[[dict[str, Any]], str]] = {
    "commitments": lambda s: "open" if s["status"] == "open" else (
        "fulfilled" if s.get("fulfilled") else "not_fulfilled"),
    "sanctions": lambda s: "revoked" if s["revoked"] else "in_force",
    "projects": lambda s: s["status"],
    "findings": lambda s: s["status"],
}


def test_each_list_on_a_date_is_validstate_record_by_record(world: World) -> None:  # noqa: F811
    client, ids = world
    days = [date(2026, 1, 1) + timedelta(days=n) for n in range(0, 365, 23)]
    for field, expected in EXPECTED.items():
        everyone = [n["id"] for n in listed(client, field)["nodes"]]
        for day in days:
            states = {i: state_of(client, i, day.isoformat()) for i in everyone}
            nodes = listed(client, field, at=day.isoformat())["nodes"]
            assert {n["id"] for n in nodes} == {i for i, s in states.items() if s}, (field, day)
            for node in nodes:
                assert node["status"] == expected(states[node["id"]]), (field, day, node)
    goal_titles = {n["title"] for n in read(client, GOALS, at="2026-06-01")["goals"]["nodes"]}
    assert goal_titles == {state_of(client, ids[g], "2026-06-01")["title"]
                           for g in ("goal", "goalB")}


def test_pages_on_a_date_add_up_to_the_list_both_ways(world: World) -> None:  # noqa: F811
    client, _ = world
    for field in ("commitments", "sanctions", "projects"):
        whole = listed(client, field, at="2026-07-31")
        forward, after = [], None
        while True:
            page = listed(client, field, at="2026-07-31", first=1, after=after)
            assert page["totalCount"] == whole["totalCount"]
            forward += page["nodes"]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert forward == whole["nodes"], field
        backward, before = [], None
        while True:
            page = listed(client, field, at="2026-07-31", last=2, before=before)
            backward = page["nodes"] + backward
            if not page["pageInfo"]["hasPreviousPage"]:
                break
            before = page["pageInfo"]["startCursor"]
        assert backward == whole["nodes"], field


def test_a_secretary_lists_on_a_date_only_its_subtree(world: World) -> None:  # noqa: F811
    client, ids = world
    secretary = bearer(f"person:{raw(ids['secB'])}")
    for field in ("commitments", "projects", "sanctions", "findings"):
        now = listed(client, field, secretary)
        then = listed(client, field, secretary, at="2026-12-31")
        assert [n["id"] for n in then["nodes"]] == [n["id"] for n in now["nodes"]], field
    organizations = read(client, ORGANIZATIONS, secretary, at="2026-12-31")["organizations"]
    assert [n["name"] for n in organizations["nodes"]] == ["物流党支部"]
    assert organizations["totalCount"] == 1
    goals = read(client, GOALS, secretary, at="2026-12-31")["goals"]
    assert [n["title"] for n in goals["nodes"]] == ["物流目标"]
