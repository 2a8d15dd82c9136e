"""What rebuilding the audit log costs, alone and with every read model, on PostgreSQL.

The machine may be shared: each rebuild is timed by the wall clock and by this process's CPU
time (the fold is CPU-bound in Python; the database's own CPU is not counted), and the best
of `--runs` is reported.

Usage: python -m bench.audit_rebuild [--companies 5] [--runs 5] [--url URL]
(a fresh database is generated through the domain unless `--url` names one; ~9,400 events
per company). Profile one run: python -m cProfile -s tottime -m bench.audit_rebuild --runs 1
"""

from __future__ import annotations

import argparse
import time

from bench.databases import scratch_database
from bench.projections import generate
from domain.application import DengtaApplication
from projections import ALL
from projections.audit_log import AuditLog
from projections.engine import Projection, reset
from projections.rebuild import fold
from store.db import Database
from store.url import DatabaseURL


def rebuild(url: str, database: Database,
            projections: tuple[type[Projection], ...]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one rebuild from zero, folded in this process."""
    with database.connection() as conn:
        for projection in projections:
            reset(conn, projection, indexes=False)
    wall, cpu = time.perf_counter(), time.process_time()
    fold(url, [p.name for p in projections])
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=5)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--url", help="an existing database to use (else a fresh one)")
    args = parser.parse_args()
    with scratch_database(url=args.url) as url:
        app = DengtaApplication(env=DatabaseURL(url).library_env())
        database = Database(DatabaseURL(url))
        head = generate(app, args.companies) if not args.url else (
            app.recorder.max_notification_id() or 0)
        for label, projections in (("audit log alone", (AuditLog,)), ("all read models", ALL)):
            runs = [rebuild(url, database, projections) for _ in range(args.runs)]
            wall = min(w for w, _ in runs)
            cpu = min(c for _, c in runs)
            print(f"{label:<16} {head:,} events: best wall {wall:6.2f} s "
                  f"({head / wall:8,.0f} ev/s), best CPU {cpu:6.2f} s ({head / cpu:8,.0f} ev/s)")
        app.close()


if __name__ == "__main__":
    main()
