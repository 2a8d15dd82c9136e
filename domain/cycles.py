"""The assessment cycle (考核周期): its scheme, stages, organisations assessed, adjustments,
vetoes and business scores."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import event

from domain.assessment import (
    ADVANCES,
    SCORING_STAGES,
    Cadence,
    CycleKind,
    CycleStatus,
    EvaluatorKind,
    points_within,
)
from domain.base import DengtaAggregate, require_actor, require_reason
from domain.errors import (
    CycleLockedError,
    InvalidInputError,
    InvalidTransitionError,
    NotFoundError,
    SegregationOfDutiesError,
)
from domain.indicators import LibraryIndicator
from domain.measures import Measure
from domain.values import Period, parse_enum, require_text, to_decimal


def checked_scheme(data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a scheme (评价方案) and return its stored form."""
    weights = {parse_enum(EvaluatorKind, kind, "scheme.evaluatorWeights").value: int(weight)
               for kind, weight in dict(data.get("evaluator_weights", {})).items()}
    if any(not 0 <= w <= 100 for w in weights.values()) or sum(weights.values()) != 100:
        raise InvalidInputError("the evaluator kinds' weights must sum to 100",
                                field="scheme.evaluatorWeights")
    pb_weight = int(data.get("party_building_weight", 100))
    if not 0 <= pb_weight <= 100:
        raise InvalidInputError("the party-building weight lies between 0 and 100",
                                field="scheme.partyBuildingWeight")
    bands: list[dict[str, Any]] = [
        {"grade": require_text(str(b["grade"]), "scheme.gradeBands.grade", 20),
         "min": to_decimal(b["min"], "scheme.gradeBands.min")}
        for b in data.get("grade_bands", [])]
    if not bands or any(a["min"] <= b["min"] for a, b in pairwise(bands)):
        raise InvalidInputError("grade bands go from the best grade down, each with a lower "
                                "minimum", field="scheme.gradeBands")
    grades = {band["grade"] for band in bands}
    vetoes = [{"condition": require_text(str(v["condition"]), "scheme.vetoes.condition", 60),
               "description": str(v.get("description", "")).strip(),
               "cap": str(v["cap"])} for v in data.get("vetoes", [])]
    if any(v["cap"] not in grades for v in vetoes):
        raise InvalidInputError("a veto caps the grade at one of the bands' grades",
                                field="scheme.vetoes.cap")
    routine_weight = data.get("routine_weight")
    if routine_weight is not None and not 0 <= int(routine_weight) <= 100:
        raise InvalidInputError("the routine cycles' weight lies between 0 and 100",
                                field="scheme.routineWeight")
    return {"evaluator_weights": weights, "party_building_weight": pb_weight,
            "grade_bands": bands, "vetoes": vetoes,
            "routine_weight": None if routine_weight is None else int(routine_weight)}


# ---- the cycle -------------------------------------------------------------------------------

