"""A branch's standardisation record (党支部标准化规范化建设): its self-checks against the
standard, the acceptance (达标验收) by the organisation above with a level and reasons, and
dynamic management — a level lowered or revoked later with a reason (a finding, say) and
earned again by a new self-check and acceptance.

Level changes take effect on their own business date, never before the last one: the level
a branch held on a day is the last change effective on or before it. Nobody accepts, lowers
or revokes a level of a branch they hold a post in on that day, nor accepts a self-check they
recorded (segregation of duties)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol, TypeVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import DengtaAggregate, require_actor, require_reason
from domain.branch_standard import BranchStandard, StandardVersion
from domain.errors import (
    DuplicateError,
    InvalidInputError,
    InvalidTransitionError,
    SegregationOfDutiesError,
    StandardNotInForceError,
)
from domain.labels import STANDARD_LEVELS
from domain.meetings import Tenure
from domain.organizations import Organization
from domain.values import OrganizationKind, parse_enum, require_text, to_decimal


class StandardLevel(StrEnum):
    UNQUALIFIED = "unqualified"  # 未达标
    QUALIFIED = "qualified"  # 达标
    EXEMPLARY = "exemplary"  # 示范

    @property
    def rank(self) -> int:
        return list(StandardLevel).index(self)

    @property
    def label(self) -> str:
        return STANDARD_LEVELS[self.value]


class LevelChange(StrEnum):
    ACCEPTED = "accepted"  # 达标验收
    LOWERED = "lowered"  # 降级
    REVOKED = "revoked"  # 撤销: no level held until accepted again


def standardisation_id(organization_id: UUID) -> UUID:
    """One record a branch: its id follows from the branch's."""
    return uuid5(NAMESPACE_URL, f"dengta:standardisation:{organization_id}")


