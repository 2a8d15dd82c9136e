"""The HTTP application: GraphQL at /graphql, /healthz and /readyz; `create_app` wires it."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import gc
import json
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any, TypeVar
from uuid import UUID

import orjson
from cachetools import LRUCache
from graphql import GraphQLError, OperationType, get_operation_ast
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from app import logs
from app.auth import (
    AuthenticationError,
    Principal,
    TokenService,
    bearer_token,
    signing_secret,
)
from app.bootstrap import open_application
from app.boundary import DateWindow
from app.exports import export_endpoint
from app.graphql.kit.context import Context
from app.graphql.schema import NODES, build_schema, parse_document
from app.ide import assets_mount, graphiql_html
from app.lifeline import end_with_parent
from app.limits import RequestLimits
from app.settings import Settings
from domain.application import DengtaApplication
from projections import ALL
from projections.engine import create_tables, tracked
from projections.runner import Runner
from store.db import Connection, Database
from store.roles import SchemaNotReadyError
from store.url import DatabaseURL


def encode_answer(data: object) -> bytes:
    """UTF-8 JSON with Chinese as it is (`\\u` escapes double the size of names and titles
    and are unreadable in a terminal), encoded once by orjson. A lone surrogate (an error
    quoting what a client sent) cannot travel as UTF-8: then everything beyond ASCII is
    escaped, a valid JSON answer instead of a 500."""
    try:
        return orjson.dumps(data)
    except orjson.JSONEncodeError:
        return json.dumps(data, separators=(",", ":")).encode()
READY_LAG = 1000  # events a projection may trail the log by and still be ready
QUERY_THREADS = 4  # queries run at once, each on its own read connection
WRITE_THREADS = 8  # mutations writing at once (their round trips overlap; within the pool size)


class Readers:
    """One read connection per thread: SQLite connections are cheap, PostgreSQL ones are
    reused by the same worker thread."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.local = threading.local()
        self.all: list[Connection] = []
        self.lock = threading.Lock()

    def get(self) -> Connection:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = self.database.connect()
            with self.lock:
                self.all.append(conn)
        return conn

    def discard(self) -> None:
        """Forget this thread's connection (after an error); the next get() reconnects."""
        conn = getattr(self.local, "conn", None)
        self.local.conn = None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()

    def close(self) -> None:
        for conn in self.all:
            with contextlib.suppress(Exception):
                conn.close()


K = TypeVar("K")
V = TypeVar("V")


class SharedCache(MutableMapping[K, V]):
    """An LRU cache that requests on several threads may share."""

    def __init__(self, maxsize: int) -> None:
        self.cache: LRUCache[K, V] = LRUCache(maxsize=maxsize)
        self.lock = threading.Lock()

    def __getitem__(self, key: K) -> V:
        with self.lock:
            return self.cache[key]

    def __setitem__(self, key: K, value: V) -> None:
        with self.lock:
            self.cache[key] = value

    def __delitem__(self, key: K) -> None:
        with self.lock:
            del self.cache[key]

    def __iter__(self) -> Iterator[K]:
        with self.lock:
            return iter(list(self.cache))

    def __len__(self) -> int:
        return len(self.cache)


@lru_cache(maxsize=512)
def is_query(document: str, operation_name: str | None) -> bool:
    """Whether the request runs a query (False also when it does not parse: the schema then
    reports why, the usual way)."""
    try:
        operation = get_operation_ast(parse_document(document), operation_name)
    except GraphQLError:
        return False
    return operation is not None and operation.operation == OperationType.QUERY


PARSE_ON_LOOP_CHARS = 4000  # longer documents are parsed in a worker thread


