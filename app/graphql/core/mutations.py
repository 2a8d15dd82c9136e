"""Mutations: each takes one input, calls one use case, returns the changed object and
userErrors. A rule violation writes nothing; a denial is a FORBIDDEN error and writes nothing;
each answers after the read models have caught up with what it wrote."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

from app import policy
from app.graphql.core import inputs
from app.graphql.core.types import (
    Goal,
    Organization,
    Person,
    organization_or_none,
    person_of,
)
from app.graphql.kit import acks
from app.graphql.kit.context import Context
from app.graphql.kit.errors import UserError
from app.graphql.kit.ids import BadIdError, expect, from_global_id
from app.graphql.kit.permissions import AUTHENTICATED
from domain.app_base import Receipt, terms
from domain.application import DengtaApplication, Written
from domain.errors import ConcurrencyError, DomainError, NotFoundError
from domain.values import Period
from projections import goals as goal_views
from projections import organization_tree as tree
from store import chain

Prepared = tuple[Callable[[], bool], Callable[[], Written]]  # (may the principal?, the write)


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def user_error(error: DomainError) -> UserError:
    path = [camel(part) for part in error.field.split(".")] if error.field else None
    return UserError(field=path, message=error.message, code=error.code)


def ids(global_id: str, type_name: str, field: str) -> UUID:
    try:
        return expect(global_id, type_name)
    except BadIdError as error:
        raise NotFoundError(str(error), field=field) from None


async def run(info: Info[Context, None], prepare: Callable[[], Prepared],
              what: str) -> tuple[Written | None, list[UserError]]:
    """Parse and look up the input, authorize, write off the event loop (under the input's
    expected version and idempotency key), then wait until the read models have what was
    written (read-your-writes). What happened is noted on the mutation's attempt, from which
    `acks.fill` answers the payload's `status` and `recorded`."""
    ctx = info.context
    attempt = acks.current() or acks.Attempt(info.field_name, {})
    receipt = (Receipt(actor(info), attempt.key, attempt.fingerprint)
               if attempt.key is not None else None)

    def checked_write() -> tuple[Written, datetime | None, bool]:
        if receipt is not None and (kept := replay(ctx, receipt)) is not None:
            return kept
        allowed, write = prepare()
        policy.require(allowed(), what)
        try:
            with terms(attempt.expected_version, receipt):
                written = write()
        except ConcurrencyError:  # perhaps the same key's first write, just committed
            if receipt is not None and (kept := replay(ctx, receipt)) is not None:
                return kept
            raise
        return written, recorded_at(ctx, written.position), False

    try:
        written, attempt.recorded_at, attempt.replayed = await asyncio.get_running_loop(
            ).run_in_executor(ctx.writers, checked_write)
    except policy.ForbiddenError as error:
        raise GraphQLError(str(error), extensions={"code": "FORBIDDEN"}) from None
    except DomainError as error:
        return None, [user_error(error)]
    attempt.written = written
    applied = written.position is None or (
        ctx.runner is not None
        and await ctx.runner.wait_until_async(written.position, ctx.wait_timeout))
    attempt.status = acks.WriteStatus.APPLIED if applied else acks.WriteStatus.PENDING
    return written, []


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


def actor(info: Info[Context, None]) -> str:
    principal = info.context.principal
    assert principal is not None
    return principal.actor


def domain(info: Info[Context, None]) -> DengtaApplication:
    return info.context.app


def asks(info: Info[Context, None], decide: Callable[..., bool],
         *args: Any) -> Callable[[], bool]:
    """The resolver's one question to the policy: `decide(conn, principal, *args)`."""
    principal = info.context.principal
    assert principal is not None
    return lambda: decide(info.context.conn, principal, *args)


def goal_scope(info: Info[Context, None], goal_id: UUID, field: str = "goalId") -> str:
    """The organisation a goal belongs to, for the policy; unknown goals are NotFound. A goal
    never changes organisation: the process remembers it."""
    key = ("goal organization", goal_id)
    organization: str | None = info.context.results.get(key)
    if organization is None:
        organization = goal_views.organization_of(info.context.conn, str(goal_id))
        if organization is None:
            raise NotFoundError(f"no goal with id {goal_id}", field=field)
        info.context.results[key] = organization
    return organization


def parent_scope(info: Info[Context, None], goal_id: UUID) -> str | None:
    """The organisation of a goal's parent goal (None for a top goal)."""
    view = goal_views.goal(info.context.conn, str(goal_id))
    return goal_scope(info, UUID(view.parent_id)) if view and view.parent_id else None


