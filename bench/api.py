"""API throughput over HTTP, in one run: uvicorn on 127.0.0.1 and a load
generator (wrk: concurrency 16, fixed duration) for

(A) `{ __typename }`: the HTTP + framework ceiling;
(B) the goals page shape answered from prebuilt objects (bench/api_ceiling.py): the GraphQL
    execution ceiling for that shape;
(C) a goals page of 50 with progress, organisation and responsibilities from the store;
(D) the same page as of an earlier moment;
(E) a mutation (reportProgress, answering after read-your-writes);
(S) page C read by the committee's secretary: the same records, each passing the read scope
    (the administrator's reads skip it), so S/C is what scoping costs;
and the bare library's append rate (foundation benchmark's (b)) as E's baseline.

Usage: python -m bench.api [--seconds 10] [--backend postgresql|sqlite] [--only ABCDE]
                          [--rounds 1] [--workers 1] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

import httpx

from app.auth import TokenService
from app.demo import load_demo
from app.demo_organization import demo_id
from app.graphql.kit.ids import to_global_id
from bench.cpu import CpuMeter, process_tree
from bench.databases import scratch_database
from domain.application import DengtaApplication
from domain.values import Period, quantitative
from store.url import DatabaseURL

SECRET = "bench-secret-long-enough-for-hs256-signing"
CONCURRENCY = 16
WRK_THREADS = 2
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
    return start([sys.executable, "-m", *module, "--port", str(port)], env, port)


def start(command: list[str], env: dict[str, str], port: int,
          folder: str | None = None) -> subprocess.Popen[bytes]:
    """Run a GraphQL server and wait until it answers on `port`."""
    process = subprocess.Popen(command, env={**os.environ, **env}, cwd=folder,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": "{__typename}"},
                       timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{command} did not start")


# wrk drives the load: a C client on the same two cores takes a small share of them, where an
# asyncio httpx client took most of one (it capped (A) near 650 req/s; wrk measures ~2,000).
WRK_SCRIPT = """
local threads = {}
function setup(thread)
  thread:set("first", #threads)
  table.insert(threads, thread)
end
function init(args)
  turn = first
  errors = 0
end
function request()  -- the threads take turns: no two post the same body at once
  turn = turn + %d
  return wrk.format("POST", nil, headers, bodies[(turn %% #bodies) + 1])
end
function response(status, _, body)
  if status ~= 200 or body:find('"errors"', 1, true)
      or body:find('"userErrors":[{', 1, true) then
    errors = errors + 1
  end
end
function done(summary, latency, _)
  local failed = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  for _, thread in ipairs(threads) do failed = failed + thread:get("errors") end
  io.write(string.format('RESULT {"requests": %%d, "seconds": %%f, "p50": %%f, "p99": %%f, '
    .. '"errors": %%d}\\n', summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, failed))
end
headers = {%s}
bodies = {%s}
"""


def lua_string(text: str) -> str:
    assert "]==]" not in text
    return f"[==[{text}]==]"


def load(url: str, bodies: Sequence[dict[str, Any]], headers: dict[str, str],
         seconds: float, concurrency: int = CONCURRENCY) -> dict[str, float]:
    """`bodies` posted in turn by `concurrency` connections for `seconds`; requests/s, p50
    and p99 latency (ms), and the count of failures (HTTP, socket, or GraphQL `errors`)."""
    if shutil.which("wrk") is None:
        sys.exit("bench/api.py needs wrk, the HTTP load generator: apt-get install wrk")
    all_headers = {"Content-Type": "application/json", **headers}
    threads = min(WRK_THREADS, concurrency)
    script = WRK_SCRIPT % (
        threads,
        ", ".join(f"[ {lua_string(k)} ] = {lua_string(v)}" for k, v in all_headers.items()),
        ", ".join(lua_string(json.dumps(body)) for body in bodies))
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as file:
        file.write(script)
        file.flush()
        run = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{concurrency}", f"-d{seconds:.0f}s", "-s",
             file.name, url],
            capture_output=True, text=True)
    if "RESULT " not in run.stdout:
        sys.exit(f"wrk failed: {run.stdout}{run.stderr}")
    result = json.loads(run.stdout.split("RESULT ", 1)[1])
    return {"rps": result["requests"] / result["seconds"], "p50": result["p50"],
            "p99": result["p99"], "errors": result["errors"]}


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
    parser.add_argument("--only", default="ABCDES", help="which of A-E, S to run (default: all)")
    parser.add_argument("--workers", type=int, default=1,
                        help="uvicorn workers serving dengta (and the ceiling (B))")
    parser.add_argument("--project-worker", action="store_true",
                        help="fold in a projection worker process (DENGTA_PROJECTIONS=worker)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="repeat the runs, interleaved; report medians")
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY,
                        help="connections wrk keeps busy (1: one request at a time)")
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
    if args.project_worker:  # `dengta serve` runs `dengta project --grouped` as its child
        env["DENGTA_PROJECTIONS"] = "worker"
    processes.append(serve(["app.cli", "serve", "--workers", str(args.workers)], env, 8701))
    processes.append(serve(["uvicorn", "bench.api_ceiling:app", "--log-level", "warning",
                            "--workers", str(args.workers)], {}, 8702))
    headers = {"Authorization": f"Bearer {TokenService(SECRET).mint('admin')}"}
    secretary = {"Authorization": "Bearer " + TokenService(SECRET).mint(
        f"person:{demo_id('committee/person-0')}")}
    ours, ceiling = "http://127.0.0.1:8701/graphql", "http://127.0.0.1:8702/graphql"
    time.sleep(1)
    seconds, clients = args.seconds, args.concurrency
    reports = [{"query": REPORT, "variables": {"id": goal_ids[n % len(goal_ids)],
                                               "v": str(n % 12)}}
               for n in range(len(goal_ids) * 12)]
    runs: dict[str, Callable[[], dict[str, float]]] = {
        "A": lambda: load(ours, [{"query": "{ __typename }"}], headers, seconds, clients),
        "B": lambda: load(ceiling, [{"query": CEILING_PAGE}], {}, seconds, clients),
        "C": lambda: load(ours, [{"query": PAGE}], headers, seconds, clients),
        "D": lambda: load(ours, [{"query": PAGE, "variables": {"at": moment}}], headers,
                          seconds, clients),
        "E": lambda: load(ours, reports, headers, seconds, clients),
        "S": lambda: load(ours, [{"query": PAGE}], secretary, seconds, clients),
    }
    rounds: list[dict[str, dict[str, float]]] = []
    ceiling_pid = processes[-1].pid
    ours_pids = [p.pid for p in processes[:-1]]
    database = url.rsplit("/", 1)[1] if args.backend == "postgresql" else ""

    def measured(key: str) -> dict[str, float]:
        """The run, and what it cost our server processes and PostgreSQL in CPU."""
        pids = [ceiling_pid] if key == "B" else ours_pids
        with CpuMeter(database) as postgres:
            before = process_tree(pids)
            result = runs[key]()
            server = process_tree(pids) - before
        requests = result["rps"] * seconds
        return {**result, "server_ms": server / requests * 1000,
                "postgres_ms": postgres.postgres / requests * 1000}

    for _ in range(args.rounds):  # interleaved, so each round's ratios share conditions
        results = {key: measured(key) for key in runs if key in args.only}
        if "E" in args.only:
            results["bare"] = {"rps": bare_append_rate(url, min(seconds, 5))}
        rounds.append(results)
    print(f"bench/api.py  {time.strftime('%Y-%m-%d %H:%M')}  {args.backend}, "
          f"{args.workers} worker(s), wrk concurrency {clients}, {seconds:.0f} s each, "
          f"{args.rounds} round(s); medians over rounds")
    labels = {"A": "{ __typename }", "B": "goals page, in-memory ceiling",
              "C": "goals page of 50 from the store", "D": "same page asOf before progress",
              "E": "reportProgress mutation", "S": "page C as the committee's secretary"}
    for key, label in labels.items():
        if key in rounds[0]:
            r = {stat: statistics.median(each[key][stat] for each in rounds)
                 for stat in ("rps", "p50", "p99")}
            errors = sum(each[key]["errors"] for each in rounds)
            cpu = {stat: statistics.median(each[key][stat] for each in rounds)
                   for stat in ("server_ms", "postgres_ms")}
            print(f"  ({key}) {label:<32} {r['rps']:8.0f} req/s  p50 {r['p50']:6.1f} ms  "
                  f"p99 {r['p99']:6.1f} ms  errors {errors:.0f}  CPU per request: server "
                  f"{cpu['server_ms']:.2f} ms, PostgreSQL {cpu['postgres_ms']:.2f} ms")
    if "bare" in rounds[0]:
        bare = statistics.median(each["bare"]["rps"] for each in rounds)
        print(f"  bare library append              {bare:8.0f} events/s")
    for a, b in (("C", "B"), ("D", "C"), ("E", "bare"), ("S", "C")):
        if a in rounds[0] and b in rounds[0]:
            ratios = sorted(each[a]["rps"] / each[b]["rps"] for each in rounds)
            print(f"  {a}/{b} = {statistics.median(ratios):.2f}  (rounds: "
                  f"{', '.join(f'{ratio:.2f}' for ratio in ratios)})")
    if "S" in rounds[0] and "C" in rounds[0]:  # CPU, steadier than req/s on a shared machine
        costs = sorted(each["S"]["server_ms"] / each["C"]["server_ms"] for each in rounds)
        print(f"  server CPU per request S/C = {statistics.median(costs):.2f}  (rounds: "
              f"{', '.join(f'{cost:.2f}' for cost in costs)})")


if __name__ == "__main__":
    main()
