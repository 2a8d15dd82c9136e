"""Pioneer posts and a member's record over HTTP: a branch secretary designates a member, the
member follows up their own post, the post ends early with a reason; `pioneerPosts` answers
which posts were held on a day as of a moment, within the reader's subtree; `memberRecord`
shows attendance, posts, commitments, responsibilities, rewards and restraints, and nothing to
a reader outside the member's remit; bad input is a userError that writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import pytest
from starlette.testclient import TestClient

from app.graphql.kit.ids import from_global_id, to_global_id
from app.http import create_app
from app.settings import Settings
from tests.e2e.test_api import SECRET, bearer, events, gql

TODAY = date.today()
JAN = date(TODAY.year, 1, 1)
POST_FIELDS = """status userErrors { field code message } post { id kind kindLabel title
  scope heldFrom heldTo endedOn status statusLabel corrections lastReason
  holder { name } organization { name } designatedBy { name }
  follow: followUps { number followedOn note evidence byHolder author { name } } }"""
DESIGNATE = """mutation($input: DesignatePioneerInput!) { designatePioneer(input: $input) {
  """ + POST_FIELDS + " } }"
FOLLOW_UP = """mutation($input: FollowUpPioneerInput!) { followUpPioneer(input: $input) {
  """ + POST_FIELDS + " } }"
END = """mutation($input: EndPioneerInput!) { endPioneer(input: $input) { """ + POST_FIELDS + \
    " } }"
POSTS = """query($validAt: Date, $asOf: DateTime, $personId: ID) {
  pioneerPosts(first: 10, validAt: $validAt, asOf: $asOf, personId: $personId) {
  totalCount nodes { title holder { name } endedOn } } }"""
HISTORY = """query($id: ID!) { history(id: $id, first: 10) { nodes { actionLabel reason
  changes { field before after } } } }"""
RECORD = """query($personId: ID!, $from: Date, $to: Date, $asOf: DateTime) {
  memberRecord(personId: $personId, from: $from, to: $to, asOf: $asOf) { from to
  person { name }
  attendance { listed present absent excused rate
    absences { heldOn kind kindLabel status statusLabel reason organization { name }
               meeting { topic } } }
  pioneerPosts { title kindLabel heldFrom endedOn }
  commitments { title }
  responsibilities { title kind }
  rewards { kind reason } restraints { kind reason } } }"""


@pytest.fixture
def world(database_url: str) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    settings = Settings(database_url=database_url, jwt_secret=SECRET)
    with TestClient(create_app(settings)) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        app = services.app
        committee = app.register_organization("admin", name="党委", kind="committee",
                                              category="机关").id
        ids: dict[str, Any] = {}
        for name in ("一支部", "二支部"):
            ids[name] = app.register_organization("admin", name=name, kind="branch",
                                                  category="专卖", parent_id=committee).id
        for name, org, post in (("书记", "一支部", "secretary"), ("张三", "一支部", "member"),
                                ("二支部书记", "二支部", "secretary")):
            ids[name] = app.register_person("admin", name=name, party_member=True).id
            app.appoint("admin", ids[name], organization_id=ids[org], post=post,
                        effective_date=date(TODAY.year - 1, 1, 1))
        for month, status in ((1, "present"), (2, "absent")):
            app.record_meeting("admin", organization_id=ids["一支部"], kind="lecture",
                               held_on=date(TODAY.year, month, 15), today=TODAY,
                               topic=f"{month}月党课", presider_id=ids["书记"],
                               attendance=[{"person_id": ids["书记"], "status": "present"},
                                           {"person_id": ids["张三"], "status": status,
                                            "reason": "出差" if status == "absent" else ""}])
        finding = app.raise_finding("admin", title="党课缺席", source="inspection",
                                    severity="minor", organization_id=ids["一支部"],
                                    owner_id=ids["张三"], deadline=date(TODAY.year, 12, 31),
                                    effective_date=JAN)
        app.issue_sanction("admin", kind="admonishing_talk", party_kind="person",
                           party_id=ids["张三"], organization_id=ids["一支部"],
                           basis=[("finding", finding.id)], effective_date=JAN,
                           reason="无故缺席党课")
        assert services.runner.wait_until(app.recorder.max_notification_id(), 10)
        yield client, ids


def gid(kind: str, raw: UUID) -> str:
    return to_global_id(kind, raw)


def as_person(ids: dict[str, Any], name: str) -> dict[str, str]:
    return bearer(f"person:{ids[name]}")


def designate(client: TestClient, ids: dict[str, Any], **changes: Any) -> dict[str, Any]:
    given = {"organizationId": gid("Organization", ids["一支部"]),
             "holderId": gid("Person", ids["张三"]), "kind": "exemplary_post",
             "title": "党员示范岗", "scope": "专卖稽查一线", "heldFrom": JAN.isoformat(),
             "heldTo": date(TODAY.year, 12, 31).isoformat(), **changes}
    return gql(client, DESIGNATE, as_person(ids, "书记"), input=given)["data"][
        "designatePioneer"]


def test_a_post_is_designated_followed_up_by_its_holder_and_ended_early(world) -> None:
    client, ids = world
    made = designate(client, ids)
    assert made["userErrors"] == [] and made["status"] == "APPLIED"
    post = made["post"]
    assert (post["kindLabel"], post["statusLabel"], post["holder"]["name"],
            post["designatedBy"]["name"]) == ("党员示范岗", "已设岗", "张三", "书记")
    followed = gql(client, FOLLOW_UP, as_person(ids, "张三"), input={
        "postId": post["id"], "note": "本月巡查12次", "followedOn": TODAY.isoformat(),
        "evidence": ["巡查台账.xlsx"]})["data"]["followUpPioneer"]
    assert followed["userErrors"] == []
    assert followed["post"]["follow"] == [{"number": 1, "followedOn": TODAY.isoformat(),
                                           "note": "本月巡查12次", "evidence": ["巡查台账.xlsx"],
                                           "byHolder": True, "author": {"name": "张三"}}]
    moment = datetime.now(UTC).isoformat()
    refused = gql(client, END, as_person(ids, "张三"), input={
        "postId": post["id"], "endedOn": TODAY.isoformat(), "reason": "我想结束"})
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    if TODAY == JAN:  # an early end falls after the first day
        return
    ended = gql(client, END, as_person(ids, "书记"), input={
        "postId": post["id"], "endedOn": TODAY.isoformat(), "reason": "调离本支部"})[
        "data"]["endPioneer"]
    assert ended["userErrors"] == []
    assert (ended["post"]["status"], ended["post"]["endedOn"], ended["post"]["lastReason"]) \
        == ("ended", TODAY.isoformat(), "调离本支部")
    held_today = gql(client, POSTS, validAt=TODAY.isoformat())["data"]["pioneerPosts"]
    assert held_today["totalCount"] == 0
    before = gql(client, POSTS, validAt=TODAY.isoformat(), asOf=moment)["data"][
        "pioneerPosts"]
    assert [n["title"] for n in before["nodes"]] == ["党员示范岗"]
    history = gql(client, HISTORY, as_person(ids, "书记"), id=post["id"])["data"]["history"]
    assert [e["actionLabel"] for e in history["nodes"]] == [  # the latest first
        "提前结束示范岗", "跟进示范岗", "设立党员示范岗（责任区）"]
    assert {c["field"]: c["after"] for c in history["nodes"][0]["changes"]} == {
        "status": "ended", "ended_on": TODAY.isoformat()}
    assert history["nodes"][0]["reason"] == "调离本支部"


def test_bad_input_is_a_user_error_that_writes_nothing(world) -> None:
    client, ids = world
    before = events(client)
    for changes, field in (({"heldTo": date(TODAY.year - 1, 6, 1).isoformat()}, "heldTo"),
                           ({"holderId": gid("Person", ids["书记"])}, "holderId"),
                           ({"holderId": gid("Person", ids["二支部书记"])}, None)):
        result = gql(client, DESIGNATE, as_person(ids, "书记"), input={
            "organizationId": gid("Organization", ids["一支部"]),
            "holderId": gid("Person", ids["张三"]), "kind": "exemplary_post", "title": "岗",
            "scope": "一线", "heldFrom": JAN.isoformat(),
            "heldTo": date(TODAY.year, 12, 31).isoformat(), **changes})
        if field is None:  # another branch's secretary is outside the branch's reach
            assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        else:
            found = result["data"]["designatePioneer"]
            assert found["post"] is None and found["userErrors"][0]["field"] == [field], found
    assert events(client) == before


def test_a_member_record_shows_what_they_did_within_the_readers_remit(world) -> None:
    client, ids = world
    designate(client, ids)
    zhang = gid("Person", ids["张三"])
    record = gql(client, RECORD, personId=zhang, **{"from": JAN.isoformat(),
                                                    "to": TODAY.isoformat()})
    found = record["data"]["memberRecord"]
    assert found["person"] == {"name": "张三"}
    attendance = found["attendance"]
    assert (attendance["listed"], attendance["present"], attendance["absent"],
            attendance["rate"]) == (2, 1, 1, 0.5)
    (missed,) = attendance["absences"]
    assert (missed["kindLabel"], missed["statusLabel"], missed["reason"],
            missed["organization"]["name"], missed["meeting"]["topic"]) == (
        "党课", "缺席", "出差", "一支部", "2月党课")
    assert [p["title"] for p in found["pioneerPosts"]] == ["党员示范岗"]
    assert found["restraints"] == [{"kind": "admonishing_talk", "reason": "无故缺席党课"}]
    assert found["rewards"] == []
    for reader in ("书记", "张三"):  # the branch's secretary, and the member themself
        mine = gql(client, RECORD, as_person(ids, reader), personId=zhang)["data"]
        assert mine["memberRecord"]["attendance"]["listed"] == 2, reader
    outside = gql(client, RECORD, as_person(ids, "二支部书记"), personId=zhang)["data"]
    assert outside["memberRecord"] is None
    wrong = gql(client, RECORD, personId=zhang, **{"from": TODAY.isoformat(),
                                                   "to": JAN.isoformat()})
    if TODAY != JAN:
        assert wrong["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    posts = gql(client, POSTS, as_person(ids, "二支部书记"), personId=zhang)["data"]
    assert posts["pioneerPosts"]["totalCount"] == 0
    assert from_global_id(zhang)[0] == "Person"
