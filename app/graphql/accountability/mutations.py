"""Mutations of responsibility and accountability: letters and amendments, commitments,
findings and their rectification, projects, rewards and restraints. Each is a plan for
`kit.writes`: the ids it takes, the policy function that decides over every party it names,
the use case it calls."""

from __future__ import annotations

from datetime import date
from typing import Protocol
from uuid import UUID

import strawberry

from app import policy
from app.graphql.accountability import inputs
from app.graphql.accountability.common import business_day, server_today
from app.graphql.accountability.records import BASIS_TYPES, Commitment, Project, Sanction
from app.graphql.accountability.types import Finding, ResponsibilityLetter
from app.graphql.core.mutations import goal_scope, party_of, sibling_weights
from app.graphql.kit.acks import Acknowledged
from app.graphql.kit.errors import UserError
from app.graphql.kit.writes import Command, Writer, record_answer, write
from domain.app_base import Written
from domain.errors import InvalidInputError
from domain.values import Period
from projections import accountability as views
from projections import rectification
from projections import scoreboard as board


@strawberry.type
class LetterPayload(Acknowledged):
    RECORD = "ResponsibilityLetter"
    letter: ResponsibilityLetter | None
    user_errors: list[UserError]


@strawberry.type
class CommitmentPayload(Acknowledged):
    RECORD = "Commitment"
    commitment: Commitment | None
    user_errors: list[UserError]


@strawberry.type
class FindingPayload(Acknowledged):
    RECORD = "Finding"
    finding: Finding | None
    user_errors: list[UserError]


@strawberry.type
class ProjectPayload(Acknowledged):
    RECORD = "Project"
    project: Project | None
    user_errors: list[UserError]


@strawberry.type
class SanctionPayload(Acknowledged):
    RECORD = "Sanction"
    sanction: Sanction | None
    user_errors: list[UserError]


LETTER = record_answer(LetterPayload, views.letter,
                       lambda view: ResponsibilityLetter.from_view(view, server_today(), None))
COMMITMENT = record_answer(CommitmentPayload, views.commitment, Commitment.from_view)
FINDING = record_answer(FindingPayload, rectification.finding,
                        lambda view: Finding.from_view(view, server_today(), None))
PROJECT = record_answer(ProjectPayload, views.project, lambda view: Project.from_view(view, None))
SANCTION = record_answer(SanctionPayload, views.sanction,
                         lambda view: Sanction.from_view(view, None))


def known_letter(w: Writer, global_id: str) -> tuple[UUID, views.LetterView]:
    return w.known(global_id, "ResponsibilityLetter", "letterId", views.letter,
                   "no letter with id {id}")


def known_finding(w: Writer, global_id: str) -> tuple[UUID, rectification.FindingView]:
    return w.known(global_id, "Finding", "findingId", rectification.finding,
                   "no finding with id {id}")


def known_project(w: Writer, global_id: str) -> tuple[UUID, views.ProjectView]:
    return w.known(global_id, "Project", "projectId", views.project, "no project with id {id}")


def known_commitment(w: Writer, global_id: str) -> tuple[UUID, views.CommitmentView]:
    return w.known(global_id, "Commitment", "commitmentId", views.commitment,
                   "no such commitment")


def basis_of(w: Writer, item: inputs.SanctionBasisInput) -> tuple[str, UUID]:
    if item.kind not in BASIS_TYPES:
        raise InvalidInputError("basis.kind must be evaluation, finding or letter",
                                field="basis.kind")
    return item.kind, w.id(item.id, BASIS_TYPES[item.kind], "basis")


def basis_organizations(w: Writer, basis: list[tuple[str, UUID]]) -> list[str]:
    """The organisations the records a sanction or a finding rests on concern (an
    evaluation's, a finding's, a letter's recipient), for the policy; unknown ones are left
    to the domain, which refuses them."""
    conn, found = w.conn, []
    for kind, record in basis:
        if kind == "evaluation":
            scope = board.evaluation_scope(conn, str(record))
            found.append(scope[1] if scope else None)
        elif kind == "finding":
            view = rectification.finding(conn, str(record))
            found.append(view.organization_id if view else None)
        else:
            letter = views.letter(conn, str(record))
            found.append(letter.recipient_id if letter else None)
    return [org for org in found if org is not None]


