"""Organisational life (组织生活) as rows: the meeting records (会议记录), and the compliance view
of an organisation and its subtree — each period required against held (三会一课落实情况) and
each member's attendance (党员参会情况). Kinds and statuses in Chinese, names beside ids."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

from app import policy
from app.auth import Principal
from app.exports.base import (
    PAGE_ROWS,
    BadExportRequestError,
    Column,
    Params,
    parsed,
    person_names,
    position,
    raw_id,
)
from app.graphql.kit.ids import to_global_id
from domain import compliance as rules
from domain.labels import ATTENDANCE_STATUSES, MEETING_KINDS, MEETING_STATUSES, label
from projections import organization_tree as tree
from projections import organizational_life as life
from projections.pages import Page
from store.db import Connection

MEETING_COLUMNS = (
    Column("召开日期", "date", 12), Column("组织", "text", 24), Column("会议类型", "text", 14),
    Column("议题", "text", 30), Column("主持人", "text", 12), Column("应到人数", "integer", 8),
    Column("出席", "integer", 6), Column("缺席", "integer", 6), Column("请假", "integer", 6),
    Column("缺席、请假及原因", "text", 40), Column("状态", "text", 8),
    Column("更正次数", "integer", 8), Column("最近更正或作废原因", "text", 30),
    Column("会议纪要", "text", 40), Column("佐证材料", "text", 30),
    Column("会议编号", "text", 40), Column("组织编号", "text", 40),
    Column("主持人编号", "text", 40),
)
COMPLIANCE_COLUMNS = (
    Column("组织", "text", 24), Column("会议类型", "text", 14), Column("期间", "text", 10),
    Column("开始日期", "date", 12), Column("结束日期", "date", 12),
    Column("应开次数", "integer", 8), Column("已开次数", "integer", 8),
    Column("落实情况", "text", 10), Column("召开日期", "text", 30), Column("组织编号", "text", 40),
)
ATTENDANCE_COLUMNS = (
    Column("组织", "text", 24), Column("党员", "text", 12), Column("应参会次数", "integer", 10),
    Column("出席", "integer", 6), Column("缺席", "integer", 6), Column("请假", "integer", 6),
    Column("出席率(%)", "number", 10), Column("党员编号", "text", 40),
    Column("组织编号", "text", 40),
)


def _code(params: Params, name: str, vocabulary: dict[str, str]) -> str | None:
    """A code as the API's enums spell it (BRANCH_GENERAL) or as stored (branch_general)."""
    value = params.get(name)
    if not value:
        return None
    if value.lower() not in vocabulary:
        raise BadExportRequestError(f"{name}: one of {', '.join(sorted(vocabulary))}")
    return value.lower()


def _year(text: str) -> int:
    year = int(text)
    if not 1921 <= year <= 9998:
        raise ValueError("a year between 1921 and 9998")
    return year


def _subtree(conn: Connection, principal: Principal, params: Params, at: int | None,
             required: bool) -> list[str] | None:
    """The organisations the export covers: `organizationId` and its subtree (refused unless
    the principal audits it), else every subtree the principal audits (None: everything)."""
    roots = policy.audit_scope(conn, principal)
    wanted = raw_id(params, "organizationId", "Organization")
    if wanted is None:
        if required:
            raise BadExportRequestError("organizationId is required")
        return None if roots is None else [
            n.id for root in roots for n in tree.descendants(conn, root, at)]
    if tree.organization(conn, wanted, at) is None:
        raise BadExportRequestError("no such organisation at that moment")
    policy.require_audit_of(conn, principal, {wanted},
                            "export this organisation's organisational life: it is for its "
                            "inspectors and admins")
    return [n.id for n in tree.descendants(conn, wanted, at)]


def _absences(meeting: life.MeetingView, names: dict[str, str]) -> str:
    return "；".join(
        f"{names.get(a.person_id) or to_global_id('Person', a.person_id)}"
        f"（{label(ATTENDANCE_STATUSES, a.status)}{'：' + a.reason if a.reason else ''}）"
        for a in meeting.attendance if a.status != "present")


