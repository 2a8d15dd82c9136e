"""Read model: the audit log (one entry per event, with its field-level changes) and each
aggregate's field state (for history, blame and diff as of any position); `valid_time`
replays its entries in effective order (what was true in the business on a date)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any, ClassVar

from projections.changes import CHANGES, LATEST_EFFECTIVE, dated_field
from projections.engine import Handler, Projection
from projections.pages import EVERYTHING, Page
from projections.temporal import Batch, TemporalTable
from store.audit import AUDIT_TABLE, EPOCH, micros, split_topic
from store.db import Connection, marks

ENTRIES = TemporalTable(
    "view_audit_entries", ("position",),
    {"position": "BIGINT", "aggregate_type": "TEXT", "aggregate_id": "TEXT",
     "event_type": "TEXT", "actor": "TEXT", "reason": "TEXT", "effective_date": "TEXT",
     # When the event takes effect in the business, for valid-time replays: its effective
     # date; else the day it was stamped (UTC); a creating event without one holds from the
     # start of valid time (a record is taken to have always existed; its own fields, such
     # as a goal's period, carry its business dates).
     "effective_on": "TEXT",
     "organization_id": "TEXT",
     # The concerned organisation and its ancestors as they stood when the event was recorded
     # ('/root/…/organisation/'), so a subtree filter sees the tree of that moment.
     "organization_path": "TEXT",
     "changes": "TEXT"},
    partition="position",
    indexes=(("aggregate_id", "position"), ("actor", "position"), ("event_type", "position")),
    # An entry is written once and never superseded: every read goes through the current
    # indexes (`valid_to IS NULL`), by position or by one of the columns above.
    append_only=True, history_index=False,
)
# Each aggregate's fields as they stand, and the position that set each: what folding
# compares the next event with. Earlier states are replayed from the entries' changes, which
# hold every version already.
FIELDS = TemporalTable(
    "view_audit_fields", ("aggregate_id", "field"),
    {"aggregate_id": "TEXT", "aggregate_type": "TEXT", "field": "TEXT", "value": "TEXT"},
    partition="aggregate_id", history=False,
)
SYSTEM_ACTOR_PREFIX = "system:"
PATHS = "organization paths"  # the memo's key: organisation id -> its path


# One encoder for every value: `json.dumps` with options builds a new one per call, and so
# does `JSONEncoder.encode` for each list or dict (its C encoder): build that once too.
_encoder = json.JSONEncoder(ensure_ascii=False, sort_keys=True)
_c_encode = (c_make_encoder(None, _encoder.default, encode_basestring, None, ": ", ", ", True,
                            False, True) if c_make_encoder is not None else None)


def _dumps(value: Any) -> str:
    """`_encoder.encode(value)`, faster."""
    if type(value) is str:
        return encode_basestring(value)
    if _c_encode is None:  # pragma: no cover - CPython has the C encoder
        return _encoder.encode(value)
    return "".join(_c_encode(value, 0))


NULL = _dumps(None)


@lru_cache(maxsize=4096)
def _field_name(name: str) -> str:
    return _dumps(name)


def _change(name: str, before: str, after: str) -> str:
    """One change as `_dumps({"field": …, "before": …, "after": …})` would write it, from
    values already encoded: each value is encoded once, for the field state, and reused."""
    return f'{{"after": {after}, "before": {before}, "field": {_field_name(name)}}}'


# Field values repeat (the same organisation ids, again and again): decode each text once.
_decoded = lru_cache(maxsize=4096)(json.loads)


def _value(row: dict[str, Any] | None) -> Any:
    return _decoded(row["value"]) if row is not None else None


OWNERS = ("organization_id", "organizer_id")


@dataclass(frozen=True)
class _Kind:
    """What record() needs to know of an event class, worked out once per class."""

    aggregate_type: str
    event_type: str
    owners: tuple[str, ...]  # which of OWNERS the event names
    dated: bool  # whether it has an effective date
    changes: Callable[[Any], dict[str, Any]]  # its mapping in CHANGES
    # Whether it may move an organisation (then the paths remembered are stale).
    moves: bool


_KINDS: dict[type[Any], _Kind] = {}


def _kind(event: Any) -> _Kind:
    kind = _KINDS.get(type(event))
    if kind is None:
        aggregate_type, event_type = split_topic(type(event).TOPIC)
        kind = _KINDS[type(event)] = _Kind(
            aggregate_type, event_type, tuple(n for n in OWNERS if hasattr(event, n)),
            hasattr(event, "effective_date"), CHANGES[type(event)],
            aggregate_type == "Organization")
    return kind


def _concerned_organization(event: Any, b: Batch, kind: _Kind) -> str | None:
    """The organisation an event is about: the one it names, else the aggregate's own
    organisation (a goal's, an evaluation's; a cycle's organiser), else the aggregate itself
    when it is an organisation."""
    for name in kind.owners:
        named = getattr(event, name)
        if named:
            return str(named)
    if kind.aggregate_type == "Organization":
        return b.subject
    state = b[FIELDS.name]
    for name in OWNERS:
        owner = _value(state.peek(b.subject, name))
        if owner is not None:
            return str(owner)
    return None


def _path(organization_id: str | None, b: Batch) -> str | None:
    """'/root/…/organisation/' as the tree stands; remembered across events and batches (the
    memo) until an organisation's parent changes, since most events concern a few
    organisations and walking up reads a row per ancestor."""
    if organization_id is None:
        return None
    paths: dict[str, str] = b.memo.setdefault(PATHS, {})
    known = paths.get(organization_id)
    if known is not None:
        return known
    chain: list[str] = []  # up from the organisation to the first ancestor with a known path
    current: str | None = organization_id
    path = "/"
    while current is not None and current not in chain:
        if current in paths:  # stop there: an ancestor's field state may be thousands of rows
            path = paths[current]
            break
        chain.append(current)
        current = _value(b[FIELDS.name].peek(current, "parent_id"))
    for walked in reversed(chain):
        path = paths[walked] = f"{path}{walked}/"
    return path


def _effective_on(event: Any) -> str:
    """When an event without an effective date takes effect (see `effective_on`)."""
    if event.originator_version == 1:
        return date.min.isoformat()
    return str(event.timestamp.astimezone(UTC).date().isoformat())


def record(event: Any, b: Batch) -> None:
    kind = _KINDS.get(type(event)) or _kind(event)
    aggregate_type, subject = kind.aggregate_type, b.subject
    state = b.tables[FIELDS.name]
    changes = []
    for name, after in kind.changes(event).items():
        # Compared and written as stored text: canonical JSON, so equal text is equal value.
        held = state.peek(subject, name)
        if name in LATEST_EFFECTIVE and held is not None:
            name = dated_field(name, after, json.loads(held["value"]))
            held = state.peek(subject, name)
        before = held["value"] if held is not None else NULL
        encoded = _dumps(after)
        if before == encoded:
            continue
        changes.append(_change(name, before, encoded))
        if after is None:
            state.delete(subject, name)
        else:
            state.put({"aggregate_id": subject, "aggregate_type": aggregate_type,
                       "field": name, "value": encoded})
        if kind.moves and name == "parent_id":
            b.memo.pop(PATHS, None)  # the paths below it changed
    organization_id = _concerned_organization(event, b, kind)
    effective: date | None = event.effective_date if kind.dated else None
    effective_date = effective.isoformat() if effective is not None else None
    # Columns in ENTRIES' order.
    b.tables[ENTRIES.name].append((
        b.position, aggregate_type, subject, kind.event_type, event.actor, event.reason,
        effective_date, effective_date or _effective_on(event), organization_id,
        _path(organization_id, b), "[" + ", ".join(changes) + "]"))


class AuditLog(Projection):
    name = "audit_log"
    version = 3  # 2: the field state keeps current rows only; 3: progress, latest effective
    tables = (ENTRIES, FIELDS)
    handlers: ClassVar[dict[type[Any], Handler]] = dict.fromkeys(CHANGES, record)
    # Its field state is half a million rows at a million events, each batch touching few of
    # them: kept in memory, looking them up cost a rebuild more than loading them per batch.
    keep_rows = False

    @classmethod
    def rebuild_weight(cls) -> int:
        # Measured at a million events: its fold (an entry and field rows for every event)
        # cost more than the other six read models' together.
        return 2 * len(cls.handlers)

    @classmethod
    def partitions(cls, event: Any, subject: str) -> dict[str, Any]:
        # Entries are appended, never looked up: only the field state is prefetched.
        return {FIELDS.name: subject}


# ---- queries ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class Entry:
    position: int
    recorded_at: datetime
    effective_date: date | None
    actor: str
    aggregate_type: str
    aggregate_id: str
    event_type: str
    reason: str
    organization_id: str | None
    changes: list[Change]

    @classmethod
    def from_row(cls, r: Sequence[Any]) -> Entry:
        recorded = r[1]
        if not isinstance(recorded, datetime):  # SQLite keeps microseconds since the epoch
            recorded = EPOCH + timedelta(microseconds=int(recorded))
        return cls(r[0], recorded, date.fromisoformat(r[2]) if r[2] else None, r[3], r[4],
                   r[5], r[6], r[7], r[8], [Change(**c) for c in json.loads(r[9])])


ENTRY_COLUMNS = ("e.position, a.recorded_at, e.effective_date, e.actor, e.aggregate_type, "
                 "e.aggregate_id, e.event_type, e.reason, e.organization_id, e.changes")
ENTRY_SOURCE = f"{ENTRIES.name} e JOIN {AUDIT_TABLE} a ON a.position = e.position"


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    organization_id: str | None = None  # a subtree, as the tree stood when each was recorded
    aggregate_type: str | None = None
    aggregate_id: str | None = None
    event_type: str | None = None
    recorded_from: datetime | None = None
    recorded_to: datetime | None = None
    effective_from: date | None = None
    effective_to: date | None = None
    up_to: int | None = None  # as of this position
    after: int | None = None  # only entries after this position (a live feed)
    # The subtrees the reader may see (None: all); entries concerning no organisation are
    # then hidden.
    scope: tuple[str, ...] | None = field(default=None)


def _moment(conn: Connection, moment: datetime) -> Any:
    return moment if conn.dialect == "postgresql" else micros(moment)


def _where(conn: Connection, where: AuditFilter) -> tuple[str, list[Any]] | None:
    clauses, values = ["e.valid_to IS NULL"], []
    for column in ("actor", "aggregate_type", "aggregate_id", "event_type"):
        if getattr(where, column) is not None:
            clauses.append(f"e.{column} = ?")
            values.append(getattr(where, column))
    if where.organization_id is not None:
        clauses.append("e.organization_path LIKE ?")
        values.append(f"%/{where.organization_id}/%")
    if where.scope is not None:
        if not where.scope:
            return None
        clauses.append("(" + " OR ".join(["e.organization_path LIKE ?"] * len(where.scope))
                       + ")")
        values += [f"%/{root}/%" for root in where.scope]
    if where.recorded_from is not None:
        clauses.append("a.recorded_at >= ?")
        values.append(_moment(conn, where.recorded_from))
    if where.recorded_to is not None:
        clauses.append("a.recorded_at <= ?")
        values.append(_moment(conn, where.recorded_to))
    if where.effective_from is not None:
        clauses.append("e.effective_date >= ?")
        values.append(where.effective_from.isoformat())
    if where.effective_to is not None:
        clauses.append("e.effective_date <= ?")
        values.append(where.effective_to.isoformat())
    if where.up_to is not None:
        clauses.append("e.position <= ?")
        values.append(where.up_to)
    if where.after is not None:
        clauses.append("e.position > ?")
        values.append(where.after)
    return " AND ".join(clauses), values


def entries_page(conn: Connection, where: AuditFilter,
                 page: Page = EVERYTHING) -> tuple[list[Entry], bool]:
    """Entries newest first, a keyset page over positions (`after`/`before` are one-element
    keys holding a position); and whether more lie beyond the page in the direction read."""
    found = _where(conn, where)
    if found is None:
        return [], False
    clause, values = found
    if page.after is not None:
        clause += " AND e.position < ?"
        values.append(int(page.after[0]))
    if page.before is not None:
        clause += " AND e.position > ?"
        values.append(int(page.before[0]))
    sql = (f"SELECT {ENTRY_COLUMNS} FROM {ENTRY_SOURCE} WHERE {clause} "
           f"ORDER BY e.position {'ASC' if page.backwards else 'DESC'}")
    if page.limit is not None:
        sql += " LIMIT ?"
        values.append(page.limit + 1)
    rows = conn.execute(sql, values)
    more = page.limit is not None and len(rows) > page.limit
    rows = rows[:page.limit] if page.limit is not None else rows
    entries = [Entry.from_row(r) for r in rows]
    return (entries[::-1] if page.backwards else entries), more


def count_entries(conn: Connection, where: AuditFilter) -> int:
    found = _where(conn, where)
    if found is None:
        return 0
    return int(conn.execute(f"SELECT count(*) FROM {ENTRY_SOURCE} WHERE {found[0]}",
                            found[1])[0][0])


def stream_entries(conn: Connection, where: AuditFilter,
                   batch: int = 1000) -> Iterator[Entry]:
    """Every matching entry, newest first, read a page at a time (for exports)."""
    page = Page(limit=batch)
    while True:
        entries, more = entries_page(conn, where, page)
        yield from entries
        if not more:
            return
        page = Page(limit=batch, after=(entries[-1].position,))


def entries_at(conn: Connection, positions: Sequence[int]) -> dict[int, Entry]:
    if not positions:
        return {}
    rows = conn.execute(f"SELECT {ENTRY_COLUMNS} FROM {ENTRY_SOURCE} "
                        f"WHERE e.position IN ({marks(positions)}) AND e.valid_to IS NULL",
                        list(positions))
    return {row[0]: Entry.from_row(row) for row in rows}


def last_position(conn: Connection) -> int:
    rows = conn.execute(f"SELECT max(position) FROM {ENTRIES.name} WHERE valid_to IS NULL")
    return int(rows[0][0] or 0)


@dataclass(frozen=True)
class FieldValue:
    field: str
    value: Any
    set_at: int  # the position of the event that set it


def concerned_organizations(conn: Connection, aggregate_id: str) -> set[str | None]:
    """The organisations a record's events concerned (None for an event concerning none)."""
    rows = conn.execute(f"SELECT DISTINCT e.organization_id FROM {ENTRIES.name} e "
                        "WHERE e.aggregate_id = ?", [aggregate_id])
    return {row[0] for row in rows}


def _changes(conn: Connection, aggregate_id: str, position: int | None,
             condition: str = "", values: Sequence[Any] = ()) -> Iterator[tuple[int, Any]]:
    """(position, change) for each change an aggregate's entries made up to `position`
    (those matching `condition` on the entry `e`), oldest first."""
    rows = conn.execute(
        f"SELECT e.position, e.changes FROM {ENTRIES.name} e WHERE e.aggregate_id = ? "
        f"AND e.valid_to IS NULL {condition}"
        f"{'AND e.position <= ? ' if position is not None else ''}ORDER BY e.position",
        [aggregate_id, *values, *([position] if position is not None else [])])
    for at, changes in rows:
        for change in json.loads(changes):
            yield at, change


def _replayed(conn: Connection, aggregate_id: str, position: int) -> dict[str, FieldValue]:
    """An aggregate's fields as of `position`, replayed from its entries' changes, each with
    the position of the entry that set it (as the field state held it then)."""
    state: dict[str, FieldValue] = {}
    for at, change in _changes(conn, aggregate_id, position):
        if change["after"] is None:
            state.pop(change["field"], None)
        else:
            state[change["field"]] = FieldValue(change["field"], change["after"], at)
    return {name: state[name] for name in sorted(state)}


def field_state(conn: Connection, aggregate_id: str,
                position: int | None = None) -> dict[str, FieldValue]:
    """Each field of an aggregate as of `position` (None: now) and the event that set it."""
    if position is not None:
        return _replayed(conn, aggregate_id, position)
    rows = conn.execute(f"SELECT f.field, f.value, f.valid_from FROM {FIELDS.name} f "
                        "WHERE f.aggregate_id = ? ORDER BY f.field", [aggregate_id])
    return {r[0]: FieldValue(r[0], json.loads(r[1]), r[2]) for r in rows}


def blame(conn: Connection, aggregate_id: str, position: int | None = None,
          skip_system: bool = False) -> list[tuple[FieldValue, Entry]]:
    """For each field as of `position`, the event that last set it; with `skip_system`, the
    last one not by a system actor (like git's ignore-revs)."""
    current = field_state(conn, aggregate_id, position)
    setters: dict[str, int] = {name: value.set_at for name, value in current.items()}
    if skip_system:
        human = {change["field"]: at for at, change in _changes(
            conn, aggregate_id, position, "AND e.actor NOT LIKE ? ", [SYSTEM_ACTOR_PREFIX + "%"])
            if change["after"] is not None}  # the last wins; removing a field sets nothing
        setters = {name: human.get(name, at) for name, at in setters.items()}
    entries = entries_at(conn, sorted(set(setters.values())))
    return [(current[name], entries[at]) for name, at in setters.items()]


def diff(conn: Connection, aggregate_id: str, start: int,
         end: int) -> tuple[list[Change], list[Entry]]:
    """The field changes between two positions, and the events between them that made them,
    oldest first."""
    before, after = field_state(conn, aggregate_id, start), field_state(conn, aggregate_id, end)
    changes = []
    for name in sorted(before.keys() | after.keys()):
        old = before[name].value if name in before else None
        new = after[name].value if name in after else None
        if old != new:
            changes.append(Change(name, old, new))
    entries, _ = entries_page(conn, AuditFilter(aggregate_id=aggregate_id, up_to=end,
                                                after=start))
    return changes, entries[::-1]


def versions_of(conn: Connection, aggregate_ids: Sequence[str],
                up_to: int | None = None) -> dict[str, int]:
    """Records' versions (their count of events, as `DengtaAggregate.version` counts them) as
    of position `up_to` (None: now), in one query through the entries' (aggregate_id,
    position) index; records with no events are left out."""
    sql = (f"SELECT aggregate_id, count(*) FROM {ENTRIES.name} WHERE aggregate_id IN "
           f"({marks(aggregate_ids)}) AND valid_to IS NULL")
    values: list[Any] = list(aggregate_ids)
    if up_to is not None:
        sql += " AND position <= ?"
        values.append(up_to)
    return {row[0]: int(row[1]) for row in conn.execute(sql + " GROUP BY aggregate_id", values)}

