"""业绩考评: a cycle's business scores from a table (a row per organisation: its name or id,
its score), every problem listed with its row and column, written all at once or not at all."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from uuid import UUID

from app.boundary import LIST_LIMITS, NAME, REASON, Checker, Violation
from app.graphql.kit.ids import BadIdError, expect
from app.imports.columns import (
    HEADER_SEARCH_ROWS,
    Cell,
    ColumnSpec,
    ImportRefusedError,
    Problem,
    Schema,
    records,
)
from app.imports.tables import read_table
from domain.application import DengtaApplication
from domain.assessment import points_within
from domain.cycles import AssessmentCycle
from domain.errors import InvalidInputError
from domain.organizations import Organization

MAX_POINTS = Decimal(100)
ORGANIZATION = ColumnSpec("organization", "组织", (
    "单位", "党组织", "组织名称", "单位名称", "党组织名称", "组织编号", "organization",
    "organisation", "organization id", "organization name", "unit"))
SCORE = ColumnSpec("score", "经营业绩得分", (
    "业务得分", "业绩得分", "得分", "经营业绩", "业绩考评得分", "score", "business score",
    "points"))
BUSINESS_SCORES = Schema("业绩得分 (business scores)", (ORGANIZATION, SCORE))
MAX_ROWS = LIST_LIMITS["scores"] + HEADER_SEARCH_ROWS + 1

# The boundary's codes, said in Chinese beside its English message.
BOUNDARY_CODES = {"INVALID_TEXT": "含有控制字符或不可见字符", "TOO_LONG": "过长",
                  "INVALID_NUMBER": "不是有限数值", "OUT_OF_RANGE": "超出允许范围",
                  "TOO_PRECISE": "小数位数过多", "TOO_MANY_ITEMS": "行数过多"}


@dataclass(frozen=True)
class Imported:
    cycle_title: str
    count: int
    position: int | None  # None: every score was already as given
    source: str  # the encoding or sheet the file was read as


@dataclass
class _Rows:
    """What the rows say so far: scores by organisation, the row that gave each, problems."""

    checker: Checker
    organizations: Mapping[UUID, str]  # the cycle's, id -> name
    scores: dict[UUID, Decimal]
    given_at: dict[UUID, int]
    problems: list[Problem]

    def moved(self, cell: Cell, since: int) -> bool:
        """Moves the boundary's violations since `since` onto the cell; True when any."""
        violations = taken(self.checker, since)
        self.problems += [cell.problem(BOUNDARY_CODES.get(v.code, "不合规"), v.message)
                          for v in violations]
        return bool(violations)

    def organization(self, cell: Cell) -> UUID | None:
        check = len(self.checker.problems)
        given = self.checker.text(unicodedata.normalize("NFC", cell.text()), NAME,
                                  ("organization",))
        if self.moved(cell, check):
            return None
        if not given:
            self.problems.append(cell.problem("缺少组织", "no organisation given"))
            return None
        named = [o for o, name in self.organizations.items() if name == given]
        if len(named) > 1:
            self.problems.append(cell.problem(f"多个参评组织名为「{given}」，请填写组织编号",
                                              f"several assessed organisations are named "
                                              f"{given!r}: give its id"))
            return None
        found = named[0] if named else _id_of(given)
        if found is None or found not in self.organizations:
            self.problems.append(cell.problem(f"本考核周期没有名为「{given}」的参评组织",
                                              f"no organisation assessed in this cycle is "
                                              f"named {given!r} or has that id"))
            return None
        return found

    def score(self, cell: Cell) -> Decimal | None:
        if isinstance(cell.value, bool) or cell.text() == "":
            self.problems.append(cell.problem("缺少得分" if cell.text() == "" else "应为数字",
                                              "no score given" if cell.text() == ""
                                              else "must be a number"))
            return None
        text = unicodedata.normalize("NFKC", cell.text())  # full-width digits are digits
        try:
            value = Decimal(text)
        except InvalidOperation:
            self.problems.append(cell.problem(f"「{text}」不是数字",
                                              f"must be a number, not {text!r}"))
            return None
        check = len(self.checker.problems)
        value = self.checker.decimal(value, ("score",))
        if self.moved(cell, check):
            return None
        try:
            return points_within(value, MAX_POINTS, "score")
        except InvalidInputError as error:
            self.problems.append(cell.problem(f"得分须在 0 到 {MAX_POINTS} 之间", str(error)))
            return None


def taken(checker: Checker, since: int) -> list[Violation]:
    """The violations the checker noted since `since`, taken off it (each import problem
    carries its own row and column instead of the checker's path)."""
    violations = checker.problems[since:]
    del checker.problems[since:]
    return violations


def _id_of(given: str) -> UUID | None:
    """An organisation's id as the database or the API spells it."""
    try:
        return UUID(given)
    except ValueError:
        pass
    try:
        return expect(given, "Organization")
    except BadIdError:
        return None


def read_business_scores(path: Path, organizations: Mapping[UUID, str],
                         checker: Checker) -> tuple[dict[UUID, Decimal], str]:
    """The scores a file gives the cycle's organisations (id -> name), and how it was read.
    Raises ImportRefusedError listing every problem (TableError when it is no table)."""
    table = read_table(path, MAX_ROWS)
    rows = _Rows(checker, organizations, {}, {}, [])
    found = records(table, BUSINESS_SCORES)
    check = len(checker.problems)
    checker.items(len(found), "scores", ("scores",))
    rows.problems += [Problem(BOUNDARY_CODES["TOO_MANY_ITEMS"], v.message)
                      for v in taken(checker, check)]
    for record in found:
        organization = rows.organization(record[ORGANIZATION.key])
        score = rows.score(record[SCORE.key])
        if organization is None or score is None:
            continue
        if organization in rows.given_at:
            first = rows.given_at[organization]
            rows.problems.append(record[ORGANIZATION.key].problem(
                f"「{organizations[organization]}」已在第{first}行给出得分",
                f"{organizations[organization]} already has a score in row {first}"))
            continue
        rows.given_at[organization] = record.row
        rows.scores[organization] = score
    if rows.problems:
        raise ImportRefusedError(rows.problems, table.source)
    return rows.scores, table.source


def import_business_scores(app: DengtaApplication, actor: str, cycle_id: UUID, path: Path,
                           reason: str, checker: Checker) -> Imported:
    """Reads, checks every row and the reason, then writes the scores in one event. Raises
    ImportRefusedError, TableError, OSError or a DomainError; nothing is written then."""
    cycle = app.get(AssessmentCycle, cycle_id, "cycle")
    names = {o: app.get(Organization, o).name for o in cycle.organization_ids}
    check = len(checker.problems)
    cleaned = checker.text(reason, REASON, ("reason",))
    reason_problems = [Problem(f"原因{BOUNDARY_CODES.get(v.code, '不合规')}",
                               f"reason: {v.message}") for v in taken(checker, check)]
    try:
        scores, source = read_business_scores(path, names, checker)
    except ImportRefusedError as refused:
        raise ImportRefusedError([*reason_problems, *refused.problems], refused.source
                                 ) from None
    if reason_problems:
        raise ImportRefusedError(reason_problems, source)
    written = app.import_business_scores(actor, cycle.id, scores=scores, reason=cleaned)
    return Imported(cycle.title, len(scores), written.position, source)
