"""Branch standardisation over HTTP: admins keep the standard, a branch checks itself, the
organisation above accepts it, lowers and revokes its level with reasons and accepts it
again; the levels held on a day and the shares by year answer as of a moment, within the
reader's subtree; bad input is a userError that writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from starlette.testclient import TestClient

from app.graphql.kit.ids import from_global_id, to_global_id
from app.http import create_app
from app.settings import Settings
from tests.e2e.test_api import SECRET, bearer, events, gql

TODAY = date.today()
RECORD_FIELDS = """status userErrors { field code message }
  standardisation { id organization { name } selfChecks { number revision checkedOn total
  scores { code score evidence } } changes { change changeLabel level levelLabel effectiveOn
  reason findingId acceptedByOrganization { name } } }"""
DEFINE = """mutation($input: DefineBranchStandardInput!) { defineBranchStandard(input: $input) {
  status userErrors { field code } standard { id title versions { revision totalPoints
  items { code title points } } } } }"""
SELF_CHECK = """mutation($input: SelfCheckBranchInput!) { selfCheckBranch(input: $input) {
  """ + RECORD_FIELDS + " } }"
ACCEPT = """mutation($input: AcceptBranchInput!) { acceptBranch(input: $input) {
  """ + RECORD_FIELDS + " } }"
LOWER = """mutation($input: LowerBranchLevelInput!) { lowerBranchLevel(input: $input) {
  """ + RECORD_FIELDS + " } }"
REVOKE = """mutation($input: RevokeBranchLevelInput!) { revokeBranchLevel(input: $input) {
  """ + RECORD_FIELDS + " } }"
LEVELS = """query($asOf: DateTime, $validAt: Date, $level: StandardLevel) {
  branchLevels(first: 10, asOf: $asOf, validAt: $validAt, level: $level) { totalCount
  nodes { organization { name } level levelLabel since change reason } } }"""
SHARES = """query($asOf: DateTime) { branchLevelShares(asOf: $asOf) { year branches
  levels { level levelLabel count share } } }"""
ITEMS = [{"code": "1", "title": "组织设置", "criteria": "按期换届", "points": "40"},
         {"code": "2", "title": "组织生活", "criteria": "三会一课", "points": "60"}]


@pytest.fixture
def world(database_url: str) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    settings = Settings(database_url=database_url, jwt_secret=SECRET)
    with TestClient(create_app(settings)) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        app = services.app
        committee = app.register_organization("admin", name="党委", kind="committee",
                                              category="机关").id
        ids: dict[str, Any] = {"committee": to_global_id("Organization", committee)}
        for name in ("一支部", "二支部"):
            ids[name] = to_global_id("Organization", app.register_organization(
                "admin", name=name, kind="branch", category="营销", parent_id=committee).id)
        for name, org in (("支部书记", "一支部"), ("党委书记", "committee")):
            person = app.register_person("admin", name=name, party_member=True).id
            app.appoint("admin", person, organization_id=_raw(ids[org]), post="secretary",
                        effective_date=date(TODAY.year - 1, 1, 1))
            ids[name] = bearer(f"person:{person}")
        assert services.runner.wait_until(app.recorder.max_notification_id(), 10)
        yield client, ids


def _raw(global_id: str) -> UUID:
    return UUID(str(from_global_id(global_id)[1]))


def scores(first: str = "38", second: str = "57") -> list[dict[str, str]]:
    return [{"code": "1", "score": first, "evidence": "换届批复"},
            {"code": "2", "score": second, "evidence": "会议记录"}]


def define(client: TestClient, ids: dict[str, Any]) -> str:
    made = gql(client, DEFINE, input={
        "organizationId": ids["committee"], "title": "党支部工作标准",
        "effectiveFrom": date(TODAY.year, 1, 1).isoformat(), "items": ITEMS})
    standard = made["data"]["defineBranchStandard"]
    assert standard["status"] == "APPLIED", made
    assert standard["standard"]["versions"][0]["totalPoints"] == 100
    return str(standard["standard"]["id"])


def check(client: TestClient, ids: dict[str, Any], standard: str,
          given: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return dict(gql(client, SELF_CHECK, ids["支部书记"], input={
        "organizationId": ids["一支部"], "standardId": standard,
        "checkedOn": TODAY.isoformat(), "scores": given or scores()})["data"][
        "selfCheckBranch"])


def judge(client: TestClient, ids: dict[str, Any], query: str, name: str,
          **given: Any) -> dict[str, Any]:
    answer = gql(client, query, ids["党委书记"], input={
        "organizationId": ids["一支部"], "effectiveDate": TODAY.isoformat(), **given})
    return dict(answer["data"][name])


def test_accepted_lowered_revoked_and_earned_again_with_the_levels_as_of_each_moment(
        world) -> None:
    client, ids = world
    standard = define(client, ids)
    checked = check(client, ids, standard)
    assert checked["status"] == "APPLIED" and checked["userErrors"] == []
    (first,) = checked["standardisation"]["selfChecks"]
    assert (first["revision"], first["total"]) == (1, 95)
    refused = gql(client, ACCEPT, ids["支部书记"], input={
        "organizationId": ids["一支部"], "level": "exemplary",
        "effectiveDate": TODAY.isoformat(), "reason": "自评示范"})
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["FORBIDDEN"]

    accepted = judge(client, ids, ACCEPT, "acceptBranch", level="exemplary",
                     reason="材料齐全，示范引领")
    (change,) = accepted["standardisation"]["changes"]
    assert (change["change"], change["changeLabel"], change["level"], change["levelLabel"]) == (
        "accepted", "达标验收", "exemplary", "示范")
    assert change["acceptedByOrganization"] == {"name": "党委"}
    exemplary_at = gql(client, "{ auditLog(first: 1) { nodes { recordedAt } } }")["data"][
        "auditLog"]["nodes"][0]["recordedAt"]

    before = events(client)
    no_reason = judge(client, ids, LOWER, "lowerBranchLevel", level="qualified", reason=" ")
    assert [e["code"] for e in no_reason["userErrors"]] == ["REASON_REQUIRED"]
    not_lower = judge(client, ids, LOWER, "lowerBranchLevel", level="exemplary",
                      reason="复核")
    assert [e["code"] for e in not_lower["userErrors"]] == ["INVALID_TRANSITION"]
    assert events(client) == before
    lowered = judge(client, ids, LOWER, "lowerBranchLevel", level="qualified",
                    reason="专项检查发现三会一课记录不全")
    assert lowered["standardisation"]["changes"][-1]["levelLabel"] == "达标"

    held = gql(client, LEVELS, ids["党委书记"])["data"]["branchLevels"]
    assert held["nodes"] == [{"organization": {"name": "一支部"}, "level": "qualified",
                              "levelLabel": "达标", "since": TODAY.isoformat(), "change": "lowered",
                              "reason": "专项检查发现三会一课记录不全"}]
    then = gql(client, LEVELS, ids["党委书记"], asOf=exemplary_at)["data"]["branchLevels"]
    assert [n["level"] for n in then["nodes"]] == ["exemplary"]
    earlier = gql(client, LEVELS, ids["党委书记"],
                  validAt=date(TODAY.year - 1, 12, 31).isoformat())["data"]["branchLevels"]
    assert earlier["totalCount"] == 0
    none_exemplary = gql(client, LEVELS, ids["党委书记"], level="exemplary")["data"]
    assert none_exemplary["branchLevels"]["totalCount"] == 0
    (this_year,) = [s for s in gql(client, SHARES, ids["党委书记"])["data"][
        "branchLevelShares"] if s["year"] == TODAY.year]
    assert this_year["branches"] == 2
    assert {(c["levelLabel"], c["count"], c["share"]) for c in this_year["levels"]} == {
        ("未达标", 0, 0.0), ("达标", 1, 0.5), ("示范", 0, 0.0), (None, 1, 0.5)}

    revoked = judge(client, ids, REVOKE, "revokeBranchLevel", reason="问题严重，撤销")
    assert revoked["standardisation"]["changes"][-1]["level"] is None
    assert gql(client, LEVELS, ids["党委书记"])["data"]["branchLevels"]["totalCount"] == 0
    again = judge(client, ids, ACCEPT, "acceptBranch", level="qualified", reason="再验收")
    assert [e["code"] for e in again["userErrors"]] == ["INVALID_TRANSITION"]  # check first
    check(client, ids, standard, scores("40", "50"))
    earned = judge(client, ids, ACCEPT, "acceptBranch", level="qualified", reason="整改到位")
    assert [c["change"] for c in earned["standardisation"]["changes"]] == [
        "accepted", "lowered", "revoked", "accepted"]
    assert gql(client, LEVELS, ids["支部书记"])["data"]["branchLevels"]["nodes"][0][
        "levelLabel"] == "达标"

    history = gql(client, """query($id: ID!) { history(id: $id, first: 20) { nodes {
        action reason changes { field before after } } } }""",
                  id=earned["standardisation"]["id"])["data"]["history"]["nodes"]
    lowering = next(e for e in history if e["action"] == "Lowered")
    assert {c["field"]: (c["before"], c["after"]) for c in lowering["changes"]}[
        "level"] == ("exemplary", "qualified")
    assert lowering["reason"] == "专项检查发现三会一课记录不全"


def test_bad_self_checks_are_user_errors_that_write_nothing(world) -> None:
    client, ids = world
    standard = define(client, ids)
    before = events(client)
    for given, code in ((scores()[:1], "INVALID_INPUT"), (scores(first="41"), "INVALID_INPUT"),
                        ([*scores(), scores()[0]], "DUPLICATE"),
                        ([{**s, "evidence": ""} for s in scores()], "INVALID_INPUT")):
        answer = check(client, ids, standard, given)
        assert [e["code"] for e in answer["userErrors"]] == [code], given
    not_checked = gql(client, ACCEPT, ids["党委书记"], input={
        "organizationId": ids["二支部"], "level": "qualified",
        "effectiveDate": TODAY.isoformat(), "reason": "验收"})["data"]["acceptBranch"]
    assert [e["code"] for e in not_checked["userErrors"]] == ["INVALID_INPUT"]
    assert events(client) == before
    bad_level = gql(client, ACCEPT, ids["党委书记"], input={
        "organizationId": ids["一支部"], "level": "优秀", "effectiveDate": TODAY.isoformat(),
        "reason": "验收"})
    assert bad_level["errors"] and events(client) == before


def test_the_branch_secretary_reads_only_its_own_branch(world) -> None:
    client, ids = world
    standard = define(client, ids)
    check(client, ids, standard)
    judge(client, ids, ACCEPT, "acceptBranch", level="qualified", reason="达标")
    query = """query($org: ID!) { branchStandardisation(organizationId: $org) {
        selfChecks { number } } }"""
    own = gql(client, query, ids["支部书记"], org=ids["一支部"])["data"]
    assert own["branchStandardisation"]["selfChecks"] == [{"number": 1}]
    assert gql(client, query, ids["支部书记"], org=ids["二支部"])["data"][
        "branchStandardisation"] is None
    shares = gql(client, SHARES, ids["支部书记"])["data"]["branchLevelShares"]
    assert [s["branches"] for s in shares] == [1, 1, 1]
