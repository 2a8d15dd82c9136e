"""The inspector's questions, each answered by one GraphQL query over HTTP, as of several
moments; who may ask them; the chain's head and its verification; the live feed."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from app.graphql.kit.ids import actor_global_id, to_global_id
from app.http import create_app
from app.settings import Settings
from tests.e2e.test_api import ADMIN, SECRET, bearer, events, gql
from tests.integration.assessment_story import REVIEWER
from tests.integration.audit_story import (
    INSPECTOR,
    LOWERED,
    REOPENED,
    REVOKED,
    SYSTEM,
    AuditStory,
    tell_audit_story,
)
from tests.integration.stories import ACTOR
from tests.integration.tampering import (
    drop_append_only_triggers,
    events_table,
    execute_as_owner,
    id_column,
    rewrite_audit_entry,
)


@dataclass
class World:
    client: TestClient
    told: AuditStory
    inspector: dict[str, str]
    secretary: dict[str, str]
    member: dict[str, str]

    def goal(self) -> str:
        return to_global_id("Goal", self.told.goal)

    def at(self, moment: str) -> str:
        return self.told.moments[moment].at.isoformat()

    def ask(self, query: str, **variables: Any) -> Any:
        """One inspector's query; its only root field's answer."""
        result = gql(self.client, query, self.inspector, **variables)
        assert "errors" not in result, result
        [answer] = result["data"].values()
        return answer


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    settings = Settings(database_url=database_url, jwt_secret=SECRET)
    with TestClient(create_app(settings)) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        app = services.app
        told = tell_audit_story(app)
        story = told.story
        inspector = app.register_person("admin", name="纪检员", party_member=True).id
        app.grant_role("admin", inspector, role="inspector", organization_id=story.committee,
                       reason="纪检监察")
        assert told.assessment is not None
        app.grant_role("admin", inspector, role="inspector",
                       organization_id=told.assessment.committee, reason="考核监督")
        member = app.register_person("admin", name="普通党员", party_member=True).id
        last = app.appoint(f"person:{story.secretary}", member, organization_id=story.branch,
                           post="member")
        assert services.runner.wait_until(last.position, 10)
        yield World(client, told, bearer(f"person:{inspector}"),
                    bearer(f"person:{story.secretary}"), bearer(f"person:{member}"))


ENTRY = ("position recordedAt effectiveDate actorId actor { name } action aggregateType "
         "reason target { id ... on Goal { title weight } } organization { name } "
         "changes { field before after }")
LOG = ("query($filter: AuditFilter, $first: Int, $after: String, $asOf: DateTime) { "
       "auditLog(first: $first, after: $after, filter: $filter, asOf: $asOf) { totalCount "
       f"nodes {{ {ENTRY} }} pageInfo {{ hasNextPage endCursor }} }} }}")


def log(world: World, headers: dict[str, str] | None = None, **variables: Any) -> Any:
    result = gql(world.client, LOG, headers or world.inspector,
                 **{"first": 100, **variables})
    assert "errors" not in result, result
    return result["data"]["auditLog"]


def test_who_changed_the_weight_when_from_what_to_what_and_why(world: World) -> None:
    found = log(world, filter={"targetId": world.goal(), "eventType": "Reweighted"})
    [entry] = found["nodes"]
    assert entry["actorId"] == actor_global_id(ACTOR) and entry["reason"] == LOWERED
    assert entry["changes"] == [{"field": "weight", "before": 60, "after": 50}]
    assert entry["target"] == {"id": world.goal(), "title": "三会一课按期召开（含党课）",
                               "weight": 50}
    assert entry["organization"] == {"name": "营销中心党支部"}
    assert entry["action"] == "Reweighted" and entry["aggregateType"] == "Goal"


def test_the_log_pages_newest_first_filters_and_reads_as_of_a_moment(world: World) -> None:
    everything = log(world)
    positions = [n["position"] for n in everything["nodes"]]
    assert positions == sorted(positions, reverse=True)
    assert everything["totalCount"] == events(world.client)
    first = log(world, first=2)
    assert first["pageInfo"]["hasNextPage"]
    second = log(world, first=2, after=first["pageInfo"]["endCursor"])
    assert [n["position"] for n in second["nodes"]] == positions[2:4]
    then = log(world, asOf=world.at("issued"))
    assert then["nodes"][0]["position"] == world.told.moments["issued"].position
    by_system = log(world, filter={"actor": actor_global_id(SYSTEM)})
    assert log(world, filter={"actor": SYSTEM}) == by_system  # the recorded form, too
    assert [n["changes"][0]["field"] for n in by_system["nodes"]] == ["title"]
    retro = log(world, filter={"effectiveFrom": world.told.direct_until.isoformat(),
                               "effectiveTo": world.told.direct_until.isoformat()})
    assert [n["reason"] for n in retro["nodes"]] == [REVOKED]
    recorded = log(world, filter={"recordedFrom": world.at("renamed"),
                                  "recordedTo": world.at("renamed")})
    assert [n["actorId"] for n in recorded["nodes"]] == [actor_global_id(SYSTEM)]
    secretary = to_global_id("Person", world.told.story.secretary)
    by_secretary = log(world, filter={"actor": secretary})["nodes"]
    assert [n["action"] for n in by_secretary] == ["PostTaken", "Submitted", "MeasurePlanned"]
    appointed = by_secretary[0]  # the member the secretary appointed
    assert appointed["actor"] == {"name": "李书记"}
    assert (appointed["action"], appointed["organization"]) == (
        "PostTaken", {"name": "营销中心党支部"})
    branch = to_global_id("Organization", world.told.story.branch)
    in_branch = log(world, filter={"organizationId": branch})
    assert 0 < in_branch["totalCount"] < everything["totalCount"]


def test_history_blame_and_diff_of_a_goal(world: World) -> None:
    history = gql(world.client, "query($id: ID!) { history(id: $id, first: 3) { totalCount "
                  "nodes { action reason changes { field before after } } } }",
                  world.secretary, id=world.goal())["data"]["history"]
    assert history["totalCount"] == 8
    assert [n["action"] for n in history["nodes"]] == [
        "ResponsibilityRevoked", "ResponsibilityAssigned", "Revised"]
    person = gql(world.client, "query($id: ID!) { history(id: $id, first: 5) { nodes { "
                 "action changes { field after } } } }", world.inspector,
                 id=to_global_id("Person", world.told.story.secretary))["data"]["history"]
    assert [n["action"] for n in person["nodes"]] == ["PostTaken", "Registered"]
    assert person["nodes"][0]["changes"] == [
        {"field": f"post[secretary:{world.told.story.branch}]", "after": "held"}]
    blame = gql(world.client, "query($id: ID!, $skip: Boolean!, $asOf: DateTime) { "
                "blame(id: $id, ignoreSystemActors: $skip, asOf: $asOf) { field value "
                "entry { actorId action reason } } }", world.inspector, id=world.goal(),
                skip=False)["data"]["blame"]
    lines = {line["field"]: line for line in blame}
    assert lines["weight"]["value"] == 50 and lines["weight"]["entry"]["reason"] == LOWERED
    assert lines["title"]["entry"]["actorId"] == actor_global_id(SYSTEM)
    ignoring = gql(world.client, "query($id: ID!) { blame(id: $id, ignoreSystemActors: true) "
                   "{ field entry { action } } }", world.inspector, id=world.goal())
    assert {line["field"]: line["entry"]["action"] for line in
            ignoring["data"]["blame"]}["title"] == "Drafted"
    then = gql(world.client, "query($id: ID!, $asOf: DateTime) { blame(id: $id, asOf: $asOf) "
               "{ field value } }", world.inspector, id=world.goal(), asOf=world.at("issued"))
    assert {line["field"]: line["value"] for line in then["data"]["blame"]}["weight"] == 60
    diff = gql(world.client, "query($id: ID!, $from: DateTime!, $to: DateTime!) { "
               "diff(id: $id, from: $from, to: $to) { changes { field before after } "
               "entries { action actorId } } }", world.inspector, id=world.goal(),
               **{"from": world.at("issued"), "to": world.at("renamed")})["data"]["diff"]
    assert diff["changes"] == [
        {"field": "title", "before": "三会一课按期召开", "after": "三会一课按期召开（含党课）"},
        {"field": "weight", "before": 60, "after": 50}]
    assert [e["action"] for e in diff["entries"]] == ["Reweighted", "Revised"]


VALID = ("query($id: ID!, $at: Date!, $asOf: DateTime) { goalValidAt(id: $id, validAt: $at, "
         "asOf: $asOf) { status weight responsibilities { kind partyKind } } }")


def test_valid_time_moves_with_a_retroactive_correction_and_as_of_does_not(
        world: World) -> None:
    told = world.told
    between = (told.direct_from + timedelta(days=5)).isoformat()
    handed_back = (told.direct_until + timedelta(days=2)).isoformat()

    def duties(**variables: Any) -> list[str]:
        result = gql(world.client, VALID, world.inspector, id=world.goal(), **variables)
        return sorted(d["kind"] for d in result["data"]["goalValidAt"]["responsibilities"])

    assert duties(at=between) == ["direct"]
    assert duties(at=handed_back) == []  # as now known: the branch had handed it back
    assert duties(at=handed_back, asOf=world.at("assigned")) == ["direct"]  # as known then
    assert duties(at=(told.direct_from - timedelta(days=1)).isoformat()) == []
    assert duties(at=date.today().isoformat()) == ["primary"]
    shown = ("query($id: ID!, $asOf: DateTime) { goal(id: $id, asOf: $asOf) { "
             "responsible(first: 10) { nodes { kind } } } }")
    for headers in (world.inspector, ADMIN):  # what the system showed then: unchanged
        then = gql(world.client, shown, headers, id=world.goal(), asOf=world.at("assigned"))
        assert sorted(r["kind"] for r in then["data"]["goal"]["responsible"]["nodes"]) == [
            "direct", "primary"]
    today = gql(world.client, VALID, world.inspector, id=world.goal(),
                at=date.today().isoformat())["data"]["goalValidAt"]
    assert (today["status"], today["weight"]) == ("issued", 50)


CORRECTED_WHY = "复核发现C支部台账漏计，组织评价更正"
BOARD = ("query($cycle: ID!, $asOf: DateTime) { scoreboard(cycleId: $cycle, first: 10, "
         "asOf: $asOf) { nodes { organization { name } combined grade overallRank } } }")
SCORE_DIFF = ("query($cycle: ID!, $org: ID!, $from: DateTime!, $to: DateTime) { scoreDiff("
              "cycleId: $cycle, organizationId: $org, from: $from, to: $to) { before { "
              "combined grade overallRank } after { combined grade overallRank } delta "
              "events { actorId action reason ref } } }")
RECORD_DIFF = ("query($id: ID!, $from: DateTime!, $to: DateTime!) { diff(id: $id, from: $from, "
               "to: $to) { changes { field before after } entries { action actorId reason } "
               "} }")
INTACT = ("query($digest: String) { verifyAuditChain(digest: $digest) { ok digestFound "
          "brokenAt } }")


def test_a_score_corrected_after_publication_answers_each_question_in_one_query(
        world: World) -> None:
    told = world.told
    assessment = told.assessment
    assert assessment is not None
    evaluation = to_global_id("Evaluation", told.corrected_evaluation())
    cycle = to_global_id("AssessmentCycle", assessment.cycle)
    c = to_global_id("Organization", assessment.branches["C"])
    # Who changed the score, when, from what to what, and why.
    [entry] = log(world, filter={"targetId": evaluation, "eventType": "Corrected"})["nodes"]
    assert (entry["actorId"], entry["reason"]) == (actor_global_id(REVIEWER), CORRECTED_WHY)
    assert entry["changes"] == [{"field": "points", "before": "84", "after": "100"}]
    assert datetime.fromisoformat(entry["recordedAt"]) == told.moments["corrected"].at
    assert entry["organization"] == {"name": "C党支部"}
    # What the system showed on a given day, as of several moments.
    def board(moment: str | None) -> list[tuple[str, float, str, int]]:
        nodes = world.ask(BOARD, cycle=cycle, asOf=world.at(moment) if moment else None)
        return [(n["organization"]["name"], n["combined"], n["grade"], n["overallRank"])
                for n in nodes["nodes"]]

    published = [("B党支部", 85.9, "合格", 1), ("A党支部", 83.49, "良好", 2),
                 ("C党支部", 78.96, "合格", 3)]
    corrected = [("B党支部", 85.9, "合格", 1), ("C党支部", 84.56, "良好", 2),
                 ("A党支部", 83.49, "良好", 3)]
    assert board("published") == published
    assert board("corrected") == board("reopened") == board(None) == corrected
    assert [line[0] for line in board("revoked")] == []  # the cycle did not exist yet
    # What changed between two dates: the score, and the evaluation's fields.
    moved = world.ask(SCORE_DIFF, cycle=cycle, org=c, **{"from": world.at("published"),
                                                          "to": world.at("corrected")})
    assert (moved["before"], moved["after"], moved["delta"]) == (
        {"combined": 78.96, "grade": "合格", "overallRank": 3},
        {"combined": 84.56, "grade": "良好", "overallRank": 2}, 5.6)
    assert [(e["actorId"], e["action"], e["reason"], e["ref"]) for e in moved["events"]] == [
        (actor_global_id(REVIEWER), "Corrected", CORRECTED_WHY, evaluation)]
    fields = world.ask(RECORD_DIFF, id=evaluation, **{"from": world.at("published"),
                                                      "to": world.at("reopened")})
    assert fields == {"changes": [{"field": "points", "before": "84", "after": "100"}],
                      "entries": [{"action": "Corrected", "actorId": actor_global_id(REVIEWER),
                                   "reason": CORRECTED_WHY}]}
    assert world.ask(RECORD_DIFF, id=evaluation, **{"from": world.at("scored"),
                                                    "to": world.at("published")}) == {
        "changes": [], "entries": []}
    # Is the record intact: the digest kept when the scores were published still verifies,
    # since the correction was appended, not written over.
    kept = world.ask(INTACT, digest=told.moments["published"].digest)
    assert kept == {"ok": True, "digestFound": True, "brokenAt": None}


FINDING = ("query($id: ID!, $asOf: DateTime) { finding(id: $id, asOf: $asOf) { status "
           "submissions lastActor { id } lastReason } }")
VALID_STATE = ("query($id: ID!, $at: Date!, $asOf: DateTime) { validState(id: $id, "
               "validAt: $at, asOf: $asOf) { field value } }")


def test_a_finding_closed_then_reopened_answers_each_question_in_one_query(
        world: World) -> None:
    told = world.told
    finding = to_global_id("Finding", told.finding)
    # Who reopened it, when, from what to what, and why.
    [entry] = log(world, filter={"targetId": finding, "eventType": "Reopened"})["nodes"]
    assert (entry["actorId"], entry["reason"], entry["changes"]) == (
        actor_global_id(INSPECTOR), REOPENED,
        [{"field": "status", "before": "closed", "after": "open"}])
    assert entry["organization"] == {"name": "营销中心党支部"}
    assert entry["effectiveDate"] == (date.today() - timedelta(days=5)).isoformat()
    # What the system showed, as of several moments.
    def shown(moment: str | None) -> Any:
        return world.ask(FINDING, id=finding, asOf=world.at(moment) if moment else None)

    assert shown("corrected") is None  # not raised yet
    assert shown("submitted")["status"] == "submitted"
    inspector = {"id": actor_global_id(INSPECTOR)}
    assert shown("closed") == {"status": "closed", "submissions": 1, "lastActor": inspector,
                               "lastReason": "核查属实，予以销号"}
    assert shown("reopened") == shown(None) == {"status": "open", "submissions": 1,
                                                "lastActor": inspector,
                                                "lastReason": REOPENED}
    # What changed between two dates.
    between = world.ask(RECORD_DIFF, id=finding, **{"from": world.at("submitted"),
                                                    "to": world.at("reopened")})
    assert between["changes"] == [{"field": "status", "before": "submitted", "after": "open"}]
    assert [e["action"] for e in between["entries"]] == ["Verified", "Reopened"]
    blame = world.ask("query($id: ID!) { blame(id: $id) { field entry { action reason } } }",
                      id=finding)
    assert {line["field"]: line["entry"] for line in blame}["status"] == {
        "action": "Reopened", "reason": REOPENED}
    # In the business it was closed between its verification and its reopening.
    def status_on(days_ago: int, moment: str | None = None) -> str:
        state = world.ask(VALID_STATE, id=finding,
                          at=(date.today() - timedelta(days=days_ago)).isoformat(),
                          asOf=world.at(moment) if moment else None)
        return str({f["field"]: f["value"] for f in state}["status"])

    assert [status_on(days) for days in (50, 40, 20, 0)] == [
        "open", "submitted", "closed", "open"]
    assert status_on(0, "closed") == "closed"  # as known before the reopening
    # Is the record intact: the digest kept at its closure still verifies.
    assert world.ask(INTACT, digest=told.moments["closed"].digest) == {
        "ok": True, "digestFound": True, "brokenAt": None}


GOAL_VALID = ("query($id: ID!, $asOf: DateTime, $validAt: Date) { goal(id: $id, asOf: $asOf, "
              "validAt: $validAt) { id validAt title status weight progress { reports value "
              "effectiveDate completion } responsible(first: 10) { nodes { kind partyKind "
              "since } } organization { name } } }")


def test_a_goal_read_valid_at_a_date_moves_with_a_back_dated_correction_and_as_of_does_not(
        world: World) -> None:
    told = world.told
    between = (told.direct_from + timedelta(days=5)).isoformat()
    handed_back = (told.direct_until + timedelta(days=2)).isoformat()

    def goal(moment: str | None = None, valid_at: str | None = None) -> Any:
        return world.ask(GOAL_VALID, id=world.goal(), validAt=valid_at,
                         asOf=world.at(moment) if moment else None)

    def duties(found: Any) -> list[str]:
        return sorted(r["kind"] for r in found["responsible"]["nodes"])

    # The revocation, recorded after "assigned" and back-dated, changed what is now known
    # to have been true on `handed_back`...
    # (the primary responsibility, assigned with no effective date, holds from today)
    assert duties(goal("assigned", handed_back)) == ["direct"]
    assert duties(goal("revoked", handed_back)) == duties(goal(None, handed_back)) == []
    # ...and not what the system showed at "assigned", read before or after it.
    assert duties(goal("assigned")) == ["direct", "primary"]
    assert goal("assigned")["validAt"] is None
    on_the_day = goal(None, between)
    assert duties(on_the_day) == ["direct"]
    assert duties(goal(None, date.today().isoformat())) == ["primary"]
    direct = next(r for r in on_the_day["responsible"]["nodes"] if r["kind"] == "direct")
    assert (direct["partyKind"], direct["since"]) == ("organization",
                                                      told.direct_from.isoformat())
    # The weight was lowered with no effective date: in force from the day it was recorded.
    assert (on_the_day["validAt"], on_the_day["weight"], on_the_day["status"]) == (
        between, 60, "issued")
    assert goal()["weight"] == goal(None, date.today().isoformat())["weight"] == 50
    assert on_the_day["title"] == "三会一课按期召开"  # so was the title's revision
    assert on_the_day["progress"] == {"reports": 1, "value": "3", "effectiveDate": "2026-03-31",
                                      "completion": 0.25}
    assert goal(None, "2026-03-30")["progress"]["reports"] == 0
    assert on_the_day["organization"] == {"name": "营销中心党支部"}
    assert world.ask(GOAL_VALID, id=world.goal(), validAt=between, asOf=world.at("issued"))[
        "weight"] == 60
    annual = to_global_id("Goal", told.story.annual)
    refused = gql(world.client, GOAL_VALID, world.secretary, id=annual, validAt=between)
    assert refused["data"]["goal"] is None


def errors(result: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in result.get("errors", [])]


def test_only_inspectors_and_admins_read_the_audit_trail(world: World) -> None:
    for headers in (world.secretary, world.member):
        for query in ("{ auditLog(first: 5) { totalCount } }",
                      "{ auditChain { head { position } } }",
                      "{ verifyAuditChain { ok } }"):
            assert errors(gql(world.client, query, headers)) == ["FORBIDDEN"]
    assert errors(gql(world.client, "{ auditLog(first: 5) { totalCount } }", None)) == [
        "UNAUTHENTICATED"]
    assert log(world, ADMIN)["totalCount"] == events(world.client)


def test_a_secretary_reads_history_only_within_its_subtree(world: World) -> None:
    annual = to_global_id("Goal", world.told.story.annual)  # the committee's goal
    query = "query($id: ID!) { history(id: $id, first: 5) { totalCount } }"
    assert errors(gql(world.client, query, world.secretary, id=annual)) == ["FORBIDDEN"]
    for field in ("blame(id: $id) { field }", "goalValidAt(id: $id, validAt: \"2026-06-01\") "
                  "{ status }"):
        refused = gql(world.client, f"query($id: ID!) {{ {field} }}", world.secretary,
                      id=annual)
        assert errors(refused) == ["FORBIDDEN"]
    assert gql(world.client, query, world.secretary, id=world.goal())["data"]["history"][
        "totalCount"] == 8
    assert gql(world.client, query, world.inspector, id=annual)["data"]["history"][
        "totalCount"] > 0


CHAIN = "{ auditChain { head { position hash recordedAt } } }"
VERIFY = ("query($digest: String) { verifyAuditChain(digest: $digest) { ok brokenAt problem "
          "digestFound head { position hash } } }")


def test_the_chain_head_verifies_and_tampering_names_the_position(world: World) -> None:
    head = gql(world.client, CHAIN, world.inspector)["data"]["auditChain"]["head"]
    assert head["position"] == events(world.client) and len(head["hash"]) == 64
    assert head["recordedAt"]
    digest = f"{head['position']}:{head['hash']}"
    verified = gql(world.client, VERIFY, world.inspector, digest=digest)["data"]
    assert verified["verifyAuditChain"] == {"ok": True, "brokenAt": None, "problem": "",
                                            "digestFound": True, "head": {
                                                "position": head["position"],
                                                "hash": head["hash"]}}
    forged = f"{head['position']}:{'0' * 64}"
    assert gql(world.client, VERIFY, world.inspector, digest=forged)["data"][
        "verifyAuditChain"]["digestFound"] is False
    app = world.client.app.state.services.app  # type: ignore[attr-defined]
    target = world.told.moments["lowered"].position
    table = events_table(app)
    drop_append_only_triggers(app, table)
    execute_as_owner(app, f"UPDATE {table} SET topic = 'dengta:Goal.Forged' "
                          f"WHERE {id_column(app)} = {target}")
    broken = gql(world.client, VERIFY, world.inspector)["data"]["verifyAuditChain"]
    assert (broken["ok"], broken["brokenAt"]) == (False, target)
    assert broken["head"]["position"] == target - 1


READ_MODEL = ("{ verifyAuditChain { ok brokenAt readModelBrokenAt readModelProblem "
              "readModelCheckedTo } }")


def test_verification_names_an_audit_log_entry_rewritten_in_the_read_model(
        world: World) -> None:
    """A superuser gives an entry another actor and reason: the chain is whole, the read
    model is not, and verifyAuditChain says where."""
    honest = gql(world.client, READ_MODEL, world.inspector)["data"]["verifyAuditChain"]
    assert honest == {"ok": True, "brokenAt": None, "readModelBrokenAt": None,
                      "readModelProblem": "", "readModelCheckedTo": events(world.client)}
    app = world.client.app.state.services.app  # type: ignore[attr-defined]
    target = world.told.moments["lowered"].position
    rewrite_audit_entry(app, target, "actor = 'person:scapegoat', reason = '按上级要求'")
    broken = gql(world.client, READ_MODEL, world.inspector)["data"]["verifyAuditChain"]
    assert broken == {"ok": False, "brokenAt": None, "readModelBrokenAt": target,
                      "readModelProblem": "audit log entry disagrees with its event: "
                                          "actor, reason",
                      "readModelCheckedTo": events(world.client)}


def test_the_live_feed_streams_new_entries_within_the_subscribers_rights(
        world: World) -> None:
    app = world.client.app.state.services.app  # type: ignore[attr-defined]
    subscribe = {"id": "1", "type": "subscribe", "payload": {"query": (
        'subscription { auditEvents(filter: {aggregateType: "Goal"}) '
        "{ action reason actorId changes { field before after } } }")}}
    with world.client.websocket_connect("/graphql",
                                        subprotocols=["graphql-transport-ws"]) as socket:
        socket.send_json({"type": "connection_init",
                          "payload": {"Authorization": world.inspector["Authorization"]}})
        assert socket.receive_json()["type"] == "connection_ack"
        socket.send_json(subscribe)
        time.sleep(0.5)
        app.rename_organization(ACTOR, world.told.story.branch, name="改名不算目标")
        app.reweight_subgoals(ACTOR, world.told.story.annual, reason="再次调整", weights={
            world.told.story.specifics[0]: 40, world.told.story.specifics[1]: 60})
        first = socket.receive_json()
        assert first["type"] == "next", first
        assert first["payload"]["data"]["auditEvents"]["action"] == "Reweighted"
        assert first["payload"]["data"]["auditEvents"]["reason"] == "再次调整"
    with world.client.websocket_connect("/graphql",
                                        subprotocols=["graphql-transport-ws"]) as socket:
        socket.send_json({"type": "connection_init",
                          "payload": {"Authorization": world.member["Authorization"]}})
        assert socket.receive_json()["type"] == "connection_ack"
        socket.send_json(subscribe)
        refused = socket.receive_json()
        assert refused["type"] in ("error", "next")
        assert refused["payload"][0 if refused["type"] == "error" else "errors"][0][
            "extensions"]["code"] == "FORBIDDEN"


def test_an_inspector_of_a_branch_reads_the_trail_of_that_branch_only(world: World) -> None:
    services = world.client.app.state.services  # type: ignore[attr-defined]
    app, story = services.app, world.told.story
    local = app.register_person("admin", name="支部纪检委员", party_member=True).id
    last = app.grant_role("admin", local, role="inspector", organization_id=story.branch,
                          reason="支部纪检")
    assert services.runner.wait_until(last.position, 10)
    scoped = log(world, bearer(f"person:{local}"))
    branch = to_global_id("Organization", story.branch)
    assert scoped["totalCount"] == log(world, filter={"organizationId": branch})["totalCount"]
    targets = {node["target"]["id"] for node in scoped["nodes"] if node["target"]}
    assert world.goal() in targets
    assert to_global_id("Goal", story.annual) not in targets
