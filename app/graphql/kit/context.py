"""The per-request context: who asks, and the handles resolvers use."""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app import policy
from app.auth import Principal
from app.graphql.kit.loaders import Loaders
from domain.application import DengtaApplication
from projections.runner import Runner
from store.audit_reads import position_at
from store.db import Connection


@dataclass
class Context:
    principal: Principal | None
    app: DengtaApplication
    # This thread's read connection: a request's resolvers may run on the event loop or in a
    # worker thread, and a connection (its cursor) serves one thread at a time.
    connect: Callable[[], Connection]
    runner: Runner | None
    wait_timeout: float
    positions: list[int | None] = field(default_factory=list)  # what answered each read
    request: Any = None
    auth_error: str | None = None  # why the token was refused, if one was sent and refused
    connection_params: dict[str, object] | None = None  # a WebSocket's connection_init payload
    # Read results that cannot change (an answer as of a log position, or a fact that never
    # changes, such as a goal's organisation), shared by the process's requests.
    results: MutableMapping[Any, Any] = field(default_factory=dict)
    writers: Executor | None = None  # where mutations write (None: asyncio's default threads)
    # The feature packages' node fetchers (`kit.nodes`), handed over by the composition root.
    nodes: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.connect, self.scope)

    @property
    def conn(self) -> Connection:
        return self.connect()

    def scope(self) -> policy.ReadScope:
        """What this principal may read (`policy.ReadScope`), worked out once; the loaders
        cut every record they fetch to it. Nobody (no principal) reads nothing."""
        if not hasattr(self, "_scope"):
            self._scope = (policy.shared_read_scope(self.conn, self.principal, self.results)
                           if self.principal is not None else policy.ReadScope(frozenset()))
            self._visible = None if self._scope.subtree is None else set(self._scope.subtree)
        return self._scope

    def visible(self) -> set[str] | None:
        """The organisations whose content this principal may read (None: all)."""
        self.scope()
        return self._visible

    def position(self, as_of: datetime | None) -> int | None:
        """The log position a read is answered at: None for current, else the last position
        recorded by `as_of`."""
        position = None if as_of is None else position_at(self.conn, as_of)
        self.positions.append(position)
        return position
