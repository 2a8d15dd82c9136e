"""Logs for operators: one line per HTTP request, carrying its request id and, when GraphQL
refused it, the error code; tracebacks only for unexpected errors; text or JSON lines.

A client's mistake (no token, bad input, an invalid or too costly query, a forbidden record) is
the client's business: it shows as the code on the request's line at INFO, never as an ERROR
with a traceback (4,388 anonymous requests once wrote 74,782 lines).
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TextIO

from pythonjsonlogger.json import JsonFormatter
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

FORMATS = ("text", "json")
# Our own lines name their request in the message, so a grep for an id finds them whatever
# the format; JSON lines also carry it as a field, for every logger.
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
JSON_FIELDS = ["asctime", "levelname", "name", "message", "request_id", "code"]
HEADER = "X-Request-ID"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/+=-]{0,127}")
MAX_MESSAGE = 300  # characters of a client error's message on its request's line

access = logging.getLogger("dengta.access")
api = logging.getLogger("dengta.api")


@dataclass
class Outcome:
    """What the line of the request being served reports."""

    request_id: str
    http: bool  # False for a WebSocket: its errors get lines of their own
    codes: list[str] = field(default_factory=list)
    message: str = ""

    def refused(self, code: str, message: str) -> None:
        if not self.codes:
            self.message = one_line(message)
        if code not in self.codes:
            self.codes.append(code)


current: ContextVar[Outcome | None] = ContextVar("dengta_request", default=None)


def request_id() -> str | None:
    outcome = current.get()
    return outcome.request_id if outcome is not None else None


# What a log line must not carry as it is: control characters and lone surrogates (which no
# UTF-8 stream can write: the handler would fail on the line).
UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def one_line(text: str) -> str:
    """No line breaks, control characters or lone surrogates: a message may quote what a
    client sent; those are written as `\\uXXXX`."""
    flat = UNPRINTABLE.sub(lambda found: f"\\u{ord(found.group()):04x}", " ".join(text.split()))
    return flat if len(flat) <= MAX_MESSAGE else flat[:MAX_MESSAGE - 1] + "…"


def chosen_request_id(sent: str | None) -> str:
    """The client's X-Request-ID when it is sane (a proxy's or a caller's id, so lines can be
    joined across systems), else a new one."""
    if sent is not None and SANE_REQUEST_ID.fullmatch(sent):
        return sent
    return uuid.uuid4().hex


def client_error(code: str, message: str) -> None:
    """A GraphQL error the client caused: on its request's line, or (a WebSocket's) a line of
    its own."""
    outcome = current.get()
    if outcome is not None and outcome.http:
        outcome.refused(code, message)
    else:
        identifier = request_id() or "-"
        api.info("client error %s (request %s): %s", code, identifier, one_line(message),
                 extra={"request_id": identifier, "code": code})


def unexpected_error(error: BaseException | None, where: object) -> str:
    """An error we did not mean to raise: its traceback, under the request id it returns."""
    outcome = current.get()
    identifier = outcome.request_id if outcome is not None else uuid.uuid4().hex
    if outcome is not None:
        outcome.refused("INTERNAL", "Unexpected error.")
    api.error("unexpected error (request %s) at %s", identifier, where, exc_info=error,
              extra={"request_id": identifier, "code": "INTERNAL"})
    return identifier


class RequestLog:
    """ASGI middleware: gives each request an id (X-Request-ID in and out) and writes its line
    when it is answered (uvicorn's access log is off: one line per request, not two)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        sent = Headers(scope=scope).get(HEADER)
        outcome = Outcome(chosen_request_id(sent), http=scope["type"] == "http")
        token = current.set(outcome)
        status = 500  # unless a response starts
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] in ("http.response.start", "websocket.accept"):
                status = message.get("status", 101)
                message.setdefault("headers", [])
                MutableHeaders(scope=message).append(HEADER, outcome.request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            current.reset(token)
            if outcome.http:
                self.write_line(scope, outcome, status, time.perf_counter() - started)

    @staticmethod
    def write_line(scope: Scope, outcome: Outcome, status: int, seconds: float) -> None:
        level = logging.WARNING if status >= 500 or "INTERNAL" in outcome.codes else \
            logging.INFO
        if not access.isEnabledFor(level):
            return
        client = scope["client"][0] if scope.get("client") else "-"
        line = (f"{client} {scope['method']} {scope['path']} {status} "
                f"{seconds * 1000:.0f} ms request {outcome.request_id}")
        extra: dict[str, Any] = {"request_id": outcome.request_id, "client": client,
                                 "status": status, "duration_ms": round(seconds * 1000, 1)}
        if outcome.codes:
            line += f" {','.join(outcome.codes)}: {outcome.message}"
            extra["code"] = outcome.codes[0]
            if len(outcome.codes) > 1:
                extra["codes"] = outcome.codes
        access.log(level, "%s", line, extra=extra)


class RequestIdFilter(logging.Filter):
    """Every line written during a request carries its id (`-` outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id() or "-"
        return True


class JsonLines(JsonFormatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id,
    code, and whatever else a line adds (a traceback as `exc_info`)."""

    def __init__(self) -> None:
        super().__init__(JSON_FIELDS, rename_fields={"asctime": "time", "levelname": "level",
                                                     "name": "logger"},
                         json_ensure_ascii=False)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


def configure(log_format: str = "text", level: int = logging.INFO,
              stream: TextIO | None = None) -> None:
    """The process's logging: one handler (on stderr), for our loggers and the libraries'."""
    if log_format not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonLines() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
