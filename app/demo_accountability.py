"""The demo's responsibility and accountability: letters from the committee to two branches
(one signed and amended, one overdue), a finding through its whole closed loop and one left
overdue, a public commitment, a project and a commendation (the finding's reopening and the
commendation's revocation are in `demo_history`). Idempotent like the rest of the demo:
deterministic ids, and each step only when the aggregate has not taken it yet."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from app.demo_organization import ACTOR, DemoLoader, demo_id
from domain.app_base import Written
from domain.commitments import Commitment
from domain.letters import LetterStatus, ResponsibilityLetter
from domain.projects import Project, ProjectStatus

INSPECTOR = "system:demo-inspection"  # verifies: never the one who submitted or owns


class AccountabilityDemo:
    def __init__(self, loader: DemoLoader) -> None:
        self.loader = loader
        self.app = loader.app

    def wrote(self, kind: str, position: int | None) -> None:
        self.loader.report.wrote(kind, position)

    def letters(self) -> None:
        committee_secretary = self.loader.secretaries["committee"]
        for key, name, goals, signed in (
                ("marketing", "营销中心", ["organizational/0", "style/0", "business/0"], True),
                ("dongshan", "东山县局", ["political/2", "style/1"], False)):
            letter_id = demo_id(f"letter/{key}")
            if not self.app.exists(letter_id):
                self.wrote("letters", self.app.draft_letter(
                    ACTOR, id=letter_id, issuer_id=demo_id("committee"),
                    recipient_id=demo_id(key), year=2026,
                    title=f"2026年度党建工作目标责任书（{name}）",
                    sign_by=date(2026, 2, 28),
                    goal_ids=[demo_id(f"goal/{g}") for g in goals]).position)
            letter = self.app.get(ResponsibilityLetter, letter_id)
            sides = [("issuer", committee_secretary, date(2026, 1, 20))]
            if signed:
                sides.append(("recipient", self.loader.secretaries[key], date(2026, 1, 22)))
            for side, signer, day in sides:
                if side not in letter.signers:
                    self.wrote("signatures", self.app.sign_letter(
                        f"person:{signer}", letter_id, side=side, signer_id=signer,
                        effective_date=day).position)

    def amendment(self) -> None:
        letter = self.app.get(ResponsibilityLetter, demo_id("letter/marketing"))
        amendment = demo_id("letter/marketing/amendment-1")
        if letter.status is LetterStatus.SIGNED and str(amendment) not in letter.amendments:
            self.wrote("amendments", self.app.propose_amendment(
                f"person:{self.loader.secretaries['marketing']}", letter.id,
                goal_id=demo_id("goal/style/0"), title="零售客户满意度（含线上渠道）",
                reason="线上订货渠道纳入满意度测评", amendment_id=amendment).position)
            self.wrote("amendments", self.app.approve_amendment(
                f"person:{self.loader.secretaries['committee']}", letter.id,
                amendment_id=amendment, reason="同意").position)

    def findings(self) -> None:
        marketing = self.loader.secretaries["marketing"]
        clerk = self.loader.members["marketing"][1]
        loop = demo_id("finding/marketing-minutes")
        if not self.app.exists(loop):
            self.wrote("findings", self.app.raise_finding(
                INSPECTOR, id=loop, title="支部“三会一课”会议记录不完整", source="inspection",
                severity="major", organization_id=demo_id("marketing"), owner_id=marketing,
                deadline=date(2026, 5, 31), effective_date=date(2026, 4, 10),
                goal_id=demo_id("goal/organizational/0"),
                description="抽查发现一季度支委会记录缺少签到").position)
        steps: list[Callable[[], Written]] = [
            lambda: self.app.plan_measure(
                f"person:{marketing}", loop, description="补齐一季度会议记录并履行签到",
                owner_id=clerk, due_date=date(2026, 5, 15),
                measure_id=demo_id("finding/marketing-minutes/measure-1")),
            lambda: self.app.submit_rectification(
                f"person:{clerk}", loop, evidence=["营销中心-会议记录补正.pdf"],
                effective_date=date(2026, 5, 10)),
            lambda: self.app.return_rectification(
                INSPECTOR, loop, reason="补正记录缺少参会人员签字",
                effective_date=date(2026, 5, 12)),
            lambda: self.app.submit_rectification(
                f"person:{clerk}", loop, evidence=["营销中心-会议记录补正-签字版.pdf"],
                effective_date=date(2026, 5, 20)),
            lambda: self.app.verify_rectification(
                INSPECTOR, loop, effective_date=date(2026, 5, 25), reason="核查属实，予以销号"),
        ]
        # The finding's own history (after Raised) says how far the loop has gone (a later
        # chapter's reopening only lengthens it).
        taken = len(list(self.app.repository.event_store.get(loop))) - 1
        for take in steps[taken:]:
            self.wrote("rectification steps", take().position)

        overdue = demo_id("finding/delivery-ledger")
        if not self.app.exists(overdue):
            self.wrote("findings", self.app.raise_finding(
                INSPECTOR, id=overdue, title="配送线路党员先锋岗台账未按月更新",
                source="mass_report", severity="minor", organization_id=demo_id("delivery"),
                owner_id=self.loader.members["delivery"][0], deadline=date(2026, 6, 30),
                effective_date=date(2026, 5, 8)).position)

    def commitment(self) -> None:
        commitment_id = demo_id("commitment/marketing-secretary")
        if not self.app.exists(commitment_id):
            self.wrote("commitments", self.app.make_commitment(
                f"person:{self.loader.secretaries['marketing']}", id=commitment_id,
                party_kind="person", party_id=self.loader.secretaries["marketing"],
                organization_id=demo_id("marketing"), title="每季度走访零售客户不少于30户",
                content="面对面听取零售客户意见，问题清单限时办结", due_date=date(2026, 12, 31),
                effective_date=date(2026, 2, 1)).position)
        if self.app.get(Commitment, commitment_id).follow_ups == 0:
            self.wrote("commitment follow-ups", self.app.follow_up_commitment(
                ACTOR, commitment_id, note="一季度走访34户，办结问题12项",
                evidence=["走访台账-Q1.xlsx"], effective_date=date(2026, 4, 2)).position)

    def project(self) -> None:
        project_id = demo_id("project/marketing-brand")
        if not self.app.exists(project_id):
            self.wrote("projects", self.app.propose_project(
                ACTOR, id=project_id, project_type="innovation",
                organization_id=demo_id("marketing"),
                leader_id=self.loader.secretaries["marketing"],
                title="“党建+营销”红色服务品牌创建",
                goal_ids=[demo_id("goal/business/0"), demo_id("goal/style/0")],
                milestones=[("形成品牌创建方案", date(2026, 3, 31)),
                            ("建成党员先锋服务站", date(2026, 9, 30)),
                            ("品牌验收评估", date(2026, 12, 15))]).position)
        project = self.app.get(Project, project_id)
        for step, status, day in (("approve", ProjectStatus.PROPOSED, date(2026, 2, 20)),
                                  ("start", ProjectStatus.APPROVED, date(2026, 3, 1))):
            if project.status is status:
                self.wrote("project steps", self.app.step_project(
                    ACTOR, project_id, step=step, effective_date=day).position)
                project = self.app.get(Project, project_id)
        if not project.reached:
            self.wrote("milestones", self.app.reach_milestone(
                ACTOR, project_id, index=0, evidence=["品牌创建方案.pdf"],
                effective_date=date(2026, 3, 28)).position)

    def commendation(self) -> None:
        sanction_id = demo_id("sanction/marketing-commendation")
        if not self.app.exists(sanction_id):
            self.wrote("rewards and restraints", self.app.issue_sanction(
                ACTOR, id=sanction_id, kind="commendation", party_kind="organization",
                party_id=demo_id("marketing"), organization_id=demo_id("marketing"),
                basis=[("letter", demo_id("letter/marketing")),
                       ("finding", demo_id("finding/marketing-minutes"))],
                effective_date=date(2026, 6, 28),
                reason="责任书按期签订，整改闭环及时，予以通报表扬").position)
