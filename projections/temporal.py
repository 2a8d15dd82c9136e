"""Temporal tables: every row version carries valid_from (the position that wrote it) and
valid_to (the position that superseded it; NULL while current). A batch of events is folded in
memory and flushed with a few bulk statements: close the versions it superseded, insert the
versions it wrote (intermediate ones already closed), so reading as of any position inside the
batch sees exactly what a replay up to that position would."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from store.db import Connection, Row, marks

Key = tuple[Any, ...]
RowDict = dict[str, Any]
IN_CHUNK = 500


@dataclass(frozen=True)
class TemporalTable:
    name: str
    key: tuple[str, ...]
    columns: dict[str, str]  # name -> portable SQL type, key columns included
    partition: str  # prefetch unit: all versions of one partition value load together
    indexes: tuple[tuple[str, ...], ...] = ()  # over the current rows
    history_indexes: tuple[tuple[str, ...], ...] = ()  # over every version, for as-of reads
    append_only: bool = False  # rows are only ever added: writing one needs no look-up
    # An index over every version by key, for as-of reads by key; a table whose rows are
    # never superseded and read only by its current index can do without.
    history_index: bool = True
    # Keep superseded versions (for as-of reads); else a table holds only current rows, each
    # with the position that wrote it (its history kept elsewhere, e.g. in a log).
    history: bool = True

    @property
    def column_names(self) -> list[str]:
        return list(self.columns)

    def ddl(self, deferred: bool = True) -> list[str]:
        """The table and its indexes; without the `deferred` ones, which folding never reads
        (a rebuild builds them once it is done): the history indexes, for as-of reads, and
        the current indexes of an append-only table, written without look-ups."""
        cols = ", ".join(f"{name} {kind}" for name, kind in self.columns.items())
        keys = ", ".join(self.key)
        statements = [
            f"CREATE TABLE IF NOT EXISTS {self.name} ({cols}, "
            "valid_from BIGINT NOT NULL, valid_to BIGINT)",
            f"CREATE UNIQUE INDEX IF NOT EXISTS {self.name}_current ON {self.name} ({keys}) "
            "WHERE valid_to IS NULL",
        ]
        if self.append_only and not deferred:
            return statements
        for number, columns in enumerate(self.indexes):
            statements.append(
                f"CREATE INDEX IF NOT EXISTS {self.name}_by_{number} ON {self.name} "
                f"({', '.join(columns)}) WHERE valid_to IS NULL"
            )
        if not deferred:
            return statements
        if self.history and self.history_index:
            statements.append(f"CREATE INDEX IF NOT EXISTS {self.name}_history ON {self.name} "
                              f"({keys}, valid_from)")
        for number, columns in enumerate(self.history_indexes):
            statements.append(
                f"CREATE INDEX IF NOT EXISTS {self.name}_history_by_{number} ON {self.name} "
                f"({', '.join(columns)})"
            )
        return statements

    def drop(self) -> str:
        return f"DROP TABLE IF EXISTS {self.name}"

    def key_of(self) -> Callable[[RowDict], Key]:
        """A row's key (a tuple, even of one column)."""
        values = itemgetter(*self.key)
        if len(self.key) == 1:
            return lambda row: (values(row),)
        return values  # several names: itemgetter gives a tuple already


def as_of(alias: str, position: int | None) -> tuple[str, list[Any]]:
    """The SQL condition (and its parameters) selecting the row versions visible at `position`,
    or the current ones when it is None."""
    if position is None:
        return f"{alias}.valid_to IS NULL", []
    return (f"{alias}.valid_from <= ? AND ({alias}.valid_to IS NULL OR {alias}.valid_to > ?)",
            [position, position])


@dataclass(slots=True)
class _Entity:
    original: RowDict | None  # the current version in the database when the batch began
    original_from: int | None
    versions: list[tuple[int, RowDict | None]] = field(default_factory=list)

    @property
    def current(self) -> RowDict | None:
        return self.versions[-1][1] if self.versions else self.original