def scores_from(version: StandardVersion,
                scores: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The plain form a self-check's scores are stored in, checked: every item of the version
    once, a score from 0 to its points, evidence for each."""
    points = {item.code: item.points for item in version.items}
    seen: dict[str, dict[str, str]] = {}
    for entry in scores:
        code = str(entry["code"])
        if code not in points:
            raise InvalidInputError(f"{code} is no item of revision {version.revision}",
                                    field="scores.code")
        if code in seen:
            raise DuplicateError(f"{code} is scored twice", field="scores.code")
        score = to_decimal(entry["score"], "scores.score")
        if not Decimal(0) <= score <= points[code]:
            raise InvalidInputError(f"{code} scores from 0 to {points[code]}",
                                    field="scores.score")
        seen[code] = {"code": code, "score": str(score),
                      "evidence": require_text(str(entry.get("evidence") or ""),
                                               "scores.evidence", 2000)}
    missing = [code for code in points if code not in seen]
    if missing:
        raise InvalidInputError(f"score every item: {', '.join(missing)} missing",
                                field="scores")
    return [seen[item.code] for item in version.items]


@dataclass(frozen=True)
class HeldLevel:
    """A change of level, effective from `since`; `level` None: revoked."""

    level: StandardLevel | None
    since: date
    change: LevelChange


class Dated(Protocol):
    @property
    def since(self) -> date: ...


D = TypeVar("D", bound=Dated)


def level_on(changes: Sequence[D], day: date) -> D | None:
    """The change in effect on `day` (changes come in order of their dates)."""
    return next((c for c in reversed(changes) if c.since <= day), None)


class Standardisation(DengtaAggregate):
    TOPIC = "dengta:Standardisation"

    class Created(DengtaAggregate.Created):
        TOPIC = "dengta:Standardisation.Created"

    class Opened(Created):
        TOPIC = "dengta:Standardisation.Opened"
        organization_id: UUID

    class SelfChecked(DengtaAggregate.Event):
        """`effective_date`: the day of the self-check."""

        TOPIC = "dengta:Standardisation.SelfChecked"
        number: int
        standard_id: UUID
        revision: int
        effective_date: date
        scores: list[dict[str, str]]
        total: str

    class Accepted(DengtaAggregate.Event):
        TOPIC = "dengta:Standardisation.Accepted"
        self_check: int
        level: str
        effective_date: date
        accepted_by: UUID  # the organisation above that accepted

    class Lowered(DengtaAggregate.Event):
        TOPIC = "dengta:Standardisation.Lowered"
        level: str
        effective_date: date
        finding_id: UUID | None

    class Revoked(DengtaAggregate.Event):
        TOPIC = "dengta:Standardisation.Revoked"
        effective_date: date
        finding_id: UUID | None

    @event(Opened)
    def __init__(self, *, id: UUID, actor: str, reason: str, organization_id: UUID) -> None:
        self.organization_id = organization_id
        self.self_checks: list[dict[str, Any]] = []  # number, standard, revision, day, actor
        self.accepted_checks: list[int] = []
        self.level: str | None = None
        self.changed_on: date | None = None  # the date of the last change of level

    @classmethod
    def open(cls, *, actor: str, branch: Organization) -> Standardisation:
        if branch.kind is not OrganizationKind.BRANCH:
            raise InvalidInputError("standardisation is a 党支部's", field="organizationId")
        branch.check_active()
        return cls(id=standardisation_id(branch.id), actor=require_actor(actor), reason="",
                   organization_id=branch.id)

    # ---- self-check ------------------------------------------------------------------

    def self_check(self, *, actor: str, standard: BranchStandard, keepers: Sequence[UUID],
                   checked_on: date, today: date, scores: Sequence[Mapping[str, Any]],
                   reason: str = "") -> None:
        """Against the version of `standard` in force on `checked_on`; `keepers`: the branch
        and the organisations above it (one of them keeps the standard)."""
        if standard.organization_id not in keepers:
            raise InvalidInputError("the standard is kept by no organisation above the branch",
                                    field="standardId")
        if checked_on > today:
            raise InvalidInputError("a self-check is recorded once made", field="checkedOn")
        version = standard.in_force(checked_on)
        if version is None:
            raise StandardNotInForceError(
                f"no version of the standard is in force on {checked_on}", field="checkedOn")
        listed = scores_from(version, scores)
        total = sum((Decimal(s["score"]) for s in listed), Decimal(0))
        self._self_checked(actor=require_actor(actor), reason=reason.strip(),
                           number=len(self.self_checks) + 1, standard_id=standard.id,
                           revision=version.revision, effective_date=checked_on,
                           scores=listed, total=str(total))

    @event(SelfChecked)
    def _self_checked(self, *, actor: str, reason: str, number: int, standard_id: UUID,
                      revision: int, effective_date: date, scores: list[dict[str, str]],
                      total: str) -> None:
        self.self_checks.append({"number": number, "standard_id": standard_id,
                                 "revision": revision, "checked_on": effective_date,
                                 "actor": actor})

    # ---- acceptance and dynamic management ---------------------------------------------

    def _check_judge(self, actor: str, day: date, today: date,
                     tenures: Sequence[Tenure]) -> None:
        """Who changes a level holds no post in the branch that day; the day is not in the
        future nor before the last change."""
        if any(t.organization_id == self.organization_id and t.covers(day) for t in tenures):
            raise SegregationOfDutiesError("a branch's level is judged from above, never by "
                                           "someone holding a post in it", field="actor")
        if day > today:
            raise InvalidInputError("a level changes once decided, not before",
                                    field="effectiveDate")
        if self.changed_on is not None and day < self.changed_on:
            raise InvalidInputError(f"the level last changed on {self.changed_on}: a later "
                                    f"change takes effect on or after it",
                                    field="effectiveDate")

    def accept(self, *, actor: str, reason: str, level: str, effective_date: date,
               today: date, standard: BranchStandard | None, accepted_by: Organization,
               tenures: Sequence[Tenure]) -> None:
        """达标验收 of the latest self-check, by `accepted_by` (the organisation above);
        `tenures`: the acceptor's posts; `standard`: the one the self-check was made
        against, whose version must still be in force on the acceptance date."""
        if not self.self_checks or self.self_checks[-1]["number"] in self.accepted_checks:
            raise InvalidTransitionError("an acceptance judges a new self-check: the branch "
                                         "checks itself first", field="organizationId")
        latest = self.self_checks[-1]
        if actor == latest["actor"]:
            raise SegregationOfDutiesError("nobody accepts a self-check they recorded",
                                           field="actor")
        self._check_judge(actor, effective_date, today, tenures)
        if effective_date < latest["checked_on"]:
            raise InvalidInputError("an acceptance follows the self-check it judges",
                                    field="effectiveDate")
        version = standard.in_force(effective_date) if standard else None
        if version is None or version.revision != latest["revision"]:
            raise StandardNotInForceError(
                f"the self-check was made against revision {latest['revision']}, no longer "
                f"in force on {effective_date}: check again", field="effectiveDate")
        self._accepted(actor=require_actor(actor),
                       reason=require_reason(reason, "an acceptance gives its reasons"),
                       self_check=latest["number"],
                       level=parse_enum(StandardLevel, level, "level").value,
                       effective_date=effective_date, accepted_by=accepted_by.id)

    def lower(self, *, actor: str, reason: str, level: str, effective_date: date,
              today: date, tenures: Sequence[Tenure], finding_id: UUID | None = None) -> None:
        new = parse_enum(StandardLevel, level, "level")
        if self.level is None or new.rank >= StandardLevel(self.level).rank:
            raise InvalidTransitionError(
                f"a level is lowered below the one held ({self.level or 'none'})",
                field="level")
        self._check_judge(actor, effective_date, today, tenures)
        self._lowered(actor=require_actor(actor),
                      reason=require_reason(reason, "a level is lowered with a reason"),
                      level=new.value, effective_date=effective_date, finding_id=finding_id)

    def revoke(self, *, actor: str, reason: str, effective_date: date, today: date,
               tenures: Sequence[Tenure], finding_id: UUID | None = None) -> None:
        if self.level is None:
            raise InvalidTransitionError("the branch holds no level to revoke",
                                         field="organizationId")
        self._check_judge(actor, effective_date, today, tenures)
        self._revoked(actor=require_actor(actor),
                      reason=require_reason(reason, "a level is revoked with a reason"),
                      effective_date=effective_date, finding_id=finding_id)

    @event(Accepted)
    def _accepted(self, *, actor: str, reason: str, self_check: int, level: str,
                  effective_date: date, accepted_by: UUID) -> None:
        self.accepted_checks.append(self_check)
        self.level = level
        self.changed_on = effective_date

    @event(Lowered)
    def _lowered(self, *, actor: str, reason: str, level: str, effective_date: date,
                 finding_id: UUID | None) -> None:
        self.level = level
        self.changed_on = effective_date

    @event(Revoked)
    def _revoked(self, *, actor: str, reason: str, effective_date: date,
                 finding_id: UUID | None) -> None:
        self.level = None
        self.changed_on = effective_date
