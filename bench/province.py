"""Organisational life at province scale (issue 19), in one run per backend: a province of
N branches (`--branches 2000` for the issue's scale; the default, 500, loads in a few
minutes) under general branches and a committee, each branch with 10–30 party members and
two party groups, a year of 三会一课 meetings (支委会 and 主题党日 monthly, 党员大会 and 党课
quarterly, 组织生活会 yearly, 党小组会 monthly; about one in twenty skipped), and two issued
goals with progress per branch. Then over HTTP (`dengta serve`, concurrency 16) against
the goals page of bench/api.py in the same store and process, the baseline:

(G) the goals page of 50 with progress, organisation and responsibilities (bench/api.py PAGE);
(B) one branch's compliance view (`meetingCompliance`: kinds, periods, members), current;
(b) the same as of six months earlier (asOf after the first half-year was recorded, validAt
    30 June);
(S) the province summary (`meetingComplianceSummary`: totals and the first 50 organisations),
    current;
(s) the same as of six months earlier.
Target: each within 2x the goals page's time (G/X >= 0.5 in requests per second).

The load is bulk: aggregates are built through the domain's own guards (posts checked on the
meeting date) and saved 1,000 at a time, meetings in date order, then the read models rebuilt.

Usage: python -m bench.province [--branches 500] [--backend sqlite|postgresql|both]
                                [--seconds 12] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg

from app.auth import TokenService
from app.graphql.kit.ids import to_global_id
from bench.api import PAGE, SECRET, load, serve
from bench.databases import PG_ADMIN, scratch_database
from domain.application import DengtaApplication
from domain.goals import Goal
from domain.meeting_rules import MeetingRuleSet
from domain.meetings import Meeting, Tenure
from domain.organizations import Organization
from domain.people import Person
from domain.values import Period, quantitative
from store.url import DatabaseURL

ACTOR = "system:bench"
TODAY = date.today()
YEAR = TODAY.year - 1  # a whole year already held
CHUNK = 1000
RULES = [{"organization_kind": org, "meeting_kind": kind, "cadence": cadence}
         for org, kind, cadence in (
             ("branch", "branch_committee", "monthly"), ("branch", "theme_day", "monthly"),
             ("branch", "branch_general", "quarterly"), ("branch", "lecture", "quarterly"),
             ("branch", "life_meeting", "yearly"), ("group", "group", "monthly"))]
# (meeting kind, the months it is held in) for a branch
BRANCH_MEETINGS = (("branch_committee", range(1, 13)), ("theme_day", range(1, 13)),
                   ("branch_general", (3, 6, 9, 12)), ("lecture", (2, 5, 8, 11)),
                   ("life_meeting", (12,)))
BRANCH = """query($org: ID!, $at: DateTime, $day: Date) {
  meetingCompliance(organizationId: $org, year: YEAR, asOf: $at, validAt: $day) {
  required fulfilled rate ruleRevision kinds { kind held required missingPeriods
  periods { label required held } } members { personId listed present rate } } }""".replace(
    "YEAR", str(YEAR))
SUMMARY = """query($org: ID!, $at: DateTime, $day: Date, $first: Int = 50) {
  meetingComplianceSummary(organizationId: $org, year: YEAR, first: $first, asOf: $at,
                           validAt: $day) {
  totals { organizations required fulfilled held missing behind rate attendanceRate }
  organizations { totalCount nodes { organizationId name kind
    tally { required fulfilled held missing rate attendanceRate } } } } }""".replace(
    "YEAR", str(YEAR))


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


@dataclass
class Unit:
    """An organisation that meets, with the people who may attend, by post."""

    organization: Organization
    committee: list[uuid.UUID] = field(default_factory=list)
    members: list[uuid.UUID] = field(default_factory=list)
    tenures: dict[str, list[Tenure]] = field(default_factory=dict)  # the posts given, by person

    def seat(self, person: uuid.UUID, post: str, since: date) -> None:
        self.tenures[str(person)] = [Tenure(self.organization.id, post, since, None)]
        if post != "member":
            self.committee.append(person)
        self.members.append(person)


@dataclass
class Seeded:
    committee: str
    branch: str
    earlier: str  # the moment after the first half-year's meetings were recorded
    events: int
    meetings: int
    attendance: int


def organizations(app: DengtaApplication, branches: int,
                  rng: random.Random) -> tuple[Organization, list[Unit], list[Unit]]:
    committee = Organization.register(id=uuid.uuid4(), actor=ACTOR, name="某省烟草专卖局党组",
                                      kind="committee", category="机关", parent=None)
    app.commit(ACTOR, committee)
    generals = [Organization.register(id=uuid.uuid4(), actor=ACTOR, name=f"第{n:03}党总支",
                                      kind="general_branch", category="县级局",
                                      parent=committee)
                for n in range(max(1, branches // 20))]
    app.commit(ACTOR, committee, *generals)
    units: list[Unit] = []
    groups: list[Unit] = []
    for part in chunks(range(branches), 100):
        made: list[Organization] = []
        for number in part:
            parent = generals[number % len(generals)]
            branch = Organization.register(id=uuid.uuid4(), actor=ACTOR,
                                           name=f"第{number:04}党支部", kind="branch",
                                           category="营销", parent=parent)
            units.append(Unit(branch))
            made.append(branch)
            for g in range(2):
                group = Organization.register(id=uuid.uuid4(), actor=ACTOR,
                                              name=f"第{number:04}党支部第{g + 1}党小组",
                                              kind="group", category="营销", parent=branch)
                groups.append(Unit(group))
                made.append(group)
        app.commit(ACTOR, *generals, *made)
    people: list[Person] = []
    since = date(YEAR - 1, 1, 1)
    for number, unit in enumerate(units):
        size = rng.randint(10, 30)
        halves = (groups[2 * number], groups[2 * number + 1])
        for seat in range(size):
            person = Person.register(id=uuid.uuid4(), actor=ACTOR, name=f"党员{seat:02}",
                                     party_member=True)
            post = ("secretary" if seat == 0 else "deputy_secretary" if seat == 1
                    else "committee_member" if seat < 5 else "member")
            person.take_post(actor=ACTOR, organization=unit.organization, post=post,
                             effective_date=since)
            unit.seat(person.id, post, since)
            party_group = halves[seat % 2]
            person.take_post(actor=ACTOR, organization=party_group.organization,
                             post="member", effective_date=since)
            party_group.seat(person.id, "member", since)
            people.append(person)
        if len(people) >= CHUNK:
            app.commit(ACTOR, *people)
            people = []
    app.commit(ACTOR, *people)
    return committee, units, groups


def meetings_of(units: list[Unit], groups: list[Unit], months: range,
                rng: random.Random) -> list[tuple[date, Unit, str]]:
    """Every meeting held in `months`, in date order; about one in twenty skipped."""
    planned: list[tuple[date, Unit, str]] = []
    for unit in units:
        for kind, held in BRANCH_MEETINGS:
            planned += [(date(YEAR, m, rng.randint(1, 28)), unit, kind) for m in held
                        if m in months]
    for group in groups:
        planned += [(date(YEAR, m, rng.randint(1, 28)), group, "group") for m in months]
    kept = [p for p in planned if rng.random() >= 0.05]
    return sorted(kept, key=lambda p: p[0])


def record(app: DengtaApplication, planned: list[tuple[date, Unit, str]],
           rng: random.Random) -> int:
    """Save the meetings; returns how many attendance entries they list."""
    listed = 0
    batch: list[Meeting] = []
    for held_on, unit, kind in planned:
        people = unit.committee if kind == "branch_committee" else unit.members
        attendance = []
        for person in people:
            roll = rng.random()
            status = "present" if roll < 0.85 or person == people[0] else (
                "excused" if roll < 0.95 else "absent")
            attendance.append({"person_id": person, "status": status,
                               "reason": "出差" if status != "present" else ""})
        listed += len(attendance)
        batch.append(Meeting.record(
            id=uuid.uuid4(), actor=ACTOR, organization=unit.organization, kind=kind,
            held_on=held_on, today=TODAY, topic=f"{kind} {held_on.isoformat()}",
            presider_id=people[0], attendance=attendance, tenures=unit.tenures))
        if len(batch) >= CHUNK:
            app.commit(ACTOR, *batch)
            batch = []
    app.commit(ACTOR, *batch)
    return listed


def goals(app: DengtaApplication, committee: Organization, units: list[Unit]) -> None:
    """Two issued annual goals per branch, one progress report each: the goals page's data."""
    year = Period(date(YEAR, 1, 1), date(YEAR, 12, 31))
    for part in chunks(units, 250):
        made = []
        for unit in part:
            for number in range(2):
                goal = Goal.draft(id=uuid.uuid4(), actor=ACTOR, level="annual",
                                  organization=unit.organization,
                                  organization_ancestry=[committee.id], parent=None,
                                  field="organizational", title=f"三会一课目标{number}",
                                  description="", period=year,
                                  indicator=quantitative("次", 0, 12), weight=50)
                goal.issue(actor=ACTOR, parent=None, subgoals=[])
                goal.report_progress(actor=ACTOR, effective_date=date(YEAR, 6, 30),
                                     value=number + 5)
                made.append(goal)
        app.commit(ACTOR, *made)


