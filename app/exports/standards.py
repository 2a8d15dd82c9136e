"""Branch standardisation as rows (达标情况): each branch, the level it held on a day and since
when, the change that gave it and why, the acceptance it rests on, its latest self-check and
the history of its changes — cut to the reader's read scope, as `branchLevels` is."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

from app import policy
from app.auth import Principal
from app.exports.base import BadExportRequestError, Column, Params, parsed, position, raw_id
from app.graphql.kit.ids import to_global_id
from domain.labels import LEVEL_CHANGES, STANDARD_LEVELS, label
from domain.standardisation import LevelChange
from projections import organization_tree as tree
from projections import standardisation as views
from store.db import Connection

NO_LEVEL = "未评定"
STANDARDISATION_COLUMNS = (
    Column("组织", "text", 24), Column("上级组织", "text", 24), Column("等级", "text", 8),
    Column("等级起始日期", "date", 12), Column("最近变更", "text", 10),
    Column("变更理由", "text", 40), Column("依据问题编号", "text", 40),
    Column("验收组织", "text", 24), Column("验收日期", "date", 12),
    Column("最近自查日期", "date", 12), Column("自查得分", "number", 10),
    Column("变更次数", "integer", 8), Column("变更历史", "text", 60),
    Column("组织编号", "text", 40), Column("档案编号", "text", 40),
)


def _branches(conn: Connection, principal: Principal, params: Params,
              at: int | None) -> list[tree.OrganizationNode]:
    """The branches exported: under `organizationId` (refused outside the read scope), else
    every branch the principal reads; in the tree's order (depth-first by name) when rooted,
    else by name."""
    scope = policy.read_scope(conn, principal)
    wanted = raw_id(params, "organizationId", "Organization")
    if wanted is not None:
        if tree.organization(conn, wanted, at) is None:
            raise BadExportRequestError("no such organisation at that moment")
        if not scope.within(wanted):
            raise policy.ForbiddenError("export this organisation's standardisation: it lies "
                                        "outside what you read")
        order = [n.id for n in tree.descendants(conn, wanted, at)]
        found = set(views.branches(conn, scope.cut(order), at))
        ids = [o for o in order if o in found]
    else:
        ids = views.branches(conn, scope.organizations(), at)
    nodes = tree.organizations(conn, ids, at)
    listed = [nodes[i] for i in ids if i in nodes]
    return listed if wanted is not None else sorted(listed, key=lambda n: (n.name, n.id))


def _history(changes: Sequence[views.LevelChangeView]) -> str:
    return "；".join(
        f"{c.effective_on.isoformat()} {label(LEVEL_CHANGES, c.change.value)}"
        f"{'：' + STANDARD_LEVELS[c.level.value] if c.level else ''}（{c.reason}）"
        for c in changes)


def standardisation_rows(conn: Connection, principal: Principal,
                         params: Params) -> Iterator[Sequence[Any]]:
    """As known at `asOf`, judged on `validAt` (default today): the changes effective by
    then."""
    at = position(conn, params)
    day = parsed(params, "validAt", date.fromisoformat) or datetime.now(UTC).date()
    branches = _branches(conn, principal, params, at)

    def lines() -> Iterator[Sequence[Any]]:
        for start in range(0, len(branches), views.RECORDS_A_QUERY):
            chunk = branches[start:start + views.RECORDS_A_QUERY]
            records = views.records_of(conn, [b.id for b in chunk], at)
            parents = tree.organizations(conn, sorted(
                {b.parent_id for b in chunk if b.parent_id} | {
                    c.accepted_by for r in records.values() for c in r.changes
                    if c.accepted_by}), at)
            for branch in chunk:
                yield _line(branch, records.get(branch.id), day, parents)
    return lines()


def _line(branch: tree.OrganizationNode, record: views.RecordView | None, day: date,
          names: dict[str, tree.OrganizationNode]) -> Sequence[Any]:
    changes = [c for c in record.changes if c.effective_on <= day] if record else []
    checks = [c for c in record.self_checks if c.checked_on <= day] if record else []
    now = changes[-1] if changes else None
    accepted = next((c for c in reversed(changes) if c.change is LevelChange.ACCEPTED), None)
    parent = names.get(branch.parent_id) if branch.parent_id else None
    judge = names.get(accepted.accepted_by) if accepted and accepted.accepted_by else None
    return (
        branch.name, parent.name if parent else None,
        STANDARD_LEVELS[now.level.value] if now and now.level else NO_LEVEL,
        now.effective_on if now else None,
        label(LEVEL_CHANGES, now.change.value) if now else None,
        now.reason if now else None,
        to_global_id("Finding", now.finding_id) if now and now.finding_id else None,
        judge.name if judge else None, accepted.effective_on if accepted else None,
        checks[-1].checked_on if checks else None,
        float(checks[-1].total) if checks else None,
        len(changes), _history(changes) or None,
        to_global_id("Organization", branch.id),
        to_global_id("BranchStandardisation", record.record_id) if record else None)
