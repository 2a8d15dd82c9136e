"""Read model: branch standardisation (党支部标准化规范化建设) — the standards with every
version, each branch's self-checks and level changes; which branches held which level on a
day (valid time, by the changes' effective dates) and the share of branches at each level by
year, as of any position."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from domain.branch_standard import BranchStandard, StandardVersion, version_of
from domain.standardisation import (
    LevelChange,
    Standardisation,
    StandardLevel,
    level_on,
)
from domain.values import in_force
from projections import organization_tree as tree
from projections.engine import Handler, Projection
from projections.temporal import Batch, TemporalTable, as_of
from store.db import Connection, marks

STANDARD_VERSIONS = TemporalTable(
    "view_standard_versions", ("standard_id", "revision"),
    {"standard_id": "TEXT", "organization_id": "TEXT", "title": "TEXT", "revision": "BIGINT",
     "effective_from": "TEXT", "items": "TEXT", "actor": "TEXT", "reason": "TEXT"},
    partition="standard_id", indexes=(("organization_id",),),
)
RECORDS = TemporalTable(
    "view_standardisation", ("record_id",),
    {"record_id": "TEXT", "organization_id": "TEXT"},
    partition="record_id", indexes=(("organization_id",),),
    history_indexes=(("organization_id",),),
)
SELF_CHECKS = TemporalTable(
    "view_standard_self_checks", ("record_id", "number"),
    {"record_id": "TEXT", "organization_id": "TEXT", "number": "BIGINT",
     "standard_id": "TEXT", "revision": "BIGINT", "checked_on": "TEXT", "scores": "TEXT",
     "total": "TEXT", "actor": "TEXT", "reason": "TEXT"},
    partition="record_id", indexes=(("organization_id",),),
    history_indexes=(("organization_id",),),
)
LEVEL_CHANGES = TemporalTable(
    "view_standard_levels", ("record_id", "number"),
    {"record_id": "TEXT", "organization_id": "TEXT", "number": "BIGINT", "change": "TEXT",
     "level": "TEXT", "effective_on": "TEXT", "self_check": "BIGINT", "accepted_by": "TEXT",
     "finding_id": "TEXT", "actor": "TEXT", "reason": "TEXT"},
    partition="record_id", indexes=(("organization_id",),),
    history_indexes=(("organization_id", "effective_on"),),
)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def standard_defined(e: BranchStandard.Defined, b: Batch) -> None:
    b[STANDARD_VERSIONS.name].put({
        "standard_id": b.subject, "organization_id": str(e.organization_id),
        "title": e.title, "revision": 1, "effective_from": e.effective_from.isoformat(),
        "items": _dumps(e.items), "actor": e.actor, "reason": e.reason})


def standard_revised(e: BranchStandard.Revised, b: Batch) -> None:
    first = b[STANDARD_VERSIONS.name].get(b.subject, 1)
    assert first is not None, f"standard {b.subject} was never defined"
    b[STANDARD_VERSIONS.name].put({
        **first, "revision": e.revision, "effective_from": e.effective_from.isoformat(),
        "items": _dumps(e.items), "actor": e.actor, "reason": e.reason})


def opened(e: Standardisation.Opened, b: Batch) -> None:
    b[RECORDS.name].put({"record_id": b.subject, "organization_id": str(e.organization_id)})


def _organization(b: Batch) -> str:
    record = b[RECORDS.name].get(b.subject)
    assert record is not None, f"standardisation {b.subject} was never opened"
    return str(record["organization_id"])


def self_checked(e: Standardisation.SelfChecked, b: Batch) -> None:
    b[SELF_CHECKS.name].put({
        "record_id": b.subject, "organization_id": _organization(b), "number": e.number,
        "standard_id": str(e.standard_id), "revision": e.revision,
        "checked_on": e.effective_date.isoformat(), "scores": _dumps(e.scores),
        "total": e.total, "actor": e.actor, "reason": e.reason})


def _level_changed(b: Batch, e: Any, change: LevelChange, level: str | None,
                   self_check: int | None = None, accepted_by: str | None = None,
                   finding_id: Any = None) -> None:
    table = b[LEVEL_CHANGES.name]
    table.put({
        "record_id": b.subject, "organization_id": _organization(b),
        "number": len(table.rows(b.subject)) + 1, "change": change.value, "level": level,
        "effective_on": e.effective_date.isoformat(), "self_check": self_check,
        "accepted_by": accepted_by, "finding_id": str(finding_id) if finding_id else None,
        "actor": e.actor, "reason": e.reason})


class StandardisationView(Projection):
    name = "standardisation"
    tables = (STANDARD_VERSIONS, RECORDS, SELF_CHECKS, LEVEL_CHANGES)
    handlers: ClassVar[dict[type[Any], Handler]] = {
        BranchStandard.Defined: standard_defined,
        BranchStandard.Revised: standard_revised,
        Standardisation.Opened: opened,
        Standardisation.SelfChecked: self_checked,
        Standardisation.Accepted: lambda e, b: _level_changed(
            b, e, LevelChange.ACCEPTED, e.level, e.self_check, str(e.accepted_by)),
        Standardisation.Lowered: lambda e, b: _level_changed(
            b, e, LevelChange.LOWERED, e.level, finding_id=e.finding_id),
        Standardisation.Revoked: lambda e, b: _level_changed(
            b, e, LevelChange.REVOKED, None, finding_id=e.finding_id),
    }


# ---- queries ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class StandardView:
    id: str
    organization_id: str  # the organisation that keeps it
    title: str
    versions: tuple[StandardVersion, ...]
    reasons: tuple[tuple[str, str], ...]  # each version's actor and reason

    def in_force(self, day: date) -> StandardVersion | None:
        return in_force(self.versions, day)


def standards_by_id(conn: Connection, ids: Sequence[str],
                    position: int | None = None) -> dict[str, StandardView]:
    if not ids:
        return {}
    cond, params = as_of("s", position)
    grouped: dict[str, list[Any]] = {}
    for row in conn.execute(
            f"SELECT s.standard_id, s.organization_id, s.title, s.revision, s.effective_from, "
            f"s.items, s.actor, s.reason FROM {STANDARD_VERSIONS.name} s "
            f"WHERE s.standard_id IN ({marks(ids)}) AND {cond} ORDER BY s.revision",
            [*ids, *params]):
        grouped.setdefault(row[0], []).append(row)
    return {standard_id: StandardView(
        standard_id, rows[0][1], rows[0][2],
        tuple(version_of(int(r[3]), date.fromisoformat(r[4]), json.loads(r[5])) for r in rows),
        tuple((r[6], r[7]) for r in rows)) for standard_id, rows in grouped.items()}


@dataclass(frozen=True)
class SelfCheckView:
    number: int
    standard_id: str
    revision: int
    checked_on: date
    scores: tuple[tuple[str, Decimal, str], ...]  # item code, score, evidence
    total: Decimal
    actor: str
    reason: str


@dataclass(frozen=True)
class LevelChangeView:
    number: int
    change: LevelChange
    level: StandardLevel | None
    effective_on: date
    self_check: int | None
    accepted_by: str | None
    finding_id: str | None
    actor: str
    reason: str

    @property
    def since(self) -> date:
        return self.effective_on


@dataclass(frozen=True)
class RecordView:
    """A branch's standardisation: its self-checks and its level changes, in order."""

    record_id: str
    organization_id: str
    self_checks: tuple[SelfCheckView, ...]
    changes: tuple[LevelChangeView, ...]

    def on(self, day: date) -> LevelChangeView | None:
        """The change in effect on `day` (None: no level yet)."""
        return level_on(self.changes, day)


