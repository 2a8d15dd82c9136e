"""One declarative write: a mutation is a plan that parses the ids its input names, asks one
policy function over the parties they touch, and names the domain command to call; the kit
runs it off the event loop under the input's expected version and idempotency key, waits
until the read models have what was written (read-your-writes) and answers the payload.

    @write(ORGANIZATION, "rename this organisation")  # ORGANIZATION = record_answer(...)
    def rename_organization(w: Writer, input: RenameOrganizationInput) -> Command[None]:
        org = w.id(input.organization_id, "Organization", "organizationId")
        return w.allow_if(policy.may_change_organization, str(org)).call(
            w.app.rename_organization, org, name=input.name, reason=input.reason)

What happened is noted on the mutation's attempt, from which `acks.fill` answers the
payload's `status` and `recorded`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar, get_type_hints
from uuid import UUID

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

from app import policy
from app.auth import Principal
from app.graphql.kit import acks
from app.graphql.kit.context import Context
from app.graphql.kit.errors import UserError, user_error
from app.graphql.kit.ids import BadIdError, expect, from_global_id
from app.graphql.kit.permissions import AUTHENTICATED
from domain.app_base import Receipt, terms
from domain.application import DengtaApplication, Written
from domain.errors import ConcurrencyError, DomainError, NotFoundError
from store import chain
from store.db import Connection

P = ParamSpec("P")
In = TypeVar("In")  # a mutation's input type
S = TypeVar("S")  # what a plan hands its answer besides the record written
T = TypeVar("T")
V = TypeVar("V")
R = TypeVar("R", bound=acks.Acknowledged)


class Writer:
    """What a plan parses and asks with, in the writing thread. A malformed id, or one of
    another type than its field takes, is NOT_FOUND on that input field."""

    def __init__(self, info: Info[Context, None], what: str) -> None:
        principal = info.context.principal
        assert principal is not None
        self.info = info
        self.context = info.context
        self.principal: Principal = principal
        self.app: DengtaApplication = info.context.app
        self.what = what  # what the principal may not do, when the policy refuses
        self.parsed: dict[tuple[str, str], UUID] = {}

    @property
    def conn(self) -> Connection:
        return self.context.conn

    def id(self, global_id: str, type_name: str, field: str) -> UUID:
        """A global id of `type_name`, parsed once per request."""
        key = (global_id, type_name)
        if key not in self.parsed:
            try:
                self.parsed[key] = expect(global_id, type_name)
            except BadIdError as error:
                raise NotFoundError(str(error), field=field) from None
        return self.parsed[key]

    def optional_id(self, global_id: str | None, type_name: str, field: str) -> UUID | None:
        return self.id(global_id, type_name, field) if global_id else None

    def ids(self, global_ids: Iterable[str], type_name: str, field: str) -> list[UUID]:
        return [self.id(global_id, type_name, field) for global_id in global_ids]

    def known(self, global_id: str, type_name: str, field: str,
              fetch: Callable[[Connection, str], V | None], missing: str) -> tuple[UUID, V]:
        """A record the input names, as its read model has it; `missing` (a template of
        `{id}`) is the NOT_FOUND message when there is none."""
        record_id = self.id(global_id, type_name, field)
        view = fetch(self.conn, str(record_id))
        if view is None:
            raise NotFoundError(missing.format(id=record_id), field=field)
        return record_id, view

    def one_of(self, global_id: str, type_names: tuple[str, ...],
               field: str) -> tuple[str, UUID]:
        """A global id of any of `type_names`, with the type it names."""
        try:
            type_name, raw = from_global_id(global_id)
        except BadIdError as error:
            raise NotFoundError(str(error), field=field) from None
        if type_name not in type_names:
            named = " or ".join(f"{'an' if name[0] in 'AEIOU' else 'a'} {name}"
                                for name in type_names)
            raise NotFoundError(f"{field} must name {named}", field=field)
        return type_name, raw

    def allow_if(self, decide: Callable[Concatenate[Connection, Principal, P], bool],
                 *args: P.args, **kwargs: P.kwargs) -> Permit:
        """The plan's one question to the policy; a refusal is FORBIDDEN and writes nothing."""
        policy.require(decide(self.conn, self.principal, *args, **kwargs), self.what)
        return Permit(self.principal.actor)


@dataclass(frozen=True)
class Permit:
    """The policy's yes: what the principal may now call."""

    actor: str

    def call(self, use_case: Callable[Concatenate[str, P], Written],
             *args: P.args, **kwargs: P.kwargs) -> Command[None]:
        """The domain command, in the principal's name."""
        return Command(lambda: use_case(self.actor, *args, **kwargs))


@dataclass(frozen=True)
class Command(Generic[S]):
    """A plan's result: the allowed write, and what its answer needs besides the record
    written (`about`)."""

    write: Callable[[], Written]
    about: S | None = None

    def answering(self, about: T) -> Command[T]:
        return Command(self.write, about)


