"""The name of any record (a person's or organisation's name, a goal's or finding's title, an
indicator's item) as it stands, from the audit log's field state: one query for a page of
records of any types."""

from __future__ import annotations

import json
from collections.abc import Sequence

from projections.audit_log import FIELDS
from store.db import Connection, marks

# The field that names a record, by preference (a record has at most one of them).
NAME_FIELDS = ("name", "title", "item")


def record_names(conn: Connection, aggregate_ids: Sequence[str]) -> dict[str, str]:
    """Each record's current name, by id; records without one (an evaluation, a sanction)
    are left out."""
    if not aggregate_ids:
        return {}
    rows = conn.execute(
        f"SELECT aggregate_id, field, value FROM {FIELDS.name} WHERE aggregate_id IN "
        f"({marks(aggregate_ids)}) AND field IN ({marks(NAME_FIELDS)})",
        [*aggregate_ids, *NAME_FIELDS])
    found: dict[str, tuple[int, str]] = {}
    for aggregate_id, name_field, value in rows:
        rank = NAME_FIELDS.index(name_field)
        if aggregate_id not in found or rank < found[aggregate_id][0]:
            found[aggregate_id] = (rank, str(json.loads(value)))
    return {aggregate_id: name for aggregate_id, (_, name) in found.items()}
