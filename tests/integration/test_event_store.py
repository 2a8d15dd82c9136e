"""The event store on each backend: round trips, replay, conflicts, atomic refusals."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import date
from pathlib import Path
from uuid import UUID

import eventsourcing.utils
import psycopg
import pytest
from eventsourcing.application import project_aggregate
from eventsourcing.persistence import IntegrityError

from app.bootstrap import open_application
from app.settings import Settings
from domain.application import DengtaApplication
from domain.errors import ConcurrencyError, NotFoundError, WeightsMustSumTo100Error
from domain.goals import Goal
from domain.organizations import Organization
from domain.people import Person
from domain.values import GoalStatus, quantitative
from store import chain
from tests.conftest import reset_postgres
from tests.integration.stories import ACTOR, YEAR, tell


def event_count(app: DengtaApplication) -> int:
    return app.recorder.max_notification_id() or 0


def test_events_round_trip_with_explicit_topics_actor_and_reason(app) -> None:
    story = tell(app)
    app.revise_goal("person:inspector", story.specifics[1], reason="上级通知调整", title="主题党日")
    stored = app.recorder.select_notifications(1, 1000)
    assert all(n.topic.startswith("dengta:") for n in stored)
    events = list(app.events.get(story.specifics[1]))
    assert type(events[-1]) is Goal.Revised
    assert events[-1].actor == "person:inspector"
    assert events[-1].reason == "上级通知调整"
    assert events[0].period_start == date(2026, 1, 1)


def test_positions_returned_by_use_cases_are_the_last_event_written(app) -> None:
    story = tell(app)
    assert story.last_position == event_count(app)


def test_replaying_every_aggregate_gives_the_state_the_use_cases_built(app) -> None:
    story = tell(app)
    built = {i: vars(app.repository.get(i)) for i in
             [story.committee, story.branch, story.secretary, story.annual, *story.specifics]}
    fresh = DengtaApplication(env=app.env)
    try:
        for aggregate_id, state in built.items():
            replayed = vars(fresh.repository.get(aggregate_id))
            assert replayed == state
    finally:
        fresh.close()
    goal = app.get(Goal, story.specifics[0])
    assert goal.status is GoalStatus.ISSUED
    assert goal.latest_progress["evidence"] == ["支部会议记录-Q1.pdf"]
    assert app.get(Organization, story.committee).child_ids == [story.branch]
    assert app.get(Person, story.secretary).holds_post_in(story.branch)


def test_a_snapshot_is_read_back_by_a_process_that_never_took_one(app, database_url) -> None:
    app.snapshotting_intervals = {Goal: 2}
    story = tell(app)
    script = ("import sys, uuid; from app.bootstrap import open_application; "
              "from app.settings import Settings; "
              "app = open_application(Settings(database_url=sys.argv[1])); "
              "goal = uuid.UUID(sys.argv[2]); "
              "(snapshot,) = app.snapshots.recorder.select_events(goal, desc=True, limit=1); "
              "print(snapshot.originator_version, app.repository.get(goal).version)")
    read = subprocess.run([sys.executable, "-c", script, database_url, str(story.annual)],
                          capture_output=True, text=True, timeout=120)
    assert read.returncode == 0, read.stderr
    version = app.repository.get(story.annual).version
    assert read.stdout.split() == [str(version - version % 2), str(version)]


def test_a_snapshot_restores_the_same_state_as_a_replay(app) -> None:
    """Snapshots are taken on the write path (and anchored in the chain): one taken by hand
    is never read back (`store.snapshots`)."""
    app.snapshotting_intervals = {Goal: 2}
    story = tell(app)
    version = app.repository.get(story.annual).version
    (snapshot,) = app.snapshots.get(story.annual, desc=True, limit=1)
    assert snapshot.originator_version == version - version % 2 > 0
    replayed = vars(project_aggregate(None, app.events.get(story.annual)))
    from_snapshot = app.repository.get(story.annual, version=version)
    assert vars(from_snapshot) == replayed
    assert from_snapshot.status is GoalStatus.ISSUED


def test_every_fiftieth_event_snapshots_the_goal_in_hand_without_replaying_it(
    app, monkeypatch
) -> None:
    story = tell(app)
    goal = story.specifics[0]
    replays: list[int] = []
    get = app.repository.get

    def counted(aggregate_id, *args, version=None, **kwargs):  # type: ignore[no-untyped-def]
        if version is not None:
            replays.append(version)
        return get(aggregate_id, *args, version=version, **kwargs)

    monkeypatch.setattr(app.repository, "get", counted)
    while app.repository.get(goal).version < 50:
        app.report_progress(ACTOR, goal, value=3, effective_date=date(2026, 6, 30))
    assert replays == []
    snapshots = list(app.snapshots.get(goal))
    assert [snapshot.originator_version for snapshot in snapshots] == [50]
    replayed = vars(app.repository.get(goal, version=50))
    assert vars(snapshots[0].mutate(None)) == replayed


def test_two_concurrent_saves_of_one_goal_give_one_success_and_one_conflict(app) -> None:
    story = tell(app)
    before = event_count(app)
    first = app.get(Goal, story.specifics[0])
    second = app.get(Goal, story.specifics[0])
    first.report_progress(actor=ACTOR, effective_date=date(2026, 6, 30), value=6)
    second.report_progress(actor=ACTOR, effective_date=date(2026, 6, 30), value=7)
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def save(goal: Goal) -> None:
        barrier.wait()
        try:
            outcomes.append(app.commit(ACTOR, goal))
        except ConcurrencyError as error:
            outcomes.append(error)

    threads = [threading.Thread(target=save, args=(g,)) for g in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(type(o).__name__ for o in outcomes) == ["ConcurrencyError", "int"]
    assert event_count(app) == before + 1
    assert app.get(Goal, story.specifics[0]).latest_progress["value"] in (6, 7)


@contextmanager
def events_table_held(app: DengtaApplication, database_url: str) -> Iterator[None]:
    """On PostgreSQL, hold the events table's write lock meanwhile, so saves queue up behind
    it and are committed as a group when it is let go. SQLite saves take turns anyway."""
    if not database_url.startswith("postgresql"):
        yield
        return
    with psycopg.connect(database_url) as conn:
        conn.execute(f"LOCK TABLE {app.recorder.events_table_name} IN EXCLUSIVE MODE")
        yield
        time.sleep(0.5)  # the savers reach the queue
        conn.rollback()


def concurrent_commits(app: DengtaApplication, database_url: str,
                       saves: list[tuple[str, Goal]]) -> list[object]:
    """Commit each (actor, goal) from a thread of its own, all at once; their outcomes."""
    outcomes: list[object] = [None] * len(saves)

    def commit(number: int) -> None:
        actor, goal = saves[number]
        try:
            outcomes[number] = app.commit(actor, goal)
        except ConcurrencyError as error:
            outcomes[number] = error

    threads = [threading.Thread(target=commit, args=(n,)) for n in range(len(saves))]
    with events_table_held(app, database_url):
        for thread in threads:
            thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_concurrent_saves_commit_together_and_each_is_answered_alone(
        app, database_url) -> None:
    story = tell(app)
    goals = [*story.specifics]
    for number in range(4):
        goal = app.draft_goal(ACTOR, level="annual", organization_id=story.committee,
                              field="style", title=f"目标{number}", period=YEAR,
                              indicator=quantitative("次", 0, 12), weight=100).id
        app.issue_goal(ACTOR, goal)
        goals.append(goal)
    before = event_count(app)
    saves = []
    for number, goal_id in enumerate(goals * 2):  # two saves on each goal's same version
        goal = app.get(Goal, goal_id)
        goal.report_progress(actor=f"person:写手{number}",
                             effective_date=date(2026, 6, 30), value=number % 12)
        saves.append((f"person:写手{number}", goal))
    first = saves[:len(goals)]
    assert all(isinstance(o, int) for o in concurrent_commits(app, database_url, first))
    if database_url.startswith("postgresql"):
        assert max(app.recorder.group_sizes[-2:]) > 1  # ...and they were one transaction
    written = chain.audited(app.recorder).select_audit(before, 100)
    assert len(written) == len(goals)
    for actor, goal in first:  # each event carries its own save's actor
        (row,) = [r for r in written if r.aggregate_id == goal.id]
        assert row.actor == actor
    assert chain.verify(chain.audited(app.recorder)).ok

    # The second save of each goal is stale now, save one reloaded: the group fails and is
    # written again save by save, so exactly the fresh one lands.
    fresh = app.get(Goal, goals[0])
    fresh.report_progress(actor="person:fresh", effective_date=date(2026, 6, 30), value=11)
    outcomes = concurrent_commits(app, database_url, [*saves[len(goals):],
                                                      ("person:fresh", fresh)])
    assert [type(o).__name__ for o in outcomes] == ["ConcurrencyError"] * len(goals) + ["int"]
    # (a failed group leaves a gap in the positions: count the events themselves)
    assert len(app.recorder.select_notifications(1, 1000)) == before + len(goals) + 1
    assert app.get(Goal, goals[0]).latest_progress["value"] == 11
    assert chain.verify(chain.audited(app.recorder)).ok


@pytest.fixture
def postgres_app(postgres_database: str) -> Iterator[DengtaApplication]:
    reset_postgres(postgres_database)
    app = open_application(Settings(database_url=postgres_database))
    yield app
    app.close()


@pytest.mark.postgres
def test_saves_of_a_group_whose_writer_broke_off_are_answered_not_left_waiting(
        postgres_app, postgres_database, monkeypatch) -> None:
    """(Groups are PostgreSQL's: SQLite saves take turns.)"""
    app, database_url = postgres_app, postgres_database
    story = tell(app)
    recorder = app.recorder
    insert = recorder._insert

    class BrokeOff(BaseException):
        """Not an Exception: nothing on the way catches it."""

    def breaking(stored_events, **kwargs):  # the group's write dies mid-way
        if len(stored_events) > 1:
            raise BrokeOff
        return insert(stored_events, **kwargs)

    monkeypatch.setattr(recorder, "_insert", breaking)
    outcomes: dict[int, object] = {}

    def commit(number: int) -> None:
        goal = app.get(Goal, story.specifics[number % 2])
        goal.report_progress(actor=ACTOR, effective_date=date(2026, 6, 30), value=number)
        try:
            outcomes[number] = app.commit(ACTOR, goal)
        except BaseException as error:
            outcomes[number] = error

    threads = [threading.Thread(target=commit, args=(n,)) for n in range(3)]
    with events_table_held(app, database_url):
        for thread in threads:
            thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert not any(thread.is_alive() for thread in threads)  # nobody waits for ever
    answers = sorted(type(o).__name__ for o in outcomes.values())
    # the first write went alone; of the group, the writer's own save met what broke it off,
    # the other save was told its write was interrupted
    assert answers == ["BrokeOff", "PersistenceError", "int"], outcomes


@pytest.mark.postgres
def test_writes_refuse_an_isolation_level_that_would_read_a_stale_chain_head(
        postgres_app, postgres_database) -> None:
    """Under REPEATABLE READ a write's snapshot would predate the events lock it waits for:
    it would link from an old head. The write function refuses rather than break the chain."""
    story = tell(postgres_app)
    stored = postgres_app.recorder.select_events(story.specifics[0])[-1]
    before = event_count(postgres_app)
    with closing(psycopg.connect(postgres_database, autocommit=True)) as conn:
        conn.execute("SET default_transaction_isolation = 'repeatable read'")
        with pytest.raises(psycopg.errors.RaiseException, match="READ COMMITTED"):
            conn.execute("SELECT * FROM dengta_append(%s, %s, %s, %s, %s, %s, %s, "
                         "%s::bytea[], %s)",
                         ([stored.originator_id], [stored.originator_version + 1],
                          [stored.topic], [stored.state], [ACTOR], ["Goal"],
                          ["ProgressReported"], [None], "5s"))
    assert event_count(postgres_app) == before
    assert chain.verify(chain.audited(postgres_app.recorder)).ok


def test_a_conflicting_write_is_refused_at_once_not_retried(app, monkeypatch) -> None:
    """A version conflict is an IntegrityError from the first attempt: were it reported as
    the library's retried errors, each refusal would sleep 0.2 s, up to ten times."""
    story = tell(app)
    sleeps: list[float] = []
    monkeypatch.setattr(eventsourcing.utils, "sleep", sleeps.append)
    stale = app.recorder.select_events(story.specifics[0])[-1]
    for _ in range(50):  # the order a pipeline reports its failures in is not fixed
        with pytest.raises(IntegrityError):
            app.recorder.insert_events([stale], actor=ACTOR)
    assert sleeps == []


def test_loads_come_from_memory_yet_see_every_write_and_no_unsaved_change(
        app, settings) -> None:
    story = tell(app)
    goal = app.get(Goal, story.specifics[0])
    assert goal.id in app.repository.cache.cache  # kept in memory
    goal.report_progress(actor=ACTOR, effective_date=date(2026, 6, 30), value=9)  # not saved
    assert app.get(Goal, story.specifics[0]).latest_progress["value"] == 3
    other = open_application(settings)  # another process's write...
    try:
        other.report_progress(ACTOR, story.specifics[0], effective_date=date(2026, 6, 30),
                              value=5)
    finally:
        other.close()
    reloaded = app.get(Goal, story.specifics[0])  # ...is read on the next load
    assert reloaded.latest_progress["value"] == 5
    assert reloaded.version == goal.version


def test_a_refused_use_case_writes_nothing(app) -> None:
    story = tell(app)
    before = event_count(app)
    with pytest.raises(WeightsMustSumTo100Error):
        app.reweight_subgoals(ACTOR, story.annual, weights={story.specifics[0]: 50},
                              reason="调整")
    with pytest.raises(NotFoundError):
        app.report_progress(ACTOR, UUID(int=7), effective_date=date(2026, 1, 1), value=1)
    with pytest.raises(NotFoundError) as wrong_kind:
        app.issue_goal(ACTOR, story.branch)
    assert "not a goal" in str(wrong_kind.value)
    assert event_count(app) == before


def test_a_re_split_of_weights_lands_in_one_write(app) -> None:
    story = tell(app)
    written = app.reweight_subgoals(ACTOR, story.annual, reason="年中调整",
                                    weights={story.specifics[0]: 50, story.specifics[1]: 50})
    assert written.position == event_count(app)
    assert [app.get(Goal, g).weight for g in story.specifics] == [50, 50]


def test_a_subgoal_added_under_an_issued_goal_re_splits_its_siblings(app) -> None:
    story = tell(app)
    new = app.draft_goal(
        ACTOR, level="specific", organization_id=story.branch, field="style", title="作风建设",
        period=YEAR, indicator=app.get(Goal, story.specifics[0]).indicator, weight=20,
        parent_id=story.annual, reason="新增任务",
        sibling_weights={story.specifics[0]: 50, story.specifics[1]: 30},
    )
    weights = [g.weight for g in app.subgoals(app.get(Goal, story.annual))]
    assert weights == [50, 30, 20]
    assert app.get(Goal, new.id).parent_id == story.annual


def test_cancelling_a_subgoal_hands_its_weight_to_the_siblings(app) -> None:
    story = tell(app)
    app.cancel_goal(ACTOR, story.specifics[1], reason="合并到三会一课",
                    sibling_weights={story.specifics[0]: 100})
    assert app.get(Goal, story.specifics[1]).status is GoalStatus.CANCELLED
    assert app.get(Goal, story.specifics[0]).weight == 100


def test_moving_and_dissolving_organisations_through_the_use_cases(app) -> None:
    story = tell(app)
    logistics = app.register_organization(ACTOR, name="物流中心党总支", kind="general_branch",
                                          category="物流", parent_id=story.committee).id
    app.move_organization(ACTOR, story.branch, new_parent_id=logistics, reason="机构改革")
    assert app.get(Organization, logistics).child_ids == [story.branch]
    with pytest.raises(Exception, match="descendant"):
        app.move_organization(ACTOR, logistics, new_parent_id=story.branch, reason="错误操作")
    app.dissolve_organization(ACTOR, story.branch, reason="撤并")
    assert app.get(Organization, logistics).child_ids == []


def test_aggregates_decided_in_memory_replay_to_the_same_state_from_the_store(app) -> None:
    """Every kind of event, decided on in-memory aggregates, saved, then replayed by a fresh
    application: the replayed state equals the state the decisions left."""
    from tests.unit import builders

    committee = builders.organization()
    logistics = builders.organization("general_branch", committee, "物流中心党总支")
    branch = builders.organization("branch", committee, "配送党支部")
    group = builders.organization("group", branch, "城区配送党小组")
    committee.rename(actor=ACTOR, name="市局党委")
    branch.recategorize(actor=ACTOR, category="物流", reason="分类考核")
    branch.move(actor=ACTOR, old_parent=committee, new_parent=logistics,
                new_parent_ancestry=[committee.id], reason="机构改革")
    group.dissolve(actor=ACTOR, parent=branch, reason="撤并")
    secretary = builders.person()
    secretary.take_post(actor=ACTOR, organization=branch, post="secretary")
    staff = builders.person(party_member=False, name="王五")
    staff.take_post(actor=ACTOR, organization=branch, post="staff")
    staff.end_post(actor=ACTOR, organization_id=branch.id, post="staff")
    staff.change_membership(actor=ACTOR, party_member=True, effective_date=date(2026, 7, 1))
    term = builders.goal(committee, level="term", period=builders.TERM)
    annuals = [builders.goal(committee, parent=term, weight=w) for w in (70, 30)]
    specific = builders.goal(branch, level="specific", parent=annuals[0],
                             ancestry=[logistics.id, committee.id], indicator=builders.RUBRIC)
    term.issue(actor=ACTOR, parent=None, subgoals=annuals)
    for annual in annuals:
        annual.issue(actor=ACTOR, parent=term, subgoals=[specific] if annual is annuals[0]
                     else [])
    specific.issue(actor=ACTOR, parent=annuals[0], subgoals=[])
    specific.assign_responsibility(actor=ACTOR, party=secretary, kind="primary", reason="分工")
    specific.assign_responsibility(actor=ACTOR, party=branch, kind="collective", reason="分工")
    specific.revoke_responsibility(actor=ACTOR, party_id=branch.id, kind="collective",
                                   reason="调整")
    specific.report_progress(actor=ACTOR, effective_date=date(2026, 3, 31), rubric_level="优秀",
                             evidence=["台账.pdf"])
    annuals[1].revise(actor=ACTOR, reason="细化", parent=term, subgoals=[], title="细化目标",
                      description="说明", field="style")
    specific.close(actor=ACTOR, effective_date=date(2026, 12, 31))
    aggregates = [committee, logistics, branch, group, secretary, staff, term, *annuals,
                  specific]
    expected = {a.id: {k: v for k, v in vars(a).items() if k != "_pending_events"}
                for a in aggregates}
    app.save(*aggregates, actor=ACTOR)
    fresh = DengtaApplication(env=app.env)
    try:
        for aggregate_id, state in expected.items():
            replayed = vars(fresh.repository.get(aggregate_id))
            assert {k: v for k, v in replayed.items() if k != "_pending_events"} == state
    finally:
        fresh.close()
    topics = {n.topic for n in app.recorder.select_notifications(1, 1000)}
    assert len(topics) >= 17



def test_a_use_case_that_changes_nothing_writes_nothing(app) -> None:
    story = tell(app)
    before = event_count(app)
    written = app.reweight_subgoals(ACTOR, story.annual, reason="",
                                    weights={story.specifics[0]: 60})
    assert written.position is None
    assert event_count(app) == before
    assert chain.verify(chain.audited(app.recorder)).ok


def test_the_sqlite_store_is_a_write_ahead_log(tmp_path: Path) -> None:
    app = open_application(Settings(database_url=f"sqlite:///{tmp_path}/dengta.db"))
    try:
        app.register_person(ACTOR, name="王建国", party_member=True)
    finally:
        app.close()
    with closing(sqlite3.connect(tmp_path / "dengta.db")) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
