"""Exports over HTTP: the audit log, a goal's history, a cycle's scoreboard and an
accountability view as xlsx and CSV, with Chinese headers and typed columns; inspectors and
admins only."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from typing import Any

from httpx import Response
from openpyxl import load_workbook

from app.graphql.kit.ids import actor_global_id, to_global_id
from tests.e2e import test_audit_api
from tests.e2e.test_api import ADMIN, bearer, events
from tests.e2e.test_audit_api import World
from tests.integration.audit_story import LOWERED, REOPENED, SYSTEM

world = test_audit_api.world  # the same story and principals


AUDIT_HEADERS = ("日志位置", "记录时间(UTC)", "生效日期", "操作人", "操作人编号", "对象类型",
                 "操作", "对象名称", "对象编号", "所属组织", "所属组织编号", "原因", "变更内容")


def test_the_audit_log_exports_to_xlsx_with_typed_columns_labels_and_names(
        world: World) -> None:
    response = world.client.get("/export/audit-log.xlsx", headers=world.inspector)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True)["审计日志"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == AUDIT_HEADERS
    assert len(rows) == 1 + events(world.client)
    newest = rows[1]
    assert newest[0] == events(world.client) and isinstance(newest[0], int)
    assert isinstance(newest[1], datetime)
    branch = to_global_id("Organization", world.told.story.branch)
    revoked = next(row for row in rows[1:] if row[6] == "解除责任")
    assert isinstance(revoked[2], datetime)  # a date cell (openpyxl reads dates as datetimes)
    assert revoked[2].date() == world.told.direct_until
    assert revoked[5:11] == ("目标", "解除责任", "三会一课按期召开（含党课）", world.goal(),
                             "营销中心党支部", branch)
    lowered = next(row for row in rows[1:] if row[11] == LOWERED and row[8] == world.goal())
    assert lowered[6] == "调整权重" and lowered[12] == "weight: 60 → 50"
    submitted = next(row for row in rows[1:] if row[6] == "提交整改")
    assert submitted[3:5] == ("李书记", to_global_id("Person", world.told.story.secretary))
    renamed = next(row for row in rows[1:] if row[3] == "数据导入")
    assert (renamed[4], renamed[6]) == (actor_global_id(SYSTEM), "修改目标")
    registered = next(row for row in rows[1:] if row[7] == "普通党员" and row[6] == "登记人员")
    assert registered[3:6] == ("系统管理员账号", actor_global_id("admin"), "人员")
    assert registered[12] == "name: ∅ → 普通党员；party_member: ∅ → true"
    proposed = next(row for row in rows[1:] if row[6] == "提出加减分")
    assert '"approved": false' in proposed[12] and '"points": "3"' in proposed[12]
    changes = "".join(row[12] for row in rows[1:])
    assert not any(python in changes for python in ("True", "False", "None", "{'", "['"))


def test_a_filtered_audit_log_and_a_goal_history_export_to_csv(world: World) -> None:
    response = world.client.get("/export/audit-log.csv", headers=world.inspector,
                                params={"actor": SYSTEM})
    assert response.status_code == 200
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "日志位置" and len(rows) == 2
    assert rows[1][3:7] == ["数据导入", actor_global_id(SYSTEM), "目标", "修改目标"]
    assert datetime.fromisoformat(rows[1][1]).tzinfo is not None
    history = world.client.get("/export/goal-history.csv", headers=ADMIN,
                               params={"goalId": world.goal()})
    lines = list(csv.reader(io.StringIO(history.content.decode("utf-8-sig"))))
    assert len(lines) == 1 + 8
    assert {line[8] for line in lines[1:]} == {world.goal()}
    assert {line[7] for line in lines[1:]} == {"三会一课按期召开（含党课）"}
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


def sheet_rows(response: Response, title: str) -> list[tuple[Any, ...]]:
    assert response.status_code == 200, response.text
    return list(load_workbook(io.BytesIO(response.content), read_only=True)[title].iter_rows(
        values_only=True))


def csv_rows(response: Response) -> list[list[str]]:
    assert response.status_code == 200, response.text
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_a_scoreboard_exports_best_first_with_numbers_as_numbers(world: World) -> None:
    assessment = world.told.assessment
    assert assessment is not None
    cycle = {"cycleId": to_global_id("AssessmentCycle", assessment.cycle)}
    rows = sheet_rows(world.client.get("/export/scoreboard.xlsx", headers=world.inspector,
                                       params=cycle), "考核成绩排名")
    assert rows[0][:4] == ("总排名", "分类排名", "组织", "考核分类")
    assert rows[0][11:13] == ("综合得分", "等级")
    assert [(r[0], r[1], r[2], r[11], r[12]) for r in rows[1:]] == [
        (1, 1, "B党支部", 85.9, "合格"), (2, 1, "C党支部", 84.56, "良好"),
        (3, 2, "A党支部", 83.49, "良好")]
    b = rows[1]
    assert isinstance(b[0], int) and isinstance(b[8], int | float) and b[8] == 82  # a number
    assert (b[13], b[14], b[15]) == ("重大负面事件", 6, 6)
    assert rows[3][9] == 3.0  # A's approved bonus
    published = sheet_rows(world.client.get(
        "/export/scoreboard.xlsx", headers=ADMIN,
        params={**cycle, "asOf": world.at("published")}), "考核成绩排名")
    assert [(r[2], r[11], r[0]) for r in published[1:]] == [
        ("B党支部", 85.9, 1), ("A党支部", 83.49, 2), ("C党支部", 78.96, 3)]
    marketing = csv_rows(world.client.get("/export/scoreboard.csv", headers=world.inspector,
                                          params={**cycle, "category": "营销"}))
    assert marketing[0][2] == "组织"
    assert [(r[0], r[1], r[2], r[11]) for r in marketing[1:]] == [
        ("1", "1", "B党支部", "85.9"), ("3", "2", "A党支部", "83.49")]


def test_scoreboard_numbers_are_rounded_as_the_api_rounds_them(world: World) -> None:
    assessment = world.told.assessment
    assert assessment is not None
    services = world.client.app.state.services  # type: ignore[attr-defined]
    corrected = services.app.correct_evaluation(  # C's mass score: 77.123457
        "person:mass-0", assessment.evaluations[("C1", "person:mass-0")], points="77.123457",
        reason="复核更正群众评价")
    assert services.runner.wait_until(corrected.position, 10)
    cycle = to_global_id("AssessmentCycle", assessment.cycle)
    rows = sheet_rows(world.client.get("/export/scoreboard.xlsx", headers=world.inspector,
                                       params={"cycleId": cycle}), "考核成绩排名")
    api = {line["organization"]["name"]: line for line in world.ask(
        "query($c: ID!) { scoreboard(cycleId: $c, first: 10) { nodes { organization { name } "
        "byKind { organizational mass self social } partyBuilding adjustment business "
        "combined } } }", c=cycle)["nodes"]}
    for row in rows[1:]:  # every number as the API shows it, not a digit more
        line = api[row[2]]
        assert row[4:12] == (*line["byKind"].values(), line["partyBuilding"],
                             line["adjustment"], line["business"], line["combined"])
    c = next(row for row in rows[1:] if row[2] == "C党支部")
    assert c[5] == 77.12


def test_an_accountability_view_exports_section_by_section_as_of_a_moment(
        world: World) -> None:
    told = world.told
    branch = {"partyId": to_global_id("Organization", told.story.branch)}
    rows = sheet_rows(world.client.get("/export/accountability.xlsx", headers=world.inspector,
                                       params=branch), "问责复盘清单")
    assert rows[0] == ("类别", "名称", "状态", "日期", "逾期天数", "说明", "编号")
    finding = to_global_id("Finding", told.finding)
    [found] = [r for r in rows[1:] if r[0] == "问题整改"]
    assert found[1:3] == ("三会一课记录不全", "整改中") and found[6] == finding
    assert isinstance(found[3], datetime) and found[3].date() == date.today() - timedelta(30)
    assert found[4] == 30 and isinstance(found[4], int)
    assert found[5] == REOPENED
    overdue = {(r[1], r[4]) for r in rows[1:] if r[0] == "逾期事项"}
    assert overdue == {("三会一课记录不全", 30), ("补齐会议记录并建立台账", 40)}
    assert [(r[1], r[2], r[5]) for r in rows[1:] if r[0] == "责任空缺"] == [
        ("三会一课按期召开（含党课）", "具体目标", "缺直接责任"),
        ("主题党日活动", "具体目标", "缺主体责任、直接责任")]
    closed = csv_rows(world.client.get("/export/accountability.csv", headers=ADMIN,
                                       params={**branch, "asOf": world.at("closed")}))
    assert [(r[0], r[2], r[4]) for r in closed[1:] if r[6] == finding] == [
        ("问题整改", "已销号", "")]
    secretary = {"partyId": to_global_id("Person", told.story.secretary)}
    own = csv_rows(world.client.get("/export/accountability.csv", headers=world.inspector,
                                    params=secretary))
    assert ("责任", "三会一课按期召开（含党课）") in {(r[0], r[1]) for r in own[1:]}
    assert ("问题整改", "整改中") in {(r[0], r[2]) for r in own[1:]}
    duties = [r for r in own[1:] if r[0] == "责任"]
    assert duties and {r[2] for r in duties} == {"已下达"}
    assert all(r[5].endswith("（具体目标）") and "责任" in r[5] for r in duties)


def test_scoreboard_and_accountability_exports_are_for_inspectors_and_admins(
        world: World) -> None:
    assessment = world.told.assessment
    assert assessment is not None
    cycle = {"cycleId": to_global_id("AssessmentCycle", assessment.cycle)}
    branch = {"partyId": to_global_id("Organization", world.told.story.branch)}
    for path, params in (("/export/scoreboard.xlsx", cycle), ("/export/scoreboard.csv", cycle),
                         ("/export/accountability.xlsx", branch),
                         ("/export/accountability.csv", branch)):
        for headers in (world.secretary, world.member):
            refused = world.client.get(path, headers=headers, params=params)
            assert refused.status_code == 403, (path, refused.text)
            assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert world.client.get(path, params=params).status_code == 401
    services = world.client.app.state.services  # type: ignore[attr-defined]
    app = services.app
    local = app.register_person("admin", name="C支部纪检委员", party_member=True).id
    last = app.grant_role("admin", local, role="inspector",
                          organization_id=assessment.branches["C"], reason="支部纪检")
    assert services.runner.wait_until(last.position, 10)
    c_inspector = bearer(f"person:{local}")
    scoped = csv_rows(world.client.get("/export/scoreboard.csv", headers=c_inspector,
                                       params=cycle))
    assert [(r[0], r[2]) for r in scoped[1:]] == [("2", "C党支部")]  # ranked in the cycle
    outside = world.client.get("/export/accountability.csv", headers=c_inspector,
                               params=branch)
    assert outside.status_code == 403
    for params in ({}, {"cycleId": branch["partyId"]}, {**cycle, "asOf": "yesterday"}):
        assert world.client.get("/export/scoreboard.csv", headers=ADMIN,
                                params=params).status_code == 400
    assert world.client.get("/export/accountability.csv", headers=ADMIN,
                            params=cycle | {"partyId": cycle["cycleId"]}).status_code == 400
