"""Rules of letters, findings, commitments, projects and sanctions, in memory."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.commitments import Commitment
from domain.errors import (
    InvalidInputError,
    InvalidTransitionError,
    LetterSignedError,
    OutsideParentScopeError,
    ReasonRequiredError,
    SegregationOfDutiesError,
    SignerNotAuthorizedError,
)
from domain.findings import Finding, FindingStatus, person_actor
from domain.goals import Goal
from domain.letters import LetterStatus, ResponsibilityLetter
from domain.organizations import Organization
from domain.people import Person
from domain.projects import Project, ProjectStatus
from domain.sanctions import Sanction
from tests.unit.builders import ACTOR, goal, issued, organization, person

DAY = date(2026, 4, 1)


def secretary_of(org: Organization) -> Person:
    someone = person(name="书记")
    someone.take_post(actor=ACTOR, organization=org, post="secretary")
    return someone


def letter_with_a_goal() -> tuple[ResponsibilityLetter, Goal, Organization, Organization]:
    committee = organization()
    branch = organization("branch", committee, "支部")
    target = issued(goal(branch))
    letter = ResponsibilityLetter.draft(id=uuid4(), actor=ACTOR, issuer=committee,
                                        recipient=branch, recipient_ancestry=[committee.id],
                                        year=2026, title="责任书", sign_by=date(2026, 2, 28))
    letter.list_goal(actor=ACTOR, goal=target, goal_ancestry=[committee.id])
    return letter, target, committee, branch


def test_a_letter_goes_down_the_tree_and_is_signed_by_each_sides_secretary() -> None:
    letter, target, committee, branch = letter_with_a_goal()
    with pytest.raises(OutsideParentScopeError):
        ResponsibilityLetter.draft(id=uuid4(), actor=ACTOR, issuer=branch, recipient=committee,
                                   recipient_ancestry=[], year=2026, title="反向",
                                   sign_by=date(2026, 2, 28))
    with pytest.raises(SignerNotAuthorizedError):
        letter.sign(actor=ACTOR, side="issuer", signer=secretary_of(branch), goals=[target],
                    effective_date=DAY)
    letter.sign(actor=ACTOR, side="issuer", signer=secretary_of(committee), goals=[target],
                effective_date=DAY)
    assert letter.status is LetterStatus.DRAFTED and target.bound_letter is None
    assert letter.is_overdue(date(2026, 3, 1))
    letter.sign(actor=ACTOR, side="recipient", signer=secretary_of(branch), goals=[target],
                effective_date=DAY)
    assert letter.status is LetterStatus.SIGNED and target.bound_letter == letter.id
    with pytest.raises(LetterSignedError):
        target.reweight(actor=ACTOR, weight=50, reason="调整")
    with pytest.raises(ReasonRequiredError):
        letter.propose_amendment(actor=ACTOR, amendment_id=uuid4(), goal_id=target.id,
                                 changes={"title": "新"}, reason="")


def test_nobody_verifies_a_rectification_they_submitted_or_own() -> None:
    branch = organization("branch", organization(), "支部")
    owner, doer = person(name="主责"), person(name="经办")
    finding = Finding.raise_finding(id=uuid4(), actor=ACTOR, title="问题", description="",
                                    source="inspection", severity="minor", organization=branch,
                                    owner=owner, deadline=date(2026, 5, 1), effective_date=DAY)
    with pytest.raises(InvalidTransitionError):
        finding.submit(actor=ACTOR, evidence=["x"], effective_date=DAY)  # no measure yet
    finding.plan_measure(actor=ACTOR, measure_id=uuid4(), description="整改", owner=doer,
                         due_date=date(2026, 4, 20))
    finding.submit(actor="person:clerk", evidence=["证明"], effective_date=DAY)
    for who in ("person:clerk", person_actor(owner.id), person_actor(doer.id)):
        with pytest.raises(SegregationOfDutiesError):
            finding.verify(actor=who, effective_date=DAY)
    with pytest.raises(ReasonRequiredError):
        finding.return_for_rework(actor="person:inspector", reason="", effective_date=DAY)
    finding.return_for_rework(actor="person:inspector", reason="不充分", effective_date=DAY)
    assert finding.status is FindingStatus.OPEN
    finding.submit(actor="person:clerk", evidence=["补充"], effective_date=DAY)
    finding.verify(actor="person:inspector", effective_date=DAY)
    assert finding.status is FindingStatus.CLOSED


def test_a_closed_finding_is_reopened_with_a_reason_by_someone_other_than_its_owners() -> None:
    branch = organization("branch", organization(), "支部")
    owner, doer = person(name="主责"), person(name="经办")
    finding = Finding.raise_finding(id=uuid4(), actor=ACTOR, title="问题", description="",
                                    source="inspection", severity="minor", organization=branch,
                                    owner=owner, deadline=date(2026, 5, 1), effective_date=DAY)
    finding.plan_measure(actor=ACTOR, measure_id=uuid4(), description="整改", owner=doer,
                         due_date=date(2026, 4, 20))
    with pytest.raises(InvalidTransitionError):
        finding.reopen(actor="person:inspector", reason="复查", effective_date=DAY)  # open
    finding.submit(actor="person:clerk", evidence=["证明"], effective_date=DAY)
    finding.verify(actor="person:inspector", effective_date=DAY)
    for who in (person_actor(owner.id), person_actor(doer.id)):
        with pytest.raises(SegregationOfDutiesError):
            finding.reopen(actor=who, reason="自行打开", effective_date=DAY)
    with pytest.raises(ReasonRequiredError):
        finding.reopen(actor="person:inspector", reason=" ", effective_date=DAY)
    finding.reopen(actor="person:inspector", reason="回头看发现问题反弹", effective_date=DAY)
    assert finding.status is FindingStatus.OPEN
    finding.submit(actor="person:clerk", evidence=["再次整改"], effective_date=DAY)
    with pytest.raises(SegregationOfDutiesError):
        finding.verify(actor="person:clerk", effective_date=DAY)
    finding.verify(actor="person:inspector", effective_date=DAY)
    assert finding.status is FindingStatus.CLOSED


def test_a_project_is_accepted_only_in_progress_with_every_milestone_reached() -> None:
    branch = organization("branch", organization(), "支部")
    project = Project.propose(id=uuid4(), actor=ACTOR, project_type="promotion",
                              organization=branch, leader=person(), title="项目",
                              description="", goals=[], milestones=[("方案", DAY)])
    with pytest.raises(InvalidTransitionError):
        project.step(actor=ACTOR, step="accept", effective_date=DAY)
    with pytest.raises(ReasonRequiredError):
        project.step(actor=ACTOR, step="reject", effective_date=DAY)
    project.step(actor=ACTOR, step="approve", effective_date=DAY)
    project.step(actor=ACTOR, step="start", effective_date=DAY)
    with pytest.raises(InvalidTransitionError):
        project.step(actor=ACTOR, step="accept", effective_date=DAY)
    project.reach_milestone(actor=ACTOR, index=0, evidence=[], effective_date=DAY)
    project.step(actor=ACTOR, step="accept", effective_date=DAY)
    assert project.status is ProjectStatus.ACCEPTED


def test_sanctions_cite_their_basis_and_are_revoked_not_deleted() -> None:
    branch = organization("branch", organization(), "支部")
    with pytest.raises(InvalidInputError):
        Sanction.issue(id=uuid4(), actor=ACTOR, kind="written_warning", party=person(),
                       organization=branch, basis=[], effective_date=DAY, reason="逾期")
    sanction = Sanction.issue(id=uuid4(), actor=ACTOR, kind="accountability", party=person(),
                              organization=branch, basis=[("evaluation", uuid4())],
                              effective_date=DAY, reason="问责")
    sanction.revoke(actor=ACTOR, reason="复查撤销", effective_date=DAY)
    with pytest.raises(InvalidTransitionError):
        sanction.revoke(actor=ACTOR, reason="再次", effective_date=DAY)
    assert [type(e).__name__ for e in sanction.collect_events()] == ["Issued", "Revoked"]


def test_a_commitment_is_concluded_once_with_a_reason() -> None:
    branch = organization("branch", organization(), "支部")
    commitment = Commitment.make(id=uuid4(), actor=ACTOR, party=branch, organization=branch,
                                 title="承诺", content="内容", due_date=date(2026, 12, 31),
                                 effective_date=DAY)
    with pytest.raises(ReasonRequiredError):
        commitment.conclude(actor=ACTOR, fulfilled=True, effective_date=DAY, reason="")
    commitment.conclude(actor=ACTOR, fulfilled=False, effective_date=DAY, reason="未兑现")
    with pytest.raises(InvalidTransitionError):
        commitment.follow_up(actor=ACTOR, note="补充", evidence=[], effective_date=DAY)
