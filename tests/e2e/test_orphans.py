"""SIGKILL of `dengta serve` leaves no child behind: its projection worker and its uvicorn
workers end with it, and a restart comes up on the same port at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.bootstrap import open_application
from app.lifeline import PARENT_ENV, end_with_parent
from app.settings import Settings
from tests.conftest import reset_postgres
from tests.e2e.test_real_server import free_port, wait_until_ready

SECRET = "an-orphans-test-secret-long-enough-for-hs256"


def process_table() -> dict[int, tuple[int, str, str]]:
    """pid → (parent pid, state, start time) of every process."""
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            table[int(entry.name)] = (int(fields[1]), fields[0], fields[19])
    return table


def descendants(root: int) -> set[tuple[int, str]]:
    """(pid, start time) of every live process below `root`."""
    table = process_table()
    found, frontier = set(), [root]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, state, started) in table.items():
            if ppid == parent and state != "Z":
                found.add((pid, started))
                frontier.append(pid)
    return found


def still_running(processes: set[tuple[int, str]]) -> set[tuple[int, str]]:
    """Those of `processes` still running (a zombie, or a new process under a reused pid, is
    not one of them)."""
    table = process_table()
    return {(pid, started) for pid, started in processes
            if pid in table and table[pid][2] == started and table[pid][1] != "Z"}


def serve(url: str, port: int, workers: int, projections: str,
          log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DENGTA_DATABASE_URL": url, "DENGTA_JWT_SECRET": SECRET,
           "DENGTA_PROJECTIONS": projections}
    env.pop(PARENT_ENV, None)
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(port),
                                 "--workers", str(workers)],
                                env=env, stdout=out, stderr=subprocess.STDOUT)


@pytest.mark.postgres
@pytest.mark.parametrize(("projections", "workers", "expected"), [
    ("worker", 1, ["app.cli project --grouped"]),
    ("inprocess", 2, ["multiprocessing", "multiprocessing"]),
    ("worker", 2, ["app.cli project --grouped", "multiprocessing", "multiprocessing"]),
])
def test_sigkill_of_serve_ends_its_children_and_a_restart_takes_the_port(
        postgres_database, tmp_path, projections, workers, expected) -> None:
    reset_postgres(postgres_database)
    open_application(Settings(database_url=postgres_database)).close()  # serve needs a store
    port, log = free_port(), tmp_path / "serve.log"
    server = serve(postgres_database, port, workers, projections, log)
    restarted = None
    try:
        wait_until_ready(server, f"127.0.0.1:{port}", log, within=60)
        children = descendants(server.pid)
        commands = " ".join(Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
                            .decode() for pid, _ in children)
        for marker in expected:  # what should die is there (uvicorn spawns its workers)
            assert commands.count(marker) >= expected.count(marker), commands

        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
        deadline = time.monotonic() + 10  # ~1-3 s: the API workers stop gracefully
        while left := still_running(children):
            assert time.monotonic() < deadline, f"orphans {left}: {log.read_text()}"
            time.sleep(0.1)

        restarted = serve(postgres_database, port, workers, projections, log)
        wait_until_ready(restarted, f"127.0.0.1:{port}", log, within=60)
        assert "address already in use" not in log.read_text()
    finally:
        for process in (server, restarted):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=30)


def test_a_child_whose_parent_is_already_gone_does_not_start() -> None:
    with pytest.raises(SystemExit, match="is gone"):
        end_with_parent({PARENT_ENV: str(os.getppid() + 1_000_000)})


def test_a_process_not_started_by_serve_or_named_itself_is_left_alone() -> None:
    end_with_parent({})
    end_with_parent({PARENT_ENV: str(os.getpid())})
    end_with_parent({PARENT_ENV: "not a pid"})


def test_a_child_stops_when_its_parent_is_sigkilled(tmp_path) -> None:
    """The mechanism alone: a parent that is SIGKILLed while its child sleeps forever."""
    script = tmp_path / "child.py"
    script.write_text("import time\nfrom app.lifeline import end_with_parent\n"
                      "end_with_parent()\nprint('armed', flush=True)\ntime.sleep(600)\n")
    parent = subprocess.Popen(
        [sys.executable, "-c", "import os, subprocess, sys, time\n"
         f"env = {{**os.environ, {PARENT_ENV!r}: str(os.getpid())}}\n"
         f"child = subprocess.Popen([sys.executable, {str(script)!r}], env=env, "
         "stdout=subprocess.PIPE)\n"
         "assert child.stdout.readline() == b'armed\\n'\n"
         "print(child.pid, flush=True)\ntime.sleep(600)\n"],
        stdout=subprocess.PIPE, cwd=Path(__file__).parents[2])
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        (armed,) = [(pid, started) for pid, started in descendants(parent.pid)
                    if pid == child]
        parent.kill()
        parent.wait(timeout=10)
        deadline = time.monotonic() + 5
        while still_running({armed}):
            assert time.monotonic() < deadline, "the child outlived its parent"
            time.sleep(0.05)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        if parent.stdout is not None:
            parent.stdout.close()
