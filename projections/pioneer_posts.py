"""Read model: pioneer posts (党员示范岗 / 党员责任区) — each post with its holder, period and
follow-ups; which posts were held on a day (valid time, by the periods and early ends as
known then) and which a member held over a span, as of any position."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from domain.pioneer_posts import PioneerKind, PioneerPost, PioneerStatus
from projections.engine import Handler, Projection
from projections.pages import EVERYTHING, Page, count, read_page
from projections.temporal import IN_CHUNK, Batch, TemporalTable, as_of
from store.db import Connection, marks

POSTS = TemporalTable(
    "view_pioneer_posts", ("id",),
    {"id": "TEXT", "organization_id": "TEXT", "holder_id": "TEXT", "kind": "TEXT",
     "title": "TEXT", "scope": "TEXT", "description": "TEXT", "held_from": "TEXT",
     "held_to": "TEXT", "ended_on": "TEXT", "status": "TEXT", "follow_ups": "BIGINT",
     "corrections": "BIGINT", "designated_by": "TEXT", "last_actor": "TEXT",
     "last_reason": "TEXT"},
    partition="id", indexes=(("organization_id", "held_from"), ("holder_id", "held_from")),
    history_indexes=(("organization_id", "held_from"), ("holder_id", "held_from")),
)
FOLLOW_UPS = TemporalTable(
    "view_pioneer_follow_ups", ("post_id", "number"),
    {"post_id": "TEXT", "number": "BIGINT", "followed_on": "TEXT", "note": "TEXT",
     "evidence": "TEXT", "by_holder": "BIGINT", "actor": "TEXT", "reason": "TEXT"},
    partition="post_id",
)


def designated(e: PioneerPost.Designated, b: Batch) -> None:
    b[POSTS.name].put({
        "id": b.subject, "organization_id": str(e.organization_id),
        "holder_id": str(e.holder_id), "kind": e.kind, "title": e.title, "scope": e.scope,
        "description": e.description, "held_from": e.effective_date.isoformat(),
        "held_to": e.held_to.isoformat(), "ended_on": None,
        "status": PioneerStatus.DESIGNATED.value, "follow_ups": 0, "corrections": 0,
        "designated_by": e.actor, "last_actor": e.actor, "last_reason": e.reason})


def _changed(b: Batch, e: Any, correction: bool = True, **changes: Any) -> None:
    row = b[POSTS.name].get(b.subject)
    assert row is not None, f"pioneer post {b.subject} was never designated"
    row.update(changes, last_actor=e.actor, last_reason=e.reason)
    if correction:
        row["corrections"] += 1
    b[POSTS.name].put(row)


def followed_up(e: PioneerPost.FollowedUp, b: Batch) -> None:
    b[FOLLOW_UPS.name].put({
        "post_id": b.subject, "number": e.number,
        "followed_on": e.effective_date.isoformat(), "note": e.note,
        "evidence": json.dumps(e.evidence, ensure_ascii=False), "by_holder": int(e.by_holder),
        "actor": e.actor, "reason": e.reason})
    row = b[POSTS.name].get(b.subject)
    assert row is not None, f"pioneer post {b.subject} was never designated"
    row["follow_ups"] = e.number
    b[POSTS.name].put(row)


class PioneerPosts(Projection):
    name = "pioneer_posts"
    tables = (POSTS, FOLLOW_UPS)
    handlers: ClassVar[dict[type[Any], Handler]] = {
        PioneerPost.Designated: designated,
        PioneerPost.FollowedUp: followed_up,
        PioneerPost.EndedEarly: lambda e, b: _changed(
            b, e, False, status=PioneerStatus.ENDED.value,
            ended_on=e.effective_date.isoformat()),
        PioneerPost.PeriodCorrected: lambda e, b: _changed(
            b, e, held_from=e.held_from.isoformat(), held_to=e.held_to.isoformat()),
        PioneerPost.DetailsCorrected: lambda e, b: _changed(
            b, e, title=e.title, scope=e.scope, description=e.description),
        PioneerPost.Cancelled: lambda e, b: _changed(
            b, e, status=PioneerStatus.CANCELLED.value),
    }


# ---- queries ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class FollowUpView:
    number: int
    followed_on: date
    note: str
    evidence: list[str]
    by_holder: bool
    actor: str
    reason: str


@dataclass(frozen=True)
class PostView:
    id: str
    organization_id: str
    holder_id: str
    kind: PioneerKind
    title: str
    scope: str
    description: str
    held_from: date
    held_to: date
    ended_on: date | None
    status: PioneerStatus
    corrections: int
    designated_by: str
    last_actor: str
    last_reason: str
    follow_ups: tuple[FollowUpView, ...] = ()

    def held_on(self, day: date) -> bool:
        """Held on `day`: within the period, before an early end, not cancelled."""
        return (self.status is not PioneerStatus.CANCELLED
                and self.held_from <= day <= self.held_to
                and (self.ended_on is None or day < self.ended_on))


POST_COLUMNS = ("p.id, p.organization_id, p.holder_id, p.kind, p.title, p.scope, "
                "p.description, p.held_from, p.held_to, p.ended_on, p.status, p.corrections, "
                "p.designated_by, p.last_actor, p.last_reason")
POST_SORT = ("p.held_from", "p.id")  # read latest first
PostKey = tuple[str, str]


def post_key(view: PostView) -> PostKey:
    return (view.held_from.isoformat(), view.id)


def _follow_ups(conn: Connection, ids: Sequence[str],
                position: int | None) -> dict[str, list[FollowUpView]]:
    found: dict[str, list[FollowUpView]] = {i: [] for i in ids}
    cond, params = as_of("f", position)
    for start in range(0, len(ids), IN_CHUNK):
        chunk = list(ids[start:start + IN_CHUNK])
        for row in conn.execute(
                f"SELECT f.post_id, f.number, f.followed_on, f.note, f.evidence, f.by_holder, "
                f"f.actor, f.reason FROM {FOLLOW_UPS.name} f "
                f"WHERE f.post_id IN ({marks(chunk)}) AND {cond} ORDER BY f.number",
                [*chunk, *params]):
            found[row[0]].append(FollowUpView(int(row[1]), date.fromisoformat(row[2]), row[3],
                                              json.loads(row[4]), bool(row[5]), row[6],
                                              row[7]))
    return found


def _posts(conn: Connection, where: str, params: list[Any], position: int | None,
           page: Page = EVERYTHING) -> tuple[list[PostView], bool]:
    cond, cond_params = as_of("p", position)
    rows, more = read_page(conn, POST_COLUMNS, f"{POSTS.name} p", f"{where} AND {cond}",
                           [*params, *cond_params], POST_SORT, page, descending=True)
    follow_ups = _follow_ups(conn, [r[0] for r in rows], position)
    return [PostView(
        id=r[0], organization_id=r[1], holder_id=r[2], kind=PioneerKind(r[3]), title=r[4],
        scope=r[5], description=r[6], held_from=date.fromisoformat(r[7]),
        held_to=date.fromisoformat(r[8]), ended_on=date.fromisoformat(r[9]) if r[9] else None,
        status=PioneerStatus(r[10]), corrections=int(r[11]), designated_by=r[12],
        last_actor=r[13], last_reason=r[14], follow_ups=tuple(follow_ups[r[0]]))
        for r in rows], more


def posts_by_id(conn: Connection, ids: Sequence[str],
                position: int | None = None) -> dict[str, PostView]:
    if not ids:
        return {}
    found, _ = _posts(conn, f"p.id IN ({marks(ids)})", list(ids), position)
    return {view.id: view for view in found}


@dataclass(frozen=True)
class PostFilter:
    organization_ids: Sequence[str] | None = None  # None: of every organisation
    holder_id: str | None = None
    kind: str | None = None
    status: str | None = None
    valid_at: date | None = None  # held on this day
    # held on some day from `since` to `until` (either open)
    since: date | None = None
    until: date | None = None

    def where(self) -> tuple[str, list[Any]] | None:
        """The SQL condition and its parameters; None when nothing can match."""
        clauses, params = ["1 = 1"], []
        if self.organization_ids is not None:
            if not self.organization_ids:
                return None
            clauses.append(f"p.organization_id IN ({marks(self.organization_ids)})")
            params += list(self.organization_ids)
        for column, value in (("p.holder_id", self.holder_id), ("p.kind", self.kind),
                              ("p.status", self.status)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        first = self.valid_at or self.since
        last = self.valid_at or self.until
        if first is not None or last is not None:
            clauses.append("p.status <> 'cancelled'")
        if last is not None:
            clauses.append("p.held_from <= ?")
            params.append(last.isoformat())
        if first is not None:
            # ISO dates compare as text; an early end is the first day no longer held
            clauses.append("p.held_to >= ? AND (p.ended_on IS NULL OR p.ended_on > ?)")
            params += [first.isoformat(), first.isoformat()]
        return " AND ".join(clauses), params


def posts_page(conn: Connection, where: PostFilter, position: int | None = None,
               page: Page = EVERYTHING) -> tuple[list[PostView], bool, int]:
    """A keyset page of posts, the latest first, whether more lie beyond it, and how many
    match in all."""
    found = where.where()
    if found is None:
        return [], False, 0
    clause, params = found
    views, more = _posts(conn, clause, params, position, page)
    cond, cond_params = as_of("p", position)
    return views, more, count(conn, f"{POSTS.name} p", f"{clause} AND {cond}",
                              [*params, *cond_params])