class AmendmentStep(Protocol):
    def __call__(self, actor: str, letter_id: UUID, /, *, amendment_id: UUID,
                 reason: str) -> Written: ...


class FindingStep(Protocol):
    def __call__(self, actor: str, finding_id: UUID, /, *, effective_date: date,
                 reason: str) -> Written: ...


def amendment_decision(w: Writer, input: inputs.DecideAmendmentInput,
                       step: AmendmentStep) -> Command[None]:
    """Approve or reject: the issuing side decides."""
    letter_id, view = known_letter(w, input.letter_id)
    amendment = w.id(input.amendment_id, "LetterAmendment", "amendmentId")
    return w.allow_if(policy.may_decide_amendment, view.issuer_id).call(
        step, letter_id, amendment_id=amendment, reason=input.reason)


def finding_step(w: Writer, input: inputs.CheckRectificationInput | inputs.ReopenFindingInput,
                 decide: policy.Decide, step: FindingStep) -> Command[None]:
    """Verify, return or reopen: decided over the finding's organisation."""
    finding_id, view = known_finding(w, input.finding_id)
    return w.allow_if(decide, view.organization_id).call(
        step, finding_id, effective_date=business_day(input.effective_date), reason=input.reason)


@strawberry.type
class AccountabilityMutation:
    # ---- responsibility letters ----------------------------------------------------------

    @write(LETTER, "draft letters for this organisation")
    def draft_letter(w: Writer, input: inputs.DraftLetterInput) -> Command[None]:
        issuer = w.id(input.issuer_id, "Organization", "issuerId")
        recipient = w.id(input.recipient_id, "Organization", "recipientId")
        goal_ids = w.ids(input.goal_ids, "Goal", "goalIds")
        goal_orgs = [goal_scope(w, g, "goalIds") for g in goal_ids]
        return w.allow_if(policy.may_draft_letter, str(issuer), str(recipient), goal_orgs).call(
            w.app.draft_letter, issuer_id=issuer, recipient_id=recipient, year=input.year,
            title=input.title, sign_by=input.sign_by, goal_ids=goal_ids, reason=input.reason)

    @write(LETTER, "edit this letter")
    def list_letter_goal(w: Writer, input: inputs.ListLetterGoalInput) -> Command[None]:
        letter_id, view = known_letter(w, input.letter_id)
        goal_id = w.id(input.goal_id, "Goal", "goalId")
        return w.allow_if(policy.may_list_letter_goal, view.issuer_id,
                          goal_scope(w, goal_id)).call(
            w.app.list_letter_goal, letter_id, goal_id=goal_id, reason=input.reason)

    @write(LETTER, "sign in someone else's name")
    def sign_letter(w: Writer, input: inputs.SignLetterInput) -> Command[None]:
        letter_id, view = known_letter(w, input.letter_id)
        signer = w.id(input.signer_id, "Person", "signerId")
        side = view.recipient_id if input.side == "recipient" else view.issuer_id
        return w.allow_if(policy.may_sign, str(signer), side).call(
            w.app.sign_letter, letter_id, side=input.side, signer_id=signer,
            effective_date=business_day(input.effective_date), reason=input.reason)

    @write(LETTER, "amend this letter")
    def propose_amendment(w: Writer, input: inputs.ProposeAmendmentInput) -> Command[None]:
        letter_id, view = known_letter(w, input.letter_id)
        goal_id = w.id(input.goal_id, "Goal", "goalId")
        period = None
        if input.period_start is not None or input.period_end is not None:
            if input.period_start is None or input.period_end is None:
                raise InvalidInputError("give both ends of the new period", field="periodStart")
            period = Period(input.period_start, input.period_end)
        indicator = input.indicator.to_domain() if input.indicator else None
        return w.allow_if(policy.may_propose_amendment, view.recipient_id,
                          goal_scope(w, goal_id)).call(
            w.app.propose_amendment, letter_id, goal_id=goal_id, reason=input.reason,
            title=input.title, description=input.description, period=period,
            indicator=indicator, weights=sibling_weights(w, input.weights, "weights"),
            cancel=input.cancel)

    @write(LETTER, "approve amendments to this letter",
           description="The issuing side approves: the goal changes.")
    def approve_amendment(w: Writer, input: inputs.DecideAmendmentInput) -> Command[None]:
        return amendment_decision(w, input, w.app.approve_amendment)

    @write(LETTER, "reject amendments to this letter")
    def reject_amendment(w: Writer, input: inputs.DecideAmendmentInput) -> Command[None]:
        return amendment_decision(w, input, w.app.reject_amendment)

    # ---- public commitments --------------------------------------------------------------

    @write(COMMITMENT, "make commitments here")
    def make_commitment(w: Writer, input: inputs.MakeCommitmentInput) -> Command[None]:
        party_kind, party = party_of(w, input.party_id)
        org = w.id(input.organization_id, "Organization", "organizationId")
        return w.allow_if(policy.may_commit, str(org), party_kind, str(party)).call(
            w.app.make_commitment, party_kind=party_kind, party_id=party, organization_id=org,
            title=input.title, content=input.content, due_date=input.due_date,
            effective_date=business_day(input.effective_date), reason=input.reason)

    @write(COMMITMENT, "follow up this commitment")
    def follow_up_commitment(w: Writer, input: inputs.FollowUpCommitmentInput) -> Command[None]:
        commitment_id, view = known_commitment(w, input.commitment_id)
        return w.allow_if(policy.may_commit, view.organization_id, view.party_kind,
                          view.party_id).call(
            w.app.follow_up_commitment, commitment_id, note=input.note, evidence=input.evidence,
            effective_date=business_day(input.effective_date), reason=input.reason)

    @write(COMMITMENT, "conclude this commitment")
    def conclude_commitment(w: Writer, input: inputs.ConcludeCommitmentInput) -> Command[None]:
        commitment_id, view = known_commitment(w, input.commitment_id)
        return w.allow_if(policy.may_conclude_commitment, view.organization_id).call(
            w.app.conclude_commitment, commitment_id, fulfilled=input.fulfilled,
            effective_date=business_day(input.effective_date), reason=input.reason)

    # ---- findings and rectification ------------------------------------------------------

    @write(FINDING, "raise findings here")
    def raise_finding(w: Writer, input: inputs.RaiseFindingInput) -> Command[None]:
        org = w.id(input.organization_id, "Organization", "organizationId")
        owner = w.id(input.owner_id, "Person", "ownerId")
        goal_id = w.optional_id(input.goal_id, "Goal", "goalId")
        linked = [goal_scope(w, goal_id)] if goal_id is not None else []
        evaluation = w.optional_id(input.evaluation_id, "Evaluation", "evaluationId")
        if evaluation is not None:
            linked += basis_organizations(w, [("evaluation", evaluation)])
        return w.allow_if(policy.may_raise_finding, str(org), str(owner), linked).call(
            w.app.raise_finding, title=input.title, source=input.source,
            severity=input.severity, organization_id=org, owner_id=owner,
            deadline=input.deadline, effective_date=business_day(input.effective_date),
            description=input.description, goal_id=goal_id, evaluation_id=evaluation,
            reason=input.reason)

    @write(FINDING, "plan this rectification")
    def plan_measure(w: Writer, input: inputs.PlanMeasureInput) -> Command[None]:
        finding_id, view = known_finding(w, input.finding_id)
        owner = w.id(input.owner_id, "Person", "ownerId")
        owners = {view.owner_id, *(m.owner_id for m in view.measures)}
        return w.allow_if(policy.may_plan_measure, view.organization_id, owners,
                          str(owner)).call(
            w.app.plan_measure, finding_id, description=input.description, owner_id=owner,
            due_date=input.due_date, reason=input.reason)

    @write(FINDING, "submit this rectification")
    def submit_rectification(w: Writer, input: inputs.SubmitRectificationInput,
                             ) -> Command[None]:
        finding_id, view = known_finding(w, input.finding_id)
        owners = {view.owner_id, *(m.owner_id for m in view.measures)}
        return w.allow_if(policy.may_rectify, view.organization_id, owners).call(
            w.app.submit_rectification, finding_id, evidence=input.evidence,
            effective_date=business_day(input.effective_date), reason=input.reason)

    @write(FINDING, "verify this rectification",
           description="销号: verify and close; refused to the submitter and to the "
                       "finding's and measures' owners.")
    def verify_rectification(w: Writer, input: inputs.CheckRectificationInput) -> Command[None]:
        return finding_step(w, input, policy.may_verify, w.app.verify_rectification)

    @write(FINDING, "return this rectification",
           description="退回: return for rework with a reason; the finding reopens.")
    def return_rectification(w: Writer, input: inputs.CheckRectificationInput) -> Command[None]:
        return finding_step(w, input, policy.may_verify, w.app.return_rectification)

    @write(FINDING, "reopen this finding",
           description="重新打开: reopen a closed finding with a reason; refused to its and "
                       "its measures' owners.")
    def reopen_finding(w: Writer, input: inputs.ReopenFindingInput) -> Command[None]:
        return finding_step(w, input, policy.may_reopen_finding, w.app.reopen_finding)

    # ---- party-building projects ---------------------------------------------------------

    @write(PROJECT, "propose projects here")
    def propose_project(w: Writer, input: inputs.ProposeProjectInput) -> Command[None]:
        org = w.id(input.organization_id, "Organization", "organizationId")
        leader = w.id(input.leader_id, "Person", "leaderId")
        goal_ids = w.ids(input.goal_ids, "Goal", "goalIds")
        milestones = [(m.title, m.due_date) for m in input.milestones]
        return w.allow_if(policy.may_propose_project, str(org), str(leader),
                          [goal_scope(w, g, "goalIds") for g in goal_ids]).call(
            w.app.propose_project, project_type=input.type, organization_id=org,
            leader_id=leader, title=input.title, milestones=milestones, goal_ids=goal_ids,
            description=input.description, reason=input.reason)

    @write(PROJECT, "move this project on")
    def step_project(w: Writer, input: inputs.StepProjectInput) -> Command[None]:
        project_id, view = known_project(w, input.project_id)
        return w.allow_if(policy.may_run_project, view.organization_id).call(
            w.app.step_project, project_id, step=input.step,
            effective_date=business_day(input.effective_date), reason=input.reason)

    @write(PROJECT, "report on this project")
    def reach_milestone(w: Writer, input: inputs.ReachMilestoneInput) -> Command[None]:
        project_id, view = known_project(w, input.project_id)
        return w.allow_if(policy.may_run_project, view.organization_id).call(
            w.app.reach_milestone, project_id, index=input.index, evidence=input.evidence,
            effective_date=business_day(input.effective_date), reason=input.reason)

    # ---- rewards and restraints ----------------------------------------------------------

    @write(SANCTION, "issue this here")
    def issue_sanction(w: Writer, input: inputs.IssueSanctionInput) -> Command[None]:
        party_kind, party = party_of(w, input.party_id)
        org = w.id(input.organization_id, "Organization", "organizationId")
        basis = [basis_of(w, b) for b in input.basis]
        reward = input.kind == "commendation"
        return w.allow_if(policy.may_sanction, str(org), reward, party_kind, str(party),
                          basis_organizations(w, basis)).call(
            w.app.issue_sanction, kind=input.kind, party_kind=party_kind, party_id=party,
            organization_id=org, basis=basis, effective_date=business_day(input.effective_date),
            reason=input.reason)

    @write(SANCTION, "revoke this")
    def revoke_sanction(w: Writer, input: inputs.RevokeSanctionInput) -> Command[None]:
        sanction_id, view = w.known(input.sanction_id, "Sanction", "sanctionId", views.sanction,
                                    "no such reward or restraint")
        return w.allow_if(policy.may_sanction, view.organization_id,
                          view.kind == "commendation").call(
            w.app.revoke_sanction, sanction_id, reason=input.reason,
            effective_date=business_day(input.effective_date))
