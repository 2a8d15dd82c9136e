"""Exports to Excel (xlsx) and CSV at `GET /export/<kind>.xlsx|.csv?<filters>`, streamed.

An export is a row source (rows read a page at a time from a read model), Chinese column
headers and column types; adding one is adding an entry to EXPORTS. CSV is streamed as it is
read; xlsx is written row by row by openpyxl's write-only workbook into a temporary file (no
sheet is held in memory) and then streamed from it."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse

from app import policy
from app.auth import AuthenticationError, Principal
from app.graphql.audit import actor_of
from app.graphql.ids import BadIdError, expect, from_global_id, to_global_id
from projections import audit_log as audit
from store.db import Connection

CSV_CHUNK = 1000  # rows per streamed piece
FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "csv": "text/csv; charset=utf-8"}
NUMBER_FORMATS = {"datetime": "yyyy-mm-dd hh:mm:ss", "date": "yyyy-mm-dd", "integer": "0"}


class BadExportRequestError(ValueError):
    """The query string asks for something malformed; nothing is exported."""


@dataclass(frozen=True)
class Column:
    header: str  # in Chinese: the people who open these files read Chinese
    kind: str = "text"  # text | integer | date | datetime
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


# ---- the audit log and a goal's history ------------------------------------------------------

AUDIT_COLUMNS = (
    Column("日志位置", "integer", 10), Column("记录时间(UTC)", "datetime", 20),
    Column("生效日期", "date", 12), Column("操作人", "text", 44), Column("对象类型", "text", 12),
    Column("操作", "text", 22), Column("对象编号", "text", 40), Column("所属组织编号", "text", 40),
    Column("原因", "text", 30), Column("变更内容", "text", 60),
)


def _parsed(params: Params, name: str, parse: Callable[[str], Any]) -> Any:
    if not params.get(name):
        return None
    try:
        return parse(params[name])
    except ValueError as error:
        raise BadExportRequestError(f"{name}: {error}") from None


def _raw_id(params: Params, name: str, type_name: str | None = None) -> str | None:
    if not params.get(name):
        return None
    try:
        if type_name is not None:
            return str(expect(params[name], type_name))
        return str(from_global_id(params[name])[1])
    except BadIdError as error:
        raise BadExportRequestError(f"{name}: {error}") from None


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def audit_filter(conn: Connection, principal: Principal, params: Params) -> audit.AuditFilter:
    """The audit log's filters from a query string (the GraphQL AuditFilter's names)."""
    return audit.AuditFilter(
        actor=actor_of(params.get("actor") or None),
        organization_id=_raw_id(params, "organizationId", "Organization"),
        aggregate_id=_raw_id(params, "targetId"),
        aggregate_type=params.get("aggregateType") or None,
        event_type=params.get("eventType") or None,
        recorded_from=_parsed(params, "recordedFrom", _moment),
        recorded_to=_parsed(params, "recordedTo", _moment),
        effective_from=_parsed(params, "effectiveFrom", date.fromisoformat),
        effective_to=_parsed(params, "effectiveTo", date.fromisoformat),
        scope=policy.audit_scope(conn, principal),
    )


def describe(changes: Sequence[audit.Change]) -> str:
    return "；".join(f"{c.field}: {_text(c.before)} → {_text(c.after)}" for c in changes)


def _text(value: Any) -> str:
    return "∅" if value is None else str(value)


def audit_rows(conn: Connection, where: audit.AuditFilter) -> Iterator[Sequence[Any]]:
    for entry in audit.stream_entries(conn, where):
        yield (entry.position, entry.recorded_at, entry.effective_date, entry.actor,
               entry.aggregate_type, entry.event_type,
               to_global_id(entry.aggregate_type, entry.aggregate_id),
               (to_global_id("Organization", entry.organization_id)
                if entry.organization_id else None),
               entry.reason, describe(entry.changes))


def audit_log_rows(conn: Connection, principal: Principal,
                   params: Params) -> Iterator[Sequence[Any]]:
    return audit_rows(conn, audit_filter(conn, principal, params))


def goal_history_rows(conn: Connection, principal: Principal,
                      params: Params) -> Iterator[Sequence[Any]]:
    goal = _raw_id(params, "goalId", "Goal")
    if goal is None:
        raise BadExportRequestError("goalId is required")
    return audit_rows(conn, audit.AuditFilter(aggregate_id=goal,
                                              scope=policy.audit_scope(conn, principal)))


EXPORTS: dict[str, Export] = {
    "audit-log": Export("审计日志", AUDIT_COLUMNS, audit_log_rows),
    "goal-history": Export("目标变更历史", AUDIT_COLUMNS, goal_history_rows),
}


# ---- writing ---------------------------------------------------------------------------------

def _cell_value(value: Any, column: Column) -> Any:
    if value is None:
        return None
    if column.kind == "datetime" and isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None)  # Excel has no time zones
    return value


def _csv_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def csv_chunks(export: Export, rows: Iterator[Sequence[Any]]) -> Iterator[bytes]:
    """The file in pieces: a BOM (so Excel reads UTF-8), the headers, then rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column.header for column in export.columns])
    pending = 0
    yield "\ufeff".encode() + buffer.getvalue().encode()
    buffer.seek(0), buffer.truncate()
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
        pending += 1
        if pending == CSV_CHUNK:
            yield buffer.getvalue().encode()
            buffer.seek(0), buffer.truncate()
            pending = 0
    yield buffer.getvalue().encode()


