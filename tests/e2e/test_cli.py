"""The `dengta` command as a user runs it, in a real process, on each backend."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from app.bootstrap import open_application
from app.settings import Settings
from domain.goals import Goal
from domain.organizations import Organization
from domain.values import GoalLevel, GoalStatus
from projections import ALL
from store import chain
from tests.integration.tampering import drop_append_only_triggers, execute_as_owner, id_column


def dengta(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DENGTA_DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "app.cli", *args], env=env, text=True,
                          capture_output=True, timeout=120, check=False)


def moments(printed: str) -> list[str]:
    """The lines `dengta demo` prints under its moments' heading."""
    lines = printed.split("可回溯的时刻", 1)[1].splitlines()[1:]
    return [line for line in lines if line.startswith("  20")]


def test_demo_loads_once_and_a_second_run_writes_nothing(database_url) -> None:
    first = dengta(database_url, "demo")
    assert first.returncode == 0, first.stderr
    assert "临江市烟草专卖局（公司）党委" in first.stdout
    assert "人员 (people): 150" in first.stdout
    head = dengta(database_url, "digest").stdout.strip()
    second = dengta(database_url, "demo")
    assert second.returncode == 0, second.stderr
    assert "nothing written" in second.stdout
    assert moments(second.stdout) == moments(first.stdout)  # read back from the log
    assert len(moments(first.stdout)) == 9
    assert "2026年度目标下达与责任书签订" in moments(first.stdout)[1]
    assert dengta(database_url, "digest").stdout.strip() == head
    verified = dengta(database_url, "verify", "--digest", head)
    assert verified.returncode == 0
    assert verified.stdout.strip() == "OK " + head.replace(":", " ")


def test_the_demo_is_a_realistic_decomposed_and_issued_goal_tree(database_url) -> None:
    assert dengta(database_url, "demo").returncode == 0
    app = open_application(Settings(database_url=database_url))
    try:
        ids = {n.originator_id for n in app.recorder.select_notifications(1, 5000)}
        aggregates = [app.repository.get(i) for i in ids]
        organizations = [a for a in aggregates if isinstance(a, Organization)]
        goals = [a for a in aggregates if isinstance(a, Goal)]
        assert {o.kind.value for o in organizations} == {"committee", "general_branch",
                                                         "branch", "group"}
        assert len({o.category for o in organizations}) >= 5
        assert 9 <= sum(o.kind.value == "branch" for o in organizations) <= 12
        assert {g.level for g in goals} == set(GoalLevel)
        assert len({g.field for g in goals}) == 7
        assert all(g.status is GoalStatus.ISSUED for g in goals)
        by_id = {g.id: g for g in goals}
        for parent in goals:
            if parent.subgoal_ids:
                assert sum(by_id[i].weight for i in parent.subgoal_ids) == 100
        assert sum(g.progress_reports for g in goals) > 10
        specific = [g for g in goals if g.level is GoalLevel.SPECIFIC]
        gaps = [g for g in specific if not any(r["kind"] == "direct" for r in g.responsibilities)]
        assert 1 <= len(gaps) < len(specific)
    finally:
        app.close()


def test_verify_names_the_position_of_a_tampered_event(database_url) -> None:
    assert dengta(database_url, "demo").returncode == 0
    kept = dengta(database_url, "digest").stdout.strip()
    app = open_application(Settings(database_url=database_url))
    try:
        table = app.recorder.events_table_name  # type: ignore[attr-defined]
        target = app.recorder.select_notifications(200, 1)[0]
        drop_append_only_triggers(app, table)
        forged = target.state.replace(b'"reason":""', b'"reason":"x"')
        assert forged != target.state
        literal = (f"x'{forged.hex()}'" if "SQLITE_DBNAME" in app.env
                   else f"'\\x{forged.hex()}'::bytea")
        execute_as_owner(app, f"UPDATE {table} SET state = {literal} "
                              f"WHERE {id_column(app)} = {target.id}")
        assert chain.verify(app.recorder).broken_at == target.id
    finally:
        app.close()
    result = dengta(database_url, "verify")
    assert result.returncode == 1
    assert result.stdout.startswith(f"BROKEN {target.id} ")
    assert dengta(database_url, "verify", "--digest", kept).returncode == 1


