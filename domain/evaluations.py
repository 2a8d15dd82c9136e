"""An evaluation (评价): one evaluator kind's score of one item of one organisation in a cycle,
revised before publication and corrected (with a reason) after it."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import event

from domain.assessment import (
    EvaluatorKind,
    Item,
    points_within,
)
from domain.base import DengtaAggregate, require_actor
from domain.cycles import AssessmentCycle
from domain.errors import (
    InvalidInputError,
    InvalidTransitionError,
    NotFoundError,
    SelfEvaluationFirstError,
)


class Evaluation(DengtaAggregate):
    """One evaluator kind's score of one item (goal or cycle indicator) of one organisation
    in one cycle. Before publication it is revised; afterwards only corrected, with a reason."""

    TOPIC = "dengta:Evaluation"
    ENUM_FIELDS: ClassVar[dict[str, type[StrEnum]]] = {"evaluator_kind": EvaluatorKind}

    class Created(DengtaAggregate.Created):
        TOPIC = "dengta:Evaluation.Created"

    class Recorded(Created):
        TOPIC = "dengta:Evaluation.Recorded"
        cycle_id: UUID
        organization_id: UUID
        item_id: UUID
        item_kind: str
        evaluator_kind: str
        points: Decimal
        max_points: Decimal
        rubric_level: str | None
        comment: str
        evidence: list[str]

    class Revised(DengtaAggregate.Event):
        TOPIC = "dengta:Evaluation.Revised"
        points: Decimal
        rubric_level: str | None
        comment: str
        evidence: list[str]

    class Corrected(DengtaAggregate.Event):
        """After publication: names the points it replaces, and why (in `reason`)."""

        TOPIC = "dengta:Evaluation.Corrected"
        points: Decimal
        replaces_points: Decimal
        rubric_level: str | None
        comment: str
        evidence: list[str]

    @event(Recorded)
    def __init__(self, *, id: UUID, actor: str, reason: str, cycle_id: UUID,
                 organization_id: UUID, item_id: UUID, item_kind: str, evaluator_kind: str,
                 points: Decimal, max_points: Decimal, rubric_level: str | None, comment: str,
                 evidence: list[str]) -> None:
        self.cycle_id = cycle_id
        self.organization_id = organization_id
        self.item_id = item_id
        self.item_kind = item_kind
        self.evaluator_kind = EvaluatorKind(evaluator_kind)
        self.evaluator = actor
        self.max_points = max_points
        self._score(points, rubric_level, comment, evidence)

    def _score(self, points: Decimal, rubric_level: str | None, comment: str,
               evidence: list[str]) -> None:
        self.points = points
        self.rubric_level = rubric_level
        self.comment = comment
        self.evidence = evidence

    @staticmethod
    def marks(points: Any, rubric_level: str | None, item: Item) -> tuple[Decimal, str | None]:
        """The points given, from a number or from a rubric level of the item."""
        if rubric_level is not None:
            level = next((lv for lv in item.rubric or [] if lv["name"] == rubric_level), None)
            if level is None:
                raise InvalidInputError("the item's rubric has no such level",
                                        field="rubricLevel")
            return Decimal(str(level["points"])), rubric_level
        if points is None:
            raise InvalidInputError("give points or a rubric level", field="points")
        return points_within(points, item.max_points), None

    @classmethod
    def record(cls, *, id: UUID, actor: str, cycle: AssessmentCycle, organization_id: UUID,
               item: Item, kind: EvaluatorKind, points: Any = None,
               rubric_level: str | None = None, comment: str = "",
               evidence: Sequence[str] = (), self_evaluated: bool = True,
               reason: str = "") -> Evaluation:
        cycle.check_scoring(kind)
        if not cycle.assesses(organization_id):
            raise NotFoundError("that organisation is not assessed in this cycle",
                                field="organizationId")
        if kind is EvaluatorKind.ORGANIZATIONAL and not self_evaluated:
            raise SelfEvaluationFirstError("the organisation's self-evaluation of this item "
                                           "comes before the higher level's scoring",
                                           field="itemId")
        value, level = cls.marks(points, rubric_level, item)
        return cls(id=id, actor=require_actor(actor), reason=reason.strip(),
                   cycle_id=cycle.id, organization_id=organization_id, item_id=item.id,
                   item_kind=item.kind, evaluator_kind=kind.value, points=value,
                   max_points=item.max_points, rubric_level=level, comment=comment.strip(),
                   evidence=[e.strip() for e in evidence if e.strip()])

    def revise(self, *, actor: str, cycle: AssessmentCycle, item: Item, points: Any = None,
               rubric_level: str | None = None, comment: str = "",
               evidence: Sequence[str] = (), reason: str = "") -> None:
        """Before publication: the evaluator changes their score."""
        cycle.check_scoring(self.evaluator_kind)
        value, level = self.marks(points, rubric_level, item)
        self._revised(actor=require_actor(actor), reason=reason.strip(), points=value,
                      rubric_level=level, comment=comment.strip(),
                      evidence=[e.strip() for e in evidence if e.strip()])

    @event(Revised)
    def _revised(self, *, actor: str, reason: str, points: Decimal, rubric_level: str | None,
                 comment: str, evidence: list[str]) -> None:
        self._score(points, rubric_level, comment, evidence)

    def correct(self, *, actor: str, cycle: AssessmentCycle, item: Item, reason: str,
                points: Any = None, rubric_level: str | None = None, comment: str = "",
                evidence: Sequence[str] = ()) -> None:
        """After publication: a correction names what it replaces and why; nothing is
        overwritten. A locked cycle refuses."""
        if not cycle.is_published:
            raise InvalidTransitionError("before publication an evaluation is revised, not "
                                         "corrected", field="evaluationId")
        reason, _ = cycle.check_changeable(reason, "changing an evaluation")
        value, level = self.marks(points, rubric_level, item)
        self._corrected(actor=require_actor(actor), reason=reason, points=value,
                        replaces_points=self.points, rubric_level=level,
                        comment=comment.strip() or self.comment,
                        evidence=[e.strip() for e in evidence if e.strip()] or self.evidence)

    @event(Corrected)
    def _corrected(self, *, actor: str, reason: str, points: Decimal, replaces_points: Decimal,
                   rubric_level: str | None, comment: str, evidence: list[str]) -> None:
        self._score(points, rubric_level, comment, evidence)
