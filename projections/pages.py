"""Keyset pages over read-model queries: rows after (or before) a sort key, never an offset,
so pages stay stable while new events arrive."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from store.db import Connection, Row, marks


@dataclass(frozen=True)
class Page:
    """The first `limit` rows after `after`, or with `backwards` the last `limit` before
    `before` (None: no limit)."""

    limit: int | None = None
    after: tuple[Any, ...] | None = None
    before: tuple[Any, ...] | None = None
    backwards: bool = False


EVERYTHING = Page()


def read_page(conn: Connection, select: str, source: str, where: str, params: Sequence[Any],
              sort: Sequence[str], page: Page, descending: bool = False,
              ) -> tuple[list[Row], bool]:
    """Rows of `SELECT select FROM source WHERE where` in `sort` order (all keys descending
    with `descending`), one page of them, in order; and whether more lie beyond the page in the
    direction read."""
    clause, values = where, list(params)
    keys = f"({', '.join(sort)})"
    later, earlier = ("<", ">") if descending else (">", "<")
    if page.after is not None:
        clause += f" AND {keys} {later} ({marks(page.after)})"
        values += list(page.after)
    if page.before is not None:
        clause += f" AND {keys} {earlier} ({marks(page.before)})"
        values += list(page.before)
    direction = " DESC" if page.backwards != descending else ""
    sql = (f"SELECT {select} FROM {source} WHERE {clause} "
           f"ORDER BY {', '.join(column + direction for column in sort)}")
    if page.limit is not None:
        sql += " LIMIT ?"
        values.append(page.limit + 1)
    rows = conn.execute(sql, values)
    more = page.limit is not None and len(rows) > page.limit
    rows = rows[:page.limit] if page.limit is not None else rows
    return (rows[::-1] if page.backwards else rows), more


def count(conn: Connection, source: str, where: str, params: Sequence[Any]) -> int:
    return int(conn.execute(f"SELECT count(*) FROM {source} WHERE {where}", params)[0][0])


T = TypeVar("T")


def slice_page(items: Sequence[T], key: Callable[[T], tuple[Any, ...]],
               page: Page, descending: bool = False) -> tuple[list[T], bool]:
    """`read_page` over a list already in key order (descending with `descending`), for lists
    derived in Python rather than read from one table."""
    def beyond(item: T, cursor: tuple[Any, ...] | None, later: bool) -> bool:
        return cursor is None or (key(item) != cursor
                                  and (key(item) > cursor) == (later != descending))
    chosen = [item for item in items
              if beyond(item, page.after, True) and beyond(item, page.before, False)]
    if page.limit is None:
        return chosen, False
    more = len(chosen) > page.limit
    return (chosen[-page.limit:] if page.backwards else chosen[:page.limit]), more
