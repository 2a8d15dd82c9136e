"""What a command checks before it starts: the store it opens (there, reachable, a dengta
store; store/probe.py) and the port it serves on. Each problem is one line (StartupError or
store.probe.StoreProblemError), printed by the command line before anything else."""

from __future__ import annotations

import errno
import socket

from app.settings import Settings
from store import probe
from store.url import DatabaseURL

# What a command needs of the store (`set_defaults(store=...)` on its parser).
EXISTING = "existing"  # a dengta store must be there: every command but these two
CREATES = "creates"  # `dengta init` and `dengta demo` make one when there is none


class StartupError(Exception):
    """Raised when a command cannot start as configured; the message is one line that says
    what to change."""


def check_store(settings: Settings, need: str) -> None:
    """Raises store.probe.StoreProblemError (one line) unless the command can open its store."""
    probe.check(DatabaseURL(settings.database_url), creating=need == CREATES)


def check_port(host: str, port: int) -> None:
    """Raises StartupError when the server could not listen there (checked before it prints
    a URL as if it had started)."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as trial:
            trial.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
            trial.bind((host, port))
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise StartupError(f"port {port} on {host} is in use (another `dengta serve`?): "
                               "stop it, or choose another with --port or DENGTA_PORT"
                               ) from None
        raise StartupError(f"cannot listen on {host}:{port}: {error.strerror}") from None
