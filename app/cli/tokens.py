"""`dengta token`: a bearer token for the administrator or a registered person, signed with
the secret the server uses (found the same way: app.auth.signing_secret)."""

from __future__ import annotations

import argparse
import sys
import time
from contextlib import closing
from datetime import datetime
from uuid import UUID

from app.administrator import administrator
from app.auth import ADMINISTRATOR_SUBJECT, TokenService, signing_secret
from app.bootstrap import open_application
from app.graphql.kit.ids import BadIdError, any_id
from app.settings import Settings
from app.startup import EXISTING
from domain.errors import NotFoundError
from domain.people import Person
from store.url import DatabaseURL


def person_id(text: str) -> UUID:
    """A person's id as the API shows it (a global id) or as a raw uuid (`person:` allowed).
    Raises ValueError."""
    try:
        return any_id(text.strip().removeprefix("person:"), "Person")
    except BadIdError as error:
        raise ValueError(f"--person takes a person's id (as the API shows it, or a uuid): "
                         f"{error}") from None


def cmd_token(settings: Settings, args: argparse.Namespace) -> int:
    if settings.jwks_url:
        print("dengta: DENGTA_JWKS_URL is set: the server takes only tokens its issuer signs",
              file=sys.stderr)
        return 2
    store = DatabaseURL(settings.database_url).masked()
    try:
        wanted = None if args.admin else person_id(args.person)
    except ValueError as error:
        print(f"dengta: {error}", file=sys.stderr)
        return 2
    try:
        with closing(open_application(settings)) as app:
            person = administrator(app) if wanted is None else app.get(Person, wanted, "person")
    except NotFoundError as error:
        print(f"dengta: {error} in {store}", file=sys.stderr)
        return 2
    if person is None:
        print(f"dengta: no administrator in {store} yet: `dengta init` registers one "
              "(系统管理员)", file=sys.stderr)
        return 2
    subject = ADMINISTRATOR_SUBJECT if wanted is None else f"person:{person.id}"
    secret = signing_secret(settings.jwt_secret, settings.jwt_secret_file)
    if secret.created:
        print(f"dengta: no signing secret was found, so a new one is in {secret.created}: a "
              "server already running with another secret will not accept this token (run "
              "this where the server runs, or give both the same DENGTA_JWT_SECRET or "
              "DENGTA_JWT_SECRET_FILE)", file=sys.stderr)
    token = TokenService(secret.value, settings.jwt_issuer).mint(subject, args.ttl)
    until = datetime.fromtimestamp(time.time() + args.ttl).astimezone()
    print(f"token for {person.name} ({subject}), valid until {until:%Y-%m-%d %H:%M %z}: {token}")
    return 0


def positive_seconds(text: str) -> int:
    seconds = int(text)
    if seconds <= 0:
        raise argparse.ArgumentTypeError("a number of seconds above 0")
    return seconds


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    token = commands.add_parser("token", help="mint a bearer token (the last word printed)")
    who = token.add_mutually_exclusive_group(required=True)
    who.add_argument("--person", metavar="ID",
                     help="a registered person's id (as the API shows it, or a uuid)")
    who.add_argument("--admin", action="store_true",
                     help="the administrator (系统管理员, registered by init or demo)")
    token.add_argument("--ttl", type=positive_seconds, default=8 * 3600, metavar="SECONDS",
                       help="how long it is valid (default 8 hours: 28800)")
    token.set_defaults(run=cmd_token, store=EXISTING)
