"""What one goals page costs the server in-process: CPU milliseconds (`time.process_time`) and
instructions (callgrind), serially, with the real schema and request context, no HTTP.

Instructions do not depend on the machine's load, so two commits can be compared on a shared
machine (issue 18: is the page slower than it was?). The harness runs unchanged on older
commits (copy it into their bench/): it only uses what the app offered since 2026-11-21.

Usage:
  python -m bench.page_cpu [--pages 20] [--rounds 8]     seed a scratch PostgreSQL database,
                                                         measure, drop it
  python -m bench.page_cpu --url URL --seed-only         seed URL, fold it, print the moment
  python -m bench.page_cpu --url URL --moment M [--instructions 5] [--threads 4]
                                                         measure an already seeded database;
                                                         with --instructions, under callgrind;
                                                         with --threads, page C on that many
                                                         threads at once too, as the server's
                                                         query threads run it
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import json
import logging
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from app.auth import TokenService
from app.demo import load_demo
from app.http import create_app
from app.settings import Settings
from domain.application import DengtaApplication
from domain.values import Period, quantitative
from projections import ALL
from projections.engine import tracked
from store.url import DatabaseURL

try:
    from app.demo_organization import demo_id
except ImportError:  # before 2026-12-07 the demo was one module
    from app.demo import demo_id  # type: ignore[attr-defined,unused-ignore]
try:
    from app.logs import configure as configure_logs
except ImportError:  # before 2026-12-07 the server logged through basicConfig
    configure_logs = None  # type: ignore[assignment]

SECRET = "bench-secret-long-enough-for-hs256-signing"
# bench/api.py's page (C) and, with `at`, its as-of page (D)
PAGE = """query($at: DateTime) { goals(first: 50, asOf: $at) { totalCount nodes { id title level
  status weight periodStart indicator progress { reports value completion }
  organization { name } responsible(first: 5) { nodes { kind partyId } } } } }"""
SECRETARY = "committee/person-0"
# the admin's page, its as-of page, the page as the committee's secretary, and page C through
# the whole ASGI app (middleware, strawberry's HTTP handling, the query thread, JSON)
WORKS = ("C", "D", "S", "H")
WARM_UP = 5  # pages per work before measuring: caches and the specialising interpreter settle
CALLGRIND_HELPER = r"""
#include <valgrind/callgrind.h>
void bench_start(void) { CALLGRIND_START_INSTRUMENTATION; }
void bench_zero(void) { CALLGRIND_ZERO_STATS; }
void bench_dump(const char *name) { CALLGRIND_DUMP_STATS_AT(name); }
"""


def seed(url: str) -> str:
    """bench/api.py's seed: the demo plus 60 issued goals, then progress on each; returns the
    moment before the progress was reported (page D reads the page as it stood then)."""
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
    return moment


@contextmanager
def served(url: str, folder: str) -> Iterator[tuple[Starlette, Any]]:
    """The app's services and its GraphQL endpoint on `url`, read models caught up with the
    log and the followers stopped (so nothing but the pages runs while measuring)."""
    os.environ.update({"DENGTA_DATABASE_URL": url, "DENGTA_JWT_SECRET": SECRET,
                       "DENGTA_JWT_SECRET_FILE": f"{folder}/secret",
                       "DENGTA_PROJECTIONS": "inprocess"})
    app: Starlette = create_app(Settings.from_env())
    services = app.state.services
    graphql = next(r.endpoint for r in app.routes
                   if isinstance(r, Route) and r.path == "/graphql")
    # The server's logging (one line per request), to nowhere: its cost, not its output.
    if configure_logs is not None:
        configure_logs("text", stream=open(os.devnull, "w"))  # noqa: SIM115
    else:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s",
                            stream=open(os.devnull, "w"))  # noqa: SIM115
    services.start()
    try:
        head = services.app.recorder.max_notification_id() or 0
        conn = services.readers.get()
        deadline = time.monotonic() + 600
        while any((tracked(conn, p) or (0, 0))[0] < head for p in ALL):
            if time.monotonic() > deadline:
                raise RuntimeError("the read models did not catch up")
            time.sleep(0.2)
        services.runner.stop()
        yield app, graphql
    finally:
        services.stop()


def request(token: str) -> Request:
    return Request({"type": "http", "method": "POST", "path": "/graphql", "query_string": b"",
                    "headers": [(b"authorization", f"Bearer {token}".encode())]})


def page_runner(graphql: Any, token: str, at: str | None) -> Callable[[], Any]:
    """One page as the server answers it: a request's context, then the schema's execution."""
    variables = {"at": at}

    async def page() -> Any:
        context = await graphql.get_context(request(token))
        result = await graphql.schema.execute(PAGE, variable_values=variables,
                                              context_value=context)
        if result.errors:
            raise RuntimeError(result.errors)
        return result.data

    return page


def asgi_runner(app: Starlette, token: str) -> Callable[[], Any]:
    """Page C as an HTTP request handed to the ASGI app (no socket, no uvicorn)."""
    body = json.dumps({"query": PAGE}).encode()
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": "/graphql", "raw_path": b"/graphql",
             "query_string": b"", "root_path": "", "client": ("127.0.0.1", 50000),
             "server": ("127.0.0.1", 8000),
             "headers": [(b"host", b"127.0.0.1:8000"), (b"content-type", b"application/json"),
                         (b"content-length", str(len(body)).encode()),
                         (b"authorization", f"Bearer {token}".encode())]}

    async def page() -> Any:
        sent: list[MutableMapping[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: MutableMapping[str, Any]) -> None:
            sent.append(message)

        await app(scope, receive, send)
        answer = b"".join(m.get("body", b"") for m in sent[1:])
        # Not decoded: a client's work, which C, D and S do not pay either.
        if sent[0]["status"] != 200 or b'"errors"' in answer:
            raise RuntimeError(answer.decode())
        return answer

    return page


def works(app: Starlette, graphql: Any, moment: str) -> dict[str, Callable[[], Any]]:
    tokens = TokenService(SECRET)
    admin = tokens.mint("admin")
    secretary = tokens.mint(f"person:{demo_id(SECRETARY)}")
    return {"C": page_runner(graphql, admin, None), "D": page_runner(graphql, admin, moment),
            "S": page_runner(graphql, secretary, None), "H": asgi_runner(app, admin)}


def measure_cpu(url: str, moment: str, pages: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder, served(url, folder) as (app, graphql):
        runs = works(app, graphql, moment)
        loop = asyncio.new_event_loop()
        sizes = {}
        for key, page in runs.items():
            for _ in range(WARM_UP):
                data = loop.run_until_complete(page())
            sizes[key] = len(data.decode() if isinstance(data, bytes)
                             else json.dumps(data, ensure_ascii=False, separators=(",", ":")))
        costs: dict[str, list[float]] = {key: [] for key in runs}
        for _ in range(rounds):  # interleaved: each round's works share the machine's state
            for key, page in runs.items():
                started = time.process_time()
                for _ in range(pages):
                    loop.run_until_complete(page())
                costs[key].append((time.process_time() - started) / pages * 1000)
        loop.close()
    print(f"bench/page_cpu.py  {time.strftime('%Y-%m-%d %H:%M')}  CPU ms per page, "
          f"{rounds} rounds of {pages} (median, min-max)")
    for key, values in costs.items():
        print(f"  ({key}) {statistics.median(values):6.2f}  ({min(values):.2f}-{max(values):.2f})"
              f"  answer {sizes[key]:,} characters")


def measure_threads(url: str, moment: str, pages: int, rounds: int, threads: int) -> None:
    """Page C on one thread, then on `threads` threads at once (each with its own event loop
    and read connection, as the server's query threads), in turns: CPU ms per page of each."""
    with tempfile.TemporaryDirectory() as folder, served(url, folder) as (app, graphql):
        page = works(app, graphql, moment)["C"]
        local = threading.local()

        def one() -> None:
            if not hasattr(local, "loop"):
                local.loop = asyncio.new_event_loop()
            local.loop.run_until_complete(page())

        costs: dict[int, list[float]] = {1: [], threads: []}
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(lambda _: one(), range(threads * WARM_UP)))
            for _ in range(rounds):
                for width in costs:
                    started = time.process_time()
                    if width == 1:
                        for _ in range(pages):
                            one()
                    else:
                        list(pool.map(lambda _: one(), range(pages)))
                    costs[width].append((time.process_time() - started) / pages * 1000)
    print(f"bench/page_cpu.py  {time.strftime('%Y-%m-%d %H:%M')}  page C, CPU ms per page, "
          f"{rounds} rounds of {pages} (median, min-max)")
    for width, values in costs.items():
        print(f"  {width} thread(s) {statistics.median(values):6.2f}  "
              f"({min(values):.2f}-{max(values):.2f})")


