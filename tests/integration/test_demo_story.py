"""The demo's chapters on each backend: each ends at a moment that travels to exactly its last
event, whole seconds when loaded with pauses, and a second load writes nothing and finds the
same moments in the log."""

from __future__ import annotations

from datetime import date

from app.demo import load_demo, moments
from app.demo_history import HANDOVER
from app.demo_life import BRANCHES
from app.demo_organization import demo_id
from app.demo_standards import ACCEPTANCES, LOWERED, LOWERED_BECAUSE, LOWERED_ON
from app.settings import Settings
from domain.application import DengtaApplication
from domain.meetings import MeetingKind
from domain.member_evaluation import GradeStanding, MemberGrade
from domain.standardisation import LevelChange, StandardLevel
from projections import member_evaluation as evaluation
from projections import organizational_life as life
from projections import pioneer_posts as pioneer
from projections import standardisation as standards
from projections.member_record import member_record
from store.audit_reads import position_at
from store.db import Connection, Database
from store.url import DatabaseURL
from tests.integration.views import build


def test_each_chapter_ends_at_a_typeable_moment_found_again_on_a_second_load(
        app: DengtaApplication, settings: Settings) -> None:
    first = load_demo(app, pause=True)
    with Database(DatabaseURL(settings.database_url)).connection() as conn:
        found = moments(app, conn)
        assert [moment.title for moment in found] == [
            "组织与人员到位", "2026年度目标下达与责任书签订", "一季度执行",
            "二季度执行与年中权重调整", "二季度考核公布", "公布后更正、补报与复查",
            "东山县局党支部书记调整", "下半年组织生活", "年度民主评议党员"]
        assert found[-1].position == first.last_position
        assert [m.position for m in found] == sorted({m.position for m in found})
        for moment in found:
            assert moment.at.microsecond == 0 and moment.iso.endswith("Z"), moment.iso
            assert position_at(conn, moment.at) == moment.position, moment
        second = load_demo(app)
        assert not second.created
        assert moments(app, conn) == found


def missing_by_kind(conn: Connection, branch: str, day: date,
                    position: int | None = None) -> dict[str, list[str]]:
    found = life.compliance(conn, str(demo_id(branch)), 2026, day, position)
    assert found is not None
    return {k.kind.value: [p.label for p in k.missing] for k in found.compliance.kinds
            if k.missing}


def test_the_demos_organisational_life_has_its_gaps_where_the_story_puts_them(
        app: DengtaApplication, settings: Settings) -> None:
    load_demo(app)
    with Database(DatabaseURL(settings.database_url)).connection() as conn:
        build(app, conn)
        published = next(m for m in moments(app, conn) if m.title == "二季度考核公布")
        end_of_november = date(2026, 11, 30)
        assert missing_by_kind(conn, "xihe", end_of_november) == {
            "branch_committee": ["2026-08"], "branch_general": ["2026-Q2"],
            "lecture": ["2026-Q3"], "theme_day": ["2026-09"]}
        assert missing_by_kind(conn, "delivery", end_of_november) == {
            "branch_committee": ["2026-10"]}
        # 营销中心's May 支委会 counted until it was cancelled on review
        assert missing_by_kind(conn, "marketing", end_of_november) == {
            "branch_committee": ["2026-05"]}
        assert missing_by_kind(conn, "marketing", date(2026, 6, 30),
                               published.position) == {}
        for branch in set(BRANCHES) - {"xihe", "delivery", "marketing"}:
            assert missing_by_kind(conn, branch, end_of_november) == {}, branch

        marketing = life.compliance(conn, str(demo_id("marketing")), 2026, end_of_november)
        assert marketing is not None and marketing.rule_set is not None
        assert [v.revision for v in marketing.rule_set.versions] == [1, 2]
        theme_days = next(k for k in marketing.compliance.kinds
                          if k.kind is MeetingKind.THEME_DAY)
        assert [p.label for p in theme_days.periods] == [f"2026-{m:02d}" for m in range(7, 12)]
        members = {m.person_id: m for m in marketing.compliance.members}
        signed_in_for = members[str(demo_id("marketing/person-7"))]
        assert signed_in_for.absent >= 1 and signed_in_for.rate is not None
        away = [m for m in marketing.compliance.members if m.absent or m.excused]
        assert len(away) > len(members) / 2  # absences and leave take turns

        handover = life.meetings_page(conn, life.MeetingFilter(
            organization_ids=[str(demo_id("dongshan"))], year=2026))[0]
        leaving, coming = str(demo_id("dongshan/person-0")), str(demo_id("dongshan/person-2"))
        assert {m.presider_id for m in handover if m.held_on >= HANDOVER} == {coming}
        assert {m.presider_id for m in handover if m.held_on < HANDOVER} == {leaving}
        assert not any(a.person_id == leaving for m in handover if m.held_on >= HANDOVER
                       for a in m.attendance)
        absences = [a for m in handover for a in m.attendance if a.status == "absent"]
        assert absences and all(a.reason for a in absences)


