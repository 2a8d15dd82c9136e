"""The demo's pioneer posts (党员示范岗 / 党员责任区): designated by three branches' secretaries
with the year's goals, followed up mid-year (by the holders themselves and by the
secretaries), and in the second half one ended early when its holder moved to another post.
Idempotent like the rest of the demo: deterministic ids, each step only once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from app.demo_organization import DemoLoader, demo_id
from domain.pioneer_posts import PioneerPost, PioneerStatus


@dataclass(frozen=True)
class PlannedPost:
    branch: str
    member: int  # the index of the holder among the branch's party members
    kind: str
    title: str
    scope: str

    @property
    def id(self) -> UUID:
        return demo_id(f"pioneer/{self.branch}/{self.member}")


POSTS = [
    PlannedPost("marketing", 1, "exemplary_post", "零售客户服务党员示范岗",
                "城区客户服务站：零售户走访、订货指导与诉求办理"),
    PlannedPost("marketing", 6, "responsibility_zone", "城东片区党员责任区",
                "城东片区86户零售客户的规范经营与诚信互助"),
    PlannedPost("inspection", 1, "exemplary_post", "专卖稽查党员示范岗",
                "稽查一中队：市场检查、案件查办与普法宣传"),
    PlannedPost("delivery", 1, "responsibility_zone", "农村配送线路党员责任区",
                "农村配送三条线路的安全行车与客户满意"),
]
HELD = (date(2026, 3, 1), date(2026, 12, 31))
DESIGNATION = "经支部委员会研究决定，设立2026年度党员示范岗和党员责任区"
# (post, day, by the holder, note, evidence)
FollowUp = tuple[PlannedPost, date, bool, str, list[str]]
FOLLOW_UPS: list[FollowUp] = [
    (POSTS[0], date(2026, 4, 30), True, "本月走访零售户42户，协助办理诉求5件", ["走访台账.xlsx"]),
    (POSTS[0], date(2026, 6, 28), False, "支委会点评：服务规范、群众评价好，继续保持", []),
    (POSTS[2], date(2026, 6, 15), True, "牵头查办案件3起，开展普法宣传2场", ["案件登记表.pdf"]),
    (POSTS[1], date(2026, 6, 20), False, "责任区零售户诚信经营承诺签订率100%", ["承诺书汇总.pdf"]),
]
ENDED = (POSTS[3], date(2026, 8, 1), "责任人调任城区配送党小组，责任区另行设立")
CLOSING: FollowUp = (POSTS[3], date(2026, 7, 31), False,
                     "交接前责任区线路安全行车零事故，客户满意度98%", [])


class PioneerDemo:
    def __init__(self, loader: DemoLoader) -> None:
        self.loader = loader
        self.app = loader.app

    def holder(self, post: PlannedPost) -> UUID:
        return self.loader.members[post.branch][post.member]

    def designations(self) -> None:
        for post in POSTS:
            if not self.app.exists(post.id):
                self.loader.report.wrote("pioneer posts", self.app.designate_pioneer(
                    self.loader.secretary_actor(post.branch), id=post.id,
                    organization_id=demo_id(post.branch), holder_id=self.holder(post),
                    kind=post.kind, title=post.title, scope=post.scope, held_from=HELD[0],
                    held_to=HELD[1], reason=DESIGNATION).position)

    def follow_up(self, post: PlannedPost, day: date, by_holder: bool, note: str,
                  evidence: list[str]) -> None:
        if day in self.app.get(PioneerPost, post.id).follow_ups:
            return
        actor = (f"person:{self.holder(post)}" if by_holder
                 else self.loader.secretary_actor(post.branch))
        self.loader.report.wrote("pioneer follow-ups", self.app.follow_up_pioneer(
            actor, post.id, note=note, followed_on=day, today=day, evidence=evidence).position)

    def mid_year(self) -> None:
        for entry in FOLLOW_UPS:
            self.follow_up(*entry)

    def second_half(self) -> None:
        """The closing note of the delivery zone, and its early end."""
        self.follow_up(*CLOSING)
        post, day, reason = ENDED
        if self.app.get(PioneerPost, post.id).status is PioneerStatus.DESIGNATED:
            self.loader.report.wrote("pioneer posts", self.app.end_pioneer_early(
                self.loader.secretary_actor(post.branch), post.id, ended_on=day, today=day,
                reason=reason).position)
