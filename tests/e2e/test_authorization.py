"""The authorization matrix: every mutation x every role x inside/outside the role's subtree,
expected allow/deny from one table. A denial is FORBIDDEN (anonymous: UNAUTHENTICATED) and
writes nothing; an allowed call is never refused for who asked (it may still break a rule)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from starlette.testclient import TestClient

from app.graphql.ids import to_global_id
from app.http import create_app
from app.settings import Settings
from domain.values import Period, quantitative
from tests.e2e.test_api import SECRET, bearer, events

YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))


@pytest.fixture
def world(database_url: str) -> Iterator[tuple[TestClient, dict[str, str]]]:
    settings = Settings(database_url=database_url, jwt_secret=SECRET)
    with TestClient(create_app(settings)) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        app = services.app
        ids: dict[str, Any] = {}

        def org(key: str, kind: str, parent: str | None = None) -> None:
            ids[key] = app.register_organization("admin", name=key, kind=kind, category="营销",
                                                 parent_id=ids[parent] if parent else None).id

        def person(key: str, member: bool, *posts: tuple[str, str]) -> None:
            ids[key] = app.register_person("admin", name=key, party_member=member).id
            for org_key, post in posts:
                app.appoint("admin", ids[key], organization_id=ids[org_key], post=post)

        def goal(key: str, org_key: str, issue: bool) -> None:
            ids[key] = app.draft_goal("admin", level="annual", organization_id=ids[org_key],
                                      field="political", title=key, period=YEAR,
                                      indicator=quantitative("次", 0, 12), weight=100).id
            if issue:
                app.issue_goal("admin", ids[key])

        org("C", "committee")
        for side in "AB":
            org(side, "branch", "C")
            org(f"{side}1", "group", side)
            org(f"{side}2", "group", side)
            person(f"sec{side}", True, (side, "secretary"))
            person(f"new{side}", True)
            person(f"staff{side}", False, (f"{side}1", "staff"))
            person(f"two{side}", True, (f"{side}1", "member"))
            goal(f"g{side}", side, issue=True)
            goal(f"draft{side}", side, issue=False)
            goal(f"close{side}", side, issue=True)
            goal(f"cancel{side}", side, issue=False)
        person("memA", True, ("A", "member"))
        person("adminA", True)
        app.grant_role("admin", ids["adminA"], role="admin", organization_id=ids["A"],
                       reason="分级管理")
        person("inspector", True)
        app.grant_role("admin", ids["inspector"], role="inspector", organization_id=ids["C"],
                       reason="纪检监察")
        person("evaluator", True)
        app.grant_role("admin", ids["evaluator"], role="evaluator", organization_id=ids["A"],
                       reason="群众评价")
        app.assign_responsibility("admin", ids["gA"], party_kind="person",
                                  party_id=ids["memA"], kind="specific", reason="分工")
        for side in "AB":
            assessment(app, ids, side)
        last = app.recorder.max_notification_id()
        assert services.runner.wait_until(last, 10)
        kinds = {"C": "Organization", "A": "Organization", "B": "Organization"}
        gids = {}
        for key, raw in ids.items():
            kind = kinds.get(key) or ("Organization" if key[0] in "AB" and key[1:].isdigit()
                                      else "Goal" if key.startswith(("g", "draft", "close",
                                                                     "cancel"))
                                      else "Person")
            gids[key] = to_global_id(ASSESSMENT_TYPES.get(key[:-1], kind), raw)
        yield client, gids


ASSESSMENT_TYPES = {"ind": "LibraryIndicator", "cyc": "AssessmentCycle", "ev": "Evaluation",
                    "adj": "Adjustment"}


def assessment(app: Any, ids: dict[str, Any], side: str) -> None:
    """An indicator, a cycle organised by the side's branch over its groups, in
    self-evaluation, with one mass ballot and one proposed bonus."""
    ids[f"ind{side}"] = app.define_indicator("admin", item=f"指标{side}", content="",
                                             criteria="", max_points=10).id
    ids[f"cyc{side}"] = app.draft_cycle(
        "admin", title=f"考核{side}", kind="routine", cadence="quarterly", period=YEAR,
        organizer_id=ids[side], organization_ids=[ids[f"{side}1"], ids[f"{side}2"]],
        scheme=SCHEME).id
    app.open_cycle("admin", ids[f"cyc{side}"], indicator_ids=[ids[f"ind{side}"]])
    app.advance_cycle("admin", ids[f"cyc{side}"])
    ids[f"ev{side}"] = app.evaluate("admin", ids[f"cyc{side}"],
                                    organization_id=ids[f"{side}1"],
                                    item_id=ids[f"ind{side}"], kind="mass", points=5).id
    ids[f"adj{side}"] = app.propose_adjustment(
        "admin", ids[f"cyc{side}"], organization_id=ids[f"{side}1"], item="加分", points=1,
        reason="表彰").id


def payload(name: str, fields: str = "userErrors { code }") -> str:
    return f"mutation($input: {name}!) {{ result: {{mutation}}(input: $input) {{ {fields} }} }}"


# mutation, input type, input for a target on side S ("A" inside, "B" outside)
CASES: list[tuple[str, str, Any]] = [
    ("registerOrganization", "RegisterOrganizationInput",
     lambda i, s: {"name": "新小组", "kind": "group", "category": "营销", "parentId": i[s]}),
    ("renameOrganization", "RenameOrganizationInput",
     lambda i, s: {"organizationId": i[f"{s}1"], "name": "改名"}),
    ("recategorizeOrganization", "RecategorizeOrganizationInput",
     lambda i, s: {"organizationId": i[f"{s}1"], "category": "物流", "reason": "调整"}),
    ("moveOrganization", "MoveOrganizationInput",
     lambda i, s: {"organizationId": i[f"{s}1"], "newParentId": i[s], "reason": "调整"}),
    ("registerPerson", "RegisterPersonInput",
     lambda i, s: {"name": "新人", "partyMember": True}),
    ("appointToPost", "PostInput",
     lambda i, s: {"personId": i[f"new{s}"], "organizationId": i[f"{s}2"], "post": "member"}),
    ("changePartyMembership", "ChangePartyMembershipInput",
     lambda i, s: {"personId": i[f"staff{s}"], "partyMember": True}),
    ("draftGoal", "DraftGoalInput",
     lambda i, s: {"level": "annual", "organizationId": i[s], "field": "style", "title": "新",
                   "periodStart": "2026-01-01", "periodEnd": "2026-12-31", "weight": 100,
                   "indicator": {"unit": "次", "baseline": "0", "target": "4"}}),
    ("reviseGoal", "ReviseGoalInput",
     lambda i, s: {"goalId": i[f"draft{s}"], "title": "修订"}),
    ("reweightSubgoals", "ReweightSubgoalsInput",
     lambda i, s: {"parentId": i[f"draft{s}"], "weights": []}),
    ("assignResponsibility", "ResponsibilityInput",
     lambda i, s: {"goalId": i[f"g{s}"], "partyId": i[s], "kind": "collective",
                   "reason": "分工"}),
    ("revokeResponsibility", "ResponsibilityInput",
     lambda i, s: {"goalId": i[f"g{s}"], "partyId": i[s], "kind": "collective",
                   "reason": "调整"}),
    ("reportProgress", "ReportProgressInput",
     lambda i, s: {"goalId": i[f"g{s}"], "value": "3", "effectiveDate": "2026-03-31"}),
    ("issueGoal", "GoalStepInput", lambda i, s: {"goalId": i[f"draft{s}"]}),
    ("closeGoal", "GoalStepInput", lambda i, s: {"goalId": i[f"close{s}"]}),
    ("cancelGoal", "GoalStepInput", lambda i, s: {"goalId": i[f"cancel{s}"], "reason": "撤销"}),
    ("endPost", "PostInput",
     lambda i, s: {"personId": i[f"two{s}"], "organizationId": i[f"{s}1"], "post": "member"}),
    ("grantRole", "RoleInput",
     lambda i, s: {"personId": i[f"new{s}"], "organizationId": i[s], "role": "evaluator",
                   "reason": "评价"}),
    ("revokeRole", "RoleInput",
     lambda i, s: {"personId": i[f"new{s}"], "organizationId": i[s], "role": "inspector",
                   "reason": "调整"}),
    ("dissolveOrganization", "DissolveOrganizationInput",
     lambda i, s: {"organizationId": i[f"{s}2"], "reason": "撤并"}),
    # ---- assessment
    ("defineIndicator", "DefineIndicatorInput", lambda i, s: {"item": "新指标", "maxPoints": "5"}),
    ("reviseIndicator", "ReviseIndicatorInput",
     lambda i, s: {"indicatorId": i[f"ind{s}"], "item": "改", "reason": "新版"}),
    ("draftCycle", "DraftCycleInput",
     lambda i, s: {"title": "新考核", "kind": "annual", "periodStart": "2026-01-01",
                   "periodEnd": "2026-12-31", "organizerId": i[s],
                   "organizationIds": [i[f"{s}1"]], "scheme": SCHEME_INPUT}),
    ("reviseCycleScheme", "ReviseSchemeInput",
     lambda i, s: {"cycleId": i[f"cyc{s}"], "scheme": SCHEME_INPUT, "reason": "调整"}),
    ("openCycle", "OpenCycleInput", lambda i, s: {"cycleId": i[f"cyc{s}"]}),
    ("advanceCycle", "CycleStepInput", lambda i, s: {"cycleId": i[f"cyc{s}"]}),
    ("publishCycle", "CycleStepInput", lambda i, s: {"cycleId": i[f"cyc{s}"]}),
    ("lockCycle", "CycleStepInput", lambda i, s: {"cycleId": i[f"cyc{s}"]}),
    ("requestCycleReopen", "CycleStepInput",
     lambda i, s: {"cycleId": i[f"cyc{s}"], "reason": "申诉"}),
    ("approveCycleReopen", "CycleStepInput",
     lambda i, s: {"cycleId": i[f"cyc{s}"], "reason": "同意"}),
    ("evaluate", "EvaluateInput",
     lambda i, s: {"cycleId": i[f"cyc{s}"], "organizationId": i[f"{s}1"],
                   "itemId": i[f"ind{s}"], "kind": "mass", "points": "6"}),
    ("correctEvaluation", "CorrectEvaluationInput",
     lambda i, s: {"evaluationId": i[f"ev{s}"], "points": "7", "reason": "更正"}),
    ("importBusinessScores", "ImportBusinessScoresInput",
     lambda i, s: {"cycleId": i[f"cyc{s}"], "scores": [{"organizationId": i[f"{s}1"],
                                                       "score": "88"}]}),
    ("proposeAdjustment", "ProposeAdjustmentInput",
     lambda i, s: {"cycleId": i[f"cyc{s}"], "organizationId": i[f"{s}1"], "item": "减分",
                   "points": "-1", "reason": "通报"}),
    ("approveAdjustment", "ApproveAdjustmentInput",
     lambda i, s: {"cycleId": i[f"cyc{s}"], "adjustmentId": i[f"adj{s}"]}),
    ("applyVeto", "VetoInput",
     lambda i, s: {"cycleId": i[f"cyc{s}"], "organizationId": i[f"{s}1"],
                   "condition": "重大负面事件", "reason": "事故"}),
    ("liftVeto", "VetoInput",
     lambda i, s: {"cycleId": i[f"cyc{s}"], "organizationId": i[f"{s}1"],
                   "condition": "重大负面事件", "reason": "复核"}),
]
SCHEME: dict[str, Any] = {
    "evaluator_weights": {"organizational": 50, "mass": 20, "self": 20, "social": 10},
    "grade_bands": [{"grade": "优秀", "min": 90}, {"grade": "合格", "min": 60},
                    {"grade": "不合格", "min": 0}],
    "vetoes": [{"condition": "重大负面事件", "cap": "合格"}],
}
SCHEME_INPUT = {
    "evaluatorWeights": [{"kind": k, "weight": w}
                         for k, w in SCHEME["evaluator_weights"].items()],
    "gradeBands": SCHEME["grade_bands"], "vetoes": SCHEME["vetoes"],
}
# Who may, inside (side A) and outside (side B): the one table.
EVERY = {c[0] for c in CASES}
GRANTS = {"grantRole", "revokeRole"}
LIBRARY = {"defineIndicator", "reviseIndicator"}  # admins keep the shared library
ADMINISTER = {"publishCycle", "lockCycle", "approveCycleReopen", "approveAdjustment"}
BALLOTS = {"evaluate", "correctEvaluation"}  # the cases score mass ballots
ALLOWED = {
    "admin": {"inside": EVERY, "outside": EVERY},
    "admin of A": {"inside": EVERY, "outside": {"registerPerson"} | LIBRARY},
    "secretary": {"inside": EVERY - GRANTS - LIBRARY - ADMINISTER - BALLOTS,
                  "outside": {"registerPerson"}},
    "member": {"inside": {"reportProgress"}, "outside": set()},
    "inspector": {"inside": set(), "outside": set()},
    "evaluator": {"inside": BALLOTS, "outside": set()},
}


def call(client: TestClient, headers: dict[str, str], case: tuple[str, str, Any],
         ids: dict[str, str], side: str) -> dict[str, Any]:
    name, input_type, make = case
    query = payload(input_type).replace("{mutation}", name)
    response = client.post("/graphql", json={"query": query,
                                             "variables": {"input": make(ids, side)}},
                           headers=headers)
    return dict(response.json())


def test_every_mutation_for_every_role_inside_and_outside(world) -> None:
    client, ids = world
    principals = {
        "anonymous": {},
        "member": bearer(f"person:{_raw(ids['memA'])}"),
        "secretary": bearer(f"person:{_raw(ids['secA'])}"),
        "inspector": bearer(f"person:{_raw(ids['inspector'])}"),
        "evaluator": bearer(f"person:{_raw(ids['evaluator'])}"),
        "admin of A": bearer(f"person:{_raw(ids['adminA'])}"),
        "admin": bearer(),
    }
    assert {c[0] for c in CASES} >= {f for f in _mutation_names(client)}, "a mutation is missing"
    # Denials first (they must change nothing), then the allowed calls.
    for role in ("anonymous", "inspector", "evaluator", "member", "secretary", "admin of A",
                 "admin"):
        for side, where in (("B", "outside"), ("A", "inside")):
            for case in CASES:
                before = events(client)
                result = call(client, principals[role], case, ids, side)
                codes = [e["extensions"]["code"] for e in result.get("errors", [])]
                if role == "anonymous":
                    assert codes == ["UNAUTHENTICATED"], (role, where, case[0], result)
                    assert events(client) == before
                elif case[0] in ALLOWED[role][where]:
                    assert codes == [], (role, where, case[0], result)
                    assert result["data"]["result"] is not None
                else:
                    assert codes == ["FORBIDDEN"], (role, where, case[0], result)
                    assert events(client) == before, (role, where, case[0])


def _raw(global_id: str) -> str:
    from app.graphql.ids import from_global_id

    return str(from_global_id(global_id)[1])


def _mutation_names(client: TestClient) -> list[str]:
    result = client.post("/graphql", headers=bearer(), json={
        "query": "{ __schema { mutationType { fields { name } } } }"}).json()
    return [f["name"] for f in result["data"]["__schema"]["mutationType"]["fields"]]


def test_reads_are_filtered_to_what_the_principal_may_see(world) -> None:
    client, ids = world
    secretary = bearer(f"person:{_raw(ids['secA'])}")
    inspector = bearer(f"person:{_raw(ids['inspector'])}")

    def read(headers: dict[str, str], query: str, **variables: Any) -> dict[str, Any]:
        response = client.post("/graphql", json={"query": query, "variables": variables},
                               headers=headers).json()
        assert "errors" not in response, response
        return dict(response["data"])

    goals = "{ goals(first: 100) { totalCount nodes { title } } }"
    own = read(secretary, goals)["goals"]
    assert {g["title"] for g in own["nodes"]} == {"gA", "draftA", "closeA", "cancelA"}
    assert read(inspector, goals)["goals"]["totalCount"] == 8
    assert read(bearer(), goals)["goals"]["totalCount"] == 8
    assert read(secretary, "query($id: ID!) { organization(id: $id) { name } }",
                id=ids["B"])["organization"] is None
    assert read(secretary, "query($id: ID!) { goal(id: $id) { title } }",
                id=ids["gB"])["goal"] is None
    assert read(secretary, "query($id: ID!) { node(id: $id) { id } }", id=ids["secB"])[
        "node"] is None
    assert read(secretary, "query($id: ID!) { person(id: $id) { name } }", id=ids["memA"])[
        "person"] == {"name": "memA"}
    tree = read(secretary, "query($id: ID!) { organizationTree(rootId: $id) { name } }",
                id=ids["C"])["organizationTree"]
    assert {o["name"] for o in tree} == {"A", "A1", "A2"}
    scoped = read(secretary, "query($id: ID!) { goals(first: 10, organizationId: $id) "
                             "{ totalCount } }", id=ids["B"])
    assert scoped["goals"]["totalCount"] == 0
