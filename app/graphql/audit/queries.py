"""The inspector's toolkit: the audit log, a record's history, blame and diff, valid-time
views, the audit chain's head and its verification, and a live feed of new entries."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from dataclasses import replace
from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError
from strawberry.scalars import JSON
from strawberry.types import Info

from app import policy
from app.graphql.audit import feed
from app.graphql.core.queries import raw
from app.graphql.core.types import (
    Actor,
    Organization,
    actor_of,
    any_node,
    visible_node,
)
from app.graphql.kit.context import Context
from app.graphql.kit.ids import (
    BadIdError,
    actor_global_id,
    actor_person,
    from_global_id,
    recorded_actor,
    to_global_id,
)
from app.graphql.kit.nodes import Node
from app.graphql.kit.paging import Connection, bad_input, connection, page_of
from app.graphql.kit.permissions import AUTHENTICATED
from app.graphql.kit.vocab import GoalStatus, PartyKind, ResponsibilityKind, code, labelled
from domain import labels
from projections import audit_log as audit
from projections import valid_time
from projections.audit_check import ReadModelCheck, verify_read_models
from store import chain
from store.audit import Digest
from store.audit_reads import position_at


def forbidden(error: policy.ForbiddenError) -> GraphQLError:
    return GraphQLError(str(error), extensions={"code": "FORBIDDEN"})


def audit_scope(info: Info[Context, None]) -> tuple[str, ...] | None:
    """The audit trail's scope for the principal, as the live feed takes it."""
    return feed.scope(info)


@strawberry.type(description="One field an event changed: its value before and after "
                             "(null: absent). Collections appear as keyed fields, e.g. "
                             "`responsibility[primary:<party id>]`.")
class FieldChange:
    field: str
    before: JSON | None
    after: JSON | None

    @classmethod
    def from_view(cls, change: audit.Change) -> FieldChange:
        return cls(field=change.field, before=change.before, after=change.after)


@strawberry.type(description="A recorded event, as an inspector reads it.")
class AuditEntry:
    position: int = strawberry.field(description="Its place in the log and the audit chain.")
    recorded_at: datetime = strawberry.field(description="When the system recorded it "
                                                         "(database time).")
    effective_date: date | None = strawberry.field(
        description="When it took effect in the business, where that differs.")
    actor_id: strawberry.ID = strawberry.field(
        description="Who did it: a Person's or a SystemActor's global id (`node` takes it).")
    action: str = strawberry.field(description="The event, e.g. `Reweighted`.")
    aggregate_type: str
    reason: str
    changes: list[FieldChange] = strawberry.field(
        description="The field-level changes it made to its record.")
    entry: strawberry.Private[audit.Entry]

    @classmethod
    def from_view(cls, entry: audit.Entry) -> AuditEntry:
        return cls(position=entry.position, recorded_at=entry.recorded_at,
                   effective_date=entry.effective_date,
                   actor_id=strawberry.ID(actor_global_id(entry.actor)),
                   action=entry.event_type, aggregate_type=entry.aggregate_type,
                   reason=entry.reason,
                   changes=[FieldChange.from_view(c) for c in entry.changes], entry=entry)

    @strawberry.field(description="The event's Chinese name, e.g. 调整权重.")
    def action_label(self) -> str:
        return labels.event_label(self.entry.aggregate_type, self.entry.event_type)

    @strawberry.field(description="The record type's Chinese name, e.g. 目标.")
    def aggregate_type_label(self) -> str:
        return labels.AGGREGATE_TYPES.get(self.entry.aggregate_type, self.entry.aggregate_type)

    @strawberry.field(description="Who did it: the Person (null when outside your scope) or "
                                  "the SystemActor (the administrator account, a system job).")
    def actor(self, info: Info[Context, None]) -> Actor | None:
        return actor_of(info, self.entry.actor, None)

    @strawberry.field(description="The record it changed, as it is now.")
    def target(self, info: Info[Context, None]) -> Node | None:
        return visible_node(info, self.entry.aggregate_type, self.entry.aggregate_id, None)

    @strawberry.field(description="The organisation it concerned, as it is now.")
    def organization(self, info: Info[Context, None]) -> Organization | None:
        if self.entry.organization_id is None:
            return None
        node = info.context.loaders.organization.get(self.entry.organization_id, None)
        return Organization.from_view(node, None) if node else None


