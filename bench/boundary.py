"""What the input boundary costs a mutation: `app.graphql.kit.boundary` checking the arguments of
reportProgress (the mutation of bench/api.py's (E)) and of a full draftGoal, per call, in
microseconds of CPU. Compare with (E)'s server CPU per request (bench/api.py): the boundary may
take at most 5% of it.

Usage: python -m bench.boundary [--calls 20000]"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date
from decimal import Decimal

from app.boundary import Checker, DateWindow
from app.graphql.kit.boundary import checked_arguments
from app.graphql.schema import build_schema

INPUTS = {
    "reportProgress": {"input": {"goalId": "R29hbDowNjI4YjQ0Ny1lZjJjLTQ1YjItOTk5NS0xYzY1",
                                 "value": Decimal("7"), "effectiveDate": date(2026, 9, 30),
                                 "evidence": ["会议记录-2026-09.pdf", "签到表.jpg"],
                                 "reason": "九月份主题党日按期开展"}},
    "draftGoal": {"input": {
        "level": "specific", "organizationId": "T3JnYW5pemF0aW9uOjA2MjhiNDQ3LWVmMmMtNDVi",
        "field": "organizational", "title": "全年开展主题党日活动十二次",
        "description": "每月第一个周五开展主题党日，围绕学习贯彻、志愿服务和业务攻坚。" * 4,
        "periodStart": date(2026, 1, 1), "periodEnd": date(2026, 12, 31),
        "indicator": {"unit": "次", "baseline": Decimal(0), "target": Decimal(12),
                      "direction": "higher_is_better"},
        "weight": 30, "reason": "年度计划"}},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20000)
    args = parser.parse_args()
    schema = build_schema()._schema
    assert schema.mutation_type is not None
    window = DateWindow()
    print(f"bench/boundary.py  {time.strftime('%Y-%m-%d %H:%M')}  {args.calls:,} calls each, "
          "median of 5 rounds")
    for name, kwargs in INPUTS.items():
        field = schema.mutation_type.fields[name]
        rounds = []
        for _ in range(5):
            started = time.thread_time()
            for _ in range(args.calls):
                checker = Checker(window, date(2026, 12, 7))
                checked_arguments(field, kwargs, checker, business_dates=True)
                assert not checker.problems
            rounds.append((time.thread_time() - started) / args.calls * 1e6)
        print(f"  {name:<16} {statistics.median(rounds):6.1f} µs per call  "
              f"(rounds {min(rounds):.1f}–{max(rounds):.1f})")


if __name__ == "__main__":
    main()