class QueryThreads:
    """Worker threads for queries, each running the schema's execution on an event loop of
    its own; closed with the server."""

    def __init__(self, workers: int) -> None:
        self.executor = ThreadPoolExecutor(workers, thread_name_prefix="query")
        self.local = threading.local()
        self.loops: list[asyncio.AbstractEventLoop] = []
        self.lock = threading.Lock()

    async def run(self, work: Callable[[], Coroutine[Any, Any, V]]) -> V:
        # In the request's context: its log lines carry its id.
        context = contextvars.copy_context()
        return await asyncio.get_running_loop().run_in_executor(
            self.executor, context.run, self._run, work)

    def _run(self, work: Callable[[], Coroutine[Any, Any, V]]) -> V:
        loop = getattr(self.local, "loop", None)
        if loop is None:
            loop = self.local.loop = asyncio.new_event_loop()
            with self.lock:
                self.loops.append(loop)
        return loop.run_until_complete(work())

    def close(self) -> None:
        self.executor.shutdown(wait=True)
        for loop in self.loops:
            loop.close()


class DengtaGraphQL(GraphQL[Context, None]):
    def __init__(self, services: Services, settings: Settings) -> None:
        super().__init__(build_schema(settings.introspection,
                                      DateWindow(settings.earliest_date, settings.future_years)),
                         graphql_ide="graphiql" if settings.graphql_ide else None,
                         allowed_origins=settings.cors_origins)  # WebSocket handshakes too
        self.services = services

    @property
    def graphql_ide_html(self) -> str:
        """Our page, loading its code from this server instead of strawberry's CDN links."""
        return graphiql_html()

    async def execute_single(self, request: Any, request_adapter: Any, sub_response: Any,
                             context: Context, root_value: Any, request_data: Any) -> Any:
        """Queries read the store synchronously, resolver by resolver: they run in a worker
        thread, so one request's database round trips overlap other requests' work instead of
        stalling the event loop. Mutations and subscriptions stay on the loop."""
        run = super().execute_single
        arguments = (request, request_adapter, sub_response, context, root_value, request_data)
        if isinstance(request_data.query, str) and len(request_data.query) > PARSE_ON_LOOP_CHARS:
            # Lexing 100,000 characters takes ~0.1 s: not on the loop every client shares.
            await asyncio.to_thread(is_query, request_data.query, request_data.operation_name)
        if not isinstance(request_data.query, str) or not is_query(
                request_data.query, request_data.operation_name):
            return await run(*arguments)
        return await self.services.queries.run(lambda: run(*arguments))

    def encode_json(self, data: object) -> str:
        """Text, not bytes, for subscriptions' text frames."""
        return encode_answer(data).decode()

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        response = Response(encode_answer(response_data), media_type="application/json")
        response.headers.raw.extend(sub_response.headers.raw)
        response.background = sub_response.background
        if sub_response.status_code:
            response.status_code = sub_response.status_code
        return response

    async def get_context(self, request: Request | WebSocket, response: Any = None) -> Context:
        return self.services.context(request.headers.get("authorization"), request)

    async def on_ws_connect(self, context: Context) -> Any:
        """A WebSocket client may authenticate in its connection_init payload instead of the
        handshake's headers (browsers cannot set those)."""
        params = context.connection_params or {}
        authorization = params.get("Authorization") or params.get("authorization")
        if context.principal is None and isinstance(authorization, str):
            fresh = self.services.context(authorization, context.request)
            context.principal, context.auth_error = fresh.principal, fresh.auth_error
        return await super().on_ws_connect(context)


