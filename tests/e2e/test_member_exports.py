"""党员评议结果 exported over HTTP on the demo, on each backend: one row a member of each round,
as xlsx and CSV, with Chinese headers, grades in Chinese, the mutual tally as numbers and names
beside ids; as known at a moment; for inspectors and admins over the branches exported."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from app.demo import load_demo, moments
from app.demo_organization import demo_id
from app.graphql.kit.ids import to_global_id
from app.http import create_app
from app.settings import Settings
from domain.people import Person
from tests.e2e.test_api import ADMIN, SECRET, bearer
from tests.e2e.test_exports import csv_rows, sheet_rows

HEADERS = ("年度", "组织", "党员", "自我评价", "互评人数", "互评优秀", "互评合格", "互评基本合格",
           "互评不合格", "支部委员会意见", "意见说明", "组织评定", "评定理由", "评定日期",
           "上级审核", "审核意见", "审核日期", "评议等次", "状态", "党员编号", "组织编号",
           "评议编号")


@pytest.fixture
def demo(database_url: str) -> Iterator[tuple[TestClient, Any, str]]:
    settings = Settings(database_url=database_url, jwt_secret=SECRET)
    with TestClient(create_app(settings)) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        load_demo(services.app)
        assert services.runner.wait_until(services.app.recorder.max_notification_id(), 60)
        with services.database.connection() as conn:
            before = next(m for m in moments(services.app, conn) if m.title == "下半年组织生活")
        yield client, services.app, before.iso


def test_member_grades_export_each_member_with_the_review_above(demo) -> None:
    client, app, before = demo
    marketing = to_global_id("Organization", demo_id("marketing"))
    rows = sheet_rows(client.get("/export/member-grades.xlsx", headers=ADMIN,
                                 params={"organizationId": marketing, "year": "2026"}),
                      "党员评议结果")
    assert rows[0] == HEADERS and len(rows) == 1 + 11
    assert {row[:2] for row in rows[1:]} == {(2026, "营销中心党支部")}
    assert all(row[4] == 4 and sum(row[5:9]) == 4 for row in rows[1:])
    lapsed = app.get(Person, demo_id("marketing/person-7")).name
    (row,) = [row for row in rows[1:] if row[2] == lapsed]
    assert (row[8], row[9], row[11], row[14], row[17], row[18]) == (
        4, "不合格", "不合格", "改变", "基本合格", "已确定")
    assert row[12] and row[15] and row[13].year == 2026  # reasons, and a date cell
    assert row[19] == to_global_id("Person", demo_id("marketing/person-7"))
    assert sorted(r[17] for r in rows[1:]).count("优秀") == 2

    lines = csv_rows(client.get("/export/member-grades.csv", headers=ADMIN))
    assert tuple(lines[0]) == HEADERS and len(lines) == 1 + 11
    earlier = csv_rows(client.get("/export/member-grades.csv", headers=ADMIN,
                                  params={"asOf": before}))
    assert len(earlier) == 1  # before the round was opened: headers only
    assert len(csv_rows(client.get("/export/member-grades.csv", headers=ADMIN,
                                   params={"year": "2025"}))) == 1


def test_member_grades_are_for_inspectors_and_admins(demo) -> None:
    client, app, _ = demo
    secretary = bearer(f"person:{demo_id('marketing/person-0')}")
    refused = client.get("/export/member-grades.csv", headers=secretary)
    assert refused.status_code == 403
    inspector = app.register_person("admin", name="营销纪检员", party_member=True).id
    app.grant_role("admin", inspector, role="inspector", organization_id=demo_id("xihe"),
                   reason="纪检监察")
    services = client.app.state.services  # type: ignore[attr-defined]
    assert services.runner.wait_until(app.recorder.max_notification_id(), 60)
    elsewhere = bearer(f"person:{inspector}")
    assert len(csv_rows(client.get("/export/member-grades.csv", headers=elsewhere))) == 1
    marketing = to_global_id("Organization", demo_id("marketing"))
    assert client.get("/export/member-grades.csv", headers=elsewhere,
                      params={"organizationId": marketing}).status_code == 403
