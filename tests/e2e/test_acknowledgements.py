"""Honest acknowledgements, over HTTP on each backend: every payload's `status` and
`recorded`, PENDING while the read models are behind, `expectedVersion` (one winner among
concurrent revisions), and `clientMutationId` as an idempotency key."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from graphql import GraphQLNonNull, GraphQLObjectType
from starlette.testclient import TestClient

from app.graphql.kit.ids import from_global_id
from app.graphql.schema import build_schema
from app.http import create_app
from app.settings import Settings
from tests.e2e.test_api import ADMIN, SECRET, bearer, events, gql, register

ACK = "status clientMutationId recorded { position recordedAt id replayed }"
DRAFT = f"""mutation($input: DraftGoalInput!) {{ draftGoal(input: $input) {{
  {ACK} goal {{ id title version }} userErrors {{ field message code }} }} }}"""
REVISE = f"""mutation($input: ReviseGoalInput!) {{ reviseGoal(input: $input) {{
  {ACK} goal {{ id title version }} userErrors {{ field message code }} }} }}"""
ISSUE = f"""mutation($input: GoalStepInput!) {{ issueGoal(input: $input) {{
  {ACK} goal {{ id status version }} userErrors {{ field message code }} }} }}"""
GOAL = "query($id: ID!) { node(id: $id) { ... on Goal { title version } } }"
QUANT = {"unit": "次", "baseline": "0", "target": "12"}


def goal_input(org: str, title: str = "发展党员", **more: Any) -> dict[str, Any]:
    return {"level": "annual", "organizationId": org, "field": "organizational",
            "title": title, "periodStart": "2026-01-01", "periodEnd": "2026-12-31",
            "indicator": QUANT, "weight": 100, **more}


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    settings = Settings(database_url=database_url, jwt_secret=SECRET,
                        read_your_writes_timeout=0.5)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def organization(client: TestClient) -> str:
    return str(register(client, "市局党委", "committee")["data"]["registerOrganization"][
        "organization"]["id"])


def drafted(client: TestClient, org: str, **more: Any) -> dict[str, Any]:
    payload: dict[str, Any] = gql(client, DRAFT, input=goal_input(org, **more))["data"][
        "draftGoal"]
    return payload


def test_an_applied_write_says_what_it_recorded(client: TestClient) -> None:
    org = organization(client)
    before = datetime.now(UTC)
    payload = drafted(client, org)
    assert payload["status"] == "APPLIED" and payload["userErrors"] == []
    recorded = payload["recorded"]
    assert recorded["position"] == events(client)
    assert recorded["id"] == payload["goal"]["id"] and recorded["replayed"] is False
    moment = datetime.fromisoformat(recorded["recordedAt"])
    assert before - timedelta(seconds=5) < moment < datetime.now(UTC) + timedelta(seconds=5)
    assert payload["goal"]["version"] == 1

    revised = gql(client, REVISE, input={"goalId": recorded["id"], "title": "发展党员工作",
                                         "expectedVersion": 1})["data"]["reviseGoal"]
    assert revised["status"] == "APPLIED", revised
    assert revised["goal"] == {"id": recorded["id"], "title": "发展党员工作", "version": 2}
    assert revised["recorded"]["position"] == events(client) > recorded["position"]
    # The version as of an earlier moment is the version then.
    earlier = gql(client, """query($at: DateTime!) { goals(first: 5, asOf: $at) {
        nodes { id version } } }""", at=recorded["recordedAt"])
    assert earlier["data"]["goals"]["nodes"] == [{"id": recorded["id"], "version": 1}]


def test_a_refused_write_is_rejected_and_records_nothing(client: TestClient) -> None:
    org = organization(client)
    goal = drafted(client, org)["goal"]["id"]
    head = events(client)
    # A rule of the domain: an empty title.
    refused = gql(client, REVISE, input={"goalId": goal, "title": " "})["data"]["reviseGoal"]
    assert refused["userErrors"] and refused["status"] == "REJECTED"
    assert refused["recorded"] is None and refused["goal"] is None
    # The input boundary: a NUL character, refused before any resolver runs.
    bounded = gql(client, REVISE, input={"goalId": goal, "title": "a\x00b",
                                         "clientMutationId": "k1"})["data"]["reviseGoal"]
    assert bounded["userErrors"][0]["field"] == ["title"]
    assert bounded["status"] == "REJECTED" and bounded["recorded"] is None
    assert events(client) == head


def test_a_write_the_read_models_have_not_caught_up_with_is_pending(
        client: TestClient) -> None:
    org = organization(client)
    goal = drafted(client, org)["goal"]["id"]
    runner = client.app.state.services.runner  # type: ignore[attr-defined]
    runner.stop()  # the followers are down: the read models stay where they are
    try:
        new = gql(client, DRAFT, input=goal_input(org, "新目标"))["data"]["draftGoal"]
        assert new["status"] == "PENDING" and new["userErrors"] == []
        assert new["goal"] is None  # not in the read models yet, but the client has its id
        assert new["recorded"]["position"] == events(client)
        revised = gql(client, REVISE, input={"goalId": goal, "title": "改过的标题"})["data"][
            "reviseGoal"]
        assert revised["status"] == "PENDING"
        assert revised["goal"]["title"] == "发展党员"  # stale, and the status says so
        assert revised["recorded"]["id"] == goal
        assert revised["recorded"]["position"] == events(client)
    finally:
        runner.stopped.clear()
        runner.threads.clear()
        runner.start()
    found = gql(client, GOAL, id=new["recorded"]["id"])["data"]["node"]
    deadline = datetime.now(UTC) + timedelta(seconds=10)
    while found is None and datetime.now(UTC) < deadline:
        found = gql(client, GOAL, id=new["recorded"]["id"])["data"]["node"]
    assert found == {"title": "新目标", "version": 1}


def test_concurrent_revisions_with_one_expected_version_have_one_winner(
        client: TestClient) -> None:
    org = organization(client)
    goal = drafted(client, org)["goal"]["id"]
    head = events(client)

    async def revise(http: httpx.AsyncClient, n: int) -> dict[str, Any]:
        response = await http.post("/graphql", headers=ADMIN, json={
            "query": REVISE, "variables": {"input": {
                "goalId": goal, "title": f"标题 {n}", "expectedVersion": 1}}})
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body
        payload: dict[str, Any] = body["data"]["reviseGoal"]
        return payload

    async def all_at_once() -> list[dict[str, Any]]:
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            return await asyncio.gather(*(revise(http, n) for n in range(16)))

    answers = asyncio.run(all_at_once())
    winners = [a for a in answers if a["status"] == "APPLIED"]
    losers = [a for a in answers if a["status"] != "APPLIED"]
    assert len(winners) == 1, answers
    assert len(losers) == 15
    for lost in losers:
        assert lost["status"] == "REJECTED" and lost["recorded"] is None
        assert [e["code"] for e in lost["userErrors"]] == ["CONFLICT"]
    assert events(client) == head + 1  # only the winner's revision was written
    now = gql(client, GOAL, id=goal)["data"]["node"]
    assert now == {"title": winners[0]["goal"]["title"], "version": 2}


def test_a_stale_expected_version_writes_nothing_on_every_update(client: TestClient) -> None:
    org = organization(client)
    goal = drafted(client, org)["goal"]["id"]
    gql(client, REVISE, input={"goalId": goal, "title": "第二版"})
    head = events(client)
    stale = gql(client, ISSUE, input={"goalId": goal, "expectedVersion": 1})["data"][
        "issueGoal"]
    assert stale["status"] == "REJECTED"
    assert stale["userErrors"] == [{"field": ["expectedVersion"], "code": "CONFLICT",
                                    "message": stale["userErrors"][0]["message"]}]
    assert events(client) == head
    issued = gql(client, ISSUE, input={"goalId": goal, "expectedVersion": 2})["data"][
        "issueGoal"]
    assert issued["status"] == "APPLIED" and issued["goal"]["status"] == "issued"
    assert issued["goal"]["version"] == 3
    # The same generic check on another kind of record: an organisation.
    rename = """mutation($input: RenameOrganizationInput!) {
        renameOrganization(input: $input) { status organization { name version }
                                            userErrors { code } } }"""
    version = gql(client, "query($id: ID!) { node(id: $id) { ... on Organization { version } } }",
                  id=org)["data"]["node"]["version"]
    head = events(client)
    renamed = gql(client, rename, input={"organizationId": org, "name": "新名", "reason": "改名",
                                         "expectedVersion": version + 1})
    assert renamed["data"]["renameOrganization"] == {
        "status": "REJECTED", "organization": None, "userErrors": [{"code": "CONFLICT"}]}
    assert events(client) == head
    renamed = gql(client, rename, input={"organizationId": org, "name": "新名", "reason": "改名",
                                         "expectedVersion": version})
    assert renamed["data"]["renameOrganization"] == {
        "status": "APPLIED", "organization": {"name": "新名", "version": version + 1},
        "userErrors": []}


def test_a_replayed_key_returns_the_first_answer_and_writes_nothing(
        client: TestClient) -> None:
    org = organization(client)
    first = gql(client, DRAFT, input=goal_input(org, clientMutationId="draft-1"))["data"][
        "draftGoal"]
    assert first["status"] == "APPLIED" and first["clientMutationId"] == "draft-1"
    head = events(client)
    again = gql(client, DRAFT, input=goal_input(org, clientMutationId="draft-1"))["data"][
        "draftGoal"]
    assert again["status"] == "APPLIED" and again["userErrors"] == []
    assert again["recorded"] == {**first["recorded"], "replayed": True}
    assert again["goal"] == first["goal"]
    assert events(client) == head
    # Another input under the same key is refused.
    other = gql(client, DRAFT, input=goal_input(org, "别的目标", clientMutationId="draft-1"))[
        "data"]["draftGoal"]
    assert other["status"] == "REJECTED" and other["recorded"] is None
    assert [(e["field"], e["code"]) for e in other["userErrors"]] == [
        (["clientMutationId"], "IDEMPOTENCY_KEY_REUSED")]
    assert events(client) == head
    # Keys belong to their principal: another one's key of the same name is its own.
    person = gql(client, """mutation { registerPerson(input: {name: "张三", partyMember: true})
        { person { id } } }""")["data"]["registerPerson"]["person"]["id"]
    someone = bearer(f"person:{from_global_id(person)[1]}")  # a principal without rights
    denied = gql(client, DRAFT, someone, input=goal_input(org, clientMutationId="draft-1"))
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_a_key_holds_across_processes_and_concurrent_replays(
        client: TestClient, database_url: str) -> None:
    org = organization(client)
    head = events(client)

    async def send(app: Any) -> dict[str, Any]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            response = await http.post("/graphql", headers=ADMIN, json={
                "query": DRAFT, "variables": {"input": goal_input(
                    org, clientMutationId="same")}})
            payload: dict[str, Any] = response.json()["data"]["draftGoal"]
            return payload

    async def all_at_once() -> list[dict[str, Any]]:
        return await asyncio.gather(*(send(client.app) for _ in range(8)))

    answers = asyncio.run(all_at_once())
    assert {a["status"] for a in answers} == {"APPLIED"}, answers
    assert len({a["recorded"]["id"] for a in answers}) == 1
    assert sorted(a["recorded"]["replayed"] for a in answers) == [False] + [True] * 7
    after = events(client)
    # One draft (one event) was written, not eight (PostgreSQL's refused inserts leave gaps).
    recorder = client.app.state.services.app.recorder  # type: ignore[attr-defined]
    assert len(recorder.select_audit(head, 100)) == 1
    count = gql(client, "{ goals(first: 10) { totalCount } }")["data"]["goals"]["totalCount"]
    assert count == 1
    # A second API process on the same database (it shares only the database).
    settings = Settings(database_url=database_url, jwt_secret=SECRET)
    with TestClient(create_app(settings)) as second:
        replayed = gql(second, DRAFT, input=goal_input(org, clientMutationId="same"))["data"][
            "draftGoal"]
        assert replayed["recorded"] == {**answers[0]["recorded"], "replayed": True}
        assert events(second) == after


# The mutations that create a record (the others change one, and take an expected version).
CREATES = {"registerOrganization", "registerPerson", "draftGoal", "draftLetter",
           "makeCommitment", "raiseFinding", "proposeProject", "issueSanction",
           "defineIndicator", "draftCycle", "proposeAdjustment", "recordMeeting",
           "defineMeetingRules", "defineBranchStandard", "openMemberEvaluation",
           "designatePioneer",
           "selfCheckBranch"}  # a self-check is a new entry in the branch's record


def test_every_payload_acknowledges_and_every_input_takes_a_key() -> None:
    schema = build_schema()._schema
    assert schema.mutation_type is not None
    for name, field in schema.mutation_type.fields.items():
        payload = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
        assert isinstance(payload, GraphQLObjectType)
        assert {"status", "recorded", "clientMutationId", "userErrors"} <= set(
            payload.fields), name
        assert str(payload.fields["status"].type) == "WriteStatus!", name
        assert set(payload.fields["recorded"].type.fields) >= {"position", "recordedAt", "id"}
        argument = field.args["input"].type
        input_type = argument.of_type if isinstance(argument, GraphQLNonNull) else argument
        assert "clientMutationId" in input_type.fields, name
        assert ("expectedVersion" in input_type.fields) is (name not in CREATES), name


def test_every_record_an_update_may_name_shows_its_version() -> None:
    """A client can only send `expectedVersion` for a record whose version it can read."""
    schema = build_schema()._schema
    records = [t for t in schema.type_map.values() if isinstance(t, GraphQLObjectType)
               and any(i.name == "Node" for i in t.interfaces)
               and t.name != "SystemActor"]  # an actor, not a record: nothing updates it
    assert len(records) >= 9
    for record in [*records, schema.type_map["Indicator"]]:
        assert isinstance(record, GraphQLObjectType)
        whole = PARTS.get(record.name)
        if whole is not None:  # updated through its whole, whose version it leads to
            record = schema.type_map[str(record.fields[whole].type).rstrip("!")]
            assert isinstance(record, GraphQLObjectType)
        assert str(record.fields["version"].type) == "Int!", record.name


# Records kept inside another record (its aggregate): an update names the whole's version.
PARTS = {"LetterAmendment": "letter", "Adjustment": "cycle", "RectificationMeasure": "finding"}


def test_the_version_of_an_accountability_record_is_its_count_of_events(
        client: TestClient) -> None:
    org = register(client, "市局党委", "committee")["data"]["registerOrganization"]
    org_id = org["organization"]["id"]
    person = gql(client, """mutation { registerPerson(input: {name: "张三", partyMember: true})
        { person { id } } }""")["data"]["registerPerson"]["person"]["id"]
    gql(client, """mutation($o: ID!, $p: ID!) { appoint(input: {organizationId: $o,
        personId: $p, post: secretary}) { userErrors { code } } }""", o=org_id, p=person)
    made = gql(client, """mutation($o: ID!, $p: ID!) { makeCommitment(input: {partyId: $p,
        organizationId: $o, title: "每月走访群众", content: "走访十户", dueDate: "2026-12-31",
        effectiveDate: "2026-01-05"}) { commitment { id version } userErrors { code message } }
        }""", o=org_id, p=person)["data"]["makeCommitment"]
    assert made["userErrors"] == [] and made["commitment"]["version"] == 1
    stale = gql(client, """mutation($c: ID!) { followUpCommitment(input: {commitmentId: $c,
        note: "已走访三户", effectiveDate: "2026-02-01", expectedVersion: 2}) {
        status userErrors { field code } } }""", c=made["commitment"]["id"])
    assert stale["data"]["followUpCommitment"]["userErrors"] == [
        {"field": ["expectedVersion"], "code": "CONFLICT"}]
    fresh = gql(client, """mutation($c: ID!) { followUpCommitment(input: {commitmentId: $c,
        note: "已走访三户", effectiveDate: "2026-02-01", expectedVersion: 1}) {
        status commitment { version } } }""", c=made["commitment"]["id"])
    assert fresh["data"]["followUpCommitment"] == {"status": "APPLIED",
                                                   "commitment": {"version": 2}}
