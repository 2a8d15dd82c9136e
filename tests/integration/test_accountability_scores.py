"""Scores in the accountability view, taken from the scoreboard: each goal's item score and an
organisation's own line, from the cycle they are shown from, now and as of earlier positions.

Item scores of the assessment story (scheme: organisational 50, mass 20, self 20, social 10):
A1 0.5x80 + 0.2x80 + 0.2x90 + 0.1x85 = 82.50; A2 35 + 12 + 16 + 7.5 = 70.50;
B1 (rolled up from B1a and B1b per kind: 81, 78, 87.5, 84) 40.5 + 15.6 + 17.5 + 8.4 = 82.00;
C1 42 + 15.2 + 17.6 + 8 = 82.80, and after its organisational score is corrected to 100:
50 + 15.2 + 17.6 + 8 = 90.80.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from domain.application import DengtaApplication
from domain.values import Period
from projections import accountability as views
from store.db import Database
from store.url import DatabaseURL
from tests.integration.assessment_story import (
    ORGANIZER,
    SCHEME,
    Assessment,
    correct_c1,
    evaluate_all,
    publish,
    stage,
)
from tests.integration.views import build

TODAY = date(2026, 7, 15)


@pytest.fixture
def conn(database_url: str):
    with Database(DatabaseURL(database_url)).connection() as connection:
        yield connection


def assign(app: DengtaApplication, story: Assessment) -> UUID:
    """Branches A, B and C answer for their top goals; a member of A directly for A2."""
    member = app.register_person(ORGANIZER, name="李委员", party_member=True).id
    app.appoint(ORGANIZER, member, organization_id=story.branches["A"], post="member")
    for goal in ("A1", "A2", "B1", "C1"):
        app.assign_responsibility(ORGANIZER, story.goals[goal], party_kind="organization",
                                  party_id=story.branches[goal[0]], kind="primary",
                                  reason="责任分解")
    app.assign_responsibility(ORGANIZER, story.goals["A2"], party_kind="person",
                              party_id=member, kind="direct", reason="责任分解")
    return member


def scores(conn, party_kind: str, party: UUID,
           position: int | None = None) -> dict[str, float | None]:
    view = views.accountability(conn, party_kind, str(party), TODAY, position)
    return {r.goal_title.removeprefix("目标"): view.scores[r.goal_id].score
            for r in view.responsibilities if r.goal_id in view.scores}


def line(conn, story: Assessment, branch: str,
         position: int | None = None) -> tuple[str, float | None, str | None, int | None,
                                                 int | None]:
    view = views.accountability(conn, "organization", str(story.branches[branch]), TODAY,
                                position)
    assert view.assessment is not None
    unit, standing = view.assessment
    return (unit.cycle_title, standing.combined, standing.grade, standing.category_rank,
            standing.overall_rank)


def test_goal_and_organisation_scores_match_the_hand_computed_figures_now_and_earlier(
        app, conn) -> None:
    story = stage(app)
    member = assign(app, story)
    before_scoring = app.recorder.max_notification_id()
    evaluate_all(app, story)
    publish(app, story)
    correct_c1(app, story)
    build(app, conn)
    title = "2026年第二季度党建考核"

    assert scores(conn, "organization", story.branches["A"]) == {"A1": 82.5, "A2": 70.5}
    assert scores(conn, "person", member) == {"A2": 70.5}
    assert scores(conn, "organization", story.branches["B"]) == {"B1": 82.0}
    assert scores(conn, "organization", story.branches["C"]) == {"C1": 90.8}
    assert line(conn, story, "A") == (title, 83.49, "良好", 2, 3)
    assert line(conn, story, "C") == (title, 84.56, "良好", 1, 2)

    # As published, before C1's correction.
    published = story.positions["published"]
    assert scores(conn, "organization", story.branches["C"], published) == {"C1": 82.8}
    assert line(conn, story, "C", published) == (title, 78.96, "合格", 1, 3)
    # At the end of scoring: item scores stand, no bonus or business score yet.
    evaluated = story.positions["evaluated"]
    assert scores(conn, "organization", story.branches["A"], evaluated) == {
        "A1": 82.5, "A2": 70.5}
    assert line(conn, story, "A", evaluated)[1] == 77.7
    # Before anyone scored: the cycle is there, the scores are not.
    assert scores(conn, "organization", story.branches["A"], before_scoring) == {
        "A1": None, "A2": None}
    assert line(conn, story, "A", before_scoring) == (title, None, None, None, None)


def test_a_published_cycle_is_shown_before_a_later_one_under_way(app, conn) -> None:
    story = stage(app)
    assign(app, story)
    evaluate_all(app, story)
    q3 = app.draft_cycle(ORGANIZER, title="2026年第三季度党建考核", kind="routine",
                         cadence="quarterly", period=Period(date(2026, 7, 1), date(2026, 9, 30)),
                         organizer_id=story.committee,
                         organization_ids=list(story.branches.values()), scheme=SCHEME).id
    opened = app.open_cycle(ORGANIZER, q3).position
    publish(app, story)
    build(app, conn)

    # Neither published: the later period is shown, with nothing scored in it yet.
    assert line(conn, story, "A", opened) == ("2026年第三季度党建考核", None, None, None, None)
    assert scores(conn, "organization", story.branches["A"], opened) == {
        "A1": None, "A2": None}
    # Q2 published: its final scores are shown.
    assert line(conn, story, "A")[:3] == ("2026年第二季度党建考核", 83.49, "良好")
    assert scores(conn, "organization", story.branches["A"]) == {"A1": 82.5, "A2": 70.5}
