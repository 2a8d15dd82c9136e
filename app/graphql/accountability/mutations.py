"""Mutations of responsibility and accountability: letters and amendments, commitments,
findings and their rectification, projects, rewards and restraints. Each takes one input, calls
one use case and returns the changed object with userErrors."""

from __future__ import annotations

from uuid import UUID

import strawberry
from strawberry.types import Info

from app import policy
from app.graphql.accountability import inputs
from app.graphql.accountability.types import (
    BASIS_TYPES,
    Commitment,
    Finding,
    Project,
    ResponsibilityLetter,
    Sanction,
    business_day,
    server_today,
)
from app.graphql.core.mutations import Prepared, actor, asks, domain, goal_scope, ids, party_of, run
from app.graphql.kit.acks import Acknowledged
from app.graphql.kit.context import Context
from app.graphql.kit.errors import UserError
from app.graphql.kit.permissions import AUTHENTICATED
from domain.app_base import Written
from domain.errors import InvalidInputError, NotFoundError
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


Result = tuple[Written | None, list[UserError]]


def letter_payload(info: Info[Context, None], result: Result) -> LetterPayload:
    written, errors = result
    view = views.letter(info.context.conn, str(written.id)) if written else None
    return LetterPayload(letter=ResponsibilityLetter.from_view(view, server_today(), None)
                         if view else None, user_errors=errors)


def commitment_payload(info: Info[Context, None], result: Result) -> CommitmentPayload:
    written, errors = result
    view = views.commitment(info.context.conn, str(written.id)) if written else None
    return CommitmentPayload(commitment=Commitment.from_view(view) if view else None,
                             user_errors=errors)


def finding_payload(info: Info[Context, None], result: Result) -> FindingPayload:
    written, errors = result
    view = rectification.finding(info.context.conn, str(written.id)) if written else None
    return FindingPayload(finding=Finding.from_view(view, server_today(), None)
                          if view else None, user_errors=errors)


def project_payload(info: Info[Context, None], result: Result) -> ProjectPayload:
    written, errors = result
    view = views.project(info.context.conn, str(written.id)) if written else None
    return ProjectPayload(project=Project.from_view(view, None) if view else None,
                          user_errors=errors)


def sanction_payload(info: Info[Context, None], result: Result) -> SanctionPayload:
    written, errors = result
    view = views.sanction(info.context.conn, str(written.id)) if written else None
    return SanctionPayload(sanction=Sanction.from_view(view) if view else None,
                           user_errors=errors)


def known_letter(info: Info[Context, None], global_id: str) -> tuple[UUID, views.LetterView]:
    letter_id = ids(global_id, "ResponsibilityLetter", "letterId")
    view = views.letter(info.context.conn, str(letter_id))
    if view is None:
        raise NotFoundError(f"no letter with id {letter_id}", field="letterId")
    return letter_id, view


def known_finding(info: Info[Context, None],
                  global_id: str) -> tuple[UUID, rectification.FindingView]:
    finding_id = ids(global_id, "Finding", "findingId")
    view = rectification.finding(info.context.conn, str(finding_id))
    if view is None:
        raise NotFoundError(f"no finding with id {finding_id}", field="findingId")
    return finding_id, view


def known_project(info: Info[Context, None], global_id: str) -> tuple[UUID, views.ProjectView]:
    project_id = ids(global_id, "Project", "projectId")
    view = views.project(info.context.conn, str(project_id))
    if view is None:
        raise NotFoundError(f"no project with id {project_id}", field="projectId")
    return project_id, view


def basis_of(item: inputs.SanctionBasisInput) -> tuple[str, UUID]:
    if item.kind not in BASIS_TYPES:
        raise InvalidInputError("basis.kind must be evaluation, finding or letter",
                                field="basis.kind")
    return item.kind, ids(item.id, BASIS_TYPES[item.kind], "basis")


def basis_organizations(info: Info[Context, None], basis: list[tuple[str, UUID]]) -> list[str]:
    """The organisations the records a sanction or a finding rests on concern (an
    evaluation's, a finding's, a letter's recipient), for the policy; unknown ones are left
    to the domain, which refuses them."""
    conn, found = info.context.conn, []
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