@strawberry.input(description="Which audit entries to show; every criterion narrows.")
class AuditFilter:
    actor: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="A Person's or a SystemActor's id (as `actorId` shows them).")
    organization_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="Events concerning this organisation's subtree, as the tree stood when "
                    "each was recorded.")
    target_id: strawberry.ID | None = strawberry.UNSET
    aggregate_type: str | None = strawberry.UNSET
    event_type: str | None = strawberry.UNSET
    recorded_from: datetime | None = strawberry.UNSET
    recorded_to: datetime | None = strawberry.UNSET
    effective_from: date | None = strawberry.UNSET
    effective_to: date | None = strawberry.UNSET


def _given(value: Any) -> Any:
    return None if value is strawberry.UNSET else value


def to_filter(given: AuditFilter | None, scope: tuple[str, ...] | None) -> audit.AuditFilter:
    """The read model's filter for a GraphQL one (ids checked), within `scope`."""
    if given is None:
        return audit.AuditFilter(scope=scope)
    organization = _given(given.organization_id)
    target = _given(given.target_id)
    actor = _given(given.actor)
    target_raw = None
    if target is not None:
        try:
            target_raw = str(from_global_id(target)[1])
        except BadIdError as error:
            raise bad_input(str(error), "filter.targetId") from None
    return audit.AuditFilter(
        actor=recorded_actor(actor) if actor is not None else None,
        organization_id=(raw(organization, "Organization", "filter.organizationId")
                         if organization is not None else None),
        aggregate_id=target_raw, aggregate_type=_given(given.aggregate_type),
        event_type=_given(given.event_type), recorded_from=_given(given.recorded_from),
        recorded_to=_given(given.recorded_to), effective_from=_given(given.effective_from),
        effective_to=_given(given.effective_to), scope=scope)


def entries_connection(info: Info[Context, None], where: audit.AuditFilter,
                       first: int | None, after: str | None, last: int | None,
                       before: str | None) -> Connection[AuditEntry]:
    page = page_of(first, after, last, before, 1)
    try:
        entries, more = audit.entries_page(info.context.conn, where, page)
    except ValueError:
        raise bad_input("not a cursor of the audit log", "after") from None
    loaders = info.context.loaders
    for entry in entries:  # what their targets and organisations will ask for, in one query
        loaders.organization.want(entry.organization_id, None)
        loaders.person.want(actor_person(entry.actor), None)  # `actor`: a page's in one query
        if entry.aggregate_type == "Goal":
            loaders.goal.want(entry.aggregate_id, None)
        elif entry.aggregate_type == "Organization":
            loaders.organization.want(entry.aggregate_id, None)
    return connection([AuditEntry.from_view(e) for e in entries],
                      [(e.position,) for e in entries], more, page,
                      audit.count_entries(info.context.conn, where))


def readable_record(info: Info[Context, None], global_id: str) -> tuple[str, str]:
    """(type, raw id) of a record whose history the principal may read; FORBIDDEN when it
    exists and lies outside what the principal may read."""
    try:
        type_name, raw_id = from_global_id(global_id)
    except BadIdError as error:
        raise bad_input(str(error), "id") from None
    scope = info.context.scope()
    if type_name == "Organization":  # an ancestor is readable by name, not its history
        readable = (scope.within(str(raw_id))
                    or any_node(info, type_name, str(raw_id), None) is None)
    elif any_node(info, type_name, str(raw_id), None) is not None:
        readable = visible_node(info, type_name, str(raw_id), None) is not None
    else:  # not a node (an evaluation, a library indicator): by the organisations it concerns
        concerned = audit.concerned_organizations(info.context.conn, str(raw_id))
        readable = not concerned or scope.any_within(o for o in concerned if o is not None)
    if not readable:
        raise GraphQLError("you may not read the history of this record",
                           extensions={"code": "FORBIDDEN"})
    return type_name, str(raw_id)


@strawberry.type(description="A field of a record and the event that last set it.")
class BlameLine:
    field: str
    value: JSON
    entry: AuditEntry