class AssessmentCycle(DengtaAggregate):
    """An assessment round (考核周期) run by an organising organisation over the organisations
    it assesses: drafted → opened → self-evaluation → higher-level scoring → under review →
    published → locked; reopened only by a request and another person's approval."""

    TOPIC = "dengta:AssessmentCycle"
    ENUM_FIELDS: ClassVar[dict[str, type[StrEnum]]] = {"kind": CycleKind,
                                                       "status": CycleStatus}

    class Created(DengtaAggregate.Created):
        TOPIC = "dengta:AssessmentCycle.Created"

    class Drafted(Created):
        TOPIC = "dengta:AssessmentCycle.Drafted"
        title: str
        kind: str
        cadence: str | None
        period_start: date
        period_end: date
        organizer_id: UUID
        organization_ids: list[UUID]
        scheme: dict[str, Any]
        routine_cycle_ids: list[UUID]

    class SchemeRevised(DengtaAggregate.Event):
        TOPIC = "dengta:AssessmentCycle.SchemeRevised"
        scheme: dict[str, Any]

    class Opened(DengtaAggregate.Event):
        """The indicator set is copied here: later library edits never reach this cycle."""

        TOPIC = "dengta:AssessmentCycle.Opened"
        indicators: list[dict[str, Any]]

    class Advanced(DengtaAggregate.Event):
        TOPIC = "dengta:AssessmentCycle.Advanced"
        status: str

    class Published(DengtaAggregate.Event):
        """The computed indicators' values are frozen here, so the chain covers what decided
        the scores and a replay finds them as published: organisation id -> indicator id ->
        `domain.measures.Measure` in its stored form."""

        TOPIC = "dengta:AssessmentCycle.Published"
        class_version = 2
        measures: dict[str, dict[str, dict[str, Any]]]

        @staticmethod
        def upcast_v1_v2(event_state: dict[str, Any]) -> None:
            event_state["measures"] = {}  # published before indicators were computed

    class Locked(DengtaAggregate.Event):
        TOPIC = "dengta:AssessmentCycle.Locked"

    class ReopenRequested(DengtaAggregate.Event):
        TOPIC = "dengta:AssessmentCycle.ReopenRequested"

    class Reopened(DengtaAggregate.Event):
        """The approval of a reopening request: back under review."""

        TOPIC = "dengta:AssessmentCycle.Reopened"
        requested_by: str

    class BusinessScoresImported(DengtaAggregate.Event):
        """业绩考评 scores per organisation (0-100); after publication, a correction."""

        TOPIC = "dengta:AssessmentCycle.BusinessScoresImported"
        scores: dict[str, Decimal]
        correction: bool

    class AdjustmentProposed(DengtaAggregate.Event):
        """A bonus (加分, points > 0) or deduction (减分, points < 0) item."""

        TOPIC = "dengta:AssessmentCycle.AdjustmentProposed"
        adjustment_id: UUID
        organization_id: UUID
        item: str
        points: Decimal

    class AdjustmentApproved(DengtaAggregate.Event):
        TOPIC = "dengta:AssessmentCycle.AdjustmentApproved"
        adjustment_id: UUID
        organization_id: UUID
        correction: bool

    class VetoApplied(DengtaAggregate.Event):
        """一票否决: a condition (e.g. a major negative incident) that caps the grade."""

        TOPIC = "dengta:AssessmentCycle.VetoApplied"
        organization_id: UUID
        condition: str
        correction: bool

    class VetoLifted(DengtaAggregate.Event):
        TOPIC = "dengta:AssessmentCycle.VetoLifted"
        organization_id: UUID
        condition: str
        correction: bool

    @event(Drafted)
    def __init__(self, *, id: UUID, actor: str, reason: str, title: str, kind: str,
                 cadence: str | None, period_start: date, period_end: date,
                 organizer_id: UUID, organization_ids: list[UUID], scheme: dict[str, Any],
                 routine_cycle_ids: list[UUID]) -> None:
        self.title = title
        self.kind = CycleKind(kind)
        self.cadence = cadence
        self.period_start = period_start
        self.period_end = period_end
        self.organizer_id = organizer_id
        self.organization_ids = organization_ids
        self.scheme = scheme
        self.scheme_version = 1
        self.routine_cycle_ids = routine_cycle_ids
        self.status = CycleStatus.DRAFTED
        self.indicators: list[dict[str, Any]] = []
        self.adjustments: dict[str, dict[str, Any]] = {}
        self.vetoes: list[dict[str, Any]] = []
        self.reopen_requested_by: str | None = None

    # ---- reading -----------------------------------------------------------------------------

    @property
    def period(self) -> Period:
        return Period(self.period_start, self.period_end)

    @property
    def is_published(self) -> bool:
        return self.status in (CycleStatus.PUBLISHED, CycleStatus.LOCKED)

    def assesses(self, organization_id: UUID) -> bool:
        return organization_id in self.organization_ids

    def indicator(self, indicator_id: UUID) -> dict[str, Any] | None:
        return next((i for i in self.indicators if i["id"] == str(indicator_id)), None)

    @property
    def computed_indicators(self) -> list[dict[str, Any]]:
        """The indicators of its set that are measured, not scored by hand."""
        return [i for i in self.indicators if i.get("source")]

    def check_changeable(self, reason: str, what: str) -> tuple[str, bool]:
        """Locked cycles refuse; published ones take corrections with a reason. Returns the
        reason to record and whether the change is a correction."""
        if self.status is CycleStatus.LOCKED:
            raise CycleLockedError("the cycle is locked; reopening needs a request and "
                                   "another person's approval", field="cycleId")
        if self.is_published:
            return require_reason(reason, f"{what} after publication is a correction"), True
        return reason.strip(), False

    def check_scoring(self, kind: EvaluatorKind) -> None:
        if self.status is CycleStatus.LOCKED:
            self.check_changeable("", "scoring")
        if self.status not in SCORING_STAGES[kind]:
            allowed = " or ".join(s.value for s in SCORING_STAGES[kind])
            raise InvalidTransitionError(
                f"{kind.value} evaluations are taken while the cycle is {allowed}, and it is "
                f"{self.status.value}", field="cycleId")

    # ---- deciding ----------------------------------------------------------------------------

    @classmethod
    def draft(cls, *, id: UUID, actor: str, title: str, kind: str, period: Period,
              organizer_id: UUID, organization_ids: Sequence[UUID],
              scheme: Mapping[str, Any], cadence: str | None = None,
              routine_cycles: Sequence[AssessmentCycle] = (),
              reason: str = "") -> AssessmentCycle:
        cycle_kind = parse_enum(CycleKind, kind, "kind")
        if cycle_kind is CycleKind.ROUTINE:
            cadence = parse_enum(Cadence, cadence or "", "cadence").value
            if routine_cycles:
                raise InvalidInputError("only an annual cycle composes routine cycles",
                                        field="routineCycleIds")
        else:
            cadence = None
        if not organization_ids or len(set(organization_ids)) != len(organization_ids):
            raise InvalidInputError("a cycle assesses one or more distinct organisations",
                                    field="organizationIds")
        stored = checked_scheme(scheme)
        for routine in routine_cycles:
            if routine.kind is not CycleKind.ROUTINE or not period.contains(routine.period):
                raise InvalidInputError("an annual cycle composes routine cycles of its period",
                                        field="routineCycleIds")
        if routine_cycles and stored["routine_weight"] is None:
            raise InvalidInputError("composing routine cycles needs their weight",
                                    field="scheme.routineWeight")
        return cls(id=id, actor=require_actor(actor), reason=reason.strip(),
                   title=require_text(title, "title", 100), kind=cycle_kind.value,
                   cadence=cadence, period_start=period.start, period_end=period.end,
                   organizer_id=organizer_id, organization_ids=list(organization_ids),
                   scheme=stored, routine_cycle_ids=[c.id for c in routine_cycles])

    def revise_scheme(self, *, actor: str, scheme: Mapping[str, Any], reason: str) -> None:
        if self.status is not CycleStatus.DRAFTED:
            reason, _ = self.check_changeable(reason, "changing the scheme")
            reason = require_reason(reason, "the scheme changes after the cycle opened")
        self._scheme_revised(actor=require_actor(actor), reason=reason,
                             scheme=checked_scheme(scheme))

    @event(SchemeRevised)
    def _scheme_revised(self, *, actor: str, reason: str, scheme: dict[str, Any]) -> None:
        self.scheme = scheme
        self.scheme_version += 1

    def open(self, *, actor: str, indicators: Sequence[LibraryIndicator],
             reason: str = "") -> None:
        if self.status is not CycleStatus.DRAFTED:
            raise InvalidTransitionError(f"only a drafted cycle opens; it is "
                                         f"{self.status.value}", field="id")
        self._opened(actor=require_actor(actor), reason=reason.strip(),
                     indicators=[indicator.copy() for indicator in indicators])

    @event(Opened)
    def _opened(self, *, actor: str, reason: str, indicators: list[dict[str, Any]]) -> None:
        self.indicators = indicators
        self.status = CycleStatus.OPENED

    def advance(self, *, actor: str, reason: str = "") -> None:
        """To the next stage: opened → self-evaluation → higher-level scoring → under review."""
        following = ADVANCES.get(self.status)
        if following is None:
            self.check_changeable(reason, "advancing")
            raise InvalidTransitionError(f"a cycle that is {self.status.value} does not "
                                         "advance", field="id")
        self._advanced(actor=require_actor(actor), reason=reason.strip(),
                       status=following.value)

    @event(Advanced)
    def _advanced(self, *, actor: str, reason: str, status: str) -> None:
        self.status = CycleStatus(status)

    def publish(self, *, actor: str, measures: Mapping[UUID, Mapping[str, Measure]],
                reason: str = "") -> None:
        """`measures`: each assessed organisation's computed indicators' values, measured now
        (by indicator id), to be frozen."""
        if self.status is not CycleStatus.UNDER_REVIEW:
            raise InvalidTransitionError("only a cycle under review is published",
                                         field="id")
        wanted = {i["id"] for i in self.computed_indicators}
        frozen = {str(organization_id): {indicator_id: measures[organization_id][indicator_id]
                                         .to_dict() for indicator_id in sorted(wanted)}
                  for organization_id in self.organization_ids if wanted}
        self._published(actor=require_actor(actor), reason=reason.strip(), measures=frozen)

    @event(Published)
    def _published(self, *, actor: str, reason: str,
                   measures: dict[str, dict[str, dict[str, Any]]]) -> None:
        self.status = CycleStatus.PUBLISHED
        self.reopen_requested_by = None

    def lock(self, *, actor: str, scored_in_cycle: bool, reason: str = "") -> None:
        if self.status is not CycleStatus.PUBLISHED:
            raise InvalidTransitionError("only a published cycle is locked", field="id")
        if scored_in_cycle:
            raise SegregationOfDutiesError("whoever scored in a cycle may not lock it",
                                           field="id")
        self._locked(actor=require_actor(actor), reason=reason.strip())

    @event(Locked)
    def _locked(self, *, actor: str, reason: str) -> None:
        self.status = CycleStatus.LOCKED

    def request_reopen(self, *, actor: str, reason: str) -> None:
        if not self.is_published:
            raise InvalidTransitionError("only a published or locked cycle is reopened",
                                         field="id")
        self._reopen_requested(actor=require_actor(actor),
                               reason=require_reason(reason, "reopening a cycle"))

    @event(ReopenRequested)
    def _reopen_requested(self, *, actor: str, reason: str) -> None:
        self.reopen_requested_by = actor

    def approve_reopen(self, *, actor: str, scored_in_cycle: bool, reason: str) -> None:
        if self.reopen_requested_by is None:
            raise InvalidTransitionError("nobody has asked to reopen this cycle", field="id")
        if actor == self.reopen_requested_by:
            raise SegregationOfDutiesError("the person who asked to reopen may not approve it",
                                           field="id")
        if scored_in_cycle:
            raise SegregationOfDutiesError("whoever scored in a cycle may not approve its "
                                           "reopening", field="id")
        self._reopened(actor=require_actor(actor),
                       reason=require_reason(reason, "approving a reopening"),
                       requested_by=self.reopen_requested_by)

    @event(Reopened)
    def _reopened(self, *, actor: str, reason: str, requested_by: str) -> None:
        self.status = CycleStatus.UNDER_REVIEW
        self.reopen_requested_by = None

    def import_business_scores(self, *, actor: str, scores: Mapping[UUID, Any],
                               reason: str = "") -> None:
        if self.status is CycleStatus.DRAFTED:
            raise InvalidTransitionError("business scores arrive once the cycle is open",
                                         field="cycleId")
        reason, correction = self.check_changeable(reason, "a business score")
        checked: dict[str, Decimal] = {}
        for organization_id, value in scores.items():
            if not self.assesses(organization_id):
                raise NotFoundError(f"{organization_id} is not assessed in this cycle",
                                    field="scores.organizationId")
            checked[str(organization_id)] = points_within(value, Decimal(100), "scores.score")
        if not checked:
            raise InvalidInputError("no scores to import", field="scores")
        self._business_imported(actor=require_actor(actor), reason=reason, scores=checked,
                                correction=correction)

    @event(BusinessScoresImported)
    def _business_imported(self, *, actor: str, reason: str, scores: dict[str, Decimal],
                           correction: bool) -> None:
        pass  # the scores live in the events and the scoreboard; no rule reads them back

    def propose_adjustment(self, *, actor: str, adjustment_id: UUID, organization_id: UUID,
                           item: str, points: Any, reason: str) -> None:
        if self.status in (CycleStatus.DRAFTED, CycleStatus.OPENED):
            raise InvalidTransitionError("bonus and deduction items come with the scoring",
                                         field="cycleId")
        self.check_changeable(reason, "a bonus or deduction")
        if not self.assesses(organization_id):
            raise NotFoundError("that organisation is not assessed in this cycle",
                                field="organizationId")
        value = to_decimal(points, "points")
        if value == 0 or abs(value) > 100:
            raise InvalidInputError("bonus or deduction points are non-zero, at most 100",
                                    field="points")
        self._adjustment_proposed(
            actor=require_actor(actor), reason=require_reason(reason, "a bonus or deduction"),
            adjustment_id=adjustment_id, organization_id=organization_id,
            item=require_text(item, "item", 100), points=value)

    @event(AdjustmentProposed)
    def _adjustment_proposed(self, *, actor: str, reason: str, adjustment_id: UUID,
                             organization_id: UUID, item: str, points: Decimal) -> None:
        self.adjustments[str(adjustment_id)] = {"proposer": actor, "approved": False,
                                                "organization_id": organization_id}

    def approve_adjustment(self, *, actor: str, adjustment_id: UUID, reason: str = "") -> None:
        reason, correction = self.check_changeable(reason, "approving a bonus or deduction")
        adjustment = self.adjustments.get(str(adjustment_id))
        if adjustment is None:
            raise NotFoundError("no such bonus or deduction item in this cycle",
                                field="adjustmentId")
        if adjustment["approved"]:
            raise InvalidTransitionError("already approved", field="adjustmentId")
        if adjustment["proposer"] == actor:
            raise SegregationOfDutiesError("the proposer of a bonus or deduction may not "
                                           "approve it", field="adjustmentId")
        self._adjustment_approved(actor=require_actor(actor), reason=reason,
                                  adjustment_id=adjustment_id,
                                  organization_id=adjustment["organization_id"],
                                  correction=correction)

    @event(AdjustmentApproved)
    def _adjustment_approved(self, *, actor: str, reason: str, adjustment_id: UUID,
                             organization_id: UUID, correction: bool) -> None:
        self.adjustments[str(adjustment_id)]["approved"] = True

    def apply_veto(self, *, actor: str, organization_id: UUID, condition: str,
                   reason: str) -> None:
        self.check_changeable(reason, "a veto")
        if not self.assesses(organization_id):
            raise NotFoundError("that organisation is not assessed in this cycle",
                                field="organizationId")
        if condition not in {v["condition"] for v in self.scheme["vetoes"]}:
            raise NotFoundError("the scheme has no such veto condition", field="condition")
        if any(v["organization_id"] == organization_id and v["condition"] == condition
               for v in self.vetoes):
            raise InvalidTransitionError("that veto already applies", field="condition")
        self._veto_applied(actor=require_actor(actor),
                           reason=require_reason(reason, "a veto"),
                           organization_id=organization_id, condition=condition,
                           correction=self.is_published)

    @event(VetoApplied)
    def _veto_applied(self, *, actor: str, reason: str, organization_id: UUID,
                      condition: str, correction: bool) -> None:
        self.vetoes.append({"organization_id": organization_id, "condition": condition})

    def lift_veto(self, *, actor: str, organization_id: UUID, condition: str,
                  reason: str) -> None:
        self.check_changeable(reason, "lifting a veto")
        entry = {"organization_id": organization_id, "condition": condition}
        if entry not in self.vetoes:
            raise NotFoundError("no such veto applies", field="condition")
        self._veto_lifted(actor=require_actor(actor),
                          reason=require_reason(reason, "lifting a veto"),
                          organization_id=organization_id, condition=condition,
                          correction=self.is_published)

    @event(VetoLifted)
    def _veto_lifted(self, *, actor: str, reason: str, organization_id: UUID,
                     condition: str, correction: bool) -> None:
        self.vetoes.remove({"organization_id": organization_id, "condition": condition})


# ---- evaluations ------------------------------------------------------------------------------
