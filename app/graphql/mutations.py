"""Mutations: each takes one input, calls one use case, returns the changed object and
userErrors. A rule violation writes nothing; a denial is a FORBIDDEN error and writes nothing;
each answers after the read models have caught up with what it wrote."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

from app import policy
from app.graphql.context import Context
from app.graphql.ids import BadIdError, expect, from_global_id
from app.graphql.queries import AUTHENTICATED
from app.graphql.types import Goal, Organization, UserError, organization_or_none
from domain.application import Written
from domain.errors import DomainError, InvalidInputError, NotFoundError
from domain.values import Period, qualitative, quantitative
from projections import goals as goal_views


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def user_error(error: DomainError | BadIdError, field: str | None = None) -> UserError:
    if isinstance(error, BadIdError):
        return UserError(field=[field] if field else None, message=str(error), code="NOT_FOUND")
    name = error.field or field
    path = [camel(part) for part in re.split(r"\.", name)] if name else None
    return UserError(field=path, message=error.message, code=error.code)


def ids(global_id: str, type_name: str, field: str) -> UUID:
    try:
        return expect(global_id, type_name)
    except BadIdError as error:
        raise NotFoundError(str(error), field=field) from None


async def perform(
    info: Info[Context, None], authorize: Callable[[], None], call: Callable[[], Written],
) -> tuple[Written | None, list[UserError]]:
    """Authorize, run the use case off the event loop, then wait for read-your-writes."""
    ctx = info.context
    try:
        await asyncio.to_thread(authorize)
        written = await asyncio.to_thread(call)
    except policy.ForbiddenError as error:
        raise GraphQLError(str(error), extensions={"code": "FORBIDDEN"}) from None
    except DomainError as error:
        return None, [user_error(error)]
    if written.position is not None and ctx.runner is not None:
        await asyncio.to_thread(ctx.runner.wait_until, written.position, ctx.wait_timeout)
    return written, []


def actor(info: Info[Context, None]) -> str:
    principal = info.context.principal
    assert principal is not None
    return principal.actor


@strawberry.input
class RubricLevelInput:
    name: str
    score: Decimal


@strawberry.input(description="Quantitative (unit, baseline, target, direction) or a rubric.")
class IndicatorInput:
    unit: str | None = None
    baseline: Decimal | None = None
    target: Decimal | None = None
    direction: str = "higher_is_better"
    rubric: list[RubricLevelInput] | None = None

    def to_domain(self) -> Any:
        if self.rubric is not None:
            return qualitative([(level.name, level.score) for level in self.rubric])
        if self.unit is None or self.baseline is None or self.target is None:
            raise InvalidInputError("a quantitative indicator needs unit, baseline and target",
                                    field="indicator")
        return quantitative(self.unit, self.baseline, self.target, self.direction)


@strawberry.input
class RegisterOrganizationInput:
    name: str
    kind: str
    category: str
    parent_id: strawberry.ID | None = None
    effective_date: date | None = None
    reason: str = ""


@strawberry.type
class RegisterOrganizationPayload:
    organization: Organization | None
    user_errors: list[UserError]


@strawberry.input
class DraftGoalInput:
    level: str
    organization_id: strawberry.ID
    field: str
    title: str
    period_start: date
    period_end: date
    indicator: IndicatorInput
    weight: int
    description: str = ""
    parent_id: strawberry.ID | None = None
    reason: str = ""


@strawberry.input
class IssueGoalInput:
    goal_id: strawberry.ID
    effective_date: date | None = None
    reason: str = ""


@strawberry.input
class ReportProgressInput:
    goal_id: strawberry.ID
    effective_date: date
    value: Decimal | None = None
    rubric_level: str | None = None
    evidence: list[str] = strawberry.field(default_factory=list)
    reason: str = ""


@strawberry.input
class AssignResponsibilityInput:
    goal_id: strawberry.ID
    party_id: strawberry.ID = strawberry.field(description="A Person or an Organization id.")
    kind: str
    reason: str = ""
    effective_date: date | None = None


@strawberry.type
class GoalPayload:
    goal: Goal | None
    user_errors: list[UserError]


def goal_payload(info: Info[Context, None], written: Written | None,
                 errors: list[UserError]) -> GoalPayload:
    if written is None:
        return GoalPayload(goal=None, user_errors=errors)
    view = goal_views.goal(info.context.conn, str(written.id))
    return GoalPayload(goal=Goal.from_view(view, None) if view else None, user_errors=errors)


def goal_scope(info: Info[Context, None], goal_id: UUID) -> str:
    """The organisation a goal belongs to, for the policy; unknown goals are NotFound."""
    view = goal_views.goal(info.context.conn, str(goal_id))
    if view is None:
        raise NotFoundError(f"no goal with id {goal_id}", field="goalId")
    return view.organization_id


@strawberry.type
class Mutation:
    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def register_organization(
        self, info: Info[Context, None], input: RegisterOrganizationInput
    ) -> RegisterOrganizationPayload:
        ctx = info.context
        assert ctx.principal is not None
        try:
            parent = ids(input.parent_id, "Organization", "parentId") if input.parent_id else None
        except DomainError as error:
            return RegisterOrganizationPayload(organization=None, user_errors=[user_error(error)])

        def authorize() -> None:
            principal = ctx.principal
            assert principal is not None
            allowed = (principal.is_admin if parent is None
                       else policy.may_manage(ctx.conn, principal, str(parent)))
            policy.require(allowed, "register organisations here")

        written, errors = await perform(info, authorize, lambda: ctx.app.register_organization(
            actor(info), name=input.name, kind=input.kind, category=input.category,
            parent_id=parent, effective_date=input.effective_date, reason=input.reason))
        organization = (organization_or_none(info, str(written.id), None)
                        if written else None)
        return RegisterOrganizationPayload(organization=organization, user_errors=errors)

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def draft_goal(self, info: Info[Context, None], input: DraftGoalInput) -> GoalPayload:
        ctx = info.context
        try:
            organization = ids(input.organization_id, "Organization", "organizationId")
            parent = ids(input.parent_id, "Goal", "parentId") if input.parent_id else None
            period = Period(input.period_start, input.period_end)
            indicator = input.indicator.to_domain()
        except DomainError as error:
            return GoalPayload(goal=None, user_errors=[user_error(error)])

        def authorize() -> None:
            assert ctx.principal is not None
            policy.require(policy.may_manage(ctx.conn, ctx.principal, str(organization)),
                           "draft goals for this organisation")

        written, errors = await perform(info, authorize, lambda: ctx.app.draft_goal(
            actor(info), level=input.level, organization_id=organization, field=input.field,
            title=input.title, period=period, indicator=indicator, weight=input.weight,
            description=input.description, parent_id=parent, reason=input.reason))
        return goal_payload(info, written, errors)

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def issue_goal(self, info: Info[Context, None], input: IssueGoalInput) -> GoalPayload:
        ctx = info.context
        try:
            goal_id = ids(input.goal_id, "Goal", "goalId")
            scope = goal_scope(info, goal_id)
        except DomainError as error:
            return GoalPayload(goal=None, user_errors=[user_error(error)])

        def authorize() -> None:
            assert ctx.principal is not None
            policy.require(policy.may_manage(ctx.conn, ctx.principal, scope), "issue this goal")

        written, errors = await perform(info, authorize, lambda: ctx.app.issue_goal(
            actor(info), goal_id, effective_date=input.effective_date, reason=input.reason))
        return goal_payload(info, written, errors)

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def report_progress(
        self, info: Info[Context, None], input: ReportProgressInput
    ) -> GoalPayload:
        ctx = info.context
        try:
            goal_id = ids(input.goal_id, "Goal", "goalId")
            scope = goal_scope(info, goal_id)
        except DomainError as error:
            return GoalPayload(goal=None, user_errors=[user_error(error)])

        def authorize() -> None:
            assert ctx.principal is not None
            policy.require(policy.may_report_progress(ctx.conn, ctx.principal, str(goal_id),
                                                      scope), "report progress on this goal")

        written, errors = await perform(info, authorize, lambda: ctx.app.report_progress(
            actor(info), goal_id, effective_date=input.effective_date, value=input.value,
            rubric_level=input.rubric_level, evidence=input.evidence, reason=input.reason))
        return goal_payload(info, written, errors)

    @strawberry.mutation(permission_classes=AUTHENTICATED)
    async def assign_responsibility(
        self, info: Info[Context, None], input: AssignResponsibilityInput
    ) -> GoalPayload:
        ctx = info.context
        try:
            goal_id = ids(input.goal_id, "Goal", "goalId")
            scope = goal_scope(info, goal_id)
            party_type, party_id = from_global_id(input.party_id)
            if party_type not in ("Person", "Organization"):
                raise NotFoundError("partyId must name a Person or an Organization",
                                    field="partyId")
        except BadIdError as error:
            return GoalPayload(goal=None, user_errors=[user_error(error, "partyId")])
        except DomainError as error:
            return GoalPayload(goal=None, user_errors=[user_error(error)])

        def authorize() -> None:
            assert ctx.principal is not None
            policy.require(policy.may_manage(ctx.conn, ctx.principal, scope),
                           "assign responsibility for this goal")

        written, errors = await perform(info, authorize, lambda: ctx.app.assign_responsibility(
            actor(info), goal_id, party_kind=party_type.lower(), party_id=party_id,
            kind=input.kind, reason=input.reason, effective_date=input.effective_date))
        return goal_payload(info, written, errors)