class TableBatch:
    """One table's pending changes within a batch of events."""

    def __init__(self, table: TemporalTable, conn: Connection, batch: Batch,
                 complete: bool = False) -> None:
        self.table = table
        self.conn = conn
        # Not a strong reference: a batch and its tables would form a cycle, freed only by the
        # garbage collector, which a rebuild runs rarely.
        self.batch = weakref.proxy(batch)
        # Whether `entities` hold every current row of the table (a rebuild that has kept
        # them since the table was empty): a partition never loaded then has no rows, and
        # loading it needs no query.
        self.complete = complete
        self.entities: dict[Key, _Entity] = {}
        self.loaded: set[Any] = set()
        self.partition_index = table.key.index(table.partition)
        self.by_partition: dict[Any, list[Key]] = {}
        self.key_of = table.key_of()
        # Rows new by construction (`append`), as written: values, valid_from, valid_to.
        self.appended: list[tuple[Any, ...]] = []
        # The entities this batch wrote new versions of (what a flush writes).
        self.changed: dict[Key, _Entity] = {}

    def prefetch(self, partitions: Iterable[Any]) -> None:
        wanted = [p for p in set(partitions) if p not in self.loaded]
        if self.complete or self.table.append_only:
            # (An append-only table's rows are never read back while folding: loading a
            # goal's every progress report to fold one more cost a query growing with them.)
            self.loaded.update(wanted)
            return
        names = self.table.column_names
        for start in range(0, len(wanted), IN_CHUNK):
            chunk = wanted[start:start + IN_CHUNK]
            rows = self.conn.execute(
                f"SELECT {', '.join(names)}, valid_from FROM {self.table.name} "
                f"WHERE {self.table.partition} IN ({marks(chunk)}) AND valid_to IS NULL", chunk)
            for row in rows:
                values = dict(zip(names, row, strict=False))
                self._add(self.key_of(values), _Entity(values, row[-1]))
        self.loaded.update(wanted)

    def _add(self, key: Key, entity: _Entity) -> _Entity:
        if key not in self.entities:
            self.by_partition.setdefault(key[self.partition_index], []).append(key)
        self.entities[key] = entity
        return entity

    def _entity(self, key: Key) -> _Entity:
        entity = self.entities.get(key)
        if entity is None:
            partition = key[self.partition_index]
            if partition not in self.loaded and not self.table.append_only:
                self.prefetch([partition])
                entity = self.entities.get(key)
            if entity is None:
                entity = self._add(key, _Entity(None, None))
        return entity

    def get(self, *key: Any) -> RowDict | None:
        current = self._entity(tuple(key)).current
        return dict(current) if current is not None else None

    def peek(self, *key: Any) -> RowDict | None:
        """The current row, not copied: for reading only."""
        return self._entity(tuple(key)).current

    def rows(self, partition: Any) -> list[RowDict]:
        """Current rows of one partition (e.g. all responsibilities of one goal)."""
        if partition not in self.loaded:
            self.prefetch([partition])
        found = (self.entities[key].current for key in self.by_partition.get(partition, ()))
        return [dict(row) for row in found if row is not None]

    def committed_counts(self, column: str, value: Any,
                         grouped: Sequence[str]) -> list[Row]:
        """How many current rows with `column = value` share each combination of the
        `grouped` columns (each row: those values, then the count), as the batch found them
        (not what it has written since): for deriving state once, before the batch writes."""
        listed = ", ".join(grouped)
        return self.conn.execute(f"SELECT {listed}, COUNT(*) FROM {self.table.name} "
                                 f"WHERE {column} = ? AND valid_to IS NULL GROUP BY {listed}",
                                 [value])

    def put(self, row: RowDict) -> None:
        """Write a new version (the batch keeps `row`: pass a fresh dict, as `get` gives)."""
        key = self.key_of(row)
        entity = self._entity(key)
        if entity.current == row:
            return
        self._record(key, entity, row)

    def append(self, values: Sequence[Any]) -> None:
        """Write a row that is new by construction (a log entry keyed by its position): no
        lookup of an earlier version, so folding a log costs no query per event. `values`
        are the table's columns in order, each exactly of its column's type (str, int or
        float) or None; the row is written as it is, and this batch does not read it back
        (`get`, `peek` and `rows` do not see it)."""
        self.appended.append((*values, self.batch.position, None))

    def delete(self, *key: Any) -> None:
        entity = self._entity(key)
        if entity.current is not None:
            self._record(key, entity, None)

    def _record(self, key: Key, entity: _Entity, row: RowDict | None) -> None:
        position = self.batch.position
        self.changed[key] = entity
        if entity.versions and entity.versions[-1][0] == position:
            entity.versions[-1] = (position, row)  # same event: no zero-length version
        else:
            entity.versions.append((position, row))

    def flush(self) -> int:
        """Write the pending versions; returns how many rows were inserted."""
        names = self.table.column_names
        values = itemgetter(*names)
        key_sql = " AND ".join(f"{name} = ?" for name in self.table.key)
        closes: list[list[Any]] = []
        inserts: list[tuple[Any, ...]] = []
        if not self.table.history:
            return self._replace(names, values, key_sql)
        for key, entity in self.changed.items():
            if entity.original is not None:
                closes.append([entity.versions[0][0], *key])
            for index, (position, row) in enumerate(entity.versions):
                if row is None:
                    continue
                until = (entity.versions[index + 1][0] if index + 1 < len(entity.versions)
                         else None)
                inserts.append((*values(row), position, until))
        if closes:
            self.conn.executemany(
                f"UPDATE {self.table.name} SET valid_to = ? "
                f"WHERE {key_sql} AND valid_to IS NULL", closes)
        if inserts:
            self.conn.insert_rows(self.table.name, [*names, "valid_from", "valid_to"], inserts)
        return len(inserts) + self._insert_appended()

    def _insert_appended(self) -> int:
        if self.appended:
            self.conn.insert_rows(self.table.name,
                                  [*self.table.column_names, "valid_from", "valid_to"],
                                  self.appended,
                                  [*self.table.columns.values(), "BIGINT", "BIGINT"])
        return len(self.appended)

    def settle(self, batch: Batch) -> None:
        """After a flush, keep the rows for `batch`, the next one: what this batch wrote is
        what the table now holds."""
        for entity in self.changed.values():
            position, row = entity.versions[-1]
            entity.original, entity.original_from = row, position if row is not None else None
            entity.versions = []
        self.changed = {}
        self.appended = []
        self.batch = weakref.proxy(batch)

    def _replace(self, names: list[str], values: Callable[[RowDict], Any], key_sql: str) -> int:
        """Without history: each changed key's last version replaces its current row."""
        removes: list[list[Any]] = []
        inserts: list[tuple[Any, ...]] = []
        for key, entity in self.changed.items():
            if entity.original is not None:
                removes.append(list(key))
            position, row = entity.versions[-1]
            if row is not None:
                inserts.append((*values(row), position, None))
        if removes:
            # `valid_to IS NULL` (always true here) lets the current index find the row.
            self.conn.executemany(
                f"DELETE FROM {self.table.name} WHERE {key_sql} AND valid_to IS NULL", removes)
        if inserts:
            self.conn.insert_rows(self.table.name, [*names, "valid_from", "valid_to"], inserts)
        return len(inserts) + self._insert_appended()