@strawberry.type(description="What changed in a record between two moments, and the events "
                             "that changed it (oldest first).")
class RecordDiff:
    changes: list[FieldChange]
    entries: list[AuditEntry]


@strawberry.type(description="A field's value and the event that set it.")
class FieldValue:
    field: str
    value: JSON
    position: int


@labelled
@strawberry.type(description="A responsibility on a goal, on a business date.")
class DutyAt:
    kind: str = code(ResponsibilityKind)
    party_kind: str = code(PartyKind)
    party_id: strawberry.ID


@labelled
@strawberry.type(description="A goal as it was in the business on a date (valid time), as "
                             "known at `asOf` (default: now).")
class GoalAtDate:
    id: strawberry.ID
    valid_at: date
    title: str
    status: str = code(GoalStatus)
    weight: int
    progress: JSON | None = strawberry.field(
        description="The latest report effective by that date: value, rubric level, "
                    "effective date, evidence.")
    responsibilities: list[DutyAt]


def goal_at_date(global_id: str, valid_at: date,
                 state: dict[str, audit.FieldValue]) -> GoalAtDate | None:
    if "status" not in state:
        return None
    duties = []
    for name, value in state.items():
        if name.startswith("responsibility["):
            kind, _, party = name.removeprefix("responsibility[").removesuffix("]").partition(":")
            type_name = "Person" if value.value == "person" else "Organization"
            duties.append(DutyAt(kind=kind, party_kind=value.value,
                                 party_id=strawberry.ID(to_global_id(type_name, party))))
    progress = state.get("progress")
    return GoalAtDate(id=strawberry.ID(global_id), valid_at=valid_at,
                      title=state["title"].value, status=state["status"].value,
                      weight=state["weight"].value,
                      progress=progress.value if progress else None,
                      responsibilities=duties)


@strawberry.type(description="A link of the audit chain.")
class ChainLink:
    position: int
    hash: str
    recorded_at: datetime | None


@strawberry.type
class AuditChain:
    head: ChainLink


@strawberry.type(description="The outcome of recomputing the audit chain from the stored "
                             "events.")
class ChainVerification:
    ok: bool
    broken_at: int | None = strawberry.field(description="The first position that disagrees.")
    problem: str
    head: ChainLink = strawberry.field(description="The last link found intact.")
    digest_found: bool | None = strawberry.field(
        description="Whether the chain passes through the digest asked about.")
    read_model_broken_at: int | None = strawberry.field(
        description="The first position whose audit log entry (actor, reason, type, changes…) "
                    "disagrees with the entry recomputed from the chain's events; null when "
                    "all agree, or when the chain itself is broken (then not checked).")
    read_model_problem: str = strawberry.field(
        description="What disagrees at `readModelBrokenAt`.")
    read_model_checked_to: int = strawberry.field(
        description="The position up to which the audit log was checked (as far as it has "
                    "folded the log).")


def link_of(recorder: chain.AuditedRecorder, digest: Digest) -> ChainLink:
    rows = recorder.select_audit(digest.position - 1, 1) if digest.position else []
    return ChainLink(position=digest.position, hash=digest.hash.hex(),
                     recorded_at=rows[0].recorded_at if rows else None)


