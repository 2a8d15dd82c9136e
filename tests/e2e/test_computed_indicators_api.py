"""A computed indicator over HTTP on each backend: defined through the API, refused when
evaluated by hand, and explained by `explainScore` — the value, required against held per
meeting kind, the Meeting records behind it (global ids that resolve as nodes) — moving with
a later meeting while the cycle is open and not once publishCycle froze it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from starlette.testclient import TestClient

from app.graphql.kit.ids import to_global_id
from app.http import create_app
from app.settings import Settings
from tests.e2e.test_api import SECRET, gql
from tests.e2e.test_assessment_api import adds_up
from tests.integration.test_computed_indicators import ACTOR, Story, meet, told


@pytest.fixture
def computed(database_url: str) -> Iterator[tuple[TestClient, Story]]:
    settings = Settings(database_url=database_url, jwt_secret=SECRET)
    with TestClient(create_app(settings)) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        story = told(services.app)
        meet(services.app, story, "branch_committee", date(2026, 4, 8))
        meet(services.app, story, "branch_general", date(2026, 5, 20))
        for _ in range(3):
            services.app.advance_cycle(ACTOR, story.cycles["published"])
        client.services = services  # type: ignore[attr-defined]
        wait(client)
        yield client, story


def wait(client: TestClient) -> None:
    services = client.services  # type: ignore[attr-defined]
    assert services.runner.wait_until(services.app.recorder.max_notification_id(), 10)


EXPLAIN = """query($cycle: ID!, $org: ID!) {
  explainScore(cycleId: $cycle, organizationId: $org) {
    score
    steps { id parentId label value formula weight kind ref }
    measures { indicatorId item source sourceLabel value required fulfilled judgedOn frozen
               kinds { kind kindLabel required held fulfilled periods meetingIds } }
  } }"""


def explain(client: TestClient, story: Story, name: str) -> dict[str, Any]:
    found = gql(client, EXPLAIN, cycle=to_global_id("AssessmentCycle", story.cycles[name]),
                org=to_global_id("Organization", story.branch))
    assert "errors" not in found, found
    return dict(found["data"]["explainScore"])


def test_explain_score_shows_the_value_how_it_was_computed_and_the_meetings(computed) -> None:
    client, story = computed
    explained = explain(client, story, "open")
    [measure] = explained["measures"]
    # 支委会 April only of April-June (1 of 3), 党员大会 in Q2 (1 of 1): 2 of 4
    assert (measure["value"], measure["required"], measure["fulfilled"], measure["frozen"],
            measure["source"], measure["sourceLabel"], measure["judgedOn"]) == (
        50.0, 4, 2, False, "meeting_compliance", "三会一课完成率", "2026-06-30")
    assert measure["indicatorId"] == to_global_id("LibraryIndicator", story.indicator)
    kinds = {k["kind"]: k for k in measure["kinds"]}
    assert (kinds["branch_committee"]["required"], kinds["branch_committee"]["held"],
            kinds["branch_committee"]["kindLabel"]) == (3, 1, "支部委员会")
    assert kinds["branch_committee"]["periods"] == ["2026-04", "2026-05", "2026-06"]
    meeting_ids = {m for k in measure["kinds"] for m in k["meetingIds"]}
    assert meeting_ids == {to_global_id("Meeting", m) for m in story.meetings.values()}
    assert explained["score"] == 50.0
    adds_up(explained["steps"])
    assert {s["ref"] for s in explained["steps"] if s["kind"] == "meeting"} == meeting_ids
    for meeting_id in meeting_ids:
        node = gql(client, "query($id: ID!) { node(id: $id) { ... on Meeting { heldOn } } }",
                   id=meeting_id)["data"]["node"]
        assert node is not None and node["heldOn"].startswith("2026-")


def test_a_later_meeting_moves_an_open_cycle_and_not_a_published_one(computed) -> None:
    client, story = computed
    published = gql(client, """mutation($c: ID!) { publishCycle(input: {cycleId: $c}) {
        cycle { status } userErrors { code } } }""",
                    c=to_global_id("AssessmentCycle", story.cycles["published"]))
    assert published["data"]["publishCycle"]["cycle"]["status"] == "published"
    services = client.services  # type: ignore[attr-defined]
    meet(services.app, story, "branch_committee", date(2026, 5, 8))
    wait(client)
    frozen = explain(client, story, "published")
    assert (frozen["score"], frozen["measures"][0]["value"], frozen["measures"][0]["frozen"]) \
        == (50.0, 50.0, True)
    live = explain(client, story, "open")
    assert (live["score"], live["measures"][0]["value"]) == (75.0, 75.0)


def test_defined_through_the_api_and_not_evaluated_by_hand(computed) -> None:
    client, story = computed
    defined = gql(client, """mutation { defineIndicator(input: {item: "三会一课完成率",
        maxPoints: 10, source: meeting_compliance}) {
        indicator { item source sourceLabel } userErrors { code field } } }""")
    assert defined["data"]["defineIndicator"]["indicator"] == {
        "item": "三会一课完成率", "source": "meeting_compliance", "sourceLabel": "三会一课完成率"}
    services = client.services  # type: ignore[attr-defined]
    services.app.advance_cycle(ACTOR, story.cycles["open"])
    wait(client)
    refused = gql(client, """mutation($c: ID!, $o: ID!, $i: ID!) {
        evaluate(input: {cycleId: $c, organizationId: $o, itemId: $i, kind: self,
                         points: 18}) { evaluationId userErrors { code field } } }""",
                  c=to_global_id("AssessmentCycle", story.cycles["open"]),
                  o=to_global_id("Organization", story.branch),
                  i=to_global_id("LibraryIndicator", story.indicator))
    assert refused["data"]["evaluate"] == {
        "evaluationId": None, "userErrors": [{"code": "INVALID_INPUT", "field": ["itemId"]}]}
