"""Per-request loaders: nested fields batch their reads instead of querying per row.

Synchronous on purpose: when a resolver builds a list of objects it announces what their
nested fields may need (`want`); the first nested field that asks (`get`) loads everything
announced for that read position in one query. Sync resolvers cost a fraction of async ones
in graphql-core, and nothing here waits on I/O that could overlap."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from projections import goals as goal_views
from projections import organization_tree as tree
from projections import responsibility_list as duty
from store.db import Connection

Key = tuple[str, int | None]  # (id, the position the read is answered at)
V = TypeVar("V")
Fetch = Callable[[Connection, Sequence[str], int | None], dict[str, V]]


class Loader(Generic[V]):
    def __init__(self, connect: Callable[[], Connection], fetch: Fetch[V]) -> None:
        self.connect = connect
        self.fetch = fetch
        self.found: dict[Key, V | None] = {}
        self.pending: dict[int | None, set[str]] = defaultdict(set)

    def want(self, raw_id: str | None, position: int | None) -> None:
        if raw_id is not None and (raw_id, position) not in self.found:
            self.pending[position].add(raw_id)

    def get(self, raw_id: str, position: int | None) -> V | None:
        key = (raw_id, position)
        if key not in self.found:
            ids = self.pending.pop(position, set()) | {raw_id}
            fetched = self.fetch(self.connect(), sorted(ids), position)
            for each in ids:
                self.found[(each, position)] = fetched.get(each)
        return self.found[key]


class Loaders:
    def __init__(self, connect: Callable[[], Connection]) -> None:
        self.organization: Loader[tree.OrganizationNode] = Loader(connect, tree.organizations)
        self.goal: Loader[goal_views.GoalView] = Loader(connect, goal_views.goals_by_id)
        self.subgoals: Loader[list[goal_views.GoalView]] = Loader(connect, goal_views.subgoals_of)
        self.holders: Loader[list[duty.Holder]] = Loader(connect, duty.holders_of)
