"""CORS over HTTP: a listed origin may call the API from a browser, others may not."""

from __future__ import annotations

from starlette.testclient import TestClient

from app.http import create_app
from app.settings import Settings
from tests.e2e.test_api import ADMIN, SECRET

PREFLIGHT = {"Origin": "http://console.example", "Access-Control-Request-Method": "POST",
             "Access-Control-Request-Headers": "authorization, content-type"}


def test_a_listed_origin_may_call_the_api_from_a_browser(database_url) -> None:
    settings = Settings(database_url=database_url, jwt_secret=SECRET,
                        cors_origins=("http://console.example",))
    with TestClient(create_app(settings)) as client:
        preflight = client.options("/graphql", headers=PREFLIGHT)
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "http://console.example"
        answer = client.post("/graphql", json={"query": "{ __typename }"},
                             headers={**ADMIN, "Origin": "http://console.example"})
        assert answer.headers["access-control-allow-origin"] == "http://console.example"
        assert "x-request-id" in answer.headers["access-control-expose-headers"].lower()
        other = client.options("/graphql", headers={**PREFLIGHT,
                                                    "Origin": "http://elsewhere.example"})
        assert "access-control-allow-origin" not in other.headers


def test_without_listed_origins_no_browser_elsewhere_is_let_in(database_url) -> None:
    with TestClient(create_app(Settings(database_url=database_url, jwt_secret=SECRET))) as client:
        preflight = client.options("/graphql", headers=PREFLIGHT)
        assert "access-control-allow-origin" not in preflight.headers
