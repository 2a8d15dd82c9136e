"""Mutation inputs of responsibility and accountability: one input object per mutation.
A missing effective date means the server's today."""

from __future__ import annotations

from datetime import date

import strawberry

from app.graphql.core.inputs import IndicatorInput, SubgoalWeightInput
from app.graphql.kit.acks import MutationInput, UpdateInput
from app.graphql.kit.vocab import (
    BasisKind,
    FindingSource,
    LetterSide,
    ProjectType,
    SanctionKind,
    Severity,
)


@strawberry.input
class DraftLetterInput(MutationInput):
    issuer_id: strawberry.ID
    recipient_id: strawberry.ID
    year: int
    title: str
    sign_by: date
    goal_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    reason: str = ""


@strawberry.input
class ListLetterGoalInput(UpdateInput):
    letter_id: strawberry.ID
    goal_id: strawberry.ID
    reason: str = ""


@strawberry.input(description="side: issuer or recipient; the signer is that side's secretary.")
class SignLetterInput(UpdateInput):
    letter_id: strawberry.ID
    side: LetterSide
    signer_id: strawberry.ID
    effective_date: date | None = None
    reason: str = ""


@strawberry.input(description="The goal fields to change (those given); a reason is required.")
class ProposeAmendmentInput(UpdateInput):
    letter_id: strawberry.ID
    goal_id: strawberry.ID
    reason: str
    title: str | None = None
    description: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    indicator: IndicatorInput | None = None
    weights: list[SubgoalWeightInput] = strawberry.field(
        default_factory=list,
        description="A new split of the weights of the goal and its live siblings under their "
                    "parent (without the goal when it is cancelled), applied on approval.")
    cancel: bool = strawberry.field(
        default=False, description="Cancel the goal on approval (its siblings' `weights` "
                                   "then carry the whole split).")


@strawberry.input
class DecideAmendmentInput(UpdateInput):
    letter_id: strawberry.ID
    amendment_id: strawberry.ID
    reason: str = ""


@strawberry.input(description="partyId: the Person or Organization committing; organizationId: "
                              "where the commitment is made public.")
class MakeCommitmentInput(MutationInput):
    party_id: strawberry.ID
    organization_id: strawberry.ID
    title: str
    content: str
    due_date: date
    effective_date: date | None = None
    reason: str = ""


@strawberry.input
class FollowUpCommitmentInput(UpdateInput):
    commitment_id: strawberry.ID
    note: str
    evidence: list[str] = strawberry.field(default_factory=list)
    effective_date: date | None = None
    reason: str = ""


@strawberry.input
class ConcludeCommitmentInput(UpdateInput):
    commitment_id: strawberry.ID
    fulfilled: bool
    reason: str
    effective_date: date | None = None


@strawberry.input(description="source: inspection, evaluation, self_check or mass_report; "
                              "severity: minor, major or serious; evaluationId: an "
                              "Evaluation's id, as `evaluate` returns it.")
class RaiseFindingInput(MutationInput):
    title: str
    source: FindingSource
    severity: Severity
    organization_id: strawberry.ID
    owner_id: strawberry.ID
    deadline: date
    description: str = ""
    goal_id: strawberry.ID | None = None
    evaluation_id: strawberry.ID | None = None
    effective_date: date | None = None
    reason: str = ""


@strawberry.input
class PlanMeasureInput(UpdateInput):
    finding_id: strawberry.ID
    description: str
    owner_id: strawberry.ID
    due_date: date
    reason: str = ""


@strawberry.input
class SubmitRectificationInput(UpdateInput):
    finding_id: strawberry.ID
    evidence: list[str]
    effective_date: date | None = None
    reason: str = ""


@strawberry.input(description="Verify (销号) or return (退回, reason required) a submitted "
                              "rectification; never by its submitter or owners.")
class CheckRectificationInput(UpdateInput):
    finding_id: strawberry.ID
    reason: str = ""
    effective_date: date | None = None


@strawberry.input
class ReopenFindingInput(UpdateInput):
    finding_id: strawberry.ID
    reason: str
    effective_date: date | None = None


@strawberry.input
class MilestoneInput:
    title: str
    due_date: date


@strawberry.input(description="type: foundation, promotion or innovation.")
class ProposeProjectInput(MutationInput):
    type: ProjectType
    organization_id: strawberry.ID
    leader_id: strawberry.ID
    title: str
    milestones: list[MilestoneInput]
    goal_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    description: str = ""
    reason: str = ""


@strawberry.input(description="step: approve, start, accept or reject (reason required).")
class StepProjectInput(UpdateInput):
    project_id: strawberry.ID
    step: str
    effective_date: date | None = None
    reason: str = ""


@strawberry.input(description="index: the milestone's position, from 0.")
class ReachMilestoneInput(UpdateInput):
    project_id: strawberry.ID
    index: int
    evidence: list[str] = strawberry.field(default_factory=list)
    effective_date: date | None = None
    reason: str = ""


@strawberry.input(description="kind: evaluation, finding or letter.")
class SanctionBasisInput:
    kind: BasisKind
    id: strawberry.ID


@strawberry.input(description="kind: commendation, admonishing_talk, written_warning or "
                              "accountability; partyId: a Person or an Organization.")
class IssueSanctionInput(MutationInput):
    kind: SanctionKind
    party_id: strawberry.ID
    organization_id: strawberry.ID
    basis: list[SanctionBasisInput]
    reason: str
    effective_date: date | None = None


@strawberry.input
class RevokeSanctionInput(UpdateInput):
    sanction_id: strawberry.ID
    reason: str
    effective_date: date | None = None
