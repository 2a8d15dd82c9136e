"""The standardisation read model on each backend: the levels branches held as of several
moments and valid on several days, and the shares by year, equal a replay of the recorded
changes; rebuilding it equals folding it incrementally."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from domain.errors import SegregationOfDutiesError
from domain.standardisation import StandardLevel, level_on
from projections import ALL
from projections import standardisation as views
from projections.engine import Follower, reset
from store.db import Database
from store.url import DatabaseURL
from tests.integration.views import build, dump_tables

ADMIN = "admin"
TODAY = date(2026, 12, 7)
ITEMS = [{"code": "1", "title": "组织设置", "criteria": "按期换届", "points": 40},
         {"code": "2", "title": "组织生活", "criteria": "三会一课", "points": 60}]
DAYS = (date(2024, 6, 30), date(2025, 5, 1), date(2025, 12, 31), date(2026, 6, 15),
        date(2026, 8, 15), TODAY)


@pytest.fixture
def conn(database_url: str):
    with Database(DatabaseURL(database_url)).connection() as connection:
        yield connection


@dataclass(frozen=True)
class Known:
    since: date
    level: StandardLevel | None


@dataclass
class Ledger:
    """Every level change the test recorded, with its log position: the replay's source."""

    committee: UUID
    branches: dict[str, UUID]
    checker: dict[str, str] = field(default_factory=dict)  # the branch secretaries' actors
    changes: list[tuple[int, str, Known]] = field(default_factory=list)

    def replay(self, position: int, day: date) -> dict[str, StandardLevel]:
        held = {}
        for key, branch in self.branches.items():
            known = [k for at, b, k in self.changes if b == key and at <= position]
            found = level_on(known, day)
            if found is not None and found.level is not None:
                held[str(branch)] = found.level
        return held


def head(app: Any) -> int:
    return int(app.recorder.max_notification_id() or 0)


def tell(app: Any) -> tuple[Ledger, UUID]:
    committee = app.register_organization(ADMIN, name="党委", kind="committee",
                                          category="机关").id
    branches, checker = {}, {}
    for key in ("一支部", "二支部", "三支部"):
        branches[key] = app.register_organization(ADMIN, name=key, kind="branch",
                                                  category="营销", parent_id=committee).id
        secretary = app.register_person(ADMIN, name=f"{key}书记", party_member=True).id
        app.appoint(ADMIN, secretary, organization_id=branches[key], post="secretary",
                    effective_date=date(2023, 1, 1))
        checker[key] = f"person:{secretary}"
    standard = app.define_standard(ADMIN, organization_id=committee, title="党支部工作标准",
                                   effective_from=date(2024, 1, 1), items=ITEMS).id
    return Ledger(committee, branches, checker), standard


def self_check(app: Any, ledger: Ledger, key: str, standard: UUID, day: date) -> None:
    app.self_check_branch(ledger.checker[key], organization_id=ledger.branches[key],
                          standard_id=standard, checked_on=day, today=TODAY,
                          scores=[{"code": "1", "score": 38, "evidence": "换届批复"},
                                  {"code": "2", "score": 50, "evidence": "会议记录"}])


def change(app: Any, ledger: Ledger, key: str, how: str, day: date,
           level: str | None = None, finding: UUID | None = None) -> None:
    branch = ledger.branches[key]
    if how == "accept":
        app.accept_branch(ADMIN, organization_id=branch, level=level, effective_date=day,
                          today=TODAY, reason="验收组评定")
    elif how == "lower":
        app.lower_branch_level(ADMIN, organization_id=branch, level=level, effective_date=day,
                               today=TODAY, reason="检查发现问题", finding_id=finding)
    else:
        app.revoke_branch_level(ADMIN, organization_id=branch, effective_date=day,
                                today=TODAY, reason="问题严重", finding_id=finding)
    ledger.changes.append((head(app), key, Known(day, StandardLevel(level) if level else None)))


