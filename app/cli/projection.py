"""The read models' commands: follow the log as a worker (`project`), fold it again
(`rebuild`), and say how far each has come (`status`)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time

from tqdm import tqdm

from app import logs
from app.bootstrap import open_application
from app.lifeline import end_with_parent
from app.settings import Settings
from app.startup import EXISTING
from projections import ALL, BY_NAME
from projections.engine import Projection, has_tracking, tracked
from projections.rebuild import rebuild
from projections.runner import Leadership, Runner
from store.db import Database
from store.url import DatabaseURL


def chosen(args: argparse.Namespace) -> list[type[Projection]]:
    return [BY_NAME[args.projection]] if getattr(args, "projection", None) else list(ALL)


def cmd_project(settings: Settings, args: argparse.Namespace) -> int:
    logs.configure(settings.log_format)
    end_with_parent()  # when `dengta serve` started it
    app = open_application(settings)
    runner = Runner(app, Database(DatabaseURL(settings.database_url)), chosen(args),
                    grouped=args.grouped).start()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()
    runner.stop()
    return 0


def cmd_rebuild(settings: Settings, args: argparse.Namespace) -> int:
    app = open_application(settings)
    database = Database(DatabaseURL(settings.database_url))
    head = app.recorder.max_notification_id() or 0
    projections = chosen(args)
    with database.connection() as conn:
        leaderships = [Leadership(database, p.name) for p in projections]
        for leadership in leaderships:
            if not leadership.try_acquire(conn):
                print(f"{leadership.name}: a worker is following it; stop it first",
                      file=sys.stderr)
                return 1
        started = time.perf_counter()
        with tqdm(total=head, desc="rebuild", unit="pos", unit_scale=True) as bar:

            def advance(position: int) -> None:
                bar.update(position - bar.n)

            read = rebuild(settings.database_url, projections, stop=head, progress=advance)
        seconds = time.perf_counter() - started
        for leadership in leaderships:
            leadership.release()
    names = ", ".join(p.name for p in projections)
    print(f"rebuilt {names}: log of {head} events read to its head in {seconds:.2f} s "
          f"({head / seconds if seconds else 0:,.0f} events/s; {read} folded, counted once per "
          "process that read them)")
    return 0


def cmd_status(settings: Settings, _args: argparse.Namespace) -> int:
    app = open_application(settings)
    head = app.recorder.max_notification_id() or 0
    print(f"log head {head}")
    with Database(DatabaseURL(settings.database_url)).connection() as conn:
        started = has_tracking(conn)
        for projection in ALL:
            state = tracked(conn, projection) if started else None
            position = state[0] if state else 0
            print(f"{projection.name:<22} position {position:>10}  lag {head - position:>10}")
    return 0


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    follow = commands.add_parser(
        "project", help="run the projection followers as a worker (one leader per projection)")
    refill = commands.add_parser(
        "rebuild", help="drop read models and refill them from the log")
    for command in (follow, refill):
        command.add_argument("--projection", choices=sorted(BY_NAME), help="only this one")
    follow.add_argument("--grouped", action="store_true",
                        help="one follower folds them all, one transaction per batch (fewer "
                             "round trips before a write is visible; no sharing with other "
                             "workers)")
    follow.set_defaults(run=cmd_project, store=EXISTING)
    refill.set_defaults(run=cmd_rebuild, store=EXISTING)
    commands.add_parser("status", help="each projection's position and lag behind the log"
                        ).set_defaults(run=cmd_status, store=EXISTING)
