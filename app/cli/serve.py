"""`dengta serve`: checks what it needs (store, schema, port), prints where it listens and an
administrator token, then serves the API with uvicorn."""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import threading
from contextlib import closing

from app import logs
from app.administrator import administrator
from app.auth import ADMINISTRATOR_SUBJECT, TokenService, signing_secret
from app.bootstrap import open_application
from app.lifeline import child_environment
from app.settings import Settings
from app.startup import EXISTING, check_port
from store.url import DatabaseURL

ADMIN_TOKEN_SECONDS = 8 * 3600


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    logs.configure(settings.log_format)
    args.port = args.port or settings.port
    if args.workers > 1 and settings.projections == "inprocess" and \
            DatabaseURL(settings.database_url).backend == "sqlite":
        print("several workers share one SQLite file badly; use one, or PostgreSQL",
              file=sys.stderr)
        return 2
    check_port(args.host, args.port)
    # The schema as this role sees it (store.roles: one line naming `dengta migrate`).
    with closing(open_application(settings)) as app:
        has_administrator = administrator(app) is not None
    announce(settings, args.host, args.port, has_administrator)
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


def announce(settings: Settings, host: str, port: int, has_administrator: bool) -> None:
    """Where the API listens and how to act as the administrator."""
    url = f"http://{host}:{port}/graphql"
    if settings.log_format == "json":
        # Every output line is JSON for the collector, and no administrator token is kept there.
        logging.getLogger("dengta.serve").info(
            "serving %s; `dengta token --admin` mints a token", url)
        return
    print(f"{'GraphiQL' if settings.graphql_ide else 'API'}: {url}")
    if settings.jwks_url:
        print("Tokens:   signed by the issuer of DENGTA_JWKS_URL")
        return
    if not has_administrator:
        print("No administrator in this store yet: `dengta init` registers one (系统管理员), "
              "then `dengta token --admin` mints a token")
        return
    secret = signing_secret(settings.jwt_secret, settings.jwt_secret_file)
    if secret.created:
        print(f"Signing secret generated in {secret.created}")
    token = TokenService(secret.value, settings.jwt_issuer).mint(ADMINISTRATOR_SUBJECT,
                                                                 ADMIN_TOKEN_SECONDS)
    print(f'Header:   {{"Authorization": "Bearer {token}"}}')
    print(f"          (系统管理员, for {ADMIN_TOKEN_SECONDS // 3600} hours; "
          "`dengta token --admin --ttl SECONDS` mints another)")


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


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = commands.add_parser("serve", help="serve the GraphQL API (and, by default, run "
                                "the projection followers in-process)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=None,
                       help="default: DENGTA_PORT, else PORT, else 8000")
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(run=cmd_serve, store=EXISTING)
