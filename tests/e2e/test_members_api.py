"""The democratic evaluation of party members over HTTP: the branch's secretary opens a round,
members evaluate themselves and each other (never themselves, never for someone else), the
committee proposes, the branch grades (不合格 with reasons), the organisation above reviews;
grades answer valid on a day and as of a moment, within the reader's subtree; a refused
write is a userError or FORBIDDEN and writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from starlette.testclient import TestClient

from app.graphql.kit.ids import from_global_id, to_global_id
from app.http import create_app
from app.settings import Settings
from tests.e2e.test_api import SECRET, bearer, events, gql

TODAY = date.today()
FIELDS = """status recorded { recordedAt } userErrors { field code message }
  evaluation { id year openedOn organization { name } members { member { name }
  selfEvaluation { summary } mutual { grade gradeLabel count } mutualCount
  proposal { grade opinion } organisationGrade { grade gradeLabel reason }
  review { outcome outcomeLabel reason reviewedByOrganization { name } }
  grade gradeLabel standing standingLabel } }"""
MUTATIONS = {name: f"""mutation($input: {kind}!) {{ result: {name}(input: $input) {{
  {FIELDS} }} }}""" for name, kind in (
    ("openMemberEvaluation", "OpenMemberEvaluationInput"),
    ("submitSelfEvaluation", "SubmitSelfEvaluationInput"),
    ("submitMutualEvaluation", "SubmitMutualEvaluationInput"),
    ("proposeMemberGrade", "ProposeMemberGradeInput"),
    ("gradeMember", "GradeMemberInput"),
    ("reviewMemberGrade", "ReviewMemberGradeInput"))}
GRADES = """query($asOf: DateTime, $validAt: Date, $grade: MemberGrade) {
  memberGrades(first: 10, asOf: $asOf, validAt: $validAt, grade: $grade) { totalCount
  nodes { member { name } organization { name } grade gradeLabel standing since reason } } }"""
ROUNDS = """{ memberEvaluations(first: 10) { totalCount nodes { id year } } }"""
ONE = """query($id: ID!) { memberEvaluation(id: $id) { year } }"""
PEOPLE = (("支部书记", "secretary", "一支部"), ("委员", "committee_member", "一支部"),
          ("张三", "member", "一支部"), ("李四", "member", "一支部"),
          ("党委书记", "secretary", "committee"), ("二支部书记", "secretary", "二支部"))


@pytest.fixture
def world(database_url: str) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    settings = Settings(database_url=database_url, jwt_secret=SECRET)
    with TestClient(create_app(settings)) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        app = services.app
        committee = app.register_organization("admin", name="党委", kind="committee",
                                              category="机关").id
        ids: dict[str, Any] = {"committee": to_global_id("Organization", committee)}
        for name in ("一支部", "二支部"):
            ids[name] = to_global_id("Organization", app.register_organization(
                "admin", name=name, kind="branch", category="营销", parent_id=committee).id)
        for name, post, org in PEOPLE:
            person = app.register_person("admin", name=name, party_member=True).id
            app.appoint("admin", person, organization_id=_raw(ids[org]), post=post,
                        effective_date=date(TODAY.year - 1, 1, 1))
            ids[name] = to_global_id("Person", person)
            ids[f"as {name}"] = bearer(f"person:{person}")
        assert services.runner.wait_until(app.recorder.max_notification_id(), 10)
        yield client, ids


def _raw(global_id: str) -> UUID:
    return UUID(str(from_global_id(global_id)[1]))


def run(client: TestClient, ids: dict[str, Any], who: str | None, name: str,
        **given: Any) -> dict[str, Any]:
    headers = ids[f"as {who}"] if who else bearer()
    return gql(client, MUTATIONS[name], headers, input=given)


def ok(answer: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in answer, answer
    result = answer["data"]["result"]
    assert result["userErrors"] == [] and result["status"] == "APPLIED", result
    return dict(result["evaluation"])


def refused(client: TestClient, answer: dict[str, Any], before: int, code: str) -> None:
    if code == "FORBIDDEN":
        assert [e["extensions"]["code"] for e in answer["errors"]] == ["FORBIDDEN"], answer
    else:
        assert [e["code"] for e in answer["data"]["result"]["userErrors"]] == [code], answer
    assert events(client) == before


def member(evaluation: dict[str, Any], name: str) -> dict[str, Any]:
    return next(m for m in evaluation["members"] if m["member"]["name"] == name)


def test_a_round_from_self_evaluation_to_the_review_above(world) -> None:
    client, ids = world
    day = TODAY.isoformat()
    opened = ok(run(client, ids, "支部书记", "openMemberEvaluation",
                    organizationId=ids["一支部"], year=TODAY.year, openedOn=day,
                    memberIds=[ids[n] for n in ("支部书记", "委员", "张三", "李四")]))
    assert opened["organization"]["name"] == "一支部" and len(opened["members"]) == 4
    round_id = opened["id"]
    before = events(client)
    refused(client, run(client, ids, None, "submitSelfEvaluation", evaluationId=round_id,
                        summary="代写", evaluatedOn=day), before, "FORBIDDEN")
    refused(client, run(client, ids, "二支部书记", "submitSelfEvaluation",
                        evaluationId=round_id, summary="越界", evaluatedOn=day),
            before, "FORBIDDEN")
    ok(run(client, ids, "张三", "submitSelfEvaluation", evaluationId=round_id,
           summary="按时参加组织生活", evaluatedOn=day))
    refused(client, run(client, ids, "张三", "submitMutualEvaluation", evaluationId=round_id,
                        memberId=ids["张三"], grade="excellent", evaluatedOn=day),
            events(client), "SEGREGATION_OF_DUTIES")
    refused(client, run(client, ids, "张三", "submitMutualEvaluation", evaluationId=round_id,
                        memberId=ids["二支部书记"], grade="excellent", evaluatedOn=day),
            events(client), "FORBIDDEN")
    for who, grade in (("李四", "unqualified"), ("委员", "unqualified"), ("支部书记", "qualified")):
        after = ok(run(client, ids, who, "submitMutualEvaluation", evaluationId=round_id,
                       memberId=ids["张三"], grade=grade, evaluatedOn=day))
    zhang = member(after, "张三")
    assert zhang["mutualCount"] == 3 and {"grade": "unqualified", "gradeLabel": "不合格",
                                          "count": 2} in zhang["mutual"]
    assert zhang["selfEvaluation"] == {"summary": "按时参加组织生活"}
    refused(client, run(client, ids, "李四", "proposeMemberGrade", evaluationId=round_id,
                        memberId=ids["张三"], grade="unqualified", opinion="缺席",
                        proposedOn=day), events(client), "FORBIDDEN")
    ok(run(client, ids, "委员", "proposeMemberGrade", evaluationId=round_id,
           memberId=ids["张三"], grade="unqualified", opinion="全年缺席组织生活六次",
           proposedOn=day))
    refused(client, run(client, ids, "支部书记", "gradeMember", evaluationId=round_id,
                        memberId=ids["张三"], grade="unqualified", gradedOn=day),
            events(client), "REASON_REQUIRED")
    answer = run(client, ids, "支部书记", "gradeMember", evaluationId=round_id,
                 memberId=ids["张三"], grade="unqualified", gradedOn=day,
                 reason="党员大会表决：不合格")
    assert member(ok(answer), "张三")["standingLabel"] == "待上级审核"
    graded_at, as_of = events(client), answer["data"]["result"]["recorded"]["recordedAt"]
    review = {"evaluationId": round_id, "memberId": ids["张三"], "outcome": "changed",
              "grade": "basically_qualified", "reviewedOn": day,
              "reason": "已作检讨并改正，定为基本合格"}
    refused(client, run(client, ids, "支部书记", "reviewMemberGrade", **review),
            graded_at, "FORBIDDEN")
    reviewed = ok(run(client, ids, "党委书记", "reviewMemberGrade", **review))
    zhang = member(reviewed, "张三")
    assert (zhang["grade"], zhang["gradeLabel"], zhang["standing"]) == (
        "basically_qualified", "基本合格", "final")
    assert zhang["organisationGrade"]["gradeLabel"] == "不合格"
    assert zhang["review"]["outcomeLabel"] == "改变"
    assert zhang["review"]["reviewedByOrganization"] == {"name": "党委"}

    held = gql(client, GRADES)["data"]["memberGrades"]
    assert held["nodes"] == [{"member": {"name": "张三"}, "organization": {"name": "一支部"},
                              "grade": "basically_qualified", "gradeLabel": "基本合格",
                              "standing": "final", "since": day,
                              "reason": "已作检讨并改正，定为基本合格"}]
    before_review = gql(client, GRADES, asOf=as_of)["data"]["memberGrades"]["nodes"]
    assert [(n["grade"], n["standing"]) for n in before_review] == [
        ("unqualified", "awaiting_review")]
    yesterday = date.fromordinal(TODAY.toordinal() - 1).isoformat()
    assert gql(client, GRADES, validAt=yesterday)["data"]["memberGrades"]["totalCount"] == 0
    assert gql(client, GRADES, grade="excellent")["data"]["memberGrades"]["totalCount"] == 0


def test_rounds_read_within_the_subtree_and_open_once(world) -> None:
    client, ids = world
    day = TODAY.isoformat()
    opened = ok(run(client, ids, "支部书记", "openMemberEvaluation",
                    organizationId=ids["一支部"], year=TODAY.year, openedOn=day,
                    memberIds=[ids["张三"], ids["李四"]]))
    before = events(client)
    refused(client, run(client, ids, "支部书记", "openMemberEvaluation",
                        organizationId=ids["一支部"], year=TODAY.year, openedOn=day,
                        memberIds=[ids["张三"]]), before, "ALREADY_EXISTS")
    refused(client, run(client, ids, None, "openMemberEvaluation",
                        organizationId=ids["二支部"], year=TODAY.year, openedOn=day,
                        memberIds=[ids["张三"]]), before, "FORBIDDEN")  # not a member there
    refused(client, run(client, ids, "张三", "openMemberEvaluation",
                        organizationId=ids["一支部"], year=TODAY.year - 1, openedOn=day,
                        memberIds=[ids["李四"]]), before, "FORBIDDEN")
    mine = gql(client, ROUNDS, ids["as 张三"])["data"]["memberEvaluations"]
    assert mine == {"totalCount": 1, "nodes": [{"id": opened["id"], "year": TODAY.year}]}
    other = gql(client, ROUNDS, ids["as 二支部书记"])["data"]["memberEvaluations"]
    assert other["totalCount"] == 0
    assert gql(client, ONE, ids["as 二支部书记"], id=opened["id"])["data"][
        "memberEvaluation"] is None
    assert gql(client, ONE, ids["as 党委书记"], id=opened["id"])["data"][
        "memberEvaluation"] == {"year": TODAY.year}
