"""Organisational life over HTTP: a branch secretary records and corrects meetings, bad input
is a userError that writes nothing, the compliance view answers as of a moment and valid on a
day, and the audit log shows every change field by field."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from starlette.testclient import TestClient

from app.graphql.kit.ids import from_global_id, to_global_id
from app.http import create_app
from app.settings import Settings
from tests.e2e.test_api import SECRET, bearer, events, gql

TODAY = date.today()
RECORD = """mutation($input: RecordMeetingInput!) { recordMeeting(input: $input) {
  status userErrors { field code message }
  meeting { id kind kindLabel heldOn topic status presider { name }
            attendance { status reason person { name } } } } }"""
CORRECT = """mutation($input: CorrectAttendanceInput!) { correctAttendance(input: $input) {
  status userErrors { field code } meeting { corrections lastReason
  attendance { status person { name } } } } }"""
CANCEL = """mutation($input: CancelMeetingInput!) { cancelMeeting(input: $input) {
  status userErrors { field code } meeting { status } } }"""
DEFINE = """mutation($input: DefineMeetingRulesInput!) { defineMeetingRules(input: $input) {
  status userErrors { field code } ruleSet { id title versions { revision rules {
  meetingKind meetingKindLabel cadence times } } } } }"""
COMPLIANCE = """query($org: ID!, $asOf: DateTime, $validAt: Date) {
  meetingCompliance(organizationId: $org, asOf: $asOf, validAt: $validAt) {
  required fulfilled rate ruleSetTitle rulesInForce { revision }
  kinds { kind kindLabel held required missingPeriods periods { label held meetings { topic } } }
  members { person { name } listed present rate } } }"""


@pytest.fixture
def branch(database_url: str) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    settings = Settings(database_url=database_url, jwt_secret=SECRET)
    with TestClient(create_app(settings)) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        app = services.app
        committee = app.register_organization("admin", name="党委", kind="committee",
                                              category="机关").id
        org = app.register_organization("admin", name="一支部", kind="branch",
                                        category="营销", parent_id=committee).id
        ids: dict[str, Any] = {"committee": to_global_id("Organization", committee),
                               "branch": to_global_id("Organization", org)}
        other = app.register_organization("admin", name="二支部", kind="branch",
                                          category="物流", parent_id=committee).id
        for name, post, where in (("书记", "secretary", org), ("党员", "member", org),
                                  ("党委书记", "secretary", committee),
                                  ("二支部书记", "secretary", other)):
            person = app.register_person("admin", name=name, party_member=True).id
            app.appoint("admin", person, organization_id=where, post=post,
                        effective_date=date(TODAY.year - 1, 1, 1))
            ids[name] = to_global_id("Person", person)
            ids[f"token {name}"] = bearer(f"person:{person}")
        assert services.runner.wait_until(app.recorder.max_notification_id(), 10)
        yield client, ids


def meeting_input(ids: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {"organizationId": ids["branch"], "kind": "branch_general",
            "heldOn": date(TODAY.year, 1, 15).isoformat(), "topic": "学习党章",
            "presiderId": ids["书记"],
            "attendance": [{"personId": ids["书记"], "status": "present"},
                           {"personId": ids["党员"], "status": "absent", "reason": "出差"}],
            **changes}


def test_a_secretary_records_corrects_and_cancels_and_the_audit_log_shows_it(branch) -> None:
    client, ids = branch
    secretary = ids["token 书记"]
    rules = gql(client, DEFINE, input={
        "organizationId": ids["committee"], "title": "三会一课制度",
        "effectiveFrom": date(TODAY.year, 1, 1).isoformat(),
        "rules": [{"organizationKind": "branch", "meetingKind": "branch_general",
                   "cadence": "quarterly"}]})["data"]["defineMeetingRules"]
    assert rules["status"] == "APPLIED"
    assert rules["ruleSet"]["versions"][0]["rules"] == [
        {"meetingKind": "branch_general", "meetingKindLabel": "支部党员大会",
         "cadence": "quarterly", "times": 1}]
    refused = gql(client, DEFINE, secretary, input={
        "organizationId": ids["branch"], "title": "x", "effectiveFrom": "2026-01-01",
        "rules": [{"organizationKind": "branch", "meetingKind": "lecture",
                   "cadence": "yearly"}]})
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"  # admins set rules

    recorded = gql(client, RECORD, secretary, input=meeting_input(ids))["data"][
        "recordMeeting"]
    assert recorded["status"] == "APPLIED" and recorded["userErrors"] == []
    meeting = recorded["meeting"]
    assert (meeting["kind"], meeting["kindLabel"], meeting["presider"]) == (
        "branch_general", "支部党员大会", {"name": "书记"})
    assert {a["person"]["name"]: (a["status"], a["reason"])
            for a in meeting["attendance"]} == {"书记": ("present", ""),
                                                "党员": ("absent", "出差")}
    after_record = gql(client, "{ auditLog(first: 1) { nodes { recordedAt } } }")["data"][
        "auditLog"]["nodes"][0]["recordedAt"]

    corrected = gql(client, CORRECT, secretary, input={
        "meetingId": meeting["id"], "presiderId": ids["书记"], "reason": "补录: 实际出席",
        "attendance": [{"personId": ids["书记"], "status": "present"},
                       {"personId": ids["党员"], "status": "present"}]})["data"][
        "correctAttendance"]
    assert corrected["meeting"]["corrections"] == 1
    assert corrected["meeting"]["lastReason"] == "补录: 实际出席"

    seen = gql(client, COMPLIANCE, secretary, org=ids["branch"],
               validAt=date(TODAY.year, 12, 31).isoformat())["data"]["meetingCompliance"]
    assert seen["ruleSetTitle"] == "三会一课制度" and seen["rulesInForce"] == {"revision": 1}
    (general,) = seen["kinds"]
    assert general["kindLabel"] == "支部党员大会" and general["held"] == 1
    assert general["missingPeriods"] == [f"{TODAY.year}-Q{q}" for q in (2, 3, 4)]
    assert general["periods"][0]["meetings"] == [{"topic": "学习党章"}]
    assert {m["person"]["name"]: m["rate"] for m in seen["members"]} == {"书记": 1.0,
                                                                         "党员": 1.0}
    earlier = gql(client, COMPLIANCE, secretary, org=ids["branch"], asOf=after_record,
                  validAt=date(TODAY.year, 12, 31).isoformat())["data"]["meetingCompliance"]
    assert {m["person"]["name"]: m["rate"] for m in earlier["members"]}["党员"] == 0.0

    cancelled = gql(client, CANCEL, secretary, input={"meetingId": meeting["id"],
                                                      "reason": "重复录入"})
    assert cancelled["data"]["cancelMeeting"]["meeting"]["status"] == "cancelled"
    history = gql(client, """query($id: ID!) { history(id: $id, first: 10) { nodes {
        action reason changes { field before after } } } }""", id=meeting["id"])
    entries = {e["action"]: e for e in history["data"]["history"]["nodes"]}
    assert set(entries) == {"Recorded", "AttendanceCorrected", "Cancelled"}
    change = {c["field"]: c for c in entries["AttendanceCorrected"]["changes"]}
    people = {name: str(from_global_id(ids[name])[1]) for name in ("书记", "党员")}
    assert change["attendance"]["before"] == {people["书记"]: "present",
                                              people["党员"]: "absent: 出差"}
    assert change["attendance"]["after"] == {people["书记"]: "present",
                                             people["党员"]: "present"}
    assert entries["AttendanceCorrected"]["reason"] == "补录: 实际出席"
    assert {c["field"]: c["after"] for c in entries["Cancelled"]["changes"]} == {
        "status": "cancelled"}
    again = gql(client, COMPLIANCE, secretary, org=ids["branch"])["data"]["meetingCompliance"]
    assert again["kinds"][0]["held"] == 0  # a cancelled record no longer counts


@pytest.mark.parametrize(("changes", "field", "code"), [
    ({"heldOn": date(TODAY.year + 1, 1, 1).isoformat()}, ["heldOn"], "INVALID_INPUT"),
    ({"attendance": [{"personId": "书记", "status": "present"},
                     {"personId": "党员", "status": "absent"}]}, ["attendance", "reason"],
     "REASON_REQUIRED"),
    ({"attendance": [{"personId": "党员", "status": "present"}]}, ["presiderId"],
     "INVALID_INPUT"),
    ({"heldOn": date(TODAY.year - 2, 6, 1).isoformat()}, ["attendance", "personId"],
     "POST_REQUIRED"),
    ({"kind": "group"}, ["kind"], "INVALID_INPUT"),
])
def test_bad_input_is_a_user_error_that_writes_nothing(branch, changes, field, code) -> None:
    client, ids = branch
    if "attendance" in changes:
        changes = {"attendance": [{**a, "personId": ids[a["personId"]]}
                                  for a in changes["attendance"]]}
    before = events(client)
    answer = gql(client, RECORD, ids["token 书记"], input=meeting_input(ids, **changes))
    payload = answer["data"]["recordMeeting"]
    assert payload["status"] == "REJECTED" and payload["meeting"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, code)]
    assert events(client) == before


def test_a_member_may_not_record_and_reads_only_its_branch(branch) -> None:
    client, ids = branch
    member = ids["token 党员"]
    answer = gql(client, RECORD, member, input=meeting_input(ids))
    assert answer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert gql(client, COMPLIANCE, member, org=ids["committee"])["data"][
        "meetingCompliance"] is None
    assert gql(client, COMPLIANCE, member, org=ids["branch"])["data"][
        "meetingCompliance"]["required"] == 0
    unknown = gql(client, "{ meetingCompliance(organizationId: \"x\") { rate } }")
    assert unknown["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_a_presider_from_above_gives_a_lecture_and_one_from_another_branch_is_refused(
        branch) -> None:
    """The committee's secretary presides a branch's 党课 (not listed: the attendance and its
    rates are the branch's members'); another branch's secretary may not preside."""
    client, ids = branch
    members = [{"personId": ids["书记"], "status": "present"},
               {"personId": ids["党员"], "status": "present"}]
    lecture = meeting_input(ids, kind="lecture", topic="党课：弘扬伟大建党精神",
                            presiderId=ids["党委书记"], attendance=members)
    given = gql(client, RECORD, ids["token 书记"], input=lecture)["data"]["recordMeeting"]
    assert given["userErrors"] == [] and given["status"] == "APPLIED"
    # the branch's secretary reads people of the branch only: the presider is the admin's
    assert given["meeting"]["presider"] is None
    shown = gql(client, "query($id: ID!) { node(id: $id) { ... on Meeting { presider { name } } "
                "} }", id=given["meeting"]["id"])["data"]["node"]
    assert shown["presider"] == {"name": "党委书记"}
    assert {a["person"]["name"] for a in given["meeting"]["attendance"]} == {"书记", "党员"}
    seen = gql(client, COMPLIANCE, ids["token 书记"], org=ids["branch"],
               validAt=date(TODAY.year, 12, 31).isoformat())["data"]["meetingCompliance"]
    assert {m["person"]["name"] for m in seen["members"]} == {"书记", "党员"}

    before = events(client)
    listed = gql(client, RECORD, input={**lecture, "attendance": [
        *members, {"personId": ids["党委书记"], "status": "present"}]})["data"]["recordMeeting"]
    assert [(e["field"], e["code"]) for e in listed["userErrors"]] == [
        (["attendance", "personId"], "INVALID_INPUT")]
    unrelated = gql(client, RECORD, input={**lecture, "presiderId": ids["二支部书记"]})[
        "data"]["recordMeeting"]
    [error] = unrelated["userErrors"]
    assert (error["field"], error["code"]) == (["presiderId"], "POST_REQUIRED")
    assert "no party post in this organisation or any above it" in error["message"]
    refused = gql(client, RECORD, ids["token 书记"],
                  input={**lecture, "presiderId": ids["二支部书记"]})
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"  # out of their reach
    assert events(client) == before
