"""The demo's organisational life (组织生活 / 三会一课): the committee's rule set for its branches
(defined with the year's goals, revised mid-year to add a monthly 主题党日), and a year of the
ten branches' meetings, quarter by quarter, with absences and their reasons. A few gaps are
left for the compliance view to find: 西河 lets its organisational life slip (no 党员大会 in
the second quarter, no 支委会 in August, no 党课 in the third quarter, no 主题党日 in
September), 配送 skips a 支委会 in October; and on review, 营销中心's May 支委会 turns out
never to have been held (cancelled) and a member signed in for at its second-quarter
党员大会 was absent (attendance corrected). Idempotent: meetings have deterministic ids."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from app.demo_history import HANDOVER, REASSIGNED
from app.demo_organization import ORGANIZATIONS, DemoLoader, demo_id
from domain.meeting_rules import MeetingRuleSet, rule_set_id
from domain.meetings import Meeting, MeetingStatus

BRANCHES = [key for key, _name, kind, *_rest in ORGANIZATIONS if kind == "branch"]
RULES = [
    {"organization_kind": "branch", "meeting_kind": "branch_committee", "cadence": "monthly"},
    {"organization_kind": "branch", "meeting_kind": "branch_general", "cadence": "quarterly"},
    {"organization_kind": "branch", "meeting_kind": "lecture", "cadence": "quarterly"},
]
THEME_DAYS_FROM = date(2026, 7, 1)  # the revision: a 主题党日 every month from July
REVISED_RULES = [*RULES, {"organization_kind": "branch", "meeting_kind": "theme_day",
                          "cadence": "monthly"}]
LAST_MONTH = 11  # the demo's year is told up to the end of November

# (branch, meeting kind, month) of the meetings not held
SKIPPED = {("xihe", "branch_general", 5), ("xihe", "branch_committee", 8),
           ("xihe", "lecture", 9), ("xihe", "theme_day", 9),
           ("delivery", "branch_committee", 10)}
# 营销中心's May 支委会, cancelled on review, and its second-quarter 党员大会, corrected
CANCELLED = ("marketing", "branch_committee", 5)
CORRECTED = ("marketing", "branch_general", 5)
SIGNED_IN_FOR = 6  # the index, in the branch's party members, of the one signed in for

ABSENCES = ["外出参加业务培训", "赴外地协助专卖稽查", "节假日值班未能参会", "家中有急事未能参会"]
LEAVES = ["病假", "事假", "公休假"]
LECTURES = ["学习贯彻党的创新理论", "严守纪律规矩，做忠诚干净担当的烟草人",
            "弘扬伟大建党精神", "以高质量党建引领烟草行业高质量发展"]
GENERAL = ["审议支部年度工作计划", "通报一季度党建与业务工作，开展民主议事",
           "学习上级党委年中工作会议精神", "讨论确定入党积极分子，部署年终工作"]


@dataclass(frozen=True)
class PlannedMeeting:
    branch: str
    kind: str
    held_on: date
    topic: str

    @property
    def id(self) -> UUID:
        return demo_id(f"meeting/{self.branch}/{self.kind}/{self.held_on.isoformat()}")


def _quarter_months(quarter: int) -> range:
    return range(3 * quarter - 2, min(3 * quarter, LAST_MONTH) + 1)


def planned(quarter: int) -> list[PlannedMeeting]:
    """A quarter's meetings of every branch, in the order they were held: a 支委会 early each
    month, the 党员大会 in the quarter's second month, the 党课 in its third, the 主题党日
    late each month once the rules asked for it."""
    found = []
    for number, branch in enumerate(BRANCHES):
        for month in _quarter_months(quarter):
            day = 3 + number % 6
            wanted = [("branch_committee", date(2026, month, day), f"{month}月支委会：研究部署当月"
                       "党建和业务工作")]
            if month % 3 == 2:
                wanted.append(("branch_general", date(2026, month, 12 + number % 4),
                               GENERAL[quarter - 1]))
            if month % 3 == 0:
                wanted.append(("lecture", date(2026, month, 18 + number % 4),
                               f"党课：{LECTURES[quarter - 1]}"))
            if date(2026, month, 1) >= THEME_DAYS_FROM:
                wanted.append(("theme_day", date(2026, month, 25), f"{month}月主题党日"))
            found += [PlannedMeeting(branch, kind, held_on, topic)
                      for kind, held_on, topic in wanted
                      if (branch, kind, month) not in SKIPPED]
    return sorted(found, key=lambda m: (m.held_on, BRANCHES.index(m.branch), m.kind))


def last_meeting() -> UUID:
    """The meeting the last chapter records last."""
    return planned(4)[-1].id


class LifeDemo:
    def __init__(self, loader: DemoLoader) -> None:
        self.loader = loader
        self.app = loader.app

    def wrote(self, kind: str, position: int | None) -> None:
        self.loader.report.wrote(kind, position)

    @property
    def committee_admin(self) -> str:
        return self.loader.secretary_actor("committee")

    def rules(self) -> None:
        committee = demo_id("committee")
        if not self.app.exists(rule_set_id(committee)):
            self.wrote("meeting rules", self.app.define_meeting_rules(
                self.committee_admin, organization_id=committee,
                title="临江市局党委“三会一课”制度", effective_from=date(2026, 1, 1),
                rules=RULES, reason="印发2026年党支部“三会一课”召开频次要求").position)

    def revision(self) -> None:
        rule_set = self.app.get(MeetingRuleSet, rule_set_id(demo_id("committee")))
        if len(rule_set.versions) == 1:
            self.wrote("meeting rules", self.app.revise_meeting_rules(
                self.committee_admin, rule_set.id, effective_from=THEME_DAYS_FROM,
                rules=REVISED_RULES,
                reason="落实上级党委规范主题党日活动的通知，自7月起各党支部每月开展一次主题党日"
            ).position)

    def people(self, branch: str, day: date) -> tuple[UUID, list[UUID], list[UUID]]:
        """The branch's secretary, committee and party members on `day` (东山's secretary
        is replaced on the handover day)."""
        secretary, members = self.loader.secretaries[branch], self.loader.members[branch]
        if branch == REASSIGNED and day >= HANDOVER:
            secretary = members[1]  # the committee member who took the post
        committee = [secretary, *(m for m in members[:3] if m != secretary)]
        return secretary, committee, [secretary, *(m for m in members if m != secretary)]

    def attendance(self, meeting: PlannedMeeting) -> list[dict[str, str]]:
        """Everyone expected present, but for (at a meeting of all members) one absent with
        a reason and one on leave, taking turns; the committee meets in full but in July,
        when the deputy secretary is on leave."""
        _secretary, committee, everyone = self.people(meeting.branch, meeting.held_on)
        listed = [{"person_id": str(p), "status": "present", "reason": ""}
                  for p in (committee if meeting.kind == "branch_committee" else everyone)]
        turn = meeting.held_on.month + BRANCHES.index(meeting.branch)
        if meeting.kind == "branch_committee":
            if meeting.held_on.month == 7:
                listed[1].update(status="excused", reason=LEAVES[2])
            return listed
        others = len(listed) - 3  # the secretary and the first committee members attend
        listed[3 + turn % others].update(status="absent", reason=ABSENCES[turn % len(ABSENCES)])
        listed[3 + (turn + others // 2) % others].update(status="excused",
                                                        reason=LEAVES[turn % len(LEAVES)])
        return listed

    def quarter(self, quarter: int) -> None:
        for meeting in planned(quarter):
            if self.app.exists(meeting.id):
                continue
            secretary, _committee, _everyone = self.people(meeting.branch, meeting.held_on)
            self.wrote("meetings", self.app.record_meeting(
                f"person:{secretary}", id=meeting.id, organization_id=demo_id(meeting.branch),
                kind=meeting.kind, held_on=meeting.held_on, today=meeting.held_on,
                topic=meeting.topic, presider_id=secretary,
                attendance=self.attendance(meeting),
                minutes=f"{meeting.topic}。与会党员逐一发言，形成会议决定。",
                evidence=[f"{meeting.branch}-{meeting.held_on.isoformat()}-签到表.pdf"],
            ).position)

    def _meeting(self, which: tuple[str, str, int]) -> Meeting:
        branch, kind, month = which
        [found] = [m for m in planned((month + 2) // 3) if (m.branch, m.kind) == (branch, kind)
                   and m.held_on.month == month]
        return self.app.get(Meeting, found.id)

    def correction(self) -> None:
        """A member signed in for at 营销中心's second-quarter 党员大会 was absent."""
        meeting = self._meeting(CORRECTED)
        member = str(self.loader.members["marketing"][SIGNED_IN_FOR])
        if any(e["person_id"] == member and e["status"] == "absent"
               for e in meeting.attendance):
            return
        attendance = [{**e, "status": "absent", "reason": "外出培训未参会，签到系他人代签"}
                      if e["person_id"] == member else e for e in meeting.attendance]
        self.wrote("meeting corrections", self.app.correct_attendance(
            self.loader.secretary_actor("marketing"), meeting.id,
            presider_id=meeting.presider_id, attendance=attendance,
            reason="复查发现签到存在代签，更正该党员为缺席").position)

    def cancellation(self) -> None:
        """营销中心's May 支委会 was written up afterwards and never held."""
        meeting = self._meeting(CANCELLED)
        if meeting.status is MeetingStatus.HELD:
            self.wrote("meeting corrections", self.app.cancel_meeting(
                self.loader.secretary_actor("marketing"), meeting.id,
                reason="复查发现5月支委会未实际召开，记录系事后补记，予以作废").position)
