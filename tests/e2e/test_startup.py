"""Start-up as a user meets it, in real processes against real bad settings: each
misconfiguration is one line on stderr and exit status 2, quickly, before anything is printed
as started; only `dengta init` and `dengta demo` create a store; the administrator's token
names a person; `dengta token` finds the server's secret or says it made a new one."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psycopg
import pytest

from app.auth import ADMINISTRATOR_ID, ADMINISTRATOR_SUBJECT
from app.graphql.kit.ids import to_global_id
from tests.conftest import PG_ADMIN_URL
from tests.e2e.test_real_server import free_port, wait_until_ready

# Every command that opens the store, with arguments that would otherwise work.
OPENING = [["serve", "--port", "0"], ["verify"], ["digest"], ["status"], ["rebuild"],
           ["project"], ["token", "--admin"],
           ["import-business-scores", "--cycle", str(uuid.uuid4()), "scores.csv"]]


def run(cwd: Path, url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`dengta ARGS` in `cwd` (where a relative store path and secret file are read)."""
    environ = {**os.environ, "DENGTA_DATABASE_URL": url, **env}
    environ.pop("DENGTA_JWT_SECRET", None)
    return subprocess.run([sys.executable, "-m", "app.cli", *args], env=environ, cwd=cwd,
                          text=True, capture_output=True, timeout=60, check=False)


def refused(result: subprocess.CompletedProcess[str]) -> str:
    """The one line a refused command says; nothing on stdout (no URL, no token)."""
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("dengta: ")
    return line


def pg(user: str = "postgres", database: str = "postgres", port: int | None = None) -> str:
    parts = urlsplit(PG_ADMIN_URL)
    return f"postgresql://{user}@{parts.hostname}:{port or parts.port or 5432}/{database}"


@pytest.fixture
def postgres_reachable(postgres_database: str) -> str:
    """Skips (or fails under CI) without a PostgreSQL server, as the other tests do."""
    return postgres_database


def test_a_closed_postgres_port_names_host_and_port_within_seconds(tmp_path) -> None:
    port = free_port()  # nothing listens there
    started = time.monotonic()
    line = refused(run(tmp_path, pg(port=port), "serve", "--port", str(free_port())))
    assert time.monotonic() - started < 8  # the library's pool would retry for ten
    assert f"cannot reach PostgreSQL at {urlsplit(PG_ADMIN_URL).hostname}:{port}" in line
    assert "is the server running" in line


@pytest.mark.postgres
def test_a_missing_database_is_named_with_how_to_create_it(tmp_path,
                                                           postgres_reachable) -> None:
    name = f"dengta_missing_{uuid.uuid4().hex[:8]}"
    line = refused(run(tmp_path, pg(database=name), "serve"))
    assert f"has no database {name!r}: create it (createdb" in line


@pytest.mark.postgres
def test_an_unknown_user_is_named(tmp_path, postgres_reachable) -> None:
    user = f"nobody_{uuid.uuid4().hex[:8]}"
    line = refused(run(tmp_path, pg(user=user), "status"))
    assert f"knows no user {user!r}" in line


@pytest.mark.postgres
@pytest.mark.parametrize("command", OPENING, ids=lambda c: c[0])
def test_an_empty_postgres_database_is_refused_and_left_empty(tmp_path, postgres_database,
                                                              command) -> None:
    from tests.conftest import reset_postgres

    reset_postgres(postgres_database)
    line = refused(run(tmp_path, postgres_database, *command))
    assert f"database {urlsplit(postgres_database).path[1:]} at " in line
    assert "holds no dengta store" in line and "`dengta init`" in line
    with psycopg.connect(postgres_database) as conn:
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
                            ).fetchone() == (0,)


@pytest.mark.parametrize("command", OPENING, ids=lambda c: c[0])
def test_a_missing_sqlite_file_or_folder_is_refused_and_nothing_is_created(
        tmp_path, command) -> None:
    line = refused(run(tmp_path, "sqlite:///var/dengat.db", *command))  # a typo
    assert f"no SQLite store at {tmp_path}/var/dengat.db: its folder {tmp_path}/var does " \
           "not exist" in line
    (tmp_path / "var").mkdir()
    line = refused(run(tmp_path, "sqlite:///var/dengat.db", *command))
    assert f"no SQLite store at {tmp_path}/var/dengat.db (a relative path is read from the " \
           f"working directory, {tmp_path})" in line
    assert "run `dengta init`" in line
    assert list((tmp_path / "var").iterdir()) == []


