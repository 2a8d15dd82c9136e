"""One meaning of a goal's progress: its report with the latest effective date. A report filed
later about an earlier day (back-dated) is kept and shown, but does not become the progress —
in the goal, `asOf`, blame, diff, history and valid time alike."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from starlette.testclient import TestClient

from tests.e2e.test_api import gql
from tests.e2e.test_authorization import world  # noqa: F401  (the fixture)

REPORT = """mutation($input: ReportProgressInput!) { reportProgress(input: $input) { status
  userErrors { message } } }"""
GOAL = """query($id: ID!, $asOf: DateTime) { goal(id: $id, asOf: $asOf) {
  progress { reports value effectiveDate } } }"""


def report(client: TestClient, goal: str, value: int, effective: str) -> str:
    """Reports, then returns a moment just after it was recorded."""
    answer = gql(client, REPORT, input={"goalId": goal, "value": str(value),
                                        "effectiveDate": effective, "reason": "季度报告"})
    assert answer["data"]["reportProgress"]["status"] == "APPLIED", answer
    time.sleep(0.01)
    return datetime.now(UTC).isoformat()


def ask(client: TestClient, query: str, **variables: Any) -> Any:
    answer = gql(client, query, **variables)
    assert "errors" not in answer, answer
    [value] = answer["data"].values()
    return value


def test_a_back_dated_report_does_not_become_the_progress_anywhere(
        world: tuple[TestClient, dict[str, str]]) -> None:  # noqa: F811
    client, ids = world
    goal = ids["gA"]
    first = report(client, goal, 60, "2026-11-17")
    second = report(client, goal, 30, "2026-10-08")

    progress = ask(client, GOAL, id=goal)["progress"]
    assert (progress["value"], progress["effectiveDate"], progress["reports"]) == (
        "60", "2026-11-17", 2)
    assert ask(client, GOAL, id=goal, asOf=first)["progress"]["value"] == "60"

    blame = {line["field"]: line for line in ask(
        client, "query($id: ID!) { blame(id: $id) { field value entry { effectiveDate } } }",
        id=goal)}
    assert blame["progress"]["value"]["value"] == "60"
    assert blame["progress"]["entry"]["effectiveDate"] == "2026-11-17"
    assert blame["progress[2026-10-08]"]["value"]["value"] == "30"

    diff = ask(client, "query($id: ID!, $from: DateTime!, $to: DateTime!) { diff(id: $id, "
               "from: $from, to: $to) { changes { field before after } } }",
               id=goal, **{"from": first, "to": second})
    assert [c["field"] for c in diff["changes"]] == ["progress[2026-10-08]"]
    assert diff["changes"][0]["before"] is None
    assert diff["changes"][0]["after"]["value"] == "30"

    history = ask(client, "query($id: ID!) { history(id: $id, first: 2) { nodes { action "
                  "effectiveDate changes { field } } } }", id=goal)["nodes"]
    assert [(n["effectiveDate"], [c["field"] for c in n["changes"]]) for n in history] == [
        ("2026-10-08", ["progress[2026-10-08]"]), ("2026-11-17", ["progress"])]

    def valid_on(day: str) -> Any:
        return ask(client, "query($id: ID!, $at: Date!) { goalValidAt(id: $id, validAt: $at) "
                   "{ progress } }", id=goal, at=day)["progress"]

    assert valid_on("2026-10-31")["value"] == "30"  # the business on that day: only that report
    assert valid_on("2026-11-30")["value"] == "60"
    assert valid_on("2026-10-01") is None