@strawberry.type
class OrganizationPayload(acks.Acknowledged):
    RECORD = "Organization"
    organization: Organization | None
    user_errors: list[UserError]


@strawberry.type
class PersonPayload(acks.Acknowledged):
    RECORD = "Person"
    person: Person | None
    user_errors: list[UserError]


@strawberry.type
class GoalPayload(acks.Acknowledged):
    RECORD = "Goal"
    goal: Goal | None
    user_errors: list[UserError]


def organization_payload(info: Info[Context, None], result: tuple[Written | None,
                         list[UserError]]) -> OrganizationPayload:
    written, errors = result
    found = organization_or_none(info, str(written.id), None) if written else None
    return OrganizationPayload(organization=found, user_errors=errors)


def person_payload(info: Info[Context, None], result: tuple[Written | None,
                   list[UserError]]) -> PersonPayload:
    written, errors = result
    found = tree.person(info.context.conn, str(written.id)) if written else None
    return PersonPayload(person=person_of(found, None) if found else None, user_errors=errors)


def goal_payload(info: Info[Context, None], result: tuple[Written | None,
                 list[UserError]]) -> GoalPayload:
    written, errors = result
    view = goal_views.goal(info.context.conn, str(written.id)) if written else None
    return GoalPayload(goal=Goal.from_view(view, None) if view else None, user_errors=errors)


def goal_step(info: Info[Context, None], step: inputs.GoalStepInput,
              call: Callable[..., Written], resplits: bool = False) -> Callable[[], Prepared]:
    """Issue, close or cancel (`resplits`: a cancellation re-splits its siblings' weights
    under the parent goal, whose organisation the policy then looks at too)."""
    def prepare() -> Prepared:
        goal_id = ids(step.goal_id, "Goal", "goalId")
        allowed = asks(info, policy.may_change_goal, goal_scope(info, goal_id),
                       parent_scope(info, goal_id) if resplits else None)
        return allowed, lambda: call(
            actor(info), goal_id, effective_date=step.effective_date, reason=step.reason)
    return prepare