@strawberry.type
class AuditQuery:
    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="Every recorded event, newest first (inspectors and admins).")
    def audit_log(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
        filter: AuditFilter | None = None, as_of: datetime | None = None,
    ) -> Connection[AuditEntry]:
        where = replace(to_filter(filter, audit_scope(info)),
                        up_to=info.context.position(as_of))
        return entries_connection(info, where, first, after, last, before)

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="Every event that touched a record, newest first, with its "
                                  "changes.")
    def history(
        self, info: Info[Context, None], id: strawberry.ID, first: int | None = None,
        after: str | None = None, last: int | None = None, before: str | None = None,
        as_of: datetime | None = None,
    ) -> Connection[AuditEntry]:
        _, raw_id = readable_record(info, id)
        where = audit.AuditFilter(aggregate_id=raw_id, up_to=info.context.position(as_of))
        return entries_connection(info, where, first, after, last, before)

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="For each field of a record (as of `asOf`), the event that "
                                  "last set it; `ignoreSystemActors` skips `system:` jobs.")
    def blame(self, info: Info[Context, None], id: strawberry.ID,
              as_of: datetime | None = None,
              ignore_system_actors: bool = False) -> list[BlameLine]:
        _, raw_id = readable_record(info, id)
        lines = audit.blame(info.context.conn, raw_id, info.context.position(as_of),
                            ignore_system_actors)
        return [BlameLine(field=value.field, value=value.value,
                          entry=AuditEntry.from_view(entry)) for value, entry in lines]

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="The field changes of a record between two moments.")
    def diff(self, info: Info[Context, None], id: strawberry.ID,
             from_: Annotated[datetime, strawberry.argument(name="from")],
             to: datetime) -> RecordDiff:
        if to < from_:
            raise bad_input("`to` must not be before `from`", "to")
        _, raw_id = readable_record(info, id)
        conn = info.context.conn
        changes, entries = audit.diff(conn, raw_id, position_at(conn, from_),
                                      position_at(conn, to))
        return RecordDiff(changes=[FieldChange.from_view(c) for c in changes],
                          entries=[AuditEntry.from_view(e) for e in entries])

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="A record's fields as true in the business on `validAt` "
                                  "(effective dates), as known at `asOf` (default: now).")
    def valid_state(self, info: Info[Context, None], id: strawberry.ID, valid_at: date,
                    as_of: datetime | None = None) -> list[FieldValue]:
        _, raw_id = readable_record(info, id)
        state = valid_time.valid_state(info.context.conn, raw_id, valid_at,
                                  info.context.position(as_of))
        return [FieldValue(field=v.field, value=v.value, position=v.set_at)
                for v in state.values()]

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="A goal as true in the business on `validAt`, as known at "
                                  "`asOf`: a retroactive correction changes this, not `asOf`.")
    def goal_valid_at(self, info: Info[Context, None], id: strawberry.ID, valid_at: date,
                      as_of: datetime | None = None) -> GoalAtDate | None:
        raw_id = raw(id, "Goal", "id")
        readable_record(info, id)
        state = valid_time.valid_state(info.context.conn, raw_id, valid_at,
                                  info.context.position(as_of))
        return goal_at_date(id, valid_at, state)

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="The audit chain's head, for an inspector to keep.")
    def audit_chain(self, info: Info[Context, None]) -> AuditChain:
        audit_scope(info)
        recorder = chain.audited(info.context.app.recorder)
        return AuditChain(head=link_of(recorder, chain.head(recorder)))

    @strawberry.field(permission_classes=AUTHENTICATED,
                      description="Recompute the audit chain from the stored events; with a "
                                  "digest (`POSITION:HASH`), also check it is still a link.")
    async def verify_audit_chain(self, info: Info[Context, None],
                                 digest: str | None = None) -> ChainVerification:
        audit_scope(info)
        try:
            kept = Digest.parse(digest) if digest else None
        except ValueError as error:
            raise bad_input(str(error), "digest") from None
        recorder = chain.audited(info.context.app.recorder)
        result = await asyncio.to_thread(chain.verify_application, info.context.app, kept)
        head = await asyncio.to_thread(link_of, recorder, result.head)
        read_model = ReadModelCheck(0)
        if result.broken_at is None:  # recomputed from the events the chain vouched for
            read_model = await asyncio.to_thread(
                lambda: verify_read_models(info.context.connect(), info.context.app))
        return ChainVerification(ok=result.ok and read_model.ok, broken_at=result.broken_at,
                                 problem=result.problem, head=head,
                                 digest_found=result.digest_found,
                                 read_model_broken_at=read_model.broken_at,
                                 read_model_problem=read_model.problem,
                                 read_model_checked_to=read_model.checked_to)


@strawberry.type
class AuditSubscription:
    @strawberry.subscription(permission_classes=AUTHENTICATED,
                             description="Audit entries as they are recorded (inspectors and "
                                         "admins), filtered, from now on.")
    async def audit_events(self, info: Info[Context, None],
                           filter: AuditFilter | None = None,
                           ) -> AsyncGenerator[AuditEntry, None]:
        where = to_filter(filter, feed.scope(info))
        async for entry in feed.entries(info, where):
            yield AuditEntry.from_view(entry)
