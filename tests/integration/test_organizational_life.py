"""The organisational-life read model on each backend: the compliance view as of several
moments and valid on several days equals a replay of the recorded facts, and rebuilding it
equals folding it incrementally."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from domain.compliance import HeldMeeting, assess
from domain.errors import PostRequiredError
from domain.meeting_rules import RuleVersion, version_of
from domain.meetings import MeetingKind
from projections import ALL
from projections import organizational_life as life
from projections.engine import Follower, reset
from store.db import Database
from store.url import DatabaseURL
from tests.integration.views import build, dump_tables

ACTOR = "person:secretary"
TODAY = date(2026, 12, 7)
RULES = [{"organization_kind": "branch", "meeting_kind": kind, "cadence": cadence}
         for kind, cadence in (("branch_committee", "monthly"), ("branch_general", "quarterly"),
                               ("lecture", "quarterly"), ("life_meeting", "yearly"))]


@pytest.fixture
def conn(database_url: str):
    with Database(DatabaseURL(database_url)).connection() as connection:
        yield connection


@dataclass
class Ledger:
    """What the test recorded, with the log position of each fact: the replay's source."""

    organization: UUID
    people: dict[str, UUID]
    versions: list[tuple[int, RuleVersion]] = field(default_factory=list)
    # meeting id -> (position, kind, day, attendance) for each state it had; None: cancelled
    meetings: dict[str, list[tuple[int, Any]]] = field(default_factory=dict)

    def replay(self, position: int, day: date) -> Any:
        versions = [v for at, v in self.versions if at <= position]
        held = []
        for meeting_id, states in self.meetings.items():
            known = [state for at, state in states if at <= position]
            if known and known[-1] is not None:
                kind, held_on, attendance = known[-1]
                if held_on <= day:
                    held.append(HeldMeeting(meeting_id, kind, held_on, attendance))
        return assess("branch", 2026, day, versions, held)


def head(app: Any) -> int:
    return int(app.recorder.max_notification_id() or 0)


def tell(app: Any) -> Ledger:
    committee = app.register_organization(ACTOR, name="党委", kind="committee",
                                          category="机关").id
    branch = app.register_organization(ACTOR, name="一支部", kind="branch", category="营销",
                                       parent_id=committee).id
    people = {}
    for key, post in (("书记", "secretary"), ("委员", "committee_member"), ("党员甲", "member"),
                      ("党员乙", "member")):
        people[key] = app.register_person(ACTOR, name=key, party_member=True).id
        app.appoint(ACTOR, people[key], organization_id=branch, post=post,
                    effective_date=date(2025, 1, 1))
    app.end_post(ACTOR, people["党员乙"], organization_id=branch, post="member",
                 effective_date=date(2026, 5, 1))
    ledger = Ledger(branch, people)
    rules = app.define_meeting_rules(ACTOR, organization_id=committee, title="三会一课制度",
                                     effective_from=date(2026, 1, 1), rules=RULES).id
    ledger.versions.append((head(app), version_of(1, date(2026, 1, 1), RULES)))
    return ledger, rules


def record(app: Any, ledger: Ledger, kind: str, day: date,
           attendance: dict[str, str]) -> str:
    listed = [{"person_id": ledger.people[k], "status": s,
               "reason": "出差" if s == "absent" else ""} for k, s in attendance.items()]
    meeting = str(app.record_meeting(ACTOR, organization_id=ledger.organization, kind=kind,
                                     held_on=day, today=TODAY, topic=f"{kind} {day}",
                                     presider_id=ledger.people["书记"],
                                     attendance=listed).id)
    ledger.meetings[meeting] = [(head(app), (MeetingKind(kind), day, tuple(sorted(
        (str(ledger.people[k]), s) for k, s in attendance.items()))))]
    return meeting


