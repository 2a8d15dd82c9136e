"""Append throughput, in one run per backend, as ratios against baselines measured alongside:

(a) raw driver insert of rows the size of our events, one transaction each (the durable-commit
    limit); (b) the bare library saving a minimal aggregate event of the same size; (c) our
    use case writing one event with its audit row and chain link (register_person), and
    (c2) one that also loads the aggregate first (report_progress); (d) a 10-event use case
    (issuing a goal tree of ten goals). On SQLite also (b2): the bare library on connections
    with our store's statement cache (the library's own caches one statement).

Each round measures (a), (b), (b2), (c) and (c2) taking turns in short slices; figures are
medians over rounds, with this process's user and system CPU time per write.

Usage: python -m bench.append [--seconds S] [--rounds R] [--backend sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.sqlite import SQLiteFactory
from eventsourcing.utils import Environment, EnvType

from bench.databases import scratch_database
from domain.application import DengtaApplication
from domain.values import Period, quantitative
from store.sqlite import use_statement_cache
from store.url import DatabaseURL

ACTOR = "person:2f1c8e8e-bench"
YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
TREES = 100  # goal trees of ten issued per round in (d)
# Each round measures (a), (b), (b2), (c) and (c2) in this many slices, taking turns: the disk is
# shared, and its fsync latency drifts over seconds; taking turns makes the drift hit all alike.
SLICES = 8


class StatementCachingSQLiteFactory(SQLiteFactory):
    """(b2): the bare library on connections with the statement cache our store gives its
    own, to show how much of (c) against (b) that cache is."""

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        use_statement_cache(self.datastore)


class Item(Aggregate):
    """The minimal aggregate for baseline (b): one created event carrying a payload."""

    @event("Created")
    def __init__(self, payload: str) -> None:
        self.payload = payload


class Meter:
    """Runs `operation` (which returns how many units it did) in slices, adding up the units,
    the wall time and this process's CPU time."""

    def __init__(self, operation: Callable[[], int]) -> None:
        self.operation = operation
        self.reset()

    def reset(self) -> None:
        self.done, self.wall, self.user, self.system = 0, 0.0, 0.0, 0.0

    def run(self, seconds: float) -> None:
        start, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
        while time.perf_counter() - start < seconds:
            self.done += self.operation()
        self.wall += time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_SELF)
        self.user += after.ru_utime - before.ru_utime
        self.system += after.ru_stime - before.ru_stime

    @property
    def rate(self) -> float:
        return self.done / self.wall

    @property
    def user_us(self) -> float:
        """This process's user CPU per unit: our Python and SQLite's own work (on PostgreSQL
        the server's is not counted). Kernel time (writes, fsync) varies with the disk."""
        return self.user / self.done * 1e6

    @property
    def system_us(self) -> float:
        return self.system / self.done * 1e6


