"""The README's GraphQL examples are valid against the schema (they went stale once)."""

from __future__ import annotations

import re
from pathlib import Path

from graphql import parse, validate

from app.graphql.schema import build_schema

README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_graphql_example_in_the_readme_validates() -> None:
    blocks = re.findall(r"```graphql\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 3
    schema = build_schema()._schema
    for block in blocks:
        query = re.sub(r'"<[^>]*>"', '"placeholder"', block)  # ids to fill in, e.g. "<… id>"
        assert validate(schema, parse(query)) == [], block
