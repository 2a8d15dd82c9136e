"""Assessment and the scoreboard on each backend: hand-computed figures, corrections after
publication, locking and the two-person reopening, and explanations that add up."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from domain.application import DengtaApplication
from domain.cycles import AssessmentCycle
from domain.errors import (
    CycleLockedError,
    DomainError,
    InvalidInputError,
    InvalidTransitionError,
    SegregationOfDutiesError,
    SelfEvaluationFirstError,
)
from domain.scoring import Node
from domain.values import Period
from projections import ALL
from projections import scoreboard as board
from projections.engine import KEEP_HOT, Follower, reset
from store.db import Database
from store.url import DatabaseURL
from tests.integration.assessment_story import (
    EXPECTED,
    EXPECTED_AFTER_CORRECTION,
    EXPECTED_BEFORE_BUSINESS,
    ORGANIZER,
    Q2,
    REVIEWER,
    SCHEME,
    correct_c1,
    evaluate_all,
    publish,
    stage,
)
from tests.integration.views import build, dump_tables


@pytest.fixture
def conn(database_url: str):
    with Database(DatabaseURL(database_url)).connection() as connection:
        yield connection


def head(app: DengtaApplication) -> int:
    return app.recorder.max_notification_id() or 0


def by_name(standings: list[board.Standing]) -> dict[str, board.Standing]:
    return {s.name.removesuffix("党支部"): s for s in standings}


def test_the_scoreboard_matches_the_hand_computed_figures_now_and_as_of_earlier(
        app, conn) -> None:
    story = stage(app)
    evaluate_all(app, story)
    build(app, conn)

    now = by_name(board.standings(conn, str(story.cycle)))
    for name, (party_building, combined, grade, category_rank, overall_rank) in (
            EXPECTED.items()):
        line = now[name]
        assert round(line.party_building, 2) == party_building, name
        assert round(line.combined, 2) == combined, name
        assert (line.grade, line.category_rank, line.overall_rank) == (
            grade, category_rank, overall_rank), name
    assert [s.name for s in board.standings(conn, str(story.cycle), category="营销")] == [
        "B党支部", "A党支部"]
    assert now["B"].vetoes[0]["condition"] == "重大负面事件"
    assert now["A"].adjustment == 3
    assert (now["A"].evaluated, now["A"].expected) == (6, 6)

    # As of the end of scoring: no bonus, veto or business score yet.
    then = by_name(board.standings(conn, str(story.cycle), story.positions["evaluated"]))
    for name, combined in EXPECTED_BEFORE_BUSINESS.items():
        assert round(then[name].combined, 2) == combined, name
    assert [then[n].grade for n in "ABC"] == ["合格", "良好", "良好"]
    assert [then[n].overall_rank for n in "ABC"] == [3, 2, 1]


def test_a_correction_after_publication_moves_the_current_score_not_the_published_one(
        app, conn) -> None:
    story = stage(app)
    evaluate_all(app, story)
    publish(app, story)
    correct_c1(app, story)
    build(app, conn)

    cycle = str(story.cycle)
    now = by_name(board.standings(conn, cycle))
    for name, (combined, grade, overall_rank) in EXPECTED_AFTER_CORRECTION.items():
        assert (round(now[name].combined, 2), now[name].grade, now[name].overall_rank) == (
            combined, grade, overall_rank), name
    published = by_name(board.standings(conn, cycle, story.positions["published"]))
    assert round(published["C"].combined, 2) == EXPECTED["C"][1]

    changes = board.changes_between(conn, cycle, str(story.branches["C"]),
                                    story.positions["published"], story.positions["corrected"])
    assert [(c.action, c.actor, c.reason) for c in changes] == [
        ("Corrected", REVIEWER, "复核发现C支部台账漏计，组织评价更正")]
    assert changes[0].detail == {"item": str(story.goals["C1"]), "kind": "organizational",
                                 "before": "84", "after": "100"}


def test_before_publication_evaluations_are_revised_and_cannot_be_corrected(app) -> None:
    story = stage(app)
    evaluate_all(app, story)
    before = head(app)
    with pytest.raises(InvalidTransitionError):
        correct_c1(app, story)
    assert head(app) == before


def add_up(node: Node) -> None:
    """Every derived node equals what its formula makes of its children."""
    for child in node.children:
        add_up(child)
    weighted = [c for c in node.children if c.weight is not None and c.value is not None]
    if node.kind in ("combined",) and len(weighted) == 2:
        total = sum(c.value * c.weight for c in weighted) / 100  # type: ignore[operator]
        assert abs(total - node.value) <= Decimal("0.01"), node.label  # type: ignore[operator]
    elif node.kind == "party_building" and node.value is not None:
        raw, *adjustments = node.children
        total = raw.value + sum(a.value for a in adjustments)  # type: ignore[operator,misc]
        assert min(Decimal(100), max(Decimal(0), total)) == node.value
    elif weighted and node.value is not None and node.kind != "combined":
        if all(c.kind == "evaluation" for c in node.children):
            return
        total_weight = sum(c.weight for c in weighted)  # type: ignore[misc]
        total = sum(c.value * c.weight for c in weighted) / total_weight  # type: ignore[operator]
        assert abs(total - node.value) <= Decimal("0.0001"), node.label


def test_explanations_add_up_to_the_reported_score(app, conn) -> None:
    story = stage(app)
    evaluate_all(app, story)
    build(app, conn)
    for name, organization in story.branches.items():
        card = board.score_card(conn, str(story.cycle), str(organization))
        assert card is not None
        assert float(card.combined) == pytest.approx(EXPECTED[name][1])  # type: ignore[arg-type]
        add_up(card.explanation)
        leaves = [n for n in walk(card.explanation) if n.kind == "evaluation"]
        assert leaves and all(n.ref for n in leaves)


def walk(node: Node) -> list[Node]:
    return [node, *(n for child in node.children for n in walk(child))]


def test_the_higher_level_scores_only_what_was_self_evaluated(app) -> None:
    story = stage(app)
    app.advance_cycle(ORGANIZER, story.cycle)  # straight to higher-level scoring
    before = head(app)
    with pytest.raises(SelfEvaluationFirstError):
        app.evaluate("person:committee-secretary", story.cycle,
                      organization_id=story.branches["A"], item_id=story.goals["A1"],
                      kind="organizational", points=80)
    assert head(app) == before
    with pytest.raises(InvalidInputError):  # another organisation's goal
        app.evaluate("person:self-A", story.cycle, organization_id=story.branches["A"],
                     item_id=story.goals["C1"], kind="self", points=80)
    with pytest.raises(InvalidInputError):  # beyond the maximum
        app.evaluate("person:self-A", story.cycle, organization_id=story.branches["A"],
                     item_id=story.goals["A1"], kind="self", points=101)
    assert head(app) == before


def lock(app: DengtaApplication, story: Any) -> None:
    evaluate_all(app, story)
    publish(app, story)
    app.lock_cycle(ORGANIZER, story.cycle)


def test_a_locked_cycle_refuses_every_change_and_writes_nothing(app) -> None:
    story = stage(app)
    lock(app, story)
    before = head(app)
    attempts = [
        lambda: app.evaluate("person:self-A", story.cycle, organization_id=story.branches["A"],
                             item_id=story.goals["A1"], kind="self", points=50),
        lambda: correct_c1(app, story),
        lambda: app.import_business_scores(ORGANIZER, story.cycle,
                                           scores={story.branches["A"]: 10}, reason="改"),
        lambda: app.propose_adjustment(ORGANIZER, story.cycle,
                                       organization_id=story.branches["A"], item="加分",
                                       points=1, reason="改"),
        lambda: app.apply_veto(ORGANIZER, story.cycle, organization_id=story.branches["A"],
                               condition="重大负面事件", reason="改"),
        lambda: app.lift_veto(ORGANIZER, story.cycle, organization_id=story.branches["B"],
                              condition="重大负面事件", reason="改"),
        lambda: app.revise_cycle_scheme(ORGANIZER, story.cycle, scheme={}, reason="改"),
        lambda: app.advance_cycle(ORGANIZER, story.cycle, reason="改"),
    ]
    for attempt in attempts:
        with pytest.raises(CycleLockedError):
            attempt()
    assert head(app) == before


def test_reopening_takes_a_request_and_another_persons_approval(app) -> None:
    story = stage(app)
    lock(app, story)
    before = head(app)
    with pytest.raises(InvalidTransitionError):  # no request yet
        app.approve_reopen(REVIEWER, story.cycle, reason="同意")
    app.request_reopen(ORGANIZER, story.cycle, reason="C支部申诉")
    requested = head(app)
    assert requested > before
    with pytest.raises(SegregationOfDutiesError):
        app.approve_reopen(ORGANIZER, story.cycle, reason="同意")
    with pytest.raises(SegregationOfDutiesError):  # scored in the cycle
        app.approve_reopen("person:committee-secretary", story.cycle, reason="同意")
    assert head(app) == requested
    app.approve_reopen("person:discipline", story.cycle, reason="同意复核")
    assert app.get(AssessmentCycle, story.cycle).status == "under_review"


def test_whoever_scored_may_not_lock_the_cycle(app) -> None:
    story = stage(app)
    evaluate_all(app, story)
    publish(app, story)
    with pytest.raises(SegregationOfDutiesError):
        app.lock_cycle("person:committee-secretary", story.cycle)


def test_a_cycle_keeps_the_indicator_version_it_opened_with(app, conn) -> None:
    story = stage(app)
    indicator = app.define_indicator(
        ORGANIZER, item="三会一课", content="按期召开支部党员大会、支委会、党小组会，按时上党课",
        criteria="缺一次扣2分", max_points=20).id
    cycle = app.draft_cycle(ORGANIZER, title="指标测试", kind="routine", cadence="monthly",
                            period=Q2, organizer_id=story.committee,
                            organization_ids=[story.branches["A"]],
                            scheme=SCHEME).id
    app.open_cycle(ORGANIZER, cycle, indicator_ids=[indicator])
    app.revise_indicator(ORGANIZER, indicator, item="三会一课（新版）", content="新", criteria="新",
                         max_points=50, reason="2027版指标")
    app.advance_cycle(ORGANIZER, cycle)
    with pytest.raises(DomainError):  # the copy's maximum still holds: 20
        app.evaluate("person:self-A", cycle, organization_id=story.branches["A"],
                     item_id=indicator, kind="self", points=30)
    app.evaluate("person:self-A", cycle, organization_id=story.branches["A"],
                 item_id=indicator, kind="self", points=15)
    build(app, conn)
    copied = board.cycle(conn, str(cycle))
    assert copied is not None
    assert [(i["item"], i["revision"], Decimal(str(i["max_points"])))
            for i in copied.indicators] == [("三会一课", 1, 20)]
    card = board.score_card(conn, str(cycle), str(story.branches["A"]))
    assert card is not None
    assert card.item_scores[str(indicator)]["self"] == 75  # 15 of 20



def test_an_annual_cycle_composes_the_routine_cycles_mean_with_its_own_assessment(
        app, conn) -> None:
    story = stage(app)
    evaluate_all(app, story)  # Q2: A 83.49, B 85.90, C 78.96
    year = Period(date(2026, 1, 1), date(2026, 12, 31))
    q3 = app.draft_cycle(ORGANIZER, title="第三季度", kind="routine", cadence="quarterly",
                         period=Period(date(2026, 7, 1), date(2026, 9, 30)),
                         organizer_id=story.committee, organization_ids=[story.branches["A"]],
                         scheme=SCHEME).id
    everything_scored(app, q3, story, 100)  # A: 100 (no business score)
    annual = app.draft_cycle(
        ORGANIZER, title="2026年度", kind="annual", period=year, organizer_id=story.committee,
        organization_ids=list(story.branches.values()), routine_cycle_ids=[story.cycle, q3],
        scheme={**SCHEME, "routine_weight": 40}).id
    everything_scored(app, annual, story, 90)  # A: 90 of its own
    build(app, conn)
    lines = by_name(board.standings(conn, str(annual)))
    # A: 0.4 x mean(83.49, 100) + 0.6 x 90 = 90.698; B and C: only their Q2 result
    assert round(lines["A"].combined, 2) == 90.70 and lines["A"].grade == "优秀"
    assert round(lines["B"].combined, 2) == 85.90
    assert round(lines["C"].combined, 2) == 78.96
    card = board.score_card(conn, str(annual), str(story.branches["A"]))
    assert card is not None and card.combined == Decimal("90.70")
    routine = next(n for n in walk(card.explanation) if n.kind == "routine_mean")
    assert [n.ref for n in routine.children] == [str(story.cycle), str(q3)]

    # A correction to a routine cycle moves the annual result that composes it.
    publish(app, story)
    correct_c1(app, story)
    build(app, conn)
    assert round(by_name(board.standings(conn, str(annual)))["C"].combined, 2) == 84.56


def everything_scored(app: DengtaApplication, cycle: Any, story: Any, points: int) -> None:
    """Every kind scores both of A's goals `points`."""
    app.open_cycle(ORGANIZER, cycle)
    app.advance_cycle(ORGANIZER, cycle)
    for goal in ("A1", "A2"):
        for kind, actor in (("self", "person:self-A"), ("mass", "person:m"),
                            ("social", "person:s")):
            app.evaluate(actor, cycle, organization_id=story.branches["A"],
                         item_id=story.goals[goal], kind=kind, points=points)
    app.advance_cycle(ORGANIZER, cycle)
    for goal in ("A1", "A2"):
        app.evaluate("person:committee-secretary", cycle, organization_id=story.branches["A"],
                     item_id=story.goals[goal], kind="organizational", points=points)


