"""Required frequencies of organisational life (三会一课 制度): a versioned rule set, kept by an
organisation for its subtree, like the indicator library: defined, then revised with a reason;
each version takes effect from its own date, and the rule in force on a day is the version
effective then (of two effective the same day, the later one)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import DengtaAggregate, require_actor, require_reason
from domain.errors import DuplicateError, InvalidInputError
from domain.meetings import MeetingKind
from domain.organizations import Organization
from domain.values import OrganizationKind, parse_enum, require_text


class Cadence(StrEnum):
    MONTHLY = "monthly"  # 每月
    QUARTERLY = "quarterly"  # 每季度
    YEARLY = "yearly"  # 每年

    @property
    def months(self) -> int:
        return {Cadence.MONTHLY: 1, Cadence.QUARTERLY: 3, Cadence.YEARLY: 12}[self]


@dataclass(frozen=True)
class MeetingRule:
    """An organisation of `organization_kind` holds at least `times` meetings of
    `meeting_kind` in each period of `cadence`."""

    organization_kind: OrganizationKind
    meeting_kind: MeetingKind
    cadence: Cadence
    times: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {"organization_kind": self.organization_kind.value,
                "meeting_kind": self.meeting_kind.value, "cadence": self.cadence.value,
                "times": self.times}


def rule_from(data: Mapping[str, Any]) -> MeetingRule:
    times = data.get("times", 1)
    if isinstance(times, bool) or not isinstance(times, int) or not 1 <= times <= 31:
        raise InvalidInputError("times must be a whole number from 1 to 31",
                                field="rules.times")
    return MeetingRule(
        parse_enum(OrganizationKind, str(data["organization_kind"]), "rules.organizationKind"),
        parse_enum(MeetingKind, str(data["meeting_kind"]), "rules.meetingKind"),
        parse_enum(Cadence, str(data["cadence"]), "rules.cadence"), times)


def rules_from(rules: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The plain form a version's rules are stored in, checked: at least one, each pair of
    organisation kind and meeting kind once."""
    if not rules:
        raise InvalidInputError("a rule set needs at least one rule", field="rules")
    parsed = [rule_from(rule) for rule in rules]
    pairs = {(r.organization_kind, r.meeting_kind) for r in parsed}
    if len(pairs) != len(parsed):
        raise DuplicateError("each organisation kind and meeting kind has one rule",
                             field="rules")
    return [r.to_dict() for r in parsed]


@dataclass(frozen=True)
class RuleVersion:
    revision: int
    effective_from: date
    rules: tuple[MeetingRule, ...]

    def for_kind(self, organization_kind: str) -> list[MeetingRule]:
        return [r for r in self.rules if r.organization_kind.value == organization_kind]


def version_of(revision: int, effective_from: date,
               rules: Sequence[Mapping[str, Any]]) -> RuleVersion:
    return RuleVersion(revision, effective_from, tuple(rule_from(r) for r in rules))


def rule_set_id(organization_id: UUID) -> UUID:
    """One rule set an organisation: its id follows from the organisation's."""
    return uuid5(NAMESPACE_URL, f"dengta:meeting-rules:{organization_id}")


class MeetingRuleSet(DengtaAggregate):
    """The 三会一课 rules an organisation sets for its subtree (the nearest organisation above
    with a rule set governs one without)."""

    TOPIC = "dengta:MeetingRuleSet"

    class Created(DengtaAggregate.Created):
        TOPIC = "dengta:MeetingRuleSet.Created"

    class Defined(Created):
        TOPIC = "dengta:MeetingRuleSet.Defined"
        organization_id: UUID
        title: str
        effective_from: date
        rules: list[dict[str, Any]]

    class Revised(DengtaAggregate.Event):
        TOPIC = "dengta:MeetingRuleSet.Revised"
        revision: int
        effective_from: date
        rules: list[dict[str, Any]]

    @event(Defined)
    def __init__(self, *, id: UUID, actor: str, reason: str, organization_id: UUID, title: str,
                 effective_from: date, rules: list[dict[str, Any]]) -> None:
        self.organization_id = organization_id
        self.title = title
        self.versions: list[dict[str, Any]] = [
            {"revision": 1, "effective_from": effective_from, "rules": rules}]

    @classmethod
    def define(cls, *, actor: str, organization: Organization, title: str,
               effective_from: date, rules: Sequence[Mapping[str, Any]],
               reason: str = "") -> MeetingRuleSet:
        organization.check_active()
        return cls(id=rule_set_id(organization.id), actor=require_actor(actor),
                   reason=reason.strip(), organization_id=organization.id,
                   title=require_text(title, "title"), effective_from=effective_from,
                   rules=rules_from(rules))

    def revise(self, *, actor: str, reason: str, effective_from: date,
               rules: Sequence[Mapping[str, Any]]) -> None:
        """A new version from `effective_from`; the earlier ones still govern the days before
        it."""
        self._revised(actor=require_actor(actor),
                      reason=require_reason(reason, "a rule set's new version"),
                      revision=len(self.versions) + 1, effective_from=effective_from,
                      rules=rules_from(rules))

    @event(Revised)
    def _revised(self, *, actor: str, reason: str, revision: int, effective_from: date,
                 rules: list[dict[str, Any]]) -> None:
        self.versions.append({"revision": revision, "effective_from": effective_from,
                              "rules": rules})
