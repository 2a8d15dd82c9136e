"""The import's table reader and column matching: encodings, xlsx, header rows found by name,
and problems placed where Excel shows them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from app.imports.business_scores import BUSINESS_SCORES
from app.imports.columns import ImportRefusedError, Problem, records
from app.imports.tables import TableError, read_table

SCORES = "组织,业绩得分\nA党支部,91.5\nB党支部,88\n"


def written(tmp_path: Path, data: bytes, name: str = "scores.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("data", "source"), [
    (SCORES.encode("utf-8"), "UTF-8"),
    (b"\xef\xbb\xbf" + SCORES.encode("utf-8"), "UTF-8 (BOM)"),
    (SCORES.encode("gb18030"), "GB18030"),
])
def test_a_csv_reads_as_utf8_with_or_without_bom_else_gb18030(
        tmp_path: Path, data: bytes, source: str) -> None:
    table = read_table(written(tmp_path, data), 100)
    assert table.source == source
    assert table.rows == [["组织", "业绩得分"], ["A党支部", "91.5"], ["B党支部", "88"]]


def test_an_xlsx_keeps_typed_cells_and_the_row_numbers_excel_shows(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "业绩"
    sheet["A1"] = "2026年第二季度经营业绩"  # a title above the header
    sheet.append(["单位", "经营业绩得分（百分制）", "备注"])
    sheet.append([])
    sheet.append(["A党支部", 91.5, datetime(2026, 7, 1)])
    path = tmp_path / "scores.xlsx"
    workbook.save(path)
    table = read_table(path, 100)
    assert table.source == "xlsx: 业绩"
    assert table.cell(4, 2) == 91.5 and isinstance(table.cell(4, 3), datetime)
    [record] = records(table, BUSINESS_SCORES)
    assert record.row == 4
    assert (record["score"].value, record["score"].column, record["score"].header) == (
        91.5, 2, "经营业绩得分（百分制）")
    assert str(record["score"].problem("不是数字", "not a number")) == (
        "第4行 B列「经营业绩得分（百分制）」：不是数字 "
        "(row 4, column B 经营业绩得分（百分制）: not a number)")


def test_english_headers_in_another_order_are_recognised(tmp_path: Path) -> None:
    table = read_table(written(tmp_path, b"Note,Score,Organization\nx,70,C\n"), 100)
    [record] = records(table, BUSINESS_SCORES)
    assert (record["organization"].value, record["organization"].column) == ("C", 3)
    assert (record["score"].value, record["score"].column) == ("70", 2)


def test_a_header_with_no_data_rows_says_so(tmp_path: Path) -> None:
    table = read_table(written(tmp_path, "组织,得分\n\n".encode()), 100)
    with pytest.raises(ImportRefusedError) as refused:
        records(table, BUSINESS_SCORES)
    assert [str(p) for p in refused.value.problems] == [
        "第1行是表头，其下没有数据行 (no data rows below the header in row 1)"]


def test_a_file_without_a_recognisable_header_says_which_headers_it_expects(
        tmp_path: Path) -> None:
    for data, says in ((b"A,91\n", "no recognisable header"),
                       ("组织,分数值\nA,91\n".encode(), "the header lacks 经营业绩得分")):
        table = read_table(written(tmp_path, data), 100)
        with pytest.raises(ImportRefusedError) as refused:
            records(table, BUSINESS_SCORES)
        [problem] = refused.value.problems
        assert says in problem.en
        assert "组织（或 单位、党组织" in problem.zh and "经营业绩得分（或 业务得分" in problem.zh


def test_a_column_named_twice_is_refused(tmp_path: Path) -> None:
    table = read_table(written(tmp_path, "组织,得分,score\nA,1,2\n".encode()), 100)
    with pytest.raises(ImportRefusedError) as refused:
        records(table, BUSINESS_SCORES)
    assert refused.value.problems == [Problem(
        "多列都是「经营业绩得分」，请只保留一列",
        "columns B, C all read as 经营业绩得分: keep one", 1)]


def test_files_that_are_no_table_are_refused_with_advice(tmp_path: Path) -> None:
    with pytest.raises(TableError, match=r"\.xls"):
        read_table(written(tmp_path, b"\xd0\xcf\x11\xe0rest", "old.xls"), 100)
    with pytest.raises(TableError, match="UTF-16"):
        read_table(written(tmp_path, SCORES.encode("utf-16")), 100)
    with pytest.raises(TableError, match="neither UTF-8 nor GB18030 at byte 11"):
        read_table(written(tmp_path, b"org,score\n\xff\xff"), 100)
    with pytest.raises(TableError, match="more than 2 rows"):
        read_table(written(tmp_path, SCORES.encode()), 2)
    with pytest.raises(TableError, match="not a readable xlsx"):
        read_table(written(tmp_path, b"PK\x03\x04broken", "broken.xlsx"), 100)