def a_year(app: Any) -> tuple[Ledger, list[int]]:
    """A year of meetings with gaps, a correction, a cancellation and a revised rule; the
    positions between the steps."""
    ledger, rules = tell(app)
    moments = [head(app)]
    everyone = {"书记": "present", "委员": "present", "党员甲": "present", "党员乙": "absent"}
    for month in (1, 2, 4, 5, 7, 9):
        record(app, ledger, "branch_committee", date(2026, month, 8),
               {"书记": "present", "委员": "present"})
    first = record(app, ledger, "branch_general", date(2026, 3, 20), everyone)
    record(app, ledger, "lecture", date(2026, 2, 14), {**everyone, "党员乙": "excused"})
    moments.append(head(app))
    fixed = {**everyone, "党员乙": "present"}
    app.correct_attendance(ACTOR, UUID(first), presider_id=ledger.people["书记"],
                           attendance=[{"person_id": ledger.people[k], "status": s}
                                       for k, s in fixed.items()], reason="补录: 实际出席")
    ledger.meetings[first].append((head(app), (MeetingKind.BRANCH_GENERAL, date(2026, 3, 20),
                                               tuple(sorted((str(ledger.people[k]), s)
                                                            for k, s in fixed.items())))))
    doubled = record(app, ledger, "branch_general", date(2026, 6, 2),
                     {"书记": "present", "党员甲": "present"})
    moments.append(head(app))
    app.cancel_meeting(ACTOR, UUID(doubled), reason="重复录入")
    ledger.meetings[doubled].append((head(app), None))
    revised = [*RULES[:2], {**RULES[2], "cadence": "monthly"}, RULES[3]]
    app.revise_meeting_rules(ACTOR, rules, effective_from=date(2026, 7, 1), rules=revised,
                             reason="上级要求党课每月一次")
    ledger.versions.append((head(app), version_of(2, date(2026, 7, 1), revised)))
    record(app, ledger, "lecture", date(2026, 8, 1), {"书记": "present", "党员甲": "excused"})
    moments.append(head(app))
    return ledger, moments


DAYS = (date(2026, 3, 31), date(2026, 6, 30), date(2026, 9, 30), TODAY)


def test_the_compliance_view_as_of_each_moment_and_on_each_day_equals_a_replay(
        app, conn) -> None:
    ledger, moments = a_year(app)
    build(app, conn)
    for position in [*moments, None]:
        for day in DAYS:
            found = life.compliance(conn, str(ledger.organization), 2026, day, position)
            assert found is not None
            expected = ledger.replay(position if position is not None else head(app), day)
            assert found.compliance == expected, (position, day)
    now = life.compliance(conn, str(ledger.organization), 2026, date(2026, 6, 30)).compliance
    committee = next(k for k in now.kinds if k.kind is MeetingKind.BRANCH_COMMITTEE)
    assert [p.label for p in committee.missing] == ["2026-03", "2026-06"]
    general = next(k for k in now.kinds if k.kind is MeetingKind.BRANCH_GENERAL)
    assert [p.label for p in general.missing] == ["2026-Q2"]  # June's was cancelled
    rates = {m.person_id: m.rate for m in now.members}
    assert rates[str(ledger.people["党员乙"])] == 0.5  # the correction: present in March
    before = life.compliance(conn, str(ledger.organization), 2026, date(2026, 6, 30),
                             moments[1]).compliance
    assert {m.person_id: m.rate for m in before.members}[str(ledger.people["党员乙"])] == 0.0
    late = life.compliance(conn, str(ledger.organization), 2026, TODAY).compliance
    lecture = next(k for k in late.kinds if k.kind is MeetingKind.LECTURE)
    assert [p.label for p in lecture.periods][:3] == ["2026-Q1", "2026-Q2", "2026-07"]
    assert late.rule_revision == 2


def test_attendees_are_checked_against_their_posts_on_the_meeting_date(app, conn) -> None:
    ledger, _ = tell(app)
    with pytest.raises(PostRequiredError):  # 党员乙 left on 1 May
        record(app, ledger, "branch_general", date(2026, 5, 10),
               {"书记": "present", "党员乙": "present"})
    record(app, ledger, "branch_general", date(2026, 4, 30),
           {"书记": "present", "党员乙": "present"})


def test_rebuilding_the_read_model_equals_folding_it_incrementally(app, conn) -> None:
    followers = [Follower(p, app, conn, batch_size=3) for p in ALL]
    for follower in followers:
        follower.prepare()
    ledger, _ = tell(app)
    record(app, ledger, "branch_committee", date(2026, 1, 8), {"书记": "present"})
    for follower in followers:
        follower.catch_up()
    a_year(app)
    for follower in followers:
        follower.catch_up()
    incremental = dump_tables(conn)
    assert incremental[life.ATTENDANCE.name] and incremental[life.RULE_VERSIONS.name]
    for projection in ALL:
        reset(conn, projection)
    build(app, conn)
    assert dump_tables(conn) == incremental
