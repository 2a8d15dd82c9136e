"""The assessment API's mutations: each a plan for `kit.writes`, authorised by the policy
over the cycle's organiser and the organisations it assesses or names."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol
from uuid import UUID

import strawberry

from app import policy
from app.auth import Principal
from app.graphql.assessment.cards import ScoreCardView, score_card_view
from app.graphql.assessment.inputs import (
    ApproveAdjustmentInput,
    CorrectEvaluationInput,
    CycleStepInput,
    DefineIndicatorInput,
    DraftCycleInput,
    EvaluateInput,
    ImportBusinessScoresInput,
    OpenCycleInput,
    ProposeAdjustmentInput,
    ReviseIndicatorInput,
    ReviseSchemeInput,
    RubricPointsInput,
    VetoInput,
)
from app.graphql.assessment.queries import card_at
from app.graphql.assessment.types import AssessmentCycle, Indicator
from app.graphql.kit.acks import Acknowledged
from app.graphql.kit.errors import UserError
from app.graphql.kit.ids import gid
from app.graphql.kit.writes import Answer, Command, Outcome, Writer, record_answer, write
from domain.app_base import Written
from domain.errors import NotFoundError
from domain.values import Period
from projections import organization_tree as tree
from projections import scoreboard as board
from projections.scoreboard import records
from store.db import Connection


@strawberry.type
class IndicatorPayload(Acknowledged):
    RECORD = "LibraryIndicator"
    indicator: Indicator | None
    user_errors: list[UserError]


@strawberry.type
class CyclePayload(Acknowledged):
    RECORD = "AssessmentCycle"
    cycle: AssessmentCycle | None
    user_errors: list[UserError]


@strawberry.type
class EvaluationPayload(Acknowledged):
    RECORD = "Evaluation"
    evaluation_id: strawberry.ID | None
    score_card: ScoreCardView | None
    user_errors: list[UserError]


@strawberry.type
class AdjustmentPayload(Acknowledged):
    RECORD = "Adjustment"
    adjustment_id: strawberry.ID | None
    cycle: AssessmentCycle | None
    user_errors: list[UserError]


def rubric(levels: list[RubricPointsInput] | None) -> list[dict[str, Any]] | None:
    return None if levels is None else [{"name": r.name, "points": r.points} for r in levels]


def library_entry(conn: Connection, indicator_id: str) -> dict[str, Any] | None:
    found = records.library_entry(conn, indicator_id)
    return vars(found) if found is not None else None


CardOf = tuple[str, str]  # the cycle and the organisation whose score card an evaluation moved


def card_payload(done: Outcome[Any, CardOf]) -> EvaluationPayload:
    written, card = done.written, None
    if written is not None and done.about is not None:
        cycle_id, organization_id = done.about
        found = card_at(done.info, gid("AssessmentCycle", cycle_id),
                        gid("Organization", organization_id), None)
        if found is not None:
            card = score_card_view(done.info, cycle_id, found[0], found[1], None, found[2])
    return EvaluationPayload(evaluation_id=gid("Evaluation", written.id) if written else None,
                             score_card=card, user_errors=done.errors)


def adjustment_payload(done: Outcome[ProposeAdjustmentInput, Any]) -> AdjustmentPayload:
    written = done.written
    cycle = done.writer.id(done.input.cycle_id, "AssessmentCycle", "cycleId") if written else None
    found = board.cycle(done.conn, str(cycle)) if cycle else None
    return AdjustmentPayload(adjustment_id=gid("Adjustment", written.id) if written else None,
                             cycle=AssessmentCycle.of(found, None) if found else None,
                             user_errors=done.errors)


INDICATOR = record_answer(IndicatorPayload, library_entry, lambda data: Indicator.of(data, None))
CYCLE = record_answer(CyclePayload, board.cycle, lambda cycle: AssessmentCycle.of(cycle, None))
EVALUATION = Answer(EvaluationPayload, card_payload)
ADJUSTMENT = Answer(AdjustmentPayload, adjustment_payload)


def cycle_organizer(w: Writer, cycle_id: UUID) -> board.Cycle:
    found = board.cycle(w.conn, str(cycle_id))
    if found is None:
        raise NotFoundError(f"no assessment cycle with id {cycle_id}", field="cycleId")
    return found


def cycle_parties(w: Writer, cycle_id: UUID) -> tuple[str, list[str]]:
    """A cycle's organiser and the organisations it assesses, for the policy."""
    found = cycle_organizer(w, cycle_id)
    return found.organizer_id, list(found.organization_ids)


CycleRule = Callable[[Connection, Principal, str, Sequence[str]], bool]


class CycleStep(Protocol):
    def __call__(self, actor: str, cycle_id: UUID, /, *, reason: str) -> Written: ...