def count_instructions(url: str, moment: str, pages: int) -> None:
    """Runs this harness under callgrind (collecting only the pages) and prints
    instructions per page of each work."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "callgrind.out"
        subprocess.run(["valgrind", "--tool=callgrind", "--instr-atstart=no",
                        f"--callgrind-out-file={out}", sys.executable, "-m", "bench.page_cpu",
                        "--url", url, "--moment", moment, "--callgrind-pages", str(pages)],
                       check=True, stderr=subprocess.DEVNULL,
                       env={**os.environ, "PYTHONHASHSEED": "0"})
        counts = {}
        for dump in Path(folder).glob("callgrind.out.*"):
            text = dump.read_text(errors="replace")
            trigger = re.search(r"^desc: Trigger: Client Request: (\w+)", text, re.M)
            total = re.search(r"^totals: (\d+)", text, re.M)
            if trigger and total:
                counts[trigger.group(1)] = int(total.group(1))
    print(f"bench/page_cpu.py  {time.strftime('%Y-%m-%d %H:%M')}  instructions per page "
          f"(callgrind, {pages} pages each)")
    for key in WORKS:
        print(f"  ({key}) {counts[key] / pages / 1e6:8.2f} M")


def callgrind_pages(url: str, moment: str, pages: int) -> None:
    """Inside callgrind: instrument once warm, then count each work's pages apart."""
    with tempfile.TemporaryDirectory() as folder:
        helper = Path(folder) / "helper.so"
        source = Path(folder) / "helper.c"
        source.write_text(CALLGRIND_HELPER)
        subprocess.run(["cc", "-shared", "-fPIC", "-O1", "-o", helper, source], check=True)
        callgrind = ctypes.CDLL(str(helper))
        with served(url, folder) as (app, graphql):
            runs = works(app, graphql, moment)
            loop = asyncio.new_event_loop()
            callgrind.bench_start()
            for key, page in runs.items():
                for _ in range(WARM_UP):
                    loop.run_until_complete(page())
                callgrind.bench_zero()
                for _ in range(pages):
                    loop.run_until_complete(page())
                callgrind.bench_dump(key.encode())
            loop.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a PostgreSQL database (seeded already unless "
                        "--seed-only); default: a scratch database, seeded and dropped")
    parser.add_argument("--moment", help="the as-of moment --seed-only printed")
    parser.add_argument("--seed-only", action="store_true")
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--instructions", type=int, metavar="PAGES",
                        help="count instructions under callgrind over PAGES pages per work")
    parser.add_argument("--threads", type=int,
                        help="also page C on this many threads at once")
    parser.add_argument("--callgrind-pages", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.url is None:
        from bench.databases import scratch_database  # since 2026-11-22

        with scratch_database("postgresql") as url:
            moment = seed(url)
            with tempfile.TemporaryDirectory() as folder, served(url, folder):
                pass  # fold the seed once, outside what is measured
            measure_cpu(url, moment, args.pages, args.rounds)
            if args.instructions:
                count_instructions(url, moment, args.instructions)
        return
    if args.seed_only:
        moment = seed(args.url)
        with tempfile.TemporaryDirectory() as folder, served(args.url, folder):
            pass
        print(moment)
    elif args.callgrind_pages:
        callgrind_pages(args.url, args.moment, args.callgrind_pages)
    elif args.instructions:
        count_instructions(args.url, args.moment, args.instructions)
    else:
        measure_cpu(args.url, args.moment, args.pages, args.rounds)
    if args.threads and not args.seed_only:
        measure_threads(args.url, args.moment, args.pages, args.rounds, args.threads)


if __name__ == "__main__":
    main()
