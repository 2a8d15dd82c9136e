"""Organisational life exported over HTTP on the demo, on each backend: the meeting records
(会议记录), the compliance view's periods (三会一课落实情况) and members' attendance
(党员参会情况) as xlsx and CSV, with Chinese headers and labels, typed cells and names beside
ids; for inspectors and admins over the organisations exported."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from starlette.testclient import TestClient

from app.demo import load_demo, moments
from app.demo_life import planned
from app.demo_organization import demo_id
from app.graphql.kit.ids import to_global_id
from app.http import create_app
from app.settings import Settings
from domain.people import Person
from tests.e2e.test_api import ADMIN, SECRET, bearer, gql
from tests.e2e.test_exports import csv_rows, sheet_rows

MEETING_HEADERS = ("召开日期", "组织", "会议类型", "议题", "主持人", "应到人数", "出席", "缺席",
                   "请假", "缺席、请假及原因", "状态", "更正次数", "最近更正或作废原因",
                   "会议纪要", "佐证材料", "会议编号", "组织编号", "主持人编号")
COMPLIANCE_HEADERS = ("组织", "会议类型", "期间", "开始日期", "结束日期", "应开次数", "已开次数",
                      "落实情况", "召开日期", "组织编号")
ATTENDANCE_HEADERS = ("组织", "党员", "应参会次数", "出席", "缺席", "请假", "出席率(%)",
                      "党员编号", "组织编号")
END_OF_NOVEMBER = "2026-11-30"


@dataclass
class Demo:
    client: TestClient
    app: Any
    xihe_inspector: dict[str, str]
    published: str  # the moment the second-quarter assessment was published

    def org(self, key: str) -> str:
        return to_global_id("Organization", demo_id(key))

    def name(self, key: str) -> str:
        return str(self.app.get(Person, demo_id(key)).name)


@pytest.fixture
def demo(database_url: str) -> Iterator[Demo]:
    settings = Settings(database_url=database_url, jwt_secret=SECRET)
    with TestClient(create_app(settings)) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        app = services.app
        load_demo(app)
        inspector = app.register_person("admin", name="西河纪检员", party_member=True).id
        last = app.grant_role("admin", inspector, role="inspector",
                              organization_id=demo_id("xihe"), reason="纪检监察")
        assert services.runner.wait_until(last.position, 60)
        with services.database.connection() as conn:
            published = next(m for m in moments(app, conn) if m.title == "二季度考核公布")
        yield Demo(client, app, bearer(f"person:{inspector}"), published.iso)


def test_meeting_records_export_latest_first_with_absences_corrections_and_cancellations(
        demo: Demo) -> None:
    rows = sheet_rows(demo.client.get("/export/meetings.xlsx", headers=ADMIN, params={
        "organizationId": demo.org("marketing"), "year": "2026"}), "会议记录")
    assert rows[0] == MEETING_HEADERS
    held = sorted(m.held_on for q in range(1, 5) for m in planned(q) if m.branch == "marketing")
    assert len(held) == 23 and len(rows) == 1 + 23
    assert [row[0].date() for row in rows[1:]] == held[::-1]  # date cells, the latest first
    assert {row[1] for row in rows[1:]} == {"营销中心党支部"}
    assert {row[4] for row in rows[1:]} == {demo.name("marketing/person-0")}

    (cancelled,) = [row for row in rows[1:] if row[10] == "已作废"]
    assert cancelled[0].date() == date(2026, 5, 5) and cancelled[2] == "支部委员会"
    assert cancelled[11:13] == (1, "复查发现5月支委会未实际召开，记录系事后补记，予以作废")
    (corrected,) = [row for row in rows[1:] if row[11] == 1 and row[10] == "已召开"]
    assert corrected[2] == "支部党员大会" and corrected[5:9] == (11, 8, 2, 1)
    assert all(isinstance(cell, int) for cell in corrected[5:9])
    assert (f"{demo.name('marketing/person-7')}（缺席：外出培训未参会，签到系他人代签）"
            in corrected[9])
    assert corrected[12] == "复查发现签到存在代签，更正该党员为缺席"
    assert corrected[16:] == (demo.org("marketing"),
                              to_global_id("Person", demo_id("marketing/person-0")))
    (general,) = [m for m in planned(2) if (m.branch, m.kind) == ("marketing", "branch_general")]
    assert corrected[15] == to_global_id("Meeting", general.id)
    untouched = [row for row in rows[1:] if row[11] == 0]
    assert all(row[12] is None and row[14].endswith("签到表.pdf") for row in untouched)

    lines = csv_rows(demo.client.get("/export/meetings.csv", headers=ADMIN, params={
        "organizationId": demo.org("marketing"), "kind": "BRANCH_GENERAL", "status": "held"}))
    assert tuple(lines[0]) == MEETING_HEADERS
    assert [line[0] for line in lines[1:]] == ["2026-11-14", "2026-08-14", "2026-05-14",
                                               "2026-02-14"]
    assert {line[2] for line in lines[1:]} == {"支部党员大会"}


def test_compliance_and_attendance_export_each_period_and_member_of_a_subtree(
        demo: Demo) -> None:
    client = demo.client
    query = {"organizationId": demo.org("committee"), "validAt": END_OF_NOVEMBER}
    rows = sheet_rows(client.get("/export/meeting-compliance.xlsx", headers=ADMIN,
                                 params=query), "三会一课落实情况")
    assert rows[0] == COMPLIANCE_HEADERS
    assert {(row[0], row[1], row[2]) for row in rows[1:] if row[7] == "未落实"} == {
        ("西河县局（分公司）党支部", "支部党员大会", "2026-Q2"),
        ("西河县局（分公司）党支部", "支部委员会", "2026-08"),
        ("西河县局（分公司）党支部", "党课", "2026-Q3"),
        ("西河县局（分公司）党支部", "主题党日", "2026-09"),
        ("配送党支部", "支部委员会", "2026-10"),
        ("营销中心党支部", "支部委员会", "2026-05")}
    # ten branches: 11 months of 支委会, 4 quarters of 党员大会 and 党课, 5 months of 主题党日
    assert len(rows) == 1 + 10 * (11 + 4 + 4 + 5)
    assert {row[2] for row in rows[1:] if row[7] == "进行中"} == {"2026-Q4"}
    march = next(row for row in rows[1:]
                 if row[0] == "营销中心党支部" and row[1] == "支部委员会" and row[2] == "2026-03")
    assert (march[3].date(), march[4].date()) == (date(2026, 3, 1), date(2026, 3, 31))
    assert march[5:9] == (1, 1, "已落实", "2026-03-05")
    assert march[9] == demo.org("marketing")

    then = csv_rows(client.get("/export/meeting-compliance.csv", headers=ADMIN, params={
        "organizationId": demo.org("marketing"), "validAt": "2026-06-30",
        "asOf": demo.published}))
    assert {line[2]: line[7] for line in then[1:] if line[1] == "支部委员会"}["2026-05"] == \
        "已落实"  # counted as the assessment was published, before it was cancelled

    members = sheet_rows(client.get("/export/meeting-attendance.xlsx", headers=ADMIN, params={
        "organizationId": demo.org("marketing"), "validAt": END_OF_NOVEMBER}), "党员参会情况")
    assert members[0] == ATTENDANCE_HEADERS
    shown = gql(client, """query($org: ID!) { meetingCompliance(organizationId: $org,
        validAt: "2026-11-30") { members { person { name } listed present absent excused
        rate } } }""", org=demo.org("marketing"))["data"]["meetingCompliance"]["members"]
    assert [row[1:7] for row in members[1:]] == [
        (m["person"]["name"], m["listed"], m["present"], m["absent"], m["excused"],
         round(m["rate"] * 100, 2)) for m in shown]
    assert len(members) == 1 + 11
    assert all(isinstance(row[6], int | float) for row in members[1:])  # numbers, not text


def test_life_exports_are_for_inspectors_and_admins_over_what_they_export(demo: Demo) -> None:
    client = demo.client
    own = csv_rows(client.get("/export/meetings.csv", headers=demo.xihe_inspector))
    assert {line[1] for line in own[1:]} == {"西河县局（分公司）党支部"} and len(own) > 10
    secretary = bearer(f"person:{demo_id('marketing/person-0')}")
    for path, params in (
            ("/export/meetings.csv", {"organizationId": demo.org("committee")}),
            ("/export/meeting-compliance.xlsx", {"organizationId": demo.org("marketing")})):
        for headers in (demo.xihe_inspector, secretary):
            refused = client.get(path, headers=headers, params=params)
            assert refused.status_code == 403, refused.text
            assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert client.get(path, params=params).status_code == 401
    for path, params in (
            ("/export/meetings.csv", {"kind": "weekly_chat"}),
            ("/export/meetings.csv", {"year": "1337"}),
            ("/export/meeting-compliance.csv", {}),
            ("/export/meeting-compliance.csv", {"organizationId": to_global_id(
                "Organization", demo_id("nowhere"))}),
            ("/export/meeting-attendance.csv", {"organizationId": demo.org("xihe"),
                                                "validAt": "not a date"})):
        bad = client.get(path, headers=ADMIN, params=params)
        assert bad.status_code == 400, (path, params, bad.text)
    xihe = csv_rows(client.get("/export/meeting-attendance.csv", headers=demo.xihe_inspector,
                               params={"organizationId": demo.org("xihe")}))
    assert {line[0] for line in xihe[1:]} == {"西河县局（分公司）党支部"} and len(xihe) > 1
