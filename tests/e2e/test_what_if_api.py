"""What-if over HTTP on each backend: an unchanged scheme reproduces the scoreboard exactly (the
hand-computed story, the demo's published cycle, a generated cycle), changed weights, bands and
veto rules move what they should (figures checked by hand), a what-if under a scheme equals the
scoreboard after that scheme is adopted, asOf answers as of then, scope and the cost limit hold,
bad schemes are refused, and nothing is ever written."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from starlette.testclient import TestClient

from app.demo import load_demo
from app.graphql.kit.ids import to_global_id
from app.http import create_app
from app.settings import Settings
from tests.e2e.test_api import ADMIN, SECRET, bearer, events, gql
from tests.integration.assessment_story import (
    ORGANIZER,
    SCHEME,
    YEAR,
    Assessment,
    correct_c1,
    evaluate_all,
    publish,
    stage,
)
from tests.integration.generated_cycle import generate
from tests.integration.test_scoreboard import everything_scored

WHAT_IF = """
query($cycle: ID!, $scheme: SchemeChangeInput!, $category: String, $asOf: DateTime,
      $first: Int = 100, $after: String) {
  whatIf(cycleId: $cycle, scheme: $scheme, category: $category, first: $first, after: $after,
         asOf: $asOf) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { organization { id name } category categoryRankMove overallRankMove
            actual { partyBuilding combined grade categoryRank overallRank }
            hypothetical { partyBuilding combined grade categoryRank overallRank } } } }"""
SCOREBOARD = """
query($cycle: ID!, $asOf: DateTime) {
  scoreboard(cycleId: $cycle, first: 100, asOf: $asOf) { totalCount
    nodes { organization { id name } category partyBuilding combined grade categoryRank
            overallRank } } }"""
FIGURES = ("partyBuilding", "combined", "grade", "categoryRank", "overallRank")


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    settings = Settings(database_url=database_url, jwt_secret=SECRET)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def story(client: TestClient) -> Assessment:
    services = client.app.state.services  # type: ignore[attr-defined]
    written = stage(services.app)
    evaluate_all(services.app, written)
    caught_up(client)
    return written


def caught_up(client: TestClient) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]
    assert services.runner.wait_until(services.app.recorder.max_notification_id(), 30)


def name_of(line: dict[str, Any]) -> str:
    return str(line["organization"]["name"]).removesuffix("党支部")


def what_if(client: TestClient, cycle: Any, scheme: dict[str, Any],
            headers: dict[str, str] = ADMIN, **variables: Any) -> dict[str, dict[str, Any]]:
    answer = gql(client, WHAT_IF, headers, cycle=cycle_id(cycle), scheme=scheme, **variables)
    assert "errors" not in answer, answer
    return {name_of(line): line for line in answer["data"]["whatIf"]["nodes"]}


def scoreboard(client: TestClient, cycle: Any, **variables: Any) -> dict[str, dict[str, Any]]:
    answer = gql(client, SCOREBOARD, cycle=cycle_id(cycle), **variables)
    return {name_of(line): line for line in answer["data"]["scoreboard"]["nodes"]}


def cycle_id(cycle: Any) -> str:
    return cycle if isinstance(cycle, str) else to_global_id("AssessmentCycle", cycle)


def figures(line: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(line[name] for name in FIGURES)


def assert_reproduces(client: TestClient, cycle: Any, **variables: Any) -> None:
    """The unchanged scheme gives every organisation the scoreboard's own figures."""
    real = scoreboard(client, cycle, **variables)
    same = what_if(client, cycle, {}, **variables)
    assert set(same) == set(real) and real
    for name, line in same.items():
        assert figures(line["hypothetical"]) == figures(line["actual"]) == figures(real[name])
        assert line["category"] == real[name]["category"]
        assert (line["categoryRankMove"], line["overallRankMove"]) in ((0, 0), (None, None))


def hypothetical(lines: dict[str, dict[str, Any]]) -> dict[str, tuple[Any, ...]]:
    return {name: figures(line["hypothetical"]) for name, line in lines.items()}


