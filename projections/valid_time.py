"""Valid time for one goal: the goal as true in the business on a date (its events replayed in
effective-date order, those effective later left out), as known at a log position. Read from
the audit log's field history, so a back-dated correction changes the dates it covers and no
`asOf` read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from projections import audit_log as audit
from projections import goals as goal_views
from store.db import Connection


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
    state = audit.valid_state(conn, goal_id, valid_at, position)
    if "status" not in state:
        return None
    duties = {name: value for name, value in state.items()
              if name.startswith("responsibility[")}
    assigned = audit.entries_at(conn, sorted({value.set_at for value in duties.values()}))
    holders = []
    for name, value in duties.items():
        kind, _, party = name.removeprefix("responsibility[").removesuffix("]").partition(":")
        holders.append(ValidHolder(kind=kind, party_kind=value.value, party_id=party,
                                   since=assigned[value.set_at].effective_date))
    latest: dict[str, Any] = state["progress"].value if "progress" in state else {}
    reports = audit.count_entries(conn, audit.AuditFilter(
        aggregate_id=goal_id, event_type="ProgressReported", effective_to=valid_at,
        up_to=position))
    indicator = state["indicator"].value
    return GoalValidView(
        title=state["title"].value, description=state["description"].value,
        field=state["field"].value, status=state["status"].value,
        weight=state["weight"].value,
        period_start=date.fromisoformat(state["period_start"].value),
        period_end=date.fromisoformat(state["period_end"].value),
        indicator=indicator, reports=reports,
        value=Decimal(latest["value"]) if latest.get("value") is not None else None,
        rubric_level=latest.get("rubric_level"),
        effective_date=(date.fromisoformat(latest["effective_date"])
                        if latest.get("effective_date") else None),
        completion=goal_views.completion(indicator, latest.get("value"),
                                         latest.get("rubric_level")),
        holders=sorted(holders, key=lambda h: (h.kind, h.party_kind, h.party_id)))