LEVEL_COLUMNS = ("l.organization_id, l.number, l.change, l.level, l.effective_on, "
                 "l.self_check, l.accepted_by, l.finding_id, l.actor, l.reason")


def _change_of(row: Sequence[Any]) -> LevelChangeView:
    return LevelChangeView(int(row[1]), LevelChange(row[2]),
                           StandardLevel(row[3]) if row[3] else None,
                           date.fromisoformat(row[4]),
                           int(row[5]) if row[5] is not None else None, row[6], row[7],
                           row[8], row[9])


def record_of(conn: Connection, organization_id: str,
              position: int | None = None) -> RecordView | None:
    """A branch's standardisation as known at `position`; None before its first self-check."""
    return records_of(conn, [organization_id], position).get(organization_id)


RECORDS_A_QUERY = 500


def records_of(conn: Connection, organization_ids: Sequence[str],
               position: int | None = None) -> dict[str, RecordView]:
    """The records of several branches as known at `position`, by branch id (three queries
    per 500 branches; a branch with no self-check yet has none)."""
    found: dict[str, RecordView] = {}
    for start in range(0, len(organization_ids), RECORDS_A_QUERY):
        found.update(_records_of(conn, organization_ids[start:start + RECORDS_A_QUERY],
                                 position))
    return found


