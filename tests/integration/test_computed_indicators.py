"""A computed indicator (三会一课完成率) on each backend: it follows the meeting records while its
cycle is open, publication freezes it into the Published event (a later meeting, cancellation
or rule change moves an open cycle's value, never the published one's), as of a moment before
publication the live value shows, and rebuilding equals folding one event at a time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from domain.application import DengtaApplication
from domain.cycles import AssessmentCycle
from domain.errors import InvalidInputError
from domain.values import Period
from projections import ALL
from projections import scoreboard as board
from projections.engine import Follower, reset
from store.db import Database
from store.url import DatabaseURL
from tests.integration.views import build, dump_tables

ACTOR = "person:organizer"
Q2 = Period(date(2026, 4, 1), date(2026, 6, 30))
RULES = [{"organization_kind": "branch", "meeting_kind": "branch_committee",
          "cadence": "monthly"},
         {"organization_kind": "branch", "meeting_kind": "branch_general",
          "cadence": "quarterly"}]
SCHEME: dict[str, Any] = {
    "evaluator_weights": {"organizational": 50, "mass": 20, "self": 20, "social": 10},
    "party_building_weight": 100, "vetoes": [],
    "grade_bands": [{"grade": "优秀", "min": 90}, {"grade": "合格", "min": 60},
                    {"grade": "不合格", "min": 0}]}


@pytest.fixture
def conn(database_url: str):
    with Database(DatabaseURL(database_url)).connection() as connection:
        yield connection


@dataclass
class Story:
    committee: UUID
    branch: UUID
    secretary: UUID
    indicator: UUID
    rules: UUID
    cycles: dict[str, UUID] = field(default_factory=dict)
    meetings: dict[str, UUID] = field(default_factory=dict)


def head(app: DengtaApplication) -> int:
    return int(app.recorder.max_notification_id() or 0)


def told(app: DengtaApplication) -> Story:
    """A branch under a committee whose rules ask a 支委会 a month and a 党员大会 a quarter;
    a computed 三会一课 indicator; two Q2 cycles assessing the branch on it, both opened."""
    committee = app.register_organization(ACTOR, name="党委", kind="committee",
                                          category="机关").id
    branch = app.register_organization(ACTOR, name="一支部", kind="branch", category="营销",
                                       parent_id=committee).id
    secretary = app.register_person(ACTOR, name="书记", party_member=True).id
    app.appoint(ACTOR, secretary, organization_id=branch, post="secretary",
                effective_date=date(2025, 1, 1))
    rules = app.define_meeting_rules(ACTOR, organization_id=committee, title="三会一课制度",
                                     effective_from=date(2026, 1, 1), rules=RULES).id
    indicator = app.define_indicator(ACTOR, item="三会一课", content="", criteria="",
                                     max_points=20, source="meeting_compliance").id
    story = Story(committee, branch, secretary, indicator, rules)
    for name in ("published", "open"):
        cycle = app.draft_cycle(ACTOR, title=f"二季度考核（{name}）", kind="routine",
                                cadence="quarterly", period=Q2,
                                organizer_id=committee, organization_ids=[branch],
                                scheme=SCHEME).id
        app.open_cycle(ACTOR, cycle, indicator_ids=[indicator])
        story.cycles[name] = cycle
    return story


def meet(app: DengtaApplication, story: Story, kind: str, day: date) -> UUID:
    meeting = app.record_meeting(
        ACTOR, organization_id=story.branch, kind=kind, held_on=day, today=date(2026, 12, 1),
        topic=f"{kind} {day}", presider_id=story.secretary,
        attendance=[{"person_id": str(story.secretary), "status": "present", "reason": ""}]).id
    story.meetings[f"{kind} {day}"] = meeting
    return meeting


def publish(app: DengtaApplication, cycle: UUID) -> int:
    for _ in range(3):  # opened -> self-evaluation -> higher-level scoring -> under review
        app.advance_cycle(ACTOR, cycle)
    return app.publish_cycle(ACTOR, cycle).position or 0


def value(conn: Any, story: Story, name: str, position: int | None = None) -> float | None:
    line = board.standing(conn, str(story.cycles[name]), str(story.branch), position)
    assert line is not None
    return line.combined


def the_quarter(app: DengtaApplication, story: Story) -> dict[str, int]:
    """April and May 支委会 and the 党员大会 (3 of 4 required: 75), then June's (100); publish
    one cycle; then June's is cancelled (75 again, where still open) and the rules revised to
    ask a 党课 each quarter as well (3 of 5: 60)."""
    moments = {}
    meet(app, story, "branch_committee", date(2026, 4, 8))
    meet(app, story, "branch_committee", date(2026, 5, 8))
    meet(app, story, "branch_general", date(2026, 5, 20))
    moments["three"] = head(app)
    june = meet(app, story, "branch_committee", date(2026, 6, 8))
    moments["four"] = head(app)
    moments["published"] = publish(app, story.cycles["published"])
    app.cancel_meeting(ACTOR, june, reason="复查发现未实际召开")
    moments["cancelled"] = head(app)
    app.revise_meeting_rules(ACTOR, story.rules, effective_from=date(2026, 1, 1),
                             rules=[*RULES, {"organization_kind": "branch",
                                             "meeting_kind": "lecture",
                                             "cadence": "quarterly"}],
                             reason="增加党课要求")
    moments["revised"] = head(app)
    return moments


def test_the_value_moves_while_open_and_is_frozen_by_publication(app, conn) -> None:
    story = told(app)
    moments = the_quarter(app, story)
    build(app, conn)
    assert value(conn, story, "open", moments["three"]) == 75.0
    assert value(conn, story, "open", moments["four"]) == 100.0
    assert value(conn, story, "open", moments["cancelled"]) == 75.0
    assert value(conn, story, "open") == 60.0
    # Published at 100 (June's meeting was on record then): later records do not move it.
    assert value(conn, story, "published", moments["three"]) == 75.0  # live before
    assert value(conn, story, "published", moments["published"] - 1) == 100.0
    for moment in (moments["published"], moments["cancelled"], None):
        assert value(conn, story, "published", moment) == 100.0
    cycle = app.get(AssessmentCycle, story.cycles["published"])
    assert cycle.is_published
    events = list(app.repository.event_store.get(story.cycles["published"]))
    [published] = [e for e in events if isinstance(e, AssessmentCycle.Published)]
    frozen = published.measures[str(story.branch)][str(story.indicator)]
    assert frozen["value"] == "100.000000"
    assert {m["id"] for k in frozen["kinds"] for m in k["meetings"]} == {
        str(m) for m in story.meetings.values()}


def test_the_score_card_explains_the_value_by_the_meetings_behind_it(app, conn) -> None:
    story = told(app)
    moments = the_quarter(app, story)
    build(app, conn)
    for name, position, meetings in (("published", None, 4), ("open", None, 3),
                                     ("open", moments["four"], 4)):
        card = board.score_card(conn, str(story.cycles[name]), str(story.branch), position)
        assert card is not None
        measure = card.measures[str(story.indicator)]
        assert len(measure.meeting_ids) == meetings
        steps = [node for node in walk(card.explanation) if node.kind == "meeting"]
        assert {n.ref for n in steps} == set(measure.meeting_ids)


def walk(node: Any) -> list[Any]:
    return [node, *(n for child in node.children for n in walk(child))]


def test_a_computed_indicator_is_not_evaluated_by_hand(app) -> None:
    story = told(app)
    app.advance_cycle(ACTOR, story.cycles["open"])
    with pytest.raises(InvalidInputError) as raised:
        app.evaluate(ACTOR, story.cycles["open"], organization_id=story.branch,
                     item_id=story.indicator, kind="self", points=18)
    assert raised.value.field == "itemId"


def test_reopening_lets_the_value_follow_the_records_until_published_again(app, conn) -> None:
    story = told(app)
    moments = the_quarter(app, story)
    cycle = story.cycles["published"]
    app.request_reopen(ACTOR, cycle, reason="复查三会一课记录")
    app.approve_reopen("person:reviewer", cycle, reason="同意")
    reopened = head(app)
    build(app, conn)
    assert value(conn, story, "published", moments["revised"]) == 100.0
    assert value(conn, story, "published", reopened) == 60.0
    app.publish_cycle(ACTOR, cycle, reason="复查后重新公布")
    meet(app, story, "lecture", date(2026, 6, 20))
    build(app, conn)
    assert value(conn, story, "published") == 60.0
    assert value(conn, story, "open") == 80.0


def test_rebuilding_equals_folding_one_event_at_a_time(app, conn) -> None:
    followers = [Follower(p, app, conn, batch_size=1) for p in ALL]
    for follower in followers:
        follower.prepare()
    story = told(app)
    the_quarter(app, story)
    for follower in followers:
        follower.catch_up()
    incremental = dump_tables(conn)
    for projection in ALL:
        reset(conn, projection)
    build(app, conn, batch_size=5000)
    assert dump_tables(conn) == incremental
