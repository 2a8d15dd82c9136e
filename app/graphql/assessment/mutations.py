"""The assessment API's mutations: a use case each, authorised by the policy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from app import policy
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
from app.graphql.assessment.types import (
    AssessmentCycle,
    Indicator,
    ScoreCardView,
    score_card_view,
)
from app.graphql.core import mutations as m
from app.graphql.kit.acks import Acknowledged
from app.graphql.kit.context import Context
from app.graphql.kit.errors import UserError
from app.graphql.kit.ids import BadIdError, from_global_id, to_global_id
from app.graphql.kit.permissions import AUTHENTICATED
from domain.app_base import Written
from domain.errors import NotFoundError
from domain.values import Period
from projections import organization_tree as tree
from projections import scoreboard as board


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


def cycle_payload(info: Info[Context, None],
                  result: tuple[Written | None, list[UserError]]) -> CyclePayload:
    written, errors = result
    found = board.cycle(info.context.conn, str(written.id)) if written else None
    return CyclePayload(cycle=AssessmentCycle.of(found, None) if found else None,
                        user_errors=errors)


def indicator_payload(info: Info[Context, None],
                      result: tuple[Written | None, list[UserError]]) -> IndicatorPayload:
    written, errors = result
    found = next((vars(e) for e in board.library(info.context.conn)
                  if written and e.id == str(written.id)), None)
    return IndicatorPayload(indicator=Indicator.of(found) if found else None,
                            user_errors=errors)


def cycle_organizer(info: Info[Context, None], cycle_id: UUID) -> board.Cycle:
    found = board.cycle(info.context.conn, str(cycle_id))
    if found is None:
        raise NotFoundError(f"no assessment cycle with id {cycle_id}", field="cycleId")
    return found


def principal_check(info: Info[Context, None],
                    decide: Callable[..., bool], *args: Any) -> Callable[[], bool]:
    return m.asks(info, decide, *args)


def cycle_parties(info: Info[Context, None], cycle_id: UUID) -> tuple[str, list[str]]:
    """A cycle's organiser and the organisations it assesses, for the policy."""
    found = cycle_organizer(info, cycle_id)
    return found.organizer_id, list(found.organization_ids)


def item_id_of(global_id: str) -> tuple[str, UUID]:
    try:
        kind, item = from_global_id(global_id)
    except BadIdError as error:
        raise NotFoundError(str(error), field="itemId") from None
    if kind not in ("Goal", "LibraryIndicator"):
        raise NotFoundError("itemId must name a Goal or a LibraryIndicator", field="itemId")
    return kind, item


def card_payload(info: Info[Context, None], result: tuple[Written | None, list[UserError]],
                 cycle_id: str, organization_id: str | None) -> EvaluationPayload:
    written, errors = result
    card = None
    if written is not None and organization_id is not None:
        found = card_at(info, strawberry.ID(to_global_id("AssessmentCycle", cycle_id)),
                        strawberry.ID(to_global_id("Organization", organization_id)), None)
        if found is not None:
            card = score_card_view(info, found[0], found[1], None, found[2])
    return EvaluationPayload(
        evaluation_id=strawberry.ID(to_global_id("Evaluation", written.id)) if written else None,
        score_card=card, user_errors=errors)


