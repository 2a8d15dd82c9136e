"""The `dengta` command: the store (init, demo, verify, digest, keygen), the read models
(project, rebuild, status), the server (serve), tokens, imports, the schema and migrations.
Every command that opens the store checks it first (app.startup) and turns what is wrong
into one line on stderr and exit status 2."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from app import migrate
from app.cli import chain, imports, projection, serve, tokens
from app.settings import Settings
from app.startup import StartupError, check_store
from store.probe import StoreProblemError
from store.roles import SchemaNotReadyError


def cmd_schema(_settings: Settings, _args: argparse.Namespace) -> int:
    from app.graphql.schema import sdl  # here: building the schema takes a second

    sys.stdout.write(sdl())
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="dengta", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    for module in (chain, projection, serve, tokens, imports):
        module.add_parsers(commands)
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
        if getattr(args, "store", None) is not None:
            check_store(settings, args.store)
        return int(args.run(settings, args))
    except (StoreProblemError, StartupError, SchemaNotReadyError) as error:
        # SchemaNotReadyError: the application role, before `dengta migrate`.
        print(f"dengta: {error}", file=sys.stderr)
        return 2
