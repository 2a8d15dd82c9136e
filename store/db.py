"""One small connection layer over SQLite and PostgreSQL for read models: SQL is written once
with `?` placeholders and portable types (TEXT, BIGINT, DOUBLE PRECISION); this is the one place
that knows the dialects apart."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence, Sized
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import psycopg
from psycopg.abc import Buffer
from psycopg.pq import ExecStatus
from psycopg.types.string import StrBinaryDumper, StrDumperUnknown

from store.url import DatabaseURL

Row = tuple[Any, ...]
# PostgreSQL's names for the portable column types, for binary COPY.
BINARY_TYPES = {"TEXT": "text", "BIGINT": "int8", "DOUBLE PRECISION": "float8"}


def marks(values: Sized) -> str:
    """Placeholders for an IN list or a VALUES row of len(values) parameters."""
    return ", ".join("?" * len(values))


@lru_cache(maxsize=1024)
def to_pyformat(sql: str) -> str:
    return sql.replace("%", "%%").replace("?", "%s")


class Connection:
    """A connection in autocommit mode; `transaction()` groups statements atomically."""

    dialect: str

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        raise NotImplementedError

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        raise NotImplementedError

    def rowcount(self) -> int:
        raise NotImplementedError

    def serialize_ddl(self) -> None:
        """Within a transaction: make concurrent schema changes wait for each other."""

    def notify(self, channel: str, payload: str = "") -> None:
        """Within a transaction: tell listeners in other processes, on commit (PostgreSQL)."""

    def defer_durability(self) -> None:
        """From now on, a commit returns before it reaches the disk (it is still atomic, and
        visible at once). Only for derived data that a crash may lose: read models, which
        their followers fold again from the log's durable events, the tracking position
        rolling back with the rows. A follower's step then waits for no disk flush."""
        raise NotImplementedError

    def analyze(self, table: str) -> None:
        """Refresh the planner's statistics of a fast-growing table (PostgreSQL only: without
        them it picks the wrong index once a rebuilt table has grown)."""

    def estimated_rows(self, table: str) -> int:
        """Roughly how many rows a table holds, without counting them."""
        raise NotImplementedError

    def insert_rows(self, table: str, columns: Sequence[str],
                    rows: Iterable[Sequence[Any]], types: Sequence[str] | None = None) -> None:
        """Bulk insert (COPY on PostgreSQL). With the columns' portable `types`, every value
        must be of exactly that type (str for TEXT, int for BIGINT, float for DOUBLE
        PRECISION) or None: PostgreSQL then copies them in binary, without formatting and
        parsing text."""
        self.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks(columns)})",
                         rows)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        raise NotImplementedError
        yield self

    @contextmanager
    def pipelined(self) -> Iterator[Connection]:
        """Send the writes made inside through `executemany`, `insert_rows` and `notify`
        without waiting for each one's answer (PostgreSQL's pipeline mode; elsewhere as
        usual): the next `execute`, or the end, waits for them all at once."""
        yield self

    def close(self) -> None:
        raise NotImplementedError


class SQLiteConnection(Connection):
    dialect = "sqlite"

    def __init__(self, path: str) -> None:
        self.raw = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                                   timeout=30)
        self.raw.execute("PRAGMA journal_mode=WAL")
        self._cursor = self.raw.cursor()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return self._cursor.execute(sql, params).fetchall()

    def defer_durability(self) -> None:
        # In WAL mode NORMAL syncs at checkpoints only: a power cut may lose the last commits.
        self.raw.execute("PRAGMA synchronous=NORMAL")

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._cursor.executemany(sql, rows)

    def rowcount(self) -> int:
        return self._cursor.rowcount

    def estimated_rows(self, table: str) -> int:
        return int(self.execute(f"SELECT COALESCE(MAX(rowid), 0) FROM {table}")[0][0])

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        # IMMEDIATE takes the write lock up front, so a reader never has to upgrade mid-way.
        self.raw.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.raw.execute("ROLLBACK")
            raise
        self.raw.execute("COMMIT")

    def close(self) -> None:
        self.raw.close()


def storable(text: str) -> str:
    """PostgreSQL's text cannot hold NUL, which SQLite and the event store's JSON can: a read
    model shows U+FFFD in its place rather than stop its follower on a value the store took."""
    return text.replace("\x00", "\ufffd") if "\x00" in text else text


