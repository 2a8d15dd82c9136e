"""One audit feed for both subscriptions (`auditEvents`, `recordedEvents`): the entries the
audit log folds, within `policy.audit_scope` (refused to whoever may not read the audit
trail; an inspector or admin over a subtree gets that subtree's entries, history replayed
from `after` included), read a page at a time off the event loop. Live subscriptions are
bounded per principal and per WebSocket connection: beyond either bound a new one is refused
with `TOO_MANY_SUBSCRIPTIONS`."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncGenerator, Iterator
from contextlib import contextmanager
from dataclasses import replace

from graphql import GraphQLError
from strawberry.types import Info

from app import policy
from app.graphql.kit.context import Context
from projections import audit_log as audit
from projections.pages import Page

POLL_SECONDS = 0.2
PAGE = 100
MAX_PER_PRINCIPAL = 5
MAX_PER_CONNECTION = 10


def scope(info: Info[Context, None]) -> tuple[str, ...] | None:
    """The subtrees whose trail the principal may read (None: all); FORBIDDEN otherwise."""
    principal = info.context.principal
    assert principal is not None
    try:
        return policy.audit_scope(info.context.conn, principal)
    except policy.ForbiddenError as error:
        raise GraphQLError(str(error), extensions={"code": "FORBIDDEN"}) from None


class LiveSubscriptions:
    """How many feeds each principal and each connection (its context) has open, in this
    process (the event loop's thread alone counts)."""

    def __init__(self) -> None:
        self.by_principal: Counter[str] = Counter()
        self.by_connection: Counter[int] = Counter()

    @contextmanager
    def hold(self, info: Info[Context, None]) -> Iterator[None]:
        principal = info.context.principal
        assert principal is not None
        who, connection = principal.actor, id(info.context)
        if self.by_principal[who] >= MAX_PER_PRINCIPAL:
            raise too_many(f"at most {MAX_PER_PRINCIPAL} live subscriptions per principal")
        if self.by_connection[connection] >= MAX_PER_CONNECTION:
            raise too_many(f"at most {MAX_PER_CONNECTION} live subscriptions per connection")
        self.by_principal[who] += 1
        self.by_connection[connection] += 1
        try:
            yield
        finally:
            self.by_principal[who] -= 1
            self.by_connection[connection] -= 1
            self.by_principal += Counter()  # drops the keys that fell to zero
            self.by_connection += Counter()


def too_many(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "TOO_MANY_SUBSCRIPTIONS"})


LIVE = LiveSubscriptions()


async def entries(info: Info[Context, None], where: audit.AuditFilter,
                  after: int | None = None) -> AsyncGenerator[audit.Entry, None]:
    """The entries matching `where` (whose scope the caller took from `scope`), oldest first,
    after position `after` (None: from now on), then live as the audit log folds them."""
    connect = info.context.connect

    def read(position: int) -> list[audit.Entry]:
        found, _ = audit.entries_page(connect(), replace(where, after=position),
                                      Page(limit=PAGE, backwards=True))
        return found[::-1]  # the page comes newest first

    with LIVE.hold(info):
        position = (after if after is not None
                    else await asyncio.to_thread(lambda: audit.last_position(connect())))
        while True:
            batch = await asyncio.to_thread(read, position)
            for entry in batch:
                yield entry
                position = entry.position
            if len(batch) < PAGE:
                await asyncio.sleep(POLL_SECONDS)
