"""Logs for operators: a client's error is one line at INFO with its request's id and code,
an unexpected error keeps its traceback under the id it returns, and JSON lines parse."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from app import logs
from app.auth import TokenService
from app.http import create_app
from app.settings import Settings
from tests.e2e.test_real_server import free_port, wait_until_ready

SECRET = "a-logs-test-secret-long-enough-for-hs256"
ADMIN = {"Authorization": f"Bearer {TokenService(SECRET).mint('admin')}"}
GOALS = "query($first: Int) { goals(first: $first) { totalCount } }"
REGISTER = """mutation { registerOrganization(input: {name: "越权党委", kind: committee,
    category: "机关"}) { organization { id } } }"""


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=database_url, jwt_secret=SECRET))) as test:
        yield test


@pytest.fixture
def restored_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def member(client: TestClient) -> dict[str, str]:
    person = client.app.state.services.app.register_person(  # type: ignore[attr-defined]
        "admin", name="赵一", party_member=True).id
    return {"Authorization": f"Bearer {TokenService(SECRET).mint(f'person:{person}')}"}


def server_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """What the server logged for requests (not the test client's own lines, nor the
    followers', which start leading in the background)."""
    return [r for r in caplog.records
            if not r.name.startswith(("httpx", "asyncio", "dengta.projections"))]


def bad_requests(client: TestClient) -> list[tuple[str, dict[str, str], dict[str, Any]]]:
    """(expected code, headers, body) of requests a client gets wrong."""
    forged = {"Authorization": "Bearer not.a.token"}
    return [
        ("UNAUTHENTICATED", {}, {"query": GOALS, "variables": {"first": 1}}),
        ("UNAUTHENTICATED", forged, {"query": GOALS, "variables": {"first": 1}}),
        ("BAD_USER_INPUT", ADMIN, {"query": GOALS, "variables": {"first": 1000}}),
        ("GRAPHQL_VALIDATION_FAILED", ADMIN, {"query": "{ goals(first: 1) { nosuch } }"}),
        ("GRAPHQL_PARSE_FAILED", ADMIN, {"query": "{ goals(first: "}),
        ("QUERY_TOO_COSTLY", ADMIN, {"query": "{ " + " ".join(
            f"a{n}: goals(first: 100) {{ nodes {{ title }} }}" for n in range(15)) + " }"}),
        ("FORBIDDEN", member(client), {"query": REGISTER}),
    ]


def test_each_client_error_is_one_info_line_with_its_request_id_and_code(client,
                                                                          caplog) -> None:
    requests = bad_requests(client) * 3
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    for code, headers, body in requests:
        response = client.post("/graphql", json=body, headers=headers)
        assert response.json()["errors"][0].get("extensions", {}).get("code", code) == code
        request_id = response.headers["X-Request-ID"]
        lines = [r for r in caplog.records if request_id in r.getMessage()]
        assert len(lines) == 1, [r.getMessage() for r in caplog.records]
        (line,) = lines
        assert (line.levelno, line.name, line.code) == (logging.INFO, "dengta.access", code)
        assert line.exc_info is None and "\n" not in line.getMessage()
        assert line.request_id == request_id
        caplog.clear()


def test_a_burst_of_anonymous_requests_writes_a_line_each(client, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    for _ in range(50):
        client.post("/graphql", json={"query": GOALS, "variables": {"first": 1}})
    assert len(server_records(caplog)) == 50
    assert {r.levelno for r in server_records(caplog)} == {logging.INFO}
    assert "Traceback" not in caplog.text


def test_a_sane_request_id_is_kept_and_any_other_replaced(client, caplog) -> None:
    caplog.set_level(logging.INFO)
    kept = client.get("/healthz", headers={"X-Request-ID": "edge-7f3a:42"})
    assert kept.headers["X-Request-ID"] == "edge-7f3a:42"
    assert "request edge-7f3a:42" in caplog.text
    for insane in ("", "with space", "x" * 200, "<script>", "行"):
        replaced = client.get("/healthz", headers={"X-Request-ID": insane.encode()})
        assert replaced.headers["X-Request-ID"] != insane
        assert len(replaced.headers["X-Request-ID"]) == 32
    assert "<script>" not in caplog.text


def test_an_unexpected_error_logs_its_traceback_under_the_id_it_returns(
        client, caplog, monkeypatch) -> None:
    from projections import goals as goal_views

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(goal_views, "goals_page", broken)
    caplog.set_level(logging.INFO)
    response = client.post("/graphql", headers={**ADMIN, "X-Request-ID": "req-unexpected-1"},
                           json={"query": "{ goals(first: 1) { nodes { title } } }"})
    (error,) = response.json()["errors"]
    assert error["extensions"] == {"code": "INTERNAL", "requestId": "req-unexpected-1"}
    assert response.headers["X-Request-ID"] == "req-unexpected-1"
    (traced,) = [r for r in caplog.records if r.exc_info]
    assert traced.levelno == logging.ERROR and traced.request_id == "req-unexpected-1"
    assert "req-unexpected-1" in traced.getMessage()
    assert "the disk is on fire" in caplog.text
    (line,) = [r for r in caplog.records if r.name == "dengta.access"]
    assert line.levelno == logging.WARNING and line.code == "INTERNAL"


def test_json_lines_parse_and_carry_time_level_logger_request_id_and_code(
        client, restored_logging, monkeypatch) -> None:
    from projections import goals as goal_views

    stream = io.StringIO()
    logs.configure("json", stream=stream)
    client.post("/graphql", json={"query": GOALS, "variables": {"first": 1}},
                headers={"X-Request-ID": "json-1"})
    monkeypatch.setattr(goal_views, "goals_page", lambda *_a, **_k: 1 / 0)
    client.post("/graphql", json={"query": GOALS, "variables": {"first": 1}},
                headers={**ADMIN, "X-Request-ID": "json-2"})
    logging.getLogger("elsewhere").warning("outside any request")
    every = [json.loads(line) for line in stream.getvalue().splitlines()]
    for line in every:
        assert {"time", "level", "logger", "message", "request_id", "code"} <= set(line)
        assert line["time"].endswith("+00:00")
    # not the test client's lines, nor the followers' (they start leading in the background)
    lines = [line for line in every
             if not line["logger"].startswith(("httpx", "dengta.projections"))]
    assert len(lines) == 4, lines
    refused, traced, answered, outside = lines
    assert (refused["level"], refused["request_id"], refused["code"]) == \
        ("INFO", "json-1", "UNAUTHENTICATED")
    assert (traced["level"], traced["request_id"], traced["code"]) == \
        ("ERROR", "json-2", "INTERNAL")
    assert "ZeroDivisionError" in traced["exc_info"]
    assert answered["logger"] == "dengta.access" and answered["request_id"] == "json-2"
    assert (outside["request_id"], outside["code"]) == ("-", None)


def test_the_log_format_setting_is_text_or_json() -> None:
    assert Settings.from_env({"DENGTA_LOG_FORMAT": "JSON"}).log_format == "json"
    assert Settings.from_env({}).log_format == "text"
    with pytest.raises(ValueError, match="DENGTA_LOG_FORMAT"):
        Settings.from_env({"DENGTA_LOG_FORMAT": "xml"})


def test_a_real_server_writes_one_json_line_per_bad_request(tmp_path) -> None:
    """Through uvicorn, in a worker process of its own: its lines are ours (JSON), and no
    access log doubles them."""
    port, log = free_port(), tmp_path / "server.log"
    env = {**os.environ, "DENGTA_DATABASE_URL": f"sqlite:///{tmp_path}/logs.db",
           "DENGTA_JWT_SECRET": SECRET, "DENGTA_LOG_FORMAT": "json"}
    subprocess.run([sys.executable, "-m", "app.cli", "init"], env=env, check=True,
                   capture_output=True)
    with log.open("wb") as out:  # stdout too: nothing but JSON lines
        server = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port",
                                   str(port)], env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"127.0.0.1:{port}"
    try:
        wait_until_ready(server, base, log, within=60)
        ids = []
        with httpx.Client(base_url=f"http://{base}") as http:
            for n in range(40):
                response = http.post("/graphql", json={"query": GOALS} if n % 2 else
                                     {"query": "{ goals(first: 1) { nosuch } }"})
                ids.append(response.headers["X-Request-ID"])
    finally:
        server.terminate()
        server.wait(timeout=30)
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    mine = [line for line in lines if line.get("request_id") in ids]
    assert [line["request_id"] for line in mine] == ids
    assert {(line["level"], line["code"]) for line in mine} == {
        ("INFO", "UNAUTHENTICATED"), ("INFO", "GRAPHQL_VALIDATION_FAILED")}
    assert not any("exc_info" in line for line in lines)
    assert "eyJ" not in log.read_text()  # no token (a JWT starts so) in the logs
    assert any(line["logger"].startswith("uvicorn") for line in lines)  # theirs go through ours


def test_a_websocket_gets_an_id_and_its_refused_subscription_one_line(client, caplog) -> None:
    caplog.set_level(logging.INFO)
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"],
                                  headers={"X-Request-ID": "socket-1"}) as socket:
        assert (b"x-request-id", b"socket-1") in socket.extra_headers
        socket.send_json({"type": "connection_init", "payload": {}})
        assert socket.receive_json()["type"] == "connection_ack"
        socket.send_json({"id": "1", "type": "subscribe", "payload": {
            "query": "subscription { recordedEvents { position } }"}})
        refused = socket.receive_json()
        assert refused["type"] in ("error", "next")
    (line,) = [r for r in server_records(caplog) if "socket-1" in r.getMessage()]
    assert (line.levelno, line.code, line.exc_info) == (logging.INFO, "UNAUTHENTICATED", None)
