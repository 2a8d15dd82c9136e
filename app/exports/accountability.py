"""The accountability view of a person or an organisation (问责复盘清单) as rows: one line per
item, section by section, statuses and kinds in Chinese."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

from app import policy
from app.auth import Principal
from app.exports.base import BadExportRequestError, Column, Params, parsed, position
from app.graphql.kit.ids import BadIdError, from_global_id, to_global_id
from domain.labels import (
    COMMITMENT_STATUSES,
    FINDING_STATUSES,
    GOAL_LEVELS,
    GOAL_STATUSES,
    LETTER_STATUSES,
    PROJECT_STATUSES,
    PROJECT_TYPES,
    RESPONSIBILITY_KINDS,
    SANCTION_KINDS,
    label,
)
from projections import accountability as views
from projections import organization_tree as tree
from store.db import Connection

ACCOUNTABILITY_COLUMNS = (
    Column("类别", "text", 12), Column("名称", "text", 30), Column("状态", "text", 12),
    Column("日期", "date", 12), Column("逾期天数", "integer", 10), Column("说明", "text", 36),
    Column("编号", "text", 40),
)


def _day_of(text: str | None) -> date | None:
    return date.fromisoformat(text[:10]) if text else None


def accountability_lines(view: views.AccountabilityView) -> Iterator[Sequence[Any]]:
    """One line per item of the view, section by section, in the view's order; the date is
    the item's own (since, sign-by, due date, deadline, issue date)."""
    today = view.today
    for duty in view.responsibilities:
        yield ("责任", duty.goal_title, label(GOAL_STATUSES, duty.goal_status),
               _day_of(duty.since), None,
               f"{label(RESPONSIBILITY_KINDS, duty.kind)}（{label(GOAL_LEVELS, duty.goal_level)}）",
               to_global_id("Goal", duty.goal_id))
    for letter in view.letters:
        yield ("目标责任书", letter.title, label(LETTER_STATUSES, letter.status), letter.sign_by,
               (today - letter.sign_by).days if letter.is_overdue(today) else None,
               f"{letter.year}年", to_global_id("ResponsibilityLetter", letter.id))
    for commitment in view.commitments:
        yield ("公开承诺", commitment.title, label(COMMITMENT_STATUSES, commitment.status),
               commitment.due_date, None, f"跟进{commitment.follow_ups}次",
               to_global_id("Commitment", commitment.id))
    for finding in view.findings:
        yield ("问题整改", finding.title, label(FINDING_STATUSES, finding.status),
               finding.deadline,
               (today - finding.deadline).days if finding.is_overdue(today) else None,
               finding.last_reason, to_global_id("Finding", finding.id))
    for item in view.overdue:
        yield ("逾期事项", item.measure.description if item.measure else item.finding.title,
               label(FINDING_STATUSES, item.finding.status), item.due_date, item.days_overdue,
               " → ".join(e.name or "（空缺）" for e in item.chain),
               to_global_id("Finding", item.finding.id))
    for project in view.projects:
        yield ("党建项目", project.title, label(PROJECT_STATUSES, project.status), None, None,
               label(PROJECT_TYPES, project.project_type), to_global_id("Project", project.id))
    for sanction in view.sanctions:
        yield ("奖惩", label(SANCTION_KINDS, sanction.kind),
               "已撤销" if sanction.revoked else "有效", sanction.issued_on, None,
               sanction.revocation_reason or sanction.reason,
               to_global_id("Sanction", sanction.id))
    for gap in view.gaps:
        missing = [name for name, absent in (("主体责任", gap.missing_primary),
                                             ("直接责任", gap.missing_direct)) if absent]
        yield ("责任空缺", gap.title, label(GOAL_LEVELS, gap.level), None, None,
               "缺" + "、".join(missing), to_global_id("Goal", gap.goal_id))


def accountability_rows(conn: Connection, principal: Principal,
                        params: Params) -> Iterator[Sequence[Any]]:
    party = params.get("partyId")
    if not party:
        raise BadExportRequestError("partyId is required")
    try:
        party_type, party_id = from_global_id(party)
    except BadIdError as error:
        raise BadExportRequestError(f"partyId: {error}") from None
    if party_type not in ("Person", "Organization"):
        raise BadExportRequestError("partyId must name a Person or an Organization")
    kind = party_type.lower()
    affiliated = ({str(party_id)} if kind == "organization"
                  else tree.affiliations(conn, str(party_id)))
    policy.require_audit_of(conn, principal, affiliated,
                            "export this accountability view: it is for its inspectors")
    today = parsed(params, "today", date.fromisoformat) or datetime.now(UTC).date()
    view = views.accountability(conn, kind, str(party_id), today, position(conn, params))
    return accountability_lines(view)