def three_years(app: Any) -> tuple[Ledger, list[int]]:
    """一支部 accepted, raised to 示范, lowered after a finding, revoked and earned again;
    二支部 未达标 then 达标 on a revised standard; 三支部 never accepted. The positions
    between the steps."""
    ledger, standard = tell(app)
    moments = [head(app)]
    self_check(app, ledger, "一支部", standard, date(2024, 3, 1))
    change(app, ledger, "一支部", "accept", date(2024, 4, 1), "qualified")
    self_check(app, ledger, "二支部", standard, date(2024, 5, 1))
    change(app, ledger, "二支部", "accept", date(2024, 6, 1), "unqualified")
    self_check(app, ledger, "一支部", standard, date(2025, 3, 1))
    change(app, ledger, "一支部", "accept", date(2025, 4, 1), "exemplary")
    moments.append(head(app))
    app.revise_standard(ADMIN, standard, effective_from=date(2026, 1, 1),
                        items=[*ITEMS, {"code": "3", "title": "党建+业务", "points": 20}],
                        reason="新规程")
    finding = app.raise_finding(
        ADMIN, title="三会一课记录不全", source="inspection", severity="major",
        organization_id=ledger.branches["一支部"], owner_id=UUID(
            ledger.checker["一支部"].removeprefix("person:")),
        deadline=date(2026, 9, 1), effective_date=date(2026, 5, 20), reason="专项检查").id
    change(app, ledger, "一支部", "lower", date(2026, 6, 1), "qualified", finding)
    moments.append(head(app))
    change(app, ledger, "一支部", "revoke", date(2026, 8, 1), finding=finding)
    app.self_check_branch(ledger.checker["二支部"], organization_id=ledger.branches["二支部"],
                          standard_id=standard, checked_on=date(2026, 3, 1), today=TODAY,
                          scores=[{"code": c, "score": 10, "evidence": "台账"}
                                  for c in ("1", "2", "3")])
    change(app, ledger, "二支部", "accept", date(2026, 3, 15), "qualified")
    moments.append(head(app))
    app.self_check_branch(ledger.checker["一支部"], organization_id=ledger.branches["一支部"],
                          standard_id=standard, checked_on=date(2026, 9, 1), today=TODAY,
                          scores=[{"code": c, "score": 15, "evidence": "整改台账"}
                                  for c in ("1", "2", "3")])
    change(app, ledger, "一支部", "accept", date(2026, 9, 15), "qualified")
    moments.append(head(app))
    return ledger, moments


def test_levels_held_as_of_each_moment_and_on_each_day_equal_a_replay(app, conn) -> None:
    ledger, moments = three_years(app)
    build(app, conn)
    for position in [*moments, None]:
        for day in DAYS:
            found = views.levels_held(conn, None, day, position)
            expected = ledger.replay(position if position is not None else head(app), day)
            assert {org: c.level for org, c in found.items()} == expected, (position, day)
    shares = views.level_shares(conn, None, [2024, 2025, 2026])
    assert [(s.year, s.branches, s.counts[StandardLevel.EXEMPLARY],
             s.counts[StandardLevel.QUALIFIED], s.counts[StandardLevel.UNQUALIFIED],
             s.unrated) for s in shares] == [(2024, 3, 0, 1, 1, 1), (2025, 3, 1, 0, 1, 1),
                                             (2026, 3, 0, 2, 0, 1)]
    for position in moments:
        for share in views.level_shares(conn, None, [2024, 2025, 2026], position):
            expected = ledger.replay(position, share.judged_on)
            assert {level: n for level, n in share.counts.items() if n} == {
                level: list(expected.values()).count(level) for level in set(expected.values())}
    one = str(ledger.branches["一支部"])
    record = views.record_of(conn, one)
    assert record is not None and len(record.self_checks) == 3
    assert [c.change.value for c in record.changes] == ["accepted", "accepted", "lowered",
                                                       "revoked", "accepted"]
    assert record.self_checks[-1].revision == 2 and record.changes[2].finding_id
    on = record.on(date(2026, 7, 1))
    assert on is not None and on.level is StandardLevel.QUALIFIED
    scoped = views.levels_held(conn, [str(ledger.branches["二支部"])], TODAY)
    assert list(scoped) == [str(ledger.branches["二支部"])]


def test_nobody_holding_a_post_in_the_branch_accepts_it(app, conn) -> None:
    ledger, standard = tell(app)
    branch = ledger.branches["一支部"]
    member = app.register_person(ADMIN, name="委员", party_member=True).id
    app.appoint(ADMIN, member, organization_id=branch, post="committee_member",
                effective_date=date(2026, 1, 1))
    self_check(app, ledger, "一支部", standard, date(2026, 3, 1))
    for actor in (ledger.checker["一支部"], f"person:{member}"):
        with pytest.raises(SegregationOfDutiesError):
            app.accept_branch(actor, organization_id=branch, level="exemplary",
                              effective_date=date(2026, 3, 2), today=TODAY, reason="自评示范")
    app.accept_branch(ledger.checker["二支部"], organization_id=branch, level="qualified",
                      effective_date=date(2026, 3, 2), today=TODAY, reason="交叉验收")


def test_rebuilding_the_read_model_equals_folding_it_incrementally(app, conn) -> None:
    followers = [Follower(p, app, conn, batch_size=3) for p in ALL]
    for follower in followers:
        follower.prepare()
    three_years(app)
    for follower in followers:
        follower.catch_up()
    incremental = dump_tables(conn)
    assert incremental[views.LEVEL_CHANGES.name] and incremental[views.SELF_CHECKS.name]
    for projection in ALL:
        reset(conn, projection)
    build(app, conn)
    assert dump_tables(conn) == incremental
