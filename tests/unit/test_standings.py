"""From a cycle's inputs to standings under a scheme: ranks, veto caps, the fold's outcome."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from app.graphql.assessment.inputs import SchemeInput
from app.graphql.assessment.what_if import SchemeChangeInput
from domain.scoring import Adjustment, Scheme, kept, outcome
from domain.standings import (
    AppliedVeto,
    Entrant,
    UnitInputs,
    ranks,
    standings,
    unit_outcome,
    vetoes_under,
)

SCHEME = Scheme.from_dict({
    "evaluator_weights": {"organizational": 50, "mass": 50}, "party_building_weight": 100,
    "grade_bands": [{"grade": "好", "min": 80}, {"grade": "中", "min": 60},
                    {"grade": "差", "min": 0}],
    "vetoes": [{"condition": "事故", "description": "", "cap": "中"}]})


def unit(organizational: int | None, mass: int | None = None, **facts: object) -> UnitInputs:
    by_kind = {"organizational": organizational, "mass": mass, "self": None, "social": None}
    return UnitInputs({k: None if v is None else Decimal(v) for k, v in by_kind.items()},
                      **facts)  # type: ignore[arg-type]


def test_ties_share_a_rank_and_the_unscored_have_none() -> None:
    assert ranks([Decimal(80), None, Decimal(90), Decimal(80), Decimal(70)]) == [
        2, None, 1, 2, 4]


def test_a_veto_caps_at_the_grade_the_scheme_gives_its_condition() -> None:
    applied = [AppliedVeto("事故", "原因"), AppliedVeto("已删除的条件", "原因")]
    assert [(v.condition, v.cap) for v in vetoes_under(SCHEME, applied)] == [("事故", "中")]
    assert unit_outcome(SCHEME, unit(90, 90, vetoes=applied)).grade == "中"
    harsher = dataclasses.replace(SCHEME, vetoes={"事故": ("", "差")})
    assert unit_outcome(harsher, unit(90, 90, vetoes=applied)).grade == "差"


def test_a_units_outcome_is_the_scoring_rules_outcome() -> None:
    bonus = [Adjustment("b", Decimal(3), "表彰", "")]
    inputs = unit(70, 81, adjustments=bonus, business=Decimal("88.5"))
    assert unit_outcome(SCHEME, inputs) == outcome(SCHEME, inputs.by_kind, bonus,
                                                   Decimal("88.5"), [], [])


def test_standings_rank_within_the_category_and_overall_best_first() -> None:
    lines = standings(SCHEME, [
        Entrant("a", "甲", "营销", unit(70)), Entrant("b", "乙", "物流", unit(90)),
        Entrant("c", "丙", "营销", unit(80)), Entrant("d", "丁", "营销", unit(None)),
        Entrant("e", "戊", "物流", unit(70))])
    assert [(line.organization_id, line.category_rank, line.overall_rank, line.place)
            for line in lines] == [("b", 1, 1, 1), ("c", 1, 2, 2), ("e", 2, 3, 3),
                                   ("a", 2, 3, 4), ("d", None, None, 5)]  # ties by name


def test_kinds_scores_are_kept_to_a_millionth_so_a_double_holds_them() -> None:
    value = kept(Decimal(200) / Decimal(3))
    assert value == Decimal("66.666667") and Decimal(str(float(value))) == value


def test_the_what_if_scheme_input_mirrors_the_scheme_input() -> None:
    def fields(kind: type) -> dict[str, object]:
        return {f.name: f.type for f in kind.__strawberry_definition__.fields}  # type: ignore[attr-defined]

    assert fields(SchemeChangeInput).keys() == fields(SchemeInput).keys()
