"""Rules of the organisation tree."""

from __future__ import annotations

import pytest

from domain.errors import (
    CycleError,
    DissolvedError,
    HasActiveChildrenError,
    HierarchyError,
    InvalidInputError,
    ReasonRequiredError,
)
from tests.unit.builders import ACTOR, organization


def test_registering_under_a_parent_attaches_the_child_to_the_parent() -> None:
    committee = organization()
    branch = organization("branch", committee, "营销中心党支部")
    assert branch.parent_id == committee.id
    assert committee.child_ids == [branch.id]
    assert [type(e).__name__ for e in committee.collect_events()] == ["Registered",
                                                                      "ChildAttached"]


def test_a_committee_may_sit_under_a_committee() -> None:
    province = organization()
    assert organization("committee", province).parent_id == province.id


@pytest.mark.parametrize(("parent_kind", "child_kind"), [
    ("branch", "general_branch"), ("branch", "branch"), ("group", "group"),
    ("general_branch", "committee"),
])
def test_kinds_must_step_down_the_tree(parent_kind: str, child_kind: str) -> None:
    parent = organization(parent_kind)
    with pytest.raises(HierarchyError):
        organization(child_kind, parent)


def test_an_unknown_kind_is_refused_with_the_allowed_values() -> None:
    with pytest.raises(InvalidInputError, match="committee, general_branch, branch, group"):
        organization("platoon")


def test_an_empty_name_is_refused() -> None:
    with pytest.raises(InvalidInputError) as error:
        organization(name="   ")
    assert error.value.field == "name"


def test_moving_detaches_from_the_old_parent_and_attaches_to_the_new() -> None:
    committee = organization()
    logistics = organization("general_branch", committee)
    branch = organization("branch", committee)
    branch.move(actor=ACTOR, old_parent=committee, new_parent=logistics,
                new_parent_ancestry=[committee.id], reason="机构改革")
    assert branch.parent_id == logistics.id
    assert committee.child_ids == [logistics.id]
    assert logistics.child_ids == [branch.id]


def test_moving_under_its_own_descendant_is_refused() -> None:
    committee = organization()
    upper = organization("committee", committee)
    lower = organization("committee", upper)
    with pytest.raises(CycleError):
        upper.move(actor=ACTOR, old_parent=committee, new_parent=lower,
                   new_parent_ancestry=[upper.id, committee.id], reason="调整")


def test_moving_under_itself_is_refused() -> None:
    committee = organization()
    upper = organization("committee", committee)
    with pytest.raises(CycleError):
        upper.move(actor=ACTOR, old_parent=committee, new_parent=upper,
                   new_parent_ancestry=[committee.id], reason="调整")


def test_moving_needs_a_reason() -> None:
    committee = organization()
    logistics = organization("general_branch", committee)
    branch = organization("branch", committee)
    with pytest.raises(ReasonRequiredError):
        branch.move(actor=ACTOR, old_parent=committee, new_parent=logistics,
                    new_parent_ancestry=[committee.id], reason=" ")


def test_dissolving_is_refused_while_active_children_remain() -> None:
    committee = organization()
    organization("branch", committee)
    with pytest.raises(HasActiveChildrenError):
        committee.dissolve(actor=ACTOR, parent=None, reason="撤销")


def test_dissolving_a_leaf_detaches_it_and_freezes_it() -> None:
    committee = organization()
    branch = organization("branch", committee)
    branch.dissolve(actor=ACTOR, parent=committee, reason="机构撤并")
    assert branch.dissolved
    assert committee.child_ids == []
    with pytest.raises(DissolvedError):
        branch.rename(actor=ACTOR, name="新名称")
    with pytest.raises(DissolvedError):
        organization("group", branch)
    committee.dissolve(actor=ACTOR, parent=None, reason="撤销")


def test_dissolving_needs_a_reason() -> None:
    with pytest.raises(ReasonRequiredError):
        organization().dissolve(actor=ACTOR, parent=None, reason="")


def test_a_new_category_for_ranking_needs_a_reason() -> None:
    branch = organization("branch", organization())
    with pytest.raises(ReasonRequiredError):
        branch.recategorize(actor=ACTOR, category="营销", reason="")
    branch.recategorize(actor=ACTOR, category="营销", reason="分类考核调整")
    assert branch.category == "营销"


def test_renaming_to_the_same_name_records_nothing() -> None:
    committee = organization(name="党委")
    committee.collect_events()
    committee.rename(actor=ACTOR, name="党委")
    assert committee.collect_events() == []