def test_the_unchanged_scheme_reproduces_the_scoreboard(client, story) -> None:
    assert_reproduces(client, story.cycle)


def test_a_party_building_weight_moves_the_ranks_as_computed_by_hand(client, story) -> None:
    lines = what_if(client, story.cycle, {"partyBuildingWeight": 100})
    # Party building alone: A 80.70, B 82.00 (良好, capped at 合格 by its veto), C 82.80.
    assert hypothetical(lines) == {"A": (80.70, 80.70, "良好", 2, 3),
                                   "B": (82.00, 82.00, "合格", 1, 2),
                                   "C": (82.80, 82.80, "良好", 1, 1)}
    assert {name: (line["categoryRankMove"], line["overallRankMove"])
            for name, line in lines.items()} == {"A": (0, -1), "B": (0, -1), "C": (0, 2)}
    assert [name_of(line) for line in gql(client, WHAT_IF, cycle=cycle_id(story.cycle),
                                          scheme={"partyBuildingWeight": 100})[
        "data"]["whatIf"]["nodes"]] == ["C", "B", "A"]


def test_evaluator_weights_grade_bands_and_veto_rules_move_what_they_should(
        client, story) -> None:
    # Organisational scoring alone: A 76 + 3 = 79 -> 0.7x79 + 0.3x90 = 82.30;
    # B 81 -> 56.70 + 28.50 = 85.20 (capped 合格); C 84 -> 58.80 + 21 = 79.80.
    alone = what_if(client, story.cycle, {"evaluatorWeights": [
        {"kind": "organizational", "weight": 100}]})
    assert hypothetical(alone) == {"A": (79.00, 82.30, "良好", 2, 2),
                                   "B": (81.00, 85.20, "合格", 1, 1),
                                   "C": (84.00, 79.80, "合格", 1, 3)}
    bands = [{"grade": "优秀", "min": 83}, {"grade": "良好", "min": 80},
             {"grade": "合格", "min": 60}, {"grade": "不合格", "min": 0}]
    banded = what_if(client, story.cycle, {"gradeBands": bands})
    assert {n: line["hypothetical"]["grade"] for n, line in banded.items()} == {
        "A": "优秀", "B": "合格", "C": "合格"}  # B reaches 优秀 but its veto caps it
    no_vetoes = what_if(client, story.cycle, {"vetoes": []})
    assert no_vetoes["B"]["hypothetical"]["grade"] == "良好"
    harsher = what_if(client, story.cycle, {"vetoes": [
        {"condition": "重大负面事件", "cap": "不合格"}]})
    assert harsher["B"]["hypothetical"]["grade"] == "不合格"
    marketing = gql(client, WHAT_IF, cycle=cycle_id(story.cycle), scheme={},
                    category="营销")["data"]["whatIf"]
    assert marketing["totalCount"] == 2
    assert [name_of(line) for line in marketing["nodes"]] == ["B", "A"]


def test_pages_follow_the_changed_ranking(client, story) -> None:
    cycle, scheme = cycle_id(story.cycle), {"partyBuildingWeight": 100}
    first = gql(client, WHAT_IF, cycle=cycle, scheme=scheme, first=2)["data"]["whatIf"]
    assert first["pageInfo"]["hasNextPage"] and first["totalCount"] == 3
    rest = gql(client, WHAT_IF, cycle=cycle, scheme=scheme, first=2,
               after=first["pageInfo"]["endCursor"])["data"]["whatIf"]
    assert [name_of(line) for line in first["nodes"] + rest["nodes"]] == ["C", "B", "A"]
    assert not rest["pageInfo"]["hasNextPage"]


