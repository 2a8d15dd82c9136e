"""A file a user exported from Excel as rows of cells, each with its position as Excel shows
it: CSV (UTF-8 with or without a BOM, else GB18030, the encoding Excel on Chinese Windows
saves in) or xlsx. Knows nothing of what the columns mean (see `app.imports.columns`)."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

XLSX_MAGIC = b"PK\x03\x04"  # a zip archive, as every xlsx file is
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the binary .xls of Excel 97-2003
UTF8_BOM = b"\xef\xbb\xbf"
DELIMITERS = ",\t;"


class TableError(ValueError):
    """Raised when a file cannot be read as a table at all (unknown format or encoding)."""


@dataclass(frozen=True)
class Table:
    """Rows of cell values; `rows[0]` is the file's row 1 (as Excel numbers it). Cells are
    text for CSV, typed (numbers, dates, text) for xlsx; a missing cell is None."""

    source: str  # how it was read: "UTF-8", "UTF-8 (BOM)", "GB18030", "xlsx: <sheet>"
    rows: list[list[Any]]

    def cell(self, row: int, column: int) -> Any:
        """The value at a 1-based row and column (None beyond the row's end)."""
        cells = self.rows[row - 1]
        return cells[column - 1] if column <= len(cells) else None


def column_letter(column: int) -> str:
    """1 → A, 2 → B, 27 → AA."""
    return get_column_letter(column)


def read_table(path: Path, max_rows: int) -> Table:
    """The file's rows; raises TableError when it is not a table this can read, or has more
    than `max_rows` rows (so a huge file is refused before it fills memory)."""
    with path.open("rb") as file:
        head = file.read(len(XLSX_MAGIC))
    if head.startswith(OLE_MAGIC):
        raise TableError("这是旧版 Excel (.xls) 文件，请另存为 .xlsx 或 CSV (an Excel 97-2003 "
                         ".xls file: save it as .xlsx or CSV)")
    if head == XLSX_MAGIC:
        return _read_xlsx(path, max_rows)
    return _read_csv(path.read_bytes(), max_rows)


def decode(data: bytes) -> tuple[str, str]:
    """The text and the name of its encoding: UTF-8 (with or without a BOM), else GB18030."""
    if data.startswith(UTF8_BOM):
        try:
            return data[len(UTF8_BOM):].decode("utf-8"), "UTF-8 (BOM)"
        except UnicodeDecodeError as error:
            raise _undecodable(error) from None
    if b"\x00" in data[:4096]:  # text with NULs is UTF-16 ("Unicode text") or not text
        raise TableError("文件不是 UTF-8 或 GB18030 编码的文本，请另存为 CSV 或 .xlsx (not "
                         "UTF-8 or GB18030 text, perhaps UTF-16: save it as CSV or .xlsx)")
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "GB18030"
    except UnicodeDecodeError as error:
        raise _undecodable(error) from None


def _undecodable(error: UnicodeDecodeError) -> TableError:
    return TableError(f"无法按 UTF-8 或 GB18030 读取第 {error.start + 1} 个字节，请另存为 "
                      f"“CSV UTF-8” 或 .xlsx (neither UTF-8 nor GB18030 at byte "
                      f"{error.start + 1}: save it as CSV UTF-8 or .xlsx)")


def _delimiter(text: str) -> str:
    """Comma, unless the first line is plainly tab- or semicolon-separated."""
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def _read_csv(data: bytes, max_rows: int) -> Table:
    text, encoding = decode(data)
    rows: list[list[Any]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        for row in reader:
            if len(rows) == max_rows:
                raise _too_many(max_rows)
            rows.append(list(row))
    except csv.Error as error:
        raise TableError(f"第{reader.line_num}行不是有效的 CSV (row {reader.line_num} is not "
                         f"valid CSV: {error})") from None
    return Table(encoding, rows)


def _read_xlsx(path: Path, max_rows: int) -> Table:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as error:
        raise TableError(f"无法读取该 xlsx 文件 (not a readable xlsx file: {error})") from None
    try:
        sheet = workbook.worksheets[0]
        rows: list[list[Any]] = []
        # From row and column 1 explicitly: a read-only sheet otherwise starts where its
        # data does, and the numbers would no longer be the ones Excel shows.
        for row in sheet.iter_rows(min_row=1, min_col=1, values_only=True):
            if len(rows) == max_rows:
                raise _too_many(max_rows)
            rows.append(list(row))
        return Table(f"xlsx: {sheet.title}", rows)
    finally:
        workbook.close()


def _too_many(max_rows: int) -> TableError:
    return TableError(f"文件超过 {max_rows:,} 行 (more than {max_rows:,} rows)")
