"""The Goal aggregate: a party-building goal, its indicator, weight, lifecycle, progress and
responsibilities, decomposed level by level (任期 → 年度 → 具体)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import event

from domain.base import DengtaAggregate, require_actor, require_reason
from domain.errors import (
    DuplicateError,
    GoalNotModifiableError,
    HasActiveChildrenError,
    InvalidInputError,
    InvalidTransitionError,
    LetterSignedError,
    LevelMustStepDownError,
    NotFoundError,
    OutsideParentScopeError,
    PeriodOutsideParentError,
    PostRequiredError,
    WeightsMustSumTo100Error,
)
from domain.organizations import Organization
from domain.people import Person
from domain.values import (
    GoalField,
    GoalLevel,
    GoalStatus,
    Indicator,
    PartyKind,
    Period,
    QualitativeIndicator,
    ResponsibilityKind,
    indicator_from_dict,
    parse_enum,
    require_text,
    require_weight,
    to_decimal,
)

FINISHED = (GoalStatus.CLOSED, GoalStatus.CANCELLED)
# A final progress report may be effective this long after the goal's period (a year's
# last figures come in its first quarter).
PROGRESS_GRACE = timedelta(days=92)


class Goal(DengtaAggregate):
    TOPIC = "dengta:Goal"
    ENUM_FIELDS: ClassVar[dict[str, type[StrEnum]]] = {
        "level": GoalLevel, "field": GoalField, "status": GoalStatus,
    }

    class Created(DengtaAggregate.Created):
        TOPIC = "dengta:Goal.Created"

    class Drafted(Created):
        TOPIC = "dengta:Goal.Drafted"
        level: str
        parent_id: UUID | None
        organization_id: UUID
        field: str
        title: str
        description: str
        period_start: date
        period_end: date
        indicator: dict[str, Any]
        weight: int

    class Revised(DengtaAggregate.Event):
        """Changes the fields that are not None."""

        TOPIC = "dengta:Goal.Revised"
        title: str | None
        description: str | None
        field: str | None
        period_start: date | None
        period_end: date | None
        indicator: dict[str, Any] | None

    class Reweighted(DengtaAggregate.Event):
        TOPIC = "dengta:Goal.Reweighted"
        weight: int

    class SubgoalAdded(DengtaAggregate.Event):
        TOPIC = "dengta:Goal.SubgoalAdded"
        subgoal_id: UUID

    class Issued(DengtaAggregate.Event):
        TOPIC = "dengta:Goal.Issued"
        effective_date: date | None

    class Closed(DengtaAggregate.Event):
        TOPIC = "dengta:Goal.Closed"
        effective_date: date | None

    class Cancelled(DengtaAggregate.Event):
        TOPIC = "dengta:Goal.Cancelled"
        effective_date: date | None

    class BoundToLetter(DengtaAggregate.Event):
        """The goal's responsibility letter was signed: from now on it changes only through
        an amendment the letter's issuing side approved."""

        TOPIC = "dengta:Goal.BoundToLetter"
        letter_id: UUID

    class ProgressReported(DengtaAggregate.Event):
        TOPIC = "dengta:Goal.ProgressReported"
        value: Decimal | None
        rubric_level: str | None
        evidence: list[str]
        effective_date: date

    class ResponsibilityAssigned(DengtaAggregate.Event):
        TOPIC = "dengta:Goal.ResponsibilityAssigned"
        party_kind: str
        party_id: UUID
        kind: str
        effective_date: date | None

    class ResponsibilityRevoked(DengtaAggregate.Event):
        TOPIC = "dengta:Goal.ResponsibilityRevoked"
        party_kind: str
        party_id: UUID
        kind: str
        effective_date: date | None

    @event(Drafted)
    def __init__(
        self,
        *,
        id: UUID,
        actor: str,
        reason: str,
        level: str,
        parent_id: UUID | None,
        organization_id: UUID,
        field: str,
        title: str,
        description: str,
        period_start: date,
        period_end: date,
        indicator: dict[str, Any],
        weight: int,
    ) -> None:
        self.level = GoalLevel(level)
        self.parent_id = parent_id
        self.organization_id = organization_id
        self.field = GoalField(field)
        self.title = title
        self.description = description
        self.period_start = period_start
        self.period_end = period_end
        self.indicator_data = indicator
        self.weight = weight
        self.status = GoalStatus.DRAFTED
        self.subgoal_ids: list[UUID] = []
        self.responsibilities: list[dict[str, Any]] = []
        # The report history lives in the events; the aggregate keeps what rules may need.
        self.progress_reports = 0
        self.latest_progress: dict[str, Any] | None = None
        self.letter_id: UUID | None = None

    # ---- reading -------------------------------------------------------------------------

    @property
    def period(self) -> Period:
        return Period(self.period_start, self.period_end)

    @property
    def indicator(self) -> Indicator:
        return indicator_from_dict(self.indicator_data)

    @property
    def is_active(self) -> bool:
        return self.status not in FINISHED

    @property
    def bound_letter(self) -> UUID | None:
        """The signed letter this goal is on; snapshots older than letters lack the field."""
        letter_id: UUID | None = vars(self).get("letter_id")
        return letter_id

    def _check_unbound(self, amendment: UUID | None, letter: UUID | None = None) -> None:
        """A goal on a signed letter changes only by an approved amendment of that letter
        (`letter`: the letter the amendment belongs to, when the caller knows it)."""
        if self.bound_letter is not None and (
                amendment is None or (letter is not None and letter != self.bound_letter)):
            raise LetterSignedError(
                f"goal {self.title} is on a signed responsibility letter: propose an amendment "
                "and have the issuing side approve it", field="goalId")

    def check_listable(self) -> None:
        """A goal may go on a letter while it is live and on no other signed letter."""
        if self.status in FINISHED:
            raise GoalNotModifiableError(f"goal {self.title} is {self.status.value}",
                                         field="goalId")
        if self.bound_letter is not None:
            raise LetterSignedError(f"goal {self.title} is already on a signed letter",
                                    field="goalId")

    def bind_to_letter(self, *, actor: str, letter_id: UUID) -> None:
        self.check_listable()
        self._bound_to_letter(actor=require_actor(actor), reason="", letter_id=letter_id)

    def _holds(self, party_id: UUID, kind: ResponsibilityKind) -> bool:
        return any(r["party_id"] == party_id and r["kind"] == kind.value
                   for r in self.responsibilities)

    # ---- deciding ------------------------------------------------------------------------

    @classmethod
    def draft(
        cls,
        *,
        id: UUID,
        actor: str,
        level: str,
        organization: Organization,
        organization_ancestry: Sequence[UUID],
        parent: Goal | None,
        field: str,
        title: str,
        description: str,
        period: Period,
        indicator: Indicator,
        weight: int,
        reason: str = "",
    ) -> Goal:
        """Draft a goal; under `parent` it becomes a subgoal. `organization_ancestry` lists the
        owning organisation's ancestors, to keep subgoals inside the parent goal's subtree."""
        goal_level = parse_enum(GoalLevel, level, "level")
        organization.check_active()
        if parent is not None:
            parent._check_modifiable(reason)
            if goal_level.rank <= parent.level.rank:
                raise LevelMustStepDownError(
                    f"a {goal_level.value} goal cannot sit under a {parent.level.value} goal",
                    field="level",
                )
            if not parent.period.contains(period):
                raise PeriodOutsideParentError(
                    "the period must lie inside the parent goal's period", field="period"
                )
            if (parent.organization_id != organization.id
                    and parent.organization_id not in organization_ancestry):
                raise OutsideParentScopeError(
                    "a subgoal must belong to the parent goal's organisation or one below it",
                    field="organizationId",
                )
        goal = cls(
            id=id,
            actor=require_actor(actor),
            reason=reason.strip(),
            level=goal_level.value,
            parent_id=parent.id if parent else None,
            organization_id=organization.id,
            field=parse_enum(GoalField, field, "field").value,
            title=require_text(title, "title"),
            description=description.strip(),
            period_start=period.start,
            period_end=period.end,
            indicator=indicator.to_dict(),
            weight=require_weight(weight),
        )
        if parent is not None:
            parent._subgoal_added(actor=actor, reason=reason.strip(), subgoal_id=goal.id)
        return goal

    def _check_modifiable(self, reason: str) -> str:
        """Closed and cancelled goals are frozen; issued ones change only with a reason."""
        if self.status in FINISHED:
            raise GoalNotModifiableError(f"goal {self.title} is {self.status.value}")
        if self.status is GoalStatus.ISSUED:
            return require_reason(reason, "the goal has been issued")
        return reason.strip()

    def revise(
        self,
        *,
        actor: str,
        reason: str,
        parent: Goal | None,
        subgoals: Sequence[Goal],
        title: str | None = None,
        description: str | None = None,
        field: str | None = None,
        period: Period | None = None,
        indicator: Indicator | None = None,
        amendment: UUID | None = None,
        period_start: date | None = None,
        period_end: date | None = None,
    ) -> None:
        """`amendment`: the approved letter amendment this revision carries out, if any.
        `period_start`/`period_end`: one end of the period moved, the other kept."""
        why = self._check_modifiable(reason)
        self._check_unbound(amendment)
        if period is None and (period_start is not None or period_end is not None):
            period = Period(period_start or self.period_start, period_end or self.period_end)
        if period is not None:
            if parent is not None and not parent.period.contains(period):
                raise PeriodOutsideParentError(
                    "the period must lie inside the parent goal's period", field="period"
                )
            if any(g.is_active and not period.contains(g.period) for g in subgoals):
                raise PeriodOutsideParentError(
                    "the new period would leave subgoals outside it", field="period"
                )
        changes: dict[str, Any] = {
            "title": require_text(title, "title") if title is not None else None,
            "description": description.strip() if description is not None else None,
            "field": parse_enum(GoalField, field, "field").value if field is not None else None,
            "period_start": period.start if period else None,
            "period_end": period.end if period else None,
            "indicator": indicator.to_dict() if indicator is not None else None,
        }
        current = {
            "title": self.title, "description": self.description, "field": self.field,
            "period_start": self.period_start, "period_end": self.period_end,
            "indicator": self.indicator_data,
        }
        changes = {k: (v if v != current[k] else None) for k, v in changes.items()}
        if all(v is None for v in changes.values()):
            return
        self._revised(actor=require_actor(actor), reason=why, **changes)

    def reweight(self, *, actor: str, weight: int, reason: str,
                 amendment: tuple[UUID, UUID] | None = None) -> None:
        """`amendment`: (letter, amendment) when an approved letter amendment re-splits."""
        why = self._check_modifiable(reason)
        letter, approved = amendment if amendment else (None, None)
        self._check_unbound(approved, letter)
        if require_weight(weight) != self.weight:
            self._reweighted(actor=require_actor(actor), reason=why, weight=weight)

    def issue(
        self,
        *,
        actor: str,
        parent: Goal | None,
        subgoals: Sequence[Goal],
        effective_date: date | None = None,
        reason: str = "",
    ) -> None:
        if self.status is not GoalStatus.DRAFTED:
            raise InvalidTransitionError(f"only a drafted goal can be issued; this one is "
                                         f"{self.status.value}")
        if parent is not None and parent.status is not GoalStatus.ISSUED:
            raise InvalidTransitionError("issue the parent goal first", field="parentId")
        check_subgoal_weights(self, subgoals, will_be_issued=True)
        self._issued(actor=require_actor(actor), reason=reason.strip(),
                     effective_date=effective_date)

    def close(self, *, actor: str, effective_date: date | None = None, reason: str = "") -> None:
        if self.status is not GoalStatus.ISSUED:
            raise InvalidTransitionError(f"only an issued goal can be closed; this one is "
                                         f"{self.status.value}")
        self._closed(actor=require_actor(actor), reason=reason.strip(),
                     effective_date=effective_date)

    def cancel(
        self,
        *,
        actor: str,
        subgoals: Sequence[Goal],
        reason: str,
        effective_date: date | None = None,
        amendment: tuple[UUID, UUID] | None = None,
    ) -> None:
        """`amendment`: (letter, amendment) when an approved letter amendment cancels it."""
        why = self._check_modifiable(reason)
        letter, approved = amendment if amendment else (None, None)
        self._check_unbound(approved, letter)
        live = [g for g in subgoals if g.is_active]
        if live:
            raise HasActiveChildrenError(f"cancel or close its {len(live)} live subgoals first")
        self._cancelled(actor=require_actor(actor), reason=why, effective_date=effective_date)

    def report_progress(
        self,
        *,
        actor: str,
        effective_date: date,
        value: Any = None,
        rubric_level: str | None = None,
        evidence: Sequence[str] = (),
        reason: str = "",
    ) -> None:
        if self.status in FINISHED:
            raise GoalNotModifiableError(f"goal {self.title} is {self.status.value}")
        if self.status is not GoalStatus.ISSUED:
            raise InvalidTransitionError("progress is reported on issued goals only")
        indicator = self.indicator
        if isinstance(indicator, QualitativeIndicator):
            if value is not None or rubric_level is None:
                raise InvalidInputError("a qualitative goal takes a rubric level, not a value",
                                        field="rubricLevel")
            if indicator.level_named(rubric_level) is None:
                raise InvalidInputError(f"no rubric level named {rubric_level}",
                                        field="rubricLevel")
            number = None
        else:
            if value is None or rubric_level is not None:
                raise InvalidInputError("a quantitative goal takes a value, not a rubric level",
                                        field="value")
            number = to_decimal(value, "value")
        refs = [require_text(ref, "evidence", 500) for ref in evidence]
        latest = self.period_end + PROGRESS_GRACE
        if not self.period_start <= effective_date <= latest:
            raise InvalidInputError(
                f"progress is effective within the goal's period {self.period_start} to "
                f"{self.period_end} (or up to {PROGRESS_GRACE.days} days after it, for the "
                f"final report): not {effective_date}", field="effectiveDate")
        self._progress_reported(actor=require_actor(actor), reason=reason.strip(), value=number,
                                rubric_level=rubric_level, evidence=refs,
                                effective_date=effective_date)

    def assign_responsibility(
        self,
        *,
        actor: str,
        party: Person | Organization,
        kind: str,
        reason: str = "",
        effective_date: date | None = None,
    ) -> None:
        why = self._check_modifiable(reason)
        responsibility = parse_enum(ResponsibilityKind, kind, "kind")
        if isinstance(party, Organization):
            party.check_active()
            party_kind = PartyKind.ORGANIZATION
        else:
            party_kind = PartyKind.PERSON
            if (responsibility is ResponsibilityKind.PRIMARY
                    and not party.holds_post_in(self.organization_id)):
                raise PostRequiredError(
                    f"{party.name} holds no post in the goal's organisation and cannot bear "
                    "primary responsibility", field="partyId",
                )
        if self._holds(party.id, responsibility):
            raise DuplicateError("this responsibility is already assigned", field="partyId")
        self._responsibility_assigned(actor=require_actor(actor), reason=why,
                                      party_kind=party_kind.value, party_id=party.id,
                                      kind=responsibility.value, effective_date=effective_date)

    def revoke_responsibility(
        self,
        *,
        actor: str,
        party_id: UUID,
        kind: str,
        reason: str = "",
        effective_date: date | None = None,
    ) -> None:
        why = self._check_modifiable(reason)
        responsibility = parse_enum(ResponsibilityKind, kind, "kind")
        held = next((r for r in self.responsibilities
                     if r["party_id"] == party_id and r["kind"] == responsibility.value), None)
        if held is None:
            raise NotFoundError("no such responsibility on this goal", field="partyId")
        self._responsibility_revoked(actor=require_actor(actor), reason=why,
                                     party_kind=held["party_kind"], party_id=party_id,
                                     kind=responsibility.value, effective_date=effective_date)

    # ---- applying ------------------------------------------------------------------------

    @event(Revised)
    def _revised(
        self, *, actor: str, reason: str, title: str | None, description: str | None,
        field: str | None, period_start: date | None, period_end: date | None,
        indicator: dict[str, Any] | None,
    ) -> None:
        if title is not None:
            self.title = title
        if description is not None:
            self.description = description
        if field is not None:
            self.field = GoalField(field)
        if period_start is not None:
            self.period_start = period_start
        if period_end is not None:
            self.period_end = period_end
        if indicator is not None:
            self.indicator_data = indicator

    @event(BoundToLetter)
    def _bound_to_letter(self, *, actor: str, reason: str, letter_id: UUID) -> None:
        self.letter_id = letter_id

    @event(Reweighted)
    def _reweighted(self, *, actor: str, reason: str, weight: int) -> None:
        self.weight = weight

    @event(SubgoalAdded)
    def _subgoal_added(self, *, actor: str, reason: str, subgoal_id: UUID) -> None:
        self.subgoal_ids.append(subgoal_id)

    @event(Issued)
    def _issued(self, *, actor: str, reason: str, effective_date: date | None) -> None:
        self.status = GoalStatus.ISSUED

    @event(Closed)
    def _closed(self, *, actor: str, reason: str, effective_date: date | None) -> None:
        self.status = GoalStatus.CLOSED

    @event(Cancelled)
    def _cancelled(self, *, actor: str, reason: str, effective_date: date | None) -> None:
        self.status = GoalStatus.CANCELLED

    @event(ProgressReported)
    def _progress_reported(
        self, *, actor: str, reason: str, value: Decimal | None, rubric_level: str | None,
        evidence: list[str], effective_date: date,
    ) -> None:
        self.progress_reports += 1
        # The latest by effective date (a late-filed report about an earlier day does not
        # replace it), as every view reads it (README: one meaning of progress).
        latest = self.latest_progress
        if latest is None or effective_date >= latest["effective_date"]:
            self.latest_progress = {"value": value, "rubric_level": rubric_level,
                                    "evidence": evidence, "effective_date": effective_date}

    @event(ResponsibilityAssigned)
    def _responsibility_assigned(
        self, *, actor: str, reason: str, party_kind: str, party_id: UUID, kind: str,
        effective_date: date | None,
    ) -> None:
        self.responsibilities.append({"party_kind": party_kind, "party_id": party_id,
                                      "kind": kind})

    @event(ResponsibilityRevoked)
    def _responsibility_revoked(
        self, *, actor: str, reason: str, party_kind: str, party_id: UUID, kind: str,
        effective_date: date | None,
    ) -> None:
        self.responsibilities = [
            r for r in self.responsibilities
            if not (r["party_id"] == party_id and r["kind"] == kind)
        ]


