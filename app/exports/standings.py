"""A cycle's scoreboard (考核成绩排名) as rows: best first, scores as the API rounds them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from app import policy
from app.auth import Principal
from app.exports.base import PAGE_ROWS, BadExportRequestError, Column, Params, position, raw_id
from app.graphql.kit.ids import to_global_id
from domain.scoring import EVALUATOR_KINDS, shown  # the order of the columns below
from projections import organization_tree as tree
from projections import scoreboard as board
from projections.pages import Page
from store.db import Connection

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


def _audited_subtrees(conn: Connection, principal: Principal,
                      at: int | None) -> list[str] | None:
    roots = policy.audit_scope(conn, principal)
    if roots is None:
        return None
    return [n.id for root in roots for n in tree.descendants(conn, root, at)]


def scoreboard_rows(conn: Connection, principal: Principal,
                    params: Params) -> Iterator[Sequence[Any]]:
    """Best first; ranks are over the whole cycle, lines limited to the audited subtrees."""
    cycle = raw_id(params, "cycleId", "AssessmentCycle")
    if cycle is None:
        raise BadExportRequestError("cycleId is required")
    at = position(conn, params)
    scope = _audited_subtrees(conn, principal, at)
    if board.cycle(conn, cycle, at) is None:
        raise BadExportRequestError("no such assessment cycle at that moment")
    category = params.get("category") or None

    def lines() -> Iterator[Sequence[Any]]:
        page = Page(limit=PAGE_ROWS)
        while True:
            found, more, _ = board.standings_page(conn, cycle, at, category, scope, page)
            for line in found:
                yield (line.overall_rank, line.category_rank, line.name, line.category,
                       *(shown(line.by_kind[kind]) for kind in EVALUATOR_KINDS),
                       shown(line.party_building), shown(line.adjustment),
                       shown(Decimal(line.business)) if line.business else None,
                       shown(line.combined), line.grade,
                       "、".join(v["condition"] for v in line.vetoes), line.evaluated,
                       line.expected, to_global_id("Organization", line.organization_id))
            if not more or not found:
                return
            page = Page(limit=PAGE_ROWS, after=(found[-1].place,))
    return lines()
