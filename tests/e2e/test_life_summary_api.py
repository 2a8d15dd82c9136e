"""The 三会一课 compliance summary over HTTP: every organisation of a generated subtree, paged
through, counts what its own `meetingCompliance` counts, now and as of an earlier moment; the
totals add the rows up; a branch secretary's summary of the whole province holds only its
own branch and group."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from starlette.testclient import TestClient

from app.graphql.kit.ids import to_global_id
from app.http import create_app
from app.settings import Settings
from tests.e2e.test_api import SECRET, bearer, gql
from tests.e2e.test_life_api import RECORD
from tests.integration.test_life_summary import RULES, YEAR, Province

SUMMARY = """query($org: ID!, $after: String, $asOf: DateTime, $validAt: Date) {
  meetingComplianceSummary(organizationId: $org, first: 3, after: $after, year: 2026,
                           asOf: $asOf, validAt: $validAt) {
  year judgedOn
  totals { organizations required fulfilled held missing behind listed present rate
           attendanceRate }
  organizations { totalCount pageInfo { hasNextPage endCursor }
    nodes { organizationId name kind kindLabel organization { name }
            tally { required fulfilled held missing listed present rate } } } } }"""
ONE = """query($org: ID!, $asOf: DateTime, $validAt: Date) {
  meetingCompliance(organizationId: $org, year: 2026, asOf: $asOf, validAt: $validAt) {
  required fulfilled rate kinds { held missingPeriods } members { listed present } } }"""
FIELDS = ("organizations", "required", "fulfilled", "held", "missing", "listed", "present")


@pytest.fixture
def province(database_url: str) -> Iterator[tuple[TestClient, Province, str]]:
    settings = Settings(database_url=database_url, jwt_secret=SECRET)
    with TestClient(create_app(settings)) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        app = services.app
        found = Province(app)
        app.define_meeting_rules("admin", organization_id=found.committee, title="三会一课制度",
                                 effective_from=date(YEAR, 1, 1), rules=RULES)
        found.meetings(range(1, 7))
        assert services.runner.wait_until(app.recorder.max_notification_id(), 10)
        moment = gql(client, "{ auditLog(first: 1) { nodes { recordedAt } } }")["data"][
            "auditLog"]["nodes"][0]["recordedAt"]
        found.meetings(range(7, 12))
        assert services.runner.wait_until(app.recorder.max_notification_id(), 10)
        yield client, found, moment


def every_page(client: TestClient, headers: dict[str, str], root: str,
               **variables: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    rows, after = [], None
    while True:
        found = gql(client, SUMMARY, headers, org=root, after=after, **variables)
        assert "errors" not in found, found
        summary = found["data"]["meetingComplianceSummary"]
        rows += summary["organizations"]["nodes"]
        if not summary["organizations"]["pageInfo"]["hasNextPage"]:
            return summary, rows
        after = summary["organizations"]["pageInfo"]["endCursor"]


def own_view(client: TestClient, organization: str, **variables: Any) -> dict[str, Any]:
    view = gql(client, ONE, org=organization, **variables)["data"]["meetingCompliance"]
    return {"required": view["required"], "fulfilled": view["fulfilled"], "rate": view["rate"],
            "held": sum(k["held"] for k in view["kinds"]),
            "missing": sum(len(k["missingPeriods"]) for k in view["kinds"]),
            "listed": sum(m["listed"] for m in view["members"]),
            "present": sum(m["present"] for m in view["members"])}


@pytest.mark.parametrize("earlier", [False, True])
def test_each_organisation_counts_what_its_own_view_counts(province, earlier) -> None:
    client, found, moment = province
    variables = {"asOf": moment, "validAt": "2026-06-30"} if earlier else {}
    root = to_global_id("Organization", found.committee)
    summary, rows = every_page(client, bearer(), root, **variables)
    assert len(rows) == summary["organizations"]["totalCount"] == len(found.organizations) + 1
    assert [r["name"] for r in rows] == sorted(r["name"] for r in rows)
    for row in rows:
        assert row["tally"] == own_view(client, row["organizationId"], **variables), row["name"]
        assert row["organization"]["name"] == row["name"]
    totals = summary["totals"]
    assert {f: totals[f] for f in FIELDS[1:]} == {
        f: sum(r["tally"][f] for r in rows) for f in FIELDS[1:]}
    assert totals["behind"] == sum(1 for r in rows if r["tally"]["missing"])
    assert 0 < totals["rate"] < 1 and 0 < totals["attendanceRate"] < 1
    assert summary["judgedOn"] == (variables.get("validAt") or date.today().isoformat())
    if earlier:  # the second half's meetings were not known yet
        now, _ = every_page(client, bearer(), root)
        assert now["totals"]["held"] > totals["held"]


def test_a_branch_secretary_sees_only_its_own_subtree_in_the_province_summary(province) -> None:
    client, found, _ = province
    branch = found.organizations[1]
    secretary = bearer(f"person:{found.members[branch][0]}")
    summary, rows = every_page(client, secretary, to_global_id("Organization", found.committee))
    assert sorted(r["organizationId"] for r in rows) == sorted(
        to_global_id("Organization", o) for o in (branch, found.organizations[2]))
    assert summary["totals"]["organizations"] == 2
    assert summary["totals"]["held"] == sum(r["tally"]["held"] for r in rows)
    outsider = found.organizations[3]
    assert gql(client, SUMMARY, secretary, org=to_global_id("Organization", outsider))[
        "data"]["meetingComplianceSummary"] is None


def test_a_meeting_recorded_after_a_summary_was_read_is_in_the_next_one(province) -> None:
    client, found, moment = province
    root = to_global_id("Organization", found.committee)
    before, _ = every_page(client, bearer(), root)
    earlier, _ = every_page(client, bearer(), root, asOf=moment)
    branch = found.organizations[1]
    secretary = found.members[branch][0]
    recorded = gql(client, RECORD, input={
        "organizationId": to_global_id("Organization", branch), "kind": "theme_day",
        "heldOn": "2026-12-01", "topic": "主题党日", "presiderId": to_global_id(
            "Person", secretary),
        "attendance": [{"personId": to_global_id("Person", secretary), "status": "present"}]})
    assert recorded["data"]["recordMeeting"]["userErrors"] == []
    after, _ = every_page(client, bearer(), root)
    assert after["totals"]["held"] == before["totals"]["held"] + 1
    assert after["totals"]["present"] == before["totals"]["present"] + 1
    assert every_page(client, bearer(), root, asOf=moment)[0] == earlier  # the past stays
