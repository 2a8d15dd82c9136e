"""The README's GraphQL examples are valid against the schema (they went stale once), and each
answers on the demo, over HTTP, on each backend, with no error and no empty list (they once
all came back empty)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graphql import parse, validate
from starlette.testclient import TestClient

from app.demo import load_demo, moments
from app.graphql.schema import build_schema
from app.http import create_app
from app.settings import Settings
from store.audit_reads import position_at
from tests.e2e.test_api import SECRET, gql

README = Path(__file__).resolve().parent.parent / "README.md"
PLACEHOLDER = re.compile(r'"<([^>]*)>"')  # a record's id ("<营销中心党支部 id>") or a moment
NAMED = """{
  organizations(first: 100) { nodes { id name } }
  goals(first: 100) { nodes { id title } }
  assessmentCycles(first: 10) { nodes { id title } }
  findings(first: 10) { nodes { id title } }
  pioneerPosts(first: 10) { nodes { id title holder { id name } } }
}"""


def examples() -> list[str]:
    return re.findall(r"```graphql\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_every_graphql_example_in_the_readme_validates() -> None:
    blocks = examples()
    assert len(blocks) >= 10
    schema = build_schema()._schema
    for block in blocks:
        query = PLACEHOLDER.sub(lambda found: '"2026-12-07T00:00:00Z"'
                                if found[1].endswith(" moment") else '"placeholder"', block)
        assert validate(schema, parse(query)) == [], block


def empty_parts(value: Any, path: str = "") -> Iterator[str]:
    """Where an answer is empty: a list with nothing in it, a totalCount of 0, a root field
    that is null."""
    if isinstance(value, list):
        if not value:
            yield path
        for index, item in enumerate(value):
            yield from empty_parts(item, f"{path}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            if (key == "totalCount" and not item) or (not path and item is None):
                yield f"{path}.{key}"
            yield from empty_parts(item, f"{path}.{key}")


def test_empty_parts_names_every_empty_list_count_and_root() -> None:
    answer = {"a": None, "b": {"totalCount": 0, "nodes": [{"x": []}, {"x": [1]}]},
              "c": {"d": None}}
    assert list(empty_parts(answer)) == [".a", ".b.totalCount", ".b.nodes[0].x"]


def test_every_graphql_example_in_the_readme_answers_on_the_demo(database_url: str) -> None:
    settings = Settings(database_url=database_url, jwt_secret=SECRET)
    with TestClient(create_app(settings)) as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        load_demo(services.app)
        assert services.runner.wait_until(services.app.recorder.max_notification_id(), 60)
        with services.database.connection() as conn:
            found = moments(services.app, conn)
            assert all(position_at(conn, m.at) == m.position for m in found)  # to the µs
        fills = {f"{moment.title} moment": moment.iso for moment in found}
        assert len(fills) == 9
        named = gql(client, NAMED)["data"]
        for connection in named.values():
            for node in connection["nodes"]:
                fills[f"{node.get('name') or node['title']} id"] = node["id"]
                if node.get("holder"):  # a pioneer post's: its holder, by name
                    fills[f"{node['holder']['name']} id"] = node["holder"]["id"]
        for block in examples():
            query = PLACEHOLDER.sub(
                lambda found: json.dumps(fills[found[1]], ensure_ascii=False), block)
            answer = gql(client, query)
            assert "errors" not in answer, (block, answer["errors"])
            assert list(empty_parts(answer["data"])) == [], (block, answer["data"])
