"""Projection throughput and freshness on PostgreSQL, in one run:

1. generate a province (companies x branches, people and posts, goals across the seven fields,
   responsibilities, fortnightly progress reports) through the domain, saved in large writes;
2. read and decode the whole log alone (the baseline);
3. rebuild every read model from zero (what `dengta rebuild` does), timed;
4. commit-to-visible lag over N single writes, with followers woken by LISTEN/NOTIFY.

Usage: python -m bench.projections [--companies 100] [--lag-writes 1000] [--url URL]
(~9,400 events per company: 100 companies is about 940,000 events)
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from bench.cpu import CpuMeter
from bench.databases import scratch_database
from domain.application import DengtaApplication
from domain.goals import Goal
from domain.organizations import Organization
from domain.people import Person
from domain.values import GoalField, Period, quantitative
from projections import ALL
from projections.rebuild import rebuild
from projections.runner import Runner
from store.db import Database
from store.url import DatabaseURL

ACTOR = "system:bench"
YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
SAVE_EVENTS = 2000


def company(number: int, branches: int, people: int, reports: int) -> Iterator[list[Any]]:
    """One company's history as groups of aggregates to save together."""
    committee = Organization.register(id=uuid.uuid4(), actor=ACTOR, name=f"公司{number}党委",
                                      kind="committee", category="机关", parent=None)
    units = [Organization.register(id=uuid.uuid4(), actor=ACTOR, name=f"公司{number}支部{b}",
                                   kind="branch", category=("营销", "物流", "专卖")[b % 3],
                                   parent=committee) for b in range(branches)]
    yield [committee, *units]
    staff: dict[uuid.UUID, list[Person]] = {}
    for unit in units:
        staff[unit.id] = []
        for p in range(people):
            person = Person.register(id=uuid.uuid4(), actor=ACTOR, name=f"党员{p}",
                                     party_member=True)
            person.take_post(actor=ACTOR, organization=unit,
                             post="secretary" if p == 0 else "member")
            staff[unit.id].append(person)
        yield staff[unit.id]
    indicator = quantitative("次", 0, 24)
    for field in GoalField:
        annual = Goal.draft(id=uuid.uuid4(), actor=ACTOR, level="annual", organization=committee,
                            organization_ancestry=[], parent=None, field=field.value,
                            title=f"{field.value}年度目标", description="", period=YEAR,
                            indicator=indicator, weight=100)
        specifics = []
        for index, unit in enumerate(units):
            for twin in range(2):
                weight = 100 // (2 * len(units)) + (100 % (2 * len(units))
                                                   if index == 0 and twin == 0 else 0)
                specifics.append(Goal.draft(
                    id=uuid.uuid4(), actor=ACTOR, level="specific", organization=unit,
                    organization_ancestry=[committee.id], parent=annual, field=field.value,
                    title=f"具体目标{index}-{twin}", description="", period=YEAR,
                    indicator=indicator, weight=weight))
        annual.issue(actor=ACTOR, parent=None, subgoals=specifics)
        yield [annual]
        for goal in specifics:
            team = staff[goal.organization_id]
            goal.assign_responsibility(actor=ACTOR, party=team[0], kind="primary")
            goal.assign_responsibility(actor=ACTOR, party=team[1], kind="direct")
            goal.assign_responsibility(actor=ACTOR, party=team[2], kind="specific")
            goal.issue(actor=ACTOR, parent=annual, subgoals=[])
            for week in range(reports):
                goal.report_progress(actor=ACTOR, value=week,
                                     effective_date=date(2026, 1, 1) + timedelta(weeks=2 * week))
        for start in range(0, len(specifics), 8):
            yield specifics[start:start + 8]


def generate(app: DengtaApplication, companies: int) -> int:
    pending: list[Any] = []
    size = 0
    for number in range(companies):
        for group in company(number, branches=20, people=10, reports=26):
            pending += group
            size += sum(len(a.pending_events) for a in group)
            if size >= SAVE_EVENTS:
                app.save(*pending, actor=ACTOR)
                pending, size = [], 0
    if pending:
        app.save(*pending, actor=ACTOR)
    return app.recorder.max_notification_id() or 0


def read_and_decode(app: DengtaApplication) -> int:
    count, start = 0, 1
    while batch := app.recorder.select_notifications(start, 1000):
        for notification in batch:
            app.mapper.to_domain_event(notification)
        count += len(batch)
        start = batch[-1].id + 1
    return count


def cpu(meter: CpuMeter, events: int) -> str:
    return (f"CPU {meter.python:.1f} s Python + {meter.postgres:.1f} s PostgreSQL "
            f"= {meter.total / events * 1e6:.1f} us/event")


def lag(app: DengtaApplication, database: Database, writes: int) -> list[float]:
    runner = Runner(app, database, ALL, poll_interval=0.5).start()
    goal_id = uuid.UUID(str(next(n.originator_id
                                 for n in app.recorder.select_notifications(1, 5000)
                                 if n.topic == "dengta:Goal.Issued")))
    seconds = []
    try:
        for week in range(writes):
            written = app.report_progress(ACTOR, goal_id, value=week,
                                          effective_date=date(2026, 12, 1))
            assert written.position is not None
            committed = time.perf_counter()
            # Woken by the follower after its commit; the followers are woken by NOTIFY.
            assert runner.progress.wait_until(runner.names, written.position, timeout=10)
            seconds.append(time.perf_counter() - committed)
    finally:
        runner.stop()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=100)
    parser.add_argument("--lag-writes", type=int, default=1000)
    parser.add_argument("--url", help="an existing database to use (else a fresh one)")
    args = parser.parse_args()
    with scratch_database(url=args.url) as url:
        app = DengtaApplication(env=DatabaseURL(url).library_env())
        database = Database(DatabaseURL(url))
        started = time.perf_counter()
        head = app.recorder.max_notification_id() or 0
        if head == 0:
            head = generate(app, args.companies)
        took = time.perf_counter() - started
        print(f"bench/projections.py  {time.strftime('%Y-%m-%d %H:%M')}  log of {head:,} events "
              f"(generated at {head / took:,.0f} events/s)" if took > 1 else "")
        database_name = DatabaseURL(url).library_env()["POSTGRES_DBNAME"]
        started = time.perf_counter()
        with CpuMeter(database_name) as decoding:
            decoded = read_and_decode(app)
        decode_rate = decoded / (time.perf_counter() - started)
        started = time.perf_counter()
        with CpuMeter(database_name) as rebuilding:
            read = rebuild(url, ALL)
        seconds = time.perf_counter() - started
        print(f"  read + decode alone      {decode_rate:10,.0f} events/s   {cpu(decoding, head)}")
        print(f"  rebuild (all views)      {head / seconds:10,.0f} log events/s "
              f"({read:,} folded in {seconds:.1f} s)   {cpu(rebuilding, head)}")
        print(f"  ratio {head / seconds / decode_rate:.2f} by the wall clock, "
              f"{decoding.total / rebuilding.total:.2f} by CPU; rebuild with two cores of its "
              f"own at most {head / (rebuilding.total / 2):,.0f} events/s")
        if args.lag_writes:
            lags = sorted(lag(app, database, args.lag_writes))
            p99 = lags[int(len(lags) * 0.99) - 1]
            print(f"  commit -> visible lag    median {statistics.median(lags) * 1000:.1f} ms, "
                  f"p99 {p99 * 1000:.1f} ms over {len(lags)} writes")
        app.close()


if __name__ == "__main__":
    main()
