"""API throughput over HTTP, in one run: uvicorn (1 worker) on 127.0.0.1 and an asyncio load
generator (concurrency 16, fixed duration) for

(A) `{ __typename }`: the HTTP + framework ceiling;
(B) the goals page shape answered from prebuilt objects (bench/api_ceiling.py): the GraphQL
    execution ceiling for that shape;
(C) a goals page of 50 with progress, organisation and responsibilities from the store;
(D) the same page as of an earlier moment;
(E) a mutation (reportProgress, answering after read-your-writes);
and the bare library's append rate (foundation benchmark's (b)) as E's baseline.

Usage: python -m bench.api [--seconds 10] [--backend postgresql|sqlite] [--only ABCDE]
                          [--rounds 1]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Coroutine
from datetime import UTC, date, datetime
from typing import Any

import httpx

from app.auth import TokenService
from app.demo import load_demo
from app.graphql.ids import to_global_id
from bench.databases import scratch_database
from domain.application import DengtaApplication
from domain.values import Period, quantitative
from store.url import DatabaseURL

SECRET = "bench-secret-long-enough-for-hs256-signing"
CONCURRENCY = 16
PAGE = """query($at: DateTime) { goals(first: 50, asOf: $at) { totalCount nodes { id title level
  status weight periodStart indicator progress { reports value completion }
  organization { name } responsible(first: 5) { nodes { kind partyId } } } } }"""
CEILING_PAGE = """{ goals(first: 50) { totalCount nodes { id title level status weight
  periodStart indicator progress { reports value completion } organization { name }
  responsible(first: 5) { nodes { kind partyId } } } } }"""
REPORT = """mutation($id: ID!, $v: Decimal!) { reportProgress(input: {goalId: $id, value: $v,
  effectiveDate: "2026-09-30"}) { goal { progress { reports } } userErrors { code } } }"""


def seed(url: str) -> tuple[list[str], str]:
    """The demo plus enough issued goals for a page of 50, then progress on each; returns goal
    ids for the mutation and the moment before the progress was reported (so (D) reads the
    same page as it stood earlier)."""
    app = DengtaApplication(env=DatabaseURL(url).library_env())
    load_demo(app)
    committee = uuid.UUID(str(next(n.originator_id
                                   for n in app.recorder.select_notifications(1, 1))))
    year = Period(date(2026, 1, 1), date(2026, 12, 31))
    goals = []
    for n in range(60):
        goal = app.draft_goal("system:bench", level="annual", organization_id=committee,
                              field="style", title=f"压测目标{n:02}", period=year,
                              indicator=quantitative("次", 0, 12), weight=100).id
        app.issue_goal("system:bench", goal)
        goals.append(goal)
    moment = datetime.now(UTC).isoformat()
    time.sleep(0.01)
    for n, goal in enumerate(goals):
        app.report_progress("system:bench", goal, value=n % 12,
                            effective_date=date(2026, 3, 31))
    app.close()
    return [to_global_id("Goal", g) for g in goals], moment


def serve(module: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([sys.executable, "-m", *module, "--port", str(port)],
                               env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": "{__typename}"},
                       timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{module} did not start")


async def load(url: str, bodies: Any, headers: dict[str, str], seconds: float) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    stop = time.monotonic() + seconds

    async def worker(client: httpx.AsyncClient, number: int) -> None:
        nonlocal errors
        turn = number
        while time.monotonic() < stop:
            started = time.perf_counter()
            response = await client.post(url, json=bodies(turn), headers=headers)
            latencies.append(time.perf_counter() - started)
            turn += CONCURRENCY
            body = response.json()
            if response.status_code != 200 or body.get("errors"):
                errors += 1

    limits = httpx.Limits(max_connections=CONCURRENCY)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client, n) for n in range(CONCURRENCY)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {"rps": len(latencies) / elapsed, "p50": statistics.median(latencies) * 1000,
            "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000, "errors": errors}


def bare_append_rate(url: str, seconds: float) -> float:
    from bench.append import Item, Meter

    env = DatabaseURL(url).library_env()
    if "SQLITE_DBNAME" in env:
        env = {**env, "PERSISTENCE_MODULE": "eventsourcing.sqlite",
               "SQLITE_DBNAME": env["SQLITE_DBNAME"] + ".bare"}
    else:
        env = {**env, "PERSISTENCE_MODULE": "eventsourcing.postgres"}
    from eventsourcing.application import Application

    bare: Application[uuid.UUID] = Application(env=env)
    meter = Meter(lambda: len(bare.save(Item(payload="x" * 120))))
    meter.run(seconds)
    bare.close()
    return meter.rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--only", default="ABCDE", help="which of A-E to run (default: all)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="repeat the runs, interleaved; report medians")
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    processes: list[subprocess.Popen[bytes]] = []
    with scratch_database(args.backend) as url:
        try:
            measure(args, url, folder, processes)
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=15)


def measure(args: argparse.Namespace, url: str, folder: str,
            processes: list[subprocess.Popen[bytes]]) -> None:
    """Serve `url` (the processes started are added to `processes`) and load it."""
    goal_ids, moment = seed(url)
    env = {"DENGTA_DATABASE_URL": url, "DENGTA_JWT_SECRET": SECRET,
           "DENGTA_JWT_SECRET_FILE": f"{folder}/secret"}
    processes.append(serve(["app.cli", "serve"], env, 8701))
    processes.append(serve(["uvicorn", "bench.api_ceiling:app", "--log-level", "warning"],
                           {}, 8702))
    headers = {"Authorization": f"Bearer {TokenService(SECRET).mint('admin')}"}
    ours, ceiling = "http://127.0.0.1:8701/graphql", "http://127.0.0.1:8702/graphql"
    time.sleep(1)
    seconds = args.seconds
    runs: dict[str, Callable[[], Coroutine[Any, Any, dict[str, float]]]] = {
        "A": lambda: load(ours, lambda _: {"query": "{ __typename }"}, headers, seconds),
        "B": lambda: load(ceiling, lambda _: {"query": CEILING_PAGE}, {}, seconds),
        "C": lambda: load(ours, lambda _: {"query": PAGE}, headers, seconds),
        "D": lambda: load(ours, lambda _: {"query": PAGE, "variables": {"at": moment}},
                          headers, seconds),
        "E": lambda: load(ours, lambda n: {"query": REPORT, "variables": {
            "id": goal_ids[n % len(goal_ids)], "v": str(n % 12)}}, headers, seconds),
    }
    rounds: list[dict[str, dict[str, float]]] = []
    for _ in range(args.rounds):  # interleaved, so each round's ratios share conditions
        results = {key: asyncio.run(run()) for key, run in runs.items() if key in args.only}
        if "E" in args.only:
            results["bare"] = {"rps": bare_append_rate(url, min(seconds, 5))}
        rounds.append(results)
    print(f"bench/api.py  {time.strftime('%Y-%m-%d %H:%M')}  {args.backend}, 1 worker, "
          f"concurrency {CONCURRENCY}, {seconds:.0f} s each, {args.rounds} round(s); "
          f"medians over rounds")
    labels = {"A": "{ __typename }", "B": "goals page, in-memory ceiling",
              "C": "goals page of 50 from the store", "D": "same page asOf before progress",
              "E": "reportProgress mutation"}
    for key, label in labels.items():
        if key in rounds[0]:
            r = {stat: statistics.median(each[key][stat] for each in rounds)
                 for stat in ("rps", "p50", "p99")}
            errors = sum(each[key]["errors"] for each in rounds)
            print(f"  ({key}) {label:<32} {r['rps']:8.0f} req/s  p50 {r['p50']:6.1f} ms  "
                  f"p99 {r['p99']:6.1f} ms  errors {errors:.0f}")
    if "bare" in rounds[0]:
        bare = statistics.median(each["bare"]["rps"] for each in rounds)
        print(f"  bare library append              {bare:8.0f} events/s")
    for a, b in (("C", "B"), ("D", "C"), ("E", "bare")):
        if a in rounds[0] and b in rounds[0]:
            ratios = sorted(each[a]["rps"] / each[b]["rps"] for each in rounds)
            print(f"  {a}/{b} = {statistics.median(ratios):.2f}  (rounds: "
                  f"{', '.join(f'{ratio:.2f}' for ratio in ratios)})")


if __name__ == "__main__":
    main()
