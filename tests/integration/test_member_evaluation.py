"""The member-evaluation read model on each backend: a round's members with their self-
evaluations, mutual tallies, proposals, grades and reviews; the grades held as of several
moments and valid on several days equal a replay of the recorded grades and reviews;
segregation of the review with posts in business time; rebuilding equals folding
incrementally."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from domain.errors import AlreadyExistsError, SegregationOfDutiesError
from domain.member_evaluation import GradeStanding, MemberGrade
from projections import ALL
from projections import member_evaluation as views
from projections.engine import Follower, reset
from store.db import Database
from store.url import DatabaseURL
from tests.integration.views import build, dump_tables

ADMIN = "admin"
TODAY = date(2027, 3, 1)
OPENED = date(2027, 1, 5)
DAYS = (date(2027, 1, 4), date(2027, 1, 12), date(2027, 1, 15), date(2027, 1, 20),
        date(2027, 2, 10), TODAY)


@pytest.fixture
def conn(database_url: str):
    with Database(DatabaseURL(database_url)).connection() as connection:
        yield connection


@dataclass
class Ledger:
    """The branch, its people (as actors by name) and every grade the test recorded with its
    log position: the replay's source."""

    committee: UUID
    branch: UUID
    people: dict[str, UUID]
    round_id: UUID | None = None
    grades: list[tuple[int, str, date, MemberGrade, GradeStanding]] = field(
        default_factory=list)

    def actor(self, name: str) -> str:
        return f"person:{self.people[name]}"

    def replay(self, position: int, day: date) -> dict[str, tuple[MemberGrade, GradeStanding]]:
        held: dict[str, tuple[MemberGrade, GradeStanding]] = {}
        for at, name, since, grade, standing in sorted(self.grades, key=lambda g: (g[2], g[0])):
            if at <= position and since <= day:
                held[str(self.people[name])] = (grade, standing)
        return held


def head(app: Any) -> int:
    return int(app.recorder.max_notification_id() or 0)


def tell(app: Any) -> Ledger:
    committee = app.register_organization(ADMIN, name="党委", kind="committee",
                                          category="机关").id
    branch = app.register_organization(ADMIN, name="一支部", kind="branch", category="营销",
                                       parent_id=committee).id
    people = {}
    for name, post, where in (("书记", "secretary", branch), ("委员", "committee_member", branch),
                              ("张三", "member", branch), ("李四", "member", branch),
                              ("党委书记", "secretary", committee)):
        people[name] = app.register_person(ADMIN, name=name, party_member=True).id
        app.appoint(ADMIN, people[name], organization_id=where, post=post,
                    effective_date=date(2024, 1, 1))
    return Ledger(committee, branch, people)


def grade(app: Any, ledger: Ledger, name: str, given: str, day: date, reason: str = "") -> None:
    assert ledger.round_id is not None
    app.grade_member(ledger.actor("书记"), ledger.round_id, member_id=ledger.people[name],
                     grade=given, graded_on=day, today=TODAY, reason=reason)
    standing = (GradeStanding.AWAITING_REVIEW if given == "unqualified"
                else GradeStanding.FINAL)
    ledger.grades.append((head(app), name, day, MemberGrade(given), standing))


def a_year(app: Any) -> tuple[Ledger, list[int]]:
    """2026's round: self- and mutual evaluations, proposals, grades (张三 不合格, corrected
    once, then changed on review to 基本合格). The positions between the steps."""
    ledger = tell(app)
    moments = [head(app)]
    members = [ledger.people[n] for n in ("书记", "委员", "张三", "李四")]
    ledger.round_id = app.open_member_evaluation(
        ledger.actor("书记"), organization_id=ledger.branch, year=2026, opened_on=OPENED,
        today=TODAY, member_ids=members).id
    round_id = ledger.round_id
    for name in ("张三", "李四"):
        app.submit_self_evaluation(ledger.actor(name), round_id, summary=f"{name}的自我评价",
                                   evaluated_on=date(2027, 1, 6), today=TODAY)
    for evaluator, member, given in (("李四", "张三", "unqualified"), ("委员", "张三", "qualified"),
                                     ("书记", "张三", "unqualified"), ("张三", "李四", "excellent"),
                                     ("委员", "李四", "excellent")):
        app.submit_mutual_evaluation(ledger.actor(evaluator), round_id,
                                     member_id=ledger.people[member], grade=given,
                                     evaluated_on=date(2027, 1, 8), today=TODAY)
    moments.append(head(app))
    app.propose_member_grade(ledger.actor("委员"), round_id, member_id=ledger.people["张三"],
                             grade="unqualified", opinion="全年缺席组织生活六次",
                             proposed_on=date(2027, 1, 10), today=TODAY)
    app.propose_member_grade(ledger.actor("书记"), round_id, member_id=ledger.people["李四"],
                             grade="excellent", opinion="带头攻坚",
                             proposed_on=date(2027, 1, 10), today=TODAY)
    grade(app, ledger, "李四", "excellent", date(2027, 1, 12))
    grade(app, ledger, "张三", "basically_qualified", date(2027, 1, 12))
    moments.append(head(app))
    grade(app, ledger, "张三", "unqualified", date(2027, 1, 15), "党员大会表决：不合格")
    moments.append(head(app))
    app.review_member_grade(ledger.actor("党委书记"), round_id, member_id=ledger.people["张三"],
                            outcome="changed", grade="basically_qualified",
                            reviewed_on=date(2027, 2, 10), today=TODAY,
                            reason="已作检讨并改正，定为基本合格")
    ledger.grades.append((head(app), "张三", date(2027, 2, 10),
                          MemberGrade.BASICALLY_QUALIFIED, GradeStanding.FINAL))
    moments.append(head(app))
    return ledger, moments


