"""A real client against a real server: `dengta serve` (uvicorn) on 127.0.0.1, driven by a
gql client that fetches the schema by introspection, over HTTP and a WebSocket."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from gql import Client, gql
from gql.transport.httpx import HTTPXAsyncTransport
from gql.transport.websockets import WebsocketsTransport

from app.auth import ADMINISTRATOR_SUBJECT, TokenService

SECRET = "a-real-server-secret-long-enough-for-hs256"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_ready(process: subprocess.Popen[bytes], base: str, log: Path,
                     within: float) -> None:
    """Until `/readyz` answers 200; fails with the server's log if it exits or takes longer."""
    deadline = time.monotonic() + within
    while True:
        try:
            if httpx.get(f"http://{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, f"server did not become ready: {log.read_text()}"
        time.sleep(0.1)


@pytest.fixture
def server(database_url: str, tmp_path) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "DENGTA_DATABASE_URL": database_url, "DENGTA_JWT_SECRET": SECRET}
    subprocess.run([sys.executable, "-m", "app.cli", "init"], env=env, check=True,
                   capture_output=True)  # serve opens only a store that is there
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
                               env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"127.0.0.1:{port}"
    try:
        wait_until_ready(process, base, tmp_path / "server.log", within=30)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


def test_a_gql_client_queries_mutates_and_subscribes(server: str) -> None:
    token = TokenService(SECRET).mint(ADMINISTRATOR_SUBJECT)  # as `dengta token --admin`
    headers = {"Authorization": f"Bearer {token}"}

    async def scenario() -> None:
        http = Client(transport=HTTPXAsyncTransport(url=f"http://{server}/graphql",
                                                    headers=headers),
                      fetch_schema_from_transport=True)
        socket_client = Client(transport=WebsocketsTransport(
            url=f"ws://{server}/graphql", init_payload={"Authorization": f"Bearer {token}"}))
        async with http as session, socket_client as live:
            assert http.schema is not None
            assert "recordedEvents" in http.schema.subscription_type.fields
            viewer = await session.execute(gql("{ viewer { subject isAdmin } }"))
            assert viewer == {"viewer": {"subject": ADMINISTRATOR_SUBJECT, "isAdmin": True}}
            stream = live.subscribe(gql("subscription { recordedEvents { position actorId "
                                        "actor { __typename name } aggregateType eventType } }"))
            first = asyncio.ensure_future(anext(stream))
            await asyncio.sleep(0.5)
            created = await session.execute(gql("""mutation { registerOrganization(input:
                {name: "实时党委", kind: committee, category: "机关"}) {
                organization { id name } userErrors { code } } }"""))
            payload = created["registerOrganization"]
            assert payload["userErrors"] == []
            assert payload["organization"]["name"] == "实时党委"
            event = await asyncio.wait_for(first, timeout=10)
            assert event["recordedEvents"]["actor"] == {"__typename": "Person",
                                                        "name": "系统管理员"}
            assert (event["recordedEvents"]["aggregateType"],
                    event["recordedEvents"]["eventType"]) == ("Organization", "Registered")
            request = gql("query($id: ID!) { organizationTree(rootId: $id) { name } }")
            request.variable_values = {"id": payload["organization"]["id"]}
            tree = await session.execute(request)
            assert tree == {"organizationTree": [{"name": "实时党委"}]}
            await stream.aclose()

    asyncio.run(scenario())
