"""Scores in the accountability view over HTTP, on each backend: each goal's score with the
cycle it comes from, and an organisation's combined score, grade and ranks."""

from __future__ import annotations

from starlette.testclient import TestClient

from app.graphql.kit.ids import to_global_id
from app.http import create_app
from app.settings import Settings
from tests.e2e.test_api import SECRET, gql
from tests.integration.assessment_story import ORGANIZER, evaluate_all, publish, stage

VIEW = """query($party: ID!) {
  accountability(partyId: $party) {
    goals(first: 10) { nodes { title score scoreCycle { title status } } }
    latestAssessment { cycle { title } standing { combined grade categoryRank overallRank } }
  } }"""


def test_the_view_shows_goal_scores_and_the_organisations_standing(database_url: str) -> None:
    settings = Settings(database_url=database_url, jwt_secret=SECRET)
    with TestClient(create_app(settings)) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        story = stage(services.app)
        for goal in ("A1", "A2"):
            services.app.assign_responsibility(
                ORGANIZER, story.goals[goal], party_kind="organization",
                party_id=story.branches["A"], kind="primary", reason="责任分解")
        evaluate_all(services.app, story)
        publish(services.app, story)
        assert services.runner.wait_until(services.app.recorder.max_notification_id(), 10)

        view = gql(client, VIEW, party=to_global_id("Organization", story.branches["A"]))
        assert "errors" not in view, view
        found = view["data"]["accountability"]
        title = "2026年第二季度党建考核"
        assert sorted((g["title"], g["score"], g["scoreCycle"]["title"],
                       g["scoreCycle"]["status"]) for g in found["goals"]["nodes"]) == [
            ("目标A1", 82.5, title, "published"), ("目标A2", 70.5, title, "published")]
        assert found["latestAssessment"] == {
            "cycle": {"title": title},
            "standing": {"combined": 83.49, "grade": "良好", "categoryRank": 2,
                         "overallRank": 2}}
