"""The one input boundary, over HTTP on each backend: hostile text, numbers, dates and
date-times are refused with every violation at once and write nothing; what passes is
normalised."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.test_api import ADMIN, DRAFT, ISSUE, QUANT, client, draft, events, gql, register

__all__ = ["client"]

REPORT = """mutation($input: ReportProgressInput!) {
  reportProgress(input: $input) {
    goal { progress { reports value } } userErrors { field message code } } }"""


@pytest.fixture
def issued_goal(client) -> str:
    org = register(client, "市局党委", "committee")["data"]["registerOrganization"]
    goal = draft(client, org["organization"]["id"], "全年开展主题党日")
    goal_id = goal["data"]["draftGoal"]["goal"]["id"]
    assert gql(client, ISSUE, id=goal_id)["data"]["issueGoal"]["userErrors"] == []
    return str(goal_id)


def report(client, goal_id: str, **fields: Any) -> dict[str, Any]:
    payload = {"goalId": goal_id, "value": "3", "effectiveDate": "2026-03-01",
               "evidence": ["会议记录.pdf"], "reason": "monthly", **fields}
    return dict(gql(client, REPORT, input=payload)["data"]["reportProgress"])


@pytest.mark.parametrize(("fields", "path", "code"), [
    ({"reason": "monthly\u0000"}, ["reason"], "INVALID_TEXT"),
    ({"reason": "\u0007\u001b[31m张三\u200b"}, ["reason"], "INVALID_TEXT"),
    ({"reason": "x" * 2001}, ["reason"], "TOO_LONG"),
    ({"evidence": ["a.pdf"] * 21}, ["evidence"], "TOO_MANY_ITEMS"),
    ({"evidence": ["会议\n记录.pdf"]}, ["evidence", "0"], "INVALID_TEXT"),
    ({"evidence": ["x" * 501]}, ["evidence", "0"], "TOO_LONG"),
    ({"value": "1E+400"}, ["value"], "OUT_OF_RANGE"),
    ({"value": "NaN"}, ["value"], "INVALID_NUMBER"),
    ({"value": "0.0000001"}, ["value"], "TOO_PRECISE"),
    ({"effectiveDate": "9999-12-31"}, ["effectiveDate"], "OUT_OF_RANGE"),
    ({"effectiveDate": "1337-01-01"}, ["effectiveDate"], "OUT_OF_RANGE"),
    ({"effectiveDate": "2027-12-31"}, ["effectiveDate"], "INVALID_INPUT"),  # the goal's period
])
def test_hostile_input_is_refused_and_writes_nothing(client, issued_goal, fields, path,
                                                     code) -> None:
    before = events(client)
    answer = report(client, issued_goal, **fields)
    assert answer["goal"] is None
    assert [(e["field"], e["code"]) for e in answer["userErrors"]] == [(path, code)]
    assert events(client) == before


def test_every_violation_of_an_input_is_reported_at_once(client, issued_goal) -> None:
    before = events(client)
    answer = report(client, issued_goal, reason="a\u0000" + "b" * 3000, value="Infinity",
                    effectiveDate="0177-01-01", evidence=["ok.pdf", "bad\u0000.pdf"])
    assert sorted((".".join(e["field"]), e["code"]) for e in answer["userErrors"]) == [
        ("effectiveDate", "OUT_OF_RANGE"), ("evidence.1", "INVALID_TEXT"),
        ("reason", "INVALID_TEXT"), ("reason", "TOO_LONG"), ("value", "INVALID_NUMBER")]
    assert all(e["message"] for e in answer["userErrors"])
    assert events(client) == before


def test_what_passes_is_normalised(client, issued_goal) -> None:
    decomposed = "e\u0301"  # é as e + combining accent: NFC composes it
    answer = report(client, issued_goal, value="1.50000000", reason=f"caf{decomposed}\r\n完成",
                    evidence=["  会议记录.pdf  "])
    assert answer["userErrors"] == []
    assert answer["goal"]["progress"]["value"] == "1.5"
    entry = gql(client, """query($id: ID!) { history(id: $id, first: 1) {
        nodes { reason changes { field after } } } }""", id=issued_goal)
    node = entry["data"]["history"]["nodes"][0]
    assert node["reason"] == "caf\u00e9\n完成"
    progress = next(c["after"] for c in node["changes"] if c["field"] == "progress")
    assert progress["evidence"] == ["会议记录.pdf"]


def test_names_are_single_line_and_bounded(client) -> None:
    before = events(client)
    answer = register(client, "市局\n党委" + "局" * 300, "committee")["data"][
        "registerOrganization"]
    assert answer["organization"] is None
    assert sorted(e["code"] for e in answer["userErrors"]) == ["INVALID_TEXT", "TOO_LONG"]
    assert events(client) == before


@pytest.mark.parametrize("moment", ["2026-12-07T22:00:00", "2026-12-07"])
def test_date_times_without_an_offset_are_refused_on_every_backend(client, moment) -> None:
    answer = gql(client, "query($at: DateTime) { goals(first: 1, asOf: $at) { totalCount } }",
                 at=moment)
    assert answer.get("data") is None
    assert "no UTC offset" in answer["errors"][0]["message"] or "DateTime" in answer[
        "errors"][0]["message"]
    literal = gql(client, f'{{ goals(first: 1, asOf: "{moment}") {{ totalCount }} }}')
    assert "errors" in literal and literal.get("data") is None


def test_date_times_with_an_offset_read_the_same_moment(client, issued_goal) -> None:
    shanghai = gql(client, "query($at: DateTime) { goals(first: 5, asOf: $at) { totalCount } }",
                   at="2000-01-01T08:00:00+08:00")
    utc = gql(client, "query($at: DateTime) { goals(first: 5, asOf: $at) { totalCount } }",
              at="2000-01-01T00:00:00Z")
    assert shanghai["data"] == utc["data"] == {"goals": {"totalCount": 0}}
    now = gql(client, "query($at: DateTime) { goals(first: 5, asOf: $at) { totalCount } }",
              at="2100-01-01T00:00:00+08:00")
    assert now["data"]["goals"]["totalCount"] == 1


def test_read_arguments_pass_the_boundary_too(client) -> None:
    answer = gql(client, """query($f: AuditFilter) { auditLog(first: 5, filter: $f) {
        totalCount } }""", f={"eventType": "Reweighted\u0000"})
    assert answer.get("data") is None
    error = answer["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["violations"] == [
        {"field": ["filter", "eventType"], "code": "INVALID_TEXT",
         "message": error["extensions"]["violations"][0]["message"]}]


def test_draft_goal_periods_must_be_plausible(client) -> None:
    org = register(client, "市局党委", "committee")["data"]["registerOrganization"]
    before = events(client)
    answer = gql(client, DRAFT, ADMIN, input={
        "level": "annual", "organizationId": org["organization"]["id"],
        "field": "organizational", "title": "永远", "periodStart": "0001-01-01",
        "periodEnd": "9999-12-31", "indicator": QUANT, "weight": 100})["data"]["draftGoal"]
    assert sorted(".".join(e["field"]) for e in answer["userErrors"]) == [
        "periodEnd", "periodStart"]
    assert events(client) == before
