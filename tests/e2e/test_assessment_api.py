"""Assessment over HTTP on each backend: the scoreboard by category with ranks, score cards,
explanations that add up, a correction after publication seen in scoreDiff, and a locked
cycle that refuses changes through the API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from starlette.testclient import TestClient

from app.demo import load_demo
from app.graphql.kit.ids import actor_global_id, to_global_id
from app.http import create_app
from app.settings import Settings
from tests.e2e.test_api import ADMIN, SECRET, bearer, events, gql
from tests.integration.assessment_story import (
    EXPECTED,
    EXPECTED_AFTER_CORRECTION,
    SCHEME,
    YEAR,
    Assessment,
    evaluate_all,
    stage,
)


@pytest.fixture
def assessed(database_url: str) -> Iterator[tuple[TestClient, Assessment]]:
    settings = Settings(database_url=database_url, jwt_secret=SECRET)
    with TestClient(create_app(settings)) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        story = stage(services.app)
        evaluate_all(services.app, story)
        assert services.runner.wait_until(services.app.recorder.max_notification_id(), 10)
        yield client, story


def gid(kind: str, raw: Any) -> str:
    return to_global_id(kind, raw)


SCOREBOARD = """
query($cycle: ID!, $category: String, $asOf: DateTime) {
  scoreboard(cycleId: $cycle, category: $category, first: 100, asOf: $asOf) {
    totalCount
    nodes { organization { name } category combined partyBuilding business adjustment grade
            vetoes categoryRank overallRank evaluated expected
            byKind { organizational mass self social } }
  }
}"""


def board(client: TestClient, story: Assessment, **variables: Any) -> dict[str, Any]:
    data = gql(client, SCOREBOARD, cycle=gid("AssessmentCycle", story.cycle),
               **variables)["data"]["scoreboard"]["nodes"]
    return {line["organization"]["name"].removesuffix("党支部"): line for line in data}


def test_the_scoreboard_by_category_ranks_and_grades(assessed) -> None:
    client, story = assessed
    lines = board(client, story)
    for name, (party_building, combined, grade, category_rank, overall_rank) in (
            EXPECTED.items()):
        line = lines[name]
        assert (line["partyBuilding"], line["combined"], line["grade"], line["categoryRank"],
                line["overallRank"]) == (party_building, combined, grade, category_rank,
                                         overall_rank)
    assert lines["A"]["byKind"] == {"organizational": 76.0, "mass": 72.0, "self": 86.0,
                                    "social": 81.0}
    assert lines["B"]["vetoes"] == ["重大负面事件"]
    assert list(board(client, story, category="营销")) == ["B", "A"]


def test_the_score_card_lists_items_and_what_is_still_to_be_evaluated(assessed) -> None:
    client, story = assessed
    services = client.app.state.services  # type: ignore[attr-defined]
    late = services.app.register_organization("admin", name="D党支部", kind="branch",
                                              category="物流", parent_id=story.committee)
    cycle = services.app.draft_cycle(
        "admin", title="D", kind="annual", period=YEAR, organizer_id=story.committee,
        organization_ids=[story.branches["A"], late.id], scheme=SCHEME)
    app = services.app
    people = {name: app.register_person("admin", name=name, party_member=True).id
              for name in ("A支部书记", "市局书记", "张三")}
    app.appoint("admin", people["A支部书记"], organization_id=story.branches["A"],
                post="secretary")
    app.appoint("admin", people["市局书记"], organization_id=story.committee, post="secretary")
    last = app.assign_responsibility("admin", story.goals["A1"], party_kind="person",
                                     party_id=people["张三"], kind="specific", reason="分工")
    assert services.runner.wait_until(last.position, 10)
    result = gql(client, """query($cycle: ID!, $org: ID!) {
      scoreCard(cycleId: $cycle, organizationId: $org) {
        standing { combined evaluated expected }
        items { title kind weight combined }
        pending { itemId evaluatorKind expectedFrom { name } }
      } }""", cycle=gid("AssessmentCycle", cycle.id),
       org=gid("Organization", story.branches["A"]))
    card = result["data"]["scoreCard"]
    expected = {(p["itemId"], p["evaluatorKind"]): [e["name"] for e in p["expectedFrom"]]
                for p in card["pending"]}
    a1, a2 = gid("Goal", story.goals["A1"]), gid("Goal", story.goals["A2"])
    assert expected[(a1, "self")] == ["张三", "A支部书记"]
    assert expected[(a2, "self")] == ["A支部书记"]
    assert expected[(a1, "organizational")] == ["市局书记"]
    assert expected[(None, "mass")] == []
    assert [(i["title"], i["weight"]) for i in card["items"]] == [("目标A1", 60), ("目标A2", 40)]
    assert card["standing"] == {"combined": None, "evaluated": 0, "expected": 6}
    assert {(p["itemId"], p["evaluatorKind"]) for p in card["pending"]} == {
        *((gid("Goal", story.goals[g]), kind) for g in ("A1", "A2")
          for kind in ("self", "organizational")),
        (None, "mass"), (None, "social")}


EXPLAIN = """query($cycle: ID!, $org: ID!) {
  explainScore(cycleId: $cycle, organizationId: $org) {
    score grade schemeVersion
    steps { id parentId label value formula weight kind ref }
  } }"""


def adds_up(steps: list[dict[str, Any]]) -> None:
    """Each step's value is what its formula makes of its children's values and weights."""
    for step in steps:
        children = [s for s in steps if s["parentId"] == step["id"]]
        valued = [c for c in children if c["value"] is not None]
        if step["value"] is None or not valued or step["kind"] == "evaluation":
            continue
        if step["kind"] in ("combined", "annual"):
            weighted = [c for c in valued if c["weight"] is not None]
            total = (sum(c["value"] * c["weight"] for c in weighted)
                     / sum(c["weight"] for c in weighted) if weighted else valued[0]["value"])
        elif step["kind"] == "party_building":
            total = min(100, max(0, sum(c["value"] for c in valued)))
        elif all(c["kind"] == "evaluation" for c in valued):
            total = sum(c["value"] for c in valued) / len(valued)
        else:
            weights = sum(c["weight"] for c in valued)
            total = sum(c["value"] * c["weight"] for c in valued) / weights
        assert total == pytest.approx(step["value"], abs=0.01), step


def test_explain_score_adds_up_from_evaluations_to_the_final_score(assessed) -> None:
    client, story = assessed
    for name, organization in story.branches.items():
        result = gql(client, EXPLAIN, cycle=gid("AssessmentCycle", story.cycle),
                     org=gid("Organization", organization))
        explained = result["data"]["explainScore"]
        assert explained["score"] == EXPECTED[name][1]
        steps = explained["steps"]
        assert steps[0]["parentId"] is None and steps[0]["value"] == pytest.approx(
            EXPECTED[name][1], abs=0.005)
        adds_up(steps)
        evaluations = [s for s in steps if s["kind"] == "evaluation"]
        assert evaluations and all(s["ref"] for s in evaluations)


def test_explanations_add_up_for_every_organisation_in_the_demo(database_url: str) -> None:
    settings = Settings(database_url=database_url, jwt_secret=SECRET)
    with TestClient(create_app(settings)) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        load_demo(services.app)
        assert services.runner.wait_until(services.app.recorder.max_notification_id(), 30)
        [cycle] = gql(client, "{ assessmentCycles(first: 5) { nodes { id status "
                              "scoreboard(first: 100) { nodes { combined organization { id } } "
                              "} } } }")["data"]["assessmentCycles"]["nodes"]
        assert cycle["status"] == "published" and len(cycle["scoreboard"]["nodes"]) == 10
        for line in cycle["scoreboard"]["nodes"]:
            explained = gql(client, EXPLAIN, cycle=cycle["id"],
                            org=line["organization"]["id"])["data"]["explainScore"]
            assert explained["score"] == line["combined"]
            adds_up(explained["steps"])


def test_a_correction_after_publication_shows_in_score_diff_with_its_reason(assessed) -> None:
    client, story = assessed
    cycle = gid("AssessmentCycle", story.cycle)
    published = gql(client, """mutation($c: ID!) { publishCycle(input: {cycleId: $c}) {
        cycle { status } userErrors { code } } }""", c=cycle)
    assert published["data"]["publishCycle"]["cycle"]["status"] == "published"
    at_publication = datetime.now(UTC)
    assert board(client, story)["C"]["combined"] == EXPECTED["C"][1]  # kept until the next fold
    evaluation = gid("Evaluation", story.evaluations[("C1", "organizational")])

    no_reason = gql(client, """mutation($e: ID!) { correctEvaluation(input: {
        evaluationId: $e, points: "100", reason: " "}) { userErrors { code field } } }""",
                    e=evaluation)
    assert no_reason["data"]["correctEvaluation"]["userErrors"] == [
        {"code": "REASON_REQUIRED", "field": ["reason"]}]
    corrected = gql(client, """mutation($e: ID!) { correctEvaluation(input: {
        evaluationId: $e, points: "100", reason: "复核发现台账漏计"}) {
          scoreCard { standing { combined grade overallRank } } userErrors { code } } }""",
                    e=evaluation)
    combined, grade, rank = EXPECTED_AFTER_CORRECTION["C"]
    assert corrected["data"]["correctEvaluation"]["scoreCard"]["standing"] == {
        "combined": combined, "grade": grade, "overallRank": rank}

    assert board(client, story)["C"]["combined"] == combined
    for _ in range(2):  # computed, then kept
        assert board(client, story, asOf=at_publication.isoformat())["C"]["combined"] == (
            EXPECTED["C"][1])
    diff = gql(client, """query($c: ID!, $o: ID!, $from: DateTime!) {
      scoreDiff(cycleId: $c, organizationId: $o, from: $from) {
        before { combined grade } after { combined grade } delta
        events { actorId actor { name } action actionLabel reason recordedAt ref detail }
      } }""", c=cycle, o=gid("Organization", story.branches["C"]),
       **{"from": at_publication.isoformat()})["data"]["scoreDiff"]
    assert diff["before"] == {"combined": EXPECTED["C"][1], "grade": "合格"}
    assert diff["after"] == {"combined": combined, "grade": grade}
    assert diff["delta"] == round(combined - EXPECTED["C"][1], 2)
    [event] = diff["events"]
    assert (event["actorId"], event["actor"], event["action"], event["actionLabel"],
            event["reason"], event["ref"]) == (
        actor_global_id("admin"), {"name": "系统管理员账号"}, "Corrected", "更正评分",
        "复核发现台账漏计", evaluation)
    assert event["detail"]["before"] == "84" and event["recordedAt"]
    assert event["detail"]["item"] == gid("Goal", story.goals["C1"])  # a global id, as node takes


def test_a_locked_cycle_refuses_changes_over_the_api_and_writes_nothing(assessed) -> None:
    client, story = assessed
    cycle = gid("AssessmentCycle", story.cycle)
    for step in ("publishCycle", "lockCycle"):
        result = gql(client, f"""mutation($c: ID!) {{ {step}(input: {{cycleId: $c}}) {{
            userErrors {{ code }} }} }}""", c=cycle)
        assert result["data"][step]["userErrors"] == []
    before = events(client)
    refused = gql(client, """mutation($e: ID!) { correctEvaluation(input: {
        evaluationId: $e, points: "100", reason: "更正"}) { userErrors { code } } }""",
                  e=gid("Evaluation", story.evaluations[("C1", "organizational")]))
    assert refused["data"]["correctEvaluation"]["userErrors"] == [{"code": "CYCLE_LOCKED"}]
    assert events(client) == before
    cycles = gql(client, "{ assessmentCycles(first: 10) { nodes { title status "
                         "reopenRequested } } }", headers=ADMIN)["data"]["assessmentCycles"][
        "nodes"]
    assert cycles == [{"title": "2026年第二季度党建考核", "status": "locked",
                       "reopenRequested": False}]


def test_the_scoreboard_pages_by_place_forwards_and_backwards(assessed) -> None:
    client, story = assessed
    query = """query($c: ID!, $first: Int, $after: String, $last: Int, $before: String) {
      scoreboard(cycleId: $c, first: $first, after: $after, last: $last, before: $before) {
        totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        nodes { organization { name } overallRank } } }"""
    cycle = gid("AssessmentCycle", story.cycle)
    first = gql(client, query, c=cycle, first=2)["data"]["scoreboard"]
    assert [n["organization"]["name"] for n in first["nodes"]] == ["B党支部", "A党支部"]
    assert first["totalCount"] == 3 and first["pageInfo"]["hasNextPage"]
    rest = gql(client, query, c=cycle, first=2,
               after=first["pageInfo"]["endCursor"])["data"]["scoreboard"]
    assert [(n["organization"]["name"], n["overallRank"]) for n in rest["nodes"]] == [
        ("C党支部", 3)]
    assert not rest["pageInfo"]["hasNextPage"] and rest["pageInfo"]["hasPreviousPage"]
    back = gql(client, query, c=cycle, last=1,
               before=rest["pageInfo"]["startCursor"])["data"]["scoreboard"]
    assert [n["organization"]["name"] for n in back["nodes"]] == ["A党支部"]
    bad = gql(client, query, c=cycle, first=2, after="bm90LWEtY3Vyc29y")
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert gql(client, query, c=cycle, first=101)["errors"][0]["extensions"]["code"] == (
        "BAD_USER_INPUT")


def test_an_evaluations_history_is_read_only_by_those_who_may_read_its_organisation(
        assessed) -> None:
    client, story = assessed
    services = client.app.state.services  # type: ignore[attr-defined]
    secretary = services.app.register_person("admin", name="C支部书记", party_member=True).id
    last = services.app.appoint("admin", secretary, organization_id=story.branches["C"],
                                post="secretary")
    assert services.runner.wait_until(last.position, 10)
    as_secretary = bearer(f"person:{secretary}")
    query = """query($id: ID!) { history(id: $id, first: 10) { totalCount
      nodes { action } } }"""
    own = gql(client, query, as_secretary,
              id=gid("Evaluation", story.evaluations[("C1", "organizational")]))
    assert own["data"]["history"]["totalCount"] == 1
    other = gql(client, query, as_secretary,
                id=gid("Evaluation", story.evaluations[("A1", "organizational")]))
    assert other["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert gql(client, query, id=gid("Evaluation", story.evaluations[("A1", "self")]))[
        "data"]["history"]["totalCount"] == 1
