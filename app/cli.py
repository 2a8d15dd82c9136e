"""The `dengta` command: demo data, audit chain checks, and the projection worker."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import time
from collections.abc import Sequence
from uuid import UUID

from tqdm import tqdm

from app.auth import ADMIN_SUBJECT, TokenService, load_or_create_secret
from app.bootstrap import open_application
from app.demo import load_demo
from app.graphql.schema import sdl
from app.settings import Settings
from projections import ALL, BY_NAME
from projections.engine import (
    REBUILD_BATCH,
    Follower,
    Projection,
    has_tracking,
    reset,
    tracked,
)
from projections.runner import Leadership, Runner
from store import chain
from store.audit import Digest
from store.db import Database
from store.url import DatabaseURL

LABELS = {
    "organizations": "组织",
    "people": "人员",
    "posts": "职务",
    "goals": "目标",
    "responsibilities": "责任分工",
    "issued goal trees": "下达目标树",
    "progress reports": "进度报告",
    "letters": "目标责任书",
    "signatures": "责任书签字",
    "amendments": "责任书修正",
    "findings": "问题",
    "rectification steps": "整改步骤",
    "commitments": "公开承诺",
    "commitment follow-ups": "承诺跟进",
    "projects": "党建项目",
    "project steps": "项目进展",
    "milestones": "项目节点",
    "rewards and restraints": "奖惩",
}


def cmd_demo(settings: Settings, _args: argparse.Namespace) -> int:
    app = open_application(settings)
    report = load_demo(app)
    if not report.created:
        print("演示数据已存在，未重复创建 (demo already loaded; nothing written)")
    else:
        print("已载入演示数据 (demo loaded): 临江市烟草专卖局（公司）党委")
        for kind, count in report.created.items():
            print(f"  {LABELS.get(kind, kind)} ({kind}): {count}")
    print(f"store: {settings.database_url}")
    print(f"audit chain head: {chain.head(chain.audited(app.recorder))}")
    return 0


def cmd_verify(settings: Settings, args: argparse.Namespace) -> int:
    try:
        digest = Digest.parse(args.digest) if args.digest else None
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    app = open_application(settings)
    result = chain.verify(chain.audited(app.recorder), digest)
    print(result)
    return 0 if result.ok else 1


def cmd_digest(settings: Settings, _args: argparse.Namespace) -> int:
    app = open_application(settings)
    print(chain.head(chain.audited(app.recorder)))
    return 0


def chosen(args: argparse.Namespace) -> list[type[Projection]]:
    return [BY_NAME[args.projection]] if getattr(args, "projection", None) else list(ALL)


def cmd_project(settings: Settings, args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = open_application(settings)
    runner = Runner(app, Database(DatabaseURL(settings.database_url)), chosen(args)).start()
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
        for projection in projections:
            reset(conn, projection)
        follower = Follower(projections, app, conn, batch_size=REBUILD_BATCH,
                            read_ahead=True)
        follower.prepare()
        started = time.perf_counter()
        with tqdm(total=head, desc="rebuild", unit="pos", unit_scale=True) as bar:

            def advance(_count: int, position: int) -> None:
                bar.update(position - bar.n)

            read = follower.catch_up(stop=head, progress=advance)
        seconds = time.perf_counter() - started
        for leadership in leaderships:
            leadership.release()
    names = ", ".join(p.name for p in projections)
    print(f"rebuilt {names}: log of {head} events read to its head in {seconds:.2f} s "
          f"({head / seconds if seconds else 0:,.0f} events/s; {read} relevant to them)")
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


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if args.workers > 1 and settings.projections == "inprocess" and \
            DatabaseURL(settings.database_url).backend == "sqlite":
        print("several workers share one SQLite file badly; use one, or PostgreSQL",
              file=sys.stderr)
        return 2
    secret = settings.jwt_secret or load_or_create_secret(settings.jwt_secret_file)
    token = TokenService(secret).mint(ADMIN_SUBJECT)
    print(f"GraphiQL: http://{args.host}:{args.port}/graphql")
    print(f'Header:   {{"Authorization": "Bearer {token}"}}')
    uvicorn.run("app.http:app_from_env", factory=True, host=args.host, port=args.port,
                workers=args.workers, log_level="info")
    return 0


def cmd_token(settings: Settings, args: argparse.Namespace) -> int:
    secret = settings.jwt_secret or load_or_create_secret(settings.jwt_secret_file)
    if args.admin:
        subject = ADMIN_SUBJECT
    else:
        try:
            subject = f"person:{UUID(args.person)}"
        except ValueError:
            print(f"--person takes a person's id, not {args.person!r}", file=sys.stderr)
            return 2
    print(f"token for {subject}: {TokenService(secret).mint(subject, args.ttl)}")
    return 0


def cmd_schema(_settings: Settings, _args: argparse.Namespace) -> int:
    sys.stdout.write(sdl())
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="dengta", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="load the demo organisation (idempotent)").set_defaults(
        run=cmd_demo)
    verify = commands.add_parser(
        "verify", help="recompute the audit chain; print OK <position> <hash> or where it breaks")
    verify.add_argument("--digest", metavar="POS:HASH",
                        help="also check that a digest kept earlier is still in the chain")
    verify.set_defaults(run=cmd_verify)
    commands.add_parser("digest", help="print the chain head as POS:HASH, for safekeeping"
                        ).set_defaults(run=cmd_digest)
    project = commands.add_parser(
        "project", help="run the projection followers as a worker (one leader per projection)")
    rebuild = commands.add_parser(
        "rebuild", help="drop read models and refill them from the log")
    for command in (project, rebuild):
        command.add_argument("--projection", choices=sorted(BY_NAME), help="only this one")
    project.set_defaults(run=cmd_project)
    rebuild.set_defaults(run=cmd_rebuild)
    commands.add_parser("status", help="each projection's position and lag behind the log"
                        ).set_defaults(run=cmd_status)
    serve = commands.add_parser("serve", help="serve the GraphQL API (and, by default, run "
                                "the projection followers in-process)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(run=cmd_serve)
    token = commands.add_parser("token", help="mint a bearer token (the last word printed)")
    who = token.add_mutually_exclusive_group(required=True)
    who.add_argument("--person", metavar="ID", help="a registered person's id")
    who.add_argument("--admin", action="store_true", help="the built-in administrator")
    token.add_argument("--ttl", type=int, default=8 * 3600, metavar="SECONDS")
    token.set_defaults(run=cmd_token)
    commands.add_parser("schema", help="print the GraphQL schema (SDL)").set_defaults(
        run=cmd_schema)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValueError as error:
        print(f"dengta: {error}", file=sys.stderr)
        return 2
    return int(args.run(settings, args))


if __name__ == "__main__":
    raise SystemExit(main())
