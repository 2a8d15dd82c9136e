"""A small assessment, written through the use cases, whose scoreboard is computed by hand in
`EXPECTED` (and in the comments): 3 branches in 2 categories, 6 goals (one split in two),
all four evaluator kinds, a bonus, a veto and business scores.

Scheme: organisational 50, mass 20, self 20, social 10; party building 70 / business 30;
bands 优秀 >= 90, 良好 >= 80, 合格 >= 60, 不合格 >= 0; veto 重大负面事件 caps at 合格.

A (营销): A1 weight 60, A2 weight 40.
  organisational 0.6x80 + 0.4x70 = 76; mass A1 mean(70, 90) = 80, A2 60 -> 72;
  self 0.6x90 + 0.4x80 = 86; social 0.6x85 + 0.4x75 = 81
  raw 0.5x76 + 0.2x72 + 0.2x86 + 0.1x81 = 77.70; bonus +3 -> 80.70
  business 90 -> 0.7x80.70 + 0.3x90 = 83.49 -> 良好
B (营销): B1 weight 100 = B1a 70% + B1b 30% (B1 itself is not scored: it rolls up)
  organisational 0.7x90 + 0.3x60 = 81; mass B1a mean(80, 100) = 90, B1b 50 -> 78;
  self 0.7x95 + 0.3x70 = 87.5; social 0.7x90 + 0.3x70 = 84
  raw 40.5 + 15.6 + 17.5 + 8.4 = 82.00; business 95 -> 57.4 + 28.5 = 85.90 -> 良好,
  capped by the veto -> 合格
C (物流): C1 weight 100: organisational 84, mass 76, self 88, social 80
  raw 42 + 15.2 + 17.6 + 8 = 82.80; business 70 -> 57.96 + 21 = 78.96 -> 合格
Ranks: 营销 B 1, A 2; 物流 C 1; overall B 1, A 2, C 3.
After publication the organisational score of C1 is corrected 84 -> 100:
  raw 90.80 -> combined 63.56 + 21 = 84.56 -> 良好; overall B 1, C 2, A 3.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from domain.application import DengtaApplication
from domain.values import Period, quantitative

ORGANIZER = "person:organizer"
REVIEWER = "person:reviewer"
YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
Q2 = Period(date(2026, 4, 1), date(2026, 6, 30))

SCHEME: dict[str, Any] = {
    "evaluator_weights": {"organizational": 50, "mass": 20, "self": 20, "social": 10},
    "party_building_weight": 70,
    "grade_bands": [{"grade": "优秀", "min": 90}, {"grade": "良好", "min": 80},
                    {"grade": "合格", "min": 60}, {"grade": "不合格", "min": 0}],
    "vetoes": [{"condition": "重大负面事件", "description": "发生重大负面事件", "cap": "合格"}],
}

# (goal, kind) -> points; mass ballots are lists (one ballot each, by different people)
MARKS: dict[str, dict[str, Any]] = {
    "A1": {"self": 90, "organizational": 80, "mass": [70, 90], "social": [85]},
    "A2": {"self": 80, "organizational": 70, "mass": [60], "social": [75]},
    "B1a": {"self": 95, "organizational": 90, "mass": [80, 100], "social": [90]},
    "B1b": {"self": 70, "organizational": 60, "mass": [50], "social": [70]},
    "C1": {"self": 88, "organizational": 84, "mass": [76], "social": [80]},
}

EXPECTED = {  # name -> (party building, combined, grade, category rank, overall rank)
    "A": (80.70, 83.49, "良好", 2, 2),
    "B": (82.00, 85.90, "合格", 1, 1),
    "C": (82.80, 78.96, "合格", 1, 3),
}
EXPECTED_BEFORE_BUSINESS = {"A": 77.70, "B": 82.00, "C": 82.80}
EXPECTED_AFTER_CORRECTION = {  # name -> (combined, grade, overall rank)
    "A": (83.49, "良好", 3), "B": (85.90, "合格", 1), "C": (84.56, "良好", 2),
}


@dataclass
class Assessment:
    cycle: UUID
    committee: UUID
    branches: dict[str, UUID]
    goals: dict[str, UUID]
    evaluations: dict[tuple[str, str], UUID] = field(default_factory=dict)
    positions: dict[str, int] = field(default_factory=dict)


def stage(app: DengtaApplication, actor: str = ORGANIZER) -> Assessment:
    """The organisations, goals and a drafted-then-opened cycle in self-evaluation."""
    committee = app.register_organization(actor, name="市局党委", kind="committee",
                                          category="机关").id
    branches = {
        name: app.register_organization(actor, name=f"{name}党支部", kind="branch",
                                        category=category, parent_id=committee).id
        for name, category in (("A", "营销"), ("B", "营销"), ("C", "物流"))}
    goals: dict[str, UUID] = {}

    def goal(name: str, branch: str, weight: int, parent: str | None = None) -> None:
        goals[name] = app.draft_goal(
            actor, level="specific" if parent else "annual",
            organization_id=branches[branch], field="organizational", title=f"目标{name}",
            period=YEAR, indicator=quantitative("次", 0, 12), weight=weight,
            parent_id=goals[parent] if parent else None).id

    goal("A1", "A", 60)
    goal("A2", "A", 40)
    goal("B1", "B", 100)
    goal("B1a", "B", 70, "B1")
    goal("B1b", "B", 30, "B1")
    goal("C1", "C", 100)
    for name in ("A1", "A2", "B1", "C1"):
        app.issue_goal_tree(actor, goals[name], effective_date=date(2026, 1, 5))
    cycle = app.draft_cycle(actor, title="2026年第二季度党建考核", kind="routine",
                            cadence="quarterly", period=Q2, organizer_id=committee,
                            organization_ids=list(branches.values()), scheme=SCHEME).id
    app.open_cycle(actor, cycle)
    app.advance_cycle(actor, cycle)  # self-evaluation
    return Assessment(cycle, committee, branches, goals)


def branch_of(goal: str) -> str:
    return goal[0]


def evaluate_all(app: DengtaApplication, story: Assessment) -> None:
    """Self-evaluations and ballots, then the higher level's scoring, then bonus, veto and
    business scores; the cycle ends under review."""
    def mark(goal: str, kind: str, points: int, actor: str) -> None:
        written = app.evaluate(actor, story.cycle,
                               organization_id=story.branches[branch_of(goal)],
                               item_id=story.goals[goal], kind=kind, points=points,
                               comment=f"{goal} {kind}", evidence=[f"{goal}-{kind}.pdf"])
        story.evaluations[(goal, kind if kind not in ("mass", "social") else actor)] = (
            written.id)

    for goal, marks in MARKS.items():
        mark(goal, "self", marks["self"], f"person:self-{branch_of(goal)}")
        for kind in ("mass", "social"):
            for number, points in enumerate(marks[kind]):
                mark(goal, kind, points, f"person:{kind}-{number}")
    assert app.advance_cycle(ORGANIZER, story.cycle).position  # higher-level scoring
    for goal, marks in MARKS.items():
        mark(goal, "organizational", marks["organizational"], "person:committee-secretary")
    story.positions["evaluated"] = app.advance_cycle(ORGANIZER, story.cycle).position or 0
    bonus = app.propose_adjustment(ORGANIZER, story.cycle, organization_id=story.branches["A"],
                                   item="创建省级示范党支部", points=3, reason="省级表彰")
    app.approve_adjustment(REVIEWER, story.cycle, adjustment_id=bonus.id)
    app.apply_veto(ORGANIZER, story.cycle, organization_id=story.branches["B"],
                   condition="重大负面事件", reason="发生一起安全生产责任事故")
    story.positions["business"] = app.import_business_scores(
        ORGANIZER, story.cycle, scores={story.branches["A"]: 90, story.branches["B"]: 95,
                                        story.branches["C"]: 70}).position or 0


def publish(app: DengtaApplication, story: Assessment) -> None:
    story.positions["published"] = app.publish_cycle(ORGANIZER, story.cycle).position or 0


def correct_c1(app: DengtaApplication, story: Assessment) -> None:
    written = app.correct_evaluation(
        REVIEWER, story.evaluations[("C1", "organizational")], points=100,
        reason="复核发现C支部台账漏计，组织评价更正")
    story.positions["corrected"] = written.position or 0
