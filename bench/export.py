"""Export memory: peak RSS of a real `dengta serve` process while it streams an audit-log
export of 1,000 rows (the baseline) and of 100,000 rows, as xlsx and as CSV. Bounded memory
means the two peaks are about the same. Also checks the files: the xlsx opens in openpyxl
with the right row count.

Usage: python -m bench.export [--rows 100000] [--url URL] (default: a fresh SQLite file)
"""

from __future__ import annotations

import argparse
import csv
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from openpyxl import load_workbook

from app.auth import TokenService
from app.bootstrap import open_application
from app.settings import Settings
from domain.people import Person
from projections import ALL
from projections.engine import REBUILD_BATCH, Follower
from store.db import Database
from store.url import DatabaseURL

SECRET = "bench-export-secret-long-enough-for-hs256"
BASELINE_ACTOR = "system:bench-baseline"
ACTOR = "system:bench"
BASELINE_ROWS = 1000
SAVE_EVENTS = 2000


def generate(url: str, rows: int) -> None:
    """`rows` people registered (one event each), the first BASELINE_ROWS by their own actor;
    then every read model built, so the server has nothing to fold."""
    app = open_application(Settings(database_url=url))
    try:
        done = 0
        while done < rows:
            baseline = done < BASELINE_ROWS
            actor = BASELINE_ACTOR if baseline else ACTOR
            size = min(SAVE_EVENTS, (BASELINE_ROWS if baseline else rows) - done)
            people = [Person.register(id=uuid.uuid4(), actor=actor, name=f"人员{done + i}",
                                      party_member=i % 2 == 0, reason="基准测试")
                      for i in range(size)]
            app.commit(actor, *people)
            done += size
        with Database(DatabaseURL(url)).connection() as conn:
            for projection in ALL:
                follower = Follower(projection, app, conn, REBUILD_BATCH)
                follower.prepare()
                follower.catch_up()
    finally:
        app.close()


def peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def export_once(url: str, fmt: str, params: dict[str, str], out: Path) -> dict[str, float]:
    """Start a server, stream one export to `out`; return its figures."""
    port = free_port()
    env = {**os.environ, "DENGTA_DATABASE_URL": url, "DENGTA_JWT_SECRET": SECRET}
    server = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("the server did not become ready")
            time.sleep(0.1)
        ready = peak_rss_kib(server.pid)
        token = TokenService(SECRET).mint("admin")
        started = time.perf_counter()
        with out.open("wb") as file, httpx.stream(
                "GET", f"{base}/export/audit-log.{fmt}", params=params, timeout=600,
                headers={"Authorization": f"Bearer {token}"}) as response:
            response.raise_for_status()
            for chunk in response.iter_bytes():
                file.write(chunk)
        seconds = time.perf_counter() - started
        return {"ready_kib": ready, "peak_kib": peak_rss_kib(server.pid), "seconds": seconds,
                "bytes": out.stat().st_size}
    finally:
        server.terminate()
        server.wait(timeout=30)


def rows_in(path: Path, fmt: str) -> int:
    if fmt == "csv":
        with path.open(encoding="utf-8-sig", newline="") as file:
            return sum(1 for _ in csv.reader(file)) - 1
    sheet = load_workbook(path, read_only=True).worksheets[0]
    return sum(1 for _ in sheet.iter_rows(values_only=True)) - 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--url", help="an empty store (default: a fresh SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = args.url or f"sqlite:///{scratch}/dengta.db"
        started = time.perf_counter()
        generate(url, args.rows)
        print(f"generated and folded {args.rows:,} events in "
              f"{time.perf_counter() - started:.0f} s ({url.partition(':')[0]})")
        print(f"{'export':<26}{'rows':>9}{'ready MiB':>11}{'peak MiB':>10}{'s':>7}{'MB':>8}")
        for fmt in ("xlsx", "csv"):
            for label, params, expected in (
                    ("baseline", {"actor": BASELINE_ACTOR}, BASELINE_ROWS),
                    ("everything", {}, args.rows)):
                out = Path(scratch) / f"{label}.{fmt}"
                figures = export_once(url, fmt, params, out)
                counted = rows_in(out, fmt)
                assert counted == expected, f"{out.name}: {counted} rows, not {expected}"
                print(f"{label + ' .' + fmt:<26}{counted:>9,}{figures['ready_kib'] / 1024:>11.0f}"
                      f"{figures['peak_kib'] / 1024:>10.0f}{figures['seconds']:>7.1f}"
                      f"{figures['bytes'] / 1e6:>8.1f}")


if __name__ == "__main__":
    main()
