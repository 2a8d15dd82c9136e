"""Findings and responsibility letters as keyset connections over HTTP, on each backend:
forwards and backwards, filtered, as of an earlier moment, and cut to what the reader may
see."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from starlette.testclient import TestClient

from app.graphql.kit.ids import to_global_id
from app.http import create_app
from app.settings import Settings
from tests.e2e.test_api import SECRET, bearer, gql

FINDINGS = """query($org: ID, $status: FindingStatus, $first: Int, $after: String, $last: Int,
                    $before: String, $at: DateTime) {
  findings(organizationId: $org, status: $status, first: $first, after: $after, last: $last,
           before: $before, asOf: $at, today: "2026-06-30") {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    nodes { title status overdue } } }"""
LETTERS = """query($org: ID, $year: Int, $first: Int, $after: String, $last: Int,
                   $before: String) {
  responsibilityLetters(organizationId: $org, year: $year, first: $first, after: $after,
                        last: $last, before: $before) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    nodes { title year status } } }"""


@pytest.fixture
def world(database_url: str) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    """Five findings in branch A (due 1-5 May, the second submitted), one in branch B, and
    letters from the committee to A for 2024-2026."""
    settings = Settings(database_url=database_url, jwt_secret=SECRET)
    with TestClient(create_app(settings)) as client:
        app = client.app.state.services.app  # type: ignore[attr-defined]
        committee = app.register_organization("admin", name="市局党委", kind="committee",
                                              category="机关").id
        branches = {name: app.register_organization("admin", name=f"{name}党支部",
                                                     kind="branch", category="营销",
                                                     parent_id=committee).id
                    for name in "AB"}
        secretary = app.register_person("admin", name="钱书记", party_member=True).id
        app.appoint("admin", secretary, organization_id=branches["B"], post="secretary",
                    effective_date=date(2025, 1, 1))

        def raise_in(branch: str, title: str, day: int) -> Any:
            return app.raise_finding(
                "admin", title=title, source="inspection", severity="minor",
                organization_id=branches[branch], owner_id=secretary,
                deadline=date(2026, 5, day), effective_date=date(2026, 4, 1))

        found = [raise_in("A", f"问题{day}", day) for day in range(1, 5)]
        time.sleep(0.01)
        before_fifth = datetime.now(UTC).isoformat()
        time.sleep(0.01)
        raise_in("A", "问题5", 5)
        app.plan_measure("admin", found[1].id, description="补齐台账", owner_id=secretary,
                         due_date=date(2026, 4, 30))
        app.submit_rectification("admin", found[1].id, evidence=["整改.pdf"],
                                 effective_date=date(2026, 4, 20))
        raise_in("B", "问题B", 9)
        for year in (2024, 2025, 2026):
            app.draft_letter("admin", issuer_id=committee, recipient_id=branches["A"],
                             year=year, title=f"{year}年目标责任书",
                             sign_by=date(year, 2, 28))
        services = client.app.state.services  # type: ignore[attr-defined]
        assert services.runner.wait_until(app.recorder.max_notification_id(), 10)
        yield client, {"A": to_global_id("Organization", branches["A"]),
                       "secretary": bearer(f"person:{secretary}"),
                       "before_fifth": before_fifth}


def page(client: TestClient, query: str, field: str, headers: dict[str, str] | None = None,
         **variables: Any) -> dict[str, Any]:
    result = gql(client, query, **({"headers": headers} if headers else {}), **variables)
    assert "errors" not in result, result
    return dict(result["data"][field])


def titles(found: dict[str, Any]) -> list[str]:
    return [node["title"] for node in found["nodes"]]


def flags(found: dict[str, Any]) -> tuple[bool, bool]:
    return found["pageInfo"]["hasPreviousPage"], found["pageInfo"]["hasNextPage"]


def test_findings_page_forwards_and_backwards_by_deadline(world) -> None:
    client, ids = world
    forwards, cursor = [], None
    for expected in (["问题1", "问题2"], ["问题3", "问题4"], ["问题5"]):
        found = page(client, FINDINGS, "findings", org=ids["A"], first=2, after=cursor)
        assert titles(found) == expected and found["totalCount"] == 5
        forwards.append(flags(found))
        cursor = found["pageInfo"]["endCursor"]
    assert forwards == [(False, True), (True, True), (True, False)]

    backwards, cursor = [], None
    for expected in (["问题4", "问题5"], ["问题2", "问题3"], ["问题1"]):
        found = page(client, FINDINGS, "findings", org=ids["A"], last=2, before=cursor)
        assert titles(found) == expected
        backwards.append(flags(found))
        cursor = found["pageInfo"]["startCursor"]
    assert backwards == [(True, False), (True, True), (False, True)]


def test_findings_filter_by_status_scope_and_moment(world) -> None:
    client, ids = world
    submitted = page(client, FINDINGS, "findings", org=ids["A"], status="submitted", first=10)
    assert titles(submitted) == ["问题2"] and submitted["totalCount"] == 1
    everything = page(client, FINDINGS, "findings", first=10)
    assert everything["totalCount"] == 6 and titles(everything)[-1] == "问题B"
    # B's secretary reads B only, even when asking for everything or for A.
    assert titles(page(client, FINDINGS, "findings", ids["secretary"], first=10)) == ["问题B"]
    assert page(client, FINDINGS, "findings", ids["secretary"], org=ids["A"],
                first=10)["totalCount"] == 0
    # As of before the fifth finding was raised.
    earlier = page(client, FINDINGS, "findings", org=ids["A"], first=10,
                   at=ids["before_fifth"])
    assert titles(earlier) == ["问题1", "问题2", "问题3", "问题4"]
    assert earlier["totalCount"] == 4


def test_letters_page_latest_year_first_both_ways(world) -> None:
    client, ids = world
    first = page(client, LETTERS, "responsibilityLetters", org=ids["A"], first=2)
    assert [n["year"] for n in first["nodes"]] == [2026, 2025] and first["totalCount"] == 3
    assert flags(first) == (False, True)
    rest = page(client, LETTERS, "responsibilityLetters", org=ids["A"], first=2,
                after=first["pageInfo"]["endCursor"])
    assert [n["year"] for n in rest["nodes"]] == [2024] and flags(rest) == (True, False)
    last = page(client, LETTERS, "responsibilityLetters", org=ids["A"], last=1)
    assert [n["year"] for n in last["nodes"]] == [2024] and flags(last) == (True, False)
    earlier = page(client, LETTERS, "responsibilityLetters", org=ids["A"], last=2,
                   before=last["pageInfo"]["startCursor"])
    assert [n["year"] for n in earlier["nodes"]] == [2026, 2025]
    assert flags(earlier) == (False, True)
    only = page(client, LETTERS, "responsibilityLetters", year=2025, first=5)
    assert titles(only) == ["2025年目标责任书"] and only["nodes"][0]["status"] == "drafted"
    assert page(client, LETTERS, "responsibilityLetters", ids["secretary"],
                first=5)["totalCount"] == 0


VIEW = """query($party: ID!, $first: Int, $after: String, $last: Int, $before: String,
               $overdueAfter: String, $overdueBefore: String) {
  accountability(partyId: $party, today: "2026-06-30") {
    findings(first: $first, after: $after, last: $last, before: $before) {
      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      nodes { title } }
    overdue(first: $first, after: $overdueAfter, last: $last, before: $overdueBefore) {
      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      nodes { title: finding { title } daysOverdue } }
    letters(first: 1) { totalCount nodes { year } }
  } }"""


def test_the_accountability_views_lists_page_both_ways(world) -> None:
    client, ids = world
    view = page(client, VIEW, "accountability", party=ids["A"], first=3)
    assert titles(view["findings"]) == ["问题1", "问题2", "问题3"]
    assert flags(view["findings"]) == (False, True) and view["findings"]["totalCount"] == 5
    assert [(n["title"]["title"], n["daysOverdue"]) for n in view["overdue"]["nodes"]] == [
        ("问题1", 60), ("问题2", 59), ("问题3", 58)]
    assert view["overdue"]["totalCount"] == 5
    assert view["letters"] == {"totalCount": 3, "nodes": [{"year": 2026}]}

    rest = page(client, VIEW, "accountability", party=ids["A"], first=3,
                after=view["findings"]["pageInfo"]["endCursor"],
                overdueAfter=view["overdue"]["pageInfo"]["endCursor"])
    assert titles(rest["findings"]) == ["问题4", "问题5"] and flags(rest["findings"]) == (
        True, False)
    assert [n["title"]["title"] for n in rest["overdue"]["nodes"]] == ["问题4", "问题5"]
    tail = page(client, VIEW, "accountability", party=ids["A"], last=2)
    assert [n["title"]["title"] for n in tail["overdue"]["nodes"]] == ["问题4", "问题5"]
    assert flags(tail["overdue"]) == (True, False)
    earlier = page(client, VIEW, "accountability", party=ids["A"], last=2,
                   overdueBefore=tail["overdue"]["pageInfo"]["startCursor"])
    assert [n["title"]["title"] for n in earlier["overdue"]["nodes"]] == ["问题2", "问题3"]
    assert flags(earlier["overdue"]) == (True, True)
