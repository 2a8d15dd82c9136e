"""Exports to Excel (xlsx) and CSV at `GET /export/<kind>.xlsx|.csv?<filters>`, streamed:
the audit log, a goal's history, a cycle's scoreboard, an accountability view, meeting records,
the compliance view of organisational life, branch standardisation (达标情况) and the results
of the democratic evaluation of party members.

An export is a row source (rows read a page at a time from a read model), Chinese column
headers and column types (`base`); adding one is adding an entry to EXPORTS. Rows are for
people: codes as their Chinese labels (`domain.labels`), scores rounded as the API rounds
them, names beside ids. CSV is streamed as it is read; xlsx is written into a temporary file
and then streamed from it (`files`)."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse

from app import policy
from app.auth import AuthenticationError
from app.exports.accountability import ACCOUNTABILITY_COLUMNS, accountability_rows
from app.exports.audit import AUDIT_COLUMNS, audit_log_rows, goal_history_rows
from app.exports.base import BadExportRequestError, Export
from app.exports.files import csv_chunks, write_xlsx
from app.exports.life import (
    ATTENDANCE_COLUMNS,
    COMPLIANCE_COLUMNS,
    MEETING_COLUMNS,
    attendance_rows,
    compliance_rows,
    meeting_rows,
)
from app.exports.members import GRADE_COLUMNS, grade_rows
from app.exports.standards import STANDARDISATION_COLUMNS, standardisation_rows
from app.exports.standings import SCOREBOARD_COLUMNS, scoreboard_rows

FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "csv": "text/csv; charset=utf-8"}

EXPORTS: dict[str, Export] = {
    "audit-log": Export("审计日志", AUDIT_COLUMNS, audit_log_rows),
    "goal-history": Export("目标变更历史", AUDIT_COLUMNS, goal_history_rows),
    "scoreboard": Export("考核成绩排名", SCOREBOARD_COLUMNS, scoreboard_rows),
    "accountability": Export("问责复盘清单", ACCOUNTABILITY_COLUMNS, accountability_rows),
    "meetings": Export("会议记录", MEETING_COLUMNS, meeting_rows),
    "meeting-compliance": Export("三会一课落实情况", COMPLIANCE_COLUMNS, compliance_rows),
    "meeting-attendance": Export("党员参会情况", ATTENDANCE_COLUMNS, attendance_rows),
    "member-grades": Export("党员评议结果", GRADE_COLUMNS, grade_rows),
    "branch-standardisation": Export("达标情况", STANDARDISATION_COLUMNS, standardisation_rows),
}


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