class StorableStrDumper(StrDumperUnknown):
    def dump(self, obj: str) -> Buffer | None:
        return super().dump(storable(obj))


class StorableStrBinaryDumper(StrBinaryDumper):
    def dump(self, obj: str) -> Buffer | None:
        return super().dump(storable(obj))


class PostgresConnection(Connection):
    dialect = "postgresql"

    def __init__(self, conninfo: dict[str, Any]) -> None:
        self.raw = psycopg.connect(**conninfo, autocommit=True)
        self._pipeline: psycopg.Pipeline | None = None
        # (The last one registered is what a plain `str` parameter uses: text of unknown type,
        # as psycopg's default, which lets the server infer it; binary COPY uses the other.)
        self.raw.adapters.register_dumper(str, StorableStrBinaryDumper)
        self.raw.adapters.register_dumper(str, StorableStrDumper)
        self._cursor = self.raw.cursor()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        cursor = self._cursor.execute(to_pyformat(sql), params)
        if self._pipeline is not None:  # its answer (rows, rowcount), and those before it
            self._pipeline.sync()
        # (Not `cursor.description`: that builds a Column object per column on every call.)
        result = cursor.pgresult
        returned_rows = result is not None and result.status == ExecStatus.TUPLES_OK
        return cursor.fetchall() if returned_rows else []

    def defer_durability(self) -> None:
        self.execute("SET synchronous_commit TO off")

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._cursor.executemany(to_pyformat(sql), rows)

    def rowcount(self) -> int:
        return self._cursor.rowcount

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.raw.transaction():
            yield self

    @contextmanager
    def pipelined(self) -> Iterator[Connection]:
        # A follower's step writes a few rows to each of several tables, then its tracking:
        # one round trip for all of them instead of one (two for a COPY) per statement.
        with self.raw.pipeline() as pipeline:
            self._pipeline = pipeline
            try:
                yield self
            finally:
                self._pipeline = None

    def serialize_ddl(self) -> None:
        # CREATE ... IF NOT EXISTS still races in PostgreSQL's catalogue.
        self.execute("SELECT pg_advisory_xact_lock(7231008)")

    def notify(self, channel: str, payload: str = "") -> None:
        self._cursor.execute("SELECT pg_notify(%s, %s)", [channel, payload])  # (no answer read)

    def analyze(self, table: str) -> None:
        self.execute(f"ANALYZE {table}")

    def estimated_rows(self, table: str) -> int:
        # As of the table's last ANALYZE or VACUUM (-1 when it has had none).
        rows = self.execute("SELECT reltuples FROM pg_class WHERE oid = to_regclass(?)", [table])
        return max(int(rows[0][0]), 0) if rows and rows[0][0] is not None else 0

    def insert_rows(self, table: str, columns: Sequence[str],
                    rows: Iterable[Sequence[Any]], types: Sequence[str] | None = None) -> None:
        if self._pipeline is not None:  # (COPY cannot be pipelined; a step writes a few rows)
            super().insert_rows(table, columns, rows, types)
            return
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        if types is not None:
            statement += " (FORMAT BINARY)"
        with self._cursor.copy(statement) as copy:
            if types is not None:
                copy.set_types([BINARY_TYPES[kind] for kind in types])
            for row in rows:
                copy.write_row(row)

    def close(self) -> None:
        self.raw.close()


@dataclass(frozen=True)
class Database:
    """Where read models live; opens connections on demand."""

    url: DatabaseURL

    @property
    def dialect(self) -> str:
        return self.url.backend

    def connect(self) -> Connection:
        if self.url.backend == "sqlite":
            path = self.url.sqlite_path
            path.parent.mkdir(parents=True, exist_ok=True)
            return SQLiteConnection(str(path))
        env = self.url.library_env()
        return PostgresConnection({
            "dbname": env["POSTGRES_DBNAME"], "host": env["POSTGRES_HOST"],
            "port": env["POSTGRES_PORT"], "user": env["POSTGRES_USER"],
            "password": env["POSTGRES_PASSWORD"] or None, "connect_timeout": 10,
        })

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        conn = self.connect()
        try:
            yield conn
        finally:
            conn.close()
