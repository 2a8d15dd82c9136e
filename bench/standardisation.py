"""Branch standardisation at province scale, in process: a committee with N branches (default
2,000), its standard, and three years of each branch's self-checks and acceptances, a tenth
of them lowered and a fiftieth revoked (~9 events a branch), written through the use cases;
then the read models rebuilt, and the median milliseconds of:

(S1) levels_held over the whole province, current; (S2) the same as of the history's
midpoint; (S3) level_shares over 3 years; (S4) one branch's record; (S5) the 达标情况
export's rows for the whole province; over GraphQL (starlette's TestClient, no network):
(G1) a page of 50 branchLevels, (G2) branchLevelShares over 3 years.

Usage: python -m bench.standardisation [--backend postgresql|sqlite] [--branches 2000]
       [--repeat 10]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from starlette.testclient import TestClient

from app.auth import ADMIN_SUBJECT, Principal, TokenService
from app.exports.standards import standardisation_rows
from app.http import create_app
from app.settings import Settings
from bench.api import SECRET
from bench.databases import scratch_database
from domain.application import DengtaApplication
from projections import ALL
from projections import standardisation as views
from projections.rebuild import rebuild
from store.db import Database
from store.url import DatabaseURL

CHECKER, JUDGE = "system:bench-branch", "system:bench-committee"
ITEMS = [{"code": f"I{n}", "title": f"标准项{n}", "criteria": "对照检查", "points": 20}
         for n in range(1, 6)]
LEVELS = ("unqualified", "qualified", "exemplary")
LEVELS_QUERY = """{ branchLevels(first: 50, validAt: "2026-06-30") { totalCount
  nodes { organization { name } level since reason } } }"""
SHARES_QUERY = """{ branchLevelShares(fromYear: 2024, toYear: 2026) { year branches
  levels { level count share } } }"""


def seed(app: DengtaApplication, branches: int) -> int:
    """The province's three years; returns the position at the history's midpoint."""
    rng = random.Random(19)
    committee = app.register_organization(JUDGE, name="省局党组", kind="committee",
                                          category="机关", effective_date=date(2024, 1, 1)).id
    standard = app.define_standard(JUDGE, organization_id=committee, title="党支部工作标准",
                                   effective_from=date(2024, 1, 1), items=ITEMS).id
    ids: list[UUID] = [app.register_organization(
        JUDGE, name=f"第{n:04d}党支部", kind="branch", category="营销", parent_id=committee,
        effective_date=date(2024, 1, 1)).id for n in range(branches)]
    middle = 0
    for year in (2024, 2025, 2026):
        for branch in ids:
            check = date(year, 3, 1 + rng.randrange(28))
            app.self_check_branch(CHECKER, organization_id=branch, standard_id=standard,
                                  checked_on=check, today=check, scores=[
                                      {"code": i["code"], "score": rng.randrange(10, 21),
                                       "evidence": "自查材料"} for i in ITEMS])
            accepted = date(year, 6, 1 + rng.randrange(28))
            level = LEVELS[min(2, rng.randrange(3) + (year - 2024) // 2)]
            app.accept_branch(JUDGE, organization_id=branch, level=level,
                              effective_date=accepted, today=accepted, reason="验收")
            later = date(year, 9, 1 + rng.randrange(28))
            if level != "unqualified" and rng.random() < 0.1:
                app.lower_branch_level(JUDGE, organization_id=branch, level="unqualified",
                                       effective_date=later, today=later, reason="发现问题")
            elif rng.random() < 0.02:
                app.revoke_branch_level(JUDGE, organization_id=branch, effective_date=later,
                                        today=later, reason="撤销")
        if year == 2025:
            middle = app.recorder.max_notification_id() or 0
    return middle


def median_ms(work: Callable[[], Any], repeat: int) -> float:
    work()
    durations = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        durations.append((time.perf_counter() - started) * 1000)
    return statistics.median(durations)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--branches", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    print(f"bench/standardisation.py {time.strftime('%Y-%m-%d %H:%M')}: {args.branches} "
          f"branches, {args.backend}", flush=True)
    with scratch_database(args.backend) as url:
        app = DengtaApplication(env=DatabaseURL(url).library_env())
        started = time.perf_counter()
        middle = seed(app, args.branches)
        events = app.recorder.max_notification_id() or 0
        written = time.perf_counter() - started
        app.close()
        print(f"  {events:,} events written in {written:.0f} s "
              f"({events / written:.0f} events/s)", flush=True)
        started = time.perf_counter()
        rebuild(url, ALL)
        print(f"  rebuild of every read model {time.perf_counter() - started:.1f} s",
              flush=True)
        admin = Principal(ADMIN_SUBJECT)
        with Database(DatabaseURL(url)).connection() as conn:
            one = views.branches(conn, None)[0]
            day = date(2026, 6, 30)
            works: dict[str, Callable[[], Any]] = {
                "S1 levels_held, province, current": lambda: views.levels_held(
                    conn, None, day),
                "S2 levels_held, as of the midpoint": lambda: views.levels_held(
                    conn, None, day, middle),
                "S3 level_shares, 3 years": lambda: views.level_shares(
                    conn, None, [2024, 2025, 2026]),
                "S4 one branch's record": lambda: views.record_of(conn, one),
                "S5 达标情况 export rows, province": lambda: list(standardisation_rows(
                    conn, admin, {"validAt": day.isoformat()})),
            }
            for name, work in works.items():
                print(f"  ({name:<36}) {median_ms(work, args.repeat):8.1f} ms", flush=True)
        headers = {"Authorization": f"Bearer {TokenService(SECRET).mint('admin')}"}
        with TestClient(create_app(Settings(database_url=url, jwt_secret=SECRET))) as client:
            for name, query in (("G1 branchLevels, page of 50", LEVELS_QUERY),
                                ("G2 branchLevelShares, 3 years", SHARES_QUERY)):
                def post(query: str = query) -> None:
                    answer = client.post("/graphql", json={"query": query},
                                         headers=headers).json()
                    assert "errors" not in answer, answer
                print(f"  ({name:<36}) {median_ms(post, args.repeat):8.1f} ms", flush=True)


if __name__ == "__main__":
    main()
