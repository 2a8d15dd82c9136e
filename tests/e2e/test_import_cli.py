"""`dengta import-business-scores` as a user runs it, on each backend: CSV in the encodings
Excel writes and xlsx, every problem with its row and column, nothing written unless all rows
are good."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from app.bootstrap import open_application
from app.graphql.kit.ids import to_global_id
from app.settings import Settings
from domain.application import DengtaApplication
from tests.e2e.test_cli import dengta
from tests.integration.assessment_story import Assessment, evaluate_all, publish, stage


@pytest.fixture
def staged(database_url: str) -> Iterator[tuple[DengtaApplication, Assessment]]:
    app = open_application(Settings(database_url=database_url))
    try:
        yield app, stage(app)
    finally:
        app.close()


def last_import(app: DengtaApplication, story: Assessment) -> object:
    cycle = app.repository.get(story.cycle)
    [event] = list(app.events.get(story.cycle, gt=cycle.version - 1))
    return event


def importing(database_url: str, story: Assessment, path: Path, *reason: str
              ) -> tuple[int, str, str]:
    done = dengta(database_url, "import-business-scores", "--cycle", str(story.cycle),
                  *(("--reason", *reason) if reason else ()), str(path))
    return done.returncode, done.stdout, done.stderr


def test_a_gb18030_csv_from_excel_imports_by_name_or_id_and_says_how_it_was_read(
        database_url: str, staged: tuple[DengtaApplication, Assessment], tmp_path: Path) -> None:
    app, story = staged
    path = tmp_path / "业绩.csv"
    path.write_bytes(f"单位,经营业绩得分\r\nA党支部,91.5\r\n{story.branches['B']},88\r\n"
                     f"{to_global_id('Organization', story.branches['C'])},７０\r\n"
                     .encode("gb18030"))
    code, out, err = importing(database_url, story, path)
    assert code == 0, err
    assert "imported 3 business scores" in out and "read as): GB18030" in out
    event = last_import(app, story)
    assert event.actor == "system:import"  # type: ignore[attr-defined]
    assert event.scores == {  # type: ignore[attr-defined]
        str(story.branches["A"]): Decimal("91.5"), str(story.branches["B"]): Decimal("88"),
        str(story.branches["C"]): Decimal("70")}


def test_a_utf8_csv_with_a_bom_and_an_xlsx_import(
        database_url: str, staged: tuple[DengtaApplication, Assessment], tmp_path: Path) -> None:
    app, story = staged
    bom = tmp_path / "scores.csv"
    bom.write_bytes("\ufeffOrganization,Score\nA党支部,80\n".encode())
    code, out, err = importing(database_url, story, bom)
    assert code == 0, err
    assert "read as): UTF-8 (BOM)" in out
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["2026年第二季度经营业绩考核"])  # a title above the header
    sheet.append(["党组织", "业务得分"])
    sheet.append(["A党支部", 0.1 + 0.2])  # a formula's float, as Excel shows it: 0.3
    sheet.append(["B党支部", 95])
    book = tmp_path / "scores.xlsx"
    workbook.save(book)
    code, out, err = importing(database_url, story, book)
    assert code == 0, err
    assert "imported 2 business scores" in out and "read as): xlsx: Sheet" in out
    assert last_import(app, story).scores == {  # type: ignore[attr-defined]
        str(story.branches["A"]): Decimal("0.3"), str(story.branches["B"]): Decimal("95")}


def test_every_bad_row_is_reported_with_its_row_and_column_and_nothing_is_written(
        database_url: str, staged: tuple[DengtaApplication, Assessment], tmp_path: Path) -> None:
    app, story = staged
    path = tmp_path / "bad.csv"
    path.write_text("组织,得分\nA党支部,91\nB党支部,88\nC党支部,九十\n不存在的支部,70\n"
                    "A党支部,92\nB党支部,101\nC党支部,1E+400\nB党支部,0.0000001\n",
                    encoding="utf-8")
    before = app.recorder.max_notification_id()
    code, out, err = importing(database_url, story, path, "补录\u0007")
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert lines[0] == (f"未导入任何数据 (nothing imported): {path} 有 7 处问题 (7 problems)，"
                        "读取方式 (read as): UTF-8")
    assert lines[1].startswith("  原因含有控制字符或不可见字符 (reason: a reason or note")
    assert lines[2:] == [
        "  第4行 B列「得分」：「九十」不是数字 (row 4, column B 得分: must be a number, not "
        "'九十')",
        "  第5行 A列「组织」：本考核周期没有名为「不存在的支部」的参评组织 (row 5, column A 组织: "
        "no organisation assessed in this cycle is named '不存在的支部' or has that id)",
        "  第6行 A列「组织」：「A党支部」已在第2行给出得分 (row 6, column A 组织: A党支部 already "
        "has a score in row 2)",
        "  第7行 B列「得分」：得分须在 0 到 100 之间 (row 7, column B 得分: score must lie "
        "between 0 and 100)",
        "  第8行 B列「得分」：超出允许范围 (row 8, column B 得分: must lie within "
        "±1,000,000,000,000)",
        "  第9行 B列「得分」：小数位数过多 (row 9, column B 得分: at most 6 decimal places)"]
    assert app.recorder.max_notification_id() == before


def test_a_file_with_only_a_header_or_no_header_is_refused_and_says_why(
        database_url: str, staged: tuple[DengtaApplication, Assessment], tmp_path: Path) -> None:
    app, story = staged
    before = app.recorder.max_notification_id()
    header_only = tmp_path / "header.csv"
    header_only.write_text("组织,业绩得分\n", encoding="utf-8")
    code, _, err = importing(database_url, story, header_only)
    assert code == 2 and "no data rows below the header in row 1" in err
    headless = tmp_path / "headless.csv"
    headless.write_text("A党支部,91\n", encoding="utf-8")
    code, _, err = importing(database_url, story, headless)
    assert code == 2 and "no recognisable header" in err
    assert "应有列：组织（或 单位、党组织" in err
    assert "经营业绩得分（或 业务得分、业绩得分、得分" in err
    assert app.recorder.max_notification_id() == before


def test_after_publication_an_import_needs_a_reason_which_the_event_keeps(
        database_url: str, staged: tuple[DengtaApplication, Assessment], tmp_path: Path) -> None:
    app, story = staged
    evaluate_all(app, story)
    publish(app, story)
    path = tmp_path / "late.csv"
    path.write_text("组织,业绩得分\nC党支部,75\n", encoding="utf-8")
    before = app.recorder.max_notification_id()
    code, _, err = importing(database_url, story, path)
    assert code == 2 and "reason" in err
    assert app.recorder.max_notification_id() == before
    code, _, err = importing(database_url, story, path, "财务复核后更正C支部经营数据")
    assert code == 0, err
    event = last_import(app, story)
    assert event.reason == "财务复核后更正C支部经营数据"  # type: ignore[attr-defined]
    assert event.scores == {str(story.branches["C"]): Decimal("75")}  # type: ignore[attr-defined]
