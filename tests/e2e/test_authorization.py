"""The authorization matrix: every mutation x every role x inside/outside the role's subtree,
expected allow/deny from one table. A denial is FORBIDDEN (anonymous: UNAUTHENTICATED) and
writes nothing; an allowed call is never refused for who asked (it may still break a rule)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any
from uuid import uuid4

import pytest
from starlette.testclient import TestClient

from app.graphql.kit.ids import to_global_id
from app.http import create_app
from app.settings import Settings
from domain.values import Period, quantitative
from tests.e2e.test_api import SECRET, bearer, events

YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
TODAY = date.today()  # posts in the world are taken today: meetings are held today


@pytest.fixture
def world(database_url: str) -> Iterator[tuple[TestClient, dict[str, str]]]:
    settings = Settings(database_url=database_url, jwt_secret=SECRET)
    with TestClient(create_app(settings)) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        app = services.app
        ids: dict[str, Any] = {}

        def org(key: str, kind: str, parent: str | None = None) -> None:
            ids[key] = app.register_organization("admin", name=key, kind=kind, category="营销",
                                                 parent_id=ids[parent] if parent else None).id

        def person(key: str, member: bool, *posts: tuple[str, str]) -> None:
            ids[key] = app.register_person("admin", name=key, party_member=member).id
            for org_key, post in posts:
                app.appoint("admin", ids[key], organization_id=ids[org_key], post=post)

        def goal(key: str, org_key: str, issue: bool) -> None:
            ids[key] = app.draft_goal("admin", level="annual", organization_id=ids[org_key],
                                      field="political", title=key, period=YEAR,
                                      indicator=quantitative("次", 0, 12), weight=100).id
            if issue:
                app.issue_goal("admin", ids[key])

        org("C", "committee")
        for side in "AB":
            org(side, "branch", "C")
            org(f"{side}1", "group", side)
            org(f"{side}2", "group", side)
            person(f"sec{side}", True, (side, "secretary"))
            person(f"new{side}", True)
            person(f"staff{side}", False, (f"{side}1", "staff"))
            person(f"two{side}", True, (f"{side}1", "member"))
            goal(f"g{side}", side, issue=True)
            goal(f"draft{side}", side, issue=False)
            goal(f"close{side}", side, issue=True)
            goal(f"cancel{side}", side, issue=False)
        person("memA", True, ("A", "member"))
        person("adminA", True)
        app.grant_role("admin", ids["adminA"], role="admin", organization_id=ids["A"],
                       reason="分级管理")
        person("inspector", True)
        app.grant_role("admin", ids["inspector"], role="inspector", organization_id=ids["C"],
                       reason="纪检监察")
        person("evaluator", True)
        app.grant_role("admin", ids["evaluator"], role="evaluator", organization_id=ids["A"],
                       reason="群众评价")
        extra = accountability_world(app, ids)
        app.assign_responsibility("admin", ids["gA"], party_kind="person",
                                  party_id=ids["memA"], kind="specific", reason="分工")
        for side in "AB":
            assessment(app, ids, side)
        extra.update(life_world(app, ids))
        extra.update(standards_world(app, ids))
        extra.update(members_world(app, ids))
        extra.update(pioneer_world(app, ids))
        last = app.recorder.max_notification_id()
        assert services.runner.wait_until(last, 10)
        kinds = {"C": "Organization", "A": "Organization", "B": "Organization"}
        gids = {}
        for key, raw in ids.items():
            kind = kinds.get(key) or ("Organization" if key[0] in "AB" and key[1:].isdigit()
                                      else "Goal" if key.startswith(("g", "draft", "close",
                                                                     "cancel"))
                                      else "Person")
            gids[key] = to_global_id(ASSESSMENT_TYPES.get(key[:-1], kind), raw)
        yield client, {**gids, **extra}


def accountability_world(app: Any, ids: dict[str, Any]) -> dict[str, str]:
    """Per side: a letter to draft goals on, a signed letter with two pending amendments, a
    commitment, findings (open, submitted by the administrator, and closed), a project and a
    restraint. Returns their global ids."""
    extra: dict[str, str] = {}
    for side in "AB":
        org, group = ids[side], ids[f"{side}1"]
        group_secretary = app.register_person("admin", name=f"sec{side}1", party_member=True).id
        app.appoint("admin", group_secretary, organization_id=group, post="secretary")
        goal = app.draft_goal("admin", level="annual", organization_id=group,
                              field="political", title=f"lg{side}", period=YEAR,
                              indicator=quantitative("次", 0, 12), weight=100).id
        signed = app.draft_letter("admin", issuer_id=org, recipient_id=group, year=2026,
                                  title="责任书", sign_by=date(2026, 2, 28), goal_ids=[goal]).id
        for letter_side, signer in (("issuer", ids[f"sec{side}"]),
                                    ("recipient", group_secretary)):
            app.sign_letter("admin", signed, side=letter_side, signer_id=signer,
                            effective_date=date(2026, 2, 1))
        for key in ("approve", "reject"):
            amendment = uuid4()
            app.propose_amendment("admin", signed, goal_id=goal, title=f"{key}修订",
                                  reason="调整", amendment_id=amendment)
            extra[f"{key}{side}"] = to_global_id("LetterAmendment", amendment)
        unsigned = app.draft_letter("admin", issuer_id=org, recipient_id=group, year=2026,
                                    title="责任书二", sign_by=date(2026, 2, 28)).id
        commitment = app.make_commitment(
            "admin", party_kind="organization", party_id=org, organization_id=org,
            title="承诺", content="为群众办实事", due_date=date(2026, 12, 31),
            effective_date=date(2026, 1, 1)).id
        findings = []
        for title in ("整改", "待核", "已销号"):
            finding = app.raise_finding("admin", title=title, source="inspection",
                                        severity="minor", organization_id=org,
                                        owner_id=ids[f"two{side}"], deadline=date(2026, 6, 30),
                                        effective_date=date(2026, 4, 1)).id
            app.plan_measure("admin", finding, description="措施", owner_id=ids[f"two{side}"],
                             due_date=date(2026, 6, 1))
            findings.append(finding)
        for submitted in findings[1:]:
            app.submit_rectification("admin", submitted, evidence=["证明.pdf"],
                                     effective_date=date(2026, 5, 1))
        app.verify_rectification("person:verifier", findings[2],
                                 effective_date=date(2026, 5, 10))
        project = app.propose_project("admin", project_type="promotion", organization_id=org,
                                      leader_id=ids[f"sec{side}"], title="项目",
                                      milestones=[("方案", date(2026, 3, 1))]).id
        sanction = app.issue_sanction("admin", kind="written_warning", party_kind="person",
                                      party_id=ids[f"two{side}"], organization_id=org,
                                      basis=[("finding", findings[0])],
                                      effective_date=date(2026, 5, 1), reason="逾期").id
        extra.update({
            f"signed{side}": to_global_id("ResponsibilityLetter", signed),
            f"unsigned{side}": to_global_id("ResponsibilityLetter", unsigned),
            f"lg{side}": to_global_id("Goal", goal),
            f"commitment{side}": to_global_id("Commitment", commitment),
            f"finding{side}": to_global_id("Finding", findings[0]),
            f"submitted{side}": to_global_id("Finding", findings[1]),
            f"closed{side}": to_global_id("Finding", findings[2]),
            f"project{side}": to_global_id("Project", project),
            f"sanction{side}": to_global_id("Sanction", sanction),
        })
    return extra


def life_world(app: Any, ids: dict[str, Any]) -> dict[str, str]:
    """Per side: a rule set kept by the branch, a meeting of the branch presided by its
    secretary, and another to cancel. Returns their global ids."""
    extra: dict[str, str] = {}
    for side in "AB":
        rules = app.define_meeting_rules(
            "admin", organization_id=ids[side], title="三会一课制度",
            effective_from=date(2026, 1, 1),
            rules=[{"organization_kind": "branch", "meeting_kind": "branch_general",
                    "cadence": "quarterly"}]).id
        extra[f"rules{side}"] = to_global_id("MeetingRuleSet", rules)
        for key in ("meeting", "cancelMeeting"):
            meeting = app.record_meeting(
                "admin", organization_id=ids[side], kind="branch_general", held_on=TODAY,
                today=TODAY, topic="学习党章", presider_id=ids[f"sec{side}"],
                attendance=[{"person_id": ids[f"sec{side}"], "status": "present"}]).id
            extra[f"{key}{side}"] = to_global_id("Meeting", meeting)
    return extra


ITEMS = [{"code": "1", "title": "组织生活", "criteria": "三会一课", "points": 100}]


def standards_world(app: Any, ids: dict[str, Any]) -> dict[str, str]:
    """Per side: a standard kept by the branch that it has self-checked against (by its
    secretary, so anyone else above may accept it), and another standard to revise. Returns
    their global ids."""
    extra: dict[str, str] = {}
    for side in "AB":
        standards = {key: app.define_standard("admin", organization_id=ids[side],
                                              title="党支部工作标准",
                                              effective_from=date(2026, 1, 1), items=ITEMS).id
                     for key in ("standard", "reviseStandard")}
        extra.update({f"{key}{side}": to_global_id("BranchStandard", raw)
                      for key, raw in standards.items()})
        app.self_check_branch(f"person:{ids[f'sec{side}']}", organization_id=ids[side],
                              standard_id=standards["standard"], checked_on=TODAY, today=TODAY,
                              scores=[{"code": "1", "score": 90, "evidence": "会议记录"}])
    return extra


def members_world(app: Any, ids: dict[str, Any]) -> dict[str, str]:
    """Per side: this year's member evaluation of the branch (its secretary and a member,
    memA or a new memB), the member proposed and graded 不合格 by the administrator. Returns
    their global ids."""
    extra: dict[str, str] = {}
    ids["memB"] = app.register_person("admin", name="memB", party_member=True).id
    app.appoint("admin", ids["memB"], organization_id=ids["B"], post="member")
    for side in "AB":
        member = ids[f"mem{side}"]
        evaluation = app.open_member_evaluation(
            "admin", organization_id=ids[side], year=TODAY.year, opened_on=TODAY, today=TODAY,
            member_ids=[ids[f"sec{side}"], member]).id
        app.propose_member_grade("admin", evaluation, member_id=member, grade="unqualified",
                                 opinion="多次缺席", proposed_on=TODAY, today=TODAY)
        app.grade_member("admin", evaluation, member_id=member, grade="unqualified",
                         graded_on=TODAY, today=TODAY, reason="党员大会表决")
        extra[f"evaluation{side}"] = to_global_id("MemberEvaluationRound", evaluation)
    return extra


def pioneer_world(app: Any, ids: dict[str, Any]) -> dict[str, str]:
    """Per side: a member appointed in January (`pio`, whom the matrix designates), a post
    they hold since then (to end early and correct), one to cancel, and one held from today
    by the member the matrix's `member` principal is on side A (who follows up their own
    post). Returns their global ids."""
    extra: dict[str, str] = {}
    for side in "AB":
        holder = app.register_person("admin", name=f"pio{side}", party_member=True).id
        app.appoint("admin", holder, organization_id=ids[side], post="member",
                    effective_date=date(2026, 1, 1))
        extra[f"pio{side}"] = to_global_id("Person", holder)
        for key in ("pioneer", "cancelPioneer"):
            post = app.designate_pioneer(
                "admin", organization_id=ids[side], holder_id=holder, kind="exemplary_post",
                title="党员示范岗", scope="服务窗口", held_from=date(2026, 1, 1),
                held_to=date(2026, 12, 31)).id
            extra[f"{key}{side}"] = to_global_id("PioneerPost", post)
        own = app.designate_pioneer(
            "admin", organization_id=ids[side], holder_id=ids["memA" if side == "A" else "twoB"],
            kind="responsibility_zone", title="党员责任区", scope="片区", held_from=TODAY,
            held_to=date(TODAY.year, 12, 31)).id
        extra[f"ownPioneer{side}"] = to_global_id("PioneerPost", own)
    return extra


ASSESSMENT_TYPES = {"ind": "LibraryIndicator", "cyc": "AssessmentCycle", "ev": "Evaluation",
                    "adj": "Adjustment"}


def assessment(app: Any, ids: dict[str, Any], side: str) -> None:
    """An indicator, a cycle organised by the side's branch over its groups, in
    self-evaluation, with one mass ballot and one proposed bonus."""
    ids[f"ind{side}"] = app.define_indicator("admin", item=f"指标{side}", content="",
                                             criteria="", max_points=10).id
    ids[f"cyc{side}"] = app.draft_cycle(
        "admin", title=f"考核{side}", kind="routine", cadence="quarterly", period=YEAR,
        organizer_id=ids[side], organization_ids=[ids[f"{side}1"], ids[f"{side}2"]],
        scheme=SCHEME).id
    app.open_cycle("admin", ids[f"cyc{side}"], indicator_ids=[ids[f"ind{side}"]])
    app.advance_cycle("admin", ids[f"cyc{side}"])
    ids[f"ev{side}"] = app.evaluate("admin", ids[f"cyc{side}"],
                                    organization_id=ids[f"{side}1"],
                                    item_id=ids[f"ind{side}"], kind="mass", points=5).id
    ids[f"adj{side}"] = app.propose_adjustment(
        "admin", ids[f"cyc{side}"], organization_id=ids[f"{side}1"], item="加分", points=1,
        reason="表彰").id


def payload(name: str, fields: str = "userErrors { code }") -> str:
    return f"mutation($input: {name}!) {{ result: {{mutation}}(input: $input) {{ {fields} }} }}"


# mutation, input type, input for a target on side S ("A" inside, "B" outside)
CASES: list[tuple[str, str, Any]] = [
    ("registerOrganization", "RegisterOrganizationInput",
     lambda i, s: {"name": "新小组", "kind": "group", "category": "营销", "parentId": i[s]}),
    ("renameOrganization", "RenameOrganizationInput",
     lambda i, s: {"organizationId": i[f"{s}1"], "name": "改名"}),
    ("recategorizeOrganization", "RecategorizeOrganizationInput",
     lambda i, s: {"organizationId": i[f"{s}1"], "category": "物流", "reason": "调整"}),
    ("moveOrganization", "MoveOrganizationInput",
     lambda i, s: {"organizationId": i[f"{s}1"], "newParentId": i[s], "reason": "调整"}),
    ("registerPerson", "RegisterPersonInput",
     lambda i, s: {"name": "新人", "partyMember": True}),
    ("appointToPost", "PostInput",
     lambda i, s: {"personId": i[f"new{s}"], "organizationId": i[f"{s}2"], "post": "member"}),
    ("changePartyMembership", "ChangePartyMembershipInput",
     lambda i, s: {"personId": i[f"staff{s}"], "partyMember": True}),
    ("draftGoal", "DraftGoalInput",
     lambda i, s: {"level": "annual", "organizationId": i[s], "field": "style", "title": "新",
                   "periodStart": "2026-01-01", "periodEnd": "2026-12-31", "weight": 100,
                   "indicator": {"unit": "次", "baseline": "0", "target": "4"}}),
    ("reviseGoal", "ReviseGoalInput",
     lambda i, s: {"goalId": i[f"draft{s}"], "title": "修订"}),
    ("reweightSubgoals", "ReweightSubgoalsInput",
     lambda i, s: {"parentId": i[f"draft{s}"], "weights": []}),
    ("assignResponsibility", "ResponsibilityInput",
     lambda i, s: {"goalId": i[f"g{s}"], "partyId": i[s], "kind": "collective",
                   "reason": "分工"}),
    ("revokeResponsibility", "ResponsibilityInput",
     lambda i, s: {"goalId": i[f"g{s}"], "partyId": i[s], "kind": "collective",
                   "reason": "调整"}),
    ("reportProgress", "ReportProgressInput",
     lambda i, s: {"goalId": i[f"g{s}"], "value": "3", "effectiveDate": "2026-03-31"}),
    ("issueGoal", "GoalStepInput", lambda i, s: {"goalId": i[f"draft{s}"]}),
    ("closeGoal", "GoalStepInput", lambda i, s: {"goalId": i[f"close{s}"]}),
    ("cancelGoal", "CancelGoalInput", lambda i, s: {"goalId": i[f"cancel{s}"], "reason": "撤销"}),
    ("endPost", "PostInput",
     lambda i, s: {"personId": i[f"two{s}"], "organizationId": i[f"{s}1"], "post": "member"}),
    ("grantRole", "RoleInput",
     lambda i, s: {"personId": i[f"new{s}"], "organizationId": i[s], "role": "evaluator",
                   "reason": "评价"}),
    ("revokeRole", "RoleInput",
     lambda i, s: {"personId": i[f"new{s}"], "organizationId": i[s], "role": "inspector",
                   "reason": "调整"}),
    ("dissolveOrganization", "DissolveOrganizationInput",
     lambda i, s: {"organizationId": i[f"{s}2"], "reason": "撤并"}),
    # ---- assessment
    ("defineIndicator", "DefineIndicatorInput", lambda i, s: {"item": "新指标", "maxPoints": "5"}),
    ("reviseIndicator", "ReviseIndicatorInput",
     lambda i, s: {"indicatorId": i[f"ind{s}"], "item": "改", "reason": "新版"}),
    ("draftCycle", "DraftCycleInput",
     lambda i, s: {"title": "新考核", "kind": "annual", "periodStart": "2026-01-01",
                   "periodEnd": "2026-12-31", "organizerId": i[s],
                   "organizationIds": [i[f"{s}1"]], "scheme": SCHEME_INPUT}),
    ("reviseCycleScheme", "ReviseSchemeInput",
     lambda i, s: {"cycleId": i[f"cyc{s}"], "scheme": SCHEME_INPUT, "reason": "调整"}),
    ("openCycle", "OpenCycleInput", lambda i, s: {"cycleId": i[f"cyc{s}"]}),
    ("advanceCycle", "CycleStepInput", lambda i, s: {"cycleId": i[f"cyc{s}"]}),
    ("publishCycle", "CycleStepInput", lambda i, s: {"cycleId": i[f"cyc{s}"]}),
    ("lockCycle", "CycleStepInput", lambda i, s: {"cycleId": i[f"cyc{s}"]}),
    ("requestCycleReopen", "CycleStepInput",
     lambda i, s: {"cycleId": i[f"cyc{s}"], "reason": "申诉"}),
    ("approveCycleReopen", "CycleStepInput",
     lambda i, s: {"cycleId": i[f"cyc{s}"], "reason": "同意"}),
    ("evaluate", "EvaluateInput",
     lambda i, s: {"cycleId": i[f"cyc{s}"], "organizationId": i[f"{s}1"],
                   "itemId": i[f"ind{s}"], "kind": "mass", "points": "6"}),
    ("correctEvaluation", "CorrectEvaluationInput",
     lambda i, s: {"evaluationId": i[f"ev{s}"], "points": "7", "reason": "更正"}),
    ("importBusinessScores", "ImportBusinessScoresInput",
     lambda i, s: {"cycleId": i[f"cyc{s}"], "scores": [{"organizationId": i[f"{s}1"],
                                                       "score": "88"}]}),
    ("proposeAdjustment", "ProposeAdjustmentInput",
     lambda i, s: {"cycleId": i[f"cyc{s}"], "organizationId": i[f"{s}1"], "item": "减分",
                   "points": "-1", "reason": "通报"}),
    ("approveAdjustment", "ApproveAdjustmentInput",
     lambda i, s: {"cycleId": i[f"cyc{s}"], "adjustmentId": i[f"adj{s}"]}),
    ("applyVeto", "VetoInput",
     lambda i, s: {"cycleId": i[f"cyc{s}"], "organizationId": i[f"{s}1"],
                   "condition": "重大负面事件", "reason": "事故"}),
    ("liftVeto", "VetoInput",
     lambda i, s: {"cycleId": i[f"cyc{s}"], "organizationId": i[f"{s}1"],
                   "condition": "重大负面事件", "reason": "复核"}),
    # ---- responsibility and accountability ----
    ("draftLetter", "DraftLetterInput",
     lambda i, s: {"issuerId": i[s], "recipientId": i[f"{s}1"], "year": 2026, "title": "新",
                   "signBy": "2026-03-01"}),
    ("listLetterGoal", "ListLetterGoalInput",
     lambda i, s: {"letterId": i[f"unsigned{s}"], "goalId": i[f"lg{s}"]}),
    ("signLetter", "SignLetterInput",
     lambda i, s: {"letterId": i[f"unsigned{s}"], "side": "issuer", "signerId": i[f"sec{s}"]}),
    ("proposeAmendment", "ProposeAmendmentInput",
     lambda i, s: {"letterId": i[f"signed{s}"], "goalId": i[f"lg{s}"], "title": "再修订",
                   "reason": "调整"}),
    ("approveAmendment", "DecideAmendmentInput",
     lambda i, s: {"letterId": i[f"signed{s}"], "amendmentId": i[f"approve{s}"]}),
    ("rejectAmendment", "DecideAmendmentInput",
     lambda i, s: {"letterId": i[f"signed{s}"], "amendmentId": i[f"reject{s}"],
                   "reason": "不同意"}),
    ("makeCommitment", "MakeCommitmentInput",
     lambda i, s: {"partyId": i[s], "organizationId": i[s], "title": "承诺", "content": "内容",
                   "dueDate": "2026-12-31", "effectiveDate": "2026-01-01"}),
    ("followUpCommitment", "FollowUpCommitmentInput",
     lambda i, s: {"commitmentId": i[f"commitment{s}"], "note": "进展"}),
    ("concludeCommitment", "ConcludeCommitmentInput",
     lambda i, s: {"commitmentId": i[f"commitment{s}"], "fulfilled": True, "reason": "已兑现"}),
    ("raiseFinding", "RaiseFindingInput",
     lambda i, s: {"title": "问题", "source": "inspection", "severity": "minor",
                   "organizationId": i[s], "ownerId": i[f"staff{s}"], "deadline": "2026-12-31",
                   "effectiveDate": "2026-06-01"}),
    ("planMeasure", "PlanMeasureInput",
     lambda i, s: {"findingId": i[f"finding{s}"], "description": "措施",
                   "ownerId": i[f"staff{s}"], "dueDate": "2026-06-30"}),
    ("submitRectification", "SubmitRectificationInput",
     lambda i, s: {"findingId": i[f"finding{s}"], "evidence": ["证明.pdf"]}),
    ("verifyRectification", "CheckRectificationInput",
     lambda i, s: {"findingId": i[f"submitted{s}"]}),
    ("returnRectification", "CheckRectificationInput",
     lambda i, s: {"findingId": i[f"submitted{s}"], "reason": "不合格"}),
    ("reopenFinding", "ReopenFindingInput",
     lambda i, s: {"findingId": i[f"closed{s}"], "reason": "问题反弹"}),
    ("proposeProject", "ProposeProjectInput",
     lambda i, s: {"type": "foundation", "organizationId": i[s], "leaderId": i[f"sec{s}"],
                   "title": "新项目", "milestones": [{"title": "启动", "dueDate": "2026-09-01"}]}),
    ("stepProject", "StepProjectInput",
     lambda i, s: {"projectId": i[f"project{s}"], "step": "approve"}),
    ("reachMilestone", "ReachMilestoneInput",
     lambda i, s: {"projectId": i[f"project{s}"], "index": 0}),
    ("issueSanction", "IssueSanctionInput",
     lambda i, s: {"kind": "admonishing_talk", "partyId": i[f"staff{s}"],
                   "organizationId": i[s],
                   "basis": [{"kind": "finding", "id": i[f"finding{s}"]}], "reason": "约谈"}),
    ("revokeSanction", "RevokeSanctionInput",
     lambda i, s: {"sanctionId": i[f"sanction{s}"], "reason": "撤销"}),
    # ---- organisational life ----
    ("recordMeeting", "RecordMeetingInput",
     lambda i, s: {"organizationId": i[s], "kind": "branch_general",
                   "heldOn": TODAY.isoformat(), "topic": "学习", "presiderId": i[f"sec{s}"],
                   "attendance": [{"personId": i[f"sec{s}"], "status": "present"}]}),
    ("correctAttendance", "CorrectAttendanceInput",
     lambda i, s: {"meetingId": i[f"meeting{s}"], "presiderId": i[f"sec{s}"],
                   "attendance": [{"personId": i[f"sec{s}"], "status": "present"}],
                   "reason": "更正"}),
    ("correctMinutes", "CorrectMinutesInput",
     lambda i, s: {"meetingId": i[f"meeting{s}"], "topic": "更正", "minutes": "纪要",
                   "reason": "笔误"}),
    ("cancelMeeting", "CancelMeetingInput",
     lambda i, s: {"meetingId": i[f"cancelMeeting{s}"], "reason": "重复录入"}),
    ("defineMeetingRules", "DefineMeetingRulesInput",
     lambda i, s: {"organizationId": i[f"{s}2"], "title": "小组制度",
                   "effectiveFrom": "2026-01-01",
                   "rules": [{"organizationKind": "group", "meetingKind": "group",
                              "cadence": "monthly"}]}),
    ("reviseMeetingRules", "ReviseMeetingRulesInput",
     lambda i, s: {"ruleSetId": i[f"rules{s}"], "effectiveFrom": "2026-07-01",
                   "rules": [{"organizationKind": "branch", "meetingKind": "lecture",
                              "cadence": "quarterly"}], "reason": "新规"}),
    # ---- branch standardisation (judged before the next self-check: the world's self-check
    # is the secretary's, so the administrator may accept it) ----
    ("defineBranchStandard", "DefineBranchStandardInput",
     lambda i, s: {"organizationId": i[s], "title": "标准", "effectiveFrom": "2026-01-01",
                   "items": [{"code": "1", "title": "组织生活", "points": "100"}]}),
    ("reviseBranchStandard", "ReviseBranchStandardInput",
     lambda i, s: {"standardId": i[f"reviseStandard{s}"], "effectiveFrom": "2026-01-01",
                   "items": [{"code": "1", "title": "组织建设", "points": "100"}],
                   "reason": "新规程"}),
    ("acceptBranch", "AcceptBranchInput",
     lambda i, s: {"organizationId": i[s], "level": "exemplary",
                   "effectiveDate": TODAY.isoformat(), "reason": "验收合格"}),
    ("lowerBranchLevel", "LowerBranchLevelInput",
     lambda i, s: {"organizationId": i[s], "level": "qualified",
                   "effectiveDate": TODAY.isoformat(), "reason": "检查发现问题",
                   "findingId": i[f"finding{s}"]}),
    ("revokeBranchLevel", "RevokeBranchLevelInput",
     lambda i, s: {"organizationId": i[s], "effectiveDate": TODAY.isoformat(),
                   "reason": "问题严重", "findingId": i[f"finding{s}"]}),
    ("selfCheckBranch", "SelfCheckBranchInput",
     lambda i, s: {"organizationId": i[s], "standardId": i[f"standard{s}"],
                   "checkedOn": TODAY.isoformat(),
                   "scores": [{"code": "1", "score": "95", "evidence": "台账"}]}),
    # ---- democratic evaluation of party members (last year's round is new; this year's
    # has the member graded 不合格 by the administrator) ----
    ("openMemberEvaluation", "OpenMemberEvaluationInput",
     lambda i, s: {"organizationId": i[s], "year": TODAY.year - 1,
                   "openedOn": TODAY.isoformat(), "memberIds": [i[f"mem{s}"]]}),
    ("submitSelfEvaluation", "SubmitSelfEvaluationInput",
     lambda i, s: {"evaluationId": i[f"evaluation{s}"], "summary": "自我评价",
                   "evaluatedOn": TODAY.isoformat()}),
    ("submitMutualEvaluation", "SubmitMutualEvaluationInput",
     lambda i, s: {"evaluationId": i[f"evaluation{s}"], "memberId": i[f"sec{s}"],
                   "grade": "qualified", "evaluatedOn": TODAY.isoformat()}),
    ("proposeMemberGrade", "ProposeMemberGradeInput",
     lambda i, s: {"evaluationId": i[f"evaluation{s}"], "memberId": i[f"mem{s}"],
                   "grade": "qualified", "opinion": "表现合格",
                   "proposedOn": TODAY.isoformat()}),
    ("gradeMember", "GradeMemberInput",
     lambda i, s: {"evaluationId": i[f"evaluation{s}"], "memberId": i[f"mem{s}"],
                   "grade": "qualified", "gradedOn": TODAY.isoformat(), "reason": "复议"}),
    ("reviewMemberGrade", "ReviewMemberGradeInput",
     lambda i, s: {"evaluationId": i[f"evaluation{s}"], "memberId": i[f"mem{s}"],
                   "outcome": "upheld", "reviewedOn": TODAY.isoformat(), "reason": "属实"}),
    # ---- pioneer posts (the holder follows up their own post) ----
    ("designatePioneer", "DesignatePioneerInput",
     lambda i, s: {"organizationId": i[s], "holderId": i[f"pio{s}"], "kind": "exemplary_post",
                   "title": "示范岗", "scope": "一线", "heldFrom": TODAY.isoformat(),
                   "heldTo": date(TODAY.year, 12, 31).isoformat()}),
    ("followUpPioneer", "FollowUpPioneerInput",
     lambda i, s: {"postId": i[f"ownPioneer{s}"], "note": "本月走访群众",
                   "followedOn": TODAY.isoformat()}),
    ("endPioneer", "EndPioneerInput",
     lambda i, s: {"postId": i[f"pioneer{s}"], "endedOn": TODAY.isoformat(),
                   "reason": "调岗"}),
    ("correctPioneerPeriod", "CorrectPioneerPeriodInput",
     lambda i, s: {"postId": i[f"pioneer{s}"], "heldFrom": "2026-01-05",
                   "heldTo": "2026-12-31", "reason": "录错"}),
    ("correctPioneerDetails", "CorrectPioneerDetailsInput",
     lambda i, s: {"postId": i[f"pioneer{s}"], "title": "先锋岗", "scope": "窗口",
                   "reason": "更名"}),
    ("cancelPioneer", "CancelPioneerInput",
     lambda i, s: {"postId": i[f"cancelPioneer{s}"], "reason": "录错"}),
]
SCHEME: dict[str, Any] = {
    "evaluator_weights": {"organizational": 50, "mass": 20, "self": 20, "social": 10},
    "grade_bands": [{"grade": "优秀", "min": 90}, {"grade": "合格", "min": 60},
                    {"grade": "不合格", "min": 0}],
    "vetoes": [{"condition": "重大负面事件", "cap": "合格"}],
}
SCHEME_INPUT = {
    "evaluatorWeights": [{"kind": k, "weight": w}
                         for k, w in SCHEME["evaluator_weights"].items()],
    "gradeBands": SCHEME["grade_bands"], "vetoes": SCHEME["vetoes"],
}
# Who may, inside (side A) and outside (side B): the one table.
EVERY = {c[0] for c in CASES}
GRANTS = {"grantRole", "revokeRole"}
LIBRARY = {"defineIndicator", "reviseIndicator"}  # admins keep the shared library
ADMINISTER = {"publishCycle", "lockCycle", "approveCycleReopen", "approveAdjustment"}
BALLOTS = {"evaluate", "correctEvaluation"}  # the cases score mass ballots
SIGNER_ONLY = {"signLetter"}  # the signer themself (secretary of A) or the administrator
MEETING_RULES = {"defineMeetingRules", "reviseMeetingRules"}  # admins set them for a subtree
STANDARDS = {"defineBranchStandard", "reviseBranchStandard"}  # admins keep them
JUDGING = {"acceptBranch", "lowerBranchLevel", "revokeBranchLevel",  # from above the branch
           "reviewMemberGrade"}
# a member of the branch, for themselves (an account is nobody's self)
AS_MEMBER = {"submitSelfEvaluation", "submitMutualEvaluation"}
INSPECTION = {"raiseFinding", "verifyRectification", "returnRectification", "reopenFinding",
              "issueSanction", "revokeSanction"}
ALLOWED = {
    "admin": {"inside": EVERY - AS_MEMBER, "outside": EVERY - AS_MEMBER},
    "admin of A": {"inside": EVERY - SIGNER_ONLY - JUDGING - AS_MEMBER,
                   "outside": {"registerPerson"} | LIBRARY},
    "secretary": {"inside": EVERY - GRANTS - LIBRARY - ADMINISTER - BALLOTS - MEETING_RULES
                  - STANDARDS - JUDGING, "outside": {"registerPerson"}},
    "member": {"inside": {"reportProgress", "followUpPioneer"} | AS_MEMBER, "outside": set()},
    "inspector": {"inside": INSPECTION, "outside": INSPECTION},
    # the world's ballots were cast by the administrator: an evaluator corrects only their own
    "evaluator": {"inside": BALLOTS - {"correctEvaluation"}, "outside": set()},
}


def call(client: TestClient, headers: dict[str, str], case: tuple[str, str, Any],
         ids: dict[str, str], side: str) -> dict[str, Any]:
    name, input_type, make = case
    query = payload(input_type).replace("{mutation}", name)
    response = client.post("/graphql", json={"query": query,
                                             "variables": {"input": make(ids, side)}},
                           headers=headers)
    return dict(response.json())


def test_every_mutation_for_every_role_inside_and_outside(world) -> None:
    client, ids = world
    principals = {
        "anonymous": {},
        "member": bearer(f"person:{_raw(ids['memA'])}"),
        "secretary": bearer(f"person:{_raw(ids['secA'])}"),
        "inspector": bearer(f"person:{_raw(ids['inspector'])}"),
        "evaluator": bearer(f"person:{_raw(ids['evaluator'])}"),
        "admin of A": bearer(f"person:{_raw(ids['adminA'])}"),
        "admin": bearer(),
    }
    assert {c[0] for c in CASES} >= {f for f in _mutation_names(client)}, "a mutation is missing"
    # Denials first (they must change nothing), then the allowed calls.
    for role in ("anonymous", "inspector", "evaluator", "member", "secretary", "admin of A",
                 "admin"):
        for side, where in (("B", "outside"), ("A", "inside")):
            for case in CASES:
                before = events(client)
                result = call(client, principals[role], case, ids, side)
                codes = [e["extensions"]["code"] for e in result.get("errors", [])]
                if role == "anonymous":
                    assert codes == ["UNAUTHENTICATED"], (role, where, case[0], result)
                    assert events(client) == before
                elif case[0] in ALLOWED[role][where]:
                    assert codes == [], (role, where, case[0], result)
                    assert result["data"]["result"] is not None
                else:
                    assert codes == ["FORBIDDEN"], (role, where, case[0], result)
                    assert events(client) == before, (role, where, case[0])


def _raw(global_id: str) -> str:
    from app.graphql.kit.ids import from_global_id

    return str(from_global_id(global_id)[1])


def _mutation_names(client: TestClient) -> list[str]:
    result = client.post("/graphql", headers=bearer(), json={
        "query": "{ __schema { mutationType { fields { name } } } }"}).json()
    return [f["name"] for f in result["data"]["__schema"]["mutationType"]["fields"]]


def test_reads_are_filtered_to_what_the_principal_may_see(world) -> None:
    client, ids = world
    secretary = bearer(f"person:{_raw(ids['secA'])}")
    inspector = bearer(f"person:{_raw(ids['inspector'])}")

    def read(headers: dict[str, str], query: str, **variables: Any) -> dict[str, Any]:
        response = client.post("/graphql", json={"query": query, "variables": variables},
                               headers=headers).json()
        assert "errors" not in response, response
        return dict(response["data"])

    goals = "{ goals(first: 100) { totalCount nodes { title } } }"
    own = read(secretary, goals)["goals"]
    assert {g["title"] for g in own["nodes"]} == {"gA", "draftA", "closeA", "cancelA", "lgA"}
    assert read(inspector, goals)["goals"]["totalCount"] == 10
    assert read(bearer(), goals)["goals"]["totalCount"] == 10
    assert read(secretary, "query($id: ID!) { organization(id: $id) { name } }",
                id=ids["B"])["organization"] is None
    assert read(secretary, "query($id: ID!) { goal(id: $id) { title } }",
                id=ids["gB"])["goal"] is None
    assert read(secretary, "query($id: ID!) { node(id: $id) { id } }", id=ids["secB"])[
        "node"] is None
    assert read(secretary, "query($id: ID!) { person(id: $id) { name } }", id=ids["memA"])[
        "person"] == {"name": "memA"}
    tree = read(secretary, "query($id: ID!) { organizationTree(rootId: $id) { name } }",
                id=ids["C"])["organizationTree"]
    assert {o["name"] for o in tree} == {"A", "A1", "A2"}
    scoped = read(secretary, "query($id: ID!) { goals(first: 10, organizationId: $id) "
                             "{ totalCount } }", id=ids["B"])
    assert scoped["goals"]["totalCount"] == 0
    node = "query($id: ID!) { node(id: $id) { id ... on Finding { title } } }"
    for key in ("findingA", "signedA", "commitmentA", "projectA", "sanctionA"):
        mine = read(secretary, node, id=ids[key])["node"]
        assert mine is not None and mine == read(inspector, node, id=ids[key])["node"], key
        assert read(secretary, node, id=ids[key.replace("A", "B")])["node"] is None, key
    assert read(secretary, node, id=ids["findingA"])["node"]["title"] == "整改"