def test_scores_roll_up_the_organisation_tree(app, conn) -> None:
    story = stage(app)
    evaluate_all(app, story)
    build(app, conn)
    whole = board.rollup(conn, str(story.cycle), str(story.committee))
    assert (whole.assessed, whole.scored, whole.best, whole.worst) == (3, 3, 85.9, 78.96)
    assert whole.mean == round((83.49 + 85.90 + 78.96) / 3, 2)
    one = board.rollup(conn, str(story.cycle), str(story.branches["C"]))
    assert (one.assessed, one.mean) == (1, 78.96)
    before = board.rollup(conn, str(story.cycle), str(story.committee),
                          story.positions["evaluated"])
    assert before.mean == round((77.70 + 82.00 + 82.80) / 3, 2)


def test_rebuilding_the_scoreboard_equals_folding_it_one_event_at_a_time(app, conn) -> None:
    followers = [Follower(p, app, conn, batch_size=1) for p in ALL]
    for follower in followers:
        follower.prepare()
    story = stage(app)
    evaluate_all(app, story)
    for follower in followers:
        follower.catch_up()
    publish(app, story)
    correct_c1(app, story)
    for follower in followers:
        follower.catch_up()
    incremental = dump_tables(conn)
    for projection in ALL:
        reset(conn, projection)
    build(app, conn, batch_size=5000)
    assert dump_tables(conn) == incremental


@pytest.mark.parametrize("keep_hot", [0, KEEP_HOT])
def test_a_failed_batch_drops_what_the_follower_kept_between_batches(app, conn,
                                                                     keep_hot) -> None:
    story = stage(app)
    evaluate_all(app, story)
    follower = Follower(board.Scoreboard, app, conn, batch_size=5, keep_hot=keep_hot)
    follower.prepare()
    for _ in range(6):  # part way through the scoring, with tallies kept between batches
        follower.step()
    failures = iter([RuntimeError("the connection dropped before the commit")])

    def fail_once() -> None:
        error = next(failures, None)
        if error is not None:
            raise error

    follower.before_commit = fail_once
    with pytest.raises(RuntimeError):
        follower.step()  # its batch rolled back, with the tallies it had moved in memory
    follower.catch_up()  # the same follower carries on

    def rows() -> dict[str, list[Any]]:
        return {t.name: sorted(conn.execute(f"SELECT * FROM {t.name}"), key=repr)
                for t in board.Scoreboard.tables}

    survived = rows()
    reset(conn, board.Scoreboard)
    Follower(board.Scoreboard, app, conn, batch_size=5000).catch_up()
    assert rows() == survived
