"""Weights through the API: under an issued goal the live subgoals' weights sum to 100, so
drafting or cancelling a subgoal takes the siblings' new split in the same write."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.testclient import TestClient

from app.graphql.kit.ids import from_global_id, to_global_id
from domain.values import Period, quantitative
from tests.e2e.test_api import gql
from tests.e2e.test_authorization import world  # noqa: F401  (the fixture)

YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
DRAFT = """mutation($input: DraftGoalInput!) { draftGoal(input: $input) { status
  goal { id weight } userErrors { field code message } } }"""
CANCEL = """mutation($input: CancelGoalInput!) { cancelGoal(input: $input) { status
  goal { status } userErrors { field code message } } }"""
SPLIT = """query($id: ID!) { goal(id: $id) { subgoals(first: 10) { nodes { title weight
  status } } } }"""


def split(client: TestClient, parent: str) -> dict[str, tuple[int, str]]:
    nodes = gql(client, SPLIT, id=parent)["data"]["goal"]["subgoals"]["nodes"]
    return {n["title"]: (n["weight"], n["status"]) for n in nodes}


def test_drafting_and_cancelling_a_subgoal_re_split_its_siblings_in_one_write(
        world: tuple[TestClient, dict[str, str]]) -> None:  # noqa: F811
    client, ids = world
    app = client.app.state.services.app  # type: ignore[attr-defined]
    org = ids["A"]
    a = from_global_id(org)[1]
    parent = app.draft_goal("admin", level="term", organization_id=a, field="style",
                            title="上级目标", period=YEAR, indicator=quantitative("次", 0, 12),
                            weight=100).id
    first = app.draft_goal("admin", level="annual", organization_id=a, field="style",
                           title="甲", period=YEAR, indicator=quantitative("次", 0, 12),
                           weight=60, parent_id=parent).id
    second = app.draft_goal("admin", level="annual", organization_id=a, field="style",
                            title="乙", period=YEAR, indicator=quantitative("次", 0, 12),
                            weight=40, parent_id=parent).id
    issued = app.issue_goal_tree("admin", parent)
    assert client.app.state.services.runner.wait_until(issued.position, 10)  # type: ignore[attr-defined]
    parent_id, first_id, second_id = (to_global_id("Goal", g) for g in (parent, first, second))

    def draft(**extra: Any) -> dict[str, Any]:
        return gql(client, DRAFT, input={
            "level": "annual", "organizationId": org, "field": "style", "title": "丙",
            "periodStart": "2026-01-01", "periodEnd": "2026-12-31", "weight": 20,
            "indicator": {"unit": "次", "baseline": "0", "target": "12"},
            "parentId": parent_id, **extra})["data"]["draftGoal"]

    refused = draft()  # 60 + 40 + 20 = 120: refused, nothing written
    assert refused["status"] == "REJECTED" and refused["userErrors"], refused
    assert split(client, parent_id) == {"甲": (60, "issued"), "乙": (40, "issued")}

    drafted = draft(siblingWeights=[{"goalId": first_id, "weight": 50},
                                    {"goalId": second_id, "weight": 30}],
                    reason="新增一项，重新分配权重")
    assert drafted["status"] == "APPLIED", drafted
    assert split(client, parent_id) == {"甲": (50, "issued"), "乙": (30, "issued"),
                                        "丙": (20, "drafted")}

    cancelled = gql(client, CANCEL, input={
        "goalId": second_id, "reason": "任务调整",
        "siblingWeights": [{"goalId": first_id, "weight": 80}]})["data"]["cancelGoal"]
    assert cancelled["status"] == "APPLIED", cancelled
    assert split(client, parent_id) == {"甲": (80, "issued"), "乙": (30, "cancelled"),
                                        "丙": (20, "drafted")}
    history = gql(client, """query($id: ID!) { auditLog(first: 10, filter: {targetId: $id,
        eventType: "Reweighted"}) { nodes { reason changes { before after } } } }""",
                  id=first_id)["data"]["auditLog"]["nodes"]
    assert [(n["reason"], n["changes"][0]["after"]) for n in history] == [
        ("任务调整", 80), ("新增一项，重新分配权重", 50)]
