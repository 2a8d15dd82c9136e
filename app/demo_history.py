"""The demo's later changes, each a fact an inspector looks for: weights lowered mid-year with
a reason, a back-dated progress report, a score corrected after publication, a closed finding
reopened, a commendation revoked and a branch secretary replaced (post ended, another
appointed, primary responsibility handed over). Each step looks at its record first, so a
second run writes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from app.demo_accountability import INSPECTOR
from app.demo_organization import DemoLoader, demo_id
from domain.assessment import EvaluatorKind, evaluation_id
from domain.evaluations import Evaluation
from domain.findings import Finding, FindingStatus
from domain.goals import Goal
from domain.people import Person
from domain.sanctions import Sanction
from domain.values import PostKind

# (annual goal key, new weights of its specific goals by key, reason)
REWEIGHTS: list[tuple[str, dict[str, int], str]] = [
    ("ideological", {"ideological/1": 20, "ideological/2": 30},
     "“学习强国”积分存在刷分现象，降低其权重，突出青年理论学习实效"),
    ("business", {"business/3": 10, "business/2": 25},
     "许可证办理时限已纳入政务服务常态考核，下半年权重向市场净化倾斜"),
]
BACKDATED_GOAL = "goal/business/0"  # 卷烟销量完成计划: its May figure, reported after June's
CORRECTED_GOAL = "goal/organizational/0"  # “三会一课”按期召开率, scored by the committee
CORRECTED_POINTS = Decimal(70)
REASSIGNED = "dongshan"  # the branch whose secretary is replaced
HANDOVER = date(2026, 8, 1)


class DemoChanges:
    def __init__(self, loader: DemoLoader) -> None:
        self.loader = loader
        self.app = loader.app

    @property
    def committee_secretary(self) -> str:
        return self.loader.secretary_actor("committee")  # known once chapter one has run

    def wrote(self, kind: str, position: int | None) -> None:
        self.loader.report.wrote(kind, position)

    def reweightings(self) -> None:
        for annual, weights, reason in REWEIGHTS:
            wanted = {demo_id(f"goal/{key}"): weight for key, weight in weights.items()}
            if all(self.app.get(Goal, goal_id).weight == weight
                   for goal_id, weight in wanted.items()):
                continue
            self.wrote("reweightings", self.app.reweight_subgoals(
                self.committee_secretary, demo_id(f"goal/{annual}"), weights=wanted,
                reason=reason).position)

    def backdated_report(self) -> None:
        goal = self.app.get(Goal, demo_id(BACKDATED_GOAL))
        if goal.progress_reports >= 3:
            return
        self.wrote("progress reports", self.app.report_progress(
            self.loader.secretary_actor("marketing"), goal.id, effective_date=date(2026, 5, 31),
            value=Decimal("2.44"), evidence=["营销中心-2026年5月销量复核表.xlsx"],
            reason="补报：5月销量经财务复核后补录").position)

    def correction(self) -> None:
        cycle_id = demo_id("cycle/2026Q2")
        scored = evaluation_id(cycle_id, demo_id("marketing"), demo_id(CORRECTED_GOAL),
                               EvaluatorKind.ORGANIZATIONAL, self.committee_secretary)
        if self.app.get(Evaluation, scored).points == CORRECTED_POINTS:
            return
        self.wrote("corrections", self.app.correct_evaluation(
            self.committee_secretary, scored, points=CORRECTED_POINTS,
            reason="复查发现二季度“三会一课”会议记录存在代签，组织评价更正为70分").position)

    def reopening(self) -> None:
        finding_id = demo_id("finding/marketing-minutes")
        if self.app.get(Finding, finding_id).status is not FindingStatus.CLOSED:
            return
        self.wrote("reopenings", self.app.reopen_finding(
            INSPECTOR, finding_id, reason="复查发现补正的会议记录存在代签，重新打开整改",
            effective_date=date(2026, 7, 15)).position)

    def revocation(self) -> None:
        sanction_id = demo_id("sanction/marketing-commendation")
        if self.app.get(Sanction, sanction_id).revoked:
            return
        self.wrote("revocations", self.app.revoke_sanction(
            self.committee_secretary, sanction_id,
            reason="表扬所依据的问题整改已重新打开，撤销通报表扬",
            effective_date=date(2026, 7, 20)).position)

    def secretary_replaced(self) -> None:
        """The secretary is transferred; a committee member takes the post and, on every
        goal of the branch, the primary responsibility."""
        branch = demo_id(REASSIGNED)
        leaving = self.loader.secretaries[REASSIGNED]
        coming = self.successor()
        steps = [(leaving, PostKind.SECRETARY, "工作调动，免去党支部书记职务"),
                 (coming, PostKind.COMMITTEE_MEMBER, "任党支部书记，不再担任支部委员")]
        for person_id, post, reason in steps:
            if self.app.get(Person, person_id).holds(branch, post):
                self.wrote("posts ended", self.app.end_post(
                    self.committee_secretary, person_id, organization_id=branch,
                    post=post.value, effective_date=HANDOVER, reason=reason).position)
        if not self.app.get(Person, coming).holds(branch, PostKind.SECRETARY):
            self.wrote("posts", self.app.appoint(
                self.committee_secretary, coming, organization_id=branch, post="secretary",
                effective_date=HANDOVER, reason="经党委研究决定，任命为党支部书记").position)
        for goal_id in self.loader.specific_goals()[REASSIGNED]:
            primary = {r["party_id"] for r in self.app.get(Goal, goal_id).responsibilities
                       if r["kind"] == "primary"}
            if leaving in primary:
                self.wrote("responsibilities", self.app.revoke_responsibility(
                    self.committee_secretary, goal_id, party_id=leaving, kind="primary",
                    reason="原书记调离，主体责任移交", effective_date=HANDOVER).position)
            if coming not in primary:
                self.wrote("responsibilities", self.app.assign_responsibility(
                    self.committee_secretary, goal_id, party_kind="person", party_id=coming,
                    kind="primary", reason="书记调整，主体责任随之移交",
                    effective_date=HANDOVER).position)

    def successor(self) -> UUID:
        """The branch's first committee member (its members start with the deputy)."""
        return self.loader.members[REASSIGNED][1]