def test_a_file_that_is_no_store_is_named(tmp_path) -> None:
    (tmp_path / "notes.db").write_text("not a database at all, just text " * 40)
    assert "is not a dengta store" in refused(run(tmp_path, "sqlite:///notes.db", "status"))
    (tmp_path / "other.db").touch()  # an empty SQLite file: no dengta tables
    assert "holds no dengta store" in refused(run(tmp_path, "sqlite:///other.db", "digest"))


def test_init_creates_a_store_with_its_administrator_once(tmp_path) -> None:
    url = "sqlite:///var/dengta.db"
    made = run(tmp_path, url, "init")
    assert made.returncode == 0, made.stderr
    assert f"administrator: 系统管理员 ({ADMINISTRATOR_SUBJECT}) registered" in made.stdout
    head = run(tmp_path, url, "digest").stdout
    again = run(tmp_path, url, "init")
    assert again.returncode == 0 and "registered" not in again.stdout
    assert run(tmp_path, url, "digest").stdout == head
    status = run(tmp_path, url, "status")
    assert status.returncode == 0 and status.stdout.startswith("log head 1")


def test_token_names_a_person_by_global_id_or_uuid_and_refuses_anyone_else(tmp_path) -> None:
    url = "sqlite:///dengta.db"
    assert run(tmp_path, url, "init").returncode == 0
    for given in (to_global_id("Person", ADMINISTRATOR_ID), str(ADMINISTRATOR_ID)):
        minted = run(tmp_path, url, "token", "--person", given)
        assert minted.returncode == 0, minted.stderr
        assert minted.stdout.startswith(f"token for 系统管理员 ({ADMINISTRATOR_SUBJECT})")
    stranger = uuid.uuid4()
    assert f"no person with id {stranger}" in refused(
        run(tmp_path, url, "token", "--person", str(stranger)))
    organization = to_global_id("Organization", ADMINISTRATOR_ID)
    assert "is the id of a Organization, not of a Person" in refused(
        run(tmp_path, url, "token", "--person", organization))


def test_the_cli_finds_the_servers_secret_and_says_when_it_makes_a_new_one(tmp_path) -> None:
    """A relative DENGTA_JWT_SECRET_FILE is read from the working directory by the server and
    every command alike; run elsewhere, `dengta token` says the server will not take it."""
    here, elsewhere = tmp_path / "here", tmp_path / "elsewhere"
    here.mkdir()
    elsewhere.mkdir()
    url = f"sqlite:///{here}/dengta.db"  # absolute: the same store from both folders
    assert run(here, url, "demo").returncode == 0
    port = free_port()
    log = tmp_path / "server.log"
    environ = {**os.environ, "DENGTA_DATABASE_URL": url}
    environ.pop("DENGTA_JWT_SECRET", None)
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port",
                                   str(port)], env=environ, cwd=here, stdout=out,
                                  stderr=subprocess.STDOUT)
    try:
        wait_until_ready(server, f"127.0.0.1:{port}", log, within=60)
        printed = log.read_text()
        assert printed.index("GraphiQL: http://") < printed.index("Uvicorn running")
        assert "`dengta token --admin --ttl SECONDS` mints another" in printed
        served = printed.split('"Bearer ')[1].split('"')[0]
        same = run(here, url, "token", "--admin", "--ttl", "600")
        assert same.returncode == 0 and same.stderr == ""
        other = run(elsewhere, url, "token", "--admin")
        assert other.returncode == 0
        assert f"a new one is in {elsewhere}/var/jwt-secret: a server already running with " \
               "another secret will not accept this token" in other.stderr
        answers = [viewer(port, token) for token in
                   (served, same.stdout.split()[-1], other.stdout.split()[-1])]
    finally:
        server.terminate()
        server.wait(timeout=15)
    me = {"viewer": {"subject": ADMINISTRATOR_SUBJECT, "isAdmin": True,
                     "person": {"name": "系统管理员"}}}
    assert answers[:2] == [me, me]
    assert answers[2] is None


def viewer(port: int, token: str) -> object:
    response = httpx.post(f"http://127.0.0.1:{port}/graphql",
                          headers={"Authorization": f"Bearer {token}"}, timeout=10,
                          json={"query": "{ viewer { subject isAdmin person { name } } }"})
    body = response.json()
    if body.get("errors"):
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", body
        return None
    return body["data"]


def test_serve_refuses_a_port_in_use_before_printing_a_url(tmp_path) -> None:
    url = "sqlite:///dengta.db"
    assert run(tmp_path, url, "init").returncode == 0
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = refused(run(tmp_path, url, "serve", "--port", str(port)))
    assert f"port {port} on 127.0.0.1 is in use" in line
