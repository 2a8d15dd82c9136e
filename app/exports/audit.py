"""The audit log and a goal's history as rows people read: Chinese names for record types and
events, who acted and which organisation by name beside their ids, changes with their
values as JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import date
from itertools import islice
from typing import Any

from app import policy
from app.auth import Principal
from app.exports.base import (
    BadExportRequestError,
    Column,
    Params,
    moment,
    parsed,
    person_names,
    raw_id,
)
from app.graphql.kit.ids import actor_global_id, actor_person, recorded_actor, to_global_id
from domain.labels import AGGREGATE_TYPES, actor_label, event_label
from projections import audit_log as audit
from projections import organization_tree as tree
from projections.record_names import record_names
from store.db import Connection

AUDIT_COLUMNS = (
    Column("日志位置", "integer", 10), Column("记录时间(UTC)", "datetime", 20),
    Column("生效日期", "date", 12), Column("操作人", "text", 16), Column("操作人编号", "text", 44),
    Column("对象类型", "text", 12), Column("操作", "text", 16), Column("对象名称", "text", 24),
    Column("对象编号", "text", 40), Column("所属组织", "text", 20),
    Column("所属组织编号", "text", 40), Column("原因", "text", 30), Column("变更内容", "text", 60),
)
NAMED_AT_ONCE = 500  # entries whose names are looked up in one go


def audit_filter(conn: Connection, principal: Principal, params: Params) -> audit.AuditFilter:
    """The audit log's filters from a query string (the GraphQL AuditFilter's names)."""
    return audit.AuditFilter(
        actor=recorded_actor(params["actor"]) if params.get("actor") else None,
        organization_id=raw_id(params, "organizationId", "Organization"),
        aggregate_id=raw_id(params, "targetId"),
        aggregate_type=params.get("aggregateType") or None,
        event_type=params.get("eventType") or None,
        recorded_from=parsed(params, "recordedFrom", moment),
        recorded_to=parsed(params, "recordedTo", moment),
        effective_from=parsed(params, "effectiveFrom", date.fromisoformat),
        effective_to=parsed(params, "effectiveTo", date.fromisoformat),
        scope=policy.audit_scope(conn, principal),
    )


def shown_value(value: Any) -> str:
    """A changed value as people read it: text as it is, anything else as JSON
    (`{"approved": false}`, `true`), nothing as ∅."""
    if value is None:
        return "∅"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def describe(changes: Sequence[audit.Change]) -> str:
    return "；".join(f"{c.field}: {shown_value(c.before)} → {shown_value(c.after)}"
                    for c in changes)


class Names:
    """The names a page of entries mentions, as the reader's scope admits them (the API's
    rule: people affiliated with the subtree, organisations in it or above it). A record's
    own name is shown as its entry already shows it in its changes."""

    def __init__(self, conn: Connection, scope: policy.ReadScope) -> None:
        self.conn, self.scope = conn, scope
        self.people: dict[str, str] = {}
        self.organizations: dict[str, str] = {}
        self.records: dict[str, str] = {}

    def look_up(self, entries: Sequence[audit.Entry]) -> None:
        self.people = person_names(self.conn, self.scope, sorted(
            {p for p in map(actor_person, {e.actor for e in entries}) if p}))
        organizations = sorted({e.organization_id for e in entries if e.organization_id})
        self.organizations = {i: n.name for i, n in tree.organizations(
            self.conn, organizations).items() if self.scope.organization(i)}
        self.records = record_names(self.conn, sorted({e.aggregate_id for e in entries}))

    def actor(self, actor: str) -> tuple[str | None, str]:
        """Who acted, by name, and their global id (a Person's or a SystemActor's, as the
        API's `actorId`)."""
        person = actor_person(actor)
        name = self.people.get(person) if person else actor_label(actor)
        return name, actor_global_id(actor)


def audit_rows(conn: Connection, principal: Principal,
               where: audit.AuditFilter) -> Iterator[Sequence[Any]]:
    names = Names(conn, policy.read_scope(conn, principal))
    entries = audit.stream_entries(conn, where)
    while page := list(islice(entries, NAMED_AT_ONCE)):
        names.look_up(page)
        for entry in page:
            organization = entry.organization_id
            yield (entry.position, entry.recorded_at, entry.effective_date,
                   *names.actor(entry.actor),
                   AGGREGATE_TYPES.get(entry.aggregate_type, entry.aggregate_type),
                   event_label(entry.aggregate_type, entry.event_type),
                   names.records.get(entry.aggregate_id),
                   to_global_id(entry.aggregate_type, entry.aggregate_id),
                   names.organizations.get(organization) if organization else None,
                   to_global_id("Organization", organization) if organization else None,
                   entry.reason, describe(entry.changes))


def audit_log_rows(conn: Connection, principal: Principal,
                   params: Params) -> Iterator[Sequence[Any]]:
    return audit_rows(conn, principal, audit_filter(conn, principal, params))


def goal_history_rows(conn: Connection, principal: Principal,
                      params: Params) -> Iterator[Sequence[Any]]:
    goal = raw_id(params, "goalId", "Goal")
    if goal is None:
        raise BadExportRequestError("goalId is required")
    return audit_rows(conn, principal, audit.AuditFilter(
        aggregate_id=goal, scope=policy.audit_scope(conn, principal)))
