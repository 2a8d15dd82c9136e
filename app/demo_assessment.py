"""The demo's assessment: the second quarter of 2026, run by the committee over the branches
that own specific goals, with two library indicators (三会一课 computed from the meeting records:
its value is each branch's 三会一课完成率 over the quarter, frozen at publication), every
evaluator kind, a bonus, a veto, business scores, and publication. Deterministic and
idempotent like the rest of the demo."""

from __future__ import annotations

import random
from datetime import date
from uuid import UUID

from app.demo_organization import ACTOR, DemoLoader, demo_id
from domain.assessment import CycleStatus, EvaluatorKind, evaluation_id
from domain.cycles import AssessmentCycle
from domain.values import Period

Q2 = Period(date(2026, 4, 1), date(2026, 6, 30))
SCHEME = {
    "evaluator_weights": {"organizational": 50, "mass": 20, "self": 20, "social": 10},
    "party_building_weight": 70,
    "grade_bands": [{"grade": "优秀", "min": 90}, {"grade": "良好", "min": 80},
                    {"grade": "合格", "min": 60}, {"grade": "不合格", "min": 0}],
    "vetoes": [{"condition": "重大负面事件", "description": "发生造成恶劣影响的重大负面事件",
                "cap": "合格"},
               {"condition": "严重违纪", "description": "党员发生严重违纪违法问题",
                "cap": "不合格"}],
}
# (key, item, content, criteria, max points, source: None when scored by hand)
INDICATORS = [
    ("indicator/three-meetings", "三会一课", "按期召开支部党员大会、支委会、党小组会，按时上好党课",
     "按“三会一课”制度计算完成率：考核期内应召开次数中按期召开的比例", 20,
     "meeting_compliance"),
    ("indicator/theme-day", "主题党日", "每月开展主题党日活动，内容鲜明、党员参与率高",
     "少开展一次扣3分；参与率低于80%扣2分", 10, None),
]


class DemoAssessment:
    def __init__(self, loader: DemoLoader, goals: dict[str, list[UUID]]) -> None:
        self.loader = loader
        self.app = loader.app
        self.goals = goals  # organisation key -> its specific goals
        self.rng = random.Random(20260630)

    def load(self) -> None:
        indicators = []
        for key, item, content, criteria, most, source in INDICATORS:
            indicator = demo_id(key)
            if not self.app.exists(indicator):
                self.wrote("library indicators", self.app.define_indicator(
                    ACTOR, id=indicator, item=item, content=content, criteria=criteria,
                    max_points=most, source=source).position)
            indicators.append(indicator)
        cycle_id = demo_id("cycle/2026Q2")
        if not self.app.exists(cycle_id):
            self.wrote("assessment cycles", self.app.draft_cycle(
                ACTOR, id=cycle_id, title="2026年第二季度党建工作考核", kind="routine",
                cadence="quarterly", period=Q2, organizer_id=demo_id("committee"),
                organization_ids=[demo_id(key) for key in self.goals], scheme=SCHEME).position)
        if self.status(cycle_id) is CycleStatus.DRAFTED:
            self.app.open_cycle(ACTOR, cycle_id, indicator_ids=indicators)
        if self.status(cycle_id) is CycleStatus.OPENED:
            self.app.advance_cycle(ACTOR, cycle_id)
        if self.status(cycle_id) is CycleStatus.SELF_EVALUATION:
            self.scores(cycle_id, indicators, higher_level=False)
            self.app.advance_cycle(ACTOR, cycle_id)
        if self.status(cycle_id) is CycleStatus.HIGHER_LEVEL_SCORING:
            self.scores(cycle_id, indicators, higher_level=True)
            self.app.advance_cycle(ACTOR, cycle_id)
        if self.status(cycle_id) is CycleStatus.UNDER_REVIEW:
            self.review(cycle_id)
            self.wrote("published cycles", self.app.publish_cycle(ACTOR, cycle_id).position)

    def status(self, cycle_id: UUID) -> CycleStatus:
        return self.app.get(AssessmentCycle, cycle_id).status

    def wrote(self, kind: str, position: int | None) -> None:
        self.loader.report.wrote(kind, position)

    def scores(self, cycle_id: UUID, indicators: list[UUID], higher_level: bool) -> None:
        committee_secretary = f"person:{self.loader.secretaries['committee']}"
        for org_key, goal_ids in self.goals.items():
            organization = self.app_id(org_key)
            members = self.loader.members[org_key]
            items = [(goal, 100) for goal in goal_ids] + [
                (indicator, most) for indicator, (*_, most, source) in zip(
                    indicators, INDICATORS, strict=True) if source is None]
            for item, most in items:
                if higher_level:
                    self.mark(cycle_id, organization, item, EvaluatorKind.ORGANIZATIONAL,
                              committee_secretary, most, 0.75, 0.97)
                    continue
                self.mark(cycle_id, organization, item, EvaluatorKind.SELF,
                          self.loader.secretary_actor(org_key), most, 0.85, 1.0)
                for voter in members[:3]:
                    self.mark(cycle_id, organization, item, EvaluatorKind.MASS,
                              f"person:{voter}", most, 0.7, 1.0)
                self.mark(cycle_id, organization, item, EvaluatorKind.SOCIAL,
                          "person:social-panel", most, 0.7, 0.95)

    def mark(self, cycle_id: UUID, organization: UUID, item: UUID, kind: EvaluatorKind,
             actor: str, most: int, low: float, high: float) -> None:
        points = round(most * self.rng.uniform(low, high), 1)
        if self.app.exists(evaluation_id(cycle_id, organization, item, kind, actor)):
            return
        self.wrote("evaluations", self.app.evaluate(
            actor, cycle_id, organization_id=organization, item_id=item, kind=kind.value,
            points=points, comment="台账齐全，按期完成" if points > most * 0.85 else "部分记录缺失",
            evidence=[f"2026Q2-{kind.value}-考核记录.pdf"]).position)

    def review(self, cycle_id: UUID) -> None:
        cycle = self.app.get(AssessmentCycle, cycle_id)
        if not cycle.adjustments:
            bonus = self.app.propose_adjustment(
                ACTOR, cycle_id, organization_id=self.app_id("marketing"),
                item="获评省级“四强”党支部", points=3, reason="省局通报表彰")
            self.app.approve_adjustment(f"person:{self.loader.secretaries['committee']}",
                                        cycle_id, adjustment_id=bonus.id)
        if not cycle.vetoes:
            self.app.apply_veto(ACTOR, cycle_id, organization_id=self.app_id("delivery"),
                                condition="重大负面事件",
                                reason="配送车辆发生较大交通事故，造成不良影响")
        self.wrote("business scores", self.app.import_business_scores(
            ACTOR, cycle_id, reason="财务部门年中业绩考评结果",
            scores={self.app_id(key): round(self.rng.uniform(75, 98), 1)
                    for key in self.goals}).position)

    def app_id(self, key: str) -> UUID:
        return demo_id(key)