class Services:
    """What requests share: the application, read connections, the followers."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.app: DengtaApplication = open_application(settings)
        self.database = Database(DatabaseURL(settings.database_url))
        self.readers = Readers(self.database)
        secret = signing_secret(settings.jwt_secret, settings.jwt_secret_file).value
        self.tokens = TokenService(secret, settings.jwt_issuer, settings.jwks_url)
        self.results: SharedCache[Any, Any] = SharedCache(maxsize=4096)
        # People the store has confirmed: a person, once registered, is never removed, so a
        # token's subject is looked up in the event store once per process, not per request.
        self.known_people: set[UUID] = set()
        self.queries = QueryThreads(QUERY_THREADS)
        # SQLite has one writer: more threads would only queue on its lock, and one waiting
        # there holds the library pool's queue, starving the followers' reads meanwhile.
        writers = 1 if self.database.dialect == "sqlite" else WRITE_THREADS
        self.writers = ThreadPoolExecutor(writers, thread_name_prefix="write")
        # External followers (`dengta project`): mutations still wait for them to fold.
        self.runner = Runner(self.app, self.database, ALL, poll_interval=0.5, grouped=True,
                             follow=settings.projections == "inprocess")

    def principal(self, authorization: str | None) -> Principal | None:
        """The request's principal, or None when it sent no token; a bad token is an error."""
        if authorization is None:
            return None
        principal = self.tokens.verify(bearer_token(authorization))
        person = principal.person_id
        if person is not None and person not in self.known_people:
            if not self.app.exists(person):
                raise AuthenticationError("the token's subject is not a known person")
            self.known_people.add(person)
        return principal

    def context(self, authorization: str | None, request: Any) -> Context:
        principal, auth_error = None, None
        try:
            principal = self.principal(authorization)
        except AuthenticationError as error:
            auth_error = str(error)
        return Context(principal=principal, app=self.app, connect=self.readers.get,
                       nodes=NODES, runner=self.runner,
                       wait_timeout=self.settings.read_your_writes_timeout, request=request,
                       auth_error=auth_error, results=self.results, writers=self.writers)

    def start(self) -> None:
        # Read models exist before the first request, even while the followers catch up.
        conn = self.readers.get()
        for projection in ALL:
            with conn.transaction():
                create_tables(conn, projection)
        self.runner.start()
        # What exists by now (modules, the schema) lives as long as the process: the
        # collector's full passes, which a follower's growing memo sets off, skip it.
        gc.collect()
        gc.freeze()

    def stop(self) -> None:
        self.runner.stop()
        self.queries.close()
        self.writers.shutdown(wait=True)
        self.readers.close()
        self.app.close()


def cors(settings: Settings) -> list[Middleware]:
    """A browser front end on another origin may call the API when its origin is listed."""
    if not settings.cors_origins:
        return []
    return [Middleware(CORSMiddleware, allow_origins=list(settings.cors_origins),
                       allow_methods=["GET", "POST", "OPTIONS"],
                       allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
                       expose_headers=["X-Request-ID"], max_age=600)]


def create_app(settings: Settings) -> Starlette:
    services = Services(settings)
    graphql = DengtaGraphQL(services, settings)

    async def healthz(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(_request: Request) -> JSONResponse:
        try:
            conn = services.readers.get()
            head = services.app.recorder.max_notification_id() or 0
            lags = {p.name: head - ((tracked(conn, p) or (0, 0))[0]) for p in ALL}
        except Exception as error:  # not ready is an answer, not a crash
            services.readers.discard()
            return JSONResponse({"status": "unavailable", "reason": type(error).__name__},
                                status_code=503)
        failing = {name: {"position": position, "error": error}
                   for name, (position, error) in services.runner.failing.items()}
        if failing:
            return JSONResponse({"status": "failing", "head": head, "lag": lags,
                                 "failing": failing}, status_code=503)
        ready = all(lag <= READY_LAG for lag in lags.values())
        return JSONResponse({"status": "ready" if ready else "lagging", "head": head,
                             "lag": lags}, status_code=200 if ready else 503)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        services.start()
        try:
            yield
        finally:
            services.stop()

    routes: list[BaseRoute] = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/export/{filename}", export_endpoint),
    ]
    if settings.graphql_ide:
        routes.append(assets_mount())
    app = Starlette(routes=routes, lifespan=lifespan, middleware=[
        Middleware(logs.RequestLog),  # outermost: a refused request gets its line too
        *cors(settings),
        Middleware(RequestLimits, max_body_bytes=settings.max_body_bytes),
    ])
    app.state.services = services
    return app


def app_from_env() -> Starlette:
    """For uvicorn's --factory (several workers): settings from the environment."""
    settings = Settings.from_env()
    logs.configure(settings.log_format)  # a spawned worker sets its logging up anew
    end_with_parent()  # a worker of `dengta serve --workers N`
    try:
        return create_app(settings)
    except SchemaNotReadyError as error:  # one line, not uvicorn's traceback
        raise SystemExit(f"dengta: {error}") from None
