"""Mutations of organisations, people and goals: each a plan for `kit.writes` (the ids it
takes, the policy function that decides over which parties, the use case it calls) and the
payload it answers; and the lookups the plans share (a goal's organisation, a party)."""

from __future__ import annotations

from datetime import date
from typing import Protocol
from uuid import UUID

import strawberry

from app import policy
from app.graphql.core import inputs
from app.graphql.core.types import Goal, Organization, Person, person_of
from app.graphql.kit import acks
from app.graphql.kit.errors import UserError
from app.graphql.kit.writes import Command, Writer, record_answer, write
from domain.app_base import Written
from domain.errors import NotFoundError
from domain.values import Period
from projections import goals as goal_views
from projections import organization_tree as tree


def goal_scope(w: Writer, goal_id: UUID, field: str = "goalId") -> str:
    """The organisation a goal belongs to, for the policy; unknown goals are NotFound. A goal
    never changes organisation: the process remembers it."""
    key = ("goal organization", goal_id)
    organization: str | None = w.context.results.get(key)
    if organization is None:
        organization = goal_views.organization_of(w.conn, str(goal_id))
        if organization is None:
            raise NotFoundError(f"no goal with id {goal_id}", field=field)
        w.context.results[key] = organization
    return organization


def parent_scope(w: Writer, goal_id: UUID) -> str | None:
    """The organisation of a goal's parent goal (None for a top goal)."""
    view = goal_views.goal(w.conn, str(goal_id))
    return goal_scope(w, UUID(view.parent_id)) if view and view.parent_id else None


def sibling_weights(w: Writer, given: list[inputs.SubgoalWeightInput],
                    field: str = "siblingWeights") -> dict[UUID, int]:
    return {w.id(each.goal_id, "Goal", field): each.weight for each in given}


def party_of(w: Writer, global_id: str) -> tuple[str, UUID]:
    """A responsible or committing party: a Person or an Organization (its kind in lower
    case, as the domain names it)."""
    party_type, party = w.one_of(global_id, ("Person", "Organization"), "partyId")
    return party_type.lower(), party


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


ORGANIZATION = record_answer(OrganizationPayload, tree.organization,
                             lambda node: Organization.from_view(node, None))
PERSON = record_answer(PersonPayload, tree.person, lambda member: person_of(member, None))
GOAL = record_answer(GoalPayload, goal_views.goal, lambda view: Goal.from_view(view, None))


class GoalStep(Protocol):
    def __call__(self, actor: str, goal_id: UUID, /, *, effective_date: date | None,
                 reason: str) -> Written: ...


def goal_step(w: Writer, step: inputs.GoalStepInput, call: GoalStep) -> Command[None]:
    """Issue or close a goal."""
    goal_id = w.id(step.goal_id, "Goal", "goalId")
    return w.allow_if(policy.may_change_goal, goal_scope(w, goal_id)).call(
        call, goal_id, effective_date=step.effective_date, reason=step.reason)


