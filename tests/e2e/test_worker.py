"""`dengta project` as real worker processes on PostgreSQL: one leader per projection,
takeover after SIGKILL, and recovery from a terminated connection."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from app.bootstrap import open_application
from app.settings import Settings
from projections import ALL
from projections.engine import tracked
from projections.runner import Runner
from store.db import Database
from store.url import DatabaseURL
from tests.conftest import reset_postgres
from tests.integration.history import generate
from tests.integration.stories import ACTOR, tell
from tests.integration.views import build, everything, ids

pytestmark = pytest.mark.postgres
LEADS = "this process leads"


@pytest.fixture
def url(postgres_database: str) -> str:
    reset_postgres(postgres_database)
    return postgres_database


def worker(url: str, log: Path, *options: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DENGTA_DATABASE_URL": url}
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, "-m", "app.cli", "project", *options],
                                env=env, stdout=out, stderr=subprocess.STDOUT)


def caught_up(database: Database, head: int, within: float) -> float | None:
    """Seconds until every projection's tracked position reached `head`, or None."""
    started = time.monotonic()
    with database.connection() as conn:
        while time.monotonic() - started < within:
            states = [tracked(conn, p) if _has_tracking(conn) else None for p in ALL]
            if all(s is not None and s[0] >= head for s in states):
                return time.monotonic() - started
            time.sleep(0.05)
    return None


def _has_tracking(conn) -> bool:
    return bool(conn.execute("SELECT 1 FROM pg_tables WHERE tablename = 'dengta_tracking'"))


@pytest.mark.parametrize("options", [(), ("--grouped",)])
def test_two_workers_one_leads_and_the_other_takes_over_after_sigkill(
        url, tmp_path, options) -> None:
    app = open_application(Settings(database_url=url))
    database = Database(DatabaseURL(url))
    tell(app)
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    workers = [worker(url, logs[0], *options)]
    try:
        assert caught_up(database, app.recorder.max_notification_id(), 20) is not None
        assert workers[0].poll() is None, logs[0].read_text()
        workers.append(worker(url, logs[1], *options))
        time.sleep(1.5)
        generate(app, steps=150)
        assert caught_up(database, app.recorder.max_notification_id(), 20) is not None
        assert logs[0].read_text().count(LEADS) == len(ALL)
        assert LEADS not in logs[1].read_text()

        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait(timeout=10)
        written = app.revise_goal(ACTOR, tell(app).annual, title="接管之后", reason="调整")
        took = caught_up(database, written.position, 10)
        assert took is not None and took < 5, took
        assert logs[1].read_text().count(LEADS) == len(ALL)
    finally:
        for process in workers:
            process.terminate()
            process.wait(timeout=10)
    with database.connection() as conn, Database(
        DatabaseURL(f"sqlite:///{tmp_path}/reference.db")
    ).connection() as reference:
        build(app, reference)
        universe = ids(reference)
        assert everything(conn, None, universe) == everything(reference, None, universe)
    app.close()


def test_a_follower_whose_connection_is_terminated_recovers_by_itself(url, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="dengta.projections")
    app = open_application(Settings(database_url=url))
    database = Database(DatabaseURL(url))
    runner = Runner(app, database, ALL, poll_interval=0.2).start()
    try:
        story = tell(app)
        assert runner.wait_until(story.last_position, timeout=10)
        with psycopg.connect(url, autocommit=True) as admin:
            killed = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchone()
        assert killed and killed[0] >= len(ALL)
        written = app.revise_goal(ACTOR, story.annual, title="断线之后", reason="调整")
        assert runner.wait_until(written.position, timeout=15)
        assert "reconnected" in caplog.text
    finally:
        runner.stop()
        app.close()


def test_read_your_writes_holds_in_a_process_whose_followers_do_not_lead(url) -> None:
    """With several API workers, one leads each projection; the others learn of its commits
    through NOTIFY, so their mutations still see their own writes at once."""
    app = open_application(Settings(database_url=url))
    database = Database(DatabaseURL(url))
    leader = Runner(app, database, ALL, poll_interval=0.2).start()
    try:
        story = tell(app)
        assert leader.wait_until(story.last_position, timeout=10)
        follower = Runner(app, database, ALL, poll_interval=5.0).start()
        try:
            time.sleep(0.5)
            assert follower.leading == set()
            written = app.revise_goal(ACTOR, story.annual, title="别处可见", reason="调整")
            started = time.monotonic()
            assert follower.wait_until(written.position, timeout=5)
            assert time.monotonic() - started < 1.0
        finally:
            follower.stop()
    finally:
        leader.stop()
        app.close()


def children(parent: int, marker: str) -> list[int]:
    """Processes whose parent is `parent` and whose command line contains `marker`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat[1]) == parent and marker in command:
            found.append(int(entry.name))
    return found


def test_serve_runs_the_followers_in_a_child_it_restarts_and_stops(url, tmp_path) -> None:
    """DENGTA_PROJECTIONS=worker: `dengta serve` folds in a `dengta project --grouped` child;
    mutations read their writes through it, a killed child is replaced, and stopping the
    server stops it."""
    import httpx

    from app.auth import TokenService
    from tests.e2e.test_real_server import free_port, wait_until_ready

    secret = "a-worker-test-secret-long-enough-for-hs256"
    port = free_port()
    env = {**os.environ, "DENGTA_DATABASE_URL": url, "DENGTA_JWT_SECRET": secret,
           "DENGTA_PROJECTIONS": "worker"}
    subprocess.run([sys.executable, "-m", "app.cli", "init"], env=env, check=True,
                   capture_output=True)  # serve opens only a store that is there
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port",
                                   str(port), "--workers", "2"],
                                  env=env, stdout=out, stderr=subprocess.STDOUT)
    headers = {"Authorization": f"Bearer {TokenService(secret).mint('admin')}"}
    mutation = """mutation($name: String!) { registerOrganization(input: {name: $name,
        kind: committee, category: "机关"}) { organization { name } userErrors { code } } }"""

    def register(name: str) -> dict[str, object]:
        response = httpx.post(f"http://127.0.0.1:{port}/graphql", headers=headers, timeout=10,
                              json={"query": mutation, "variables": {"name": name}})
        return dict(response.json()["data"]["registerOrganization"])

    try:
        wait_until_ready(server, f"127.0.0.1:{port}", log, within=60)
        (first,) = children(server.pid, "app.cli project --grouped")
        # read back at once: the child folded it (the API workers follow nothing)
        assert register("临江党委") == {"organization": {"name": "临江党委"}, "userErrors": []}
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while not (replaced := [pid for pid in children(server.pid, "app.cli project")
                                if pid != first]):
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        assert register("江北党委") == {"organization": {"name": "江北党委"}, "userErrors": []}
    finally:
        server.terminate()
        server.wait(timeout=30)
    deadline = time.monotonic() + 15
    while children(server.pid, "app.cli project") or \
            any("app.cli project" in command for command in commands(replaced[0])):
        assert time.monotonic() < deadline, "the projection worker outlived the server"
        time.sleep(0.1)


def commands(pid: int) -> list[str]:
    """The command line of `pid`, if it still runs."""
    try:
        return [Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()]
    except OSError:
        return []
