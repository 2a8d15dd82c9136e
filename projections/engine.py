"""The projection engine: followers that fold the notification log into read models,
exactly once, writing view rows and the tracking position in one transaction."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.utils import get_topic

from projections.temporal import Batch, TemporalTable
from store.db import Connection, marks

log = logging.getLogger("dengta.projections")

TRACKING_DDL = (
    "CREATE TABLE IF NOT EXISTS dengta_tracking ("
    "projection TEXT PRIMARY KEY, position BIGINT NOT NULL, version BIGINT NOT NULL)"
)
Handler = Callable[[Any, Batch], None]
Folded = tuple[int, Any, str]  # position, event, its aggregate's id as text (`subject`)
Read = tuple[int, list[Folded]]  # how many notifications, and the events decoded
REBUILD_BATCH = 20_000  # events per transaction of a rebuild (fewer commits, loads, COPYs)
PROGRESS_CHANNEL = "dengta_projections"
ANALYZE_AFTER = 5000  # rows; then again each time a table has doubled
MEMO_LIMIT = 20_000  # entries a projection may keep between batches
KEEP_LIMIT = 1_000_000  # rows a rebuild may keep in memory per read model between batches
KEEP_HOT = 10_000  # rows a live leader keeps per read model between batches
# A batch of up to this many events writes in one pipelined round trip (row by row); a larger
# one (a rebuild's, a follower catching up) writes each table with COPY.
PIPELINED_UP_TO = 200


class Projection:
    """A read model: its temporal tables and one small apply function per event it folds."""

    name: ClassVar[str]
    version: ClassVar[int] = 1  # bump when tables or folding change: the engine rebuilds
    tables: ClassVar[Sequence[TemporalTable]]
    handlers: ClassVar[dict[type[Any], Handler]]
    # Whether a rebuild keeps its rows in memory between batches (see Follower.keep_rows).
    keep_rows: ClassVar[bool] = True

    @classmethod
    def rebuild_weight(cls) -> int:
        """What folding the whole log costs, relative to the other read models (a rebuild
        shares them out by it): by default how many kinds of event it folds."""
        return len(cls.handlers)

    @classmethod
    def topics(cls) -> list[str]:
        return [get_topic(event_class) for event_class in cls.handlers]

    @classmethod
    def partitions(cls, event: Any, subject: str) -> dict[str, Any] | None:
        """Which partition of which table an event will touch, to prefetch a batch at once;
        None (the default): every table's partition is the event's aggregate id (`subject`)."""
        return None


def create_tables(conn: Connection, projection: type[Projection],
                  indexes: bool = True) -> None:
    """The projection's tables; without the indexes folding never reads unless `indexes`
    (a rebuild creates them after the fold: any follower's `prepare` would too)."""
    conn.serialize_ddl()
    conn.execute(TRACKING_DDL)
    for table in projection.tables:
        for statement in table.ddl(deferred=indexes):
            conn.execute(statement)


def tracked(conn: Connection, projection: type[Projection]) -> tuple[int, int] | None:
    rows = conn.execute("SELECT position, version FROM dengta_tracking WHERE projection = ?",
                        [projection.name])
    return (rows[0][0], rows[0][1]) if rows else None


def tracked_all(conn: Connection, projections: Sequence[type[Projection]],
                ) -> dict[str, tuple[int, int] | None]:
    """Several projections' tracking in one query."""
    names = [p.name for p in projections]
    rows = conn.execute("SELECT projection, position, version FROM dengta_tracking "
                        f"WHERE projection IN ({marks(names)})", names)
    found = {row[0]: (row[1], row[2]) for row in rows}
    return {name: found.get(name) for name in names}


def progress_payload(position: int, names: Sequence[str]) -> str:
    return " ".join([str(position), *names])


def parse_progress(payload: str) -> tuple[int, list[str]] | None:
    """What a progress notification says (None: it says nothing, ask the database)."""
    parts = payload.split()
    if len(parts) < 2 or not parts[0].isdigit():
        return None
    return int(parts[0]), parts[1:]


def has_tracking(conn: Connection) -> bool:
    """Whether any follower has created the tracking table yet."""
    try:
        conn.execute("SELECT 1 FROM dengta_tracking LIMIT 1")
    except Exception:  # the table appears with the first follower
        return False
    return True


def reset(conn: Connection, projection: type[Projection], indexes: bool = True) -> None:
    """Drop the projection's tables and tracking: it refills from the start of the log
    (`indexes`: as in `create_tables`)."""
    with conn.transaction():
        conn.serialize_ddl()
        conn.execute(TRACKING_DDL)
        for table in projection.tables:
            conn.execute(table.drop())
        conn.execute("DELETE FROM dengta_tracking WHERE projection = ?", [projection.name])
        create_tables(conn, projection, indexes)


def _text(texts: dict[int, str], uuid: UUID | str) -> str:
    """`str(uuid)`, remembered in `texts`."""
    if type(uuid) is not UUID:
        return str(uuid)
    number = uuid.int
    text = texts.get(number)
    if text is None:
        text = texts[number] = str(uuid)
    return text


class LostRaceError(Exception):
    """Raised when another follower advanced the same projection first; the batch is undone."""


@dataclass
class Follower:
    """Follows the log for one projection, or several in step (a rebuild reads and decodes
    the log once for all of them), each from its own tracked position."""

    projections: type[Projection] | Sequence[type[Projection]]
    app: Application[Any]
    conn: Connection
    batch_size: int = 1000  # a rebuild does better with larger batches (fewer commits)
    # Read and decode the next batch while this one is folded (for rebuilds up to a stop).
    read_ahead: bool = False
    # Read at most this many positions past the tracked one per batch (None: up to the head).
    # The log's query asks for a range of ids and sorts what it finds there: over a range of
    # a million ids (a rebuild's start), PostgreSQL without statistics on the log sorts all
    # of them for each batch of a few thousand, a cost that grows with the log.
    window: int | None = None
    # Statistics are refreshed after this many new rows in a table, then each time it doubles.
    analyze_after: int = ANALYZE_AFTER
    # Refresh the statistics of append-only tables too (folding never reads them; readers do:
    # a rebuild analyses them once, at the end).
    analyze_appended: bool = True
    # Keep each read model's rows in memory from one batch to the next, from its first batch
    # on (a rebuild, the only writer of its tables): then no batch queries its tables, until
    # it holds more than KEEP_LIMIT rows (then it loads what each batch needs, as usual).
    keep_rows: bool = False
    # Keep the rows each batch loaded or wrote for the next one, up to this many per read
    # model (0: none): a leader, the only writer of its tables, then loads each hot goal or
    # organisation once instead of in every batch that touches it.
    keep_hot: int = 0
    # For tests: called after the view rows are written and before the commit.
    before_commit: Callable[[], None] | None = None

    def __post_init__(self) -> None:
        self.conn.defer_durability()  # what a crash loses here is folded again from the log
        if isinstance(self.projections, type):
            self.projections = [self.projections]
        self.members: list[type[Projection]] = list(self.projections)
        self._versions = {p.name: p.version for p in self.members}
        # The projections' tracking as this follower's last step committed it (None: read it).
        self._tracked: dict[str, tuple[int, int] | None] | None = None
        self.topics = sorted({topic for p in self.members for topic in p.topics()})
        self._topic_set = frozenset(self.topics)
        # Which of the members fold each kind of event: a batch is sorted out in one pass.
        self._routes: dict[type[Any], list[str]] = {}
        for projection in self.members:
            for kind in projection.handlers:
                self._routes.setdefault(kind, []).append(projection.name)
        self._ahead: tuple[tuple[int, int], Future[Read]] | None = None
        # Rows inserted per table since its statistics were last refreshed, and its size then
        # (for a table this follower has not yet analysed: its size when the follower began).
        self._grown: dict[str, int] = {}
        self._analyzed_at: dict[str, int] = {}
        self._reader = ThreadPoolExecutor(1) if self.read_ahead else None
        # What each projection derived from its rows, kept from one batch to the next: valid
        # at the position noted, which is set only once the batch that moved it committed.
        self._memos: dict[str, dict[Any, Any]] = {}
        self._memo_at: dict[str, int] = {}
        self._kept: dict[str, Batch] = {}  # the next batch (keep_*), valid as memos are
        self.behind = False  # whether the last step stopped short of the head (a window)
        # Aggregate ids as text, by their number: an aggregate's events come in runs, and
        # `str(UUID)` is slow Python.
        self._texts: dict[int, str] = {}

    def _read(self, start: int, head: int) -> Read:
        # A few positions (a live step): every notification there, sorted out here, costs
        # less than sending the follower's every topic with the query. (Fewer positions than
        # a batch: the read is never full, so the batch ends at `head` whatever it keeps.)
        few = head - start + 1 < min(PIPELINED_UP_TO, self.batch_size) and bool(self.topics)
        notifications = self.app.recorder.select_notifications(
            start, self.batch_size, stop=head, topics=() if few else self.topics)
        decode = self.app.mapper.to_domain_event
        texts = self._texts
        if len(texts) > MEMO_LIMIT:
            texts.clear()
        wanted = self._topic_set
        return len(notifications), [(n.id, decode(n), _text(texts, n.originator_id))
                                    for n in notifications if not few or n.topic in wanted]

    def prepare(self) -> int:
        """Create tables (rebuilding a projection whose version changed); return the lowest
        position among the projections followed."""
        positions = []
        for projection in self.members:
            with self.conn.transaction():
                create_tables(self.conn, projection)
                state = tracked(self.conn, projection)
            if state is not None and state[1] != projection.version:
                log.warning("projection %s changed (version %s -> %s): rebuilding",
                            projection.name, state[1], projection.version)
                reset(self.conn, projection)
                state = None
            positions.append(state[0] if state else 0)
        return min(positions)

    def step(self, stop: int | None = None) -> tuple[int, int]:
        """Fold the next batch. Returns (events read, new position); (0, position) when there
        is nothing new. `stop` folds no further than that position."""
        head = self.app.recorder.max_notification_id() or 0
        if stop is not None:
            head = min(head, stop)
        remembered = self._tracked
        try:
            count, new_position, folded = self._step(head)
        except Exception:
            if remembered is None or tracked_all(self.conn, self.members) == remembered:
                raise
            # Another follower moved on since this one's last step (its guarded advance, or
            # a row it wrote meanwhile, stopped this one): once more from where they stand.
            count, new_position, folded = self._step(head)
        self.behind = new_position < head
        for name in folded:
            self._memo_at[name] = new_position
        return count, new_position

    def _step(self, head: int) -> tuple[int, int, list[str]]:
        folded: list[str] = []
        # Where the projections stand: as this follower's last step left them (its guarded
        # advance finds out if another moved them since), else as tracked.
        states = self._tracked or tracked_all(self.conn, self.members)
        self._tracked = None  # until this step commits
        positions = {name: state[0] if state else 0 for name, state in states.items()}
        position = min(positions.values())
        if position >= head:
            self._tracked = states
            return 0, position, folded
        # Every id up to `head` is committed (inserts are serialised in id order), so a gap
        # below it is permanent, never a reason to wait.
        wanted = (position + 1, self._upper(position, head))
        if self._ahead is not None and self._ahead[0] == wanted:
            count, decoded = self._ahead[1].result()
        else:
            count, decoded = self._read(*wanted)
        self._ahead = None
        full = count == self.batch_size
        new_position = decoded[-1][0] if full else wanted[1]
        if new_position < head and self._reader is not None:
            following = (new_position + 1, self._upper(new_position, head))
            self._ahead = (following, self._reader.submit(self._read, *following))
        advanced: dict[str, int] = {}  # projection -> the position it moved from
        routed: dict[str, list[Folded]] = {p.name: [] for p in self.members}
        routes = self._routes
        for event in decoded:
            for name in routes.get(type(event[1]), ()):
                routed[name].append(event)
        folds: list[tuple[type[Projection], Batch, bool]] = []
        for projection in self.members:
            after = positions[projection.name]
            if after >= new_position:
                continue
            events = routed[projection.name]
            if after > position:  # ahead of the slowest member: it folded some already
                events = [event for event in events if event[0] > after]
            first = states[projection.name] is None
            if events or first:
                folds.append((projection, *self._fold(projection, events, after, first)))
            elif self._memo_at.get(projection.name) != after:  # (else they stay valid)
                self._memos.pop(projection.name, None)
                self._kept.pop(projection.name, None)
            if not first:
                advanced[projection.name] = after
            folded.append(projection.name)
        # Every read is done: the writes go together, in one transaction (a live step's
        # pipelined: its BEGIN, rows, notice and tracking in one round trip, then COMMIT).
        small = count <= PIPELINED_UP_TO
        with self.conn.pipelined() if small else nullcontext(), self.conn.transaction():
            inserted = [batch.flush() for _, batch, _ in folds]
            for name in folded:
                if states[name] is None:
                    self.conn.execute("INSERT INTO dengta_tracking VALUES (?, ?, ?)",
                                      [name, new_position, self._versions[name]])
            if folded:
                # Delivered on commit, to any process: where these projections now are.
                self.conn.notify(PROGRESS_CHANNEL, progress_payload(new_position, folded))
            self._advance(advanced, new_position)  # (its answer: all of the above's)
            if advanced and self.conn.rowcount() != len(advanced):
                raise LostRaceError(f"{', '.join(advanced)}: advanced by another follower")
            for (projection, batch, complete), rows in zip(folds, inserted, strict=True):
                self._settle(projection, batch, complete, rows)
            if self.before_commit is not None:
                self.before_commit()
        self._tracked = {name: (new_position, self._versions[name]) if name in folded
                         else states[name] for name in states}
        return count, new_position, folded

    def _upper(self, position: int, head: int) -> int:
        return head if self.window is None else min(head, position + self.window)

    def _fold(self, projection: type[Projection], events: Sequence[Folded], after: int,
              first: bool = False) -> tuple[Batch, bool]:
        """Fold `events` into a batch of the projection's tables, to be flushed (`first`: its
        first batch ever, on tables created empty); with whether the batch holds every row."""
        valid = self._memo_at.get(projection.name) == after
        memo = self._memos.get(projection.name) if valid else None
        if memo is None or len(memo) > MEMO_LIMIT:
            memo = self._memos[projection.name] = {}
        self._memo_at.pop(projection.name, None)  # until this batch commits
        kept = self._kept.pop(projection.name, None)
        if kept is not None and valid:
            batch = kept
            batch.memo = memo
        else:
            batch = Batch(projection.tables, self.conn, memo,
                          complete=self.keep_rows and projection.keep_rows and first)
        complete = all(table.complete for table in batch.tables.values())
        if not complete:  # (complete: what is not held yet is not there)
            self._prefetch(projection, events, batch)
        handlers = projection.handlers
        for position, event, subject in events:
            batch.position, batch.subject = position, subject
            handlers[type(event)](event, batch)
        for name in (t.name for t in projection.tables):  # large: no ANALYZE per 5,000 rows
            if name not in self._analyzed_at:
                self._analyzed_at[name] = self.conn.estimated_rows(name)
        return batch, complete

    def _settle(self, projection: type[Projection], batch: Batch, complete: bool,
                inserted: dict[str, int]) -> None:
        """After a batch's flush: statistics where its tables grew, and its rows kept for
        the next batch where they may be."""
        appended = {t.name for t in projection.tables if t.append_only}
        for table, rows in inserted.items():
            if complete or (table in appended and not self.analyze_appended):
                continue  # no query reads the table while folding
            self._grown[table] = grown = self._grown.get(table, 0) + rows
            if grown > max(self.analyze_after, self._analyzed_at[table]):
                self.conn.analyze(table)
                self._analyzed_at[table] += grown
                self._grown[table] = 0
        if complete and batch.size() <= KEEP_LIMIT:
            self._kept[projection.name] = batch.following()
        elif complete:  # from the next batch on, its tables are read: statistics first
            for read in projection.tables:
                if not read.append_only:
                    self.conn.analyze(read.name)
                    self._analyzed_at[read.name] = self.conn.estimated_rows(read.name)
        elif batch.size() <= self.keep_hot:  # (past it, the next batch starts afresh)
            self._kept[projection.name] = batch.following()

    @staticmethod
    def _prefetch(projection: type[Projection], events: Sequence[Folded], batch: Batch) -> None:
        """Load the rows the batch's events will touch, a few queries per table."""
        wanted: dict[str, set[Any]] = {table.name: set() for table in projection.tables}
        for _, event, subject in events:
            chosen = projection.partitions(event, subject)
            if chosen is None:
                for partitions in wanted.values():
                    partitions.add(subject)
            else:
                for table, partition in chosen.items():
                    wanted[table].add(partition)
        for table, partitions in wanted.items():
            batch[table].prefetch(partitions)

    def _advance(self, advanced: dict[str, int], new: int) -> None:
        """Move the projections' tracking on, guarded in one statement: each must still be
        where this batch found it (the caller checks that every one moved)."""
        if not advanced:
            return
        found: dict[int, list[str]] = {}  # old position -> projections (usually one)
        for name, old in advanced.items():
            found.setdefault(old, []).append(name)
        guard = " OR ".join(f"(position = ? AND projection IN ({marks(names)}))"
                            for names in found.values())
        self.conn.execute(f"UPDATE dengta_tracking SET position = ? WHERE {guard}",
                          [new, *(v for old, names in found.items() for v in (old, *names))])

    def catch_up(self, stop: int | None = None,
                 progress: Callable[[int, int], None] | None = None) -> int:
        """Fold until the log's head (or `stop`); returns how many events were folded.
        `progress(count, position)` hears of each batch."""
        total = 0
        while True:
            count, position = self.step(stop)
            total += count
            if progress is not None:
                progress(count, position)
            if count == 0 and not self.behind:
                return total


def _resolve(future: asyncio.Future[bool]) -> None:
    if not future.done():
        future.set_result(True)


class Progress:
    """Positions reached by the followers of this process, for read-your-writes."""

    def __init__(self) -> None:
        self._positions: dict[str, int] = {}
        self._changed = threading.Condition()
        # Event-loop waiters: (loop, future, names, position), resolved from follower threads.
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[bool],
                                  Sequence[str], int]] = []

    def position(self, name: str) -> int | None:
        """The position a projection is known to have committed, if known here."""
        with self._changed:
            return self._positions.get(name)

    def _passed(self, names: Sequence[str], position: int) -> bool:
        return all(self._positions.get(name, 0) >= position for name in names)

    def reached(self, name: str, position: int) -> None:
        with self._changed:
            if position > self._positions.get(name, -1):
                self._positions[name] = position
                self._changed.notify_all()
                still = []
                for loop, future, names, wanted in self._waiters:
                    if self._passed(names, wanted):
                        loop.call_soon_threadsafe(_resolve, future)
                    else:
                        still.append((loop, future, names, wanted))
                self._waiters = still

    async def wait_until_async(self, names: Sequence[str], position: int,
                               timeout: float) -> bool:
        """Like wait_until, without holding a thread while it waits."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[bool] = loop.create_future()
        with self._changed:
            if self._passed(names, position):
                return True
            self._waiters.append((loop, future, names, position))
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            return False
        finally:
            with self._changed:
                self._waiters = [w for w in self._waiters if w[1] is not future]

    def wait_until(self, names: Sequence[str], position: int, timeout: float) -> bool:
        """Block until every named projection has passed `position` (woken by the followers,
        not by polling); False when `timeout` seconds ran out first."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while any(self._positions.get(name, 0) < position for name in names):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(remaining)
        return True
