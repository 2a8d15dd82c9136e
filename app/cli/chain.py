"""The store's commands: create it (`init`, `demo`), check its audit chain (`verify`), keep
its head (`digest`) and the keys that sign it (`keygen`)."""

from __future__ import annotations

import argparse
import sys
from contextlib import closing
from pathlib import Path

from app.administrator import ADMINISTRATOR_NAME, ensure_administrator
from app.auth import ADMINISTRATOR_SUBJECT
from app.bootstrap import open_application
from app.demo import load_demo
from app.demo import moments as demo_moments
from app.settings import Settings
from app.startup import CREATES, EXISTING
from projections.audit_check import verify_read_models
from store import chain
from store.audit import Digest
from store.db import Database
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
    "meeting rules": "三会一课制度",
    "meetings": "会议记录",
    "meeting corrections": "会议记录更正与作废",
    "member evaluations": "民主评议党员",
}


def _administrator_line(registered: bool) -> str:
    return (f"administrator: {ADMINISTRATOR_NAME} ({ADMINISTRATOR_SUBJECT})"
            f"{' registered' if registered else ''}; `dengta token --admin` mints a token")


def cmd_init(settings: Settings, _args: argparse.Namespace) -> int:
    with closing(open_application(settings)) as app:
        print(_administrator_line(ensure_administrator(app, "system:init")))
        print(f"store: {DatabaseURL(settings.database_url).masked()}")
        print(f"audit chain head: {chain.head(chain.audited(app.recorder))}")
    return 0


def cmd_demo(settings: Settings, _args: argparse.Namespace) -> int:
    with closing(open_application(settings)) as app:
        # At a terminal, chapters start on a new second, so that their moments can be typed.
        report = load_demo(app, pause=sys.stdout.isatty())
        # After the demo, which tells a loaded store by what it holds.
        registered = ensure_administrator(app, "system:demo")
        if not report.created:
            print("演示数据已存在，未重复创建 (demo already loaded"
                  f"{'' if registered else '; nothing written'})")
        else:
            print("已载入演示数据 (demo loaded): 临江市烟草专卖局（公司）党委")
            for kind, count in report.created.items():
                print(f"  {LABELS.get(kind, kind)} ({kind}): {count}")
        print(_administrator_line(registered))
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


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    commands.add_parser(
        "init", help="create an empty store (SQLite file, or the tables on PostgreSQL) and "
                     "register its administrator (idempotent)").set_defaults(
        run=cmd_init, store=CREATES)
    commands.add_parser("demo", help="load the demo organisation (idempotent; creates the "
                        "store when there is none)").set_defaults(run=cmd_demo, store=CREATES)
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
    verify.set_defaults(run=cmd_verify, store=EXISTING)
    digest = commands.add_parser("digest", help="print the chain head as POS:HASH, for "
                                 "safekeeping; with --sign, a signed digest file")
    digest.add_argument("--sign", metavar="KEY", help="sign with this Ed25519 private key")
    digest.add_argument("--out", metavar="FILE", help="write the signed digest here")
    digest.set_defaults(run=cmd_digest, store=EXISTING)
    keygen = commands.add_parser("keygen", help="make an Ed25519 key pair for signing digests")
    keygen.add_argument("--out", metavar="PATH", required=True,
                        help="the private key's path; the public key goes to PATH.pub")
    keygen.set_defaults(run=cmd_keygen)