class Batch:
    """The pending changes of one projection while it folds a batch of events. `position`
    and `subject` (the event's aggregate id as text) describe the event being folded."""

    def __init__(self, tables: Sequence[TemporalTable], conn: Connection,
                 memo: dict[Any, Any] | None = None, complete: bool = False) -> None:
        self.position = 0
        self.subject = ""
        self.tables = {table.name: TableBatch(table, conn, self, complete) for table in tables}
        # What a projection derives from its rows and keeps up to date as it folds (the
        # follower may hand the same memo to the next batch).
        self.memo: dict[Any, Any] = {} if memo is None else memo

    def __getitem__(self, name: str) -> TableBatch:
        return self.tables[name]

    def flush(self) -> dict[str, int]:
        """Write every table's pending versions; returns rows inserted per table."""
        return {name: table.flush() for name, table in self.tables.items()}

    def following(self) -> Batch:
        """The next batch, starting from the rows this one has loaded and written (once it
        is flushed and committed), instead of loading them again."""
        batch = Batch([], self.tables[next(iter(self.tables))].conn, self.memo)
        for table in self.tables.values():
            table.settle(batch)
        batch.tables = self.tables
        return batch

    def size(self) -> int:
        """How many rows, known absences and loaded partitions the batch holds."""
        return sum(len(table.entities) + len(table.loaded) for table in self.tables.values())
