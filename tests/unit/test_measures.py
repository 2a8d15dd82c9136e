"""Computed indicators: the meeting compliance rate over a cycle's period (which periods count,
what counts in them), how a measured item scores, and the indicator's own rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest

from domain.compliance import HeldMeeting
from domain.cycles import AssessmentCycle
from domain.errors import InvalidInputError
from domain.indicators import LibraryIndicator
from domain.measures import MeetingFacts, measure_from, meeting_compliance
from domain.meeting_rules import version_of
from domain.meetings import MeetingKind
from domain.scoring import ItemFact, Mark, Scheme, score
from domain.values import Period

Q2 = Period(date(2026, 4, 1), date(2026, 6, 30))
RULES = [{"organization_kind": "branch", "meeting_kind": kind, "cadence": cadence}
         for kind, cadence in (("branch_committee", "monthly"), ("branch_general", "quarterly"),
                               ("life_meeting", "yearly"))]
COMMITTEE, GENERAL = MeetingKind.BRANCH_COMMITTEE, MeetingKind.BRANCH_GENERAL


def held(kind: MeetingKind, *days: date) -> list[HeldMeeting]:
    return [HeldMeeting(f"{kind.value}-{day.isoformat()}", kind, day, ()) for day in days]


def facts(*meetings: list[HeldMeeting], rules: list[dict[str, str]] = RULES) -> MeetingFacts:
    return MeetingFacts("branch", [version_of(1, date(2026, 1, 1), rules)],
                        [m for group in meetings for m in group])


def test_the_rate_counts_the_periods_inside_the_cycle_and_no_more_than_each_requires() -> None:
    measure = meeting_compliance(facts(
        held(COMMITTEE, date(2026, 3, 5), date(2026, 4, 3), date(2026, 4, 20),
             date(2026, 6, 2), date(2026, 7, 1)),  # March and July lie outside; none in May
        held(GENERAL, date(2026, 5, 12))), Q2)
    by_kind = {k.kind: k for k in measure.kinds}
    # 支委会: April (two, one counts), May missing, June -> 2 of 3; 党员大会: Q2 -> 1 of 1;
    # the yearly 组织生活会 period (2026) is not inside the quarter and is left out.
    assert (by_kind["branch_committee"].required, by_kind["branch_committee"].held,
            by_kind["branch_committee"].fulfilled) == (3, 3, 2)
    assert by_kind["branch_committee"].periods == ("2026-04", "2026-05", "2026-06")
    assert (by_kind["branch_general"].required, by_kind["branch_general"].fulfilled) == (1, 1)
    assert "life_meeting" not in by_kind
    assert (measure.required, measure.fulfilled) == (4, 3)
    assert measure.value == Decimal("75.000000")
    assert set(measure.meeting_ids) == {"branch_committee-2026-04-03",
                                        "branch_committee-2026-04-20",
                                        "branch_committee-2026-06-02",
                                        "branch_general-2026-05-12"}


def test_a_whole_year_counts_the_yearly_periods_too() -> None:
    measure = meeting_compliance(facts(held(MeetingKind.LIFE_MEETING, date(2026, 12, 20))),
                                 Period(date(2026, 1, 1), date(2026, 12, 31)))
    by_kind = {k.kind: (k.required, k.fulfilled) for k in measure.kinds}
    assert by_kind == {"branch_committee": (12, 0), "branch_general": (4, 0),
                       "life_meeting": (1, 1)}
    assert measure.value == (Decimal(100) / 17).quantize(Decimal("0.000001"))


def test_nothing_required_gives_no_value_and_no_rule_set_requires_nothing() -> None:
    assert meeting_compliance(MeetingFacts("branch", [], held(COMMITTEE, date(2026, 4, 3))),
                              Q2).value is None
    only_yearly = facts(rules=[RULES[2]])
    assert meeting_compliance(only_yearly, Q2).value is None


def test_a_measure_survives_its_stored_form() -> None:
    measure = meeting_compliance(facts(held(COMMITTEE, date(2026, 4, 3))), Q2)
    assert measure_from(measure.to_dict()) == measure


def test_a_measured_item_scores_its_value_for_every_kind_and_awaits_no_evaluation() -> None:
    scheme = Scheme.from_dict({
        "evaluator_weights": {"organizational": 50, "mass": 20, "self": 20, "social": 10},
        "party_building_weight": 100, "vetoes": [],
        "grade_bands": [{"grade": "优秀", "min": 90}, {"grade": "合格", "min": 0}]})
    goal = ItemFact("g", "goal", "目标", Decimal(100))
    computed = ItemFact("c", "indicator", "三会一课", Decimal(20), source="meeting_compliance")
    measure = meeting_compliance(facts(held(COMMITTEE, date(2026, 4, 3), date(2026, 5, 3),
                                            date(2026, 6, 3))), Q2)  # 3 of 4: 75
    marks = [Mark(f"e{kind}", "g", kind, "someone", Decimal(90), Decimal(100))
             for kind in ("organizational", "mass", "self", "social")]
    card = score(scheme, [goal, computed], marks, measures={"c": measure})
    assert card.item_scores["c"] == dict.fromkeys(card.item_scores["c"], Decimal("75.000000"))
    # Every kind: (100 x 90 + 20 x 75) / 120 = 87.5
    assert card.combined == Decimal("87.50")
    assert all(item != "c" for item, _ in card.pending)
    meetings = [n for kind in card.explanation.children[0].children[0].children
                for item in kind.children if item.ref == "c"
                for part in item.children for n in part.children]
    assert {n.ref for n in meetings} == set(measure.meeting_ids)
    unmeasured = score(scheme, [goal, computed], marks)
    assert unmeasured.combined == Decimal("90.00")  # not measured yet: left out


def test_a_computed_indicator_is_not_graded_by_a_rubric() -> None:
    with pytest.raises(InvalidInputError) as raised:
        LibraryIndicator.define(id=uuid4(), actor="admin", item="三会一课", content="",
                                criteria="", max_points=20, source="meeting_compliance",
                                rubric=[{"name": "好", "points": 20}])
    assert raised.value.field == "rubric"
    with pytest.raises(InvalidInputError):
        LibraryIndicator.define(id=uuid4(), actor="admin", item="x", content="", criteria="",
                                max_points=20, source="weather")
    indicator = LibraryIndicator.define(id=uuid4(), actor="admin", item="三会一课", content="",
                                        criteria="", max_points=20, source="meeting_compliance")
    assert indicator.copy()["source"] == "meeting_compliance"


def test_events_stored_before_computed_indicators_replay_as_scored_by_hand() -> None:
    state: dict[str, object] = {"item": "x"}
    LibraryIndicator.Defined.upcast_v1_v2(state)  # type: ignore[attr-defined]
    LibraryIndicator.Revised.upcast_v1_v2(state)  # type: ignore[attr-defined]
    assert state["source"] is None
    published: dict[str, object] = {}
    AssessmentCycle.Published.upcast_v1_v2(published)
    assert published == {"measures": {}}
