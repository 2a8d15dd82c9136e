"""What-if at province scale: a cycle over N branches (default 2,000) in five categories, loaded
as bench/scoreboard.py loads it (its `seed`), then over HTTP (uvicorn, 1 worker, PostgreSQL),
one request at a time, the wall time of:

(W0) the scoreboard, top 100 of the whole cycle (for reference);
(W1) whatIf with the cycle's own scheme, top 100;
(W2) whatIf under a changed scheme (evaluator weights, party-building weight, bands, veto);
(W3) W2 as of an earlier moment (before the higher level scored).

A what-if reads each organisation's line once (the kinds' scores the fold kept) and scores it
again in memory: its cost grows with the organisations, not with the evaluations, so the
default load is lighter than bench/scoreboard.py's (5 goals, 2 mass ballots each).
Target: a what-if over 2,000 organisations answers in under 2 s.

Usage: python -m bench.what_if [--orgs 2000] [--goals 5] [--ballots 2] [--requests 20]
       [--keep DATABASE]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from typing import Any

import httpx
import psycopg

from app.auth import TokenService
from bench.api import SECRET, serve
from bench.databases import PG_ADMIN
from bench.scoreboard import reloaded, remember, seed
from domain.application import DengtaApplication
from store.url import DatabaseURL

SCOREBOARD = """query($c: ID!) { scoreboard(cycleId: $c, first: 100) { totalCount
  nodes { organization { name } combined grade categoryRank overallRank } } }"""
WHAT_IF = """query($c: ID!, $s: SchemeChangeInput!, $at: DateTime) {
  whatIf(cycleId: $c, scheme: $s, first: 100, asOf: $at) { totalCount
    nodes { organization { name } category categoryRankMove overallRankMove
      actual { combined grade categoryRank overallRank }
      hypothetical { combined grade categoryRank overallRank } } } }"""
CHANGED = {"evaluatorWeights": [{"kind": "organizational", "weight": 30},
                                {"kind": "mass", "weight": 40}, {"kind": "self", "weight": 10},
                                {"kind": "social", "weight": 20}],
           "partyBuildingWeight": 50,
           "gradeBands": [{"grade": "优秀", "min": 88}, {"grade": "良好", "min": 78},
                          {"grade": "合格", "min": 60}, {"grade": "不合格", "min": 0}],
           "vetoes": [{"condition": "重大负面事件", "cap": "不合格"}]}


def timed(url: str, headers: dict[str, str], body: dict[str, Any],
          requests: int) -> list[float]:
    """Milliseconds of each of `requests` sequential posts (after one to warm up)."""
    times = []
    with httpx.Client(timeout=60) as client:
        for number in range(requests + 1):
            started = time.perf_counter()
            answer = client.post(url, json=body, headers=headers).json()
            elapsed = (time.perf_counter() - started) * 1000
            if "errors" in answer:
                sys.exit(f"the request failed: {answer['errors']}")
            if number:
                times.append(elapsed)
    return sorted(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=2000)
    parser.add_argument("--goals", type=int, default=5)
    parser.add_argument("--ballots", type=int, default=2, help="mass ballots per goal")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--keep", metavar="DATABASE",
                        help="load into (or reuse, when already loaded) this database and keep "
                             "it, so later runs skip the load")
    args = parser.parse_args()
    name = args.keep or f"dengta_bench_{uuid.uuid4().hex[:8]}"
    url = f"{PG_ADMIN}/{name}"
    with psycopg.connect(f"{PG_ADMIN}/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                               [name]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')
    folder = tempfile.mkdtemp()
    env = {"DENGTA_DATABASE_URL": url, "DENGTA_JWT_SECRET": SECRET,
           "DENGTA_JWT_SECRET_FILE": f"{folder}/secret"}
    server = None
    try:
        print(f"bench/what_if.py {time.strftime('%Y-%m-%d %H:%M')}: {args.orgs} organisations "
              f"x {args.goals} goals, {args.ballots} mass ballots each", flush=True)
        app = DengtaApplication(env=DatabaseURL(url).library_env())
        if exists:
            cycle, earlier, _ = reloaded(app, url)
        else:
            cycle, earlier, _ = seed(app, args.orgs, args.goals, args.ballots)
            remember(url, cycle, earlier)
        events = app.recorder.max_notification_id() or 0
        app.close()
        if exists:
            print(f"  {events:,} events, reusing the kept database", flush=True)
        else:
            rebuilt = subprocess.run([sys.executable, "-m", "app.cli", "rebuild"],
                                     env={**os.environ, **env}, capture_output=True,
                                     text=True, check=True)
            print(f"  {events:,} events; {rebuilt.stdout.strip().splitlines()[-1]}",
                  flush=True)
        server = serve(["app.cli", "serve"], env, 8713)
        headers = {"Authorization": f"Bearer {TokenService(SECRET).mint('admin')}"}
        endpoint = "http://127.0.0.1:8713/graphql"
        runs = {
            "W0": ("scoreboard top 100", {"query": SCOREBOARD, "variables": {"c": cycle}}),
            "W1": ("whatIf, own scheme", {"query": WHAT_IF,
                                          "variables": {"c": cycle, "s": {}}}),
            "W2": ("whatIf, changed scheme", {"query": WHAT_IF,
                                              "variables": {"c": cycle, "s": CHANGED}}),
            "W3": ("whatIf, changed, as of earlier", {"query": WHAT_IF, "variables": {
                "c": cycle, "s": CHANGED, "at": earlier}}),
        }
        print(f"  {args.requests} sequential requests each (after one to warm up), "
              "1 uvicorn worker, PostgreSQL")
        for key, (label, body) in runs.items():
            times = timed(endpoint, headers, body, args.requests)
            print(f"  ({key}) {label:<32} p50 {statistics.median(times):7.1f} ms  "
                  f"max {times[-1]:7.1f} ms", flush=True)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=15)
        if not args.keep:
            with psycopg.connect(f"{PG_ADMIN}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
