"""Read model: organisational life (组织生活) — meeting records with their attendance, the
rule sets of required frequencies with every version, and the compliance view (required
against held, missing periods, attendance rates) as of any position and valid on any day."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from domain import compliance as rules
from domain.meeting_rules import MeetingRuleSet, RuleVersion, version_of
from domain.meetings import Meeting, MeetingKind
from domain.values import in_force
from projections import organization_tree as tree
from projections.engine import Handler, Projection
from projections.life_tally import TALLY, count_meeting
from projections.pages import EVERYTHING, Page, count, read_page
from projections.temporal import Batch, TemporalTable, as_of
from store.db import Connection, marks

MEETINGS = TemporalTable(
    "view_meetings", ("id",),
    {"id": "TEXT", "organization_id": "TEXT", "kind": "TEXT", "held_on": "TEXT",
     "topic": "TEXT", "presider_id": "TEXT", "minutes": "TEXT", "evidence": "TEXT",
     "status": "TEXT", "corrections": "BIGINT", "last_actor": "TEXT", "last_reason": "TEXT",
     # how many are listed and how many were present: a summary over thousands of
     # organisations adds these up instead of reading every attendance row
     "listed": "BIGINT", "present": "BIGINT"},
    partition="id", indexes=(("organization_id", "held_on"),),
    history_indexes=(("organization_id", "held_on"),),
)
ATTENDANCE = TemporalTable(
    "view_meeting_attendance", ("meeting_id", "person_id"),
    {"meeting_id": "TEXT", "person_id": "TEXT", "status": "TEXT", "reason": "TEXT"},
    partition="meeting_id", indexes=(("person_id",),),
    history_indexes=(("person_id", "meeting_id"),),  # a member's record as of a moment
)
RULE_VERSIONS = TemporalTable(
    "view_meeting_rule_versions", ("rule_set_id", "revision"),
    {"rule_set_id": "TEXT", "organization_id": "TEXT", "title": "TEXT", "revision": "BIGINT",
     "effective_from": "TEXT", "rules": "TEXT", "actor": "TEXT", "reason": "TEXT"},
    partition="rule_set_id", indexes=(("organization_id",),),
    history_indexes=(("organization_id",),),
)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _attend(b: Batch, attendance: list[dict[str, str]]) -> None:
    table = b[ATTENDANCE.name]
    listed = {e["person_id"] for e in attendance}
    for row in table.rows(b.subject):
        if row["person_id"] not in listed:
            table.delete(b.subject, row["person_id"])
    for entry in attendance:
        table.put({"meeting_id": b.subject, "person_id": entry["person_id"],
                   "status": entry["status"], "reason": entry["reason"]})


def _counts(attendance: list[dict[str, str]]) -> dict[str, int]:
    return {"listed": len(attendance),
            "present": sum(1 for e in attendance if e["status"] == "present")}


def recorded(e: Meeting.Recorded, b: Batch) -> None:
    row = {
        "id": b.subject, "organization_id": str(e.organization_id), "kind": e.kind,
        "held_on": e.effective_date.isoformat(), "topic": e.topic,
        "presider_id": str(e.presider_id), "minutes": e.minutes,
        "evidence": "\n".join(e.evidence), "status": "held", "corrections": 0,
        "last_actor": e.actor, "last_reason": e.reason, **_counts(e.attendance)}
    b[MEETINGS.name].put(row)
    count_meeting(b, row, 1)
    _attend(b, e.attendance)


def _corrected(b: Batch, e: Any, **changes: Any) -> None:
    row = b[MEETINGS.name].get(b.subject)
    assert row is not None, f"meeting {b.subject} was never recorded"
    count_meeting(b, row, -1)
    row.update(changes, corrections=row["corrections"] + 1, last_actor=e.actor,
               last_reason=e.reason)
    b[MEETINGS.name].put(row)
    count_meeting(b, row, 1)


def attendance_corrected(e: Meeting.AttendanceCorrected, b: Batch) -> None:
    _corrected(b, e, presider_id=str(e.presider_id), **_counts(e.attendance))
    _attend(b, e.attendance)


def minutes_corrected(e: Meeting.MinutesCorrected, b: Batch) -> None:
    _corrected(b, e, topic=e.topic, minutes=e.minutes, evidence="\n".join(e.evidence))


def cancelled(e: Meeting.Cancelled, b: Batch) -> None:
    _corrected(b, e, status="cancelled")


def rules_defined(e: MeetingRuleSet.Defined, b: Batch) -> None:
    b[RULE_VERSIONS.name].put({
        "rule_set_id": b.subject, "organization_id": str(e.organization_id), "title": e.title,
        "revision": 1, "effective_from": e.effective_from.isoformat(),
        "rules": _dumps(e.rules), "actor": e.actor, "reason": e.reason})


def rules_revised(e: MeetingRuleSet.Revised, b: Batch) -> None:
    first = b[RULE_VERSIONS.name].get(b.subject, 1)
    assert first is not None, f"rule set {b.subject} was never defined"
    b[RULE_VERSIONS.name].put({
        **first, "revision": e.revision, "effective_from": e.effective_from.isoformat(),
        "rules": _dumps(e.rules), "actor": e.actor, "reason": e.reason})


class OrganizationalLife(Projection):
    name = "organizational_life"
    version = 2  # 2: meetings carry their attendance counts, and a tally adds them up
    tables = (MEETINGS, ATTENDANCE, RULE_VERSIONS, TALLY)
    handlers: ClassVar[dict[type[Any], Handler]] = {
        Meeting.Recorded: recorded,
        Meeting.AttendanceCorrected: attendance_corrected,
        Meeting.MinutesCorrected: minutes_corrected,
        Meeting.Cancelled: cancelled,
        MeetingRuleSet.Defined: rules_defined,
        MeetingRuleSet.Revised: rules_revised,
    }


# ---- queries ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class AttendanceView:
    person_id: str
    status: str
    reason: str


@dataclass(frozen=True)
class MeetingView:
    id: str
    organization_id: str
    kind: MeetingKind
    held_on: date
    topic: str
    presider_id: str
    minutes: str
    evidence: list[str]
    status: str
    corrections: int
    last_actor: str
    last_reason: str
    attendance: tuple[AttendanceView, ...] = ()


MEETING_COLUMNS = ("m.id, m.organization_id, m.kind, m.held_on, m.topic, m.presider_id, "
                   "m.minutes, m.evidence, m.status, m.corrections, m.last_actor, "
                   "m.last_reason")
MEETING_SORT = ("m.held_on", "m.id")  # read latest first
MeetingKey = tuple[str, str]


def meeting_key(view: MeetingView) -> MeetingKey:
    return (view.held_on.isoformat(), view.id)


def _attendance(conn: Connection, ids: Sequence[str],
                position: int | None) -> dict[str, list[AttendanceView]]:
    found: dict[str, list[AttendanceView]] = {i: [] for i in ids}
    cond, params = as_of("a", position)
    for start in range(0, len(ids), 500):
        chunk = list(ids[start:start + 500])
        for row in conn.execute(
                f"SELECT a.meeting_id, a.person_id, a.status, a.reason "
                f"FROM {ATTENDANCE.name} a WHERE a.meeting_id IN ({marks(chunk)}) AND {cond} "
                f"ORDER BY a.person_id", [*chunk, *params]):
            found[row[0]].append(AttendanceView(row[1], row[2], row[3]))
    return found


def _meetings(conn: Connection, where: str, params: list[Any], position: int | None,
              page: Page = EVERYTHING) -> tuple[list[MeetingView], bool]:
    cond, cond_params = as_of("m", position)
    rows, more = read_page(conn, MEETING_COLUMNS, f"{MEETINGS.name} m", f"{where} AND {cond}",
                           [*params, *cond_params], MEETING_SORT, page, descending=True)
    attendance = _attendance(conn, [r[0] for r in rows], position)
    return [MeetingView(
        id=r[0], organization_id=r[1], kind=MeetingKind(r[2]),
        held_on=date.fromisoformat(r[3]), topic=r[4], presider_id=r[5], minutes=r[6],
        evidence=r[7].split("\n") if r[7] else [], status=r[8], corrections=int(r[9]),
        last_actor=r[10], last_reason=r[11], attendance=tuple(attendance[r[0]]))
        for r in rows], more


def meetings_by_id(conn: Connection, ids: Sequence[str],
                   position: int | None = None) -> dict[str, MeetingView]:
    if not ids:
        return {}
    found, _ = _meetings(conn, f"m.id IN ({marks(ids)})", list(ids), position)
    return {view.id: view for view in found}


@dataclass(frozen=True)
class MeetingFilter:
    organization_ids: Sequence[str] | None = None  # None: of every organisation
    kind: str | None = None
    year: int | None = None
    status: str | None = None  # held or cancelled

    def where(self) -> tuple[str, list[Any]] | None:
        """The SQL condition and its parameters; None when nothing can match."""
        clauses, params = ["1 = 1"], []
        if self.organization_ids is not None:
            if not self.organization_ids:
                return None
            clauses.append(f"m.organization_id IN ({marks(self.organization_ids)})")
            params += list(self.organization_ids)
        for column, value in (("m.kind", self.kind), ("m.status", self.status)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if self.year is not None:
            clauses.append("m.held_on BETWEEN ? AND ?")
            params += [f"{self.year:04d}-01-01", f"{self.year:04d}-12-31"]
        return " AND ".join(clauses), params


def meetings_page(conn: Connection, where: MeetingFilter, position: int | None = None,
                  page: Page = EVERYTHING) -> tuple[list[MeetingView], bool, int]:
    """A keyset page of meetings, the latest first, whether more lie beyond it, and how many
    match in all."""
    found = where.where()
    if found is None:
        return [], False, 0
    clause, params = found
    views, more = _meetings(conn, clause, params, position, page)
    cond, cond_params = as_of("m", position)
    return views, more, count(conn, f"{MEETINGS.name} m", f"{clause} AND {cond}",
                              [*params, *cond_params])


@dataclass(frozen=True)
class RuleSetView:
    id: str
    organization_id: str
    title: str
    versions: tuple[RuleVersion, ...]
    reasons: tuple[tuple[str, str], ...]  # each version's actor and reason

    def in_force(self, day: date) -> RuleVersion | None:
        return in_force(self.versions, day)


def _rule_sets(conn: Connection, column: str, values: Sequence[str],
               position: int | None) -> dict[str, RuleSetView]:
    if not values:
        return {}
    cond, params = as_of("r", position)
    rows = conn.execute(
        f"SELECT r.rule_set_id, r.organization_id, r.title, r.revision, r.effective_from, "
        f"r.rules, r.actor, r.reason FROM {RULE_VERSIONS.name} r "
        f"WHERE r.{column} IN ({marks(values)}) AND {cond} ORDER BY r.revision",
        [*values, *params])
    grouped: dict[str, list[Any]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(row)
    return {set_id: RuleSetView(
        set_id, found[0][1], found[0][2],
        tuple(version_of(int(r[3]), date.fromisoformat(r[4]), json.loads(r[5]))
              for r in found),
        tuple((r[6], r[7]) for r in found)) for set_id, found in grouped.items()}


def rule_sets_by_id(conn: Connection, ids: Sequence[str],
                    position: int | None = None) -> dict[str, RuleSetView]:
    return _rule_sets(conn, "rule_set_id", ids, position)


def every_rule_set(conn: Connection, position: int | None = None) -> dict[str, RuleSetView]:
    """Every rule set as it stood at `position`: a province keeps a handful, so reading them
    all is cheaper than finding which organisations of a large subtree keep one."""
    cond, params = as_of("r", position)
    ids = [row[0] for row in conn.execute(
        f"SELECT r.rule_set_id FROM {RULE_VERSIONS.name} r WHERE r.revision = 1 AND {cond}",
        params)]
    return _rule_sets(conn, "rule_set_id", ids, position)


def governing_rule_set(conn: Connection, organization_id: str,
                       position: int | None = None) -> RuleSetView | None:
    """The rule set of the organisation, else of the nearest organisation above it that has
    one (the tree as it stood at `position`)."""
    chain = [organization_id, *(n.id for n in tree.ancestors(conn, organization_id, position))]
    by_organization = {view.organization_id: view
                       for view in _rule_sets(conn, "organization_id", chain,
                                              position).values()}
    return next((by_organization[o] for o in chain if o in by_organization), None)


@dataclass(frozen=True)
class ComplianceView:
    compliance: rules.Compliance
    rule_set: RuleSetView | None  # the rule set that governs the organisation
    meetings: dict[str, MeetingView]  # the meetings counted, by id


def compliance(conn: Connection, organization_id: str, year: int, valid_at: date,
               position: int | None = None) -> ComplianceView | None:
    """An organisation's organisational life in `year` as it was known at `position`,
    judged on `valid_at` (meetings held on or before it, the rules in force then); None when
    the organisation is unknown."""
    node = tree.organization(conn, organization_id, position)
    if node is None:
        return None
    rule_set = governing_rule_set(conn, organization_id, position)
    held, _ = _meetings(conn, "m.organization_id = ? AND m.status = 'held' AND "
                        "m.held_on BETWEEN ? AND ? AND m.held_on <= ?",
                        [organization_id, f"{year:04d}-01-01", f"{year:04d}-12-31",
                         valid_at.isoformat()], position)
    facts = [rules.HeldMeeting(m.id, m.kind, m.held_on,
                               tuple((a.person_id, a.status) for a in m.attendance))
             for m in held]
    return ComplianceView(
        rules.assess(node.kind, year, valid_at, rule_set.versions if rule_set else (), facts),
        rule_set, {m.id: m for m in held})


def _governing(conn: Connection, organization_ids: Sequence[str], position: int | None,
               nodes: dict[str, tree.OrganizationNode],
               owners: dict[str, RuleSetView]) -> dict[str, RuleSetView | None]:
    """`governing_rule_set` of many organisations: walk up through `nodes` (read more of
    the tree, a level at a time, when a walk leaves it)."""
    found: dict[str, RuleSetView | None] = {}

    def walk(organization_id: str) -> RuleSetView | None:
        chain = []
        current: str | None = organization_id
        while current is not None and current not in found and current not in owners:
            chain.append(current)
            if current not in nodes:
                nodes.update(tree.organizations(conn, [current], position))
            node = nodes.get(current)
            current = node.parent_id if node else None
        answer = None if current is None else found.get(current, owners.get(current))
        for organization in chain:
            found[organization] = answer
        return answer

    return {organization_id: walk(organization_id) for organization_id in organization_ids}


def compliances(conn: Connection, organization_ids: Sequence[str], year: int, valid_at: date,
                position: int | None = None,
                chunk: int = 200) -> Iterator[tuple[tree.OrganizationNode, ComplianceView]]:
    """`compliance` of many organisations (those known at `position`, in the order given), a
    chunk at a time: a few queries a chunk, not several an organisation."""
    owners = {view.organization_id: view for view in every_rule_set(conn, position).values()}
    nodes: dict[str, tree.OrganizationNode] = {}
    for start in range(0, len(organization_ids), chunk):
        part = list(organization_ids[start:start + chunk])
        nodes.update(tree.organizations(conn, part, position))
        known = [o for o in part if o in nodes]
        governing = _governing(conn, known, position, nodes, owners)
        held: dict[str, list[MeetingView]] = {o: [] for o in known}
        if known:
            found, _ = _meetings(conn, f"m.organization_id IN ({marks(known)}) AND "
                                 "m.status = 'held' AND m.held_on BETWEEN ? AND ? AND "
                                 "m.held_on <= ?",
                                 [*known, f"{year:04d}-01-01", f"{year:04d}-12-31",
                                  valid_at.isoformat()], position)
            for meeting in found:
                held[meeting.organization_id].append(meeting)
        for organization_id in known:
            rule_set = governing[organization_id]
            meetings = sorted(held[organization_id], key=meeting_key, reverse=True)
            facts = [rules.HeldMeeting(m.id, m.kind, m.held_on,
                                       tuple((a.person_id, a.status) for a in m.attendance))
                     for m in meetings]
            yield nodes[organization_id], ComplianceView(
                rules.assess(nodes[organization_id].kind, year, valid_at,
                             rule_set.versions if rule_set else (), facts),
                rule_set, {m.id: m for m in meetings})
