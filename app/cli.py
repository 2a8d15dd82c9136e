"""The `dengta` command: load the demo, verify the audit chain, print a digest."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from app.bootstrap import open_application
from app.demo import load_demo
from app.settings import Settings
from store import chain
from store.audit import Digest

LABELS = {
    "organizations": "组织",
    "people": "人员",
    "posts": "职务",
    "goals": "目标",
    "responsibilities": "责任分工",
    "issued goal trees": "下达目标树",
    "progress reports": "进度报告",
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
    print("The GraphQL API is not served yet (issue #4); nothing is listening.")
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
