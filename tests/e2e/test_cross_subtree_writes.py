"""The cross-subtree writes an attacker test found, by name: each is FORBIDDEN and writes
nothing, while the same write within the principal's reach goes through."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from app.graphql.kit.ids import to_global_id
from tests.e2e import test_write_scope
from tests.e2e.test_api import bearer
from tests.e2e.test_authorization import SCHEME, YEAR, _raw
from tests.e2e.test_write_scope import World, mutate, principals, refused

world, scoped = test_write_scope.world, test_write_scope.scoped  # the fixtures


def allowed(client: Any, headers: dict[str, str], name: str, input_type: str,
            given: dict[str, Any]) -> dict[str, Any]:
    result = mutate(client, headers, name, input_type, given)
    assert "errors" not in result, (name, result)
    assert result["data"]["result"]["userErrors"] == [], (name, result)
    return result


def settle(client: Any) -> Any:
    services = client.app.state.services
    assert services.runner.wait_until(services.app.recorder.max_notification_id(), 10)
    return services.app


def test_a_secretary_runs_no_cycle_that_assesses_another_branch(scoped: World) -> None:
    client, ids = scoped
    secretary = principals(ids)["secretary"]
    cycle = {"title": "跨支部考核", "kind": "annual", "periodStart": "2026-01-01",
             "periodEnd": "2026-12-31", "organizerId": ids["A"],
             "scheme": {"evaluatorWeights": [{"kind": "mass", "weight": 100}],
                        "gradeBands": [{"grade": "合格", "min": "0"}],
                        "vetoes": [{"condition": "重大负面事件", "cap": "合格"}]}}
    refused(client, secretary, "draftCycle", "DraftCycleInput",
            {**cycle, "organizationIds": [ids["A1"], ids["B1"]]})
    allowed(client, secretary, "draftCycle", "DraftCycleInput",
            {**cycle, "organizationIds": [ids["A1"]]})
    app = settle(client)  # the administrator drafts one organised by A over A1 and B1
    mixed = app.draft_cycle("admin", title="混合", kind="routine", cadence="quarterly",
                            period=YEAR, organizer_id=UUID(_raw(ids["A"])),
                            organization_ids=[UUID(_raw(ids["A1"])), UUID(_raw(ids["B1"]))],
                            scheme=SCHEME).id
    settle(client)
    mixed_id = to_global_id("AssessmentCycle", mixed)
    refused(client, secretary, "openCycle", "OpenCycleInput", {"cycleId": mixed_id})
    app.open_cycle("admin", mixed)
    settle(client)
    for org in ("B1", "A1"):  # the cycle assesses B: its organiser's secretary runs none of it
        refused(client, secretary, "applyVeto", "VetoInput",
                {"cycleId": mixed_id, "organizationId": ids[org], "condition": "重大负面事件",
                 "reason": "事故"})


def test_commitments_findings_and_sanctions_name_people_within_reach(scoped: World) -> None:
    client, ids = scoped
    who = principals(ids)
    commitment = {"organizationId": ids["A"], "title": "承诺", "content": "内容",
                  "dueDate": "2026-12-31", "effectiveDate": "2026-01-01"}
    refused(client, who["secretary"], "makeCommitment", "MakeCommitmentInput",
            {**commitment, "partyId": ids["secB"]})
    allowed(client, who["secretary"], "makeCommitment", "MakeCommitmentInput",
            {**commitment, "partyId": ids["memA"]})
    allowed(client, who["member"], "makeCommitment", "MakeCommitmentInput",
            {**commitment, "partyId": ids["memA"]})  # one's own, where one serves
    refused(client, who["member"], "makeCommitment", "MakeCommitmentInput",
            {**commitment, "partyId": ids["memA"], "organizationId": ids["B"]})
    finding = {"title": "问题", "source": "inspection", "severity": "minor",
               "organizationId": ids["A"], "deadline": "2026-12-31",
               "effectiveDate": "2026-06-01"}
    for role in ("secretary", "inspector of A"):
        refused(client, who[role], "raiseFinding", "RaiseFindingInput",
                {**finding, "ownerId": ids["secB"]})
        refused(client, who[role], "raiseFinding", "RaiseFindingInput",
                {**finding, "ownerId": ids["nobody"]})  # a person serving nowhere yet
        allowed(client, who[role], "raiseFinding", "RaiseFindingInput",
                {**finding, "ownerId": ids["staffA"]})
    warning = {"kind": "written_warning", "organizationId": ids["A"], "reason": "逾期",
               "basis": [{"kind": "finding", "id": ids["findingA"]}]}
    refused(client, who["inspector of A"], "issueSanction", "IssueSanctionInput",
            {**warning, "partyId": ids["secB"]})
    refused(client, who["inspector of A"], "issueSanction", "IssueSanctionInput",
            {**warning, "partyId": ids["staffA"],
             "basis": [{"kind": "finding", "id": ids["findingB"]}]})
    allowed(client, who["inspector of A"], "issueSanction", "IssueSanctionInput",
            {**warning, "partyId": ids["staffA"]})


def test_appointments_and_membership_stay_within_reach(scoped: World) -> None:
    client, ids = scoped
    secretary = principals(ids)["secretary"]

    def post(person: str) -> dict[str, Any]:
        return {"personId": ids[person], "organizationId": ids["A2"], "post": "member"}

    membership = {"partyMember": False, "effectiveDate": "2026-05-01", "reason": "转出"}
    refused(client, secretary, "appointToPost", "PostInput", post("secB"))
    refused(client, secretary, "changePartyMembership", "ChangePartyMembershipInput",
            {**membership, "personId": ids["secB"]})
    allowed(client, secretary, "appointToPost", "PostInput", post("newB"))  # serves nowhere
    app = settle(client)  # the administrator appoints B's secretary in A too
    app.appoint("admin", UUID(_raw(ids["secB"])), organization_id=UUID(_raw(ids["A2"])),
                post="staff")
    settle(client)
    refused(client, secretary, "changePartyMembership", "ChangePartyMembershipInput",
            {**membership, "personId": ids["secB"]})  # B's secretary serves in B as well
    allowed(client, secretary, "endPost", "PostInput", {**post("secB"), "post": "staff"})
    refused(client, secretary, "grantRole", "RoleInput",
            {"personId": ids["secB"], "organizationId": ids["A"], "role": "evaluator",
             "reason": "评价"})


def test_an_evaluator_corrects_their_own_ballot_only(scoped: World) -> None:
    client, ids = scoped
    app = settle(client)
    cycle, org = UUID(_raw(ids["cycB"])), UUID(_raw(ids["B1"]))
    ballot = app.evaluate(f"person:{_raw(ids['evB1'])}", cycle, organization_id=org,
                          item_id=UUID(_raw(ids["indB"])), kind="mass", points=4).id
    for step in ("advance_cycle", "advance_cycle", "publish_cycle"):
        getattr(app, step)("admin", cycle)
    settle(client)
    correction = {"evaluationId": to_global_id("Evaluation", ballot), "points": "9",
                  "reason": "更正"}
    who = principals(ids)
    for role in ("evaluator of B", "evaluator", "secretary", "admin of A"):
        refused(client, who[role], "correctEvaluation", "CorrectEvaluationInput", correction,
                role)
    allowed(client, bearer(f"person:{_raw(ids['evB1'])}"), "correctEvaluation",
            "CorrectEvaluationInput", correction)
