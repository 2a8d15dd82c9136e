"""The demo's annual democratic evaluation of party members (民主评议党员) in 营销中心党支部, at
the end of November: the secretary opens the round for its eleven party members; each writes a
self-evaluation (one corrects it); each grades four others (互评); the committee proposes a
grade for everyone (the deputy secretary records the secretary's); the 民主评议党员大会
grades them — the member whose absence the attendance correction uncovered is graded 不合格
with reasons — and the committee above reviews that grade and changes it to 基本合格.
Idempotent: the round has a deterministic id and each step looks at what is recorded."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from app.demo_life import SIGNED_IN_FOR
from app.demo_organization import DemoLoader, demo_id
from domain.member_evaluation import MemberEvaluation, member_evaluation_id

BRANCH = "marketing"
YEAR = 2026
OPENED, SELF, MUTUAL, PROPOSED, GRADED, REVIEWED = (
    date(2026, 11, d) for d in (20, 23, 25, 26, 27, 30))
PEERS = 4  # each member grades the next four in the list
EXCELLENT = (0, 2)  # the indices, in the round's members, of the two graded 优秀
SUMMARIES = ["认真学习党的创新理论，带头完成营销任务，按时参加组织生活",
             "坚持学习，立足岗位服务零售客户，发挥党员先锋作用，但理论学习深度不够",
             "严守纪律规矩，积极参加主题党日和志愿服务，业务创新能力有待提高"]
UNQUALIFIED_REASONS = ("全年多次无故缺席组织生活，二季度党员大会签到不实，经批评教育后改正"
                       "不明显，党员大会表决评定为不合格")


def round_id() -> UUID:
    return member_evaluation_id(demo_id(BRANCH), YEAR)


class MembersDemo:
    def __init__(self, loader: DemoLoader) -> None:
        self.loader = loader
        self.app = loader.app

    def wrote(self, position: int | None) -> None:
        self.loader.report.wrote("member evaluations", position)

    def members(self) -> list[UUID]:
        """The secretary first, then the branch's party members."""
        return [self.loader.secretaries[BRANCH], *self.loader.members[BRANCH]]

    def grades(self) -> dict[UUID, str]:
        members = self.members()
        lapsed = self.loader.members[BRANCH][SIGNED_IN_FOR]
        return {m: "unqualified" if m == lapsed else "excellent" if i in EXCELLENT
                else "qualified" for i, m in enumerate(members)}

    def load(self) -> None:
        members, grades = self.members(), self.grades()
        secretary, deputy = members[0], members[1]
        if not self.app.exists(round_id()):
            self.wrote(self.app.open_member_evaluation(
                f"person:{secretary}", organization_id=demo_id(BRANCH), year=YEAR,
                opened_on=OPENED, today=OPENED, member_ids=members,
                reason="按照党委通知开展2026年度民主评议党员").position)
        for number, member in enumerate(members):
            if str(member) not in self.state().self_evaluated:
                self.wrote(self.app.submit_self_evaluation(
                    f"person:{member}", round_id(), summary=SUMMARIES[number % 3],
                    evaluated_on=SELF, today=SELF).position)
        if self.state().self_evaluated[str(members[3])] == SELF:  # one adds to theirs
            self.wrote(self.app.submit_self_evaluation(
                f"person:{members[3]}", round_id(), evaluated_on=MUTUAL, today=MUTUAL,
                summary=SUMMARIES[0] + "；补充：下半年牵头完成卷烟市场走访",
                reason="补充下半年工作情况").position)
        for number, evaluator in enumerate(members):
            for step in range(1, PEERS + 1):
                member = members[(number + step) % len(members)]
                if f"{evaluator}:{member}" not in self.state().mutual:
                    self.wrote(self.app.submit_mutual_evaluation(
                        f"person:{evaluator}", round_id(), member_id=member,
                        grade=grades[member], evaluated_on=MUTUAL, today=MUTUAL).position)
        for member in members:
            if str(member) not in self.state().proposals:
                proposer = deputy if member == secretary else secretary
                self.wrote(self.app.propose_member_grade(
                    f"person:{proposer}", round_id(), member_id=member, grade=grades[member],
                    opinion=UNQUALIFIED_REASONS if grades[member] == "unqualified" else
                    "支部委员会研究提出", proposed_on=PROPOSED, today=PROPOSED).position)
        for member in members:
            if str(member) not in self.state().grades:
                grader = deputy if member == secretary else secretary
                self.wrote(self.app.grade_member(
                    f"person:{grader}", round_id(), member_id=member, grade=grades[member],
                    graded_on=GRADED, today=GRADED,
                    reason=UNQUALIFIED_REASONS if grades[member] == "unqualified" else
                    "民主评议党员大会评定").position)
        lapsed = self.loader.members[BRANCH][SIGNED_IN_FOR]
        if not self.state().grades[str(lapsed)]["reviewed"]:
            self.wrote(self.app.review_member_grade(
                self.loader.secretary_actor("committee"), round_id(), member_id=lapsed,
                outcome="changed", grade="basically_qualified", reviewed_on=REVIEWED,
                today=REVIEWED, reason="经党委审核，该同志缺席多因外出协助稽查，已作深刻检讨，"
                "改定为基本合格，限期整改").position)

    def state(self) -> MemberEvaluation:
        return self.app.get(MemberEvaluation, round_id())