def check_subgoal_weights(
    parent: Goal, subgoals: Sequence[Goal], *, will_be_issued: bool = False
) -> None:
    """The weight rule: while a goal is issued, its live subgoals' weights sum to 100."""
    if not (will_be_issued or parent.status is GoalStatus.ISSUED):
        return
    live = [g for g in subgoals if g.is_active]
    total = sum(g.weight for g in live)
    if live and total != 100:
        raise WeightsMustSumTo100Error(
            f"the subgoals of {parent.title} weigh {total} in all, not 100", field="weights"
        )


def settle_subgoal_weights(
    parent: Goal,
    subgoals: Sequence[Goal],
    new_weights: Mapping[UUID, int],
    *,
    actor: str,
    reason: str,
    amendment: tuple[UUID, UUID] | None = None,
) -> list[Goal]:
    """Give subgoals new weights together, then check the weight rule. Returns those changed.

    Changing the split under an issued goal changes that goal, so it needs a reason.
    `amendment`: (letter, amendment) when an approved amendment of that letter re-splits, so
    its goals may change; goals on another signed letter still may not."""
    by_id = {g.id: g for g in subgoals}
    for goal_id in new_weights:
        if goal_id not in by_id or not by_id[goal_id].is_active:
            raise InvalidInputError(f"{goal_id} is not a live subgoal of {parent.title}",
                                    field="weights")
    why = reason
    if parent.status is GoalStatus.ISSUED and any(
        by_id[goal_id].weight != weight for goal_id, weight in new_weights.items()
    ):
        why = require_reason(reason, "the split of an issued goal is changing")
    changed = []
    for goal_id, weight in new_weights.items():
        goal = by_id[goal_id]
        if goal.weight != require_weight(weight):
            goal.reweight(actor=actor, weight=weight, reason=why, amendment=amendment)
            changed.append(goal)
    check_subgoal_weights(parent, subgoals)
    return changed
