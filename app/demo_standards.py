"""The demo's branch standardisation (党支部标准化规范化建设): the committee's branch work standard
(defined with the first quarter), branches' self-checks against it in March, acceptance
(达标验收) by the organisation above each in June — 营销中心 示范, four branches 达标, 西河
未达标 —, and 营销中心's level lowered to 达标 in July, citing the finding reopened on review
(its meeting records had been signed in for). 机关第二、配送、专卖、稽查 are not accepted yet.
Idempotent: the standard and each branch's record have deterministic ids, and each step
looks at the record first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from app.demo_organization import ORGANIZATIONS, DemoLoader, demo_id
from domain.standardisation import Standardisation, StandardLevel, standardisation_id

STANDARD = "standard/branch-work"
ITEMS = [
    ("ZZSZ", "组织设置", "按期换届，支部委员会配备齐全，党小组设置合理", 15),
    ("ZZSH", "组织生活",
     "严格落实“三会一课”、主题党日、组织生活会和民主评议党员制度，记录完整", 25),
    ("DYGL", "党员教育管理", "党员集中学习不少于48学时，党费按时足额缴纳", 20),
    ("DJYW", "党建+业务", "党建与卷烟营销、物流、专卖业务深度融合，有特色载体和成效", 20),
    ("JCBZ", "基础保障", "活动阵地规范，党建台账完整，信息化平台应用到位", 20),
]


@dataclass(frozen=True)
class Acceptance:
    branch: str
    share: int  # per cent of each item's points the branch scored itself
    checked_on: date
    level: StandardLevel
    accepted_on: date
    reason: str


ACCEPTANCES = [
    Acceptance("marketing", 96, date(2026, 3, 20), StandardLevel.EXEMPLARY, date(2026, 6, 22),
               "各项工作标准落实到位，“党建+营销”红色服务品牌成效明显，评为示范党支部"),
    Acceptance("organ-1", 88, date(2026, 3, 23), StandardLevel.QUALIFIED, date(2026, 6, 22),
               "组织设置规范，“三会一课”按期召开，达到党支部工作标准"),
    Acceptance("dongshan", 85, date(2026, 3, 24), StandardLevel.QUALIFIED, date(2026, 6, 23),
               "基本达到党支部工作标准，党建与县域营销结合有待加强"),
    Acceptance("nanling", 90, date(2026, 3, 25), StandardLevel.QUALIFIED, date(2026, 6, 23),
               "达到党支部工作标准，党员先锋岗带动作用明显"),
    Acceptance("warehouse", 86, date(2026, 3, 26), StandardLevel.QUALIFIED, date(2026, 6, 24),
               "仓储党支部台账电子化推进有力，达到党支部工作标准"),
    Acceptance("xihe", 62, date(2026, 3, 27), StandardLevel.UNQUALIFIED, date(2026, 6, 24),
               "“三会一课”落实不到位，党员教育管理台账缺失，未达到党支部工作标准，限期整改"),
]
LOWERED = "marketing"
LOWERED_ON = date(2026, 7, 18)
LOWERED_BECAUSE = "finding/marketing-minutes"
LOWERED_REASON = ("复查发现支部“三会一课”会议记录存在代签，问题整改已重新打开（支部“三会一课”"
                  "会议记录不完整），不再符合示范党支部条件，降为达标")
PARENTS = {key: parent for key, _name, _kind, _category, parent, _groups in ORGANIZATIONS}


def record_of_branch(branch: str) -> UUID:
    return standardisation_id(demo_id(branch))


class StandardsDemo:
    def __init__(self, loader: DemoLoader) -> None:
        self.loader = loader
        self.app = loader.app

    def wrote(self, kind: str, position: int | None) -> None:
        self.loader.report.wrote(kind, position)

    def _judge(self, branch: str) -> str:
        """The secretary of the organisation directly above the branch."""
        parent = PARENTS[branch]
        assert parent is not None
        return self.loader.secretary_actor(parent)

    def self_checks(self) -> None:
        """The committee's standard, and each branch's self-check against it in March."""
        standard_id = demo_id(STANDARD)
        if not self.app.exists(standard_id):
            self.wrote("branch standards", self.app.define_standard(
                self.loader.secretary_actor("committee"), id=standard_id,
                organization_id=demo_id("committee"), title="临江市局党支部工作标准（2026版）",
                effective_from=date(2026, 1, 1),
                items=[{"code": code, "title": title, "criteria": criteria, "points": points}
                       for code, title, criteria, points in ITEMS],
                reason="落实《全省系统党支部工作标准及相关规程》，开展党支部标准化规范化建设"
            ).position)
        for a in ACCEPTANCES:
            if self.app.exists(record_of_branch(a.branch)):
                continue
            self.wrote("self-checks", self.app.self_check_branch(
                self.loader.secretary_actor(a.branch), organization_id=demo_id(a.branch),
                standard_id=standard_id, checked_on=a.checked_on, today=a.checked_on,
                scores=[{"code": code, "score": Decimal(points * a.share // 100),
                         "evidence": f"{a.branch}-{title}-自查材料.pdf"}
                        for code, title, _criteria, points in ITEMS],
                reason="对照党支部工作标准开展自查").position)

    def acceptances(self) -> None:
        for a in ACCEPTANCES:
            record = self.app.get(Standardisation, record_of_branch(a.branch))
            if record.accepted_checks:
                continue
            self.wrote("acceptances", self.app.accept_branch(
                self._judge(a.branch), organization_id=demo_id(a.branch), level=a.level.value,
                effective_date=a.accepted_on, today=a.accepted_on, reason=a.reason).position)

    def lowering(self) -> None:
        """营销中心 示范 → 达标, citing the finding reopened on review."""
        record = self.app.get(Standardisation, record_of_branch(LOWERED))
        if record.level != StandardLevel.EXEMPLARY.value or (
                record.changed_on is not None and record.changed_on >= LOWERED_ON):
            return
        self.wrote("level changes", self.app.lower_branch_level(
            self._judge(LOWERED), organization_id=demo_id(LOWERED),
            level=StandardLevel.QUALIFIED.value, effective_date=LOWERED_ON, today=LOWERED_ON,
            reason=LOWERED_REASON, finding_id=demo_id(LOWERED_BECAUSE)).position)