def write_xlsx(export: Export, rows: Iterator[Sequence[Any]], path: str) -> int:
    """Write the workbook row by row; returns how many rows were written."""
    workbook = Workbook(write_only=True)
    # Any: the stubs lack the write-only sheet's column_dimensions, which openpyxl documents.
    sheet: Any = workbook.create_sheet(export.title)
    for number, column in enumerate(export.columns):
        sheet.column_dimensions[get_column_letter(number + 1)].width = column.width
    sheet.freeze_panes = "A2"
    sheet.append([column.header for column in export.columns])
    styled = [column.kind in NUMBER_FORMATS for column in export.columns]
    written = 0
    for row in rows:
        cells: list[Any] = []
        for value, column, needs_style in zip(row, export.columns, styled, strict=True):
            value = _cell_value(value, column)
            if needs_style and value is not None:
                cell = WriteOnlyCell(sheet, value)
                cell.number_format = NUMBER_FORMATS[column.kind]
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
        written += 1
    workbook.save(path)
    return written


# ---- the endpoint ----------------------------------------------------------------------------

def _refusal(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]},
                        status_code=status)


async def export_endpoint(request: Request) -> Response:
    services = request.app.state.services
    name, _, fmt = request.path_params["filename"].rpartition(".")
    export = EXPORTS.get(name)
    if export is None or fmt not in FORMATS:
        return _refusal(404, "NOT_FOUND", f"exports are {sorted(EXPORTS)} as .xlsx or .csv")
    try:
        principal = services.principal(request.headers.get("authorization"))
    except AuthenticationError as error:
        return _refusal(401, "UNAUTHENTICATED", f"authentication failed: {error}")
    if principal is None:
        return _refusal(401, "UNAUTHENTICATED", "send 'Authorization: Bearer <token>'")
    conn = services.database.connect()  # the export's own: it outlives this request's turn
    try:
        rows = await asyncio.to_thread(export.rows, conn, principal, request.query_params)
    except policy.ForbiddenError as error:
        conn.close()
        return _refusal(403, "FORBIDDEN", str(error))
    except BadExportRequestError as error:
        conn.close()
        return _refusal(400, "BAD_USER_INPUT", str(error))
    filename = f"{name}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if fmt == "csv":
        def closing_chunks() -> Iterator[bytes]:
            try:
                yield from csv_chunks(export, rows)
            finally:
                conn.close()
        return StreamingResponse(closing_chunks(), media_type=FORMATS[fmt], headers=headers)
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        await asyncio.to_thread(write_xlsx, export, rows, path)
    except BaseException:
        os.unlink(path)
        raise
    finally:
        conn.close()
    return FileResponse(path, media_type=FORMATS[fmt], headers=headers,
                        background=BackgroundTask(os.unlink, path))
