"""Part of the organisational-life read model: how many meetings each organisation held of
each kind in each month of a year, and how many were listed and present at them — counts a
summary over a province's thousands of organisations adds up, instead of reading every
meeting. Folded from the meeting rows as they change (a correction or cancellation takes the
old row's counts off and adds the new row's)."""

from __future__ import annotations

from typing import Any

from projections.temporal import Batch, TemporalTable

MONTHS = range(1, 13)
MEASURES = ("held", "listed", "present")


def column(measure: str, month: int) -> str:
    return f"{measure}_{month:02d}"


TALLY = TemporalTable(
    "view_meeting_tally", ("organization_id", "year", "kind"),
    {"organization_id": "TEXT", "year": "BIGINT", "kind": "TEXT",
     **{column(m, month): "BIGINT" for m in MEASURES for month in MONTHS}},
    partition="organization_id",
    # as-of reads walk an organisation's versions: with valid_to in the index, those not
    # in force are passed over without reading the row
    history_indexes=(("organization_id", "year", "valid_from", "valid_to"),),
)


def count_meeting(b: Batch, meeting: dict[str, Any] | None, sign: int) -> None:
    """Add (sign 1) or take off (sign -1) a meeting row's counts, if it counts (held)."""
    if meeting is None or meeting["status"] != "held":
        return
    year, month = int(meeting["held_on"][:4]), int(meeting["held_on"][5:7])
    table = b[TALLY.name]
    row = table.get(meeting["organization_id"], year, meeting["kind"]) or {
        "organization_id": meeting["organization_id"], "year": year, "kind": meeting["kind"],
        **{column(m, month): 0 for m in MEASURES for month in MONTHS}}
    row[column("held", month)] += sign
    row[column("listed", month)] += sign * meeting["listed"]
    row[column("present", month)] += sign * meeting["present"]
    table.put(row)