@strawberry.type
class AccountabilityMutation:
    # ---- responsibility letters ----------------------------------------------------------

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def draft_letter(self, info: Info[Context, None],
                           input: inputs.DraftLetterInput) -> LetterPayload:
        def prepare() -> Prepared:
            issuer = ids(input.issuer_id, "Organization", "issuerId")
            recipient = ids(input.recipient_id, "Organization", "recipientId")
            goal_ids = [ids(g, "Goal", "goalIds") for g in input.goal_ids]
            goal_orgs = [goal_scope(info, g, "goalIds") for g in goal_ids]
            allowed = asks(info, policy.may_draft_letter, str(issuer), str(recipient),
                           goal_orgs)
            return allowed, lambda: domain(info).draft_letter(
                actor(info), issuer_id=issuer, recipient_id=recipient, year=input.year,
                title=input.title, sign_by=input.sign_by, goal_ids=goal_ids,
                reason=input.reason)
        return letter_payload(info, await run(info, prepare, "draft letters for this "
                                                             "organisation"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def list_letter_goal(self, info: Info[Context, None],
                               input: inputs.ListLetterGoalInput) -> LetterPayload:
        def prepare() -> Prepared:
            letter_id, view = known_letter(info, input.letter_id)
            goal_id = ids(input.goal_id, "Goal", "goalId")
            allowed = asks(info, policy.may_list_letter_goal, view.issuer_id,
                           goal_scope(info, goal_id))
            return allowed, lambda: domain(info).list_letter_goal(
                actor(info), letter_id, goal_id=goal_id, reason=input.reason)
        return letter_payload(info, await run(info, prepare, "edit this letter"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def sign_letter(self, info: Info[Context, None],
                          input: inputs.SignLetterInput) -> LetterPayload:
        def prepare() -> Prepared:
            letter_id, view = known_letter(info, input.letter_id)
            signer = ids(input.signer_id, "Person", "signerId")
            side = view.recipient_id if input.side == "recipient" else view.issuer_id
            return asks(info, policy.may_sign, str(signer), side), lambda: domain(
                info).sign_letter(actor(info), letter_id, side=input.side, signer_id=signer,
                                  effective_date=business_day(input.effective_date),
                                  reason=input.reason)
        return letter_payload(info, await run(info, prepare, "sign in someone else's name"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def propose_amendment(self, info: Info[Context, None],
                                input: inputs.ProposeAmendmentInput) -> LetterPayload:
        def prepare() -> Prepared:
            letter_id, view = known_letter(info, input.letter_id)
            goal_id = ids(input.goal_id, "Goal", "goalId")
            period = None
            if input.period_start is not None or input.period_end is not None:
                if input.period_start is None or input.period_end is None:
                    raise InvalidInputError("give both ends of the new period",
                                            field="periodStart")
                period = Period(input.period_start, input.period_end)
            indicator = input.indicator.to_domain() if input.indicator else None
            allowed = asks(info, policy.may_propose_amendment, view.recipient_id,
                           goal_scope(info, goal_id))
            return allowed, lambda: domain(info).propose_amendment(
                actor(info), letter_id, goal_id=goal_id, reason=input.reason,
                title=input.title, description=input.description, period=period,
                indicator=indicator)
        return letter_payload(info, await run(info, prepare, "amend this letter"))

    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="The issuing side approves: the goal changes.")
    async def approve_amendment(self, info: Info[Context, None],
                                input: inputs.DecideAmendmentInput) -> LetterPayload:
        def prepare() -> Prepared:
            letter_id, view = known_letter(info, input.letter_id)
            amendment = ids(input.amendment_id, "LetterAmendment", "amendmentId")
            return asks(info, policy.may_decide_amendment, view.issuer_id), lambda: domain(
                info).approve_amendment(
                actor(info), letter_id, amendment_id=amendment, reason=input.reason)
        return letter_payload(info, await run(info, prepare, "approve amendments to this "
                                                             "letter"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def reject_amendment(self, info: Info[Context, None],
                               input: inputs.DecideAmendmentInput) -> LetterPayload:
        def prepare() -> Prepared:
            letter_id, view = known_letter(info, input.letter_id)
            amendment = ids(input.amendment_id, "LetterAmendment", "amendmentId")
            return asks(info, policy.may_decide_amendment, view.issuer_id), lambda: domain(
                info).reject_amendment(
                actor(info), letter_id, amendment_id=amendment, reason=input.reason)
        return letter_payload(info, await run(info, prepare, "reject amendments to this "
                                                             "letter"))

    # ---- public commitments --------------------------------------------------------------

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def make_commitment(self, info: Info[Context, None],
                              input: inputs.MakeCommitmentInput) -> CommitmentPayload:
        def prepare() -> Prepared:
            party_kind, party = party_of(input.party_id)
            org = ids(input.organization_id, "Organization", "organizationId")
            allowed = asks(info, policy.may_commit, str(org), party_kind, str(party))
            return allowed, lambda: domain(info).make_commitment(
                actor(info), party_kind=party_kind, party_id=party, organization_id=org,
                title=input.title, content=input.content, due_date=input.due_date,
                effective_date=business_day(input.effective_date), reason=input.reason)
        return commitment_payload(info, await run(info, prepare, "make commitments here"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def follow_up_commitment(self, info: Info[Context, None],
                                   input: inputs.FollowUpCommitmentInput) -> CommitmentPayload:
        def prepare() -> Prepared:
            commitment_id = ids(input.commitment_id, "Commitment", "commitmentId")
            view = views.commitment(info.context.conn, str(commitment_id))
            if view is None:
                raise NotFoundError("no such commitment", field="commitmentId")
            allowed = asks(info, policy.may_commit, view.organization_id, view.party_kind,
                           view.party_id)
            return allowed, lambda: (
                domain(info).follow_up_commitment(
                    actor(info), commitment_id, note=input.note, evidence=input.evidence,
                    effective_date=business_day(input.effective_date), reason=input.reason))
        return commitment_payload(info, await run(info, prepare, "follow up this commitment"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def conclude_commitment(self, info: Info[Context, None],
                                  input: inputs.ConcludeCommitmentInput) -> CommitmentPayload:
        def prepare() -> Prepared:
            commitment_id = ids(input.commitment_id, "Commitment", "commitmentId")
            view = views.commitment(info.context.conn, str(commitment_id))
            if view is None:
                raise NotFoundError("no such commitment", field="commitmentId")
            return asks(info, policy.may_conclude_commitment, view.organization_id), lambda: (
                domain(info).conclude_commitment(
                    actor(info), commitment_id, fulfilled=input.fulfilled,
                    effective_date=business_day(input.effective_date), reason=input.reason))
        return commitment_payload(info, await run(info, prepare, "conclude this commitment"))

    # ---- findings and rectification ------------------------------------------------------

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def raise_finding(self, info: Info[Context, None],
                            input: inputs.RaiseFindingInput) -> FindingPayload:
        def prepare() -> Prepared:
            org = ids(input.organization_id, "Organization", "organizationId")
            owner = ids(input.owner_id, "Person", "ownerId")
            goal_id = ids(input.goal_id, "Goal", "goalId") if input.goal_id else None
            if goal_id is not None:
                goal_scope(info, goal_id)
            evaluation = (ids(input.evaluation_id, "Evaluation", "evaluationId")
                          if input.evaluation_id else None)
            linked = [goal_scope(info, goal_id)] if goal_id is not None else []
            if evaluation is not None:
                linked += basis_organizations(info, [("evaluation", evaluation)])
            allowed = asks(info, policy.may_raise_finding, str(org), str(owner), linked)
            return allowed, lambda: domain(info).raise_finding(
                actor(info), title=input.title, source=input.source, severity=input.severity,
                organization_id=org, owner_id=owner, deadline=input.deadline,
                effective_date=business_day(input.effective_date),
                description=input.description, goal_id=goal_id, evaluation_id=evaluation,
                reason=input.reason)
        return finding_payload(info, await run(info, prepare, "raise findings here"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def plan_measure(self, info: Info[Context, None],
                           input: inputs.PlanMeasureInput) -> FindingPayload:
        def prepare() -> Prepared:
            finding_id, view = known_finding(info, input.finding_id)
            owner = ids(input.owner_id, "Person", "ownerId")
            owners = {view.owner_id, *(m.owner_id for m in view.measures)}
            return asks(info, policy.may_plan_measure, view.organization_id, owners,
                        str(owner)), (
                lambda: domain(info).plan_measure(
                    actor(info), finding_id, description=input.description, owner_id=owner,
                    due_date=input.due_date, reason=input.reason))
        return finding_payload(info, await run(info, prepare, "plan this rectification"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def submit_rectification(self, info: Info[Context, None],
                                   input: inputs.SubmitRectificationInput) -> FindingPayload:
        def prepare() -> Prepared:
            finding_id, view = known_finding(info, input.finding_id)
            owners = {view.owner_id, *(m.owner_id for m in view.measures)}
            return asks(info, policy.may_rectify, view.organization_id, owners), (
                lambda: domain(info).submit_rectification(
                    actor(info), finding_id, evidence=input.evidence,
                    effective_date=business_day(input.effective_date), reason=input.reason))
        return finding_payload(info, await run(info, prepare, "submit this rectification"))

    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="销号: verify and close; refused to the submitter and to "
                                     "the finding's and measures' owners.")
    async def verify_rectification(self, info: Info[Context, None],
                                   input: inputs.CheckRectificationInput) -> FindingPayload:
        def prepare() -> Prepared:
            finding_id, view = known_finding(info, input.finding_id)
            return asks(info, policy.may_verify, view.organization_id), (
                lambda: domain(info).verify_rectification(
                    actor(info), finding_id,
                    effective_date=business_day(input.effective_date), reason=input.reason))
        return finding_payload(info, await run(info, prepare, "verify this rectification"))

    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="退回: return for rework with a reason; the finding "
                                     "reopens.")
    async def return_rectification(self, info: Info[Context, None],
                                   input: inputs.CheckRectificationInput) -> FindingPayload:
        def prepare() -> Prepared:
            finding_id, view = known_finding(info, input.finding_id)
            return asks(info, policy.may_verify, view.organization_id), (
                lambda: domain(info).return_rectification(
                    actor(info), finding_id, reason=input.reason,
                    effective_date=business_day(input.effective_date)))
        return finding_payload(info, await run(info, prepare, "return this rectification"))

    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="重新打开: reopen a closed finding with a reason; refused "
                                     "to its and its measures' owners.")
    async def reopen_finding(self, info: Info[Context, None],
                             input: inputs.ReopenFindingInput) -> FindingPayload:
        def prepare() -> Prepared:
            finding_id, view = known_finding(info, input.finding_id)
            return asks(info, policy.may_reopen_finding, view.organization_id), (
                lambda: domain(info).reopen_finding(
                    actor(info), finding_id, reason=input.reason,
                    effective_date=business_day(input.effective_date)))
        return finding_payload(info, await run(info, prepare, "reopen this finding"))

    # ---- party-building projects ---------------------------------------------------------

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def propose_project(self, info: Info[Context, None],
                              input: inputs.ProposeProjectInput) -> ProjectPayload:
        def prepare() -> Prepared:
            org = ids(input.organization_id, "Organization", "organizationId")
            leader = ids(input.leader_id, "Person", "leaderId")
            goal_ids = [ids(g, "Goal", "goalIds") for g in input.goal_ids]
            milestones = [(m.title, m.due_date) for m in input.milestones]
            allowed = asks(info, policy.may_propose_project, str(org), str(leader),
                           [goal_scope(info, g, "goalIds") for g in goal_ids])
            return allowed, lambda: domain(info).propose_project(
                actor(info), project_type=input.type, organization_id=org, leader_id=leader,
                title=input.title, milestones=milestones, goal_ids=goal_ids,
                description=input.description, reason=input.reason)
        return project_payload(info, await run(info, prepare, "propose projects here"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def step_project(self, info: Info[Context, None],
                           input: inputs.StepProjectInput) -> ProjectPayload:
        def prepare() -> Prepared:
            project_id, view = known_project(info, input.project_id)
            return asks(info, policy.may_run_project, view.organization_id), lambda: domain(
                info).step_project(
                actor(info), project_id, step=input.step,
                effective_date=business_day(input.effective_date), reason=input.reason)
        return project_payload(info, await run(info, prepare, "move this project on"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def reach_milestone(self, info: Info[Context, None],
                              input: inputs.ReachMilestoneInput) -> ProjectPayload:
        def prepare() -> Prepared:
            project_id, view = known_project(info, input.project_id)
            return asks(info, policy.may_run_project, view.organization_id), lambda: domain(
                info).reach_milestone(
                actor(info), project_id, index=input.index, evidence=input.evidence,
                effective_date=business_day(input.effective_date), reason=input.reason)
        return project_payload(info, await run(info, prepare, "report on this project"))

    # ---- rewards and restraints ----------------------------------------------------------

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def issue_sanction(self, info: Info[Context, None],
                             input: inputs.IssueSanctionInput) -> SanctionPayload:
        def prepare() -> Prepared:
            party_kind, party = party_of(input.party_id)
            org = ids(input.organization_id, "Organization", "organizationId")
            basis = [basis_of(b) for b in input.basis]
            reward = input.kind == "commendation"
            allowed = asks(info, policy.may_sanction, str(org), reward, party_kind, str(party),
                           basis_organizations(info, basis))
            return allowed, lambda: domain(info).issue_sanction(
                actor(info), kind=input.kind, party_kind=party_kind, party_id=party,
                organization_id=org, basis=basis,
                effective_date=business_day(input.effective_date), reason=input.reason)
        return sanction_payload(info, await run(info, prepare, "issue this here"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def revoke_sanction(self, info: Info[Context, None],
                              input: inputs.RevokeSanctionInput) -> SanctionPayload:
        def prepare() -> Prepared:
            sanction_id = ids(input.sanction_id, "Sanction", "sanctionId")
            view = views.sanction(info.context.conn, str(sanction_id))
            if view is None:
                raise NotFoundError("no such reward or restraint", field="sanctionId")
            reward = view.kind == "commendation"
            return asks(info, policy.may_sanction, view.organization_id, reward), lambda: domain(
                info).revoke_sanction(actor(info), sanction_id, reason=input.reason,
                                      effective_date=business_day(input.effective_date))
        return sanction_payload(info, await run(info, prepare, "revoke this"))