def raw_insert(url: str, state: bytes) -> tuple[Callable[[], int], Callable[[], None]]:
    """(a) one row of the same size per transaction, through the library's driver."""
    db = DatabaseURL(url)
    if db.backend == "sqlite":
        conn = sqlite3.connect(str(db.sqlite_path.with_name("raw.db")), isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE raw (originator_id TEXT, originator_version INTEGER, "
                     "topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))")

        def insert_sqlite() -> int:
            conn.execute("BEGIN")
            conn.execute("INSERT INTO raw VALUES (?, 1, 'dengta:Person.Registered', ?)",
                         (uuid.uuid4().hex, state))
            conn.execute("COMMIT")
            return 1

        return insert_sqlite, conn.close
    pg = psycopg.connect(url, autocommit=True)
    pg.execute("CREATE TABLE raw (originator_id uuid, originator_version bigint, topic text, "
               "state bytea, notification_id bigserial, "
               "PRIMARY KEY (originator_id, originator_version))")

    def insert_postgres() -> int:
        with pg.transaction():
            pg.execute("INSERT INTO raw (originator_id, originator_version, topic, state) "
                       "VALUES (%s, 1, 'dengta:Person.Registered', %s)",
                       (uuid.uuid4(), state), prepare=True)
        return 1

    return insert_postgres, pg.close


def prepare_goal_trees(app: DengtaApplication, count: int) -> list[uuid.UUID]:
    org = app.register_organization(ACTOR, name="基准党委", kind="committee", category="机关").id
    roots = []
    for _ in range(count):
        root = app.draft_goal(ACTOR, level="term", organization_id=org, field="political",
                              title="任期目标", period=YEAR, indicator=quantitative("次", 0, 9),
                              weight=100).id
        for weight in [12] * 8 + [4]:
            app.draft_goal(ACTOR, level="annual", organization_id=org, field="political",
                           title="年度目标", period=YEAR, indicator=quantitative("次", 0, 9),
                           weight=weight, parent_id=root)
        roots.append(root)
    return roots


def run_backend(backend: str, seconds: float, rounds: int) -> dict[str, float]:
    with scratch_database(backend) as url:
        env = DatabaseURL(url).library_env()
        ours = DengtaApplication(env=env)
        sample = ours.register_person(ACTOR, name="王建国", party_member=True)
        state = ours.recorder.select_notifications(sample.position, 1)[0].state
        bare_env = {**env, "PERSISTENCE_MODULE": "eventsourcing.sqlite"
                    if backend == "sqlite" else "eventsourcing.postgres"}
        if backend == "sqlite":
            bare_env["SQLITE_DBNAME"] = str(DatabaseURL(url).sqlite_path.with_name("bare.db"))
        bare: Application[uuid.UUID] = Application(env=bare_env)
        cached: Application[uuid.UUID] | None = None
        if backend == "sqlite":
            cached = Application(env={
                **bare_env, "PERSISTENCE_MODULE": "bench.append:StatementCachingSQLiteFactory",
                "SQLITE_DBNAME": str(DatabaseURL(url).sqlite_path.with_name("cached.db"))})
        bare_state = bare.mapper.to_stored_event(Item(payload="").collect_events()[0]).state
        padding = "x" * max(0, len(state) - len(bare_state))
        raw, close_raw = raw_insert(url, state)

        org = ours.register_organization(ACTOR, name="基准支部", kind="committee",
                                         category="机关").id
        goals = [ours.draft_goal(ACTOR, level="annual", organization_id=org, field="political",
                                 title="进度", period=YEAR, indicator=quantitative("次", 0, 12),
                                 weight=100).id for _ in range(50)]
        for goal_id in goals:
            ours.issue_goal(ACTOR, goal_id)
        turn = iter(range(10**9))

        def use_case() -> int:
            ours.register_person(ACTOR, name="王建国", party_member=True)
            return 1

        def use_case_with_load() -> int:
            ours.report_progress(ACTOR, goals[next(turn) % len(goals)], value=3,
                                 effective_date=date(2026, 3, 31))
            return 1

        def library() -> int:
            bare.save(Item(payload=padding))
            return 1

        def library_with_statement_cache() -> int:
            assert cached is not None
            cached.save(Item(payload=padding))
            return 1

        def ten_event_use_case(trees: list[uuid.UUID]) -> float:
            start = time.perf_counter()
            for root in trees:
                ours.issue_goal_tree(ACTOR, root)
            return 10 * len(trees) / (time.perf_counter() - start)

        meters = {"a": Meter(raw), "b": Meter(library), "c": Meter(use_case),
                  "c2": Meter(use_case_with_load)}
        if cached is not None:
            meters["b2"] = Meter(library_with_statement_cache)
        figures: dict[str, list[float]] = {
            k: [] for k in (*meters, "d", *(f"{k}_{cpu}" for k in "abc"
                                            for cpu in ("user", "system")))}
        for _ in range(rounds):
            for meter in meters.values():
                meter.reset()
            for _ in range(SLICES):
                for meter in meters.values():
                    meter.run(seconds / SLICES)
            for key, meter in meters.items():
                figures[key].append(meter.rate)
                if key in ("a", "b", "c"):
                    figures[f"{key}_user"].append(meter.user_us)
                    figures[f"{key}_system"].append(meter.system_us)
            figures["d"].append(ten_event_use_case(prepare_goal_trees(ours, TREES)))
        close_raw()
        bare.close()
        if cached is not None:
            cached.close()
        ours.close()
        result = {key: statistics.median(values) for key, values in figures.items()}
        # Within a round the slices took turns, so a round's own ratio is the steadier one.
        for over in ("b", "b2"):
            if over in figures:
                ratios = [c / base for c, base in zip(figures["c"], figures[over], strict=True)]
                result[f"c/{over} by round"] = statistics.median(ratios)
                result[f"c/{over} lowest"], result[f"c/{over} highest"] = min(ratios), max(ratios)
        result["event_bytes"] = len(state)
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="per measurement")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], action="append")
    args = parser.parse_args()
    print(f"bench/append.py  {time.strftime('%Y-%m-%d %H:%M')}  "
          f"{args.rounds} rounds x {args.seconds}s, medians")
    for backend in args.backend or ["sqlite", "postgresql"]:
        r = run_backend(backend, args.seconds, args.rounds)
        print(f"\n{backend} (event state {r['event_bytes']:.0f} bytes)")
        print(f"  (a) raw insert, 1 row/txn         {r['a']:9.0f} rows/s")
        print(f"  (b) bare library, 1 event/save    {r['b']:9.0f} events/s")
        if "b2" in r:
            print(f"  (b2) bare library, our stmt cache {r['b2']:9.0f} events/s")
        print(f"  (c) use case + audit chain        {r['c']:9.0f} events/s")
        print(f"  (c2) use case with aggregate load {r['c2']:9.0f} events/s")
        print(f"  (d) 10-event use case             {r['d']:9.0f} events/s")
        print(f"  c/b = {r['c'] / r['b']:.2f}   c/a = {r['c'] / r['a']:.2f}   "
              f"c2/b = {r['c2'] / r['b']:.2f}   d/c = {r['d'] / r['c']:.1f}"
              + (f"   c/b2 = {r['c'] / r['b2']:.2f}" if "b2" in r else ""))
        print("  by round: " + "   ".join(
            f"c/{over} median {r[f'c/{over} by round']:.2f} "
            f"({r[f'c/{over} lowest']:.2f}-{r[f'c/{over} highest']:.2f})"
            for over in ("b", "b2") if f"c/{over} by round" in r))
        for cpu in ("user", "system"):
            print(f"  {cpu} CPU per write: a {r[f'a_{cpu}']:4.0f} us   b {r[f'b_{cpu}']:4.0f} us"
                  f"   c {r[f'c_{cpu}']:4.0f} us   c-b {r[f'c_{cpu}'] - r[f'b_{cpu}']:4.0f} us")


if __name__ == "__main__":
    Path("var").mkdir(exist_ok=True)
    main()
