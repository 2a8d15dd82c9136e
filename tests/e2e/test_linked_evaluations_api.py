"""Over HTTP on each backend: a finding or a sanction citing an evaluation takes the
Evaluation's global id; an unknown one is a NOT_FOUND user error and writes nothing."""

from __future__ import annotations

from starlette.testclient import TestClient

from app.graphql.kit.ids import to_global_id
from app.http import create_app
from app.settings import Settings
from tests.e2e.test_api import SECRET, events, gql
from tests.integration.assessment_story import ORGANIZER, stage

RAISE = """mutation($input: RaiseFindingInput!) {
  raiseFinding(input: $input) { finding { evaluationId } userErrors { field code } } }"""
ISSUE = """mutation($input: IssueSanctionInput!) {
  issueSanction(input: $input) { sanction { basis { kind id } } userErrors { field code } } }"""


def test_findings_and_sanctions_cite_existing_evaluations_only(database_url: str) -> None:
    settings = Settings(database_url=database_url, jwt_secret=SECRET)
    with TestClient(create_app(settings)) as client:
        app = client.app.state.services.app  # type: ignore[attr-defined]
        story = stage(app)
        evaluation = to_global_id("Evaluation", app.evaluate(
            "person:self-A", story.cycle, organization_id=story.branches["A"],
            item_id=story.goals["A1"], kind="self", points=90, comment="自评").id)
        member = app.register_person(ORGANIZER, name="李委员", party_member=True).id
        branch = to_global_id("Organization", story.branches["A"])
        finding = {"title": "自评分偏高", "source": "evaluation", "severity": "minor",
                   "organizationId": branch, "ownerId": to_global_id("Person", member),
                   "deadline": "2026-08-31", "effectiveDate": "2026-07-01"}
        sanction = {"kind": "admonishing_talk", "partyId": to_global_id("Person", member),
                    "organizationId": branch, "reason": "自评不实"}
        unknown = to_global_id("Evaluation", "00000000-0000-4000-8000-000000000000")

        head = events(client)
        refused = gql(client, RAISE, input={**finding, "evaluationId": unknown})
        assert refused["data"]["raiseFinding"] == {
            "finding": None, "userErrors": [{"field": ["evaluationId"], "code": "NOT_FOUND"}]}
        refused = gql(client, ISSUE, input={**sanction, "basis": [
            {"kind": "evaluation", "id": unknown}]})
        assert refused["data"]["issueSanction"] == {
            "sanction": None, "userErrors": [{"field": ["basis"], "code": "NOT_FOUND"}]}
        assert events(client) == head

        raised = gql(client, RAISE, input={**finding, "evaluationId": evaluation})
        assert raised["data"]["raiseFinding"] == {
            "finding": {"evaluationId": evaluation}, "userErrors": []}
        issued = gql(client, ISSUE, input={**sanction, "basis": [
            {"kind": "evaluation", "id": evaluation}]})
        assert issued["data"]["issueSanction"] == {
            "sanction": {"basis": [{"kind": "evaluation", "id": evaluation}]},
            "userErrors": []}
