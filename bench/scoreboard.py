"""The scoreboard at province scale, in one run: a cycle over N branches (default 2,000) in five
categories, 40 issued goals each, scored by every evaluator kind (self, organisational, mass and
social ballots): about 2 million events. Then, over HTTP with concurrency 16 (uvicorn, 1
worker, the followers in-process):

(S) the scoreboard of one category: top 100 with scores, grade and ranks, current;
(T) the same, as of an earlier moment (before the higher level scored: the "months earlier"
    of the issue, compressed into the load);
(U) the same result shape from prebuilt objects (bench/scoreboard_ceiling.py);
(F) commit-to-visible latency of one new evaluation folded into the scoreboard (serial).

The load is bulk: aggregates are built through the domain's own guards and saved 1,000 at a
time (so the audit table names `system:bench` as the actor of each write; every event still
carries its evaluator). Targets: S/U >= 0.6, T/S >= 0.67, F p99 < 100 ms.

Usage: python -m bench.scoreboard [--orgs 2000] [--ballots 20] [--seconds 10]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import psycopg

from app.auth import TokenService
from app.graphql.kit.ids import to_global_id
from bench.api import SECRET, load, serve
from bench.databases import PG_ADMIN
from domain.application import DengtaApplication
from domain.assessment import EvaluatorKind, Item, evaluation_id, scorer_id
from domain.cycles import AssessmentCycle
from domain.evaluations import Evaluation
from domain.goals import Goal
from domain.organizations import Organization
from domain.scorers import Scorer
from domain.values import Period, quantitative
from store.url import DatabaseURL

ACTOR = "system:bench"
CATEGORIES = ("营销", "物流", "专卖", "机关", "县级局")
YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
CHUNK = 1000
SCHEME = {
    "evaluator_weights": {"organizational": 50, "mass": 20, "self": 20, "social": 10},
    "party_building_weight": 70,
    "grade_bands": [{"grade": "优秀", "min": 90}, {"grade": "良好", "min": 80},
                    {"grade": "合格", "min": 60}, {"grade": "不合格", "min": 0}],
    "vetoes": [{"condition": "重大负面事件", "cap": "合格"}],
}
QUERY = """query($c: ID!, $at: DateTime) { scoreboard(cycleId: $c, category: "营销", first: 100,
  asOf: $at) { totalCount nodes { organization { name } category combined partyBuilding business
  grade categoryRank overallRank byKind { organizational mass self social } } } }"""
CEILING = """{ scoreboard(cycleId: "x", category: "营销", first: 100) { totalCount nodes {
  organization { name } category combined partyBuilding business grade categoryRank overallRank
  byKind { organizational mass self social } } } }"""


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def seed(app: DengtaApplication, orgs: int, goals_per_org: int, ballots: int,
         ) -> tuple[str, str, list[tuple[Any, Any]]]:
    """Returns the cycle's global id, the earlier moment, and (organisation, goal) pairs."""
    rng = random.Random(7)
    started = time.perf_counter()
    committee = Organization.register(id=uuid.uuid4(), actor=ACTOR, name="某省烟草专卖局党组",
                                      kind="committee", category="机关", parent=None)
    app.commit(ACTOR, committee)
    branches: list[Organization] = []
    for number in range(orgs):
        branches.append(Organization.register(
            id=uuid.uuid4(), actor=ACTOR, name=f"第{number:04}党支部", kind="branch",
            category=CATEGORIES[number % len(CATEGORIES)], parent=committee))
    for part in chunks(branches, 500):
        app.commit(ACTOR, *part, committee)
    pairs: list[tuple[Any, Any]] = []
    for part in chunks(branches, 25):
        goals = []
        for branch in part:
            for number in range(goals_per_org):
                goal = Goal.draft(id=uuid.uuid4(), actor=ACTOR, level="annual",
                                  organization=branch, organization_ancestry=[committee.id],
                                  parent=None, field="organizational", title=f"目标{number:02}",
                                  description="", period=YEAR,
                                  indicator=quantitative("次", 0, 12), weight=rng.randint(1, 5))
                goal.issue(actor=ACTOR, parent=None, subgoals=[])
                goals.append(goal)
                pairs.append((branch.id, goal.id))
        app.commit(ACTOR, *goals)
    print(f"  organisations and goals: {time.perf_counter() - started:.0f} s", flush=True)
    cycle_id = app.draft_cycle(ACTOR, title="全省2026年第二季度党建考核", kind="routine",
                               cadence="quarterly", period=YEAR, organizer_id=committee.id,
                               organization_ids=[b.id for b in branches], scheme=SCHEME).id
    app.open_cycle(ACTOR, cycle_id)
    app.advance_cycle(ACTOR, cycle_id)

    def score(kinds: Sequence[tuple[EvaluatorKind, str]]) -> None:
        cycle = app.get(AssessmentCycle, cycle_id)
        scorers = {actor for _, actor in kinds}
        app.commit(ACTOR, *(Scorer(id=scorer_id(cycle_id, a), actor=a, reason="",
                                   cycle_id=cycle_id)
                            for a in scorers if not app.scored_in(cycle_id, a)))
        batch: list[Evaluation] = []
        for organization, goal in pairs:
            item = Item(goal, "goal", Decimal(100), None)
            for kind, actor in kinds:
                batch.append(Evaluation.record(
                    id=evaluation_id(cycle_id, organization, goal, kind, actor), actor=actor,
                    cycle=cycle, organization_id=organization, item=item, kind=kind,
                    points=rng.randint(60, 100)))
                if len(batch) >= CHUNK:
                    app.commit(ACTOR, *batch)
                    batch = []
        app.commit(ACTOR, *batch)

    started = time.perf_counter()
    score([(EvaluatorKind.SELF, "person:self"),
           *((EvaluatorKind.MASS, f"person:voter-{n}") for n in range(ballots)),
           (EvaluatorKind.SOCIAL, "person:social-1"), (EvaluatorKind.SOCIAL, "person:social-2")])
    earlier = datetime.now(UTC).isoformat()
    time.sleep(0.01)
    app.advance_cycle(ACTOR, cycle_id)
    score([(EvaluatorKind.ORGANIZATIONAL, "person:province-secretary")])
    app.import_business_scores(ACTOR, cycle_id, scores={
        b.id: rng.randint(70, 100) for b in branches})
    print(f"  evaluations: {time.perf_counter() - started:.0f} s", flush=True)
    return to_global_id("AssessmentCycle", cycle_id), earlier, pairs