def test_grades_as_of_each_moment_and_on_each_day_equal_a_replay(app, conn) -> None:
    ledger, moments = a_year(app)
    build(app, conn)
    for position in [*moments, None]:
        for day in DAYS:
            found = views.grades_on(conn, None, day, position=position)
            expected = ledger.replay(position if position is not None else head(app), day)
            assert {g.member_id: (g.grade, g.standing) for g in found} == expected, (
                position, day)
    assert views.grades_on(conn, [str(ledger.committee)], TODAY) == []
    assert views.grades_on(conn, None, TODAY, year=2025) == []


def test_a_round_shows_each_member_as_known_at_a_moment(app, conn) -> None:
    ledger, moments = a_year(app)
    build(app, conn)
    assert ledger.round_id is not None
    current = views.round_of(conn, str(ledger.round_id))
    assert current is not None and current.year == 2026 and current.opened_on == OPENED
    by_member = {a.member_id: a for a in current.assessments}
    zhang = by_member[str(ledger.people["张三"])]
    assert zhang.summary == "张三的自我评价" and zhang.self_on == date(2027, 1, 6)
    assert zhang.tally[MemberGrade.UNQUALIFIED] == 2 and zhang.mutual_count == 3
    assert (zhang.proposal, zhang.graded, zhang.outcome, zhang.grade, zhang.standing) == (
        MemberGrade.UNQUALIFIED, MemberGrade.UNQUALIFIED, "changed",
        MemberGrade.BASICALLY_QUALIFIED, GradeStanding.FINAL)
    assert zhang.reviewed_by == str(ledger.committee)
    before_review = views.round_of(conn, str(ledger.round_id), moments[3])
    assert before_review is not None
    earlier = {a.member_id: a for a in before_review.assessments}[str(ledger.people["张三"])]
    assert (earlier.grade, earlier.standing, earlier.grade_reason) == (
        MemberGrade.UNQUALIFIED, GradeStanding.AWAITING_REVIEW, "党员大会表决：不合格")
    first = views.round_of(conn, str(ledger.round_id), moments[1])
    assert first is not None and all(
        a.standing is GradeStanding.UNGRADED and a.proposal is None for a in first.assessments)
    assert views.round_of(conn, str(ledger.round_id), moments[0]) is None
    assert [r.id for r in views.rounds(conn, [str(ledger.branch)], 2026)] == [
        str(ledger.round_id)]
    assert views.rounds(conn, [str(ledger.branch)], 2025) == []


def test_the_review_comes_from_above_and_a_round_opens_once(app, conn) -> None:
    ledger = tell(app)
    round_id = app.open_member_evaluation(
        ledger.actor("书记"), organization_id=ledger.branch, year=2026, opened_on=OPENED,
        today=TODAY, member_ids=[ledger.people["张三"], ledger.people["李四"]]).id
    with pytest.raises(AlreadyExistsError):
        app.open_member_evaluation(ADMIN, organization_id=ledger.branch, year=2026,
                                   opened_on=OPENED, today=TODAY,
                                   member_ids=[ledger.people["张三"]])
    app.propose_member_grade(ledger.actor("委员"), round_id, member_id=ledger.people["张三"],
                             grade="unqualified", opinion="失联", proposed_on=OPENED,
                             today=TODAY)
    app.grade_member(ADMIN, round_id, member_id=ledger.people["张三"], grade="unqualified",
                     graded_on=OPENED, today=TODAY, reason="失联半年")
    # 委员 holds a post in the branch; 书记 too, until the post ends on 1 February
    app.end_post(ADMIN, ledger.people["书记"], organization_id=ledger.branch, post="secretary",
                 effective_date=date(2027, 2, 1))
    for name, day in (("委员", date(2027, 2, 5)), ("书记", date(2027, 1, 20))):
        with pytest.raises(SegregationOfDutiesError):
            app.review_member_grade(ledger.actor(name), round_id, member_id=ledger.people["张三"],
                                    outcome="upheld", reviewed_on=day, today=TODAY,
                                    reason="属实")
    app.review_member_grade(ledger.actor("书记"), round_id, member_id=ledger.people["张三"],
                            outcome="upheld", reviewed_on=date(2027, 2, 5), today=TODAY,
                            reason="属实，维持不合格")


def test_rebuilding_the_read_model_equals_folding_it_incrementally(app, conn) -> None:
    followers = [Follower(p, app, conn, batch_size=3) for p in ALL]
    for follower in followers:
        follower.prepare()
    a_year(app)
    for follower in followers:
        follower.catch_up()
    incremental = dump_tables(conn)
    assert incremental[views.GRADE_CHANGES.name] and incremental[views.MUTUAL.name]
    for projection in ALL:
        reset(conn, projection)
    build(app, conn)
    assert dump_tables(conn) == incremental