def test_as_of_before_a_correction_answers_as_it_stood(client, story) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]
    publish(services.app, story)
    caught_up(client)
    before = datetime.now(UTC).isoformat()
    time.sleep(0.05)
    correct_c1(services.app, story)  # C1's organisational 84 -> 100: raw 82.80 -> 90.80
    caught_up(client)
    scheme = {"partyBuildingWeight": 100}
    then = what_if(client, story.cycle, scheme, asOf=before)["C"]
    now = what_if(client, story.cycle, scheme)["C"]
    assert figures(then["actual"]) == (82.80, 78.96, "合格", 1, 3)
    assert figures(then["hypothetical"]) == (82.80, 82.80, "良好", 1, 1)
    assert figures(now["actual"]) == (90.80, 84.56, "良好", 1, 2)
    assert figures(now["hypothetical"]) == (90.80, 90.80, "优秀", 1, 1)
    assert_reproduces(client, story.cycle, asOf=before)


def test_a_what_if_writes_nothing(client, story) -> None:
    head = events(client)
    services = client.app.state.services  # type: ignore[attr-defined]
    audit = services.app.recorder.max_notification_id()
    what_if(client, story.cycle, {"partyBuildingWeight": 10, "vetoes": []})
    gql(client, WHAT_IF, cycle=cycle_id(story.cycle), scheme={"partyBuildingWeight": 101})
    assert events(client) == head and services.app.recorder.max_notification_id() == audit
    assert_reproduces(client, story.cycle)


@pytest.mark.parametrize(("scheme", "field", "message"), [
    ({"evaluatorWeights": [{"kind": "organizational", "weight": 60}]},
     "scheme.evaluatorWeights", "must sum to 100"),
    ({"partyBuildingWeight": 101}, "scheme.partyBuildingWeight", "between 0 and 100"),
    ({"gradeBands": [{"grade": "好", "min": 50}, {"grade": "差", "min": 60}]},
     "scheme.gradeBands", "from the best grade down"),
    ({"vetoes": [{"condition": "重大负面事件", "cap": "极差"}]}, "scheme.vetoes.cap",
     "one of the bands' grades"),
    ({"routineWeight": 120}, "scheme.routineWeight", "between 0 and 100"),
])
def test_a_bad_scheme_is_refused_with_its_reason(client, story, scheme, field,
                                                 message) -> None:
    head = events(client)
    answer = gql(client, WHAT_IF, cycle=cycle_id(story.cycle), scheme=scheme)
    error = answer["errors"][0]
    assert answer["data"] is None
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == field and message in error["message"]
    assert events(client) == head


def test_an_unknown_evaluator_kind_is_a_validation_error(client, story) -> None:
    head = events(client)
    answer = gql(client, WHAT_IF, cycle=cycle_id(story.cycle),
                 scheme={"evaluatorWeights": [{"kind": "boss", "weight": 100}]})
    assert answer.get("data") is None and "EvaluatorKind" in answer["errors"][0]["message"]
    assert events(client) == head