def fold_latency(url: str, cycle: str, pairs: list[tuple[Any, Any]], samples: int,
                 ) -> list[float]:
    """Serial: a new mass ballot, then poll until the scoreboard has folded its position."""
    app = DengtaApplication(env=DatabaseURL(url).library_env())
    cycle_id = uuid.UUID(cycle_raw(cycle))
    latencies = []
    with psycopg.connect(url, autocommit=True) as conn:
        for number in range(samples):
            organization, goal = pairs[number * 7919 % len(pairs)]
            written = app.evaluate(f"person:late-{number}", cycle_id,
                                   organization_id=organization, item_id=goal, kind="mass",
                                   points=80)
            committed = time.perf_counter()
            while True:
                row = conn.execute("SELECT position FROM dengta_tracking WHERE projection = "
                                   "'scoreboard'").fetchone()
                if row and row[0] >= (written.position or 0):
                    break
                time.sleep(0.0005)
            latencies.append((time.perf_counter() - committed) * 1000)
    app.close()
    return sorted(latencies)


def cycle_raw(global_id: str) -> str:
    from app.graphql.kit.ids import from_global_id

    return str(from_global_id(global_id)[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=2000)
    parser.add_argument("--goals", type=int, default=40)
    parser.add_argument("--ballots", type=int, default=20, help="mass ballots per goal")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3,
                        help="S, T and U alternate this many times (a shared machine's load "
                             "drifts; each sees the same) and the medians are reported")
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
    processes: list[subprocess.Popen[bytes]] = []
    env = {"DENGTA_DATABASE_URL": url, "DENGTA_JWT_SECRET": SECRET,
           "DENGTA_JWT_SECRET_FILE": f"{folder}/secret"}
    try:
        print(f"bench/scoreboard.py {time.strftime('%Y-%m-%d %H:%M')}: {args.orgs} "
              f"organisations x {args.goals} goals, {args.ballots} mass ballots each", flush=True)
        app = DengtaApplication(env=DatabaseURL(url).library_env())
        if exists:
            cycle, earlier, pairs = reloaded(app, url)
        else:
            cycle, earlier, pairs = seed(app, args.orgs, args.goals, args.ballots)
            remember(url, cycle, earlier)
        events = app.recorder.max_notification_id() or 0
        app.close()
        if exists:
            print(f"  {events:,} events, reusing the kept database and its read models",
                  flush=True)
        else:
            rebuilt = subprocess.run([sys.executable, "-m", "app.cli", "rebuild"],
                                     env={**os.environ, **env}, capture_output=True,
                                     text=True, check=True)
            print(f"  {events:,} events; {rebuilt.stdout.strip().splitlines()[-1]}",
                  flush=True)
        processes.append(serve(["app.cli", "serve"], env, 8711))
        processes.append(serve(["uvicorn", "bench.scoreboard_ceiling:app", "--log-level",
                                "warning"], {}, 8712))
        headers = {"Authorization": f"Bearer {TokenService(SECRET).mint('admin')}"}
        ours, ceiling = "http://127.0.0.1:8711/graphql", "http://127.0.0.1:8712/graphql"
        time.sleep(1)
        runs: dict[str, list[dict[str, float]]] = {"S": [], "T": [], "U": []}
        share = args.seconds / args.rounds
        for _ in range(args.rounds):
            runs["S"].append(load(ours, [{"query": QUERY, "variables": {"c": cycle}}],
                                  headers, share))
            runs["T"].append(load(ours, [{"query": QUERY, "variables": {
                "c": cycle, "at": earlier}}], headers, share))
            runs["U"].append(load(ceiling, [{"query": CEILING}], {}, share))
        results = {key: {field: statistics.median(r[field] for r in rounds)
                         for field in ("rps", "p50", "p99", "errors")}
                   for key, rounds in runs.items()}
        folds = fold_latency(url, cycle, pairs, args.samples)
        print(f"  concurrency 16, {args.seconds:.0f} s each in {args.rounds} alternating rounds "
              "(medians), 1 uvicorn worker, PostgreSQL")
        labels = {"S": "scoreboard top 100, current", "T": "the same, as of earlier",
                  "U": "same shape, in-memory ceiling"}
        for key, label in labels.items():
            r = results[key]
            print(f"  ({key}) {label:<30} {r['rps']:8.0f} req/s  p50 {r['p50']:6.1f} ms  "
                  f"p99 {r['p99']:6.1f} ms  errors {r['errors']:.0f}")
        print(f"  (F) fold one evaluation, commit to visible: p50 "
              f"{folds[len(folds) // 2]:.1f} ms  p99 {folds[int(len(folds) * 0.99) - 1]:.1f} ms"
              f"  max {folds[-1]:.1f} ms  ({len(folds)} samples)")
        print(f"  S/U = {results['S']['rps'] / results['U']['rps']:.2f}   "
              f"T/S = {results['T']['rps'] / results['S']['rps']:.2f}")
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=15)
        if not args.keep:
            with psycopg.connect(f"{PG_ADMIN}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def remember(url: str, cycle: str, earlier: str) -> None:
    """What a later run needs to reuse a kept database."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE bench_scoreboard (cycle TEXT, earlier TEXT)")
        conn.execute("INSERT INTO bench_scoreboard VALUES (%s, %s)", [cycle, earlier])


def reloaded(app: DengtaApplication, url: str) -> tuple[str, str, list[tuple[Any, Any]]]:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT cycle, earlier FROM bench_scoreboard").fetchone()
        assert row is not None, "the kept database was not fully loaded: drop it"
    cycle = app.get(AssessmentCycle, uuid.UUID(cycle_raw(row[0])))
    with psycopg.connect(url, autocommit=True) as conn:
        goals = conn.execute("SELECT organization_id, goal_id FROM view_score_goals "
                             "WHERE valid_to IS NULL ORDER BY goal_id").fetchall()
    assessed = {str(o) for o in cycle.organization_ids}
    pairs = [(uuid.UUID(o), uuid.UUID(g)) for o, g in goals if o in assessed]
    return row[0], row[1], pairs


if __name__ == "__main__":
    main()
