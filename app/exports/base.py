"""What an export is (a title, typed columns with Chinese headers, a row source) and the
query-string parsing every row source shares."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app import policy
from app.auth import Principal
from app.graphql.kit.ids import BadIdError, expect, from_global_id
from projections import organization_tree as tree
from store.audit_reads import position_at
from store.db import Connection

PAGE_ROWS = 500  # rows read from a read model at a time


class BadExportRequestError(ValueError):
    """The query string asks for something malformed; nothing is exported."""


@dataclass(frozen=True)
class Column:
    header: str  # in Chinese: the people who open these files read Chinese
    kind: str = "text"  # text | integer | number | date | datetime
    width: int = 16


Params = Mapping[str, str]
RowSource = Callable[[Connection, Principal, Params], Iterator[Sequence[Any]]]


@dataclass(frozen=True)
class Export:
    title: str  # the sheet's name and the file's
    columns: tuple[Column, ...]
    # Checks the request (raises ForbiddenError or BadExportRequestError) before anything is
    # streamed, and returns the rows to stream.
    rows: RowSource


def parsed(params: Params, name: str, parse: Callable[[str], Any]) -> Any:
    if not params.get(name):
        return None
    try:
        return parse(params[name])
    except ValueError as error:
        raise BadExportRequestError(f"{name}: {error}") from None


def raw_id(params: Params, name: str, type_name: str | None = None) -> str | None:
    if not params.get(name):
        return None
    try:
        if type_name is not None:
            return str(expect(params[name], type_name))
        return str(from_global_id(params[name])[1])
    except BadIdError as error:
        raise BadExportRequestError(f"{name}: {error}") from None


def moment(text: str) -> datetime:
    found = datetime.fromisoformat(text)
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def position(conn: Connection, params: Params) -> int | None:
    """`asOf` (a date-time): the export shows what the system showed then."""
    found = parsed(params, "asOf", moment)
    return None if found is None else position_at(conn, found)


def person_names(conn: Connection, scope: policy.ReadScope,
                 person_ids: Sequence[str]) -> dict[str, str]:
    """The names of the people the reader's scope admits (the API's rule: people affiliated
    with the subtree), by id."""
    found = tree.people(conn, person_ids)
    if not scope.everything:
        affiliated = tree.affiliations_of(conn, sorted(found))
        found = {i: m for i, m in found.items() if scope.person(i, affiliated[i])}
    return {i: m.name for i, m in found.items()}
