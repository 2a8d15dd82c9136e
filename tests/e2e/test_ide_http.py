"""GraphiQL's page and assets over HTTP: served by dengta itself, cached by version, and absent
when the IDE is off."""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from app.http import create_app
from app.ide import ASSETS
from app.settings import Settings
from tests.e2e.test_api import SECRET

BROWSER = {"Accept": "text/html,application/xhtml+xml"}
GRAPHIQL_JS = "/ide/graphiql-3.8.3/graphiql.min.js"


def settings(tmp_path: Path, *, graphql_ide: bool) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path}/dengta.db", jwt_secret=SECRET,
                    graphql_ide=graphql_ide)


def test_a_browser_gets_a_page_that_loads_its_code_from_this_server(tmp_path) -> None:
    with TestClient(create_app(settings(tmp_path, graphql_ide=True))) as client:
        page = client.get("/graphql", headers=BROWSER)
        assert page.status_code == 200
        assert "<title>灯塔 GraphQL</title>" in page.text
        assert 'src="ide/graphiql-3.8.3/graphiql.min.js"' in page.text
        assert "unpkg.com" not in page.text
        script = client.get(GRAPHIQL_JS)
        assert script.status_code == 200
        assert script.headers["content-type"].startswith("text/javascript")
        assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert script.content == (ASSETS / "graphiql-3.8.3/graphiql.min.js").read_bytes()
        assert client.get("/ide/graphiql-9.9.9/graphiql.min.js").status_code == 404


def test_with_the_ide_off_neither_the_page_nor_its_assets_are_served(tmp_path) -> None:
    with TestClient(create_app(settings(tmp_path, graphql_ide=False))) as client:
        assert "灯塔 GraphQL" not in client.get("/graphql", headers=BROWSER).text
        assert client.get(GRAPHIQL_JS).status_code == 404