@dataclass(frozen=True)
class Outcome(Generic[In, S]):
    """What a write came to, for its answer: the record written (None: nothing was), the rule
    violations, and what the plan handed on (None when it did not run, as for a replay)."""

    writer: Writer
    input: In
    written: Written | None
    errors: list[UserError]
    about: S | None = None

    @property
    def conn(self) -> Connection:
        return self.writer.conn

    @property
    def info(self) -> Info[Context, None]:
        return self.writer.info


@dataclass(frozen=True)
class Answer(Generic[In, S, R]):
    """A mutation's payload type and how it is built from the outcome."""

    payload: type[R]
    build: Callable[[Outcome[In, S]], R]


ACKNOWLEDGED_FIELDS = {f.name for f in fields(acks.Acknowledged)} | {"user_errors"}


def record_answer(payload: type[R], fetch: Callable[[Connection, str], V | None],
                  show: Callable[[V], Any]) -> Answer[Any, Any, R]:
    """The common answer: the record written, as the read model has it (`fetch`) shown as
    its GraphQL type (`show`), in the payload's one field besides the acknowledgement."""
    (record_field,) = (f.name for f in fields(payload) if f.name not in ACKNOWLEDGED_FIELDS)

    def build(done: Outcome[Any, Any]) -> R:
        view = fetch(done.conn, str(done.written.id)) if done.written else None
        values: dict[str, Any] = {record_field: show(view) if view is not None else None,
                                  "user_errors": done.errors}
        return payload(**values)
    return Answer(payload, build)


Plan = Callable[[Writer, In], Command[S]]


def write(answer: Answer[In, S, R], what: str | Callable[[In], str], *,
          description: str | None = None) -> Callable[[Plan[In, S]], Any]:
    """Declares a mutation from its plan: its name and input type are the plan's, its
    payload the answer's; `what` is what a refused principal may not do."""
    def declare(plan: Plan[In, S]) -> Any:
        input_type = get_type_hints(plan)["input"]

        async def resolve(info: Info[Context, None], input: Any) -> Any:
            said = what(input) if callable(what) else what
            return answer.build(await run(Writer(info, said), input, plan))
        resolve.__name__ = plan.__name__
        resolve.__annotations__ = {"info": Info, "input": input_type, "return": answer.payload}
        return strawberry.mutation(resolver=resolve, permission_classes=AUTHENTICATED,
                                   description=description)
    return declare


async def run(w: Writer, input: In, plan: Plan[In, S]) -> Outcome[In, S]:
    """Replays a kept answer, or plans (parse, look up, authorise) and writes, off the event
    loop; then waits for the read models."""
    ctx = w.context
    attempt = acks.current() or acks.Attempt(w.info.field_name, {})
    receipt = (Receipt(w.principal.actor, attempt.key, attempt.fingerprint)
               if attempt.key is not None else None)

    def checked_write() -> tuple[Written, datetime | None, bool, S | None]:
        if receipt is not None and (kept := replay(ctx, receipt)) is not None:
            return (*kept, None)
        command = plan(w, input)
        try:
            with terms(attempt.expected_version, receipt):
                written = command.write()
        except ConcurrencyError:  # perhaps the same key's first write, just committed
            if receipt is not None and (kept := replay(ctx, receipt)) is not None:
                return (*kept, command.about)
            raise
        return written, None, False, command.about  # (recorded_at: when the payload asks)

    try:
        written, attempt.recorded_at, attempt.replayed, about = await asyncio.get_running_loop(
            ).run_in_executor(ctx.writers, checked_write)
    except policy.ForbiddenError as error:
        raise GraphQLError(str(error), extensions={"code": "FORBIDDEN"}) from None
    except DomainError as error:
        return Outcome(w, input, None, [user_error(error)])
    attempt.written = written
    attempt.when_recorded = lambda position: recorded_at(ctx, position)
    applied = written.position is None or (
        ctx.runner is not None
        and await ctx.runner.wait_until_async(written.position, ctx.wait_timeout))
    attempt.status = acks.WriteStatus.APPLIED if applied else acks.WriteStatus.PENDING
    return Outcome(w, input, written, [], about)


class KeyReusedError(DomainError):
    """Raised when a clientMutationId comes again from the same principal with another input."""

    code = "IDEMPOTENCY_KEY_REUSED"


def replay(ctx: Context, receipt: Receipt) -> tuple[Written, datetime | None, bool] | None:
    """The first write under this principal's key, if there was one (for the same input)."""
    kept = chain.audited(ctx.app.recorder).find_receipt(receipt.principal, receipt.key)
    if kept is None:
        return None
    if kept.fingerprint != receipt.fingerprint:
        raise KeyReusedError(
            "this clientMutationId was already used for another input; nothing was written",
            field="clientMutationId")
    return Written(kept.record_id, kept.position), recorded_at(ctx, kept.position), True


def recorded_at(ctx: Context, position: int | None) -> datetime | None:
    """When the database recorded the event at `position` (its audit row)."""
    if position is None:
        return None
    rows = chain.audited(ctx.app.recorder).select_audit(position - 1, 1)
    return rows[0].recorded_at if rows and rows[0].position == position else None
