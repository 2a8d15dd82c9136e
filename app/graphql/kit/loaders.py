"""Per-request loaders: nested fields batch their reads instead of querying per row, and every
record a loader hands out has passed the principal's read scope (`policy.ReadScope`).

Synchronous on purpose: when a resolver builds a list of objects it announces what their
nested fields may need (`want`); the first nested field that asks (`get`) loads everything
announced for that read position in one query. Sync resolvers cost a fraction of async ones
in graphql-core, and nothing here waits on I/O that could overlap.

Scope where data is fetched: each loader cuts what it fetched to the scope before anything
is kept (`admit`): a record outside it is None, a list loses its members outside it (so a
connection's `totalCount` counts what it pages over). A resolver cannot forget to apply it,
because it never sees the rest."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Generic, TypeVar

from app.policy import ReadScope
from projections import accountability as answerable
from projections import audit_log as audit
from projections import goals as goal_views
from projections import organization_tree as tree
from projections import responsibility_list as duty
from store.db import Connection

Key = tuple[str, int | None]  # (id, the position the read is answered at)
V = TypeVar("V")
Fetch = Callable[[Connection, Sequence[str], int | None], dict[str, V]]
Admit = Callable[[str, V], V | None]  # (id, fetched) -> what the principal may see of it


def _everything(_key: str, value: V) -> V | None:
    return value


class Loader(Generic[V]):
    def __init__(self, connect: Callable[[], Connection], fetch: Fetch[V],
                 admit: Admit[V] = _everything) -> None:
        self.connect = connect
        self.fetch = fetch
        self.admit = admit
        self.found: dict[Key, V | None] = {}
        self.pending: dict[int | None, set[str]] = defaultdict(set)

    def want(self, raw_id: str | None, position: int | None) -> None:
        if raw_id is not None and (raw_id, position) not in self.found:
            self.pending[position].add(raw_id)

    def want_all(self, raw_ids: Iterable[str | None], position: int | None) -> None:
        found = self.found
        self.pending[position].update(i for i in raw_ids
                                      if i is not None and (i, position) not in found)

    def get(self, raw_id: str, position: int | None) -> V | None:
        key = (raw_id, position)
        if key not in self.found:
            ids = self.pending.pop(position, set()) | {raw_id}
            fetched = self.fetch(self.connect(), sorted(ids), position)
            for each in ids:
                value = fetched.get(each)
                self.found[(each, position)] = (None if value is None
                                                else self.admit(each, value))
        return self.found[key]


class Loaders:
    """The request's loaders, each cut to `scope()` (worked out once, when first needed)."""

    def __init__(self, connect: Callable[[], Connection],
                 scope: Callable[[], ReadScope]) -> None:
        self.scope = scope

        def organization(_id: str, node: tree.OrganizationNode) -> tree.OrganizationNode | None:
            return node if scope().organization(node.id) else None

        def goal(_id: str, view: goal_views.GoalView) -> goal_views.GoalView | None:
            return view if scope().within(view.organization_id) else None

        def goals(_id: str, views: list[goal_views.GoalView]) -> list[goal_views.GoalView]:
            return [v for v in views if scope().within(v.organization_id)]

        def children(_id: str,
                     nodes: list[tree.OrganizationNode]) -> list[tree.OrganizationNode]:
            return [n for n in nodes if scope().organization(n.id)]

        def members(organization_id: str, found: list[tree.Member]) -> list[tree.Member]:
            return found if scope().within(organization_id) else []

        def duties(_id: str, rows: list[duty.Responsibility]) -> list[duty.Responsibility]:
            return [r for r in rows if scope().within(r.organization_id)]

        self.organization: Loader[tree.OrganizationNode] = Loader(
            connect, tree.organizations, organization)
        self.goal: Loader[goal_views.GoalView] = Loader(connect, goal_views.goals_by_id, goal)
        self.subgoals: Loader[list[goal_views.GoalView]] = Loader(
            connect, goal_views.subgoals_of, goals)
        # Who holds a goal: facts of a goal that passed the scope (party ids, not records).
        self.holders: Loader[list[duty.Holder]] = Loader(connect, duty.holders_of)
        self.children: Loader[list[tree.OrganizationNode]] = Loader(
            connect, tree.children_of, children)
        self.members: Loader[list[tree.Member]] = Loader(connect, tree.members_of, members)
        self.person: Loader[tree.Member] = Loader(connect, self._people)
        self.responsibilities: Loader[list[duty.Responsibility]] = Loader(
            connect, _responsibilities, duties)
        # A record's version: asked of records that already passed the scope.
        self.version: Loader[int] = Loader(connect, audit.versions_of)
        # Facts of a goal or a commitment that passed the scope: its reports, its follow-ups.
        self.reports: Loader[list[goal_views.ReportView]] = Loader(connect,
                                                                   goal_views.reports_of)
        self.follow_ups: Loader[list[answerable.FollowUpView]] = Loader(
            connect, answerable.follow_ups_of)

    def _people(self, conn: Connection, ids: Sequence[str],
                position: int | None) -> dict[str, tree.Member]:
        """People by id, those the scope admits: oneself, or affiliated with the subtree."""
        found = tree.people(conn, ids, position)
        scope = self.scope()
        if scope.everything:
            return found
        affiliated = tree.affiliations_of(conn, sorted(found))
        return {i: m for i, m in found.items() if scope.person(i, affiliated[i])}


def _responsibilities(conn: Connection, party_ids: Sequence[str],
                      position: int | None) -> dict[str, list[duty.Responsibility]]:
    return {party: duty.responsibilities_of(conn, party, position) for party in party_ids}
