"""GraphiQL in a real browser against a real `dengta serve` on the demo: with everything but the
server blocked, the page renders, runs a query with a pasted token and follows a subscription,
and no request leaves the server's origin."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Request, Route, WebSocket, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from app.auth import ADMINISTRATOR_SUBJECT
from tests.conftest import IN_CI
from tests.e2e.test_real_server import free_port, wait_until_ready

CHROMIUM = Path("/usr/bin/chromium")  # Debian's package: Playwright downloads no browser here
SCREENSHOTS = Path(__file__).parents[2] / "var"
QUERY = """{
  viewer { subject isAdmin }
  goals(first: 3, level: specific) {
    totalCount
    nodes { title organization { name } }
  }
}"""
MUTATION = """mutation { registerOrganization(input:
    {name: "浏览器党委", kind: committee, category: "机关"}) { userErrors { code } } }"""
SUBSCRIPTION = ("subscription { recordedEvents(after: %d) { actor { name } aggregateType "
                "eventType } }")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: apt-get install chromium fonts-noto-cjk"
        if IN_CI:
            pytest.fail(f"the GraphiQL browser test is required under CI=true; {reason}")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield launched
        launched.close()


@dataclass(frozen=True)
class Server:
    origin: str
    header: str  # the line `dengta serve` prints for a user to paste into GraphiQL


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`dengta demo`, then `dengta serve`, as the README has a user run them (on SQLite: the
    page's assets do not depend on the store)."""
    folder = tmp_path_factory.mktemp("graphiql")
    env = {**os.environ, "DENGTA_DATABASE_URL": f"sqlite:///{folder}/dengta.db",
           "PYTHONUNBUFFERED": "1"}  # the printed header reaches the log at once
    env.pop("DENGTA_JWT_SECRET", None)  # the server's own, generated into var/ as a user's is
    demo = subprocess.run([sys.executable, "-m", "app.cli", "demo"], env=env, cwd=folder,
                          capture_output=True, text=True, timeout=120, check=False)
    assert demo.returncode == 0, demo.stderr
    port = free_port()
    log = folder / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(port)], env=env,
            cwd=folder, stdout=output, stderr=subprocess.STDOUT)
        try:
            wait_until_ready(process, f"127.0.0.1:{port}", log, within=30)
            printed = log.read_text(encoding="utf-8").splitlines()
            header = next(line.removeprefix("Header:").strip() for line in printed
                          if line.startswith("Header:"))
            yield Server(f"http://127.0.0.1:{port}", header)
        finally:
            process.terminate()
            process.wait(timeout=15)


@dataclass
class Traffic:
    """What the page asked for: every request and WebSocket, and what was kept from leaving."""

    origin: str
    requests: list[Request] = field(default_factory=list)
    sockets: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def route(self, route: Route) -> None:
        url = route.request.url
        if url.startswith(f"{self.origin}/"):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("internetdisconnected")

    def saw_request(self, request: Request) -> None:
        self.requests.append(request)

    def saw_socket(self, socket: WebSocket) -> None:
        self.sockets.append(socket.url)

    def foreign(self) -> list[str]:
        local = (f"{self.origin}/", "ws" + self.origin.removeprefix("http") + "/")
        return [url for url in [r.url for r in self.requests] + self.sockets + self.blocked
                if not url.startswith(local)]


@pytest.fixture
def ide(browser: Browser, server: Server) -> Iterator[tuple[Page, Traffic]]:
    """GraphiQL open and rendered, in a fresh browser context that reaches only the server."""
    context = browser.new_context(viewport={"width": 1400, "height": 800}, locale="zh-CN")
    traffic = Traffic(server.origin)
    context.route("**/*", traffic.route)
    page = context.new_page()
    page.on("request", traffic.saw_request)
    page.on("websocket", traffic.saw_socket)
    try:
        page.goto(f"{server.origin}/graphql")
        try:
            page.wait_for_selector(".graphiql-query-editor .CodeMirror", timeout=30_000)
        except PlaywrightTimeoutError:
            pytest.fail(f"GraphiQL did not render; kept from leaving: {traffic.blocked}")
        yield page, traffic
    finally:
        context.close()


def write(page: Page, editor: str, text: str) -> None:
    """Replace an editor's text the way a paste does."""
    page.locator(f"{editor} .CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(text)


def paste_header_and_run(page: Page, query: str, header: str) -> None:
    write(page, ".graphiql-query-editor", query)
    page.get_by_role("button", name="Headers").click()
    write(page, ".graphiql-editor-tool .graphiql-editor:not(.hidden)", header)
    page.locator(".graphiql-execute-button").click()


def result_containing(page: Page, text: str) -> Any:
    """The result pane's JSON, once it contains `text`."""
    read = "() => document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue()"
    page.wait_for_function(f"text => ({read})().includes(text)", arg=text, timeout=30_000)
    return json.loads(page.evaluate(read))


def test_graphiql_runs_a_query_with_the_pasted_header_and_nothing_leaves_the_server(
        ide: tuple[Page, Traffic], server: Server) -> None:
    page, traffic = ide
    paste_header_and_run(page, QUERY, server.header)
    result = result_containing(page, "totalCount")
    assert result["data"]["viewer"] == {"subject": ADMINISTRATOR_SUBJECT, "isAdmin": True}
    goals = result["data"]["goals"]
    assert goals["totalCount"] > 3
    assert all(node["title"] and "党" in node["organization"]["name"]
               for node in goals["nodes"])
    sent = [r for r in traffic.requests if r.method == "POST" and "goals" in (r.post_data or "")]
    assert [r.all_headers().get("authorization") for r in sent] == [
        json.loads(server.header)["Authorization"]]
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "graphiql-offline.png")
    assert {r.url.removeprefix(traffic.origin) for r in traffic.requests
            if r.resource_type in ("script", "stylesheet")} == {
        "/ide/react-18.2.0/react.production.min.js",
        "/ide/react-dom-18.2.0/react-dom.production.min.js",
        "/ide/graphiql-3.8.3/graphiql.min.js",
        "/ide/graphiql-3.8.3/graphiql.min.css",
        "/ide/graphiql-plugin-explorer-1.0.2/index.umd.js",
        "/ide/graphiql-plugin-explorer-1.0.2/style.css",
    }
    assert traffic.foreign() == []


def test_a_subscription_in_graphiql_follows_events_over_the_servers_own_websocket(
        ide: tuple[Page, Traffic], server: Server) -> None:
    page, traffic = ide
    head = httpx.get(f"{server.origin}/readyz", timeout=10).json()["head"]
    # From the head on: what is recorded before the subscription reaches the server still comes.
    paste_header_and_run(page, SUBSCRIPTION % head, server.header)
    created = httpx.post(f"{server.origin}/graphql", json={"query": MUTATION},
                         headers=json.loads(server.header), timeout=10)
    assert created.json()["data"]["registerOrganization"]["userErrors"] == []
    event = result_containing(page, "Registered")["data"]["recordedEvents"]
    assert event == {"actor": {"name": "系统管理员"}, "aggregateType": "Organization",
                     "eventType": "Registered"}
    assert traffic.sockets == [f"ws{server.origin.removeprefix('http')}/graphql"]
    assert traffic.foreign() == []
