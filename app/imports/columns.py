"""What a kind of import expects of a table: its columns, recognised by their header's name
(Chinese or English synonyms) in a header row found near the top; then its data rows as
records of located cells, and problems that say where they are as Excel shows it (row 4,
column B 得分)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.imports.tables import Table, column_letter

HEADER_SEARCH_ROWS = 10  # a title or a note may stand above the header
_ANNOTATION = re.compile(r"[（(【\[].*?[）)】\]]")  # 得分（0-100）, score (points)
_IGNORED = re.compile(r"[\s*：:_\-]")


@dataclass(frozen=True)
class ColumnSpec:
    key: str  # what the import calls it
    label: str  # what a user calls it, in messages
    synonyms: tuple[str, ...]  # header texts that name it (compared as `header_key` reads them)

    def matches(self, header: Any) -> bool:
        return header_key(header) in {header_key(s) for s in (self.label, *self.synonyms)}


@dataclass(frozen=True)
class Schema:
    """The columns one kind of import reads (all required)."""

    title: str  # 业绩得分 (business scores)
    columns: tuple[ColumnSpec, ...]

    def expected(self) -> str:
        return "；".join(f"{c.label}（或 {'、'.join(c.synonyms)}）" for c in self.columns)


def header_key(header: Any) -> str:
    """A header as compared: full-width folded, case folded, without spaces, asterisks or a
    bracketed note (“得分（百分制）” reads as “得分”)."""
    if header is None:
        return ""
    text = unicodedata.normalize("NFKC", str(header))
    return _IGNORED.sub("", _ANNOTATION.sub("", text)).casefold()


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file, where a user finds it in Excel (rows 1-based, the
    header row included)."""

    zh: str
    en: str
    row: int | None = None
    column: int | None = None
    header: str | None = None

    def __str__(self) -> str:
        if self.row is None:
            return f"{self.zh} ({self.en})"
        where_zh, where_en = f"第{self.row}行", f"row {self.row}"
        if self.column is not None:
            letter = column_letter(self.column)
            where_zh += f" {letter}列「{self.header}」"
            where_en += f", column {letter} {self.header}"
        return f"{where_zh}：{self.zh} ({where_en}: {self.en})"


class ImportRefusedError(ValueError):
    """Raised when any row or the file itself is wrong; it lists every problem found and
    nothing has been written."""

    def __init__(self, problems: Sequence[Problem], source: str | None = None) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = list(problems)
        self.source = source  # how the file was read, when it was


@dataclass(frozen=True)
class Cell:
    value: Any
    row: int
    column: int
    header: str

    def problem(self, zh: str, en: str) -> Problem:
        return Problem(zh, en, self.row, self.column, self.header)

    def text(self) -> str:
        """The value as text, blank as ''; a number from xlsx to the 15 significant digits
        Excel shows (a formula's 0.1 + 0.2 reads 0.3, not 0.30000000000000004)."""
        if self.value is None:
            return ""
        if isinstance(self.value, float):
            return format(self.value, ".15g")
        return str(self.value).strip()


@dataclass(frozen=True)
class Record:
    """A data row: its cells by column key."""

    row: int
    cells: dict[str, Cell]

    def __getitem__(self, key: str) -> Cell:
        return self.cells[key]


def _blank(cells: Sequence[Any]) -> bool:
    return all(value is None or str(value).strip() == "" for value in cells)


def _header_columns(cells: Sequence[Any], schema: Schema) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for number, value in enumerate(cells, 1):
        for spec in schema.columns:
            if spec.matches(value):
                found.setdefault(spec.key, []).append(number)
    return found


def records(table: Table, schema: Schema) -> list[Record]:
    """The table's data rows under its header row (the first of the top rows that names
    every column); blank rows are skipped. Raises ImportRefusedError when no header is found,
    a column is named twice, or there is no data row."""
    header_row, columns = None, {}
    best: tuple[int, dict[str, list[int]]] | None = None
    for number, cells in enumerate(table.rows[:HEADER_SEARCH_ROWS], 1):
        found = _header_columns(cells, schema)
        if len(found) == len(schema.columns):
            header_row, columns = number, found
            break
        if found and best is None:
            best = (number, found)
    if header_row is None:
        raise ImportRefusedError([_no_header(schema, best)], table.source)
    twice = [Problem(f"多列都是「{spec.label}」，请只保留一列",
                     f"columns {', '.join(column_letter(c) for c in columns[spec.key])} "
                     f"all read as {spec.label}: keep one", header_row)
             for spec in schema.columns if len(columns[spec.key]) > 1]
    if twice:
        raise ImportRefusedError(twice, table.source)
    headers = table.rows[header_row - 1]
    found_records = []
    for number in range(header_row + 1, len(table.rows) + 1):
        cells = table.rows[number - 1]
        if _blank(cells):
            continue
        found_records.append(Record(number, {
            spec.key: Cell(table.cell(number, column), number, column,
                           str(headers[column - 1]).strip())
            for spec in schema.columns for column in columns[spec.key]}))
    if not found_records:
        raise ImportRefusedError([Problem(
            f"第{header_row}行是表头，其下没有数据行", f"no data rows below the header in row "
            f"{header_row}")], table.source)
    return found_records


def _no_header(schema: Schema, partial: tuple[int, dict[str, list[int]]] | None) -> Problem:
    expected = schema.expected()
    if partial is None:
        return Problem(f"前{HEADER_SEARCH_ROWS}行中没有可识别的表头，应有列：{expected}",
                       f"no recognisable header in the first {HEADER_SEARCH_ROWS} rows; "
                       "the columns expected are listed before")
    row, found = partial
    missing = "、".join(c.label for c in schema.columns if c.key not in found)
    return Problem(f"表头缺少列：{missing}；应有列：{expected}",
                   f"the header lacks {missing}; the columns expected are listed before", row)