@strawberry.type
class Mutation:
    # ---- organisations -------------------------------------------------------------------

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def register_organization(
        self, info: Info[Context, None], input: inputs.RegisterOrganizationInput
    ) -> OrganizationPayload:
        def prepare() -> Prepared:
            parent = ids(input.parent_id, "Organization", "parentId") if input.parent_id else None
            allowed = asks(info, policy.may_register_organization,
                           str(parent) if parent else None)
            return allowed, lambda: domain(
                info).register_organization(
                actor(info), name=input.name, kind=input.kind, category=input.category,
                parent_id=parent, effective_date=input.effective_date, reason=input.reason)
        return organization_payload(info, await run(info, prepare,
                                                    "register organisations here"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def rename_organization(
        self, info: Info[Context, None], input: inputs.RenameOrganizationInput
    ) -> OrganizationPayload:
        def prepare() -> Prepared:
            org = ids(input.organization_id, "Organization", "organizationId")
            return asks(info, policy.may_change_organization, str(org)), lambda: domain(
                info).rename_organization(
                actor(info), org, name=input.name, reason=input.reason)
        return organization_payload(info, await run(info, prepare, "rename this organisation"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def recategorize_organization(
        self, info: Info[Context, None], input: inputs.RecategorizeOrganizationInput
    ) -> OrganizationPayload:
        def prepare() -> Prepared:
            org = ids(input.organization_id, "Organization", "organizationId")
            return asks(info, policy.may_change_organization, str(org)), lambda: domain(
                info).recategorize_organization(
                actor(info), org, category=input.category, reason=input.reason)
        return organization_payload(info, await run(info, prepare,
                                                    "change this organisation's category"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def move_organization(
        self, info: Info[Context, None], input: inputs.MoveOrganizationInput
    ) -> OrganizationPayload:
        def prepare() -> Prepared:
            org = ids(input.organization_id, "Organization", "organizationId")
            target = ids(input.new_parent_id, "Organization", "newParentId")
            allowed = asks(info, policy.may_move_organization, str(org), str(target))
            return allowed, lambda: domain(info).move_organization(
                actor(info), org, new_parent_id=target, reason=input.reason,
                effective_date=input.effective_date)
        return organization_payload(info, await run(info, prepare, "move this organisation"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def dissolve_organization(
        self, info: Info[Context, None], input: inputs.DissolveOrganizationInput
    ) -> OrganizationPayload:
        def prepare() -> Prepared:
            org = ids(input.organization_id, "Organization", "organizationId")
            return asks(info, policy.may_change_organization, str(org)), lambda: domain(
                info).dissolve_organization(
                actor(info), org, reason=input.reason, effective_date=input.effective_date)
        return organization_payload(info, await run(info, prepare,
                                                    "dissolve this organisation"))

    # ---- people --------------------------------------------------------------------------

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def register_person(
        self, info: Info[Context, None], input: inputs.RegisterPersonInput
    ) -> PersonPayload:
        def prepare() -> Prepared:
            return asks(info, policy.may_register_person), lambda: domain(info).register_person(
                actor(info), name=input.name, party_member=input.party_member,
                reason=input.reason)
        return person_payload(info, await run(info, prepare, "register people"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def appoint_to_post(
        self, info: Info[Context, None], input: inputs.PostInput
    ) -> PersonPayload:
        def prepare() -> Prepared:
            person = ids(input.person_id, "Person", "personId")
            org = ids(input.organization_id, "Organization", "organizationId")
            return asks(info, policy.may_appoint, str(org), str(person)), lambda: domain(
                info).appoint(
                actor(info), person, organization_id=org, post=input.post,
                effective_date=input.effective_date, reason=input.reason)
        return person_payload(info, await run(info, prepare, "appoint to posts here"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def end_post(self, info: Info[Context, None], input: inputs.PostInput) -> PersonPayload:
        def prepare() -> Prepared:
            person = ids(input.person_id, "Person", "personId")
            org = ids(input.organization_id, "Organization", "organizationId")
            return asks(info, policy.may_appoint, str(org), str(person)), lambda: domain(
                info).end_post(
                actor(info), person, organization_id=org, post=input.post,
                effective_date=input.effective_date, reason=input.reason)
        return person_payload(info, await run(info, prepare, "end posts here"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def change_party_membership(
        self, info: Info[Context, None], input: inputs.ChangePartyMembershipInput
    ) -> PersonPayload:
        def prepare() -> Prepared:
            person = ids(input.person_id, "Person", "personId")
            return (asks(info, policy.may_change_membership, str(person)),
                    lambda: domain(info).change_party_membership(
                        actor(info), person, party_member=input.party_member,
                        effective_date=input.effective_date, reason=input.reason))
        return person_payload(info, await run(info, prepare,
                                              "change this person's membership"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def grant_role(self, info: Info[Context, None],
                         input: inputs.RoleInput) -> PersonPayload:
        def prepare() -> Prepared:
            person = ids(input.person_id, "Person", "personId")
            org = ids(input.organization_id, "Organization", "organizationId")
            return asks(info, policy.may_grant_role, str(org), str(person)), lambda: domain(
                info).grant_role(
                actor(info), person, role=input.role, organization_id=org, reason=input.reason)
        return person_payload(info, await run(info, prepare, "grant roles here"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def revoke_role(self, info: Info[Context, None],
                          input: inputs.RoleInput) -> PersonPayload:
        def prepare() -> Prepared:
            person = ids(input.person_id, "Person", "personId")
            org = ids(input.organization_id, "Organization", "organizationId")
            return asks(info, policy.may_grant_role, str(org), str(person)), lambda: domain(
                info).revoke_role(
                actor(info), person, role=input.role, organization_id=org, reason=input.reason)
        return person_payload(info, await run(info, prepare, "revoke roles here"))

    # ---- goals ---------------------------------------------------------------------------

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def draft_goal(self, info: Info[Context, None],
                         input: inputs.DraftGoalInput) -> GoalPayload:
        def prepare() -> Prepared:
            org = ids(input.organization_id, "Organization", "organizationId")
            parent = ids(input.parent_id, "Goal", "parentId") if input.parent_id else None
            period = Period(input.period_start, input.period_end)
            indicator = input.indicator.to_domain()
            parent_org = goal_scope(info, parent, "parentId") if parent else None
            return asks(info, policy.may_draft_goal, str(org), parent_org), lambda: domain(
                info).draft_goal(
                actor(info), level=input.level, organization_id=org, field=input.field,
                title=input.title, period=period, indicator=indicator, weight=input.weight,
                description=input.description, parent_id=parent, reason=input.reason)
        return goal_payload(info, await run(info, prepare, "draft goals for this organisation"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def revise_goal(self, info: Info[Context, None],
                          input: inputs.ReviseGoalInput) -> GoalPayload:
        def prepare() -> Prepared:
            goal_id = ids(input.goal_id, "Goal", "goalId")
            indicator = input.indicator.to_domain() if input.indicator else None
            return asks(info, policy.may_change_goal, goal_scope(info, goal_id)), lambda: domain(
                info).revise_goal(
                actor(info), goal_id, reason=input.reason, title=input.title,
                description=input.description, field=input.field,
                period_start=input.period_start, period_end=input.period_end,
                indicator=indicator)
        return goal_payload(info, await run(info, prepare, "revise this goal"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def reweight_subgoals(self, info: Info[Context, None],
                                input: inputs.ReweightSubgoalsInput) -> GoalPayload:
        def prepare() -> Prepared:
            parent = ids(input.parent_id, "Goal", "parentId")
            weights = {ids(w.goal_id, "Goal", "weights"): w.weight for w in input.weights}
            return asks(info, policy.may_change_goal, goal_scope(info, parent, "parentId")), (
                lambda: domain(
                    info).reweight_subgoals(actor(info), parent, weights=weights,
                                            reason=input.reason))
        return goal_payload(info, await run(info, prepare, "re-split this goal's weights"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def issue_goal(self, info: Info[Context, None],
                         input: inputs.GoalStepInput) -> GoalPayload:
        prepare = goal_step(info, input, domain(info).issue_goal)
        return goal_payload(info, await run(info, prepare, "issue this goal"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def close_goal(self, info: Info[Context, None],
                         input: inputs.GoalStepInput) -> GoalPayload:
        prepare = goal_step(info, input, domain(info).close_goal)
        return goal_payload(info, await run(info, prepare, "close this goal"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def cancel_goal(self, info: Info[Context, None],
                          input: inputs.GoalStepInput) -> GoalPayload:
        prepare = goal_step(info, input, domain(info).cancel_goal, resplits=True)
        return goal_payload(info, await run(info, prepare, "cancel this goal"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def report_progress(self, info: Info[Context, None],
                              input: inputs.ReportProgressInput) -> GoalPayload:
        def prepare() -> Prepared:
            goal_id = ids(input.goal_id, "Goal", "goalId")
            scope = goal_scope(info, goal_id)
            return asks(info, policy.may_report_progress, str(goal_id), scope), lambda: domain(
                info).report_progress(
                actor(info), goal_id, effective_date=input.effective_date, value=input.value,
                rubric_level=input.rubric_level, evidence=input.evidence, reason=input.reason)
        return goal_payload(info, await run(info, prepare, "report progress on this goal"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def assign_responsibility(self, info: Info[Context, None],
                                    input: inputs.ResponsibilityInput) -> GoalPayload:
        def prepare() -> Prepared:
            goal_id = ids(input.goal_id, "Goal", "goalId")
            party_type, party = party_of(input.party_id)
            allowed = asks(info, policy.may_assign_responsibility, goal_scope(info, goal_id),
                           party_type, str(party))
            return allowed, lambda: domain(info).assign_responsibility(
                actor(info), goal_id, party_kind=party_type, party_id=party, kind=input.kind,
                reason=input.reason, effective_date=input.effective_date)
        return goal_payload(info, await run(info, prepare,
                                            "assign responsibility for this goal"))

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def revoke_responsibility(self, info: Info[Context, None],
                                    input: inputs.ResponsibilityInput) -> GoalPayload:
        def prepare() -> Prepared:
            goal_id = ids(input.goal_id, "Goal", "goalId")
            _, party = party_of(input.party_id)
            allowed = asks(info, policy.may_revoke_responsibility, goal_scope(info, goal_id))
            return allowed, lambda: domain(info).revoke_responsibility(
                actor(info), goal_id, party_id=party, kind=input.kind, reason=input.reason,
                effective_date=input.effective_date)
        return goal_payload(info, await run(info, prepare,
                                            "revoke responsibility for this goal"))


def party_of(global_id: str) -> tuple[str, UUID]:
    try:
        party_type, party = from_global_id(global_id)
    except BadIdError as error:
        raise NotFoundError(str(error), field="partyId") from None
    if party_type not in ("Person", "Organization"):
        raise NotFoundError("partyId must name a Person or an Organization", field="partyId")
    return party_type.lower(), party
