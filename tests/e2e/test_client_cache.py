"""Time travel and client caches: a normalised cache (Apollo's InMemoryCache, urql's
Graphcache) keys objects by type and id, so a goal read `asOf` a past moment would overwrite
the current goal. Keyed as the README says (type, id and `asOfPosition`), current and past
objects live side by side. This emulates such a cache (objects merged by key, roots holding
references, as Apollo does) and reads current and past pages alternately."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from starlette.testclient import TestClient

from tests.e2e.test_api import gql
from tests.e2e.test_authorization import world  # noqa: F401  (the fixture)

PAGE = """query($asOf: DateTime) { goals(first: 20, asOf: $asOf) { nodes { __typename id
  asOfPosition title weight organization { __typename id asOfPosition name } } } }"""
REVISE = """mutation($input: ReviseGoalInput!) { reviseGoal(input: $input) { status } }"""
RENAME = """mutation($input: RenameOrganizationInput!) { renameOrganization(input: $input) {
  status } }"""

Key = Callable[[dict[str, Any]], str | None]


def documented_key(entity: dict[str, Any]) -> str | None:
    """README's `dataIdFromObject`: Apollo's default key, then `@asOfPosition` when set."""
    if "__typename" not in entity or "id" not in entity:
        return None
    key = f"{entity['__typename']}:{entity['id']}"
    return f"{key}@{entity['asOfPosition']}" if entity.get("asOfPosition") is not None else key


def default_key(entity: dict[str, Any]) -> str | None:
    return f"{entity['__typename']}:{entity['id']}" if "id" in entity else None


class NormalisedCache:
    def __init__(self, key: Key) -> None:
        self.key = key
        self.entities: dict[str, dict[str, Any]] = {}
        self.roots: dict[str, Any] = {}

    def write(self, root: str, data: Any) -> None:
        self.roots[root] = self._normalise(data)

    def read(self, root: str) -> Any:
        return self._denormalise(self.roots[root])

    def _normalise(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self._normalise(v) for v in value]
        if not isinstance(value, dict):
            return value
        fields = {name: self._normalise(v) for name, v in value.items()}
        key = self.key(value)
        if key is None:
            return fields
        self.entities.setdefault(key, {}).update(fields)  # merged, as Apollo merges
        return {"__ref": key}

    def _denormalise(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self._denormalise(v) for v in value]
        if isinstance(value, dict):
            if "__ref" in value:
                return self._denormalise(self.entities[value["__ref"]])
            return {name: self._denormalise(v) for name, v in value.items()}
        return value


def changed_world(client: TestClient, ids: dict[str, str]) -> str:
    """Renames a goal and its organisation after a moment; returns the moment."""
    time.sleep(0.01)
    moment = datetime.now(UTC).isoformat()
    time.sleep(0.01)
    revised = gql(client, REVISE, input={"goalId": ids["gA"], "title": "gA（修订）",
                                         "reason": "表述更准确"})
    renamed = gql(client, RENAME, input={"organizationId": ids["A"], "name": "A（更名）",
                                         "reason": "机构调整"})
    assert revised["data"]["reviseGoal"]["status"] == "APPLIED", revised
    assert renamed["data"]["renameOrganization"]["status"] == "APPLIED", renamed
    return moment


def pages(client: TestClient, moment: str) -> tuple[Any, Any]:
    now = gql(client, PAGE)["data"]
    then = gql(client, PAGE, asOf=moment)["data"]
    assert {n["title"] for n in now["goals"]["nodes"]} != {
        n["title"] for n in then["goals"]["nodes"]}
    assert all(n["asOfPosition"] is None for n in now["goals"]["nodes"])
    assert all(isinstance(n["asOfPosition"], int) and n["organization"]["asOfPosition"]
               == n["asOfPosition"] for n in then["goals"]["nodes"])
    return now, then


def alternate(cache: NormalisedCache, now: Any, then: Any) -> list[bool]:
    """Writes current, past, current, past; after each write reads both back: are they what
    the server said?"""
    faithful = []
    for root, data in (("now", now), ("then", then), ("now", now), ("then", then)):
        cache.write(root, data)
        faithful.append(all(cache.read(r) == d for r, d in (("now", now), ("then", then))
                            if r in cache.roots))
    return faithful


def test_keyed_as_documented_current_and_past_objects_do_not_corrupt_each_other(
        world: tuple[TestClient, dict[str, str]]) -> None:  # noqa: F811
    client, ids = world
    now, then = pages(client, changed_world(client, ids))
    assert alternate(NormalisedCache(documented_key), now, then) == [True] * 4
    # Keyed by id alone (a cache's default), the past overwrites the present and back.
    assert alternate(NormalisedCache(default_key), now, then) == [True, False, False, False]