@strawberry.type
class Mutation:
    # ---- organisations -------------------------------------------------------------------

    @write(ORGANIZATION, "register organisations here")
    def register_organization(w: Writer, input: inputs.RegisterOrganizationInput,
                              ) -> Command[None]:
        parent = w.optional_id(input.parent_id, "Organization", "parentId")
        return w.allow_if(policy.may_register_organization,
                          str(parent) if parent else None).call(
            w.app.register_organization, name=input.name, kind=input.kind,
            category=input.category, parent_id=parent, effective_date=input.effective_date,
            reason=input.reason)

    @write(ORGANIZATION, "rename this organisation")
    def rename_organization(w: Writer, input: inputs.RenameOrganizationInput) -> Command[None]:
        org = w.id(input.organization_id, "Organization", "organizationId")
        return w.allow_if(policy.may_change_organization, str(org)).call(
            w.app.rename_organization, org, name=input.name, reason=input.reason)

    @write(ORGANIZATION, "change this organisation's category")
    def recategorize_organization(w: Writer, input: inputs.RecategorizeOrganizationInput,
                                  ) -> Command[None]:
        org = w.id(input.organization_id, "Organization", "organizationId")
        return w.allow_if(policy.may_change_organization, str(org)).call(
            w.app.recategorize_organization, org, category=input.category, reason=input.reason)

    @write(ORGANIZATION, "move this organisation")
    def move_organization(w: Writer, input: inputs.MoveOrganizationInput) -> Command[None]:
        org = w.id(input.organization_id, "Organization", "organizationId")
        target = w.id(input.new_parent_id, "Organization", "newParentId")
        return w.allow_if(policy.may_move_organization, str(org), str(target)).call(
            w.app.move_organization, org, new_parent_id=target, reason=input.reason,
            effective_date=input.effective_date)

    @write(ORGANIZATION, "dissolve this organisation")
    def dissolve_organization(w: Writer, input: inputs.DissolveOrganizationInput,
                              ) -> Command[None]:
        org = w.id(input.organization_id, "Organization", "organizationId")
        return w.allow_if(policy.may_change_organization, str(org)).call(
            w.app.dissolve_organization, org, reason=input.reason,
            effective_date=input.effective_date)

    # ---- people --------------------------------------------------------------------------

    @write(PERSON, "register people")
    def register_person(w: Writer, input: inputs.RegisterPersonInput) -> Command[None]:
        return w.allow_if(policy.may_register_person).call(
            w.app.register_person, name=input.name, party_member=input.party_member,
            reason=input.reason)

    @write(PERSON, "appoint to posts here")
    def appoint_to_post(w: Writer, input: inputs.PostInput) -> Command[None]:
        person = w.id(input.person_id, "Person", "personId")
        org = w.id(input.organization_id, "Organization", "organizationId")
        return w.allow_if(policy.may_appoint, str(org), str(person)).call(
            w.app.appoint, person, organization_id=org, post=input.post,
            effective_date=input.effective_date, reason=input.reason)

    @write(PERSON, "end posts here")
    def end_post(w: Writer, input: inputs.PostInput) -> Command[None]:
        person = w.id(input.person_id, "Person", "personId")
        org = w.id(input.organization_id, "Organization", "organizationId")
        return w.allow_if(policy.may_appoint, str(org), str(person)).call(
            w.app.end_post, person, organization_id=org, post=input.post,
            effective_date=input.effective_date, reason=input.reason)

    @write(PERSON, "change this person's membership")
    def change_party_membership(w: Writer, input: inputs.ChangePartyMembershipInput,
                                ) -> Command[None]:
        person = w.id(input.person_id, "Person", "personId")
        return w.allow_if(policy.may_change_membership, str(person)).call(
            w.app.change_party_membership, person, party_member=input.party_member,
            effective_date=input.effective_date, reason=input.reason)

    @write(PERSON, "grant roles here")
    def grant_role(w: Writer, input: inputs.RoleInput) -> Command[None]:
        person = w.id(input.person_id, "Person", "personId")
        org = w.id(input.organization_id, "Organization", "organizationId")
        return w.allow_if(policy.may_grant_role, str(org), str(person)).call(
            w.app.grant_role, person, role=input.role, organization_id=org, reason=input.reason)

    @write(PERSON, "revoke roles here")
    def revoke_role(w: Writer, input: inputs.RoleInput) -> Command[None]:
        person = w.id(input.person_id, "Person", "personId")
        org = w.id(input.organization_id, "Organization", "organizationId")
        return w.allow_if(policy.may_grant_role, str(org), str(person)).call(
            w.app.revoke_role, person, role=input.role, organization_id=org,
            reason=input.reason)

    # ---- goals ---------------------------------------------------------------------------

    @write(GOAL, "draft goals for this organisation")
    def draft_goal(w: Writer, input: inputs.DraftGoalInput) -> Command[None]:
        org = w.id(input.organization_id, "Organization", "organizationId")
        parent = w.optional_id(input.parent_id, "Goal", "parentId")
        period = Period(input.period_start, input.period_end)
        indicator = input.indicator.to_domain()
        parent_org = goal_scope(w, parent, "parentId") if parent else None
        siblings = sibling_weights(w, input.sibling_weights)
        return w.allow_if(policy.may_draft_goal, str(org), parent_org).call(
            w.app.draft_goal, level=input.level, organization_id=org, field=input.field,
            title=input.title, period=period, indicator=indicator, weight=input.weight,
            description=input.description, parent_id=parent, sibling_weights=siblings,
            reason=input.reason)

    @write(GOAL, "revise this goal")
    def revise_goal(w: Writer, input: inputs.ReviseGoalInput) -> Command[None]:
        goal_id = w.id(input.goal_id, "Goal", "goalId")
        indicator = input.indicator.to_domain() if input.indicator else None
        return w.allow_if(policy.may_change_goal, goal_scope(w, goal_id)).call(
            w.app.revise_goal, goal_id, reason=input.reason, title=input.title,
            description=input.description, field=input.field,
            period_start=input.period_start, period_end=input.period_end,
            indicator=indicator)

    @write(GOAL, "re-split this goal's weights")
    def reweight_subgoals(w: Writer, input: inputs.ReweightSubgoalsInput) -> Command[None]:
        parent = w.id(input.parent_id, "Goal", "parentId")
        weights = {w.id(each.goal_id, "Goal", "weights"): each.weight for each in input.weights}
        return w.allow_if(policy.may_change_goal, goal_scope(w, parent, "parentId")).call(
            w.app.reweight_subgoals, parent, weights=weights, reason=input.reason)

    @write(GOAL, "issue this goal")
    def issue_goal(w: Writer, input: inputs.GoalStepInput) -> Command[None]:
        return goal_step(w, input, w.app.issue_goal)

    @write(GOAL, "close this goal")
    def close_goal(w: Writer, input: inputs.GoalStepInput) -> Command[None]:
        return goal_step(w, input, w.app.close_goal)

    @write(GOAL, "cancel this goal")
    def cancel_goal(w: Writer, input: inputs.CancelGoalInput) -> Command[None]:
        goal_id = w.id(input.goal_id, "Goal", "goalId")
        siblings = sibling_weights(w, input.sibling_weights)
        return w.allow_if(policy.may_change_goal, goal_scope(w, goal_id),
                          parent_scope(w, goal_id)).call(
            w.app.cancel_goal, goal_id, effective_date=input.effective_date,
            reason=input.reason, sibling_weights=siblings)

    @write(GOAL, "report progress on this goal")
    def report_progress(w: Writer, input: inputs.ReportProgressInput) -> Command[None]:
        goal_id = w.id(input.goal_id, "Goal", "goalId")
        scope = goal_scope(w, goal_id)
        return w.allow_if(policy.may_report_progress, str(goal_id), scope).call(
            w.app.report_progress, goal_id, effective_date=input.effective_date,
            value=input.value, rubric_level=input.rubric_level, evidence=input.evidence,
            reason=input.reason)

    @write(GOAL, "assign responsibility for this goal")
    def assign_responsibility(w: Writer, input: inputs.ResponsibilityInput) -> Command[None]:
        goal_id = w.id(input.goal_id, "Goal", "goalId")
        party_kind, party = party_of(w, input.party_id)
        return w.allow_if(policy.may_assign_responsibility, goal_scope(w, goal_id), party_kind,
                          str(party)).call(
            w.app.assign_responsibility, goal_id, party_kind=party_kind, party_id=party,
            kind=input.kind, reason=input.reason, effective_date=input.effective_date)

    @write(GOAL, "revoke responsibility for this goal")
    def revoke_responsibility(w: Writer, input: inputs.ResponsibilityInput) -> Command[None]:
        goal_id = w.id(input.goal_id, "Goal", "goalId")
        _, party = party_of(w, input.party_id)
        return w.allow_if(policy.may_revoke_responsibility, goal_scope(w, goal_id)).call(
            w.app.revoke_responsibility, goal_id, party_id=party, kind=input.kind,
            reason=input.reason, effective_date=input.effective_date)
