"""Rules of people and their posts."""

from __future__ import annotations

import pytest

from domain.errors import (
    DissolvedError,
    DuplicateError,
    NotFoundError,
    PartyMembershipRequiredError,
)
from tests.unit.builders import ACTOR, organization, person


def test_a_party_post_needs_a_party_member() -> None:
    branch = organization("branch", organization())
    with pytest.raises(PartyMembershipRequiredError):
        person(party_member=False).take_post(actor=ACTOR, organization=branch, post="secretary")


def test_a_staff_post_can_be_held_by_a_non_member() -> None:
    branch = organization("branch", organization())
    staff = person(party_member=False)
    staff.take_post(actor=ACTOR, organization=branch, post="staff")
    assert staff.holds_post_in(branch.id)


def test_the_same_post_in_the_same_organisation_cannot_be_held_twice() -> None:
    branch = organization("branch", organization())
    secretary = person()
    secretary.take_post(actor=ACTOR, organization=branch, post="secretary")
    with pytest.raises(DuplicateError):
        secretary.take_post(actor=ACTOR, organization=branch, post="secretary")


def test_ending_a_post_removes_it_and_a_post_not_held_cannot_end() -> None:
    branch = organization("branch", organization())
    secretary = person()
    secretary.take_post(actor=ACTOR, organization=branch, post="secretary")
    secretary.end_post(actor=ACTOR, organization_id=branch.id, post="secretary")
    assert not secretary.holds_post_in(branch.id)
    with pytest.raises(NotFoundError):
        secretary.end_post(actor=ACTOR, organization_id=branch.id, post="secretary")


def test_leaving_the_party_is_refused_while_holding_party_posts() -> None:
    branch = organization("branch", organization())
    member = person()
    member.take_post(actor=ACTOR, organization=branch, post="member")
    with pytest.raises(PartyMembershipRequiredError):
        member.change_membership(actor=ACTOR, party_member=False)


def test_no_post_in_a_dissolved_organisation() -> None:
    committee = organization()
    branch = organization("branch", committee)
    branch.dissolve(actor=ACTOR, parent=committee, reason="撤并")
    with pytest.raises(DissolvedError):
        person().take_post(actor=ACTOR, organization=branch, post="member")


def test_a_role_is_granted_over_an_organisation_with_a_reason_and_revoked() -> None:
    from domain.errors import InvalidInputError, ReasonRequiredError

    branch = organization("branch", organization())
    inspector = person()
    with pytest.raises(ReasonRequiredError):
        inspector.grant_role(actor=ACTOR, role="inspector", organization=branch, reason="")
    with pytest.raises(InvalidInputError):
        inspector.grant_role(actor=ACTOR, role="emperor", organization=branch, reason="任命")
    inspector.grant_role(actor=ACTOR, role="inspector", organization=branch, reason="纪检任命")
    with pytest.raises(DuplicateError):
        inspector.grant_role(actor=ACTOR, role="inspector", organization=branch, reason="再次")
    inspector.revoke_role(actor=ACTOR, role="inspector", organization_id=branch.id,
                          reason="任期结束")
    assert inspector.roles == []
    with pytest.raises(NotFoundError):
        inspector.revoke_role(actor=ACTOR, role="inspector", organization_id=branch.id,
                              reason="x")
