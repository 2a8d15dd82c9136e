"""Keyset connections (Relay): the page a client asks for, cursors, and the connection types;
for read-model queries (the keys come from SQL) and for short nested lists paged in memory."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import strawberry
from graphql import GraphQLError

from projections.pages import Page, slice_page

MAX_PAGE = 100


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


T = TypeVar("T")


@strawberry.type
class Edge(Generic[T]):
    node: T
    key: strawberry.Private[tuple[Any, ...]]

    @strawberry.field
    def cursor(self) -> str:
        """Encoded only when asked for: most pages read `nodes`."""
        return encode_cursor(self.key)


def _edges(root: Connection[T]) -> list[Edge[T]]:
    return [Edge(node=node, key=key) for node, key in zip(root.nodes, root.keys(), strict=True)]


def _page_info(root: Connection[T]) -> PageInfo:
    keys, page = root.keys(), root.page
    return PageInfo(
        has_next_page=root.more if not page.backwards else page.before is not None,
        has_previous_page=root.more if page.backwards else page.after is not None,
        start_cursor=encode_cursor(keys[0]) if keys else None,
        end_cursor=encode_cursor(keys[-1]) if keys else None)


@strawberry.type(description="A keyset page: edges (or nodes), pageInfo and totalCount.")
class Connection(Generic[T]):
    # Edges and pageInfo are built only when asked for: most pages read `nodes` alone, and a
    # resolver costs more than a plain field on every nested list.
    edges: list[Edge[T]] = strawberry.field(resolver=_edges)
    page_info: PageInfo = strawberry.field(resolver=_page_info)
    total_count: int
    nodes: list[T]
    keys: strawberry.Private[Callable[[], list[tuple[Any, ...]]]]
    more: strawberry.Private[bool]
    page: strawberry.Private[Page]


def bad_input(message: str, argument: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT", "argument": argument})


def encode_cursor(key: tuple[Any, ...]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, ensure_ascii=False).encode()).decode()


def decode_cursor(cursor: str, argument: str, width: int) -> tuple[str, ...]:
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if not isinstance(key, list) or len(key) != width:
            raise ValueError(cursor)
        return tuple(str(part) for part in key)
    except (ValueError, TypeError):
        raise bad_input(f"{argument} is not a cursor this API issued", argument) from None


def page_of(first: int | None, after: str | None, last: int | None, before: str | None,
            width: int) -> Page:
    """The page asked for: `first` (after a cursor) or `last` (before one), 1..100."""
    if (first is None) == (last is None):
        raise bad_input("give exactly one of first or last", "first")
    size = first if first is not None else last
    assert size is not None
    if not 1 <= size <= MAX_PAGE:
        raise bad_input(f"first/last must be between 1 and {MAX_PAGE}",
                        "first" if first is not None else "last")
    return Page(limit=size, after=decode_cursor(after, "after", width) if after else None,
                before=decode_cursor(before, "before", width) if before else None,
                backwards=last is not None)


def connection(nodes: list[T], keys: list[tuple[Any, ...]], more: bool, page: Page,
               total: int) -> Connection[T]:
    return Connection(nodes=nodes, keys=lambda: keys, more=more, page=page, total_count=total)


def paginate(items: Sequence[T], key: Callable[[T], tuple[str, ...]], first: int | None,
             after: str | None, last: int | None, before: str | None) -> Connection[T]:
    """A keyset page of a short list already in memory (a nested field's rows, loaded whole
    through a dataloader), ordered by `key`."""
    ordered = sorted(items, key=key)
    page = page_of(first, after, last, before, len(key(ordered[0])) if ordered else 1)
    if page.after is None and page.before is None and len(ordered) <= (page.limit or 0):
        chosen, more = ordered, False  # the whole list fits: nothing to cut
    else:
        chosen, more = slice_page(ordered, key, page)
    return Connection(nodes=chosen, keys=lambda: [key(item) for item in chosen], more=more,
                      page=page, total_count=len(items))


V = TypeVar("V")


def listed(views: Sequence[V], key: Callable[[V], tuple[str, ...]], page: Page,
           build: Callable[[list[V]], list[T]], descending: bool = False) -> Connection[T]:
    """A top-level list worked out whole in Python (e.g. as true on a date), paged as its SQL
    twin pages it: the same keys and cursors; `totalCount` counts all of it."""
    chosen, more = slice_page(views, key, page, descending)
    return connection(build(chosen), [key(v) for v in chosen], more, page, len(views))