def meeting_rows(conn: Connection, principal: Principal,
                 params: Params) -> Iterator[Sequence[Any]]:
    """The latest first, as `meetings` lists them."""
    at = position(conn, params)
    where = life.MeetingFilter(
        organization_ids=_subtree(conn, principal, params, at, required=False),
        kind=_code(params, "kind", MEETING_KINDS),
        year=parsed(params, "year", _year),
        status=_code(params, "status", MEETING_STATUSES))
    scope = policy.read_scope(conn, principal)

    def lines() -> Iterator[Sequence[Any]]:
        page = Page(limit=PAGE_ROWS)
        while True:
            found, more, _ = life.meetings_page(conn, where, at, page)
            organizations = tree.organizations(conn, sorted({m.organization_id for m in found}),
                                               at)
            names = person_names(conn, scope, sorted(
                {a.person_id for m in found for a in m.attendance}
                | {m.presider_id for m in found}))
            for m in found:
                statuses = [a.status for a in m.attendance]
                yield (m.held_on, organizations[m.organization_id].name
                       if m.organization_id in organizations else None,
                       label(MEETING_KINDS, m.kind.value), m.topic, names.get(m.presider_id),
                       len(statuses), statuses.count("present"), statuses.count("absent"),
                       statuses.count("excused"), _absences(m, names),
                       label(MEETING_STATUSES, m.status), m.corrections,
                       m.last_reason if m.corrections else None, m.minutes,
                       "\n".join(m.evidence), to_global_id("Meeting", m.id),
                       to_global_id("Organization", m.organization_id),
                       to_global_id("Person", m.presider_id))
            if not more or not found:
                return
            page = Page(limit=PAGE_ROWS, after=life.meeting_key(found[-1]))
    return lines()


Lines = Callable[[Connection, policy.ReadScope, tree.OrganizationNode, life.ComplianceView],
                 Iterator[Sequence[Any]]]


def _compliance_rows(lines: Lines) -> Callable[[Connection, Principal, Params],
                                               Iterator[Sequence[Any]]]:
    """Rows of the compliance view of `organizationId` and each organisation under it, as
    known at `asOf`, judged on `validAt` (default today) for `year` (default its year)."""
    def rows(conn: Connection, principal: Principal,
             params: Params) -> Iterator[Sequence[Any]]:
        at = position(conn, params)
        organizations = _subtree(conn, principal, params, at, required=True) or []
        day = parsed(params, "validAt", date.fromisoformat) or datetime.now(UTC).date()
        year = parsed(params, "year", _year) or day.year
        scope = policy.read_scope(conn, principal)

        def each() -> Iterator[Sequence[Any]]:
            for node, view in life.compliances(conn, organizations, year, day, at):
                yield from lines(conn, scope, node, view)
        return each()
    return rows


def _state(period: rules.PeriodCompliance) -> str:
    return "未落实" if period.missing else "已落实" if period.due else "进行中"


def _period_lines(_conn: Connection, _scope: policy.ReadScope, node: tree.OrganizationNode,
                  view: life.ComplianceView) -> Iterator[Sequence[Any]]:
    for kind in view.compliance.kinds:
        for period in kind.periods:
            yield (node.name, kind.kind.label, period.label, period.start, period.end,
                   period.required, period.held, _state(period),
                   "、".join(view.meetings[m].held_on.isoformat() for m in period.meeting_ids),
                   to_global_id("Organization", node.id))


def _member_lines(conn: Connection, scope: policy.ReadScope, node: tree.OrganizationNode,
                  view: life.ComplianceView) -> Iterator[Sequence[Any]]:
    members = view.compliance.members
    names = person_names(conn, scope, [m.person_id for m in members])
    for m in members:
        yield (node.name, names.get(m.person_id), m.listed, m.present, m.absent, m.excused,
               round(m.rate * 100, 2) if m.rate is not None else None,
               to_global_id("Person", m.person_id), to_global_id("Organization", node.id))


compliance_rows = _compliance_rows(_period_lines)
attendance_rows = _compliance_rows(_member_lines)
