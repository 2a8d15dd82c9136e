"""Assessment use cases: the indicator library, cycles, evaluations, business scores, bonus
and deduction items, vetoes, corrections, and the two-person reopening."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from domain.app_base import Written
from domain.assessment import EvaluatorKind, Item, evaluation_id, scorer_id
from domain.cycles import AssessmentCycle
from domain.errors import InvalidInputError, NotFoundError
from domain.evaluations import Evaluation
from domain.goals import Goal
from domain.indicators import LibraryIndicator
from domain.measure_cases import MeasureCases
from domain.measures import Measure, meeting_compliance
from domain.organizations import Organization
from domain.scorers import Scorer
from domain.values import GoalStatus, Period, QualitativeIndicator, parse_enum

SCORABLE_GOALS = (GoalStatus.ISSUED, GoalStatus.CLOSED)


class AssessmentCases(MeasureCases):

    # ---- the indicator library ---------------------------------------------------------------

    def define_indicator(self, actor: str, *, item: str, content: str, criteria: str,
                         max_points: Any, rubric: Sequence[Mapping[str, Any]] | None = None,
                         source: str | None = None, reason: str = "",
                         id: UUID | None = None) -> Written:
        indicator = LibraryIndicator.define(
            id=self._new_id(id), actor=actor, item=item, content=content, criteria=criteria,
            max_points=max_points, rubric=rubric, source=source, reason=reason)
        return Written(indicator.id, self.commit(actor, indicator))

    def revise_indicator(self, actor: str, indicator_id: UUID, *, item: str, content: str,
                         criteria: str, max_points: Any, reason: str,
                         rubric: Sequence[Mapping[str, Any]] | None = None,
                         source: str | None = None) -> Written:
        indicator = self.get(LibraryIndicator, indicator_id)
        indicator.revise(actor=actor, reason=reason, item=item, content=content,
                         criteria=criteria, max_points=max_points, rubric=rubric,
                         source=source)
        return Written(indicator.id, self.commit(actor, indicator))

    # ---- cycles ------------------------------------------------------------------------------

    def draft_cycle(self, actor: str, *, title: str, kind: str, period: Period,
                    organizer_id: UUID, organization_ids: Sequence[UUID],
                    scheme: Mapping[str, Any], cadence: str | None = None,
                    routine_cycle_ids: Sequence[UUID] = (), reason: str = "",
                    id: UUID | None = None) -> Written:
        organizer = self.get(Organization, organizer_id, "organizerId")
        organizer.check_active()
        for organization_id in organization_ids:
            self.get(Organization, organization_id, "organizationIds").check_active()
        routine = [self.get(AssessmentCycle, cycle_id, "routineCycleIds")
                   for cycle_id in routine_cycle_ids]
        cycle = AssessmentCycle.draft(
            id=self._new_id(id), actor=actor, title=title, kind=kind, period=period,
            organizer_id=organizer.id, organization_ids=organization_ids, scheme=scheme,
            cadence=cadence, routine_cycles=routine, reason=reason)
        return Written(cycle.id, self.commit(actor, cycle))

    def revise_cycle_scheme(self, actor: str, cycle_id: UUID, *, scheme: Mapping[str, Any],
                            reason: str = "") -> Written:
        cycle = self.get(AssessmentCycle, cycle_id)
        cycle.revise_scheme(actor=actor, scheme=scheme, reason=reason)
        return Written(cycle.id, self.commit(actor, cycle))

    def open_cycle(self, actor: str, cycle_id: UUID, *, indicator_ids: Sequence[UUID] = (),
                   reason: str = "") -> Written:
        """Open the cycle, copying the current version of each chosen library indicator."""
        cycle = self.get(AssessmentCycle, cycle_id)
        indicators = [self.get(LibraryIndicator, i, "indicatorIds") for i in indicator_ids]
        cycle.open(actor=actor, indicators=indicators, reason=reason)
        return Written(cycle.id, self.commit(actor, cycle))

    def advance_cycle(self, actor: str, cycle_id: UUID, *, reason: str = "") -> Written:
        cycle = self.get(AssessmentCycle, cycle_id)
        cycle.advance(actor=actor, reason=reason)
        return Written(cycle.id, self.commit(actor, cycle))

    def publish_cycle(self, actor: str, cycle_id: UUID, *, reason: str = "") -> Written:
        """Publish, freezing the computed indicators' values as the records stand now."""
        cycle = self.get(AssessmentCycle, cycle_id)
        cycle.publish(actor=actor, measures=self.measures_of(cycle), reason=reason)
        return Written(cycle.id, self.commit(actor, cycle))

    def measures_of(self, cycle: AssessmentCycle) -> dict[UUID, dict[str, Measure]]:
        """Each assessed organisation's computed indicators, measured over the cycle's period
        from the records as they stand."""
        computed = [i["id"] for i in cycle.computed_indicators]
        if not computed:
            return {}
        facts = self.meeting_facts(cycle.organization_ids)
        return {organization_id: dict.fromkeys(computed, meeting_compliance(
                    facts[organization_id], cycle.period))
                for organization_id in cycle.organization_ids}

    def scored_in(self, cycle_id: UUID, actor: str) -> bool:
        return self.exists(scorer_id(cycle_id, actor))

    def lock_cycle(self, actor: str, cycle_id: UUID, *, reason: str = "") -> Written:
        cycle = self.get(AssessmentCycle, cycle_id)
        cycle.lock(actor=actor, scored_in_cycle=self.scored_in(cycle.id, actor), reason=reason)
        return Written(cycle.id, self.commit(actor, cycle))

    def request_reopen(self, actor: str, cycle_id: UUID, *, reason: str) -> Written:
        cycle = self.get(AssessmentCycle, cycle_id)
        cycle.request_reopen(actor=actor, reason=reason)
        return Written(cycle.id, self.commit(actor, cycle))

    def approve_reopen(self, actor: str, cycle_id: UUID, *, reason: str) -> Written:
        cycle = self.get(AssessmentCycle, cycle_id)
        cycle.approve_reopen(actor=actor, scored_in_cycle=self.scored_in(cycle.id, actor),
                             reason=reason)
        return Written(cycle.id, self.commit(actor, cycle))

    def import_business_scores(self, actor: str, cycle_id: UUID, *,
                               scores: Mapping[UUID, Any], reason: str = "") -> Written:
        cycle = self.get(AssessmentCycle, cycle_id)
        cycle.import_business_scores(actor=actor, scores=scores, reason=reason)
        return Written(cycle.id, self.commit(actor, cycle))

    def propose_adjustment(self, actor: str, cycle_id: UUID, *, organization_id: UUID,
                           item: str, points: Any, reason: str) -> Written:
        """A bonus or deduction item (加减分); counts once another person approves it.
        Returns the new item's id."""
        cycle = self.get(AssessmentCycle, cycle_id)
        adjustment_id = uuid4()
        cycle.propose_adjustment(actor=actor, adjustment_id=adjustment_id,
                                 organization_id=organization_id, item=item, points=points,
                                 reason=reason)
        return Written(adjustment_id, self.commit(actor, cycle, record=adjustment_id))

    def approve_adjustment(self, actor: str, cycle_id: UUID, *, adjustment_id: UUID,
                           reason: str = "") -> Written:
        cycle = self.get(AssessmentCycle, cycle_id)
        cycle.approve_adjustment(actor=actor, adjustment_id=adjustment_id, reason=reason)
        return Written(cycle.id, self.commit(actor, cycle))

    def apply_veto(self, actor: str, cycle_id: UUID, *, organization_id: UUID, condition: str,
                   reason: str) -> Written:
        cycle = self.get(AssessmentCycle, cycle_id)
        cycle.apply_veto(actor=actor, organization_id=organization_id, condition=condition,
                         reason=reason)
        return Written(cycle.id, self.commit(actor, cycle))

    def lift_veto(self, actor: str, cycle_id: UUID, *, organization_id: UUID, condition: str,
                  reason: str) -> Written:
        cycle = self.get(AssessmentCycle, cycle_id)
        cycle.lift_veto(actor=actor, organization_id=organization_id, condition=condition,
                        reason=reason)
        return Written(cycle.id, self.commit(actor, cycle))

    # ---- evaluations -------------------------------------------------------------------------

    def item_of(self, cycle: AssessmentCycle, organization_id: UUID, item_id: UUID) -> Item:
        """A cycle indicator, or an issued goal of the assessed organisation in the period."""
        indicator = cycle.indicator(item_id)
        if indicator is not None and indicator.get("source"):
            raise InvalidInputError("a computed indicator takes its value from the records "
                                    "(e.g. 三会一课完成率); it is not scored by hand",
                                    field="itemId")
        if indicator is not None:
            return Item(item_id, "indicator", Decimal(str(indicator["max_points"])),
                        indicator["rubric"])
        if not self.exists(item_id):
            raise NotFoundError("no goal or cycle indicator with that id", field="itemId")
        goal = self.get(Goal, item_id, "itemId")
        if goal.organization_id != organization_id:
            raise InvalidInputError("the goal belongs to another organisation", field="itemId")
        if goal.status not in SCORABLE_GOALS:
            raise InvalidInputError("only issued or closed goals are scored", field="itemId")
        if goal.period_end < cycle.period_start or goal.period_start > cycle.period_end:
            raise InvalidInputError("the goal's period lies outside the cycle's",
                                    field="itemId")
        indicator_ = goal.indicator
        rubric = ([{"name": level.name, "points": level.score} for level in indicator_.levels]
                  if isinstance(indicator_, QualitativeIndicator) else None)
        return Item(item_id, "goal", Decimal(100), rubric)

    def evaluate(self, actor: str, cycle_id: UUID, *, organization_id: UUID, item_id: UUID,
                 kind: str, points: Any = None, rubric_level: str | None = None,
                 comment: str = "", evidence: Sequence[str] = (),
                 reason: str = "") -> Written:
        """Score an item (or revise one's earlier score of it, before publication)."""
        evaluator_kind = parse_enum(EvaluatorKind, kind, "kind")
        cycle = self.get(AssessmentCycle, cycle_id, "cycleId")
        item = self.item_of(cycle, organization_id, item_id)
        the_id = evaluation_id(cycle.id, organization_id, item_id, evaluator_kind, actor)
        scorer = self._enlist(cycle.id, actor)
        if self.exists(the_id):
            evaluation = self.get(Evaluation, the_id)
            evaluation.revise(actor=actor, cycle=cycle, item=item, points=points,
                              rubric_level=rubric_level, comment=comment, evidence=evidence,
                              reason=reason)
        else:
            self_id = evaluation_id(cycle.id, organization_id, item_id, EvaluatorKind.SELF, "")
            evaluation = Evaluation.record(
                id=the_id, actor=actor, cycle=cycle, organization_id=organization_id,
                item=item, kind=evaluator_kind, points=points, rubric_level=rubric_level,
                comment=comment, evidence=evidence, reason=reason,
                self_evaluated=(evaluator_kind is not EvaluatorKind.ORGANIZATIONAL
                                or self.exists(self_id)))
        return Written(evaluation.id, self.commit(actor, evaluation, scorer))

    def correct_evaluation(self, actor: str, evaluation_id_: UUID, *, reason: str,
                           points: Any = None, rubric_level: str | None = None,
                           comment: str = "", evidence: Sequence[str] = ()) -> Written:
        evaluation = self.get(Evaluation, evaluation_id_, "evaluationId")
        cycle = self.get(AssessmentCycle, evaluation.cycle_id)
        item = self.item_of(cycle, evaluation.organization_id, evaluation.item_id)
        evaluation.correct(actor=actor, cycle=cycle, item=item, reason=reason, points=points,
                           rubric_level=rubric_level, comment=comment, evidence=evidence)
        return Written(evaluation.id,
                       self.commit(actor, evaluation, self._enlist(cycle.id, actor)))

    def _enlist(self, cycle_id: UUID, actor: str) -> Scorer | None:
        """A person's first score in a cycle marks them as one who scored in it."""
        if self.scored_in(cycle_id, actor):
            return None
        return Scorer(id=scorer_id(cycle_id, actor), actor=actor, reason="", cycle_id=cycle_id)
