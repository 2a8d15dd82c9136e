"""Amendments to a signed letter change weights and cancel goals: a goal on a signed letter
blocks re-splitting its siblings directly (LETTER_SIGNED); an amendment carrying the new split,
or the goal's cancellation with the siblings' split, does it on the issuer's approval, in one
write."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.testclient import TestClient

from app.graphql.kit.ids import from_global_id, to_global_id
from domain.values import Period, quantitative
from tests.e2e.test_accountability_api import step, world  # noqa: F401  (the fixture)
from tests.e2e.test_api import events, gql

YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
FIELDS = "letter { amendments { id status } } userErrors { field code message }"
PROPOSE = f"""mutation($input: ProposeAmendmentInput!) {{ proposeAmendment(input: $input) {{
  {FIELDS} }} }}"""
APPROVE = f"""mutation($input: DecideAmendmentInput!) {{ approveAmendment(input: $input) {{
  {FIELDS} }} }}"""
SPLIT = """query($id: ID!) { goal(id: $id) { subgoals(first: 10) { nodes { title weight
  status } } } }"""


def split(client: TestClient, headers: dict[str, str], parent: str) -> dict[str, Any]:
    nodes = gql(client, SPLIT, headers, id=parent)["data"]["goal"]["subgoals"]["nodes"]
    return {n["title"]: (n["weight"], n["status"]) for n in nodes}


def test_amendments_re_split_weights_and_cancel_goals_on_approval(
        world: tuple[TestClient, dict[str, Any]]) -> None:  # noqa: F811
    client, ids = world
    chief, secretary = ids["chief:token"], ids["secretary:token"]
    services = client.app.state.services  # type: ignore[attr-defined]
    app = services.app
    branch = from_global_id(ids["branch"])[1]

    def goal(title: str, weight: int, parent: Any = None, level: str = "annual") -> Any:
        return app.draft_goal("admin", level=level, organization_id=branch, field="style",
                              title=title, period=YEAR, indicator=quantitative("次", 0, 12),
                              weight=weight, parent_id=parent).id

    parent = goal("作风建设", 100, level="term")
    raw = {title: goal(title, weight, parent) for title, weight in
           (("甲", 50), ("乙", 30), ("丙", 20))}
    done = app.issue_goal_tree("admin", parent)
    assert services.runner.wait_until(done.position, 10)
    parent_id = to_global_id("Goal", parent)
    g = {title: to_global_id("Goal", raw_id) for title, raw_id in raw.items()}
    letter = step(client, """mutation($input: DraftLetterInput!) { draftLetter(input: $input) {
                    letter { id } userErrors { code } } }""", chief, "draftLetter",
                  issuerId=ids["committee"], recipientId=ids["branch"], year=2026,
                  title="作风责任书", signBy="2026-02-28", goalIds=[g["甲"]])["letter"]["id"]
    sign = """mutation($input: SignLetterInput!) { signLetter(input: $input) {
                letter { status } userErrors { code } } }"""
    step(client, sign, chief, "signLetter", letterId=letter, side="issuer",
         signerId=ids["chief"])
    step(client, sign, secretary, "signLetter", letterId=letter, side="recipient",
         signerId=ids["secretary"])

    before = events(client)
    direct = gql(client, """mutation($input: ReweightSubgoalsInput!) { reweightSubgoals(
        input: $input) { status userErrors { code } } }""", chief, input={
        "parentId": parent_id, "reason": "调整", "weights": [
            {"goalId": g["甲"], "weight": 40}, {"goalId": g["乙"], "weight": 40}]})
    assert direct["data"]["reweightSubgoals"]["userErrors"] == [{"code": "LETTER_SIGNED"}]
    assert events(client) == before

    proposed = step(client, PROPOSE, secretary, "proposeAmendment", letterId=letter,
                    goalId=g["甲"], reason="年中调整权重", weights=[
                        {"goalId": g["甲"], "weight": 40}, {"goalId": g["乙"], "weight": 40}])
    assert proposed["userErrors"] == [], proposed
    first = proposed["letter"]["amendments"][0]["id"]
    assert split(client, chief, parent_id)["甲"] == (50, "issued")  # not before approval
    approved = step(client, APPROVE, chief, "approveAmendment", letterId=letter,
                    amendmentId=first, reason="同意")
    assert approved["userErrors"] == [], approved
    assert split(client, chief, parent_id) == {
        "甲": (40, "issued"), "乙": (40, "issued"), "丙": (20, "issued")}

    cancelling = step(client, PROPOSE, secretary, "proposeAmendment", letterId=letter,
                      goalId=g["甲"], reason="任务取消", cancel=True, weights=[
                          {"goalId": g["乙"], "weight": 60}, {"goalId": g["丙"], "weight": 40}])
    second = next(a["id"] for a in cancelling["letter"]["amendments"] if a["id"] != first)
    step(client, APPROVE, chief, "approveAmendment", letterId=letter, amendmentId=second,
         reason="同意取消")
    assert split(client, chief, parent_id) == {
        "甲": (40, "cancelled"), "乙": (60, "issued"), "丙": (40, "issued")}

    stranger = gql(client, PROPOSE, secretary, input={
        "letterId": letter, "goalId": g["乙"], "reason": "x",
        "weights": [{"goalId": parent_id, "weight": 100}]})["data"]["proposeAmendment"]
    assert [e["field"] for e in stranger["userErrors"]] in (
        [["goalId"]], [["weights"]])  # 乙 is not on the letter / the parent is no sibling
