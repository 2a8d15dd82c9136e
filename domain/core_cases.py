"""The foundation's use cases, in the domain's words: organisations, people and posts, goals
and responsibilities. Each takes the actor explicitly, follows get → decide → save (one atomic
save per use case) and returns what the caller needs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from domain.app_base import ApplicationBase, Written
from domain.errors import NotFoundError
from domain.goals import Goal, settle_subgoal_weights
from domain.organizations import Organization
from domain.people import Person
from domain.values import GoalStatus, Indicator, PartyKind, Period, parse_enum


class CoreCases(ApplicationBase):
    def ancestry(self, organization: Organization) -> list[UUID]:
        ancestors: list[UUID] = []
        parent_id = organization.parent_id
        while parent_id is not None:
            ancestors.append(parent_id)
            parent_id = self.get(Organization, parent_id).parent_id
        return ancestors

    def subgoals(self, goal: Goal) -> list[Goal]:
        return [self.get(Goal, goal_id) for goal_id in goal.subgoal_ids]

    def _parent_goal(self, goal: Goal) -> Goal | None:
        return self.get(Goal, goal.parent_id) if goal.parent_id else None


    # ---- organisations -------------------------------------------------------------------

    def register_organization(
        self, actor: str, *, name: str, kind: str, category: str,
        parent_id: UUID | None = None, effective_date: date | None = None,
        reason: str = "", id: UUID | None = None,
    ) -> Written:
        parent = self.get(Organization, parent_id, "parentId") if parent_id else None
        org = Organization.register(
            id=self._new_id(id), actor=actor, name=name, kind=kind, category=category,
            parent=parent, effective_date=effective_date, reason=reason,
        )
        return Written(org.id, self.commit(actor, org, parent))

    def rename_organization(
        self, actor: str, organization_id: UUID, *, name: str, reason: str = ""
    ) -> Written:
        org = self.get(Organization, organization_id)
        org.rename(actor=actor, name=name, reason=reason)
        return Written(org.id, self.commit(actor, org))

    def recategorize_organization(
        self, actor: str, organization_id: UUID, *, category: str, reason: str
    ) -> Written:
        org = self.get(Organization, organization_id)
        org.recategorize(actor=actor, category=category, reason=reason)
        return Written(org.id, self.commit(actor, org))

    def move_organization(
        self, actor: str, organization_id: UUID, *, new_parent_id: UUID, reason: str,
        effective_date: date | None = None,
    ) -> Written:
        org = self.get(Organization, organization_id)
        if org.parent_id is None:
            raise NotFoundError("the root organisation has no parent to move from", field="id")
        old_parent = self.get(Organization, org.parent_id)
        new_parent = self.get(Organization, new_parent_id, "parentId")
        org.move(actor=actor, old_parent=old_parent, new_parent=new_parent,
                 new_parent_ancestry=self.ancestry(new_parent), reason=reason,
                 effective_date=effective_date)
        return Written(org.id, self.commit(actor, org, old_parent, new_parent))

    def dissolve_organization(
        self, actor: str, organization_id: UUID, *, reason: str,
        effective_date: date | None = None,
    ) -> Written:
        org = self.get(Organization, organization_id)
        parent = self.get(Organization, org.parent_id) if org.parent_id else None
        org.dissolve(actor=actor, parent=parent, reason=reason, effective_date=effective_date)
        return Written(org.id, self.commit(actor, org, parent))

    # ---- people --------------------------------------------------------------------------

    def register_person(
        self, actor: str, *, name: str, party_member: bool, reason: str = "",
        id: UUID | None = None,
    ) -> Written:
        person = Person.register(id=self._new_id(id), actor=actor, name=name,
                                 party_member=party_member, reason=reason)
        return Written(person.id, self.commit(actor, person))

    def appoint(
        self, actor: str, person_id: UUID, *, organization_id: UUID, post: str,
        effective_date: date | None = None, reason: str = "",
    ) -> Written:
        """Give a person a post in an organisation (secretary, member, staff, ...)."""
        person = self.get(Person, person_id, "personId")
        organization = self.get(Organization, organization_id, "organizationId")
        person.take_post(actor=actor, organization=organization, post=post,
                         effective_date=effective_date, reason=reason)
        return Written(person.id, self.commit(actor, person))

    def end_post(
        self, actor: str, person_id: UUID, *, organization_id: UUID, post: str,
        effective_date: date | None = None, reason: str = "",
    ) -> Written:
        person = self.get(Person, person_id, "personId")
        person.end_post(actor=actor, organization_id=organization_id, post=post,
                        effective_date=effective_date, reason=reason)
        return Written(person.id, self.commit(actor, person))

    def grant_role(
        self, actor: str, person_id: UUID, *, role: str, organization_id: UUID, reason: str
    ) -> Written:
        """An explicit role (admin, secretary, member, evaluator, inspector) over the subtree
        of an organisation."""
        person = self.get(Person, person_id, "personId")
        organization = self.get(Organization, organization_id, "organizationId")
        person.grant_role(actor=actor, role=role, organization=organization, reason=reason)
        return Written(person.id, self.commit(actor, person))

    def revoke_role(
        self, actor: str, person_id: UUID, *, role: str, organization_id: UUID, reason: str
    ) -> Written:
        person = self.get(Person, person_id, "personId")
        person.revoke_role(actor=actor, role=role, organization_id=organization_id,
                           reason=reason)
        return Written(person.id, self.commit(actor, person))

    def change_party_membership(
        self, actor: str, person_id: UUID, *, party_member: bool,
        effective_date: date | None = None, reason: str = "",
    ) -> Written:
        person = self.get(Person, person_id, "personId")
        person.change_membership(actor=actor, party_member=party_member,
                                 effective_date=effective_date, reason=reason)
        return Written(person.id, self.commit(actor, person))

    # ---- goals ---------------------------------------------------------------------------

    def draft_goal(
        self, actor: str, *, level: str, organization_id: UUID, field: str, title: str,
        period: Period, indicator: Indicator, weight: int, description: str = "",
        parent_id: UUID | None = None, sibling_weights: Mapping[UUID, int] | None = None,
        reason: str = "", id: UUID | None = None,
    ) -> Written:
        """Draft a goal, as a subgoal when `parent_id` is given. Under an issued parent the
        weights must still sum to 100, so `sibling_weights` can re-split them in the same
        write."""
        organization = self.get(Organization, organization_id, "organizationId")
        parent = self.get(Goal, parent_id, "parentId") if parent_id else None
        siblings = self.subgoals(parent) if parent else []
        goal = Goal.draft(
            id=self._new_id(id), actor=actor, level=level, organization=organization,
            organization_ancestry=self.ancestry(organization), parent=parent, field=field,
            title=title, description=description, period=period, indicator=indicator,
            weight=weight, reason=reason,
        )
        changed: list[Goal] = []
        if parent is not None:
            changed = settle_subgoal_weights(parent, [*siblings, goal], sibling_weights or {},
                                             actor=actor, reason=reason)
        return Written(goal.id, self.commit(actor, goal, parent, *changed))

    def revise_goal(
        self, actor: str, goal_id: UUID, *, reason: str = "", title: str | None = None,
        description: str | None = None, field: str | None = None,
        period: Period | None = None, indicator: Indicator | None = None,
        period_start: date | None = None, period_end: date | None = None,
    ) -> Written:
        goal = self.get(Goal, goal_id)
        goal.revise(actor=actor, reason=reason, parent=self._parent_goal(goal),
                    subgoals=self.subgoals(goal), title=title, description=description,
                    field=field, period=period, indicator=indicator,
                    period_start=period_start, period_end=period_end)
        return Written(goal.id, self.commit(actor, goal))

    def reweight_subgoals(
        self, actor: str, parent_id: UUID, *, weights: Mapping[UUID, int], reason: str = ""
    ) -> Written:
        """Re-split the weights of a goal's subgoals in one change."""
        parent = self.get(Goal, parent_id, "parentId")
        changed = settle_subgoal_weights(parent, self.subgoals(parent), weights,
                                         actor=actor, reason=reason)
        return Written(parent.id, self.commit(actor, parent, *changed))

    def issue_goal(
        self, actor: str, goal_id: UUID, *, effective_date: date | None = None,
        reason: str = "",
    ) -> Written:
        """下达: issue a drafted goal; its subgoals' weights must sum to 100."""
        goal = self.get(Goal, goal_id)
        goal.issue(actor=actor, parent=self._parent_goal(goal), subgoals=self.subgoals(goal),
                   effective_date=effective_date, reason=reason)
        return Written(goal.id, self.commit(actor, goal))

    def issue_goal_tree(
        self, actor: str, root_id: UUID, *, effective_date: date | None = None,
        reason: str = "",
    ) -> Written:
        """Issue a drafted goal and every drafted goal below it, top-down, in one write."""
        root = self.get(Goal, root_id)
        issued: list[Goal] = []

        def issue(goal: Goal, parent: Goal | None) -> None:
            subgoals = self.subgoals(goal)
            goal.issue(actor=actor, parent=parent, subgoals=subgoals,
                       effective_date=effective_date, reason=reason)
            issued.append(goal)
            for subgoal in subgoals:
                if subgoal.status is GoalStatus.DRAFTED:
                    issue(subgoal, goal)

        issue(root, self._parent_goal(root))
        return Written(root.id, self.commit(actor, *issued))

    def close_goal(
        self, actor: str, goal_id: UUID, *, effective_date: date | None = None,
        reason: str = "",
    ) -> Written:
        goal = self.get(Goal, goal_id)
        goal.close(actor=actor, effective_date=effective_date, reason=reason)
        return Written(goal.id, self.commit(actor, goal))

    def cancel_goal(
        self, actor: str, goal_id: UUID, *, reason: str, effective_date: date | None = None,
        sibling_weights: Mapping[UUID, int] | None = None,
    ) -> Written:
        """Cancel a goal; under an issued parent, `sibling_weights` re-split the remainder."""
        goal = self.get(Goal, goal_id)
        goal.cancel(actor=actor, subgoals=self.subgoals(goal), reason=reason,
                    effective_date=effective_date)
        parent = self._parent_goal(goal)
        changed: list[Goal] = []
        if parent is not None:
            siblings = [g for g in self.subgoals(parent) if g.id != goal.id]
            changed = settle_subgoal_weights(parent, [*siblings, goal], sibling_weights or {},
                                             actor=actor, reason=reason)
        return Written(goal.id, self.commit(actor, goal, *changed))

    def report_progress(
        self, actor: str, goal_id: UUID, *, effective_date: date, value: Any = None,
        rubric_level: str | None = None, evidence: Sequence[str] = (), reason: str = "",
    ) -> Written:
        goal = self.get(Goal, goal_id)
        goal.report_progress(actor=actor, effective_date=effective_date, value=value,
                             rubric_level=rubric_level, evidence=evidence, reason=reason)
        return Written(goal.id, self.commit(actor, goal))

    def assign_responsibility(
        self, actor: str, goal_id: UUID, *, party_kind: str, party_id: UUID, kind: str,
        reason: str = "", effective_date: date | None = None,
    ) -> Written:
        goal = self.get(Goal, goal_id)
        party: Person | Organization
        if parse_enum(PartyKind, party_kind, "partyKind") is PartyKind.PERSON:
            party = self.get(Person, party_id, "partyId")
        else:
            party = self.get(Organization, party_id, "partyId")
        goal.assign_responsibility(actor=actor, party=party, kind=kind, reason=reason,
                                   effective_date=effective_date)
        return Written(goal.id, self.commit(actor, goal))

    def revoke_responsibility(
        self, actor: str, goal_id: UUID, *, party_id: UUID, kind: str, reason: str = "",
        effective_date: date | None = None,
    ) -> Written:
        goal = self.get(Goal, goal_id)
        goal.revoke_responsibility(actor=actor, party_id=party_id, kind=kind, reason=reason,
                                   effective_date=effective_date)
        return Written(goal.id, self.commit(actor, goal))
