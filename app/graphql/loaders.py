"""Per-request dataloaders: nested fields batch their reads instead of querying per row."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from projections import goals as goal_views
from projections import organization_tree as tree
from projections import responsibility_list as duty
from store.db import Connection

Key = tuple[str, int | None]  # (id, the position the read is answered at)
T = TypeVar("T")


def batched(conn: Connection, fetch: Callable[[Connection, Sequence[str], int | None],
                                              dict[str, T]]) -> Callable[..., Any]:
    """A load function that groups keys by position and fetches each group in one query."""
    async def load(keys: list[Key]) -> list[T | None]:
        by_position: dict[int | None, list[str]] = defaultdict(list)
        for raw_id, position in keys:
            by_position[position].append(raw_id)
        found = {position: fetch(conn, ids, position) for position, ids in by_position.items()}
        return [found[position].get(raw_id) for raw_id, position in keys]
    return load


class Loaders:
    def __init__(self, conn: Connection) -> None:
        self.organization: DataLoader[Key, tree.OrganizationNode | None] = DataLoader(
            batched(conn, tree.organizations))
        self.goal: DataLoader[Key, goal_views.GoalView | None] = DataLoader(
            batched(conn, goal_views.goals_by_id))
        self.subgoals: DataLoader[Key, list[goal_views.GoalView] | None] = DataLoader(
            batched(conn, goal_views.subgoals_of))
        self.holders: DataLoader[Key, list[duty.Holder] | None] = DataLoader(
            batched(conn, duty.holders_of))
