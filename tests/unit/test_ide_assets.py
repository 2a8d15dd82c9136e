"""GraphiQL's page loads only files the package ships, each exactly the build it pins."""

from __future__ import annotations

import base64
import hashlib
import tomllib
from fnmatch import fnmatch
from html.parser import HTMLParser
from pathlib import Path

from app.ide import ASSETS, HERE, graphiql_html

ROOT = Path(__file__).parents[2]


class References(HTMLParser):
    """Every URL the page's tags load, with the integrity hash each pins."""

    def __init__(self) -> None:
        super().__init__()
        self.loaded: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        url = attributes.get("src") or attributes.get("href")
        if url is not None:
            self.loaded[url] = attributes.get("integrity")


def references() -> dict[str, str | None]:
    parser = References()
    parser.feed(graphiql_html())
    return parser.loaded


def sha384(path: Path) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(path.read_bytes()).digest()).decode()


def test_the_page_loads_only_shipped_files_by_their_pinned_hashes() -> None:
    loaded = {url: pinned for url, pinned in references().items()
              if not url.startswith("data:")}  # the favicon, drawn inline
    assert len(loaded) == 6
    for url, pinned in loaded.items():
        assert url.startswith("ide/"), f"{url} is not served by dengta"
        shipped = ASSETS / url.removeprefix("ide/")
        assert shipped.is_file(), f"{url} is not in {ASSETS}"
        assert pinned == sha384(shipped), f"{url} differs from the build its page pins"


def test_every_shipped_build_is_loaded_and_keeps_its_licence() -> None:
    loaded = {ASSETS / url.removeprefix("ide/") for url in references()
              if url.startswith("ide/")}
    builds = {path for path in ASSETS.rglob("*")
              if path.is_file() and path.suffix in (".js", ".css")}
    assert builds == loaded
    for folder in {path.parent for path in builds}:
        assert (folder / "LICENSE").is_file(), f"{folder.name} has no licence"


def test_pip_install_includes_the_page_and_every_asset() -> None:
    """What setuptools' package-data globs match is what a `pip install .` ships."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["app.ide"]
    files = [path.relative_to(HERE).as_posix() for path in HERE.rglob("*")
             if path.is_file() and path.suffix != ".py" and "__pycache__" not in path.parts]
    assert "graphiql.html" in files
    missed = [name for name in files
              if not any(fnmatch(name, pattern) and name.count("/") == pattern.count("/")
                         for pattern in patterns)]
    assert missed == []