def test_the_demos_member_evaluation_grades_everyone_and_the_lapsed_member_on_review(
        app: DengtaApplication, settings: Settings) -> None:
    load_demo(app)
    with Database(DatabaseURL(settings.database_url)).connection() as conn:
        build(app, conn)
        [found] = evaluation.rounds(conn, [str(demo_id("marketing"))], 2026)
        assert len(found.assessments) == 11
        assert all(a.summary and a.mutual_count == 4 and a.standing is GradeStanding.FINAL
                   for a in found.assessments)
        lapsed = {a.member_id: a for a in found.assessments}[str(demo_id("marketing/person-7"))]
        assert (lapsed.graded, lapsed.outcome, lapsed.grade) == (
            MemberGrade.UNQUALIFIED, "changed", MemberGrade.BASICALLY_QUALIFIED)
        assert lapsed.tally[MemberGrade.UNQUALIFIED] == 4 and lapsed.grade_reason
        on_grading = {g.member_id: g for g in evaluation.grades_on(
            conn, None, date(2026, 11, 28))}
        assert on_grading[lapsed.member_id].standing is GradeStanding.AWAITING_REVIEW
        grades = [g.grade for g in evaluation.grades_on(conn, None, date(2026, 11, 30))]
        assert grades.count(MemberGrade.EXCELLENT) == 2 and len(grades) == 11
        # the member's record carries the round, cut to the reader's organisations
        year = (date(2026, 1, 1), date(2026, 12, 31))
        [(round_, own)] = member_record(conn, lapsed.member_id, *year).evaluations
        assert (round_.id, own.grade) == (found.id, MemberGrade.BASICALLY_QUALIFIED)
        assert member_record(conn, lapsed.member_id, *year,
                             within=[str(demo_id("marketing"))]).evaluations
        assert not member_record(conn, lapsed.member_id, *year,
                                 within=[str(demo_id("delivery"))]).evaluations
        assert not member_record(conn, lapsed.member_id, date(2025, 1, 1),
                                 date(2025, 12, 31)).evaluations


def test_the_demos_branch_levels_as_the_story_tells_them(
        app: DengtaApplication, settings: Settings) -> None:
    """Accepted in June (营销中心 示范, four 达标, 西河 未达标), 营销中心 lowered in July citing
    the reopened finding; as the assessment was published, the lowering was not known."""
    load_demo(app)
    with Database(DatabaseURL(settings.database_url)).connection() as conn:
        build(app, conn)
        published = next(m for m in moments(app, conn) if m.title == "二季度考核公布")
        key = {str(demo_id(a.branch)): a.branch for a in ACCEPTANCES}

        def held(day: date, position: int | None = None) -> dict[str, StandardLevel | None]:
            found = standards.levels_held(conn, None, day, position)
            return {key[org]: change.level for org, change in found.items()}

        assert held(date(2026, 6, 21)) == {}
        accepted = {a.branch: a.level for a in ACCEPTANCES}
        assert held(date(2026, 6, 30)) == accepted
        assert held(date(2026, 8, 1), published.position) == accepted
        assert held(date(2026, 8, 1)) == {**accepted, LOWERED: StandardLevel.QUALIFIED}
        marketing = standards.record_of(conn, str(demo_id(LOWERED)))
        assert marketing is not None
        lowered = marketing.changes[-1]
        assert (lowered.change, lowered.effective_on, lowered.finding_id) == (
            LevelChange.LOWERED, LOWERED_ON, str(demo_id(LOWERED_BECAUSE)))
        assert lowered.actor == f"person:{demo_id('committee/person-0')}"
        [share] = standards.level_shares(conn, None, [2026])
        assert (share.branches, share.unrated) == (len(BRANCHES), len(BRANCHES) - 6)
        assert share.counts == {StandardLevel.EXEMPLARY: 0, StandardLevel.QUALIFIED: 5,
                                StandardLevel.UNQUALIFIED: 1}


def test_the_demos_pioneer_posts_are_held_where_and_when_the_story_puts_them(
        app: DengtaApplication, settings: Settings) -> None:
    load_demo(app)
    with Database(DatabaseURL(settings.database_url)).connection() as conn:
        build(app, conn)

        def held(day: date, position: int | None = None) -> list[str]:
            found, _, _ = pioneer.posts_page(conn, pioneer.PostFilter(valid_at=day), position)
            return sorted(p.title for p in found)

        assert held(date(2026, 2, 28)) == []
        assert len(held(date(2026, 7, 31))) == 4
        assert "农村配送线路党员责任区" not in held(date(2026, 8, 1))
        published = next(m for m in moments(app, conn) if m.title == "二季度考核公布")
        assert len(held(date(2026, 8, 1), published.position)) == 4  # not ended yet then
        (zone,), _, _ = pioneer.posts_page(conn, pioneer.PostFilter(
            organization_ids=[str(demo_id("delivery"))]))
        assert zone.status.value == "ended" and zone.follow_ups[-1].followed_on == date(
            2026, 7, 31)
