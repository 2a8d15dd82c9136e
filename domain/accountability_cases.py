"""Use cases of responsibility and accountability: letters and their amendments, public
commitments, findings and their rectification, party-building projects, rewards and
restraints. Each follows get → decide → one atomic save, with the actor passed explicitly."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from domain.app_base import Written
from domain.commitments import Commitment
from domain.core_cases import CoreCases
from domain.errors import InvalidInputError
from domain.evaluations import Evaluation
from domain.findings import Finding
from domain.goals import Goal, settle_subgoal_weights
from domain.letters import ResponsibilityLetter
from domain.organizations import Organization
from domain.people import Person
from domain.projects import Project
from domain.sanctions import BasisKind, Sanction
from domain.values import Indicator, PartyKind, Period, indicator_from_dict, parse_enum


def amendment_changes(title: str | None, description: str | None, period: Period | None,
                      indicator: Indicator | None, weights: Mapping[UUID, int] | None = None,
                      cancel: bool = False) -> dict[str, Any]:
    """The plain form an amendment's changes are stored in (only what changes): `weights`,
    the new split of the goal's live siblings under its parent (the goal itself included
    unless it is cancelled); `cancel`, the goal cancelled."""
    changes: dict[str, Any] = {}
    if cancel:
        changes["cancel"] = True
    if weights:
        changes["weights"] = {str(goal_id): weight for goal_id, weight in weights.items()}
    if title is not None:
        changes["title"] = title
    if description is not None:
        changes["description"] = description
    if period is not None:
        changes["period_start"] = period.start.isoformat()
        changes["period_end"] = period.end.isoformat()
    if indicator is not None:
        changes["indicator"] = indicator.to_dict()
    return changes


CITED: dict[BasisKind, type[Evaluation | Finding | ResponsibilityLetter]] = {
    BasisKind.EVALUATION: Evaluation, BasisKind.FINDING: Finding,
    BasisKind.LETTER: ResponsibilityLetter,
}


class AccountabilityCases(CoreCases):
    def _party(self, party_kind: str, party_id: UUID) -> Person | Organization:
        if parse_enum(PartyKind, party_kind, "partyKind") is PartyKind.PERSON:
            return self.get(Person, party_id, "partyId")
        return self.get(Organization, party_id, "partyId")

    # ---- responsibility letters ----------------------------------------------------------

    def draft_letter(
        self, actor: str, *, issuer_id: UUID, recipient_id: UUID, year: int, title: str,
        sign_by: date, goal_ids: Sequence[UUID] = (), reason: str = "",
        id: UUID | None = None,
    ) -> Written:
        issuer = self.get(Organization, issuer_id, "issuerId")
        recipient = self.get(Organization, recipient_id, "recipientId")
        letter = ResponsibilityLetter.draft(
            id=self._new_id(id), actor=actor, issuer=issuer, recipient=recipient,
            recipient_ancestry=self.ancestry(recipient), year=year, title=title,
            sign_by=sign_by, reason=reason)
        for goal_id in goal_ids:
            goal = self.get(Goal, goal_id, "goalIds")
            letter.list_goal(actor=actor, goal=goal,
                             goal_ancestry=self.ancestry(self.get(Organization,
                                                                  goal.organization_id)))
        return Written(letter.id, self.commit(actor, letter))

    def list_letter_goal(self, actor: str, letter_id: UUID, *, goal_id: UUID,
                         reason: str = "") -> Written:
        letter = self.get(ResponsibilityLetter, letter_id, "letterId")
        goal = self.get(Goal, goal_id, "goalId")
        letter.list_goal(actor=actor, goal=goal, reason=reason,
                         goal_ancestry=self.ancestry(self.get(Organization,
                                                              goal.organization_id)))
        return Written(letter.id, self.commit(actor, letter))

    def sign_letter(self, actor: str, letter_id: UUID, *, side: str, signer_id: UUID,
                    effective_date: date, reason: str = "") -> Written:
        """One side's secretary signs; the second signature binds the letter's goals."""
        letter = self.get(ResponsibilityLetter, letter_id, "letterId")
        signer = self.get(Person, signer_id, "signerId")
        goals = [self.get(Goal, goal_id) for goal_id in letter.goal_ids]
        letter.sign(actor=actor, side=side, signer=signer, goals=goals,
                    effective_date=effective_date, reason=reason)
        return Written(letter.id, self.commit(actor, letter, *goals))

    def propose_amendment(
        self, actor: str, letter_id: UUID, *, goal_id: UUID, reason: str,
        title: str | None = None, description: str | None = None,
        period: Period | None = None, indicator: Indicator | None = None,
        weights: Mapping[UUID, int] | None = None, cancel: bool = False,
        amendment_id: UUID | None = None,
    ) -> Written:
        """Propose a change to a goal on a signed letter; it takes effect once approved. It
        may re-split the weights of the goal and its siblings, and cancel the goal."""
        letter = self.get(ResponsibilityLetter, letter_id, "letterId")
        if weights:
            goal = self.get(Goal, goal_id, "goalId")
            parent = self._parent_goal(goal)
            siblings = {g.id for g in self.subgoals(parent)} if parent else set()
            strangers = [w for w in weights if w not in siblings]
            if strangers:
                raise InvalidInputError(f"{strangers[0]} is not a subgoal beside the amended "
                                        "goal", field="weights")
        letter.propose_amendment(actor=actor, amendment_id=amendment_id or uuid4(),
                                 goal_id=goal_id,
                                 changes=amendment_changes(title, description, period,
                                                           indicator, weights, cancel),
                                 reason=reason)
        return Written(letter.id, self.commit(actor, letter))

    def approve_amendment(self, actor: str, letter_id: UUID, *, amendment_id: UUID,
                          reason: str = "") -> Written:
        """The issuing side approves, and the goal changes in the same write."""
        letter = self.get(ResponsibilityLetter, letter_id, "letterId")
        amendment = letter.pending_amendment(amendment_id)
        goal = self.get(Goal, amendment["goal_id"])
        changes = amendment["changes"]
        period = None
        if "period_start" in changes:
            period = Period(date.fromisoformat(changes["period_start"]),
                            date.fromisoformat(changes["period_end"]))
        letter.approve_amendment(actor=actor, amendment_id=amendment_id, reason=reason)
        why = f"责任书修正案 {amendment_id}: {reason}".strip()
        parent = self._parent_goal(goal)
        goal.revise(actor=actor, reason=why, parent=parent, subgoals=self.subgoals(goal),
                    title=changes.get("title"), description=changes.get("description"),
                    period=period,
                    indicator=(indicator_from_dict(changes["indicator"])
                               if "indicator" in changes else None),
                    amendment=amendment_id)
        approved = (letter.id, amendment_id)
        if changes.get("cancel"):
            goal.cancel(actor=actor, subgoals=self.subgoals(goal), reason=why,
                        amendment=approved)
        resplit: list[Goal] = []
        if parent is not None and (changes.get("cancel") or "weights" in changes):
            weights = {UUID(k): int(v) for k, v in changes.get("weights", {}).items()}
            siblings = [g for g in self.subgoals(parent) if g.id != goal.id]
            resplit = settle_subgoal_weights(parent, [*siblings, goal], weights, actor=actor,
                                             reason=why, amendment=approved)
        return Written(letter.id, self.commit(actor, letter, goal, *resplit))

    def reject_amendment(self, actor: str, letter_id: UUID, *, amendment_id: UUID,
                         reason: str) -> Written:
        letter = self.get(ResponsibilityLetter, letter_id, "letterId")
        letter.reject_amendment(actor=actor, amendment_id=amendment_id, reason=reason)
        return Written(letter.id, self.commit(actor, letter))

    # ---- public commitments --------------------------------------------------------------

    def make_commitment(
        self, actor: str, *, party_kind: str, party_id: UUID, organization_id: UUID,
        title: str, content: str, due_date: date, effective_date: date, reason: str = "",
        id: UUID | None = None,
    ) -> Written:
        commitment = Commitment.make(
            id=self._new_id(id), actor=actor, party=self._party(party_kind, party_id),
            organization=self.get(Organization, organization_id, "organizationId"),
            title=title, content=content, due_date=due_date, effective_date=effective_date,
            reason=reason)
        return Written(commitment.id, self.commit(actor, commitment))

    def follow_up_commitment(self, actor: str, commitment_id: UUID, *, note: str,
                             evidence: Sequence[str], effective_date: date,
                             reason: str = "") -> Written:
        commitment = self.get(Commitment, commitment_id, "commitmentId")
        commitment.follow_up(actor=actor, note=note, evidence=evidence,
                             effective_date=effective_date, reason=reason)
        return Written(commitment.id, self.commit(actor, commitment))

    def conclude_commitment(self, actor: str, commitment_id: UUID, *, fulfilled: bool,
                            effective_date: date, reason: str) -> Written:
        commitment = self.get(Commitment, commitment_id, "commitmentId")
        commitment.conclude(actor=actor, fulfilled=fulfilled, effective_date=effective_date,
                            reason=reason)
        return Written(commitment.id, self.commit(actor, commitment))

    # ---- findings and rectification ------------------------------------------------------

    def raise_finding(
        self, actor: str, *, title: str, source: str, severity: str, organization_id: UUID,
        owner_id: UUID, deadline: date, effective_date: date, description: str = "",
        goal_id: UUID | None = None, evaluation_id: UUID | None = None, reason: str = "",
        id: UUID | None = None,
    ) -> Written:
        if goal_id is not None:
            self.get(Goal, goal_id, "goalId")
        if evaluation_id is not None:
            self.get(Evaluation, evaluation_id, "evaluationId")
        finding = Finding.raise_finding(
            id=self._new_id(id), actor=actor, title=title, description=description,
            source=source, severity=severity,
            organization=self.get(Organization, organization_id, "organizationId"),
            owner=self.get(Person, owner_id, "ownerId"), deadline=deadline,
            effective_date=effective_date, goal_id=goal_id, evaluation_id=evaluation_id,
            reason=reason)
        return Written(finding.id, self.commit(actor, finding))

    def plan_measure(self, actor: str, finding_id: UUID, *, description: str,
                     owner_id: UUID, due_date: date, reason: str = "",
                     measure_id: UUID | None = None) -> Written:
        finding = self.get(Finding, finding_id, "findingId")
        finding.plan_measure(actor=actor, measure_id=measure_id or uuid4(),
                             description=description,
                             owner=self.get(Person, owner_id, "ownerId"), due_date=due_date,
                             reason=reason)
        return Written(finding.id, self.commit(actor, finding))

    def submit_rectification(self, actor: str, finding_id: UUID, *, evidence: Sequence[str],
                             effective_date: date, reason: str = "") -> Written:
        finding = self.get(Finding, finding_id, "findingId")
        finding.submit(actor=actor, evidence=evidence, effective_date=effective_date,
                       reason=reason)
        return Written(finding.id, self.commit(actor, finding))

    def verify_rectification(self, actor: str, finding_id: UUID, *, effective_date: date,
                             reason: str = "") -> Written:
        """销号. Refused to whoever submitted it or owns the finding or one of its measures."""
        finding = self.get(Finding, finding_id, "findingId")
        finding.verify(actor=actor, effective_date=effective_date, reason=reason)
        return Written(finding.id, self.commit(actor, finding))

    def return_rectification(self, actor: str, finding_id: UUID, *, reason: str,
                             effective_date: date) -> Written:
        """退回 with a reason: the finding is open again."""
        finding = self.get(Finding, finding_id, "findingId")
        finding.return_for_rework(actor=actor, reason=reason, effective_date=effective_date)
        return Written(finding.id, self.commit(actor, finding))

    def reopen_finding(self, actor: str, finding_id: UUID, *, reason: str,
                       effective_date: date) -> Written:
        """重新打开 a closed finding, with a reason: it must be rectified and verified again."""
        finding = self.get(Finding, finding_id, "findingId")
        finding.reopen(actor=actor, reason=reason, effective_date=effective_date)
        return Written(finding.id, self.commit(actor, finding))

    # ---- party-building projects ---------------------------------------------------------

    def propose_project(
        self, actor: str, *, project_type: str, organization_id: UUID, leader_id: UUID,
        title: str, milestones: Sequence[tuple[str, date]], goal_ids: Sequence[UUID] = (),
        description: str = "", reason: str = "", id: UUID | None = None,
    ) -> Written:
        project = Project.propose(
            id=self._new_id(id), actor=actor, project_type=project_type,
            organization=self.get(Organization, organization_id, "organizationId"),
            leader=self.get(Person, leader_id, "leaderId"), title=title,
            description=description,
            goals=[self.get(Goal, goal_id, "goalIds") for goal_id in goal_ids],
            milestones=milestones, reason=reason)
        return Written(project.id, self.commit(actor, project))

    def step_project(self, actor: str, project_id: UUID, *, step: str, effective_date: date,
                     reason: str = "") -> Written:
        """approve, start, accept or reject (rejection needs a reason)."""
        project = self.get(Project, project_id, "projectId")
        project.step(actor=actor, step=step, effective_date=effective_date, reason=reason)
        return Written(project.id, self.commit(actor, project))

    def reach_milestone(self, actor: str, project_id: UUID, *, index: int,
                        evidence: Sequence[str], effective_date: date,
                        reason: str = "") -> Written:
        project = self.get(Project, project_id, "projectId")
        project.reach_milestone(actor=actor, index=index, evidence=evidence,
                                effective_date=effective_date, reason=reason)
        return Written(project.id, self.commit(actor, project))

    # ---- rewards and restraints ----------------------------------------------------------

    def issue_sanction(
        self, actor: str, *, kind: str, party_kind: str, party_id: UUID,
        organization_id: UUID, basis: Sequence[tuple[str, UUID]], effective_date: date,
        reason: str, id: UUID | None = None,
    ) -> Written:
        """A reward or restraint; the evaluations, findings and letters it cites must exist."""
        for basis_kind, ref in basis:
            self.get(CITED[parse_enum(BasisKind, basis_kind, "basis.kind")], ref, "basis")
        party = self._party(party_kind, party_id)
        organization = self.get(Organization, organization_id, "organizationId")
        if isinstance(party, Organization) and party.id != organization.id:
            raise InvalidInputError("an organisation's sanction is issued in its own name",
                                    field="organizationId")
        sanction = Sanction.issue(id=self._new_id(id), actor=actor, kind=kind, party=party,
                                  organization=organization, basis=basis,
                                  effective_date=effective_date, reason=reason)
        return Written(sanction.id, self.commit(actor, sanction))

    def revoke_sanction(self, actor: str, sanction_id: UUID, *, reason: str,
                        effective_date: date) -> Written:
        sanction = self.get(Sanction, sanction_id, "sanctionId")
        sanction.revoke(actor=actor, reason=reason, effective_date=effective_date)
        return Written(sanction.id, self.commit(actor, sanction))
