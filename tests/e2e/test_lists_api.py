"""The lists people expect, over HTTP on each backend: top-level commitments (with content and
follow-ups), projects and sanctions, filtered and paged and cut to the reader's subtree; an
organisation's accountability with its members' records; name search; category filters; a
goal's progress reports."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from starlette.testclient import TestClient

from app.graphql.kit.ids import from_global_id, to_global_id
from app.http import create_app
from app.settings import Settings
from domain.values import Period, quantitative
from tests.e2e.test_api import SECRET, bearer, gql

YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))


@pytest.fixture
def world(database_url: str) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    """A committee over branch A (营销, with group A1) and branch B (物流); 张三 a member of A
    since January, 王五 one since June, 李四 a member of B; commitments, projects and
    sanctions in each; a goal of A with two progress reports, the second back-dated."""
    settings = Settings(database_url=database_url, jwt_secret=SECRET)
    with TestClient(create_app(settings)) as client:
        app = client.app.state.services.app  # type: ignore[attr-defined]
        ids: dict[str, Any] = {}

        def org(key: str, name: str, kind: str, category: str, parent: str | None) -> None:
            ids[key] = app.register_organization(
                "admin", name=name, kind=kind, category=category,
                parent_id=ids[parent] if parent else None).id

        def person(key: str, name: str, org_key: str, post: str, since: date) -> None:
            ids[key] = app.register_person("admin", name=name, party_member=True).id
            app.appoint("admin", ids[key], organization_id=ids[org_key], post=post,
                        effective_date=since)

        org("C", "市局党委", "committee", "机关", None)
        org("A", "营销一党支部", "branch", "营销", "C")
        org("A1", "百分之100%_小组", "group", "营销", "A")
        org("B", "物流党支部", "branch", "物流", "C")
        person("secA", "Zhang Wei", "A", "secretary", date(2025, 1, 1))
        person("zhang", "张三", "A", "member", date(2026, 1, 1))
        person("wang", "王五", "A", "member", date(2026, 6, 1))
        person("secB", "钱书记", "B", "secretary", date(2025, 1, 1))
        person("li", "李四", "B", "member", date(2026, 1, 1))

        def commit(party: str, kind: str, where: str, title: str, made: date) -> Any:
            return app.make_commitment(
                "admin", party_kind=kind, party_id=ids[party], organization_id=ids[where],
                title=title, content=f"{title}的内容", due_date=date(2026, 12, 31),
                effective_date=made).id

        ids["c_zhang"] = commit("zhang", "person", "A", "走访群众", date(2026, 2, 1))
        ids["c_A"] = commit("A", "organization", "A", "支部承诺", date(2026, 3, 1))
        ids["c_A1"] = commit("A1", "organization", "A1", "小组承诺", date(2026, 4, 1))
        ids["c_li"] = commit("li", "person", "B", "物流承诺", date(2026, 2, 15))
        app.follow_up_commitment(f"person:{ids['secA']}", ids["c_zhang"], note="走访34户",
                                 evidence=["台账.pdf"], effective_date=date(2026, 3, 1),
                                 reason="一季度")
        app.follow_up_commitment("admin", ids["c_zhang"], note="办结12项", evidence=[],
                                 effective_date=date(2026, 4, 1))
        app.conclude_commitment("admin", ids["c_A"], fulfilled=True,
                                effective_date=date(2026, 6, 1), reason="已兑现")

        def project(where: str, leader: str, title: str) -> Any:
            return app.propose_project("admin", project_type="promotion",
                                       organization_id=ids[where], leader_id=ids[leader],
                                       title=title, milestones=[("方案", date(2026, 9, 1))]).id

        ids["p_A"] = project("A", "secA", "红色驿站")
        ids["p_A1"] = project("A1", "zhang", "党员先锋岗")
        ids["p_B"] = project("B", "secB", "物流先锋")
        app.step_project("admin", ids["p_A1"], step="approve", effective_date=date(2026, 3, 1))

        finding = app.raise_finding("admin", title="台账不全", source="inspection",
                                    severity="minor", organization_id=ids["A"],
                                    owner_id=ids["secA"], deadline=date(2026, 6, 30),
                                    effective_date=date(2026, 4, 1)).id

        def sanction(party: str, kind: str, where: str, on: date,
                     party_kind: str = "person") -> Any:
            return app.issue_sanction("admin", kind=kind, party_kind=party_kind,
                                      party_id=ids[party], organization_id=ids[where],
                                      basis=[("finding", finding)], effective_date=on,
                                      reason="考核").id

        # Issued by the committee in its own name, on members of A: 张三 held his post that
        # day, 王五 not yet.
        ids["s_zhang"] = sanction("zhang", "admonishing_talk", "C", date(2026, 5, 1))
        ids["s_wang"] = sanction("wang", "written_warning", "C", date(2026, 5, 20))
        ids["s_A"] = sanction("A", "commendation", "A", date(2026, 7, 1), "organization")
        ids["s_li"] = sanction("li", "written_warning", "B", date(2026, 4, 1))
        app.revoke_sanction("admin", ids["s_li"], reason="复核撤销",
                            effective_date=date(2026, 8, 1))

        ids["goal"] = app.draft_goal("admin", level="annual", organization_id=ids["A"],
                                     field="political", title="三会一课",
                                     period=YEAR, indicator=quantitative("次", 0, 100),
                                     weight=100).id
        ids["goalB"] = app.draft_goal("admin", level="annual", organization_id=ids["B"],
                                      field="political", title="物流目标",
                                      period=YEAR, indicator=quantitative("次", 0, 100),
                                      weight=100).id
        app.issue_goal("admin", ids["goal"])
        app.report_progress(f"person:{ids['zhang']}", ids["goal"], value=60,
                            effective_date=date(2026, 11, 17), evidence=["会议记录.pdf"])
        services = client.app.state.services  # type: ignore[attr-defined]
        assert services.runner.wait_until(app.recorder.max_notification_id(), 10)
        time.sleep(0.01)
        ids["before_second_report"] = datetime.now(UTC).isoformat()
        time.sleep(0.01)
        app.report_progress("admin", ids["goal"], value=30, effective_date=date(2026, 10, 8),
                            evidence=["补报.pdf", "签到表.jpg"], reason="补录十月数据")
        assert services.runner.wait_until(app.recorder.max_notification_id(), 10)
        kinds = {"c": "Commitment", "p": "Project", "s": "Sanction"}
        gids = {key: to_global_id(
            kinds.get(key.split("_")[0], "Organization" if key in ("C", "A", "A1", "B")
                      else "Goal" if key.startswith("goal") else "Person"), value)
            for key, value in ids.items() if key != "before_second_report"}
        yield client, {**gids, "before_second_report": ids["before_second_report"]}


def read(client: TestClient, query: str, headers: dict[str, str] | None = None,
         **variables: Any) -> dict[str, Any]:
    result = gql(client, query, **({"headers": headers} if headers else {}), **variables)
    assert "errors" not in result, result
    return dict(result["data"])


COMMITMENTS = """query($org: ID, $person: ID, $status: CommitmentStatus, $from: Date, $to: Date,
                       $first: Int, $after: String) {
  commitments(organizationId: $org, personId: $person, status: $status, from: $from, to: $to,
              first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { title content status madeOn followUps
            followUpNotes(first: 5) { totalCount nodes { note evidence effectiveDate reason
                                                         recordedAt
                                                         reporter { __typename name } } } } } }"""


def titles(connection: dict[str, Any]) -> list[str]:
    return [node["title"] for node in connection["nodes"]]


def test_commitments_by_subtree_person_status_and_date_with_content_and_follow_ups(
        world) -> None:
    client, ids = world
    under_a = read(client, COMMITMENTS, org=ids["A"], first=10)["commitments"]
    assert sorted(titles(under_a)) == ["小组承诺", "支部承诺", "走访群众"]
    assert under_a["totalCount"] == 3
    everything = read(client, COMMITMENTS, first=10)["commitments"]
    assert everything["totalCount"] == 4

    zhang = read(client, COMMITMENTS, person=ids["zhang"], first=10)["commitments"]
    assert zhang["totalCount"] == 1
    [made] = zhang["nodes"]
    assert made["content"] == "走访群众的内容" and made["followUps"] == 2
    notes = made["followUpNotes"]
    assert notes["totalCount"] == 2
    first, second = notes["nodes"]
    assert (first["note"], first["evidence"], first["effectiveDate"], first["reason"]) == (
        "走访34户", ["台账.pdf"], "2026-03-01", "一季度")
    assert first["reporter"] == {"__typename": "Person", "name": "Zhang Wei"}
    assert second["note"] == "办结12项"
    assert second["reporter"] == {"__typename": "SystemActor", "name": "系统管理员账号"}
    assert first["recordedAt"] <= second["recordedAt"]

    fulfilled = read(client, COMMITMENTS, status="fulfilled", first=10)["commitments"]
    assert titles(fulfilled) == ["支部承诺"] and fulfilled["totalCount"] == 1
    spring = read(client, COMMITMENTS, **{"from": "2026-02-10", "to": "2026-03-31"},
                  first=10)["commitments"]
    assert sorted(titles(spring)) == ["支部承诺", "物流承诺"] and spring["totalCount"] == 2

    pages, cursor = [], None
    for _ in range(4):
        found = read(client, COMMITMENTS, first=1, after=cursor)["commitments"]
        assert found["totalCount"] == 4
        pages += titles(found)
        cursor = found["pageInfo"]["endCursor"]
        if not found["pageInfo"]["hasNextPage"]:
            break
    assert sorted(pages) == sorted(titles(everything)) and len(pages) == 4


PROJECTS = """query($org: ID, $person: ID, $status: ProjectStatus, $from: Date, $to: Date,
                    $first: Int, $after: String) {
  projects(organizationId: $org, personId: $person, status: $status, from: $from, to: $to,
           first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { title status proposedOn } } }"""
SANCTIONS = """query($org: ID, $person: ID, $status: SanctionStatus, $from: Date, $to: Date,
                     $first: Int, $after: String) {
  sanctions(organizationId: $org, personId: $person, status: $status, from: $from, to: $to,
            first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { kind status issuedOn partyId revoked } } }"""


def test_projects_and_sanctions_filter_and_page(world) -> None:
    client, ids = world
    under_a = read(client, PROJECTS, org=ids["A"], first=10)["projects"]
    assert titles(under_a) == ["党员先锋岗", "红色驿站"] and under_a["totalCount"] == 2
    led = read(client, PROJECTS, person=ids["zhang"], first=10)["projects"]
    assert titles(led) == ["党员先锋岗"]
    assert titles(read(client, PROJECTS, status="approved", first=10)["projects"]) == [
        "党员先锋岗"]
    today = date.today().isoformat()  # a proposal's own day: the day it was recorded
    assert {n["proposedOn"] for n in under_a["nodes"]} == {today}
    assert read(client, PROJECTS, **{"from": today}, first=10)["projects"]["totalCount"] == 3
    assert read(client, PROJECTS, to="2020-01-01", first=10)["projects"]["totalCount"] == 0
    first = read(client, PROJECTS, first=2)["projects"]
    rest = read(client, PROJECTS, first=2, after=first["pageInfo"]["endCursor"])["projects"]
    assert titles(first) + titles(rest) == ["党员先锋岗", "物流先锋", "红色驿站"]
    assert (first["totalCount"], rest["totalCount"]) == (3, 3)
    assert not rest["pageInfo"]["hasNextPage"]

    everything = read(client, SANCTIONS, first=10)["sanctions"]
    assert [n["issuedOn"] for n in everything["nodes"]] == [
        "2026-04-01", "2026-05-01", "2026-05-20", "2026-07-01"]
    in_committee = read(client, SANCTIONS, org=ids["C"], first=10)["sanctions"]
    assert in_committee["totalCount"] == 4  # the committee's subtree holds them all
    in_a = read(client, SANCTIONS, org=ids["A"], first=10)["sanctions"]
    assert [n["kind"] for n in in_a["nodes"]] == ["commendation"]  # issued in A
    revoked = read(client, SANCTIONS, status="revoked", first=10)["sanctions"]
    assert [(n["partyId"], n["status"], n["revoked"]) for n in revoked["nodes"]] == [
        (ids["li"], "revoked", True)]
    in_force = read(client, SANCTIONS, status="in_force", first=10)["sanctions"]
    assert in_force["totalCount"] == 3
    may = read(client, SANCTIONS, **{"from": "2026-05-01", "to": "2026-05-31"},
               first=10)["sanctions"]
    assert [n["kind"] for n in may["nodes"]] == ["admonishing_talk", "written_warning"]
    on_zhang = read(client, SANCTIONS, person=ids["zhang"], first=10)["sanctions"]
    assert on_zhang["totalCount"] == 1 and on_zhang["nodes"][0]["partyId"] == ids["zhang"]


def test_a_branch_secretary_lists_only_its_subtree(world) -> None:
    client, ids = world
    secretary = bearer(f"person:{from_global_id(ids['secB'])[1]}")
    for query, field, expected in ((COMMITMENTS, "commitments", ["物流承诺"]),
                                   (PROJECTS, "projects", ["物流先锋"]),
                                   (SANCTIONS, "sanctions", None)):
        mine = read(client, query, secretary, first=10)[field]
        if expected is not None:
            assert titles(mine) == expected, field
        assert mine["totalCount"] == len(mine["nodes"]) == 1, field
        asking_for_a = read(client, query, secretary, org=ids["A"], first=10)[field]
        assert asking_for_a == {"totalCount": 0, "nodes": [],
                                "pageInfo": {"hasNextPage": False, "endCursor": None}}, field
        by_person = read(client, query, secretary, person=ids["zhang"], first=10)[field]
        assert by_person["totalCount"] == 0, field


VIEW = """query($party: ID!) { accountability(partyId: $party) {
  commitments(first: 10) { totalCount nodes { title } }
  sanctions(first: 10) { totalCount nodes { kind partyId } }
  projects(first: 10) { totalCount nodes { title } } } }"""


def test_an_organisations_accountability_includes_its_members_records(world) -> None:
    client, ids = world
    branch = read(client, VIEW, party=ids["A"])["accountability"]
    # Its own commitment and the member's made in it; not the group's (made in A1).
    assert sorted(titles(branch["commitments"])) == ["支部承诺", "走访群众"]
    # Its commendation, and the talk with 张三, who held his post on the day; not the warning
    # to 王五, who took his post after it.
    assert sorted((n["kind"], n["partyId"]) for n in branch["sanctions"]["nodes"]) == sorted(
        [("commendation", ids["A"]), ("admonishing_talk", ids["zhang"])])
    assert branch["sanctions"]["totalCount"] == 2
    assert titles(branch["projects"]) == ["红色驿站"]
    other = read(client, VIEW, party=ids["B"])["accountability"]
    assert titles(other["commitments"]) == ["物流承诺"]
    assert [n["partyId"] for n in other["sanctions"]["nodes"]] == [ids["li"]]
    person = read(client, VIEW, party=ids["zhang"])["accountability"]
    assert titles(person["commitments"]) == ["走访群众"]
    assert titles(person["projects"]) == ["党员先锋岗"]
    assert [n["kind"] for n in person["sanctions"]["nodes"]] == ["admonishing_talk"]


SEARCH = """query($name: String, $category: String, $person: String) {
  organizations(first: 10, nameContains: $name, category: $category) {
    totalCount nodes { name } }
  people(first: 10, nameContains: $person) { totalCount nodes { name } } }"""


def test_name_search_ignores_case_escapes_wildcards_and_reads_chinese(world) -> None:
    client, _ = world

    def organizations(**variables: Any) -> list[str]:
        return [n["name"] for n in read(client, SEARCH, **variables)["organizations"]["nodes"]]

    def people(name: str) -> list[str]:
        return [n["name"] for n in read(client, SEARCH, person=name)["people"]["nodes"]]

    assert organizations(name="党支部") == ["物流党支部", "营销一党支部"]
    assert organizations(name="%") == ["百分之100%_小组"]  # a literal percent sign
    assert organizations(name="_") == ["百分之100%_小组"]
    assert organizations(name="0%_小") == ["百分之100%_小组"]
    assert organizations(name="党_部") == []  # not a wildcard
    assert people("zhang") == people("ZHANG wei") == ["Zhang Wei"]
    assert people("三") == ["张三"]
    assert read(client, SEARCH, person="书")["people"]["totalCount"] == 1


def test_category_filters_organizations_and_goals(world) -> None:
    client, _ = world
    found = read(client, SEARCH, category="营销")["organizations"]
    assert sorted(n["name"] for n in found["nodes"]) == ["百分之100%_小组", "营销一党支部"]
    assert found["totalCount"] == 2
    assert [n["name"] for n in read(client, SEARCH, category="物流", name="党")[
        "organizations"]["nodes"]] == ["物流党支部"]
    goals = """query($category: String) { goals(first: 10, category: $category) {
                 totalCount nodes { title } } }"""
    assert titles(read(client, goals, category="营销")["goals"]) == ["三会一课"]
    assert titles(read(client, goals, category="物流")["goals"]) == ["物流目标"]
    assert read(client, goals, category="专卖")["goals"]["totalCount"] == 0


REPORTS = """query($id: ID!, $first: Int, $last: Int, $after: String, $at: DateTime,
                   $validAt: Date) {
  goal(id: $id, asOf: $at, validAt: $validAt) { progress { value effectiveDate }
    progressReports(first: $first, last: $last, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      nodes { value rubricLevel effectiveDate evidence reason recordedAt
              reporter { __typename name } } } } }"""


def test_a_goals_progress_reports_page_with_evidence_and_reporter(world) -> None:
    client, ids = world
    found = read(client, REPORTS, id=ids["goal"], first=1)["goal"]
    reports = found["progressReports"]
    assert reports["totalCount"] == 2 and reports["pageInfo"]["hasNextPage"]
    [earliest] = reports["nodes"]  # by effective date: the back-dated one comes first
    assert (earliest["value"], earliest["effectiveDate"], earliest["evidence"],
            earliest["reason"], earliest["reporter"]["__typename"]) == (
        "30", "2026-10-08", ["补报.pdf", "签到表.jpg"], "补录十月数据", "SystemActor")
    after = read(client, REPORTS, id=ids["goal"], first=5,
                 after=reports["pageInfo"]["endCursor"])["goal"]["progressReports"]
    [later] = after["nodes"]
    assert (later["value"], later["effectiveDate"], later["reporter"]) == (
        "60", "2026-11-17", {"__typename": "Person", "name": "张三"})
    assert later["recordedAt"] < earliest["recordedAt"]  # recorded first
    assert read(client, REPORTS, id=ids["goal"], last=1)["goal"]["progressReports"][
        "nodes"][0]["effectiveDate"] == "2026-11-17"
    before = read(client, REPORTS, id=ids["goal"], first=5,
                  at=ids["before_second_report"])["goal"]["progressReports"]
    assert [n["value"] for n in before["nodes"]] == ["60"] and before["totalCount"] == 1
    in_october = read(client, REPORTS, id=ids["goal"], first=5,
                      validAt="2026-10-31")["goal"]["progressReports"]
    assert [n["value"] for n in in_october["nodes"]] == ["30"]


def test_search_arguments_pass_the_input_boundary(world) -> None:
    client, _ = world
    for bad in ("党\x00支部", "党" * 201):
        result = gql(client, SEARCH, name=bad)
        assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", result
    too_many = gql(client, """{ commitments(first: 100) { nodes {
                   followUpNotes(first: 100) { nodes { note } } } } }""")
    assert too_many["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY", too_many