def test_the_boundary_and_the_cycle_id_are_checked(client, story) -> None:
    hostile = gql(client, WHAT_IF, cycle=cycle_id(story.cycle), scheme={
        "gradeBands": [{"grade": "优\u0000秀", "min": 90}]})
    assert hostile["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert hostile["errors"][0]["extensions"]["violations"][0]["code"] == "INVALID_TEXT"
    unknown = gql(client, WHAT_IF, cycle=to_global_id("AssessmentCycle",
                                                      "00000000-0000-0000-0000-000000000000"),
                  scheme={})
    assert unknown["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "no such cycle" in unknown["errors"][0]["message"]


def test_a_scoped_reader_sees_its_own_lines_ranked_over_the_whole_cycle(client, story) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]
    secretary = services.app.register_person("admin", name="A支部书记", party_member=True).id
    services.app.appoint("admin", secretary, organization_id=story.branches["A"],
                         post="secretary")
    outsider = services.app.register_person("admin", name="局外人", party_member=False).id
    caught_up(client)
    answer = gql(client, WHAT_IF, bearer(f"person:{secretary}"), cycle=cycle_id(story.cycle),
                 scheme={"partyBuildingWeight": 100})["data"]["whatIf"]
    assert answer["totalCount"] == 1
    (line,) = answer["nodes"]
    assert name_of(line) == "A" and line["actual"]["overallRank"] == 2
    assert line["hypothetical"]["overallRank"] == 3
    refused = gql(client, WHAT_IF, bearer(f"person:{outsider}"), cycle=cycle_id(story.cycle),
                  scheme={})
    assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_the_cost_limit_counts_a_what_if(client, story) -> None:
    query = """query($cycle: ID!) { whatIf(cycleId: $cycle, scheme: {}, first: 100) {
      nodes { organization { children(first: 20) { nodes { id } } } } } }"""
    answer = gql(client, query, cycle=cycle_id(story.cycle))
    assert answer["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"


def test_the_demos_published_cycle_is_reproduced(client) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]
    load_demo(services.app)
    caught_up(client)
    cycles = gql(client, "{ assessmentCycles(first: 10) { nodes { id status } } }")
    published = [c["id"] for c in cycles["data"]["assessmentCycles"]["nodes"]
                 if c["status"] == "published"]
    assert published
    for cycle in published:
        assert_reproduces(client, cycle)


@pytest.mark.parametrize("seed", [3, 11])
def test_a_generated_cycle_is_reproduced_and_a_what_if_is_what_adopting_it_gives(
        client, seed) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]
    generated = generate(services.app, seed)
    caught_up(client)
    assert_reproduces(client, generated.cycle)
    real = scoreboard(client, generated.cycle)
    assert real["生成11"]["combined"] is None and real["生成11"]["overallRank"] is None
    assert figures(real["生成00"]) == figures(real["生成01"])  # a tie shares its rank
    change = {"evaluatorWeights": [{"kind": "organizational", "weight": 10},
                                   {"kind": "mass", "weight": 50},
                                   {"kind": "self", "weight": 30},
                                   {"kind": "social", "weight": 10}],
              "partyBuildingWeight": 55,
              "gradeBands": [{"grade": "优秀", "min": 85}, {"grade": "良好", "min": 75},
                             {"grade": "合格", "min": 65}, {"grade": "不合格", "min": 0}],
              "vetoes": [{"condition": "重大负面事件", "cap": "不合格"}]}
    foreseen = hypothetical(what_if(client, generated.cycle, change))
    adopted = {**change, "evaluatorWeights": {
        w["kind"]: w["weight"] for w in change["evaluatorWeights"]}}
    services.app.revise_cycle_scheme(ORGANIZER, generated.cycle, reason="采用假设方案", scheme={
        "evaluator_weights": adopted["evaluatorWeights"], "party_building_weight": 55,
        "grade_bands": [{"grade": b["grade"], "min": b["min"]} for b in change["gradeBands"]],
        "vetoes": [{"condition": "重大负面事件", "cap": "不合格"}]})
    caught_up(client)
    assert {name: figures(line) for name, line in
            scoreboard(client, generated.cycle).items()} == foreseen
    assert_reproduces(client, generated.cycle)


def test_an_annual_cycle_weighs_its_routine_cycles_as_the_changed_scheme_says(
        client, story) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]
    annual = services.app.draft_cycle(
        ORGANIZER, title="2026年度", kind="annual", period=YEAR, organizer_id=story.committee,
        organization_ids=list(story.branches.values()), routine_cycle_ids=[story.cycle],
        scheme={**SCHEME, "routine_weight": 40}).id
    everything_scored(services.app, annual, story, 90)  # A: 90 of its own; B, C: none
    caught_up(client)
    assert_reproduces(client, annual)
    # A: 0.4 x 83.49 (Q2) + 0.6 x 90 = 87.40; B and C: their Q2 result alone.
    assert {n: line["actual"]["combined"] for n, line in what_if(client, annual, {}).items()
            } == {"A": 87.40, "B": 85.90, "C": 78.96}
    own_only = what_if(client, annual, {"routineWeight": 0})
    assert figures(own_only["A"]["hypothetical"]) == (90.00, 90.00, "优秀", 1, 1)
    assert own_only["B"]["hypothetical"]["combined"] is None
    assert own_only["B"]["overallRankMove"] is None and own_only["A"]["overallRankMove"] == 0
