"""Findings, letters and the accountability view over HTTP, against the real ASGI app, on each
backend."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from starlette.testclient import TestClient

from app.graphql.kit.ids import to_global_id
from app.http import create_app
from app.settings import Settings
from domain.values import Period, quantitative
from tests.e2e.test_api import SECRET, bearer, events, gql

YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))

FINDING_FIELDS = """finding { id status submissions returns reopenings lastActor { id } lastReason
                              evidence
                              measures { description overdue } }
                    userErrors { field message code }"""
RAISE = f"""mutation($input: RaiseFindingInput!) {{
  raiseFinding(input: $input) {{ {FINDING_FIELDS} }} }}"""
PLAN = f"""mutation($input: PlanMeasureInput!) {{
  planMeasure(input: $input) {{ {FINDING_FIELDS} }} }}"""
SUBMIT = f"""mutation($input: SubmitRectificationInput!) {{
  submitRectification(input: $input) {{ {FINDING_FIELDS} }} }}"""
VERIFY = f"""mutation($input: CheckRectificationInput!) {{
  verifyRectification(input: $input) {{ {FINDING_FIELDS} }} }}"""
RETURN = f"""mutation($input: CheckRectificationInput!) {{
  returnRectification(input: $input) {{ {FINDING_FIELDS} }} }}"""
REOPEN = f"""mutation($input: ReopenFindingInput!) {{
  reopenFinding(input: $input) {{ {FINDING_FIELDS} }} }}"""
VIEW = """query($party: ID!, $at: DateTime, $today: Date) {
  accountability(partyId: $party, asOf: $at, today: $today) {
    partyKind today
    goals(first: 100) { nodes { title kind status score } }
    findings(first: 100) { nodes { title status submissions returns lastReason } }
    openFindings(first: 100) { nodes { title } }
    overdue(first: 100) { nodes { daysOverdue measureId escalation { level name } } }
    letters(first: 100) { nodes { title status overdue signatures { side } } }
    responsibilityGaps(first: 100) { nodes { title } }
  } }"""


@pytest.fixture
def world(database_url: str) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    """A committee and a branch with secretaries, a member, an inspector and an issued goal."""
    settings = Settings(database_url=database_url, jwt_secret=SECRET)
    with TestClient(create_app(settings)) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        app = services.app
        committee = app.register_organization("admin", name="市局党委", kind="committee",
                                              category="机关").id
        branch = app.register_organization("admin", name="营销中心党支部", kind="branch",
                                           category="营销", parent_id=committee).id
        people = {}
        for key, org, post in (("chief", committee, "secretary"),
                               ("secretary", branch, "secretary"),
                               ("clerk", branch, "member"), ("inspector", None, None)):
            people[key] = app.register_person("admin", name=key, party_member=True).id
            if org is not None:
                app.appoint("admin", people[key], organization_id=org, post=post,
                            effective_date=date(2025, 1, 1))
        app.grant_role("admin", people["inspector"], role="inspector",
                       organization_id=committee, reason="纪检监察")
        goal = app.draft_goal("admin", level="annual", organization_id=branch,
                              field="organizational", title="三会一课", period=YEAR,
                              indicator=quantitative("次", 0, 12), weight=100).id
        app.issue_goal("admin", goal)
        last = app.assign_responsibility("admin", goal, party_kind="person",
                                         party_id=people["secretary"], kind="primary",
                                         reason="分工")
        assert services.runner.wait_until(last.position, 10)
        yield client, {
            "committee": to_global_id("Organization", committee),
            "branch": to_global_id("Organization", branch),
            "goal": to_global_id("Goal", goal),
            **{key: to_global_id("Person", raw) for key, raw in people.items()},
            **{f"{key}:token": bearer(f"person:{raw}") for key, raw in people.items()},
        }


def read(client: TestClient, headers: dict[str, str], **variables: Any) -> dict[str, Any]:
    """The view, its lists unwrapped from their connections."""
    result = gql(client, VIEW, headers, **variables)
    assert "errors" not in result, result
    return {key: value["nodes"] if isinstance(value, dict) else value
            for key, value in result["data"]["accountability"].items()}


def step(client: TestClient, query: str, headers: dict[str, str], name: str,
         **input_: Any) -> dict[str, Any]:
    result = gql(client, query, headers, input=input_)
    assert "errors" not in result, result
    return dict(result["data"][name])


def test_the_closed_loop_over_http_with_a_refused_self_verification(world) -> None:
    client, ids = world
    inspector, secretary, clerk = (ids["inspector:token"], ids["secretary:token"],
                                   ids["clerk:token"])
    moments: list[tuple[str, int, int]] = []

    def mark(status: str, submissions: int, returns: int) -> None:
        moments.append((datetime.now(UTC).isoformat(), submissions, returns))
        statuses.append(status)
        time.sleep(0.01)

    statuses: list[str] = []
    raised = step(client, RAISE, inspector, "raiseFinding", title="三会一课记录不全",
                  source="inspection", severity="major", organizationId=ids["branch"],
                  ownerId=ids["secretary"], deadline="2026-05-31", goalId=ids["goal"],
                  effectiveDate="2026-04-01")
    assert raised["userErrors"] == [] and raised["finding"]["status"] == "open"
    finding = raised["finding"]["id"]
    planned = step(client, PLAN, secretary, "planMeasure", findingId=finding,
                   description="补齐会议记录", ownerId=ids["clerk"], dueDate="2026-05-15")
    assert planned["finding"]["measures"] == [{"description": "补齐会议记录", "overdue": True}]
    mark("open", 0, 0)
    chief = ids["chief:token"]
    submitted = step(client, SUBMIT, chief, "submitRectification", findingId=finding,
                     evidence=["记录-补.pdf"], effectiveDate="2026-05-10")
    assert submitted["finding"]["status"] == "submitted"
    mark("submitted", 1, 0)

    # The submitter and the owner manage the branch, yet may not verify their own work: a
    # userError from the domain, and nothing written. A plain member may not verify at all.
    for who in (chief, secretary):
        before = events(client)
        refused = step(client, VERIFY, who, "verifyRectification", findingId=finding)
        assert refused["finding"] is None
        assert refused["userErrors"][0]["code"] == "SEGREGATION_OF_DUTIES"
        assert refused["userErrors"][0]["field"] == ["findingId"]
        assert events(client) == before
    before = events(client)
    forbidden = gql(client, VERIFY, clerk, input={"findingId": finding})
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert events(client) == before

    returned = step(client, RETURN, inspector, "returnRectification", findingId=finding,
                    reason="缺少签字", effectiveDate="2026-05-12")
    assert (returned["finding"]["status"], returned["finding"]["lastReason"]) == ("open",
                                                                                 "缺少签字")
    mark("open", 1, 1)
    step(client, SUBMIT, clerk, "submitRectification", findingId=finding,
         evidence=["记录-签字.pdf"], effectiveDate="2026-05-20")
    mark("submitted", 2, 1)
    verified = step(client, VERIFY, inspector, "verifyRectification", findingId=finding,
                    reason="核查属实", effectiveDate="2026-05-21")
    assert verified["finding"]["status"] == "closed"
    assert verified["finding"]["evidence"] == ["记录-签字.pdf"]
    assert verified["finding"]["reopenings"] == 0
    mark("closed", 2, 1)

    # Every step is visible in the accountability view as of its moment, for the branch, the
    # finding's owner and the measure's owner.
    for party in (ids["branch"], ids["secretary"], ids["clerk"]):
        for (moment, submissions, returns), status in zip(moments, statuses, strict=True):
            view = read(client, ids["inspector:token"], party=party, at=moment)
            assert [(f["status"], f["submissions"], f["returns"]) for f in view["findings"]] \
                == [(status, submissions, returns)], (party, moment)
    now = read(client, secretary, party=ids["secretary"], today="2026-06-30")
    assert now["goals"] == [{"title": "三会一课", "kind": "primary", "status": "issued",
                             "score": None}]
    assert now["openFindings"] == [] and now["overdue"] == []

    # Closed is not the end: a closure found wrong is reopened with a reason, by someone
    # other than the finding's owners, and the loop is visibly open again.
    for who, code in ((secretary, "SEGREGATION_OF_DUTIES"), (inspector, "REASON_REQUIRED")):
        before = events(client)
        refused = step(client, REOPEN, who, "reopenFinding", findingId=finding,
                       reason="" if who == inspector else "自查发现")
        assert (refused["finding"], refused["userErrors"][0]["code"]) == (None, code)
        assert events(client) == before
    before = events(client)
    assert gql(client, REOPEN, clerk, input={"findingId": finding, "reason": "再改"})[
        "errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert events(client) == before
    reopened = step(client, REOPEN, inspector, "reopenFinding", findingId=finding,
                    reason="回头看发现记录仍不全", effectiveDate="2026-06-20")
    assert (reopened["finding"]["status"], reopened["finding"]["lastReason"],
            reopened["finding"]["reopenings"]) == ("open", "回头看发现记录仍不全", 1)
    again = read(client, secretary, party=ids["secretary"], today="2026-06-30")
    assert again["openFindings"] == [{"title": "三会一课记录不全"}]


def test_an_overdue_finding_escalates_and_letters_show_signatures(world) -> None:
    client, ids = world
    step(client, RAISE, ids["inspector:token"], "raiseFinding", title="台账缺失",
         source="mass_report", severity="minor", organizationId=ids["branch"],
         ownerId=ids["clerk"], deadline="2026-05-31", effectiveDate="2026-04-01")
    letter = step(client, """mutation($input: DraftLetterInput!) { draftLetter(input: $input) {
                    letter { id status } userErrors { code } } }""", ids["chief:token"],
                  "draftLetter", issuerId=ids["committee"], recipientId=ids["branch"],
                  year=2026, title="2026年目标责任书", signBy="2026-02-28", goalIds=[ids["goal"]])
    assert letter["userErrors"] == []
    sign = """mutation($input: SignLetterInput!) { signLetter(input: $input) {
                letter { status signatures { side } } userErrors { code } } }"""
    letter_id = letter["letter"]["id"]
    forged = gql(client, sign, ids["secretary:token"], input={
        "letterId": letter_id, "side": "issuer", "signerId": ids["chief"]})
    assert forged["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    step(client, sign, ids["chief:token"], "signLetter", letterId=letter_id, side="issuer",
         signerId=ids["chief"])
    view = read(client, ids["secretary:token"], party=ids["branch"], today="2026-06-30")
    assert view["letters"] == [{"title": "2026年目标责任书", "status": "drafted",
                                "overdue": True, "signatures": [{"side": "issuer"}]}]
    assert view["overdue"] == [{"daysOverdue": 30, "measureId": None, "escalation": [
        {"level": "owner", "name": "clerk"}, {"level": "secretary", "name": "secretary"},
        {"level": "parent_secretary", "name": "chief"}]}]
    listed = gql(client, """query($org: ID) { overdueRectifications(organizationId: $org,
                 today: "2026-06-30", first: 10) { totalCount nodes { finding { title } } } }""",
                 ids["secretary:token"], org=ids["branch"])
    assert listed["data"]["overdueRectifications"] == {
        "totalCount": 1, "nodes": [{"finding": {"title": "台账缺失"}}]}


def test_a_signed_letters_goal_is_amended_only_with_the_issuers_approval(world) -> None:
    client, ids = world
    chief, secretary = ids["chief:token"], ids["secretary:token"]
    letter = step(client, """mutation($input: DraftLetterInput!) { draftLetter(input: $input) {
                    letter { id } userErrors { code } } }""", chief, "draftLetter",
                  issuerId=ids["committee"], recipientId=ids["branch"], year=2026,
                  title="责任书", signBy="2026-02-28", goalIds=[ids["goal"]])["letter"]["id"]
    sign = """mutation($input: SignLetterInput!) { signLetter(input: $input) {
                letter { status } userErrors { code } } }"""
    on_letter = "query($id: ID!) { goal(id: $id) { letter { id status } } }"
    step(client, sign, chief, "signLetter", letterId=letter, side="issuer",
         signerId=ids["chief"])
    half_signed = datetime.now(UTC).isoformat()
    assert gql(client, on_letter, chief, id=ids["goal"])["data"]["goal"] == {"letter": None}
    time.sleep(0.01)
    signed = step(client, sign, secretary, "signLetter", letterId=letter, side="recipient",
                  signerId=ids["secretary"])
    assert signed["letter"]["status"] == "signed"
    assert gql(client, on_letter, secretary, id=ids["goal"])["data"]["goal"] == {
        "letter": {"id": letter, "status": "signed"}}
    assert gql(client, "query($id: ID!, $at: DateTime) { goal(id: $id, asOf: $at) { letter "
                       "{ id } } }", chief, id=ids["goal"], at=half_signed)["data"]["goal"] == {
        "letter": None}

    before = events(client)
    revised = gql(client, """mutation($id: ID!) { reviseGoal(input: {goalId: $id,
                    title: "改", reason: "调整"}) { goal { title } userErrors { code } } }""",
                  chief, id=ids["goal"])["data"]["reviseGoal"]
    assert revised == {"goal": None, "userErrors": [{"code": "LETTER_SIGNED"}]}
    assert events(client) == before

    fields = "letter { amendments { id status reason } } userErrors { code }"
    proposed = step(client, f"""mutation($input: ProposeAmendmentInput!) {{
                      proposeAmendment(input: $input) {{ {fields} }} }}""", secretary,
                    "proposeAmendment", letterId=letter, goalId=ids["goal"], title="三会一课按月开",
                    reason="上级要求")
    [amendment] = proposed["letter"]["amendments"]
    assert (amendment["status"], amendment["reason"]) == ("proposed", "上级要求")
    approve = f"""mutation($input: DecideAmendmentInput!) {{
                    approveAmendment(input: $input) {{ {fields} }} }}"""
    own = gql(client, approve, secretary, input={"letterId": letter,
                                                 "amendmentId": amendment["id"]})
    assert own["errors"][0]["extensions"]["code"] == "FORBIDDEN"  # the recipient side
    approved = step(client, approve, chief, "approveAmendment", letterId=letter,
                    amendmentId=amendment["id"], reason="同意")
    assert approved["letter"]["amendments"][0]["status"] == "approved"
    goal = gql(client, "query($id: ID!) { goal(id: $id) { title } }", chief, id=ids["goal"])
    assert goal["data"]["goal"]["title"] == "三会一课按月开"
