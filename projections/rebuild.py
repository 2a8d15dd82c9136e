"""Refilling read models from the log (`dengta rebuild`). Folding is CPU-bound Python, so on
PostgreSQL the read models are shared out over processes: each reads and decodes the log for
its own share and folds it in its own transactions, each read model with its own tracking, so
exactly-once and resuming hold per read model as with any follower. Indexes that folding never
reads are built once the fold is done (sorting a whole table beats growing a B-tree row by row)."""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, ThreadPoolExecutor, wait
from contextlib import contextmanager

from domain.application import DengtaApplication
from projections import BY_NAME
from projections.engine import (
    REBUILD_BATCH,
    Follower,
    Projection,
    create_tables,
    reset,
    tracked_all,
)
from store.db import Database
from store.url import DatabaseURL

WORKERS = 2  # processes on PostgreSQL (SQLite has one writer at a time: it folds in one)
INDEX_BUILDERS = 2  # sessions building a process's indexes left for after the fold, at once
POLL = 0.5  # seconds between progress reports of a shared-out rebuild


def shares(projections: Sequence[type[Projection]],
           workers: int) -> list[list[type[Projection]]]:
    """The read models shared out over at most `workers`, each next-heaviest to the lightest
    share, by their rebuild weights."""
    loads: list[tuple[int, list[type[Projection]]]] = [(0, []) for _ in range(workers)]
    for projection in sorted(projections, key=lambda p: -p.rebuild_weight()):
        weight, share = min(loads, key=lambda load: load[0])
        share.append(projection)
        loads[loads.index((weight, share))] = (weight + projection.rebuild_weight(), share)
    return [share for _, share in loads if share]


def rebuild(url: str, projections: Sequence[type[Projection]], stop: int | None = None,
            progress: Callable[[int], None] | None = None, workers: int = WORKERS) -> int:
    """Drop the read models and fold them again up to `stop` (else the log's head); returns
    how many events were folded, summed over the processes. `progress(position)` hears of
    the lowest position reached."""
    database = Database(DatabaseURL(url))
    with database.connection() as conn:
        for projection in projections:
            reset(conn, projection, indexes=False)
        groups = shares(projections, workers if conn.dialect == "postgresql" else 1)
        if len(groups) == 1:
            return fold(url, [p.name for p in projections], stop, progress)
        # Spawned, not forked: a child must not inherit (and close) this process's sessions.
        context = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(len(groups), mp_context=context)
        try:
            futures = [pool.submit(fold, url, [p.name for p in group], stop, None, os.getpid())
                       for group in groups]
            while wait(futures, POLL, FIRST_EXCEPTION).not_done:
                if any(f.done() and f.exception() for f in futures):
                    break  # raised below, without waiting for the others
                if progress is not None:
                    progress(_lowest(database, projections))
            folded = sum(future.result() for future in futures)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()
        return folded


def _lowest(database: Database, projections: Sequence[type[Projection]]) -> int:
    with database.connection() as conn:
        return min((state or (0, 0))[0] for state in tracked_all(conn, projections).values())


def _build_indexes(database: Database, projections: Sequence[type[Projection]]) -> None:
    """The indexes left for after the fold, INDEX_BUILDERS at a time, each in a session of
    its own (PostgreSQL builds several indexes of one table at once, as `pg_restore --jobs`
    does): the last process to finish its fold has the machine to itself for them."""
    statements = [statement for projection in projections for table in projection.tables
                  for statement in table.ddl(deferred=True)
                  if statement not in table.ddl(deferred=False)]

    def build(statement: str) -> None:
        with database.connection() as conn:
            conn.execute(statement)

    with ThreadPoolExecutor(INDEX_BUILDERS) as builders:
        list(builders.map(build, statements))


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Folding allocates objects that live until their batch is written (rows, versions), and
    they hold no cycles (reference counting frees them): the garbage collector's default
    rhythm (a collection every 700 allocations) spent about a third of a rebuild's CPU
    scanning them."""
    thresholds = gc.get_threshold()
    gc.set_threshold(1_000_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def fold(url: str, names: Sequence[str], stop: int | None = None,
         progress: Callable[[int], None] | None = None, parent: int | None = None) -> int:
    """Fold freshly reset read models from the start of the log in this process, then build
    the indexes left for after the fold. A worker of `parent` stops between two batches once
    that process is gone (a worker is not killed with it)."""
    projections = [BY_NAME[name] for name in names]
    env = DatabaseURL(url).library_env(pool_size=1)
    # The log's tables exist (it is what is refolded; whoever rebuilds opened the application
    # first): workers must not race to create them in the library's DDL, and on PostgreSQL
    # the application role may not (store/roles.py).
    env["CREATE_TABLE"] = "no"

    def step(_count: int, position: int) -> None:
        if parent is not None and os.getppid() != parent:
            raise SystemExit("the rebuild that started this worker is gone")
        if progress is not None:
            progress(position)

    app = DengtaApplication(env=env)
    try:
        with Database(DatabaseURL(url)).connection() as conn, _fewer_collections():
            if conn.dialect == "postgresql":
                # A commit need not wait for its WAL flush: a crash loses the last batches
                # whole (rows and tracking together), and folding resumes before them.
                conn.execute("SET synchronous_commit = off")
            # The read models' rows stay in memory from batch to batch (this process alone
            # writes them): no batch queries them, so no statistics are needed while folding;
            # readers get them at the end.
            follower = Follower(projections, app, conn, batch_size=REBUILD_BATCH,
                                read_ahead=True, window=REBUILD_BATCH, analyze_appended=False,
                                keep_rows=True)
            folded = follower.catch_up(stop, step)
            if conn.dialect == "postgresql":
                _build_indexes(Database(DatabaseURL(url)), projections)
            for projection in projections:
                with conn.transaction():
                    create_tables(conn, projection)
                for table in projection.tables:
                    conn.analyze(table.name)
            return folded
    finally:
        app.close()
