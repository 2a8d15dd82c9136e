"""Exports over HTTP: the audit log and a goal's history as xlsx and CSV, with Chinese
headers and typed columns; inspectors and admins only."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from openpyxl import load_workbook

from app.graphql.ids import to_global_id
from tests.e2e import test_audit_api
from tests.e2e.test_api import ADMIN, events
from tests.e2e.test_audit_api import World
from tests.integration.audit_story import LOWERED, SYSTEM

world = test_audit_api.world  # the same story and principals


def test_the_audit_log_exports_to_xlsx_with_typed_columns(world: World) -> None:
    response = world.client.get("/export/audit-log.xlsx", headers=world.inspector)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True)["审计日志"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("日志位置", "记录时间(UTC)", "生效日期", "操作人", "对象类型", "操作")
    assert len(rows) == 1 + events(world.client)
    newest = rows[1]
    assert newest[0] == events(world.client) and isinstance(newest[0], int)
    assert isinstance(newest[1], datetime)
    revoked = next(row for row in rows[1:] if row[5] == "ResponsibilityRevoked")
    assert isinstance(revoked[2], datetime)  # a date cell (openpyxl reads dates as datetimes)
    assert revoked[2].date() == world.told.direct_until
    lowered = next(row for row in rows[1:] if row[8] == LOWERED and row[6] == world.goal())
    assert lowered[9] == "weight: 60 → 50"


def test_a_filtered_audit_log_and_a_goal_history_export_to_csv(world: World) -> None:
    response = world.client.get("/export/audit-log.csv", headers=world.inspector,
                                params={"actor": SYSTEM})
    assert response.status_code == 200
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "日志位置" and len(rows) == 2
    assert rows[1][3] == SYSTEM and rows[1][5] == "Revised"
    assert datetime.fromisoformat(rows[1][1]).tzinfo is not None
    history = world.client.get("/export/goal-history.csv", headers=ADMIN,
                               params={"goalId": world.goal()})
    lines = list(csv.reader(io.StringIO(history.content.decode("utf-8-sig"))))
    assert len(lines) == 1 + 8
    assert {line[6] for line in lines[1:]} == {world.goal()}
    xlsx = world.client.get("/export/goal-history.xlsx", headers=ADMIN,
                            params={"goalId": world.goal()})
    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True)["目标变更历史"]
    assert len(list(sheet.iter_rows(values_only=True))) == 1 + 8


def test_exports_are_for_inspectors_and_admins(world: World) -> None:
    goal = {"goalId": world.goal()}
    for path, params in (("/export/audit-log.xlsx", {}), ("/export/audit-log.csv", {}),
                         ("/export/goal-history.csv", goal)):
        for headers in (world.secretary, world.member):
            refused = world.client.get(path, headers=headers, params=params)
            assert refused.status_code == 403
            assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert world.client.get(path, params=params).status_code == 401
    assert world.client.get("/export/nothing.csv", headers=ADMIN).status_code == 404
    bad = world.client.get("/export/audit-log.csv", headers=ADMIN,
                           params={"effectiveFrom": "not a date"})
    assert bad.status_code == 400
    wrong_kind = world.client.get("/export/goal-history.csv", headers=ADMIN, params={
        "goalId": to_global_id("Organization", world.told.story.branch)})
    assert wrong_kind.status_code == 400
