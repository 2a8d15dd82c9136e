"""The pioneer-post read model and a member's record on each backend: the posts held on
several days as known at several moments equal a replay of the aggregates; the record's
attendance equals the compliance view's; rebuilding equals folding incrementally."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from domain.errors import SegregationOfDutiesError
from domain.pioneer_posts import PioneerPost
from projections import ALL
from projections import member_record as records
from projections import organizational_life as life
from projections import pioneer_posts as views
from projections.engine import Follower, reset
from store.db import Database
from store.url import DatabaseURL
from tests.integration.views import build, dump_tables

ADMIN = "admin"
TODAY = date(2026, 12, 7)
DAYS = (date(2026, 2, 28), date(2026, 3, 1), date(2026, 5, 31), date(2026, 6, 1),
        date(2026, 7, 15), date(2026, 12, 31), date(2027, 1, 1))


@pytest.fixture
def conn(database_url: str):
    with Database(DatabaseURL(database_url)).connection() as connection:
        yield connection


def head(app: Any) -> int:
    return int(app.recorder.max_notification_id() or 0)


@dataclass
class Ledger:
    """The posts' states as each step left them, with the log position: the replay's source."""

    branch: UUID
    people: dict[str, UUID]
    states: list[tuple[int, UUID, PioneerPost]] = field(default_factory=list)

    def note(self, app: Any, post_id: UUID) -> None:
        self.states.append((head(app), post_id, app.get(PioneerPost, post_id)))

    def held(self, position: int, day: date) -> set[str]:
        latest: dict[UUID, PioneerPost] = {}
        for at, post_id, post in self.states:
            if at <= position:
                latest[post_id] = post
        return {str(i) for i, post in latest.items() if post.held_on(day)}


def world(app: Any) -> Ledger:
    committee = app.register_organization(ADMIN, name="党委", kind="committee",
                                          category="机关").id
    branch = app.register_organization(ADMIN, name="一支部", kind="branch", category="专卖",
                                       parent_id=committee).id
    group = app.register_organization(ADMIN, name="一小组", kind="group", category="专卖",
                                      parent_id=branch).id
    people = {}
    for key, org, post in (("书记", branch, "secretary"), ("张三", branch, "member"),
                           ("李四", group, "member"), ("王五", branch, "member")):
        people[key] = app.register_person(ADMIN, name=key, party_member=True).id
        app.appoint(ADMIN, people[key], organization_id=org, post=post,
                    effective_date=date(2025, 1, 1))
    return Ledger(branch, people)


def year_of_posts(app: Any) -> tuple[Ledger, list[int]]:
    """张三's exemplary post, followed up and ended early; 李四's zone (a group member's),
    its period corrected; 王五's post cancelled as recorded in error. The positions between
    the steps."""
    ledger = world(app)
    secretary = f"person:{ledger.people['书记']}"
    moments = [head(app)]

    def designate(key: str, kind: str, start: date, end: date) -> UUID:
        post: UUID = app.designate_pioneer(
            secretary, organization_id=ledger.branch, holder_id=ledger.people[key], kind=kind,
            title=f"{key}示范岗", scope="专卖稽查一线", held_from=start, held_to=end).id
        ledger.note(app, post)
        return post

    zhang = designate("张三", "exemplary_post", date(2026, 3, 1), date(2026, 12, 31))
    li = designate("李四", "responsibility_zone", date(2026, 4, 1), date(2026, 12, 31))
    moments.append(head(app))
    app.follow_up_pioneer(f"person:{ledger.people['张三']}", zhang, note="本月巡查12次",
                          followed_on=date(2026, 4, 30), today=TODAY)
    app.follow_up_pioneer(secretary, zhang, note="群众评价好", followed_on=date(2026, 5, 10),
                          today=TODAY, evidence=["表扬信.pdf"])
    ledger.note(app, zhang)
    app.end_pioneer_early(secretary, zhang, ended_on=date(2026, 6, 1), today=TODAY,
                          reason="调离本支部")
    ledger.note(app, zhang)
    moments.append(head(app))
    app.correct_pioneer_period(secretary, li, held_from=date(2026, 3, 1),
                               held_to=date(2026, 7, 15), reason="按支委会决定日期")
    ledger.note(app, li)
    wang = designate("王五", "exemplary_post", date(2026, 1, 1), date(2026, 12, 31))
    moments.append(head(app))
    app.cancel_pioneer(secretary, wang, reason="人员录错")
    ledger.note(app, wang)
    moments.append(head(app))
    return ledger, moments


def test_posts_held_on_each_day_as_of_each_moment_equal_a_replay(app, conn) -> None:
    ledger, moments = year_of_posts(app)
    build(app, conn)
    for position in [*moments, None]:
        for day in DAYS:
            found, _, total = views.posts_page(conn, views.PostFilter(valid_at=day), position)
            expected = ledger.held(position if position is not None else head(app), day)
            assert {v.id for v in found} == expected and total == len(expected), (position,
                                                                                  day)
    zhang = str(ledger.people["张三"])
    (post,), _, _ = views.posts_page(conn, views.PostFilter(holder_id=zhang))
    assert [(f.number, f.by_holder) for f in post.follow_ups] == [(1, True), (2, False)]
    assert post.follow_ups[1].evidence == ["表扬信.pdf"]
    assert (post.status.value, post.ended_on, post.corrections) == ("ended", date(2026, 6, 1),
                                                                   0)
    (before_end,), _, _ = views.posts_page(conn, views.PostFilter(holder_id=zhang), moments[1])
    assert before_end.ended_on is None and before_end.follow_ups == ()
    scoped, _, _ = views.posts_page(conn, views.PostFilter(organization_ids=["elsewhere"]))
    assert scoped == []


def test_nobody_designates_themself_through_the_use_case(app) -> None:
    ledger = world(app)
    with pytest.raises(SegregationOfDutiesError):
        app.designate_pioneer(f"person:{ledger.people['书记']}", organization_id=ledger.branch,
                              holder_id=ledger.people["书记"], kind="exemplary_post",
                              title="书记示范岗", scope="全支部", held_from=date(2026, 1, 1),
                              held_to=date(2026, 12, 31))


def test_a_member_record_counts_attendance_as_the_compliance_view_does(app, conn) -> None:
    ledger, _ = year_of_posts(app)
    zhang, secretary = ledger.people["张三"], ledger.people["书记"]
    statuses = [("present", ""), ("absent", "出差"), ("excused", "病假"), ("present", "")]
    for month, (status, reason) in enumerate(statuses, start=3):
        app.record_meeting(ADMIN, organization_id=ledger.branch, kind="branch_general",
                           held_on=date(2026, month, 10), today=TODAY, topic=f"{month}月学习",
                           presider_id=secretary,
                           attendance=[{"person_id": secretary, "status": "present"},
                                       {"person_id": zhang, "status": status,
                                        "reason": reason}])
    before_last = head(app) - 1
    build(app, conn)
    compliance = life.compliance(conn, str(ledger.branch), 2026, TODAY)
    assert compliance is not None
    (line,) = [m for m in compliance.compliance.members if m.person_id == str(zhang)]
    record = records.member_record(conn, str(zhang), date(2026, 1, 1), date(2026, 12, 31))
    assert record.attendance.tally == line and line.rate == 0.5
    assert [(m.status.value, m.reason) for m in record.attendance.absences] == [
        ("absent", "出差"), ("excused", "病假")]
    assert [p.title for p in record.posts] == ["张三示范岗"]
    earlier = records.member_record(conn, str(zhang), date(2026, 1, 1), date(2026, 12, 31),
                                    None, before_last)
    assert earlier.attendance.tally.listed == 3
    spring = records.member_record(conn, str(zhang), date(2026, 3, 1), date(2026, 4, 30))
    assert spring.attendance.tally.listed == 2 and len(spring.posts) == 1
    autumn = records.member_record(conn, str(zhang), date(2026, 6, 1), date(2026, 12, 31))
    assert autumn.posts == []  # ended early on 1 June
    outside = records.member_record(conn, str(zhang), date(2026, 1, 1), date(2026, 12, 31),
                                    ["elsewhere"])
    assert outside.attendance.tally.listed == 0 and outside.posts == []


def test_rebuilding_the_read_model_equals_folding_it_incrementally(app, conn) -> None:
    followers = [Follower(p, app, conn, batch_size=3) for p in ALL]
    for follower in followers:
        follower.prepare()
    year_of_posts(app)
    for follower in followers:
        follower.catch_up()
    incremental = dump_tables(conn)
    assert incremental[views.POSTS.name] and incremental[views.FOLLOW_UPS.name]
    for projection in ALL:
        reset(conn, projection)
    build(app, conn)
    assert dump_tables(conn) == incremental
