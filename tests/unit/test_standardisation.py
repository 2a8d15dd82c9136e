"""Rules of branch standardisation, in memory: the versioned standard, self-checks against
the version in force, acceptance from above (never by the branch, never of one's own
self-check), and levels lowered or revoked with reasons and earned again."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.branch_standard import BranchStandard, version_of
from domain.errors import (
    DuplicateError,
    InvalidInputError,
    InvalidTransitionError,
    ReasonRequiredError,
    SegregationOfDutiesError,
    StandardNotInForceError,
)
from domain.meetings import Tenure
from domain.organizations import Organization
from domain.standardisation import (
    HeldLevel,
    LevelChange,
    Standardisation,
    StandardLevel,
    level_on,
)
from domain.values import in_force
from tests.unit.builders import organization

CHECKER = "person:branch-secretary"
ACCEPTOR = "person:committee-secretary"
TODAY = date(2026, 12, 1)
ITEMS = [{"code": "1", "title": "组织设置", "criteria": "按期换届", "points": 40},
         {"code": "2", "title": "组织生活", "criteria": "三会一课", "points": 60}]


def world() -> tuple[Organization, Organization, BranchStandard, Standardisation]:
    committee = organization()
    branch = organization("branch", committee, "一支部")
    standard = BranchStandard.define(id=uuid4(), actor=ACCEPTOR, organization=committee,
                                     title="党支部工作标准", effective_from=date(2026, 1, 1),
                                     items=ITEMS)
    return committee, branch, standard, Standardisation.open(actor=CHECKER, branch=branch)


def scores(first: object = 35, second: object = 55) -> list[dict[str, object]]:
    return [{"code": "1", "score": first, "evidence": "换届批复"},
            {"code": "2", "score": second, "evidence": "会议记录"}]


def checked(day: date = date(2026, 3, 1)) -> tuple[Organization, BranchStandard,
                                                   Standardisation]:
    committee, branch, standard, record = world()
    record.self_check(actor=CHECKER, standard=standard, keepers=[branch.id, committee.id],
                      checked_on=day, today=TODAY, scores=scores())
    return committee, standard, record


def accept(record: Standardisation, committee: Organization, standard: BranchStandard,
           level: str = "exemplary", day: date = date(2026, 3, 10), actor: str = ACCEPTOR,
           reason: str = "材料齐全", tenures: list[Tenure] | None = None) -> None:
    record.accept(actor=actor, reason=reason, level=level, effective_date=day, today=TODAY,
                  standard=standard, accepted_by=committee, tenures=tenures or [])


def test_the_version_in_force_is_the_latest_effective_and_a_revision_needs_a_reason() -> None:
    _, _, standard, _ = world()
    with pytest.raises(ReasonRequiredError):
        standard.revise(actor=ACCEPTOR, reason=" ", effective_from=date(2026, 7, 1),
                        items=ITEMS)
    standard.revise(actor=ACCEPTOR, reason="新规程", effective_from=date(2026, 7, 1),
                    items=ITEMS[:1])
    assert standard.in_force(date(2025, 12, 31)) is None
    assert standard.in_force(date(2026, 6, 30)).revision == 1  # type: ignore[union-attr]
    assert standard.in_force(date(2026, 7, 1)).revision == 2  # type: ignore[union-attr]
    same_day = [version_of(1, date(2026, 1, 1), ITEMS), version_of(2, date(2026, 1, 1), ITEMS)]
    assert in_force(same_day, date(2026, 1, 1)).revision == 2  # type: ignore[union-attr]


def test_a_standard_needs_items_with_positive_points_and_distinct_codes() -> None:
    committee = organization()
    for items, error in (([], InvalidInputError),
                         ([{**ITEMS[0], "points": 0}], InvalidInputError),
                         ([ITEMS[0], ITEMS[0]], DuplicateError)):
        with pytest.raises(error):
            BranchStandard.define(id=uuid4(), actor=ACCEPTOR, organization=committee,
                                  title="标准", effective_from=date(2026, 1, 1), items=items)


def test_a_self_check_scores_every_item_of_the_version_in_force_with_evidence() -> None:
    committee, branch, standard, record = world()

    def check(day: date = date(2026, 3, 1), given: object = None) -> None:
        record.self_check(actor=CHECKER, standard=standard, keepers=[branch.id, committee.id],
                          checked_on=day, today=TODAY,
                          scores=scores() if given is None else given)  # type: ignore[arg-type]

    with pytest.raises(StandardNotInForceError):
        check(date(2025, 12, 1))
    with pytest.raises(InvalidInputError):  # an item missing
        check(given=scores()[:1])
    with pytest.raises(InvalidInputError):  # above the item's points
        check(given=scores(first=41))
    with pytest.raises(InvalidInputError):  # no evidence
        check(given=[{**s, "evidence": ""} for s in scores()])
    with pytest.raises(InvalidInputError):  # in the future
        check(date(2026, 12, 2))
    check()
    assert record.self_checks[-1]["revision"] == 1 and record.level is None


def test_only_a_standard_kept_above_the_branch_applies() -> None:
    _committee, branch, standard, record = world()
    with pytest.raises(InvalidInputError):
        record.self_check(actor=CHECKER, standard=standard, keepers=[branch.id],
                          checked_on=date(2026, 3, 1), today=TODAY, scores=scores())


def test_standardisation_is_a_branchs() -> None:
    with pytest.raises(InvalidInputError):
        Standardisation.open(actor=CHECKER, branch=organization())


def test_acceptance_needs_a_new_self_check_reasons_and_a_judge_from_above() -> None:
    committee, _branch, standard, record = world()
    with pytest.raises(InvalidTransitionError):  # nothing checked yet
        accept(record, committee, standard)
    committee, standard, record = checked()
    with pytest.raises(SegregationOfDutiesError):  # one's own self-check
        accept(record, committee, standard, actor=CHECKER)
    with pytest.raises(SegregationOfDutiesError):  # a post in the branch that day
        accept(record, committee, standard, actor="person:other", tenures=[
            Tenure(record.organization_id, "committee_member", date(2020, 1, 1), None)])
    with pytest.raises(ReasonRequiredError):
        accept(record, committee, standard, reason="")
    with pytest.raises(InvalidInputError):  # before the self-check
        accept(record, committee, standard, day=date(2026, 2, 1))
    accept(record, committee, standard)
    assert record.level == "exemplary"
    with pytest.raises(InvalidTransitionError):  # that self-check is judged
        accept(record, committee, standard)


def test_a_self_check_against_a_version_no_longer_in_force_is_not_accepted() -> None:
    committee, standard, record = checked()
    standard.revise(actor=ACCEPTOR, reason="新规程", effective_from=date(2026, 3, 5),
                    items=ITEMS)
    with pytest.raises(StandardNotInForceError):
        accept(record, committee, standard)


def test_a_level_is_lowered_or_revoked_with_a_reason_and_earned_again() -> None:
    committee, standard, record = checked()
    accept(record, committee, standard)

    def lower(level: str, reason: str = "整改不力", day: date = date(2026, 6, 1)) -> None:
        record.lower(actor=ACCEPTOR, reason=reason, level=level, effective_date=day,
                     today=TODAY, tenures=[], finding_id=uuid4())

    with pytest.raises(ReasonRequiredError):
        lower("qualified", reason="")
    with pytest.raises(InvalidTransitionError):  # not below the level held
        lower("exemplary")
    with pytest.raises(InvalidInputError):  # before the last change
        lower("qualified", day=date(2026, 3, 9))
    with pytest.raises(SegregationOfDutiesError):
        record.lower(actor=CHECKER, reason="自降", level="qualified",
                     effective_date=date(2026, 6, 1), today=TODAY, tenures=[
                         Tenure(record.organization_id, "secretary", date(2020, 1, 1), None)])
    lower("qualified")
    assert record.level == "qualified"
    with pytest.raises(ReasonRequiredError):
        record.revoke(actor=ACCEPTOR, reason="", effective_date=date(2026, 7, 1),
                      today=TODAY, tenures=[])
    record.revoke(actor=ACCEPTOR, reason="发现严重问题", effective_date=date(2026, 7, 1),
                  today=TODAY, tenures=[])
    assert record.level is None
    with pytest.raises(InvalidTransitionError):
        record.revoke(actor=ACCEPTOR, reason="再次", effective_date=date(2026, 7, 2),
                      today=TODAY, tenures=[])
    record.self_check(actor=CHECKER, standard=standard, keepers=[record.organization_id,
                                                                  committee.id],
                      checked_on=date(2026, 9, 1), today=TODAY, scores=scores())
    accept(record, committee, standard, level="qualified", day=date(2026, 9, 10))
    assert record.level == "qualified"


def test_the_level_on_a_day_is_the_last_change_effective_by_then() -> None:
    changes = [HeldLevel(StandardLevel.EXEMPLARY, date(2026, 3, 10), LevelChange.ACCEPTED),
               HeldLevel(StandardLevel.QUALIFIED, date(2026, 6, 1), LevelChange.LOWERED),
               HeldLevel(None, date(2026, 6, 1), LevelChange.REVOKED)]
    assert level_on(changes, date(2026, 3, 9)) is None
    assert level_on(changes, date(2026, 5, 31)).level is StandardLevel.EXEMPLARY  # type: ignore[union-attr]
    assert level_on(changes, date(2026, 6, 1)).level is None  # type: ignore[union-attr]
    assert StandardLevel.EXEMPLARY.label == "示范"