@strawberry.type
class AssessmentMutation:
    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def define_indicator(self, info: Info[Context, None],
                               input: DefineIndicatorInput) -> IndicatorPayload:
        def prepare() -> m.Prepared:
            return principal_check(info, policy.may_curate_indicators), lambda: m.domain(
                info).define_indicator(m.actor(info), item=input.item, content=input.content,
                                       criteria=input.criteria, max_points=input.max_points,
                                       rubric=rubric(input.rubric), reason=input.reason)
        return indicator_payload(info, await m.run(info, prepare, "keep the indicator library"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def revise_indicator(self, info: Info[Context, None],
                               input: ReviseIndicatorInput) -> IndicatorPayload:
        def prepare() -> m.Prepared:
            indicator = m.ids(input.indicator_id, "LibraryIndicator", "indicatorId")
            return principal_check(info, policy.may_curate_indicators), lambda: m.domain(
                info).revise_indicator(m.actor(info), indicator, item=input.item,
                                       content=input.content, criteria=input.criteria,
                                       max_points=input.max_points,
                                       rubric=rubric(input.rubric), reason=input.reason)
        return indicator_payload(info, await m.run(info, prepare, "keep the indicator library"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def draft_cycle(self, info: Info[Context, None],
                          input: DraftCycleInput) -> CyclePayload:
        def prepare() -> m.Prepared:
            organizer = m.ids(input.organizer_id, "Organization", "organizerId")
            assessed = [m.ids(o, "Organization", "organizationIds")
                        for o in input.organization_ids]
            routine = [m.ids(c, "AssessmentCycle", "routineCycleIds")
                       for c in input.routine_cycle_ids]
            period = Period(input.period_start, input.period_end)
            routine_organizers = [cycle_organizer(info, c).organizer_id for c in routine]
            allowed = principal_check(info, policy.may_create_cycle, str(organizer),
                                      [str(o) for o in assessed], routine_organizers)
            return allowed, lambda: m.domain(info).draft_cycle(
                m.actor(info), title=input.title, kind=input.kind, period=period,
                organizer_id=organizer, organization_ids=assessed,
                scheme=input.scheme.to_domain(), cadence=input.cadence,
                routine_cycle_ids=routine, reason=input.reason)
        return cycle_payload(info, await m.run(info, prepare, "run assessments here"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def revise_cycle_scheme(self, info: Info[Context, None],
                                  input: ReviseSchemeInput) -> CyclePayload:
        def prepare() -> m.Prepared:
            cycle = m.ids(input.cycle_id, "AssessmentCycle", "cycleId")
            allowed = principal_check(info, policy.may_run_cycle, *cycle_parties(info, cycle))
            return allowed, lambda: m.domain(info).revise_cycle_scheme(
                m.actor(info), cycle, scheme=input.scheme.to_domain(), reason=input.reason)
        return cycle_payload(info, await m.run(info, prepare, "change this cycle's scheme"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def open_cycle(self, info: Info[Context, None], input: OpenCycleInput) -> CyclePayload:
        def prepare() -> m.Prepared:
            cycle = m.ids(input.cycle_id, "AssessmentCycle", "cycleId")
            indicators = [m.ids(i, "LibraryIndicator", "indicatorIds")
                          for i in input.indicator_ids]
            allowed = principal_check(info, policy.may_run_cycle, *cycle_parties(info, cycle))
            return allowed, lambda: m.domain(info).open_cycle(
                m.actor(info), cycle, indicator_ids=indicators, reason=input.reason)
        return cycle_payload(info, await m.run(info, prepare, "open this cycle"))

    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="To the next stage: self-evaluation, higher-level "
                                     "scoring, review.")
    async def advance_cycle(self, info: Info[Context, None],
                            input: CycleStepInput) -> CyclePayload:
        return cycle_payload(info, await cycle_step(info, input, policy.may_run_cycle,
                                                    "advance_cycle", "advance this cycle"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def publish_cycle(self, info: Info[Context, None],
                            input: CycleStepInput) -> CyclePayload:
        return cycle_payload(info, await cycle_step(info, input, policy.may_administer_cycle,
                                                    "publish_cycle", "publish this cycle"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def lock_cycle(self, info: Info[Context, None], input: CycleStepInput) -> CyclePayload:
        return cycle_payload(info, await cycle_step(info, input, policy.may_administer_cycle,
                                                    "lock_cycle", "lock this cycle"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def request_cycle_reopen(self, info: Info[Context, None],
                                   input: CycleStepInput) -> CyclePayload:
        return cycle_payload(info, await cycle_step(info, input, policy.may_run_cycle,
                                                    "request_reopen",
                                                    "ask to reopen this cycle"))

    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="Approve another person's request to reopen.")
    async def approve_cycle_reopen(self, info: Info[Context, None],
                                   input: CycleStepInput) -> CyclePayload:
        return cycle_payload(info, await cycle_step(info, input, policy.may_administer_cycle,
                                                    "approve_reopen", "reopen this cycle"))

    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="Score an item, or revise one's score before publication.")
    async def evaluate(self, info: Info[Context, None], input: EvaluateInput,
                       ) -> EvaluationPayload:
        organization = None

        def prepare() -> m.Prepared:
            nonlocal organization
            cycle = m.ids(input.cycle_id, "AssessmentCycle", "cycleId")
            organization = m.ids(input.organization_id, "Organization", "organizationId")
            item_kind, item = item_id_of(input.item_id)
            node = tree.organization(info.context.conn, str(organization))
            if node is None:
                raise NotFoundError("no such organisation", field="organizationId")
            goal = str(item) if item_kind == "Goal" else None
            assessed = cycle_parties(info, cycle)[1]
            return principal_check(info, policy.may_evaluate_in_cycle, assessed, input.kind,
                                   str(organization), node.parent_id, goal), lambda: m.domain(
                info).evaluate(
                m.actor(info), cycle, organization_id=organization, item_id=item,
                kind=input.kind, points=input.points, rubric_level=input.rubric_level,
                comment=input.comment, evidence=input.evidence, reason=input.reason)
        result = await m.run(info, prepare, f"give {input.kind} evaluations here")
        return card_payload(info, result, str(m.ids(input.cycle_id, "AssessmentCycle",
                                                    "cycleId")) if result[0] else "",
                            str(organization) if organization else None)

    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="After publication: a reasoned correction of an "
                                     "evaluation; nothing is overwritten.")
    async def correct_evaluation(self, info: Info[Context, None],
                                 input: CorrectEvaluationInput) -> EvaluationPayload:
        located: tuple[str, str] | None = None

        def prepare() -> m.Prepared:
            nonlocal located
            evaluation = m.ids(input.evaluation_id, "Evaluation", "evaluationId")
            found = board.evaluation_scope(info.context.conn, str(evaluation))
            if found is None:
                raise NotFoundError("no such evaluation", field="evaluationId")
            located = found[0], found[1]
            cycle, organization, kind = found
            node = tree.organization(info.context.conn, organization)
            allowed = principal_check(
                info, policy.may_correct_evaluation, *cycle_parties(info, UUID(cycle)), kind,
                organization, node.parent_id if node else None,
                board.evaluator_of(info.context.conn, str(evaluation)) or "")
            return allowed, lambda: m.domain(
                info).correct_evaluation(
                m.actor(info), evaluation, reason=input.reason, points=input.points,
                rubric_level=input.rubric_level, comment=input.comment,
                evidence=input.evidence)
        result = await m.run(info, prepare, "correct this evaluation")
        return card_payload(info, result, located[0] if located else "",
                            located[1] if located else None)

    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="业绩考评: business performance scores per organisation.")
    async def import_business_scores(self, info: Info[Context, None],
                                     input: ImportBusinessScoresInput) -> CyclePayload:
        def prepare() -> m.Prepared:
            cycle = m.ids(input.cycle_id, "AssessmentCycle", "cycleId")
            scores = {m.ids(s.organization_id, "Organization", "scores.organizationId"):
                      s.score for s in input.scores}
            allowed = principal_check(info, policy.may_run_cycle, *cycle_parties(info, cycle),
                                      [str(o) for o in scores])
            return allowed, lambda: m.domain(info).import_business_scores(
                m.actor(info), cycle, scores=scores, reason=input.reason)
        return cycle_payload(info, await m.run(info, prepare,
                                               "import business scores for this cycle"))

    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="加减分: propose a bonus or deduction item.")
    async def propose_adjustment(self, info: Info[Context, None],
                                 input: ProposeAdjustmentInput) -> AdjustmentPayload:
        def prepare() -> m.Prepared:
            cycle = m.ids(input.cycle_id, "AssessmentCycle", "cycleId")
            organization = m.ids(input.organization_id, "Organization", "organizationId")
            allowed = principal_check(info, policy.may_run_cycle, *cycle_parties(info, cycle),
                                      [str(organization)])
            return allowed, lambda: m.domain(info).propose_adjustment(
                m.actor(info), cycle, organization_id=organization, item=input.item,
                points=input.points, reason=input.reason)
        written, errors = await m.run(info, prepare, "propose bonus or deduction items here")
        found = (board.cycle(info.context.conn, str(m.ids(input.cycle_id, "AssessmentCycle",
                                                           "cycleId")))
                 if written else None)
        return AdjustmentPayload(
            adjustment_id=strawberry.ID(to_global_id("Adjustment", written.id))
            if written else None,
            cycle=AssessmentCycle.of(found, None) if found else None, user_errors=errors)

    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="Approve a bonus or deduction item someone else proposed.")
    async def approve_adjustment(self, info: Info[Context, None],
                                 input: ApproveAdjustmentInput) -> CyclePayload:
        def prepare() -> m.Prepared:
            cycle = m.ids(input.cycle_id, "AssessmentCycle", "cycleId")
            adjustment = m.ids(input.adjustment_id, "Adjustment", "adjustmentId")
            allowed = principal_check(info, policy.may_administer_cycle,
                                      *cycle_parties(info, cycle))
            return allowed, lambda: m.domain(
                info).approve_adjustment(m.actor(info), cycle, adjustment_id=adjustment,
                                         reason=input.reason)
        return cycle_payload(info, await m.run(info, prepare,
                                               "approve bonus or deduction items here"))

    @strawberry.mutation(permission_classes=AUTHENTICATED,
                         description="一票否决: apply a veto condition of the scheme.")
    async def apply_veto(self, info: Info[Context, None], input: VetoInput) -> CyclePayload:
        return cycle_payload(info, await veto_step(info, input, "apply_veto"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def lift_veto(self, info: Info[Context, None], input: VetoInput) -> CyclePayload:
        return cycle_payload(info, await veto_step(info, input, "lift_veto"))


async def cycle_step(info: Info[Context, None], input: CycleStepInput,
                     decide: Callable[..., bool], use_case: str,
                     what: str) -> tuple[Written | None, list[UserError]]:
    def prepare() -> m.Prepared:
        cycle = m.ids(input.cycle_id, "AssessmentCycle", "cycleId")
        call = getattr(m.domain(info), use_case)
        return principal_check(info, decide, *cycle_parties(info, cycle)), lambda: call(
            m.actor(info), cycle, reason=input.reason)
    return await m.run(info, prepare, what)


async def veto_step(info: Info[Context, None], input: VetoInput,
                    use_case: str) -> tuple[Written | None, list[UserError]]:
    def prepare() -> m.Prepared:
        cycle = m.ids(input.cycle_id, "AssessmentCycle", "cycleId")
        organization = m.ids(input.organization_id, "Organization", "organizationId")
        call = getattr(m.domain(info), use_case)
        allowed = principal_check(info, policy.may_run_cycle, *cycle_parties(info, cycle),
                                  [str(organization)])
        return allowed, lambda: call(
            m.actor(info), cycle, organization_id=organization, condition=input.condition,
            reason=input.reason)
    return await m.run(info, prepare, "change vetoes in this cycle")
