"""The GraphQL API over HTTP against the real ASGI app, on each backend."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from uuid import uuid4

import jwt
import pytest
from starlette.testclient import TestClient

from app.auth import TokenService
from app.graphql.core import mutations
from app.graphql.kit.ids import to_global_id
from app.graphql.schema import MAX_DEPTH, sdl
from app.http import create_app
from app.settings import Settings
from projections import ALL
from projections.runner import Runner

SECRET = "test-secret-that-is-long-enough-for-hs256"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    settings = Settings(database_url=database_url, jwt_secret=SECRET)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def bearer(subject: str = "admin", **claims: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {TokenService(SECRET).mint(subject)}"}


ADMIN = bearer()


def gql(client: TestClient, query: str, headers: dict[str, str] | None = ADMIN,
        **variables: Any) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables},
                           headers=headers or {})
    assert response.status_code in (200, 400), response.text
    return dict(response.json())


def events(client: TestClient) -> int:
    return int(client.app.state.services.app.recorder.max_notification_id() or 0)  # type: ignore[attr-defined]


REGISTER = """mutation($input: RegisterOrganizationInput!) {
  registerOrganization(input: $input) {
    organization { id name kind category parent { name } }
    userErrors { field message code } } }"""
DRAFT = """mutation($input: DraftGoalInput!) {
  draftGoal(input: $input) {
    goal { id title status weight level progress { reports value completion } }
    userErrors { field message code } } }"""
ISSUE = """mutation($id: ID!, $reason: String! = "") {
  issueGoal(input: {goalId: $id, reason: $reason}) {
    goal { id status } userErrors { field message code } } }"""
REPORT = """mutation($id: ID!, $value: Decimal, $date: Date!) {
  reportProgress(input: {goalId: $id, value: $value, effectiveDate: $date,
                         evidence: ["会议记录.pdf"]}) {
    goal { progress { reports value completion effectiveDate } }
    userErrors { field message code } } }"""
QUANT = {"unit": "次", "baseline": "0", "target": "12"}


def register(client: TestClient, name: str, kind: str, parent: str | None = None,
             headers: dict[str, str] = ADMIN) -> dict[str, Any]:
    result = gql(client, REGISTER, headers, input={
        "name": name, "kind": kind, "category": "营销", "parentId": parent})
    return dict(result)


def draft(client: TestClient, org: str, title: str, weight: int = 100,
          parent: str | None = None, level: str = "annual",
          headers: dict[str, str] = ADMIN) -> dict[str, Any]:
    return gql(client, DRAFT, headers, input={
        "level": level, "organizationId": org, "field": "organizational", "title": title,
        "periodStart": "2026-01-01", "periodEnd": "2026-12-31", "indicator": QUANT,
        "weight": weight, "parentId": parent})


def test_health_and_readiness(client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"


def test_readiness_reports_a_follower_that_keeps_failing(client, monkeypatch) -> None:
    def broken_step(_follower: Any) -> Any:
        raise RuntimeError("a read model cannot store this")

    monkeypatch.setattr("projections.runner.Follower.step", broken_step)
    register(client, "市局党委", "committee")
    deadline = time.monotonic() + 10
    while (ready := client.get("/readyz")).status_code == 200 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "failing"
    assert {name for name in body["failing"]} == {p.name for p in ALL}
    assert all("a read model cannot store this" in f["error"] for f in body["failing"].values())
    monkeypatch.undo()
    deadline = time.monotonic() + 10
    while client.get("/readyz").status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert client.get("/readyz").json()["status"] == "ready"


def test_answers_carry_chinese_as_utf8_not_escapes(client) -> None:
    register(client, "烟草专卖局党组", "committee")
    response = client.post("/graphql", headers=ADMIN,
                           json={"query": "{ organizations(first: 5) { nodes { name } } }"})
    assert response.headers["content-type"].startswith("application/json")
    assert "烟草专卖局党组".encode() in response.content
    assert b"\\u" not in response.content
    assert response.json()["data"]["organizations"]["nodes"][0]["name"] == "烟草专卖局党组"


@pytest.mark.parametrize(("headers", "reason"), [
    (None, "authentication required"),
    ({"Authorization": "Bearer not-a-jwt"}, "not valid"),
    ({"Authorization": "Basic abc"}, "Bearer"),
    ({"Authorization": "Bearer " + jwt.encode(
        {"sub": "admin", "iss": "dengta", "exp": int(time.time()) - 10}, SECRET, "HS256")},
     "expired"),
    ({"Authorization": "Bearer " + jwt.encode(
        {"sub": "admin", "iss": "dengta", "exp": int(time.time()) + 99}, "another-secret-" * 3,
        "HS256")}, "signature"),
    (bearer("person:00000000-0000-0000-0000-000000000001"), "not a known person"),
])
def test_bad_or_missing_tokens_are_unauthenticated(client, headers, reason) -> None:
    result = gql(client, "{ viewer { subject } }", headers)
    assert result["data"] is None
    [error] = result["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert reason in error["message"]
    before = events(client)
    result = gql(client, REGISTER, headers, input={"name": "x", "kind": "committee",
                                                   "category": "机关"})
    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert events(client) == before


def test_mutations_wait_for_followers_in_another_worker(database_url) -> None:
    """DENGTA_PROJECTIONS=external: `dengta project` folds (here a runner of its own, polling
    slowly); a mutation still answers with what it wrote."""
    settings = Settings(database_url=database_url, jwt_secret=SECRET, projections="external")
    with TestClient(create_app(settings)) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        assert not services.runner.groups  # it follows nothing itself
        worker = Runner(services.app, services.database, ALL, poll_interval=0.3).start()
        try:
            for name in ("市局党委", "机关党委"):
                result = register(client, name, "committee")["data"]["registerOrganization"]
                assert result["organization"]["name"] == name, result
        finally:
            worker.stop()


def test_an_admin_builds_the_tree_and_reads_it_back_at_once(client) -> None:
    assert gql(client, "{ viewer { subject isAdmin } }")["data"]["viewer"] == {
        "subject": "admin", "isAdmin": True}
    root = register(client, "市局党委", "committee")["data"]["registerOrganization"]
    assert root["userErrors"] == []
    committee = root["organization"]["id"]
    branch = register(client, "营销中心党支部", "branch", committee)
    assert branch["data"]["registerOrganization"]["organization"]["parent"] == {
        "name": "市局党委"}
    tree = gql(client, "query($id: ID!) { organizationTree(rootId: $id) { name "
                       "children(first: 10) { nodes { name } } ancestors { name } } }",
               id=committee)
    assert tree["data"]["organizationTree"][0] == {
        "name": "市局党委", "children": {"nodes": [{"name": "营销中心党支部"}]}, "ancestors": []}


def test_rule_violations_come_back_as_user_errors_and_write_nothing(client) -> None:
    committee = register(client, "党委", "committee")["data"]["registerOrganization"][
        "organization"]["id"]
    before = events(client)
    result = draft(client, committee, "目标", weight=120)["data"]["draftGoal"]
    assert result["goal"] is None
    assert result["userErrors"] == [{"field": ["weight"], "code": "INVALID_INPUT",
                                     "message": "weight must be a whole number from 0 to 100"}]
    group = register(client, "小组", "group", committee)["data"]["registerOrganization"]
    nested = register(client, "支部", "branch", group["organization"]["id"])
    assert nested["data"]["registerOrganization"]["userErrors"][0]["code"] == \
        "INVALID_HIERARCHY"
    wrong_type = draft(client, to_global_id("Goal", "00000000-0000-0000-0000-000000000009"),
                       "目标")["data"]["draftGoal"]
    assert wrong_type["userErrors"][0]["code"] == "NOT_FOUND"
    assert wrong_type["userErrors"][0]["field"] == ["organizationId"]
    assert events(client) == before + 2  # only the group and its ChildAttached


def test_goals_are_drafted_issued_and_report_progress_visible_in_the_next_read(client) -> None:
    committee = register(client, "党委", "committee")["data"]["registerOrganization"][
        "organization"]["id"]
    annual = draft(client, committee, "年度目标")["data"]["draftGoal"]["goal"]
    subgoals = [draft(client, committee, f"具体{n}", 50, annual["id"], "specific")["data"][
        "draftGoal"]["goal"] for n in (1, 2)]
    unreasoned = gql(client, ISSUE, id=annual["id"])
    assert unreasoned["data"]["issueGoal"]["goal"]["status"] == "issued"
    gql(client, ISSUE, id=subgoals[0]["id"])
    before = datetime.now(UTC)
    reported = gql(client, REPORT, id=subgoals[0]["id"], value="6", date="2026-06-30")
    progress = reported["data"]["reportProgress"]["goal"]["progress"]
    assert progress == {"reports": 1, "value": "6", "completion": 0.5,
                        "effectiveDate": "2026-06-30"}
    as_of = gql(client, "query($id: ID!, $at: DateTime) { goal(id: $id, asOf: $at) "
                        "{ progress { reports } } }", id=subgoals[0]["id"],
                at=before.isoformat())
    assert as_of["data"]["goal"]["progress"]["reports"] == 0
    assert as_of["extensions"]["positions"][0] > 0
    subgoal_list = gql(client, "query($id: ID!) { goal(id: $id) { subgoals(first: 10) { "
                               "nodes { title weight } } } }", id=annual["id"])
    assert subgoal_list["data"]["goal"]["subgoals"]["nodes"] == [{"title": "具体1", "weight": 50},
                                                        {"title": "具体2", "weight": 50}]


def test_the_policy_reads_a_goals_organisation_once_per_process(client, monkeypatch) -> None:
    """A goal never changes organisation: mutations on it ask the read models once."""
    committee = register(client, "党委", "committee")["data"]["registerOrganization"][
        "organization"]["id"]
    goal = draft(client, committee, "年度目标")["data"]["draftGoal"]["goal"]["id"]
    asked: list[str] = []
    organization_of = mutations.goal_views.organization_of

    def counted(conn: Any, goal_id: str) -> str | None:
        asked.append(goal_id)
        return organization_of(conn, goal_id)

    monkeypatch.setattr(mutations.goal_views, "organization_of", counted)
    gql(client, ISSUE, id=goal)
    for value in ("3", "6"):
        reported = gql(client, REPORT, id=goal, value=value, date="2026-06-30")
        assert reported["data"]["reportProgress"]["userErrors"] == []
    assert len(asked) == 1
    missing = gql(client, REPORT, id=to_global_id("Goal", uuid4()), value="1",
                  date="2026-06-30")["data"]["reportProgress"]["userErrors"]
    assert [error["code"] for error in missing] == ["NOT_FOUND"]


PAGE = """query($first: Int, $after: String, $last: Int, $before: String) {
  goals(first: $first, after: $after, last: $last, before: $before) {
    totalCount nodes { title }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"""


def test_goal_pages_forwards_and_backwards_with_keyset_cursors(client) -> None:
    committee = register(client, "党委", "committee")["data"]["registerOrganization"][
        "organization"]["id"]
    for n in range(5):
        draft(client, committee, f"目标{n}")
    first = gql(client, PAGE, first=2)["data"]["goals"]
    assert first["totalCount"] == 5
    assert [g["title"] for g in first["nodes"]] == ["目标0", "目标1"]
    assert first["pageInfo"]["hasNextPage"] and not first["pageInfo"]["hasPreviousPage"]
    second = gql(client, PAGE, first=2, after=first["pageInfo"]["endCursor"])["data"]["goals"]
    assert [g["title"] for g in second["nodes"]] == ["目标2", "目标3"]
    last = gql(client, PAGE, last=2)["data"]["goals"]
    assert [g["title"] for g in last["nodes"]] == ["目标3", "目标4"]
    assert last["pageInfo"]["hasPreviousPage"]
    back = gql(client, PAGE, last=2, before=last["pageInfo"]["startCursor"])["data"]["goals"]
    assert [g["title"] for g in back["nodes"]] == ["目标1", "目标2"]
    for bad in ({"first": 0}, {"first": 101}, {}, {"first": 1, "last": 1}):
        result = gql(client, PAGE, **bad)
        assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_a_secretary_manages_only_their_own_subtree(client) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]
    committee = register(client, "党委", "committee")["data"]["registerOrganization"][
        "organization"]
    branch = register(client, "支部", "branch", committee["id"])["data"][
        "registerOrganization"]["organization"]
    secretary = services.app.register_person("admin", name="李书记", party_member=True).id
    from app.graphql.kit.ids import expect

    written = services.app.appoint("admin", secretary,
                                   organization_id=expect(branch["id"], "Organization"),
                                   post="secretary")
    assert services.runner.wait_until(written.position, 10)
    as_secretary = bearer(f"person:{secretary}")
    allowed = draft(client, branch["id"], "支部目标", headers=as_secretary)
    assert allowed["data"]["draftGoal"]["userErrors"] == []
    before = events(client)
    denied = draft(client, committee["id"], "党委目标", headers=as_secretary)
    assert denied["data"] is None or denied["data"]["draftGoal"] is None
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert events(client) == before
    viewer = gql(client, "{ viewer { isAdmin person { name } } }", as_secretary)
    assert viewer["data"]["viewer"] == {"isAdmin": False, "person": {"name": "李书记"}}


def test_too_deep_queries_are_refused(client) -> None:
    deep = "{ viewer { person { responsibilities(first: 5) { nodes { kind } } } } }"
    assert "errors" not in gql(client, deep)
    nested = "organization(id: $id) { " + "parent { " * MAX_DEPTH + "name" + " }" * \
        MAX_DEPTH + " }"
    result = gql(client, "query($id: ID!) { " + nested + " }", id="x")
    assert "exceeds maximum operation depth" in result["errors"][0]["message"]


def test_schema_file_matches_the_code() -> None:
    assert (ROOT / "schema.graphql").read_text() == sdl(), "run `make schema`"


def test_nested_fields_batch_their_reads_instead_of_querying_per_row(client,
                                                                       monkeypatch) -> None:
    committee = register(client, "党委", "committee")["data"]["registerOrganization"][
        "organization"]["id"]
    annual = draft(client, committee, "年度")["data"]["draftGoal"]["goal"]["id"]
    for n in range(12):
        draft(client, committee, f"具体{n:02}", 0, annual, "specific")
    from store import db

    executed: list[str] = []
    for cls in (db.SQLiteConnection, db.PostgresConnection):
        original = cls.execute

        def counting(self, sql, params=(), _original=original):  # type: ignore[no-untyped-def]
            if not threading.current_thread().name.startswith(("follow-", "listen")):
                executed.append(sql)  # the request's reads, not the followers' work
            return _original(self, sql, params)

        monkeypatch.setattr(cls, "execute", counting)
    result = gql(client, """{ goals(first: 20) { nodes { title organization { name }
        parent { title organization { name } } subgoals(first: 10) { nodes { title } }
        responsible(first: 5) { nodes { kind partyId } } } } }""")
    assert len(result["data"]["goals"]["nodes"]) == 13
    assert len(executed) <= 7, executed


def test_bad_input_gets_a_clear_error_and_changes_nothing(client) -> None:
    committee = register(client, "党委", "committee")["data"]["registerOrganization"][
        "organization"]["id"]
    annual = draft(client, committee, "年度")["data"]["draftGoal"]["goal"]["id"]
    halves = [draft(client, committee, f"具体{n}", 40, annual, "specific")["data"][
        "draftGoal"]["goal"]["id"] for n in (1, 2)]
    before = events(client)
    wrong_type = gql(client, REGISTER, input={"name": 3, "kind": "group", "category": "x"})
    assert "String cannot represent" in wrong_type["errors"][0]["message"]
    missing = gql(client, "mutation { issueGoal(input: {}) { goal { id } } }")
    assert "goalId" in missing["errors"][0]["message"]
    unknown = gql(client, ISSUE, id=to_global_id("Goal", "00000000-0000-0000-0000-0000000000aa"))
    assert unknown["data"]["issueGoal"]["userErrors"][0]["code"] == "NOT_FOUND"
    garbage = gql(client, ISSUE, id="%%%")
    assert garbage["data"]["issueGoal"]["userErrors"][0]["code"] == "NOT_FOUND"
    weights = gql(client, ISSUE, id=annual)["data"]["issueGoal"]["userErrors"]
    assert weights == [{"field": ["weights"], "code": "WEIGHTS_MUST_SUM_TO_100",
                        "message": "the subgoals of 年度 weigh 80 in all, not 100"}]
    reweight = gql(client, """mutation($p: ID!, $a: ID!, $b: ID!) { reweightSubgoals(input:
        {parentId: $p, weights: [{goalId: $a, weight: 50}, {goalId: $b, weight: 50}]})
        { goal { id } userErrors { code } } }""", p=annual, a=halves[0], b=halves[1])
    assert reweight["data"]["reweightSubgoals"]["userErrors"] == []
    middle = events(client)
    assert gql(client, ISSUE, id=annual)["data"]["issueGoal"]["userErrors"] == []
    unexplained = gql(client, """mutation($id: ID!) { reviseGoal(input: {goalId: $id,
        title: "改"}) { userErrors { field code } } }""", id=annual)
    assert unexplained["data"]["reviseGoal"]["userErrors"] == [
        {"field": ["reason"], "code": "REASON_REQUIRED"}]
    assert events(client) == middle + 1  # only the issue
    assert middle == before + 2  # only the two re-weighted subgoals
    oversized = gql(client, PAGE, first=1000)
    assert oversized["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize("algorithm", ["RS256", "ES256"])
def test_production_tokens_are_verified_against_a_jwks(database_url, tmp_path,
                                                       algorithm) -> None:
    import json as jsonlib

    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    private = (rsa.generate_private_key(public_exponent=65537, key_size=2048)
               if algorithm == "RS256" else ec.generate_private_key(ec.SECP256R1()))
    algo = jwt.get_algorithm_by_name(algorithm)
    public_jwk = jsonlib.loads(algo.to_jwk(private.public_key()))
    public_jwk.update({"kid": "key-1", "use": "sig", "alg": algorithm})
    (tmp_path / "jwks.json").write_text(jsonlib.dumps({"keys": [public_jwk]}))
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings = Settings(database_url=database_url, jwt_secret=SECRET,
                        jwks_url=f"http://127.0.0.1:{server.server_port}/jwks.json",
                        jwt_issuer="https://sso.example")

    def token(issuer: str, key: Any = private) -> dict[str, str]:
        claims = {"sub": "admin", "iss": issuer, "exp": int(time.time()) + 60}
        signed = jwt.encode(claims, key, algorithm=algorithm, headers={"kid": "key-1"})
        return {"Authorization": f"Bearer {signed}"}

    with server, TestClient(create_app(settings)) as client:
        assert gql(client, "{ viewer { subject } }", token("https://sso.example"))[
            "data"]["viewer"] == {"subject": "admin"}
        wrong_issuer = gql(client, "{ viewer { subject } }", token("https://elsewhere"))
        assert wrong_issuer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        other_key = (rsa.generate_private_key(public_exponent=65537, key_size=2048)
                     if algorithm == "RS256" else ec.generate_private_key(ec.SECP256R1()))
        forged = gql(client, "{ viewer { subject } }", token("https://sso.example", other_key))
        assert "signature" in forged["errors"][0]["message"]
        local = gql(client, "{ viewer { subject } }", ADMIN)  # HS256 is off in this mode
        assert local["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        server.shutdown()


def test_queries_that_could_return_too_many_nodes_are_refused_before_running(client) -> None:
    from app.graphql.kit.cost import MAX_NODES

    page = "goals(first: 100) { nodes { title } }"
    fits = "{ " + " ".join(f"a{n}: {page}" for n in range(MAX_NODES // 100)) + " }"
    assert "errors" not in gql(client, fits)
    too_many = "{ " + " ".join(f"a{n}: {page}" for n in range(MAX_NODES // 100 + 1)) + " }"
    refused = gql(client, too_many)
    assert refused["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert refused["data"] is None
    by_variable = gql(client, """query($n: Int) { a: goals(first: $n) { totalCount }
        b: goals(first: $n) { totalCount } ...more } fragment more on Query {
        c: goals(first: $n) { totalCount } }""", n=100)
    assert "errors" not in by_variable


def test_introspection_and_the_ide_can_be_turned_off(database_url) -> None:
    settings = Settings(database_url=database_url, jwt_secret=SECRET, introspection=False,
                        graphql_ide=False)
    with TestClient(create_app(settings)) as closed:
        result = gql(closed, "{ __schema { queryType { name } } }")
        assert "introspection" in result["errors"][0]["message"].lower()
        assert closed.get("/graphql", headers={"Accept": "text/html"}).status_code != 200
        assert gql(closed, "{ viewer { subject } }")["data"]["viewer"]["subject"] == "admin"


def test_an_unexpected_error_is_masked_and_carries_a_request_id(client, monkeypatch,
                                                                 caplog) -> None:
    from projections import goals as goal_views

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("connection string postgresql://secret@db leaked?")

    monkeypatch.setattr(goal_views, "goals_page", broken)
    result = gql(client, PAGE, first=1)
    [error] = result["errors"]
    assert error["message"] == "Unexpected error."
    assert "secret" not in str(result)
    assert error["extensions"]["code"] == "INTERNAL"
    request_id = error["extensions"]["requestId"]
    assert request_id in caplog.text
    assert "leaked" in caplog.text  # the details go to the log, not to the client


def test_organisations_people_and_gaps_are_keyset_connections(client) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]
    committee = register(client, "甲党委", "committee")["data"]["registerOrganization"][
        "organization"]["id"]
    for name in ("乙支部", "丙支部", "丁支部"):
        register(client, name, "branch", committee)
    from app.graphql.kit.ids import expect

    for name in ("赵一", "钱二", "孙三"):
        person = services.app.register_person("admin", name=name, party_member=True).id
        written = services.app.appoint("admin", person,
                                       organization_id=expect(committee, "Organization"),
                                       post="member")
    annual = draft(client, committee, "无人负责的目标")["data"]["draftGoal"]["goal"]["id"]
    gql(client, ISSUE, id=annual)
    assert services.runner.wait_until(written.position, 10)
    orgs = """query($first: Int, $after: String, $last: Int, $root: ID) {
      organizations(first: $first, after: $after, last: $last, rootId: $root) {
        totalCount nodes { name } pageInfo { endCursor hasNextPage hasPreviousPage } } }"""
    first = gql(client, orgs, first=2, root=committee)["data"]["organizations"]
    assert first["totalCount"] == 4
    rest = gql(client, orgs, first=2, after=first["pageInfo"]["endCursor"], root=committee)
    names = [o["name"] for o in first["nodes"] + rest["data"]["organizations"]["nodes"]]
    assert sorted(names) == sorted(["甲党委", "乙支部", "丙支部", "丁支部"])
    assert len(set(names)) == 4
    assert not rest["data"]["organizations"]["pageInfo"]["hasNextPage"]
    last = gql(client, orgs, last=1, root=committee)["data"]["organizations"]
    assert last["nodes"] == [{"name": names[-1]}]
    people = gql(client, """query($org: ID) { people(first: 10, organizationId: $org)
        { totalCount nodes { name } } }""", org=committee)["data"]["people"]
    assert people["totalCount"] == 3
    gaps = gql(client, "{ responsibilityGaps(first: 5) { totalCount nodes { title "
                       "missingPrimary } } }")["data"]["responsibilityGaps"]
    assert gaps == {"totalCount": 1, "nodes": [{"title": "无人负责的目标",
                                                 "missingPrimary": True}]}


def test_nested_lists_are_keyset_connections_too(client) -> None:
    committee = register(client, "市局党委", "committee")["data"]["registerOrganization"][
        "organization"]["id"]
    for name in ("丙支部", "甲支部", "乙支部"):
        register(client, name, "branch", committee)
    query = """query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
      organization(id: $id) { children(first: $first, after: $after, last: $last,
                                       before: $before) {
        totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        nodes { name } } } }"""

    def children(**page: Any) -> dict[str, Any]:
        return dict(gql(client, query, id=committee, **page)["data"]["organization"][
            "children"])

    names = [n["name"] for n in children(first=100)["nodes"]]
    assert names == sorted(names) and len(names) == 3
    first = children(first=2)
    assert [n["name"] for n in first["nodes"]] == names[:2]
    assert first["totalCount"] == 3 and first["pageInfo"]["hasNextPage"]
    rest = children(first=2, after=first["pageInfo"]["endCursor"])
    assert [n["name"] for n in rest["nodes"]] == names[2:]
    assert not rest["pageInfo"]["hasNextPage"] and rest["pageInfo"]["hasPreviousPage"]
    back = children(last=2, before=rest["pageInfo"]["startCursor"])
    assert [n["name"] for n in back["nodes"]] == names[:2]
    missing = gql(client, "query($id: ID!) { organization(id: $id) { children { totalCount } } }",
                  id=committee)
    assert missing["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