def seed(url: str, branches: int) -> Seeded:
    rng = random.Random(19)
    app = DengtaApplication(env=DatabaseURL(url).library_env())
    started = time.perf_counter()
    committee, units, groups = organizations(app, branches, rng)
    rules = MeetingRuleSet.define(actor=ACTOR, organization=committee, title="三会一课制度",
                                  effective_from=date(YEAR, 1, 1), rules=RULES)
    app.commit(ACTOR, rules)
    goals(app, committee, units)
    print(f"  organisations, people and goals: {time.perf_counter() - started:.0f} s",
          flush=True)
    started = time.perf_counter()
    first = meetings_of(units, groups, range(1, 7), rng)
    listed = record(app, first, rng)
    earlier = datetime.now(UTC).isoformat()
    time.sleep(0.01)
    second = meetings_of(units, groups, range(7, 13), rng)
    listed += record(app, second, rng)
    print(f"  {len(first) + len(second):,} meetings: {time.perf_counter() - started:.0f} s",
          flush=True)
    events = int(app.recorder.max_notification_id() or 0)
    app.close()
    return Seeded(to_global_id("Organization", committee.id),
                  to_global_id("Organization", units[len(units) // 2].organization.id),
                  earlier, events, len(first) + len(second), listed)


def measure(url: str, args: argparse.Namespace, folder: str,
            kept: Path | None = None) -> dict[str, float]:
    """Seed `url` (unless `kept` describes it as seeded already), rebuild and load it."""
    started = time.perf_counter()
    env = {"DENGTA_DATABASE_URL": url, "DENGTA_JWT_SECRET": SECRET,
           "DENGTA_JWT_SECRET_FILE": f"{folder}/secret"}
    if kept is not None and kept.exists():
        seeded = Seeded(**json.loads(kept.read_text()))
        print(f"  {seeded.events:,} events, reusing the kept store", flush=True)
    else:
        seeded = seed(url, args.branches)
        rebuilt = subprocess.run([sys.executable, "-m", "app.cli", "rebuild"],
                                 env={**os.environ, **env}, capture_output=True, text=True,
                                 check=True)
        print(f"  {seeded.events:,} events ({seeded.meetings:,} meetings listing "
              f"{seeded.attendance:,} attendances); "
              f"{rebuilt.stdout.strip().splitlines()[-1]}; "
              f"loaded in {time.perf_counter() - started:.0f} s", flush=True)
        if kept is not None:
            kept.write_text(json.dumps(asdict(seeded)))
    server = serve(["app.cli", "serve"], env, 8721)
    try:
        headers = {"Authorization": f"Bearer {TokenService(SECRET).mint('admin')}"}
        ours = "http://127.0.0.1:8721/graphql"
        half = {"at": seeded.earlier, "day": date(YEAR, 6, 30).isoformat()}
        whole = {"day": date(YEAR, 12, 31).isoformat()}
        bodies: dict[str, dict[str, Any]] = {
            "G": {"query": PAGE},
            "B": {"query": BRANCH, "variables": {"org": seeded.branch, **whole}},
            "b": {"query": BRANCH, "variables": {"org": seeded.branch, **half}},
            "S": {"query": SUMMARY, "variables": {"org": seeded.committee, **whole}},
            "s": {"query": SUMMARY, "variables": {"org": seeded.committee, **half}},
        }
        runs: dict[str, list[dict[str, float]]] = {key: [] for key in bodies}
        share = args.seconds / args.rounds
        for _ in range(args.rounds):  # alternating: each sees the same drift in load
            for key, body in bodies.items():
                runs[key].append(load(ours, [body], headers, share))
        cold = {key: serial(ours, headers, bodies[key], key in "Ss") for key in bodies}
    finally:
        server.terminate()
        server.wait(timeout=15)
    labels = {"G": "goals page of 50 (baseline)", "B": "one branch's compliance, current",
              "b": "the same, six months earlier", "S": "province summary, current",
              "s": "the same, six months earlier"}
    medians = {}
    for key, label in labels.items():
        r = {f: statistics.median(run[f] for run in runs[key])
             for f in ("rps", "p50", "p99", "errors")}
        medians[key] = r["rps"]
        ratio = "" if key == "G" else (
            f"  time x{medians['G'] / r['rps']:.2f} of G")
        print(f"  ({key}) {label:<34} {r['rps']:7.1f} req/s  p50 {r['p50']:7.1f} ms  "
              f"p99 {r['p99']:7.1f} ms  errors {r['errors']:.0f}{ratio}", flush=True)
    print("  one request at a time, the summary worked out afresh each time (a page size "
          "not asked before, so not kept): median latency", flush=True)
    for key in bodies:
        ratio = "" if key == "G" else f"  x{cold[key] / cold['G']:.2f} of G"
        print(f"  ({key}) {cold[key]:7.1f} ms{ratio}", flush=True)
    return medians


def serial(url: str, headers: dict[str, str], body: dict[str, Any], fresh: bool,
           times: int = 7) -> float:
    """Median latency (ms) of `body` posted one at a time; `fresh`: each with a new page size,
    so the server cannot answer from what it kept."""
    latencies = []
    with httpx.Client(timeout=120) as client:
        for number in range(times):
            sent = body if not fresh else {**body, "variables": {
                **body["variables"], "first": 30 + number}}
            started = time.perf_counter()
            answer = client.post(url, json=sent, headers=headers).json()
            latencies.append((time.perf_counter() - started) * 1000)
            assert "errors" not in answer, answer
    return statistics.median(latencies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--branches", type=int, default=500)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=12.0,
                        help="per query, split over the rounds")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", metavar="FOLDER", type=Path,
                        help="seed into stores kept here (a SQLite file; a PostgreSQL database "
                             "named after the folder) and reuse them when already seeded")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        print(f"bench/province.py {time.strftime('%Y-%m-%d %H:%M')}: {args.branches} branches, "
              f"year {YEAR}, {backend}; wrk concurrency 16, {args.seconds:.0f} s per query "
              f"in {args.rounds} alternating rounds (medians)", flush=True)
        with tempfile.TemporaryDirectory() as folder:
            if args.keep is None:
                with scratch_database(backend) as url:
                    measure(url, args, folder)
            else:
                measure(kept_store(args.keep, backend), args, folder,
                        args.keep / f"seeded-{backend}-{args.branches}.json")


def kept_store(folder: Path, backend: str) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    if backend == "sqlite":
        return f"sqlite:///{folder.resolve()}/province.db"
    name = f"dengta_province_{folder.name}".replace("-", "_")
    with psycopg.connect(f"{PG_ADMIN}/postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                             [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_ADMIN}/{name}"


if __name__ == "__main__":
    main()
