"""Valid time: records as true in the business on a date (their events replayed in
effective-date order, those effective later left out), as known at a log position. Read from
the audit log's entries, so a back-dated correction changes the dates it covers and no `asOf`
read. One rule for every record: an event takes effect on its effective date; one without
takes effect on the day it was stamped (UTC), except a record's creating event, which holds
from the start of valid time (`audit_log.ENTRIES.effective_on`)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from projections import audit_log as audit
from projections import goals as goal_views
from projections.audit_log import ENTRIES, FieldValue
from projections.changes import undated_field
from projections.temporal import IN_CHUNK
from store.db import Connection, marks


@dataclass
class ValidRecord:
    """A record's fields as true on a date, and how many events of each type made them."""

    fields: dict[str, FieldValue] = field(default_factory=dict)
    events: Counter[str] = field(default_factory=Counter)

    def value(self, name: str, default: Any = None) -> Any:
        held = self.fields.get(name)
        return held.value if held is not None else default

    def keyed(self, collection: str) -> dict[str, Any]:
        """A collection's members (`goal[<id>]` → id: value), as true on the date."""
        prefix = f"{collection}["
        return {name[len(prefix):-1]: held.value for name, held in self.fields.items()
                if name.startswith(prefix) and name.endswith("]")}


def valid_records(conn: Connection, ids: Sequence[str], valid_at: date,
                  position: int | None = None) -> dict[str, ValidRecord]:
    """Records as true on `valid_at`, as known at `position` (None: now), in one query per
    500 records; a record none of whose events had taken effect by then is left out (it did
    not exist yet)."""
    found: dict[str, ValidRecord] = {}
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), IN_CHUNK):
        chunk = wanted[start:start + IN_CHUNK]
        rows = conn.execute(
            f"SELECT e.aggregate_id, e.position, e.event_type, e.changes FROM {ENTRIES.name} e "
            f"WHERE e.aggregate_id IN ({marks(chunk)}) AND e.valid_to IS NULL "
            f"AND e.effective_on <= ? {'AND e.position <= ? ' if position is not None else ''}"
            "ORDER BY e.aggregate_id, e.effective_on, e.position",
            [*chunk, valid_at.isoformat(), *([position] if position is not None else [])])
        for aggregate_id, at, event_type, changes in rows:
            record = found.setdefault(aggregate_id, ValidRecord())
            record.events[event_type] += 1
            for change in json.loads(changes):
                name = undated_field(change["field"])  # in effective order: the latest wins
                if change["after"] is None:
                    record.fields.pop(name, None)
                else:
                    record.fields[name] = FieldValue(name, change["after"], at)
    return found


def valid_state(conn: Connection, aggregate_id: str, valid_at: date,
                position: int | None = None) -> dict[str, FieldValue]:
    """What was true of one record in the business on `valid_at`, as known at `position`."""
    found = valid_records(conn, [aggregate_id], valid_at, position).get(aggregate_id)
    return found.fields if found is not None else {}


@dataclass(frozen=True)
class ValidHolder:
    kind: str
    party_kind: str
    party_id: str
    since: date | None


@dataclass(frozen=True)
class GoalValidView:
    title: str
    description: str
    field: str
    status: str
    weight: int
    period_start: date
    period_end: date
    indicator: dict[str, Any]
    reports: int
    value: Decimal | None
    rubric_level: str | None
    effective_date: date | None
    completion: float | None
    holders: list[ValidHolder]  # by kind, then party


def goal_valid_at(conn: Connection, goal_id: str, valid_at: date,
                  position: int | None) -> GoalValidView | None:
    """None before the goal existed (on that date, as known then)."""
    record = valid_records(conn, [goal_id], valid_at, position).get(goal_id)
    if record is None or "status" not in record.fields:
        return None
    state = record.fields
    holders = _holders(conn, {goal_id: record})[goal_id]
    latest: dict[str, Any] = record.value("progress", {})
    indicator = state["indicator"].value
    return GoalValidView(
        title=state["title"].value, description=state["description"].value,
        field=state["field"].value, status=state["status"].value,
        weight=state["weight"].value,
        period_start=date.fromisoformat(state["period_start"].value),
        period_end=date.fromisoformat(state["period_end"].value),
        indicator=indicator, reports=record.events["ProgressReported"],
        value=Decimal(latest["value"]) if latest.get("value") is not None else None,
        rubric_level=latest.get("rubric_level"),
        effective_date=(date.fromisoformat(latest["effective_date"])
                        if latest.get("effective_date") else None),
        completion=goal_views.completion(indicator, latest.get("value"),
                                         latest.get("rubric_level")),
        holders=holders)


def _holders(conn: Connection, records: dict[str, ValidRecord]) -> dict[str, list[ValidHolder]]:
    """Each goal's responsible parties in its record, by kind, then party; each with the
    effective date of its assignment (one query for them all)."""
    duties = {goal_id: record.keyed("responsibility") for goal_id, record in records.items()}
    assigned = audit.entries_at(conn, sorted({
        record.fields[f"responsibility[{key}]"].set_at
        for goal_id, record in records.items() for key in duties[goal_id]}))
    found = {}
    for goal_id, record in records.items():
        holders = []
        for key, party_kind in duties[goal_id].items():
            kind, _, party = key.partition(":")
            set_at = record.fields[f"responsibility[{key}]"].set_at
            holders.append(ValidHolder(kind=kind, party_kind=party_kind, party_id=party,
                                       since=assigned[set_at].effective_date))
        found[goal_id] = sorted(holders, key=lambda h: (h.kind, h.party_kind, h.party_id))
    return found


def holders_of(conn: Connection, goal_ids: Sequence[str], valid_at: date,
               position: int | None) -> dict[str, list[ValidHolder]]:
    """Who was responsible for each goal on `valid_at`, as known at `position`."""
    return _holders(conn, valid_records(conn, goal_ids, valid_at, position))
