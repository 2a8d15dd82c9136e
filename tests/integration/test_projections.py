"""The projection engine and the read models, on each backend."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import pytest

from projections import ALL, engine
from projections import audit_log as audit
from projections import goals as goal_views
from projections import organization_tree as tree
from projections import responsibility_list as duty
from projections.audit_log import AuditLog
from projections.engine import Follower, Progress, reset, tracked
from projections.rebuild import rebuild, shares
from projections.runner import Runner
from store.audit_reads import position_at
from store.db import Connection, Database, PostgresConnection, SQLiteConnection
from store.url import DatabaseURL
from tests.integration.history import generate
from tests.integration.stories import ACTOR, tell
from tests.integration.views import build, dump_tables, everything, ids


@pytest.fixture
def database(database_url: str) -> Database:
    return Database(DatabaseURL(database_url))


@pytest.fixture
def conn(database: Database):
    with database.connection() as connection:
        yield connection


def test_rebuilding_from_zero_equals_folding_incrementally(app, conn) -> None:
    # Incrementally: small batches, folded while the history is being written.
    followers = [Follower(p, app, conn, batch_size=7) for p in ALL]
    for follower in followers:
        follower.prepare()
    generate(app, steps=250)
    for follower in followers:
        follower.catch_up()
    generate(app, seed=8, steps=250)
    for follower in followers:
        follower.catch_up()
    incremental = dump_tables(conn)
    assert sum(map(len, incremental.values())) > 100
    for projection in ALL:
        reset(conn, projection)
    build(app, conn, batch_size=1000)
    assert dump_tables(conn) == incremental


def index_names(conn) -> list[str]:
    if conn.dialect == "postgresql":
        rows = conn.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")
    else:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
    return sorted(row[0] for row in rows)


def test_a_rebuild_shared_out_over_processes_equals_folding_incrementally(
    app, conn, database_url
) -> None:
    followers = [Follower(p, app, conn, batch_size=7) for p in ALL]
    for follower in followers:
        follower.prepare()
    generate(app, steps=250)
    for follower in followers:
        follower.catch_up()
    incremental, indexes = dump_tables(conn), index_names(conn)
    head = app.recorder.max_notification_id()
    # Two processes on PostgreSQL; SQLite folds in this one.
    assert rebuild(database_url, ALL, workers=2) >= head
    assert dump_tables(conn) == incremental
    assert index_names(conn) == indexes  # those left for after the fold were built
    assert [tracked(conn, p) for p in ALL] == [(head, p.version) for p in ALL]


def test_a_follower_reading_a_window_at_a_time_folds_the_same_and_reaches_the_head(
    app, conn
) -> None:
    generate(app, steps=250)
    head = app.recorder.max_notification_id()
    build(app, conn)
    whole = dump_tables(conn)
    for projection in ALL:
        reset(conn, projection)
    # Windows of 3 positions, batches of 2: for the sparser read models many windows hold
    # nothing they fold, and catching up must not take such a window for the head.
    for projection in ALL:
        follower = Follower(projection, app, conn, batch_size=2, window=3)
        follower.prepare()
        _count, position = follower.step()
        assert position <= 3 and follower.behind
        follower.catch_up()
        assert tracked(conn, projection) == (head, projection.version)
        assert not follower.behind
    assert dump_tables(conn) == whole


def test_shares_hold_every_read_model_once() -> None:
    groups = shares(ALL, 2)
    assert len(groups) == 2
    assert sorted(p.name for group in groups for p in group) == sorted(p.name for p in ALL)
    assert shares(ALL, 1) == [sorted(ALL, key=lambda p: -p.rebuild_weight())]
    # The audit log's fold weighs more than the six others' together: it gets a process alone.
    assert [p.name for p in groups[0]] == ["audit_log"]


def test_reading_as_of_any_position_equals_building_from_only_the_events_before_it(
    app, conn, tmp_path
) -> None:
    generate(app)
    head = app.recorder.max_notification_id()
    assert head >= 300
    build(app, conn)
    universe = ids(conn)
    for position in sorted({1, 2, 5, 17, 40, 99, 150, 151, 222, 260, 301, head - 1, head}):
        reference_db = Database(DatabaseURL(f"sqlite:///{tmp_path}/upto-{position}.db"))
        with reference_db.connection() as reference:
            build(app, reference, stop=position)
            assert everything(conn, position, universe) == everything(reference, None,
                                                                      universe), position
    assert everything(conn, head, universe) == everything(conn, None, universe)


def test_a_follower_killed_mid_batch_resumes_without_loss_or_double_counting(
    app, conn, database
) -> None:
    generate(app, steps=300)

    def crash() -> None:
        raise RuntimeError("killed after writing the view, before the commit")

    for projection in ALL:
        Follower(projection, app, conn).prepare()
    for projection in ALL:
        doomed = Follower(projection, app, conn, batch_size=10)
        doomed.step()  # one batch lands
        landed = (dump_tables(conn), tracked(conn, projection))
        doomed.before_commit = crash
        with pytest.raises(RuntimeError):
            doomed.step()
        assert (dump_tables(conn), tracked(conn, projection)) == landed
        with database.connection() as fresh:
            Follower(projection, app, fresh, batch_size=10).catch_up()
    survived = dump_tables(conn)
    for projection in ALL:
        reset(conn, projection)
    build(app, conn)
    assert dump_tables(conn) == survived


def test_the_organisation_tree_answers_ancestors_descendants_and_members(app, conn) -> None:
    story = tell(app)
    build(app, conn)
    committee, branch = str(story.committee), str(story.branch)
    assert [n.name for n in tree.descendants(conn, committee)] == ["市局党委", "营销中心党支部"]
    assert [n.id for n in tree.ancestors(conn, branch)] == [committee]
    [secretary] = tree.members(conn, branch)
    assert (secretary.name, secretary.post, secretary.party_member) == ("李书记", "secretary",
                                                                       True)
    assert tree.organization(conn, branch).category == "营销"


def test_goal_progress_reports_the_latest_by_effective_date_and_honours_direction(
    app, conn
) -> None:
    story = tell(app)
    app.report_progress(ACTOR, story.specifics[0], effective_date=date(2026, 6, 30), value=9)
    late_filed = app.report_progress(ACTOR, story.specifics[0],
                                     effective_date=date(2026, 5, 31), value=1)
    build(app, conn)
    view = goal_views.goal(conn, str(story.specifics[0]))
    assert (view.progress_value, view.progress_date) == (9, date(2026, 6, 30))
    assert view.completion == 0.75
    assert view.progress_reports == 3
    assert goal_views.goal(conn, str(story.specifics[0]), late_filed.position - 1).completion \
        == 0.75
    tree_rows = goal_views.goal_tree(conn, str(story.annual))
    assert [(g.depth, g.weight) for g in tree_rows] == [(0, 100), (1, 60), (1, 40)]


@pytest.mark.parametrize(("indicator", "value", "expected"), [
    ({"kind": "quantitative", "baseline": "0", "target": "12",
      "direction": "higher_is_better"}, "6", 0.5),
    ({"kind": "quantitative", "baseline": "10", "target": "5",
      "direction": "lower_is_better"}, "6", 0.8),
    ({"kind": "quantitative", "baseline": "10", "target": "5",
      "direction": "lower_is_better"}, "12", 0.0),
    ({"kind": "quantitative", "baseline": "0", "target": "4",
      "direction": "higher_is_better"}, "6", 1.5),
])
def test_completion_is_measured_from_baseline_to_target(indicator, value, expected) -> None:
    assert goal_views.completion(indicator, value, None) == expected


def test_goal_filters_select_by_organisation_level_field_status_and_period(app, conn) -> None:
    story = tell(app)
    build(app, conn)
    subtree = tuple(n.id for n in tree.descendants(conn, str(story.branch)))
    by_org = goal_views.goals(conn, goal_views.GoalFilter(organization_ids=subtree))
    assert {g.id for g in by_org} == {str(g) for g in story.specifics}
    assert [g.title for g in goal_views.goals(conn, goal_views.GoalFilter(level="annual"))] == \
        ["2026年支部标准化建设"]
    assert goal_views.goals(conn, goal_views.GoalFilter(field="style")) == []
    assert len(goal_views.goals(conn, goal_views.GoalFilter(status="issued"))) == 3
    assert goal_views.goals(conn, goal_views.GoalFilter(
        overlapping=(date(2027, 1, 1), date(2027, 12, 31)))) == []


def test_the_responsibility_list_and_the_gaps(app, conn) -> None:
    story = tell(app)
    build(app, conn)
    [held] = duty.responsibilities_of(conn, str(story.secretary))
    assert (held.goal_id, held.kind, held.goal_status) == (str(story.specifics[0]), "primary",
                                                           "issued")
    gaps = {g.goal_id: (g.missing_primary, g.missing_direct)
            for g in duty.responsibility_gaps(conn)}
    assert gaps == {str(story.annual): (True, True), str(story.specifics[0]): (False, True),
                    str(story.specifics[1]): (True, True)}
    app.assign_responsibility(ACTOR, story.specifics[0], party_kind="person",
                              party_id=story.secretary, kind="direct", reason="明确分工")
    build(app, conn)
    assert str(story.specifics[0]) not in {g.goal_id for g in duty.responsibility_gaps(conn)}
    assert str(story.specifics[0]) in {g.goal_id for g in duty.responsibility_gaps(
        conn, position=story.last_position)}


def test_a_timestamp_maps_to_the_last_position_recorded_by_then(app, conn) -> None:
    assert position_at(conn, datetime.now(UTC)) == 0
    story = tell(app)
    moment = datetime.now(UTC)
    app.revise_goal(ACTOR, story.annual, title="新标题", reason="调整")
    assert position_at(conn, moment) == story.last_position
    assert position_at(conn, datetime(2000, 1, 1, tzinfo=UTC)) == 0


def test_read_your_writes_waits_for_the_followers_and_is_bounded(app, database) -> None:
    runner = Runner(app, database, ALL, poll_interval=5.0).start()
    try:
        story = tell(app)
        assert runner.wait_until(story.last_position, timeout=10)
        written = app.revise_goal(ACTOR, story.annual, title="即时可见", reason="调整")
        assert runner.wait_until(written.position, timeout=10)
        with database.connection() as conn:
            assert goal_views.goal(conn, str(story.annual)).title == "即时可见"
        assert not runner.wait_until(written.position + 1000, timeout=0.2)
    finally:
        runner.stop()


def test_progress_waits_wake_on_the_follower_not_on_a_timer() -> None:
    import threading

    progress = Progress()
    threading.Timer(0.05, progress.reached, ("goals", 10)).start()
    assert progress.wait_until(["goals"], 10, timeout=5)
    assert not progress.wait_until(["goals"], 11, timeout=0.05)


def test_an_event_loop_can_wait_for_progress_without_holding_a_thread() -> None:
    import asyncio
    import threading

    progress = Progress()

    async def scenario() -> tuple[bool, bool]:
        threading.Timer(0.05, progress.reached, ("goals", 10)).start()
        reached = await progress.wait_until_async(["goals"], 10, timeout=5)
        missed = await progress.wait_until_async(["goals"], 11, timeout=0.05)
        return reached, missed

    assert asyncio.run(scenario()) == (True, False)


def test_progress_notifications_say_where_projections_are_or_nothing() -> None:
    payload = engine.progress_payload(1234, ["goals", "audit_log"])
    assert engine.parse_progress(payload) == (1234, ["goals", "audit_log"])
    for unusable in ("", "goals", "12", "x goals"):  # e.g. a bare NOTIFY: ask the database
        assert engine.parse_progress(unusable) is None


def test_a_follower_reads_by_windows_and_does_not_pause_at_an_empty_one(app, database) -> None:
    """Windows of 2 positions over a log of mostly goal events: the organisation tree's
    follower finds many windows empty of its events, and goes straight on to the next."""
    story = tell(app)
    for number in range(20):
        app.report_progress(ACTOR, story.specifics[0], effective_date=date(2026, 4, 30),
                            value=number % 12)
    written = app.rename_organization(ACTOR, story.branch, name="营销中心第一党支部",
                                      reason="更名")
    runner = Runner(app, database, [tree.OrganizationTree], poll_interval=30.0,
                    window=2).start()
    try:
        assert runner.wait_until(written.position, timeout=10)  # not 30 s per empty window
    finally:
        runner.stop()
    with database.connection() as conn:
        assert tree.organization(conn, str(story.branch)).name == "营销中心第一党支部"


def test_grouped_followers_lead_all_or_nothing_and_hand_over(app, database) -> None:
    import time

    names = {p.name for p in ALL}
    first = Runner(app, database, ALL, poll_interval=0.1, grouped=True).start()
    second = None
    try:
        story = tell(app)
        assert first.wait_until(story.last_position, timeout=10)
        assert first.leading == names
        second = Runner(app, database, ALL, poll_interval=0.1, grouped=True).start()
        time.sleep(0.5)
        assert second.leading == set()
        # A follower elsewhere folds it; the waiter hears of that (on PostgreSQL from its
        # NOTIFY, not by asking the database each time it waits).
        asked: list[object] = []
        if database.dialect == "postgresql":
            assert second.listening.is_set()
            refresh = second.refresh
            second.refresh = lambda conn=None: (asked.append(conn), refresh(conn))[1]  # type: ignore[method-assign]
        written = app.revise_goal(ACTOR, story.annual, title="旁听", reason="调整")
        assert second.wait_until(written.position, timeout=10)
        assert asked == []  # the notification said where the followers are
        first.stop()
        written = app.revise_goal(ACTOR, story.annual, title="交接之后", reason="调整")
        assert second.wait_until(written.position, timeout=10)
        assert second.leading == names
        with database.connection() as conn:
            assert goal_views.goal(conn, str(story.annual)).title == "交接之后"
    finally:
        first.stop()
        if second is not None:
            second.stop()


def test_statistics_are_refreshed_as_a_table_doubles_not_every_few_rows_after_a_restart(
    app, conn
) -> None:
    """A follower that starts on large tables (a restarted server) must not ANALYZE them
    within a write's commit-to-visible time after a few thousand rows: only once they have
    doubled since their statistics were last taken."""
    analyzed: list[str] = []
    analyze = conn.analyze

    def counted(table: str) -> None:
        analyzed.append(table)
        analyze(table)

    conn.analyze = counted
    root = app.register_organization(ACTOR, name="省局党组", kind="committee", category="机关").id

    def register(count: int) -> None:
        for number in range(count):
            app.register_organization(ACTOR, name=f"支部{len(analyzed)}-{number}",
                                      kind="branch", category="营销", parent_id=root)

    register(30)
    first = Follower(tree.OrganizationTree, app, conn, analyze_after=10)
    first.prepare()
    first.catch_up()
    assert "view_org_nodes" in analyzed  # 31 rows written to an empty table: doubled
    analyzed.clear()
    register(20)
    restarted = Follower(tree.OrganizationTree, app, conn, analyze_after=10)
    restarted.catch_up()
    assert "view_org_nodes" not in analyzed  # 20 more rows on 31: not yet doubled
    register(20)
    restarted.catch_up()
    assert "view_org_nodes" in analyzed  # 40 more rows since its statistics: doubled


def test_a_rebuild_analyses_append_only_tables_once_at_the_end_not_as_they_grow(
    app, conn, database_url, monkeypatch
) -> None:
    """Folding never reads an append-only table (the audit entries): refreshing its
    statistics every time it doubles only slows a rebuild down; readers get them at the end."""
    analyzed: list[str] = []
    analyze = PostgresConnection.analyze

    def counted(self: Connection, table: str) -> None:
        analyzed.append(table)
        analyze(self, table)  # type: ignore[arg-type]

    monkeypatch.setattr(PostgresConnection, "analyze", counted)
    monkeypatch.setattr(SQLiteConnection, "analyze", counted)
    generate(app, steps=250)
    follower = Follower(AuditLog, app, conn, batch_size=20, analyze_after=10)
    follower.prepare()
    follower.catch_up()
    assert analyzed.count(audit.ENTRIES.name) > 1  # a follower: as the table doubles
    reset(conn, AuditLog)
    analyzed.clear()
    rebuilding = Follower(AuditLog, app, conn, batch_size=20, analyze_after=10,
                          analyze_appended=False)
    rebuilding.catch_up()
    assert audit.ENTRIES.name not in analyzed
    assert analyzed.count(audit.FIELDS.name) > 1  # read while folding: as it grows
    analyzed.clear()
    rebuild(database_url, [AuditLog], workers=1)
    assert analyzed.count(audit.ENTRIES.name) == 1  # a rebuild: once, at the end


@pytest.mark.parametrize("limit", [None, 20])
def test_a_follower_keeping_its_rows_between_batches_folds_the_same_without_loading_them(
    app, conn, monkeypatch, limit
) -> None:
    """A rebuild keeps the rows it wrote in memory (it alone writes them): no batch loads
    rows from its tables; past KEEP_LIMIT it lets them go and loads them as a follower does.
    (The audit log does not keep its rows.)"""
    generate(app, steps=250)
    build(app, conn)
    whole = dump_tables(conn)
    for projection in ALL:
        reset(conn, projection)
    if limit is not None:
        monkeypatch.setattr(engine, "KEEP_LIMIT", limit)
    loads: list[str] = []
    execute = conn.execute

    kept = {table.name for projection in ALL if projection.keep_rows
            for table in projection.tables}
    assert len(kept) > 10 and audit.FIELDS.name not in kept

    def counted(sql: str, params: Sequence[Any] = ()) -> list[Any]:
        if ", valid_from FROM " in sql:  # TableBatch.prefetch
            loads.append(sql.split(", valid_from FROM ")[1].split()[0])
        return execute(sql, params)

    monkeypatch.setattr(conn, "execute", counted)
    follower = Follower(ALL, app, conn, batch_size=7, keep_rows=True)
    follower.prepare()
    follower.catch_up()
    assert dump_tables(conn) == whole
    assert (kept.isdisjoint(loads)) == (limit is None)
    assert audit.FIELDS.name in loads


@pytest.mark.parametrize("keep_hot", [engine.KEEP_HOT, 0])
def test_a_leader_keeps_hot_rows_between_batches_and_starts_afresh_after_another_follower(
    app, conn, monkeypatch, keep_hot
) -> None:
    """A live leader keeps the rows its batches loaded and wrote: over many small batches it
    loads each partition (a goal's rows, say) once, and folds what a rebuild folds. When
    another follower moved the projection meanwhile, the rows it kept are stale: it lets
    them go."""
    generate(app, steps=250)
    build(app, conn)
    whole = dump_tables(conn)
    for projection in ALL:
        reset(conn, projection)
    loads: list[tuple[str, Any]] = []
    execute = conn.execute

    def counted(sql: str, params: Sequence[Any] = ()) -> list[Any]:
        if ", valid_from FROM " in sql:  # TableBatch.prefetch: one partition per parameter
            loads.extend((sql.split(", valid_from FROM ")[1].split()[0], p) for p in params)
        return execute(sql, params)

    monkeypatch.setattr(conn, "execute", counted)
    leader = Follower(ALL, app, conn, batch_size=7, keep_hot=keep_hot)
    leader.prepare()
    head = app.recorder.max_notification_id()
    leader.catch_up(stop=head // 2)
    first_run = list(loads)
    # Another follower (say, in a process that led meanwhile) folds some of the rest.
    Follower(ALL, app, conn, batch_size=7).catch_up(stop=head * 3 // 4)
    loads.clear()
    leader.catch_up()
    assert dump_tables(conn) == whole
    for run in (first_run, loads):
        loaded_again = {load for load in run if run.count(load) > 1}
        assert bool(loaded_again) == (keep_hot == 0)


def test_a_live_step_folds_a_progress_report_without_reading_the_goals_earlier_reports(
    app, conn, monkeypatch
) -> None:
    """Reports are appended, never read back while folding: the step that folds one more
    report of a goal with many must not load them (a cost that grew with every report), and
    its writes reach the tables as a rebuild's do."""
    story = tell(app)
    goal = story.specifics[0]
    leader = Follower(ALL, app, conn, keep_hot=engine.KEEP_HOT)
    leader.prepare()
    for value in range(30):
        app.report_progress(ACTOR, goal, effective_date=date(2026, 4, 30), value=value % 12)
        leader.catch_up()
    statements: list[str] = []
    execute = conn.execute

    def recorded(sql: str, params: Sequence[Any] = ()) -> list[Any]:
        statements.append(sql)
        return execute(sql, params)

    monkeypatch.setattr(conn, "execute", recorded)
    app.report_progress(ACTOR, goal, effective_date=date(2026, 5, 31), value=5)
    # A leader that has not kept the goal's rows (just started, or past KEEP_HOT rows).
    Follower(ALL, app, conn, keep_hot=engine.KEEP_HOT).catch_up()
    assert statements  # (the step ran through the recorded connection)
    assert not [sql for sql in statements  # (TableBatch.prefetch's query)
                if f", valid_from FROM {goal_views.REPORTS.name} " in sql]
    monkeypatch.undo()
    assert len(goal_views.reports_of(conn, [str(goal)])[str(goal)]) == 32  # (and the story's)
    folded = dump_tables(conn)
    for projection in ALL:
        reset(conn, projection)
    build(app, conn)
    assert dump_tables(conn) == folded


def test_a_followers_commits_do_not_wait_for_the_disk(app, conn) -> None:
    """Read models are folded again from the log after a crash, so a follower's commit need
    not wait for a flush to disk (the events' own commits still do)."""
    Follower(ALL, app, conn)
    if conn.dialect == "postgresql":
        assert conn.execute("SHOW synchronous_commit") == [("off",)]
    else:
        assert conn.execute("PRAGMA synchronous") == [(1,)]  # NORMAL


def test_a_lone_writer_is_folded_at_once_though_busy_followers_linger(app, database) -> None:
    """A follower lingers before its next step only when writes came while it folded: one
    writer waiting for each of its writes in turn is never kept waiting."""
    story = tell(app)
    runner = Runner(app, database, ALL, poll_interval=30.0, grouped=True, linger=30.0).start()
    try:
        assert runner.progress.wait_until(runner.names, story.last_position, timeout=10)
        for number in range(3):
            written = app.report_progress(ACTOR, story.specifics[0], value=number,
                                          effective_date=date(2026, 4, 30))
            assert runner.wait_until(written.position, timeout=5)  # not after 30 s
    finally:
        runner.stop()


@pytest.mark.parametrize("linger", [0.5, 0.0])
def test_a_follower_that_heard_of_writes_while_folding_lingers(app, database, monkeypatch,
                                                                linger) -> None:
    """While it folds one write, another comes: it waits `linger` before the next step, so
    that more writes share it."""
    import time

    story = tell(app)
    runner = Runner(app, database, ALL, poll_interval=30.0, grouped=True, linger=linger)
    step = Follower.step
    folded: list[tuple[float, int]] = []  # when each step ended, and where
    meanwhile: list[int] = []

    def stepping(follower: Follower, stop: int | None = None) -> tuple[int, int]:
        count, position = step(follower, stop)
        folded.append((time.monotonic(), position))
        if count and position > story.last_position and not meanwhile:  # another writer
            meanwhile.append(app.report_progress(ACTOR, story.specifics[1], value=2,
                                                 effective_date=date(2026, 4, 30)).position)
            runner.wake()
        return count, position

    monkeypatch.setattr(Follower, "step", stepping)
    runner.start()
    try:
        assert runner.progress.wait_until(runner.names, story.last_position, timeout=10)
        first = app.report_progress(ACTOR, story.specifics[0], value=1,
                                    effective_date=date(2026, 4, 30)).position
        assert runner.wait_until(first, timeout=10)
        assert runner.progress.wait_until(runner.names, meanwhile[0], timeout=10)
    finally:
        runner.stop()
    first_at = next(at for at, position in folded if position >= first)
    second_at = next(at for at, position in folded if position >= meanwhile[0])
    assert (second_at - first_at >= linger) and (linger or second_at - first_at < 0.4)
