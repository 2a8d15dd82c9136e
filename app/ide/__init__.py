"""GraphiQL from the installed package: its page and the browser builds that page loads, so
the IDE works on networks that reach no CDN."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

HERE = Path(__file__).parent
ASSETS = HERE / "assets"  # one folder per npm package and version; see its README.md
ASSETS_PATH = "/ide"  # the page refers to them as ide/…, relative to /graphql


@cache
def graphiql_html() -> str:
    """The IDE's page, read once."""
    return (HERE / "graphiql.html").read_text(encoding="utf-8")


class Assets(StaticFiles):
    """The vendored builds. Their paths carry their versions, so a browser keeps them for a
    year without asking again."""

    def file_response(self, full_path: str | os.PathLike[str], stat_result: os.stat_result,
                      scope: Scope, status_code: int = 200) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


def assets_mount() -> Mount:
    return Mount(ASSETS_PATH, app=Assets(directory=ASSETS), name="ide-assets")
