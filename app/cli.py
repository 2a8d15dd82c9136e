"""The `dengta` command: demo data, audit chain checks, and the projection worker."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from uuid import UUID

from tqdm import tqdm

from app import logs, migrate
from app.auth import ADMIN_SUBJECT, TokenService, load_or_create_secret
from app.bootstrap import open_application
from app.boundary import Checker, DateWindow
from app.demo import load_demo
from app.demo import moments as demo_moments
from app.graphql.schema import sdl
from app.imports.business_scores import import_business_scores
from app.imports.columns import ImportRefusedError
from app.lifeline import child_environment, end_with_parent
from app.settings import Settings
from domain.errors import DomainError
from projections import ALL, BY_NAME
from projections.audit_check import verify_read_models
from projections.engine import Projection, has_tracking, tracked
from projections.rebuild import rebuild
from projections.runner import Leadership, Runner
from store import chain
from store.audit import Digest
from store.db import Database
from store.roles import SchemaNotReadyError
from store.signing import SignedDigest, generate_key, sign
from store.url import DatabaseURL

LABELS = {
    "organizations": "组织",
    "people": "人员",
    "posts": "职务",
    "goals": "目标",
    "responsibilities": "责任分工",
    "issued goal trees": "下达目标树",
    "progress reports": "进度报告",
    "library indicators": "考核指标",
    "assessment cycles": "考核周期",
    "evaluations": "评价打分",
    "business scores": "业绩考评导入",
    "published cycles": "已公布考核",
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
    "reweightings": "权重调整",
    "corrections": "公布后更正",
    "reopenings": "问题重新打开",
    "revocations": "奖惩撤销",
    "posts ended": "免去职务",
}


def cmd_demo(settings: Settings, _args: argparse.Namespace) -> int:
    app = open_application(settings)
    # At a terminal, chapters start on a new second, so that their moments can be typed.
    report = load_demo(app, pause=sys.stdout.isatty())
    if not report.created:
        print("演示数据已存在，未重复创建 (demo already loaded; nothing written)")
    else:
        print("已载入演示数据 (demo loaded): 临江市烟草专卖局（公司）党委")
        for kind, count in report.created.items():
            print(f"  {LABELS.get(kind, kind)} ({kind}): {count}")
    with Database(DatabaseURL(settings.database_url)).connection() as conn:
        print("可回溯的时刻 (moments to travel to: asOf, each chapter as it ended):")
        for moment in demo_moments(app, conn):
            print(f"  {moment.iso}  {moment.title}")
    print(f"store: {DatabaseURL(settings.database_url).masked()}")
    print(f"audit chain head: {chain.head(chain.audited(app.recorder))}")
    return 0


def cmd_verify(settings: Settings, args: argparse.Namespace) -> int:
    try:
        digest = Digest.parse(args.digest) if args.digest else None
        if args.digest_file:
            if not args.public_key:
                raise ValueError("--digest-file needs --public-key to check its signature")
            signed = SignedDigest.from_json(Path(args.digest_file).read_text())
            if not signed.is_signed_by(Path(args.public_key).read_bytes()):
                print(f"BAD SIGNATURE {args.digest_file}: altered, or signed by another key")
                return 1
            print(f"signature OK: {signed.digest} recorded at {signed.recorded_at}")
            digest = signed.digest
    except (OSError, ValueError) as error:
        print(error, file=sys.stderr)
        return 2
    app = open_application(settings)
    result = chain.verify_application(app, digest)
    print(result)
    if not result.ok:
        return 1
    if args.read_models:  # recomputed from the events the chain has just vouched for
        with Database(DatabaseURL(settings.database_url)).connection() as conn:
            check = verify_read_models(conn, app)
        print(check)
        return 0 if check.ok else 1
    return 0


def cmd_digest(settings: Settings, args: argparse.Namespace) -> int:
    app = open_application(settings)
    recorder = chain.audited(app.recorder)
    head = chain.head(recorder)
    if not args.sign:
        print(head)
        return 0
    rows = recorder.select_audit(head.position - 1, 1) if head.position else []
    try:
        signed = sign(head, rows[0].recorded_at if rows else None,
                      Path(args.sign).read_bytes())
    except (OSError, ValueError) as error:
        print(error, file=sys.stderr)
        return 2
    if args.out:
        Path(args.out).write_text(signed.to_json())
        print(f"{head} signed into {args.out}")
    else:
        print(signed.to_json(), end="")
    return 0


def cmd_keygen(_settings: Settings, args: argparse.Namespace) -> int:
    private_path, public_path = Path(args.out), Path(f"{args.out}.pub")
    if private_path.exists():
        print(f"{private_path} exists; not overwriting a key", file=sys.stderr)
        return 2
    private, public = generate_key()
    private_path.parent.mkdir(parents=True, exist_ok=True)
    private_path.touch(mode=0o600)
    private_path.write_bytes(private)
    public_path.write_bytes(public)
    print(f"private key {private_path} (keep it secret), public key {public_path}")
    return 0


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


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    logs.configure(settings.log_format)
    args.port = args.port or settings.port
    if args.workers > 1 and settings.projections == "inprocess" and \
            DatabaseURL(settings.database_url).backend == "sqlite":
        print("several workers share one SQLite file badly; use one, or PostgreSQL",
              file=sys.stderr)
        return 2
    if settings.log_format == "json":
        # Every output line is JSON for the collector, and no administrator token is kept there.
        logging.getLogger("dengta.serve").info(
            "serving http://%s:%d/graphql; `dengta token --admin` mints a token",
            args.host, args.port)
    else:
        secret = settings.jwt_secret or load_or_create_secret(settings.jwt_secret_file)
        token = TokenService(secret).mint(ADMIN_SUBJECT)
        print(f"{'GraphiQL' if settings.graphql_ide else 'API'}: "
              f"http://{args.host}:{args.port}/graphql")
        print(f'Header:   {{"Authorization": "Bearer {token}"}}')
    worker = ProjectionWorker() if settings.projections == "worker" else None
    if worker is not None:
        os.environ["DENGTA_PROJECTIONS"] = "external"  # what the API workers are told
        worker.start()
    if args.workers > 1:  # uvicorn's workers, spawned with this environment, end with us
        os.environ.update(child_environment())
    try:
        # Our logging, not uvicorn's; our line per request (with its id), not its access log.
        uvicorn.run("app.http:app_from_env", factory=True, host=args.host, port=args.port,
                    workers=args.workers, log_level="info", log_config=None, access_log=False)
    finally:
        if worker is not None:
            worker.stop()
    return 0


class ProjectionWorker:
    """`dengta project --grouped` as a child of `dengta serve`: restarted when it exits,
    stopped with the server. In a process of its own, a follower's round trips do not wait
    for the API's GIL (bench/RESULTS.md: the most mutations per second on PostgreSQL)."""

    def __init__(self) -> None:
        self.stopped = threading.Event()
        self.process: subprocess.Popen[bytes] | None = None
        self.thread = threading.Thread(target=self._supervise, name="projection-worker",
                                       daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _supervise(self) -> None:
        command = [sys.executable, "-m", "app.cli", "project", "--grouped"]
        while not self.stopped.is_set():
            # Its own session: a Ctrl-C at the terminal reaches the server, which stops it.
            self.process = subprocess.Popen(command, env=child_environment(),
                                            start_new_session=True)
            code = self.process.wait()
            if not self.stopped.is_set():
                logging.getLogger("dengta.serve").warning(
                    "projection worker exited (%s); restarting it", code)
                self.stopped.wait(1.0)

    def stop(self) -> None:
        self.stopped.set()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.thread.join(timeout=5)


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


SYSTEM_IMPORT = "system:import"


def cmd_import_business_scores(settings: Settings, args: argparse.Namespace) -> int:
    try:
        cycle_id = UUID(args.cycle)
    except ValueError:
        print(f"--cycle takes a cycle's id, not {args.cycle!r}", file=sys.stderr)
        return 2
    app = open_application(settings)
    checker = Checker(DateWindow(settings.earliest_date, settings.future_years), date.today())
    try:
        imported = import_business_scores(app, SYSTEM_IMPORT, cycle_id,
                                          Path(args.file), args.reason, checker)
    except ImportRefusedError as refused:
        count = len(refused.problems)
        read_as = f"，读取方式 (read as): {refused.source}" if refused.source else ""
        print(f"未导入任何数据 (nothing imported): {args.file} 有 {count} 处问题 ({count} "
              f"problem{'s' if count != 1 else ''}){read_as}", file=sys.stderr)
        for problem in refused.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    except (ValueError, OSError, DomainError) as error:
        print(f"未导入任何数据 (nothing imported): {error}", file=sys.stderr)
        return 2
    print(f"已导入 {imported.count} 条业绩得分到《{imported.cycle_title}》(imported "
          f"{imported.count} business scores at position {imported.position}); "
          f"读取方式 (read as): {imported.source}")
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
    kept = verify.add_mutually_exclusive_group()
    kept.add_argument("--digest", metavar="POS:HASH",
                      help="also check that a digest kept earlier is still in the chain")
    kept.add_argument("--digest-file", metavar="FILE",
                      help="check a signed digest file's signature (with --public-key), "
                           "then that the chain still passes through it")
    verify.add_argument("--public-key", metavar="PEM", help="the signer's Ed25519 public key")
    verify.add_argument("--read-models", action="store_true",
                        help="also check the audit log read model against the chain: prints "
                             "OK audit_log <position> or BROKEN <position> <problem>")
    verify.set_defaults(run=cmd_verify)
    digest = commands.add_parser("digest", help="print the chain head as POS:HASH, for "
                                 "safekeeping; with --sign, a signed digest file")
    digest.add_argument("--sign", metavar="KEY", help="sign with this Ed25519 private key")
    digest.add_argument("--out", metavar="FILE", help="write the signed digest here")
    digest.set_defaults(run=cmd_digest)
    keygen = commands.add_parser("keygen", help="make an Ed25519 key pair for signing digests")
    keygen.add_argument("--out", metavar="PATH", required=True,
                        help="the private key's path; the public key goes to PATH.pub")
    keygen.set_defaults(run=cmd_keygen)
    project = commands.add_parser(
        "project", help="run the projection followers as a worker (one leader per projection)")
    rebuild = commands.add_parser(
        "rebuild", help="drop read models and refill them from the log")
    for command in (project, rebuild):
        command.add_argument("--projection", choices=sorted(BY_NAME), help="only this one")
    project.add_argument("--grouped", action="store_true",
                         help="one follower folds them all, one transaction per batch (fewer "
                              "round trips before a write is visible; no sharing with other "
                              "workers)")
    project.set_defaults(run=cmd_project)
    rebuild.set_defaults(run=cmd_rebuild)
    commands.add_parser("status", help="each projection's position and lag behind the log"
                        ).set_defaults(run=cmd_status)
    serve = commands.add_parser("serve", help="serve the GraphQL API (and, by default, run "
                                "the projection followers in-process)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=None,
                       help="default: DENGTA_PORT, else PORT, else 8000")
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(run=cmd_serve)
    token = commands.add_parser("token", help="mint a bearer token (the last word printed)")
    who = token.add_mutually_exclusive_group(required=True)
    who.add_argument("--person", metavar="ID", help="a registered person's id")
    who.add_argument("--admin", action="store_true", help="the built-in administrator")
    token.add_argument("--ttl", type=int, default=8 * 3600, metavar="SECONDS")
    token.set_defaults(run=cmd_token)
    business = commands.add_parser(
        "import-business-scores",
        help="业绩考评: import business scores (CSV or xlsx: a header row naming 组织 and "
             "得分, then a row per organisation: its name or id, its score)")
    business.add_argument("--cycle", required=True, metavar="ID", help="the cycle's id")
    business.add_argument("--reason", default="", help="required after publication")
    business.add_argument("file", help="a CSV (UTF-8 or GB18030) or xlsx file")
    business.set_defaults(run=cmd_import_business_scores)
    commands.add_parser("schema", help="print the GraphQL schema (SDL)").set_defaults(
        run=cmd_schema)
    migrate.add_parser(commands)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValueError as error:
        print(f"dengta: {error}", file=sys.stderr)
        return 2
    try:
        return int(args.run(settings, args))
    except SchemaNotReadyError as error:  # the application role, before `dengta migrate`
        print(f"dengta: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