def _records_of(conn: Connection, ids: Sequence[str],
                position: int | None) -> dict[str, RecordView]:
    if not ids:
        return {}
    cond, params = as_of("r", position)
    records = {r[1]: r[0] for r in conn.execute(
        f"SELECT r.record_id, r.organization_id FROM {RECORDS.name} r "
        f"WHERE r.organization_id IN ({marks(ids)}) AND {cond}", [*ids, *params])}
    checks: dict[str, list[SelfCheckView]] = {}
    check_cond, check_params = as_of("c", position)
    for r in conn.execute(
            f"SELECT c.organization_id, c.number, c.standard_id, c.revision, c.checked_on, "
            f"c.scores, c.total, c.actor, c.reason FROM {SELF_CHECKS.name} c "
            f"WHERE c.organization_id IN ({marks(ids)}) AND {check_cond} "
            f"ORDER BY c.organization_id, c.number", [*ids, *check_params]):
        checks.setdefault(r[0], []).append(SelfCheckView(
            int(r[1]), r[2], int(r[3]), date.fromisoformat(r[4]),
            tuple((s["code"], Decimal(s["score"]), s["evidence"]) for s in json.loads(r[5])),
            Decimal(r[6]), r[7], r[8]))
    changes: dict[str, list[LevelChangeView]] = {}
    level_cond, level_params = as_of("l", position)
    for r in conn.execute(
            f"SELECT {LEVEL_COLUMNS} FROM {LEVEL_CHANGES.name} l WHERE l.organization_id IN "
            f"({marks(ids)}) AND {level_cond} ORDER BY l.organization_id, l.number",
            [*ids, *level_params]):
        changes.setdefault(r[0], []).append(_change_of(r))
    return {org: RecordView(record_id, org, tuple(checks.get(org, ())),
                            tuple(changes.get(org, ())))
            for org, record_id in records.items()}


def record_by_id(conn: Connection, record_id: str,
                 position: int | None = None) -> RecordView | None:
    cond, params = as_of("r", position)
    found = conn.execute(f"SELECT r.organization_id FROM {RECORDS.name} r "
                         f"WHERE r.record_id = ? AND {cond}", [record_id, *params])
    return record_of(conn, found[0][0], position) if found else None


def _scope_clause(alias: str, scope: Sequence[str] | None) -> tuple[str, list[Any]]:
    if scope is None:
        return "1 = 1", []
    return f"{alias}.organization_id IN ({marks(scope)})", list(scope)


def levels_held(conn: Connection, scope: Sequence[str] | None, day: date,
                position: int | None = None) -> dict[str, LevelChangeView]:
    """The branches (within `scope`; None: all) that held a level on `day`, by id, each with
    the change that gave it: the last change effective on or before `day`, as known at
    `position`. A revoked level is no level."""
    if scope is not None and not scope:
        return {}
    where, params = _scope_clause("l", scope)
    cond, cond_params = as_of("l", position)
    last: dict[str, LevelChangeView] = {}
    for row in conn.execute(
            f"SELECT {LEVEL_COLUMNS} FROM {LEVEL_CHANGES.name} l WHERE {where} AND "
            f"l.effective_on <= ? AND {cond} ORDER BY l.organization_id, l.number",
            [*params, day.isoformat(), *cond_params]):
        last[row[0]] = _change_of(row)  # changes come in order of their dates
    return {org: change for org, change in last.items() if change.level is not None}


@dataclass(frozen=True)
class LevelShare:
    """The branches at each level at the end of a year; `unrated`: holding none."""

    year: int
    judged_on: date
    branches: int
    counts: dict[StandardLevel, int]

    @property
    def unrated(self) -> int:
        return self.branches - sum(self.counts.values())

    def share(self, level: StandardLevel | None) -> float | None:
        count = self.unrated if level is None else self.counts[level]
        return round(count / self.branches, 4) if self.branches else None


def branches(conn: Connection, scope: Sequence[str] | None,
             position: int | None = None) -> list[str]:
    """The branches (党支部) within `scope` that were not dissolved, as of `position`."""
    if scope is not None and not scope:
        return []
    cond, params = as_of("n", position)
    where, scope_params = ("1 = 1", []) if scope is None else \
        (f"n.id IN ({marks(scope)})", list(scope))
    return [r[0] for r in conn.execute(
        f"SELECT n.id FROM {tree.NODES.name} n WHERE n.kind = 'branch' AND n.dissolved = 0 "
        f"AND {where} AND {cond} ORDER BY n.id", [*scope_params, *params])]


def level_shares(conn: Connection, scope: Sequence[str] | None, years: Sequence[int],
                 position: int | None = None) -> list[LevelShare]:
    """Per year, the branches within `scope` (as of `position`) at each level on 31
    December — 002's 一年打基础、二年见成效、三年上水平 as a progression."""
    counted = branches(conn, scope, position)
    found = []
    for year in years:
        end = date(year, 12, 31)
        held = levels_held(conn, counted, end, position)
        counts = dict.fromkeys(StandardLevel, 0)
        for change in held.values():
            assert change.level is not None
            counts[change.level] += 1
        found.append(LevelShare(year, end, len(counted), counts))
    return found
