"""Writing an export: CSV streamed in pieces (UTF-8 with a BOM, so Excel reads it), xlsx row
by row through openpyxl's write-only workbook into a file (no sheet held in memory), each
cell typed as its column says (numbers as numbers, dates as dates)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from app.exports.base import Column, Export

CSV_CHUNK = 1000  # rows per streamed piece
NUMBER_FORMATS = {"datetime": "yyyy-mm-dd hh:mm:ss", "date": "yyyy-mm-dd", "integer": "0",
                  "number": "0.00"}


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
