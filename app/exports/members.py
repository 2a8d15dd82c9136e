"""The democratic evaluation of party members (民主评议党员) as rows: 党员评议结果, one row a
member of each round — self-evaluation, the mutual tally, the committee's proposal, the
organisation's grade, the review above and the grade that stands. Grades in Chinese, names
beside ids."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from app import policy
from app.auth import Principal
from app.exports.base import (
    BadExportRequestError,
    Column,
    Params,
    parsed,
    person_names,
    position,
    raw_id,
)
from app.graphql.kit.ids import to_global_id
from domain.labels import GRADE_STANDINGS, MEMBER_GRADES, REVIEW_OUTCOMES, label
from domain.member_evaluation import MemberGrade
from projections import member_evaluation as views
from projections import organization_tree as tree
from store.db import Connection

GRADE_COLUMNS = (
    Column("年度", "integer", 6), Column("组织", "text", 24), Column("党员", "text", 12),
    Column("自我评价", "text", 40), Column("互评人数", "integer", 8),
    *(Column(f"互评{label}", "integer", 10) for label in MEMBER_GRADES.values()),
    Column("支部委员会意见", "text", 12), Column("意见说明", "text", 30),
    Column("组织评定", "text", 10), Column("评定理由", "text", 30), Column("评定日期", "date", 12),
    Column("上级审核", "text", 8), Column("审核意见", "text", 30), Column("审核日期", "date", 12),
    Column("评议等次", "text", 10), Column("状态", "text", 10),
    Column("党员编号", "text", 40), Column("组织编号", "text", 40), Column("评议编号", "text", 40),
)


def _year(text: str) -> int:
    year = int(text)
    if not 1921 <= year <= 9998:
        raise ValueError("a year between 1921 and 9998")
    return year


def _organizations(conn: Connection, principal: Principal, params: Params,
                   at: int | None) -> list[str] | None:
    """`organizationId` and its subtree (refused unless the principal audits it), else every
    subtree the principal audits (None: everything)."""
    roots = policy.audit_scope(conn, principal)
    wanted = raw_id(params, "organizationId", "Organization")
    if wanted is None:
        return None if roots is None else [
            n.id for root in roots for n in tree.descendants(conn, root, at)]
    if tree.organization(conn, wanted, at) is None:
        raise BadExportRequestError("no such organisation at that moment")
    policy.require_audit_of(conn, principal, {wanted},
                            "export this organisation's member evaluations: they are for its "
                            "inspectors and admins")
    return [n.id for n in tree.descendants(conn, wanted, at)]


def _grade(value: MemberGrade | None) -> str | None:
    return label(MEMBER_GRADES, value.value) if value is not None else None


def grade_rows(conn: Connection, principal: Principal,
               params: Params) -> Iterator[Sequence[Any]]:
    """The rounds (of `year` if given) of the branches covered, the latest year first, as
    known at `asOf`."""
    at = position(conn, params)
    scope = _organizations(conn, principal, params, at)
    year = parsed(params, "year", _year)
    reader = policy.read_scope(conn, principal)

    def lines() -> Iterator[Sequence[Any]]:
        for found in views.rounds(conn, scope, year, at):
            branch = tree.organization(conn, found.organization_id, at)
            names = person_names(conn, reader, [a.member_id for a in found.assessments])
            for a in found.assessments:
                yield (found.year, branch.name if branch else None, names.get(a.member_id),
                       a.summary, a.mutual_count, *(a.tally[g] for g in MemberGrade),
                       _grade(a.proposal), a.opinion, _grade(a.graded), a.grade_reason,
                       a.graded_on, label(REVIEW_OUTCOMES, a.outcome), a.review_reason,
                       a.reviewed_on, _grade(a.grade),
                       label(GRADE_STANDINGS, a.standing.value),
                       to_global_id("Person", a.member_id),
                       to_global_id("Organization", found.organization_id),
                       to_global_id("MemberEvaluationRound", found.id))
    return lines()