def test_a_malformed_digest_is_a_usage_error(database_url) -> None:
    assert dengta(database_url, "init").returncode == 0
    result = dengta(database_url, "verify", "--digest", "12:nothex")
    assert result.returncode == 2
    assert "POSITION:SHA256HEX" in result.stderr


@pytest.mark.parametrize("url", ["mysql://localhost/x", "sqlite-ish"])
def test_an_unsupported_database_url_is_a_clear_error(url) -> None:
    result = dengta(url, "digest")
    assert result.returncode != 0
    assert "DENGTA_DATABASE_URL must start with" in result.stderr


def test_rebuild_and_status_show_every_projection_caught_up(database_url) -> None:
    assert dengta(database_url, "demo").returncode == 0
    before = dengta(database_url, "status")
    assert "lag" in before.stdout
    rebuilt = dengta(database_url, "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert f"rebuilt {', '.join(p.name for p in ALL)}" in rebuilt.stdout
    assert "events/s" in rebuilt.stdout
    status = dengta(database_url, "status").stdout.splitlines()
    head = int(status[0].split()[-1])
    assert head > 500
    assert [line.split()[-1] for line in status[1:]] == ["0"] * len(ALL)
    one = dengta(database_url, "rebuild", "--projection", "goals")
    assert one.returncode == 0 and "rebuilt goals:" in one.stdout


def test_rebuild_refuses_while_a_worker_follows(database_url, tmp_path) -> None:
    assert dengta(database_url, "demo").returncode == 0
    env = {**os.environ, "DENGTA_DATABASE_URL": database_url}
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen([sys.executable, "-m", "app.cli", "project"], env=env,
                                  stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while log.read_text().count("this process leads") < 3:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        refused = dengta(database_url, "rebuild")
        assert refused.returncode == 1
        assert "a worker is following it" in refused.stderr
    finally:
        worker.terminate()
        worker.wait(timeout=10)


def test_verify_checks_snapshots_and_with_read_models_the_audit_log(database_url) -> None:
    from tests.integration.tampering import rewrite_audit_entry, update_audit_row

    assert dengta(database_url, "demo").returncode == 0
    unbuilt = dengta(database_url, "verify", "--read-models")  # nothing folded yet
    assert unbuilt.returncode == 0, unbuilt.stderr
    assert unbuilt.stdout.splitlines()[1] == "OK audit_log 0"
    assert dengta(database_url, "rebuild").returncode == 0
    checked = dengta(database_url, "verify", "--read-models")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    head, read_model = checked.stdout.splitlines()
    assert head.startswith("OK ")
    assert read_model == f"OK audit_log {head.split()[1]}"
    app = open_application(Settings(database_url=database_url))
    try:
        rewrite_audit_entry(app, 150, "reason = '伪造'")
    finally:
        app.close()
    result = dengta(database_url, "verify", "--read-models")
    assert result.returncode == 1
    assert result.stdout.splitlines()[1] == (
        "BROKEN 150 audit log entry disagrees with its event: reason")
    assert dengta(database_url, "verify").returncode == 0  # the chain itself is whole
    app = open_application(Settings(database_url=database_url))
    try:
        update_audit_row(app, 120, "event_type = 'Cancelled'")
    finally:
        app.close()
    result = dengta(database_url, "verify", "--read-models")
    assert (result.returncode, result.stdout.split()[:2]) == (1, ["BROKEN", "120"])


@pytest.mark.postgres
def test_the_demo_prints_its_store_without_the_password(postgres_database) -> None:
    from tests.conftest import reset_postgres

    reset_postgres(postgres_database)
    url = postgres_database.replace("postgresql://postgres@", "postgresql://postgres:s3cret@")
    assert url != postgres_database  # (trust authentication ignores the password)
    shown = dengta(url, "demo")
    assert shown.returncode == 0, shown.stderr
    assert "s3cret" not in shown.stdout + shown.stderr
    assert "store: postgresql://postgres:***@" in shown.stdout
