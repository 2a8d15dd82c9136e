"""Runs followers as long-lived threads: one per projection, each elected (one active follower
per projection across processes), woken by PostgreSQL NOTIFY or an in-process nudge and polling
on a short interval besides, reconnecting by itself when its connection is lost."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import threading
import time
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import psycopg
from eventsourcing.application import Application

from projections.engine import (
    KEEP_HOT,
    PROGRESS_CHANNEL,
    Follower,
    Progress,
    Projection,
    has_tracking,
    parse_progress,
    tracked_all,
)
from store.db import Connection, Database

log = logging.getLogger("dengta.projections")
# Positions a follower reads past its own at most: one far behind (a new read model, a restart
# after a long stop) then never asks for [position, head] at once, which PostgreSQL, without
# statistics on the log, answers by sorting all of it for every batch.
FOLLOW_WINDOW = 20_000
LINGER = 0.01  # seconds a busy follower waits before its next step
FAILING_AFTER = 3  # failed attempts in a row after which a follower is reported as failing


class Leadership:
    """At most one active follower per projection: a PostgreSQL session advisory lock (freed
    when its session ends, however the process died), or a file lock beside a SQLite file."""

    def __init__(self, database: Database, name: str) -> None:
        self.database = database
        self.name = name
        self._file: Any = None
        self._session: Connection | None = None  # the PostgreSQL session holding the lock
        self.key = zlib.crc32(f"dengta:projection:{name}".encode())

    def try_acquire(self, conn: Connection) -> bool:
        if conn.dialect == "postgresql":
            if self._session is conn:
                return True  # advisory locks stack: take it once per session
            held = bool(conn.execute("SELECT pg_try_advisory_lock(?)", [self.key])[0][0])
            self._session = conn if held else None
            return held
        if self._file is None:
            path = Path(f"{self.database.url.sqlite_path}.{self.name}.lock")
            self._file = path.open("w")
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def release(self) -> None:
        if self._session is not None:
            with contextlib.suppress(Exception):  # a dead session has freed it already
                self._session.execute("SELECT pg_advisory_unlock(?)", [self.key])
            self._session = None
        if self._file is not None:
            self._file.close()
            self._file = None


class Runner:
    def __init__(
        self,
        app: Application[Any],
        database: Database,
        projections: Sequence[type[Projection]],
        *,
        progress: Progress | None = None,
        poll_interval: float = 0.5,
        batch_size: int = 1000,
        grouped: bool = False,
        follow: bool = True,
        window: int | None = FOLLOW_WINDOW,
        linger: float = LINGER,
    ) -> None:
        """`grouped`: one follower folds every projection in one transaction per batch (an
        API process's own followers: fewer round trips before a write is visible); otherwise
        a follower per projection, so workers can share them out. `follow=False`: no
        followers here, only waits on those elsewhere (`dengta project` workers)."""
        groups = [list(projections)] if grouped else [[p] for p in projections]
        self.groups = groups if follow else []
        self.app = app
        self.database = database
        self.projections = projections
        self.progress = progress or Progress()
        self.poll_interval = poll_interval
        self.batch_size = batch_size
        self.window = window
        self.linger = linger
        self.stopped = threading.Event()
        self.wakeups = {p.name: threading.Event() for p in projections}
        self.leading: set[str] = set()
        # Followers whose last attempts failed: projection name -> (position, error), for
        # /readyz; cleared by the next step that succeeds.
        self.failing: dict[str, tuple[int | None, str]] = {}
        # Set while the listener hears other processes' progress (PostgreSQL): waits need not
        # ask the database where they are then.
        self.listening = threading.Event()
        self.threads: list[threading.Thread] = []

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.projections]

    def start(self) -> Runner:
        for group in self.groups:
            self._spawn(self._follow, group,
                        name="follow-" + "+".join(p.name for p in group))
        if self.database.dialect == "postgresql":
            self._spawn(self._listen, name="listen")
        return self

    def _spawn(self, target: Any, *args: Any, name: str) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def stop(self) -> None:
        self.stopped.set()
        self.wake()
        for thread in self.threads:
            thread.join(timeout=10)

    def wake(self) -> None:
        """Nudge every follower to look for new events now (an in-process writer wrote)."""
        for event in self.wakeups.values():
            event.set()

    def wait_until(self, position: int, timeout: float = 5.0) -> bool:
        """Read-your-writes: wait (bounded) until every projection has passed `position`.
        Woken by this process's followers, or, for projections another process leads, by
        their NOTIFY after each commit."""
        self._nudge()
        deadline = time.monotonic() + timeout
        while True:
            asks = self._asks()
            if asks:
                self.refresh()
            remaining = deadline - time.monotonic()
            wait = min(remaining, self.poll_interval) if asks else remaining
            if self.progress.wait_until(self.names, position, wait):
                return True
            if time.monotonic() >= deadline:
                return False

    async def wait_until_async(self, position: int, timeout: float = 5.0) -> bool:
        """wait_until for the event loop: no thread is held while waiting."""
        self._nudge()
        deadline = time.monotonic() + timeout
        while True:
            asks = self._asks()
            if asks:
                await asyncio.to_thread(self.refresh)
            remaining = deadline - time.monotonic()
            wait = min(remaining, self.poll_interval) if asks else remaining
            if await self.progress.wait_until_async(self.names, position, wait):
                return True
            if time.monotonic() >= deadline:
                return False

    def _nudge(self) -> None:
        """A waiter's write is new: wake the followers here, unless the listener hears of it
        (a wake-up while a follower folds tells it that others are writing: see linger)."""
        if not self.listening.is_set():
            self.wake()

    def _others_lead(self) -> bool:
        return bool(set(self.names) - self.leading)

    def _asks(self) -> bool:
        """Whether a wait must ask the database how far others are, every poll interval:
        followers elsewhere lead, and no listener hears of their progress (SQLite, or the
        PostgreSQL listener is reconnecting)."""
        return self._others_lead() and not self.listening.is_set()

    def position(self, name: str) -> int | None:
        """How far a projection this runner follows (or hears of) has committed."""
        return self.progress.position(name) if name in self.names else None

    def refresh(self, conn: Connection | None = None) -> None:
        """Learn the positions followers in other processes have committed (on `conn`, else
        on a connection of its own)."""
        if conn is None:
            with self.database.connection() as own:
                self.refresh(own)
            return
        if has_tracking(conn):
            for name, state in tracked_all(conn, self.projections).items():
                if state is not None:
                    self.progress.reached(name, state[0])

    def _heard(self, payloads: Iterable[str]) -> bool:
        """Take in what progress notifications said; False when one said nothing usable (then
        the database is asked). No notification at all is nothing to learn."""
        for payload in payloads:
            said = parse_progress(payload)
            if said is None:
                return False
            position, names = said
            for name in set(names) & set(self.names):
                self.progress.reached(name, position)
        return True

    def _follow(self, group: Sequence[type[Projection]]) -> None:
        names = [p.name for p in group]
        label = "+".join(names)
        leaderships = [Leadership(self.database, name) for name in names]
        failures = 0
        while not self.stopped.is_set():
            conn: Connection | None = None
            try:
                conn = self.database.connect()
                while not self._lead(conn, leaderships):
                    if self.stopped.wait(self.poll_interval):
                        return
                self.leading.update(names)
                for name in names:
                    log.info("%s: following (this process leads)", name)
                follower = Follower(group, self.app, conn, self.batch_size, window=self.window,
                                    keep_hot=KEEP_HOT)
                self._reached(names, follower.prepare())
                wakeup = self.wakeups[names[0]]
                while not self.stopped.is_set():
                    wakeup.clear()
                    _, position = follower.step()
                    self._reached(names, position)
                    if failures:
                        log.warning("%s: reconnected after %d failed attempt(s)", label,
                                    failures)
                        failures = 0
                        for name in names:
                            self.failing.pop(name, None)
                    if follower.behind:  # (a full or an empty window: go on)
                        continue
                    if not wakeup.is_set():  # nothing was written while it folded
                        wakeup.wait(self.poll_interval)
                    elif self.linger:
                        # Busy: let a few more writes arrive, so that the next step folds
                        # them together (a step costs a dozen statements however little it
                        # folds). A lone writer, who waits for each write to be folded, is
                        # not kept waiting.
                        self.stopped.wait(self.linger)
            except Exception as error:
                failures += 1
                log.warning("%s: %s: %s; reconnecting", label, type(error).__name__, error)
                if failures >= FAILING_AFTER:
                    for name in names:
                        self.failing[name] = (self.position(name),
                                              f"{type(error).__name__}: {error}"[:500])
                self.stopped.wait(min(0.05 * 2 ** failures, 2.0))
            finally:
                self.leading.difference_update(names)
                for leadership in leaderships:
                    leadership.release()
                if conn is not None:
                    with contextlib.suppress(Exception):
                        conn.close()

    @staticmethod
    def _lead(conn: Connection, leaderships: Sequence[Leadership]) -> bool:
        """Lead every projection of the group or none: a partial hold is let go, so two
        processes never each keep half of what the other needs."""
        if all([leadership.try_acquire(conn) for leadership in leaderships]):
            return True
        for leadership in leaderships:
            leadership.release()
        return False

    def _reached(self, names: Sequence[str], position: int) -> None:
        for name in names:
            self.progress.reached(name, position)

    def _listen(self) -> None:
        """Wake followers on the library's NOTIFY; reconnect when the connection drops."""
        channel = str(getattr(self.app.recorder, "channel_name", "dengta_events"))
        while not self.stopped.is_set():
            try:
                conn = self.database.connect()
                raw = getattr(conn, "raw", None)
                assert isinstance(raw, psycopg.Connection)
                with raw:
                    if self.groups:  # new events concern only followers
                        raw.execute(f'LISTEN "{channel}"')
                    raw.execute(f"LISTEN {PROGRESS_CHANNEL}")
                    self.refresh(conn)  # what was committed before it listened
                    self.listening.set()
                    while not self.stopped.is_set():
                        # Drained first: the generator holds the connection refresh() uses.
                        # (At most a second: stop() is not kept waiting.)
                        notices = list(raw.notifies(timeout=min(self.poll_interval, 1.0),
                                                    stop_after=1))
                        if any(notice.channel != PROGRESS_CHANNEL for notice in notices):
                            self.wake()
                        if self._others_lead() and not self._heard(
                                n.payload for n in notices if n.channel == PROGRESS_CHANNEL):
                            self.refresh(conn)
            except Exception as error:
                self.listening.clear()
                log.warning("listen: %s: %s; reconnecting", type(error).__name__, error)
                self.stopped.wait(0.2)
