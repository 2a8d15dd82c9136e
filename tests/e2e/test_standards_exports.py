"""Branch standardisation exported over HTTP on the demo, on each backend (达标情况): each
branch's level on a day, since when, the change and its reason, the acceptance it rests on,
its latest self-check and its history, as xlsx and CSV with Chinese headers and typed cells;
as known at a moment; cut to the reader's read scope like `branchLevels`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from starlette.testclient import TestClient

from app.demo import load_demo, moments
from app.demo_life import BRANCHES
from app.demo_organization import demo_id
from app.demo_standards import (
    ACCEPTANCES,
    ITEMS,
    LOWERED_BECAUSE,
    LOWERED_ON,
    LOWERED_REASON,
)
from app.graphql.kit.ids import to_global_id
from app.http import create_app
from app.settings import Settings
from domain.standardisation import standardisation_id
from tests.e2e.test_api import ADMIN, SECRET, bearer, gql
from tests.e2e.test_exports import csv_rows, sheet_rows

HEADERS = ("组织", "上级组织", "等级", "等级起始日期", "最近变更", "变更理由", "依据问题编号",
           "验收组织", "验收日期", "最近自查日期", "自查得分", "变更次数", "变更历史",
           "组织编号", "档案编号")
AUGUST = "2026-08-01"


@dataclass
class Demo:
    client: TestClient
    published: str  # the moment the second-quarter assessment was published

    def org(self, key: str) -> str:
        return to_global_id("Organization", demo_id(key))


@pytest.fixture
def demo(database_url: str) -> Iterator[Demo]:
    settings = Settings(database_url=database_url, jwt_secret=SECRET)
    with TestClient(create_app(settings)) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        load_demo(services.app)
        assert services.runner.wait_until(services.app.recorder.max_notification_id(), 60)
        with services.database.connection() as conn:
            published = next(m for m in moments(services.app, conn) if m.title == "二季度考核公布")
        yield Demo(client, published.iso)


def test_each_branch_with_its_level_acceptance_self_check_and_history_then_and_now(
        demo: Demo) -> None:
    rows = sheet_rows(demo.client.get("/export/branch-standardisation.xlsx", headers=ADMIN,
                                      params={"organizationId": demo.org("committee"),
                                              "validAt": AUGUST}), "达标情况")
    assert rows[0] == HEADERS
    assert len(rows) == 1 + len(BRANCHES)
    by_name = {row[0]: row for row in rows[1:]}
    marketing = by_name["营销中心党支部"]
    assert marketing[1:6] == ("临江市烟草专卖局（公司）党委", "达标", marketing[3], "降级",
                              LOWERED_REASON)
    assert marketing[3].date() == LOWERED_ON  # a date cell
    assert marketing[6] == to_global_id("Finding", demo_id(LOWERED_BECAUSE))
    assert marketing[7] == "临江市烟草专卖局（公司）党委"
    assert marketing[8].date() == date(2026, 6, 22)
    assert marketing[9].date() == date(2026, 3, 20)
    assert isinstance(marketing[10], int | float)
    assert marketing[10] == sum(points * 96 // 100 for *_item, points in ITEMS)
    assert marketing[11] == 2 and isinstance(marketing[11], int)
    assert marketing[12].startswith("2026-06-22 达标验收：示范（")
    assert "；2026-07-18 降级：达标（" in marketing[12]
    assert marketing[13:] == (demo.org("marketing"), to_global_id(
        "BranchStandardisation", standardisation_id(demo_id("marketing"))))
    warehouse = by_name["仓储党支部"]
    assert (warehouse[1], warehouse[2], warehouse[7]) == ("物流中心党总支", "达标",
                                                          "物流中心党总支")
    assert by_name["西河县局（分公司）党支部"][2] == "未达标"
    unrated = by_name["配送党支部"]
    assert unrated[2] == "未评定" and unrated[3:11] == (None,) * 8 and unrated[11] == 0
    shown = gql(demo.client, """{ branchLevels(first: 20, validAt: "2026-08-01") {
        nodes { organization { name } levelLabel since } } }""")["data"]["branchLevels"]
    assert {(n["organization"]["name"], n["levelLabel"], n["since"]) for n in shown["nodes"]} \
        == {(row[0], row[2], row[3].date().isoformat()) for row in rows[1:] if row[3]}

    # as known when the assessment was published, and valid on an earlier day
    then = csv_rows(demo.client.get("/export/branch-standardisation.csv", headers=ADMIN,
                                    params={"validAt": AUGUST, "asOf": demo.published}))
    assert tuple(then[0]) == HEADERS
    marketing = next(line for line in then[1:] if line[0] == "营销中心党支部")
    assert marketing[2:5] == ["示范", "2026-06-22", "达标验收"]  # the lowering not known yet
    before = csv_rows(demo.client.get("/export/branch-standardisation.csv", headers=ADMIN,
                                      params={"validAt": "2026-06-01"}))
    assert {line[2] for line in before[1:]} == {"未评定"}
    assert {line[9] for line in before[1:] if line[0] == "营销中心党支部"} == {"2026-03-20"}
    assert len(ACCEPTANCES) == len([line for line in before[1:] if line[9]])  # self-checked


def test_the_export_is_cut_to_the_readers_scope(demo: Demo) -> None:
    secretary = bearer(f"person:{demo_id('marketing/person-0')}")
    own = csv_rows(demo.client.get("/export/branch-standardisation.csv", headers=secretary))
    assert [line[0] for line in own[1:]] == ["营销中心党支部"]
    for params in ({"organizationId": demo.org("committee")},
                   {"organizationId": demo.org("xihe")}):
        refused = demo.client.get("/export/branch-standardisation.xlsx", headers=secretary,
                                  params=params)
        assert refused.status_code == 403, refused.text
        assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert demo.client.get("/export/branch-standardisation.csv").status_code == 401
    for params in ({"validAt": "not a date"}, {"asOf": "yesterday"},
                   {"organizationId": to_global_id("Organization", demo_id("nowhere"))}):
        bad = demo.client.get("/export/branch-standardisation.csv", headers=ADMIN,
                              params=params)
        assert bad.status_code == 400, (params, bad.text)