class VetoStep(Protocol):
    def __call__(self, actor: str, cycle_id: UUID, /, *, organization_id: UUID,
                 condition: str, reason: str) -> Written: ...


def cycle_step(w: Writer, input: CycleStepInput, decide: CycleRule,
               step: CycleStep) -> Command[None]:
    """A cycle moved on by whoever `decide` allows over its organiser and assessed."""
    cycle = w.id(input.cycle_id, "AssessmentCycle", "cycleId")
    return w.allow_if(decide, *cycle_parties(w, cycle)).call(step, cycle, reason=input.reason)


def veto_step(w: Writer, input: VetoInput, step: VetoStep) -> Command[None]:
    cycle = w.id(input.cycle_id, "AssessmentCycle", "cycleId")
    organization = w.id(input.organization_id, "Organization", "organizationId")
    return w.allow_if(policy.may_run_cycle, *cycle_parties(w, cycle), [str(organization)]).call(
        step, cycle, organization_id=organization, condition=input.condition,
        reason=input.reason)


@strawberry.type
class AssessmentMutation:
    @write(INDICATOR, "keep the indicator library")
    def define_indicator(w: Writer, input: DefineIndicatorInput) -> Command[None]:
        return w.allow_if(policy.may_curate_indicators).call(
            w.app.define_indicator, item=input.item, content=input.content,
            criteria=input.criteria, max_points=input.max_points, rubric=rubric(input.rubric),
            source=input.source, reason=input.reason)

    @write(INDICATOR, "keep the indicator library")
    def revise_indicator(w: Writer, input: ReviseIndicatorInput) -> Command[None]:
        indicator = w.id(input.indicator_id, "LibraryIndicator", "indicatorId")
        return w.allow_if(policy.may_curate_indicators).call(
            w.app.revise_indicator, indicator, item=input.item, content=input.content,
            criteria=input.criteria, max_points=input.max_points, rubric=rubric(input.rubric),
            source=input.source, reason=input.reason)

    @write(CYCLE, "run assessments here")
    def draft_cycle(w: Writer, input: DraftCycleInput) -> Command[None]:
        organizer = w.id(input.organizer_id, "Organization", "organizerId")
        assessed = w.ids(input.organization_ids, "Organization", "organizationIds")
        routine = w.ids(input.routine_cycle_ids, "AssessmentCycle", "routineCycleIds")
        period = Period(input.period_start, input.period_end)
        routine_organizers = [cycle_organizer(w, c).organizer_id for c in routine]
        return w.allow_if(policy.may_create_cycle, str(organizer), [str(o) for o in assessed],
                          routine_organizers).call(
            w.app.draft_cycle, title=input.title, kind=input.kind, period=period,
            organizer_id=organizer, organization_ids=assessed, scheme=input.scheme.to_domain(),
            cadence=input.cadence, routine_cycle_ids=routine, reason=input.reason)

    @write(CYCLE, "change this cycle's scheme")
    def revise_cycle_scheme(w: Writer, input: ReviseSchemeInput) -> Command[None]:
        cycle = w.id(input.cycle_id, "AssessmentCycle", "cycleId")
        return w.allow_if(policy.may_run_cycle, *cycle_parties(w, cycle)).call(
            w.app.revise_cycle_scheme, cycle, scheme=input.scheme.to_domain(),
            reason=input.reason)

    @write(CYCLE, "open this cycle")
    def open_cycle(w: Writer, input: OpenCycleInput) -> Command[None]:
        cycle = w.id(input.cycle_id, "AssessmentCycle", "cycleId")
        indicators = w.ids(input.indicator_ids, "LibraryIndicator", "indicatorIds")
        return w.allow_if(policy.may_run_cycle, *cycle_parties(w, cycle)).call(
            w.app.open_cycle, cycle, indicator_ids=indicators, reason=input.reason)

    @write(CYCLE, "advance this cycle",
           description="To the next stage: self-evaluation, higher-level scoring, review.")
    def advance_cycle(w: Writer, input: CycleStepInput) -> Command[None]:
        return cycle_step(w, input, policy.may_run_cycle, w.app.advance_cycle)

    @write(CYCLE, "publish this cycle")
    def publish_cycle(w: Writer, input: CycleStepInput) -> Command[None]:
        return cycle_step(w, input, policy.may_administer_cycle, w.app.publish_cycle)

    @write(CYCLE, "lock this cycle")
    def lock_cycle(w: Writer, input: CycleStepInput) -> Command[None]:
        return cycle_step(w, input, policy.may_administer_cycle, w.app.lock_cycle)

    @write(CYCLE, "ask to reopen this cycle")
    def request_cycle_reopen(w: Writer, input: CycleStepInput) -> Command[None]:
        return cycle_step(w, input, policy.may_run_cycle, w.app.request_reopen)

    @write(CYCLE, "reopen this cycle", description="Approve another person's request to reopen.")
    def approve_cycle_reopen(w: Writer, input: CycleStepInput) -> Command[None]:
        return cycle_step(w, input, policy.may_administer_cycle, w.app.approve_reopen)

    @write(EVALUATION, lambda input: f"give {input.kind} evaluations here",
           description="Score an item, or revise one's score before publication.")
    def evaluate(w: Writer, input: EvaluateInput) -> Command[CardOf]:
        cycle = w.id(input.cycle_id, "AssessmentCycle", "cycleId")
        organization = w.id(input.organization_id, "Organization", "organizationId")
        item_kind, item = w.one_of(input.item_id, ("Goal", "LibraryIndicator"), "itemId")
        node = tree.organization(w.conn, str(organization))
        if node is None:
            raise NotFoundError("no such organisation", field="organizationId")
        goal = str(item) if item_kind == "Goal" else None
        assessed = cycle_parties(w, cycle)[1]
        return w.allow_if(policy.may_evaluate_in_cycle, assessed, input.kind, str(organization),
                          node.parent_id, goal).call(
            w.app.evaluate, cycle, organization_id=organization, item_id=item, kind=input.kind,
            points=input.points, rubric_level=input.rubric_level, comment=input.comment,
            evidence=input.evidence, reason=input.reason,
        ).answering((str(cycle), str(organization)))

    @write(EVALUATION, "correct this evaluation",
           description="After publication: a reasoned correction of an evaluation; nothing "
                       "is overwritten.")
    def correct_evaluation(w: Writer, input: CorrectEvaluationInput) -> Command[CardOf]:
        evaluation = w.id(input.evaluation_id, "Evaluation", "evaluationId")
        found = board.evaluation_scope(w.conn, str(evaluation))
        if found is None:
            raise NotFoundError("no such evaluation", field="evaluationId")
        cycle, organization, kind = found
        node = tree.organization(w.conn, organization)
        return w.allow_if(policy.may_correct_evaluation, *cycle_parties(w, UUID(cycle)), kind,
                          organization, node.parent_id if node else None,
                          board.evaluator_of(w.conn, str(evaluation)) or "").call(
            w.app.correct_evaluation, evaluation, reason=input.reason, points=input.points,
            rubric_level=input.rubric_level, comment=input.comment, evidence=input.evidence,
        ).answering((cycle, organization))

    @write(CYCLE, "import business scores for this cycle",
           description="业绩考评: business performance scores per organisation.")
    def import_business_scores(w: Writer, input: ImportBusinessScoresInput) -> Command[None]:
        cycle = w.id(input.cycle_id, "AssessmentCycle", "cycleId")
        scores = {w.id(s.organization_id, "Organization", "scores.organizationId"): s.score
                  for s in input.scores}
        return w.allow_if(policy.may_run_cycle, *cycle_parties(w, cycle),
                          [str(o) for o in scores]).call(
            w.app.import_business_scores, cycle, scores=scores, reason=input.reason)

    @write(ADJUSTMENT, "propose bonus or deduction items here",
           description="加减分: propose a bonus or deduction item.")
    def propose_adjustment(w: Writer, input: ProposeAdjustmentInput) -> Command[None]:
        cycle = w.id(input.cycle_id, "AssessmentCycle", "cycleId")
        organization = w.id(input.organization_id, "Organization", "organizationId")
        return w.allow_if(policy.may_run_cycle, *cycle_parties(w, cycle),
                          [str(organization)]).call(
            w.app.propose_adjustment, cycle, organization_id=organization, item=input.item,
            points=input.points, reason=input.reason)

    @write(CYCLE, "approve bonus or deduction items here",
           description="Approve a bonus or deduction item someone else proposed.")
    def approve_adjustment(w: Writer, input: ApproveAdjustmentInput) -> Command[None]:
        cycle = w.id(input.cycle_id, "AssessmentCycle", "cycleId")
        adjustment = w.id(input.adjustment_id, "Adjustment", "adjustmentId")
        return w.allow_if(policy.may_administer_cycle, *cycle_parties(w, cycle)).call(
            w.app.approve_adjustment, cycle, adjustment_id=adjustment, reason=input.reason)

    @write(CYCLE, "change vetoes in this cycle",
           description="一票否决: apply a veto condition of the scheme.")
    def apply_veto(w: Writer, input: VetoInput) -> Command[None]:
        return veto_step(w, input, w.app.apply_veto)

    @write(CYCLE, "change vetoes in this cycle")
    def lift_veto(w: Writer, input: VetoInput) -> Command[None]:
        return veto_step(w, input, w.app.lift_veto)
