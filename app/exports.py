"""Exports to Excel (xlsx) and CSV at `GET /export/<kind>.xlsx|.csv?<filters>`, streamed:
the audit log, a goal's history, a cycle's scoreboard and an accountability view.

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
from app.graphql.kit.ids import (
    BadIdError,
    expect,
    from_global_id,
    recorded_actor,
    to_global_id,
)
from domain.scoring import EVALUATOR_KINDS  # the order of the columns below
from projections import accountability as views
from projections import audit_log as audit
from projections import organization_tree as tree
from projections import scoreboard as board
from projections.pages import Page
from store.audit_reads import position_at
from store.db import Connection

CSV_CHUNK = 1000  # rows per streamed piece
FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "csv": "text/csv; charset=utf-8"}
NUMBER_FORMATS = {"datetime": "yyyy-mm-dd hh:mm:ss", "date": "yyyy-mm-dd", "integer": "0",
                  "number": "0.00"}
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
        actor=recorded_actor(params["actor"]) if params.get("actor") else None,
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


# ---- a cycle's scoreboard ---------------------------------------------------------------------

SCOREBOARD_COLUMNS = (
    Column("总排名", "integer", 8), Column("分类排名", "integer", 8), Column("组织", "text", 24),
    Column("考核分类", "text", 10), Column("组织评价", "number", 10),
    Column("群众评价", "number", 10), Column("自我评价", "number", 10),
    Column("社会评价", "number", 10), Column("党建得分", "number", 10),
    Column("加减分", "number", 8), Column("业绩得分", "number", 10),
    Column("综合得分", "number", 10), Column("等级", "text", 8), Column("否决事项", "text", 20),
    Column("已评价", "integer", 8), Column("应评价", "integer", 8),
    Column("组织编号", "text", 40),
)


def _position(conn: Connection, params: Params) -> int | None:
    """`asOf` (a date-time): the export shows what the system showed then."""
    moment = _parsed(params, "asOf", _moment)
    return None if moment is None else position_at(conn, moment)


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _audited_subtrees(conn: Connection, principal: Principal,
                      position: int | None) -> list[str] | None:
    roots = policy.audit_scope(conn, principal)
    if roots is None:
        return None
    return [n.id for root in roots for n in tree.descendants(conn, root, position)]


def scoreboard_rows(conn: Connection, principal: Principal,
                    params: Params) -> Iterator[Sequence[Any]]:
    """Best first; ranks are over the whole cycle, lines limited to the audited subtrees."""
    cycle = _raw_id(params, "cycleId", "AssessmentCycle")
    if cycle is None:
        raise BadExportRequestError("cycleId is required")
    position = _position(conn, params)
    scope = _audited_subtrees(conn, principal, position)
    if board.cycle(conn, cycle, position) is None:
        raise BadExportRequestError("no such assessment cycle at that moment")
    category = params.get("category") or None

    def lines() -> Iterator[Sequence[Any]]:
        page = Page(limit=PAGE_ROWS)
        while True:
            found, more, _ = board.standings_page(conn, cycle, position, category, scope, page)
            for line in found:
                yield (line.overall_rank, line.category_rank, line.name, line.category,
                       *(_number(line.by_kind[kind]) for kind in EVALUATOR_KINDS),
                       _number(line.party_building), _number(line.adjustment),
                       _number(line.business), _number(line.combined), line.grade,
                       "、".join(v["condition"] for v in line.vetoes), line.evaluated,
                       line.expected, to_global_id("Organization", line.organization_id))
            if not more or not found:
                return
            page = Page(limit=PAGE_ROWS, after=(found[-1].place,))
    return lines()


# ---- the accountability view of a person or an organisation ---------------------------------

ACCOUNTABILITY_COLUMNS = (
    Column("类别", "text", 12), Column("名称", "text", 30), Column("状态", "text", 12),
    Column("日期", "date", 12), Column("逾期天数", "integer", 10), Column("说明", "text", 36),
    Column("编号", "text", 40),
)


def _day_of(text: str | None) -> date | None:
    return date.fromisoformat(text[:10]) if text else None


def accountability_lines(view: views.AccountabilityView) -> Iterator[Sequence[Any]]:
    """One line per item of the view, section by section, in the view's order; the date is
    the item's own (since, sign-by, due date, deadline, issue date)."""
    today = view.today
    for duty in view.responsibilities:
        yield ("责任", duty.goal_title, duty.goal_status, _day_of(duty.since), None,
               f"{duty.kind}（{duty.goal_level}）", to_global_id("Goal", duty.goal_id))
    for letter in view.letters:
        yield ("目标责任书", letter.title, letter.status, letter.sign_by,
               (today - letter.sign_by).days if letter.is_overdue(today) else None,
               f"{letter.year}年", to_global_id("ResponsibilityLetter", letter.id))
    for commitment in view.commitments:
        yield ("公开承诺", commitment.title, commitment.status, commitment.due_date, None,
               f"跟进{commitment.follow_ups}次", to_global_id("Commitment", commitment.id))
    for finding in view.findings:
        yield ("问题整改", finding.title, finding.status, finding.deadline,
               (today - finding.deadline).days if finding.is_overdue(today) else None,
               finding.last_reason, to_global_id("Finding", finding.id))
    for item in view.overdue:
        yield ("逾期事项", item.measure.description if item.measure else item.finding.title,
               item.finding.status, item.due_date, item.days_overdue,
               " → ".join(e.name or "（空缺）" for e in item.chain),
               to_global_id("Finding", item.finding.id))
    for project in view.projects:
        yield ("党建项目", project.title, project.status, None, None,
               project.project_type, to_global_id("Project", project.id))
    for sanction in view.sanctions:
        yield ("奖惩", sanction.kind, "已撤销" if sanction.revoked else "有效",
               sanction.issued_on, None, sanction.revocation_reason or sanction.reason,
               to_global_id("Sanction", sanction.id))
    for gap in view.gaps:
        missing = [name for name, absent in (("主体责任", gap.missing_primary),
                                             ("直接责任", gap.missing_direct)) if absent]
        yield ("责任空缺", gap.title, gap.level, None, None, "缺" + "、".join(missing),
               to_global_id("Goal", gap.goal_id))


def accountability_rows(conn: Connection, principal: Principal,
                        params: Params) -> Iterator[Sequence[Any]]:
    party = params.get("partyId")
    if not party:
        raise BadExportRequestError("partyId is required")
    try:
        party_type, party_id = from_global_id(party)
    except BadIdError as error:
        raise BadExportRequestError(f"partyId: {error}") from None
    if party_type not in ("Person", "Organization"):
        raise BadExportRequestError("partyId must name a Person or an Organization")
    kind = party_type.lower()
    affiliated = ({str(party_id)} if kind == "organization"
                  else tree.affiliations(conn, str(party_id)))
    policy.require_audit_of(conn, principal, affiliated,
                            "export this accountability view: it is for its inspectors")
    today = _parsed(params, "today", date.fromisoformat) or datetime.now(UTC).date()
    view = views.accountability(conn, kind, str(party_id), today, _position(conn, params))
    return accountability_lines(view)


EXPORTS: dict[str, Export] = {
    "audit-log": Export("审计日志", AUDIT_COLUMNS, audit_log_rows),
    "goal-history": Export("目标变更历史", AUDIT_COLUMNS, goal_history_rows),
    "scoreboard": Export("考核成绩排名", SCOREBOARD_COLUMNS, scoreboard_rows),
    "accountability": Export("问责复盘清单", ACCOUNTABILITY_COLUMNS, accountability_rows),
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
