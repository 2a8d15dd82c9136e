"""Computed indicators on the scoreboard: the facts they are measured from (meetings, rule
sets, where organisations sit), folded here so a unit's value follows the records while its
cycle is open, and the values its publication froze afterwards."""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from uuid import UUID

from domain.compliance import HeldMeeting
from domain.cycles import AssessmentCycle
from domain.measures import MeetingFacts, meeting_compliance
from domain.meeting_rules import MeetingRuleSet, RuleVersion, rule_set_id, version_of
from domain.meetings import Meeting, MeetingKind
from domain.organizations import Organization
from domain.values import Period
from projections.scoreboard.tables import (
    CYCLES,
    FROZEN,
    LIVE,
    MEASURED,
    MEETING_OWNERS,
    MEETINGS,
    ORG_UNITS,
    ORGS,
    RULE_SETS,
    UNITS,
)
from projections.scoreboard.units import _json, rescore, unit_of
from projections.temporal import Batch

NOT_MEASURED = "{}"


# ---- the facts -------------------------------------------------------------------------------

def meeting_recorded(e: Meeting.Recorded, b: Batch) -> None:
    organization_id = str(e.organization_id)
    b[MEETING_OWNERS.name].put({"meeting_id": b.subject, "organization_id": organization_id})
    b[MEETINGS.name].put({"organization_id": organization_id, "meeting_id": b.subject,
                          "kind": e.kind, "held_on": e.effective_date.isoformat()})
    remeasure_organization(b, organization_id)


def meeting_cancelled(e: Meeting.Cancelled, b: Batch) -> None:
    owner = b[MEETING_OWNERS.name].peek(b.subject)
    assert owner is not None, f"meeting {b.subject} was never recorded"
    b[MEETINGS.name].delete(owner["organization_id"], b.subject)
    remeasure_organization(b, owner["organization_id"])


def _version(revision: int, effective_from: date, rules: list[dict[str, Any]]) -> dict[str, Any]:
    return {"revision": revision, "effective_from": effective_from.isoformat(), "rules": rules}


def rules_defined(e: MeetingRuleSet.Defined, b: Batch) -> None:
    b[RULE_SETS.name].put({"rule_set_id": b.subject, "organization_id": str(e.organization_id),
                           "versions": _json([_version(1, e.effective_from, e.rules)])})
    remeasure_live(b)


def rules_revised(e: MeetingRuleSet.Revised, b: Batch) -> None:
    row = b[RULE_SETS.name].get(b.subject)
    assert row is not None, f"rule set {b.subject} was never defined"
    versions = [*json.loads(row["versions"]),
                _version(e.revision, e.effective_from, e.rules)]
    b[RULE_SETS.name].put({**row, "versions": _json(versions)})
    remeasure_live(b)


def org_moved(e: Organization.Moved, b: Batch) -> None:
    row = b[ORGS.name].get(b.subject)
    assert row is not None
    b[ORGS.name].put({**row, "parent_id": str(e.parent_id)})
    remeasure_live(b)  # the rule set that governs its subtree may be another now


def governing_rules(b: Batch, organization_id: str) -> list[RuleVersion]:
    """The rule set of the organisation, else of the nearest one above it that has one."""
    current: str | None = organization_id
    seen: set[str] = set()
    while current is not None and current not in seen:
        seen.add(current)
        found = b[RULE_SETS.name].peek(str(rule_set_id(UUID(current))))
        if found is not None:
            return [version_of(v["revision"], date.fromisoformat(v["effective_from"]),
                               v["rules"]) for v in json.loads(found["versions"])]
        org = b[ORGS.name].peek(current)
        current = org["parent_id"] if org is not None else None
    return []


def facts_of(b: Batch, organization_id: str) -> MeetingFacts | None:
    org = b[ORGS.name].peek(organization_id)
    if org is None:
        return None
    meetings = sorted((HeldMeeting(r["meeting_id"], MeetingKind(r["kind"]),
                                   date.fromisoformat(r["held_on"]), ())
                       for r in b[MEETINGS.name].rows(organization_id)),
                      key=lambda m: (m.held_on, m.id))
    return MeetingFacts(org["kind"], governing_rules(b, organization_id), meetings)


# ---- measuring units -------------------------------------------------------------------------

def computed_of(cycle: dict[str, Any]) -> list[str]:
    return [i["id"] for i in json.loads(cycle["indicators"]) if i.get("source")]


def remeasure(b: Batch, cycle: dict[str, Any], organization_id: str) -> None:
    """Measure the unit's computed indicators from the facts as they stand; rescore it when
    they moved."""
    computed = computed_of(cycle)
    unit = b[UNITS.name].get(unit_of(cycle["cycle_id"], organization_id))
    if not computed or unit is None:
        return
    facts = facts_of(b, organization_id)
    measures = NOT_MEASURED
    if facts is not None:
        period = Period(date.fromisoformat(cycle["period_start"]),
                        date.fromisoformat(cycle["period_end"]))
        found = meeting_compliance(facts, period).to_dict()
        measures = _json(dict.fromkeys(computed, found))
    if measures != unit["measures"]:
        b[UNITS.name].put({**unit, "measures": measures})
        rescore(b, cycle["cycle_id"], organization_id)


def remeasure_organization(b: Batch, organization_id: str) -> None:
    for link in b[ORG_UNITS.name].rows(organization_id):
        cycle = b[CYCLES.name].peek(link["cycle_id"])
        if cycle is not None and cycle["status"] not in FROZEN:
            remeasure(b, cycle, organization_id)


def remeasure_live(b: Batch) -> None:
    for row in b[MEASURED.name].rows(LIVE):
        cycle = b[CYCLES.name].peek(row["cycle_id"])
        if cycle is not None:
            remeasure(b, cycle, row["organization_id"])


def go_live(b: Batch, cycle_id: str) -> None:
    """An opened or reopened cycle's computed indicators follow the records."""
    cycle = b[CYCLES.name].peek(cycle_id)
    if cycle is None or not computed_of(cycle):
        return
    for organization_id in json.loads(cycle["organizations"]):
        b[MEASURED.name].put({"scope": LIVE, "unit": unit_of(cycle_id, organization_id),
                              "cycle_id": cycle_id, "organization_id": organization_id})
        remeasure(b, cycle, organization_id)


def freeze(e: AssessmentCycle.Published, b: Batch) -> None:
    """Publication: each unit takes the values the event froze, whatever the records say
    later."""
    cycle = b[CYCLES.name].peek(b.subject)
    assert cycle is not None
    for organization_id in json.loads(cycle["organizations"]):
        unit_key = unit_of(b.subject, organization_id)
        b[MEASURED.name].delete(LIVE, unit_key)
        unit = b[UNITS.name].get(unit_key)
        frozen = e.measures.get(organization_id)
        if unit is None or frozen is None:
            continue
        measures = _json(frozen)
        if measures != unit["measures"]:
            b[UNITS.name].put({**unit, "measures": measures})
            rescore(b, b.subject, organization_id)
