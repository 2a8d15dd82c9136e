"""Public commitments (with their follow-ups), projects, rewards and restraints as the
accountability read model holds them: one record, or a filtered keyset page of them.

What of them concerns an organisation (its accountability view): its own records; the
commitments made public in it, by anyone; and the rewards and restraints issued in it or on a
person who held a post in it on the day the sanction took effect (business time: the posts'
effective dates, a post taken or ended without one counting from the day it was recorded,
as known at the read's position)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from projections.accountability.letters import iso_day
from projections.accountability.tables import COMMITMENTS, FOLLOW_UPS, PROJECTS, SANCTIONS
from projections.pages import EVERYTHING, Page, count, read_page
from projections.rectification import TENURES
from projections.temporal import TemporalTable, as_of
from store.audit_reads import recorded_times
from store.db import Connection, Row, marks

Condition = tuple[str, list[Any]]


@dataclass(frozen=True)
class CommitmentView:
    id: str
    party_kind: str
    party_id: str
    organization_id: str
    title: str
    content: str
    due_date: date
    made_on: date
    follow_ups: int
    status: str
    concluded_on: date | None


@dataclass(frozen=True)
class FollowUpView:
    commitment_id: str
    position: int
    note: str
    evidence: list[str]
    effective_date: date
    actor: str
    reason: str
    recorded_at: datetime


@dataclass(frozen=True)
class ProjectView:
    id: str
    project_type: str
    organization_id: str
    leader_id: str
    title: str
    status: str
    goal_ids: list[str]
    milestones: list[dict[str, Any]]
    reached: int
    last_reason: str
    proposed_on: date


@dataclass(frozen=True)
class SanctionView:
    id: str
    kind: str
    party_kind: str
    party_id: str
    organization_id: str
    basis: list[dict[str, str]]
    reason: str
    issued_by: str
    issued_on: date
    revoked: bool
    revocation_reason: str | None

    @property
    def status(self) -> str:
        return "revoked" if self.revoked else "in_force"


def _own_or_made_in(alias: str) -> Callable[[str, int | None], Condition]:
    def condition(organization_id: str, _position: int | None) -> Condition:
        return (f"({alias}.party_id = ? OR {alias}.organization_id = ?)",
                [organization_id, organization_id])
    return condition


def _own(organization_id: str, _position: int | None) -> Condition:
    return "p.organization_id = ?", [organization_id]


def _issued_in_or_on_a_member(organization_id: str, position: int | None) -> Condition:
    cond, params = as_of("t", position)
    return ("(s.party_id = ? OR s.organization_id = ? OR (s.party_kind = 'person' AND EXISTS "
            f"(SELECT 1 FROM {TENURES.name} t WHERE t.person_id = s.party_id "
            "AND t.organization_id = ? AND t.since <= s.issued_on "
            f"AND (t.until IS NULL OR t.until > s.issued_on) AND {cond})))",
            [organization_id, organization_id, organization_id, *params])


@dataclass(frozen=True)
class Listing:
    """How one kind of record is listed: its table, columns and order, its own date, what
    makes it a person's, its status, and what of it concerns an organisation."""

    table: TemporalTable
    alias: str
    columns: str
    sort: tuple[str, ...]
    day: str  # the record's own date (ISO text)
    person: str  # the condition that makes it the person's (one parameter)
    status: str  # an SQL expression of its status
    concerning: Callable[[str, int | None], Condition]


COMMITMENT_LISTING = Listing(
    COMMITMENTS, "c", "c.id, c.party_kind, c.party_id, c.organization_id, c.title, c.content, "
    "c.due_date, c.made_on, c.follow_ups, c.status, c.concluded_on",
    ("c.due_date", "c.title", "c.id"), "c.made_on", "c.party_kind = 'person' AND c.party_id = ?",
    "c.status", _own_or_made_in("c"))
PROJECT_LISTING = Listing(
    PROJECTS, "p", "p.id, p.project_type, p.organization_id, p.leader_id, p.title, p.status, "
    "p.goal_ids, p.milestones, p.reached, p.last_reason, p.proposed_on",
    ("p.title", "p.id"), "p.proposed_on", "p.leader_id = ?", "p.status", _own)
SANCTION_LISTING = Listing(
    SANCTIONS, "s", "s.id, s.kind, s.party_kind, s.party_id, s.organization_id, s.basis, "
    "s.reason, s.issued_by, s.issued_on, s.revoked, s.revocation_reason",
    ("s.issued_on", "s.id"), "s.issued_on", "s.party_kind = 'person' AND s.party_id = ?",
    "CASE WHEN s.revoked = 1 THEN 'revoked' ELSE 'in_force' END", _issued_in_or_on_a_member)


@dataclass(frozen=True)
class RecordFilter:
    """Which commitments, projects or sanctions a list shows; every condition given holds."""

    organization_ids: Sequence[str] | None = None  # made or issued in one of these
    within: Sequence[str] | None = None  # a reader's scope: made or issued in it
    person_id: str | None = None  # a person's: their commitments and sanctions, projects led
    concerning: str | None = None  # what concerns this organisation (see the module's doc)
    status: str | None = None
    since: date | None = None  # the record's own date, from ...
    until: date | None = None  # ... to (inclusive)
    id: str | None = None

    def where(self, listing: Listing, position: int | None) -> Condition | None:
        """The SQL condition and its parameters; None when nothing can match."""
        a = listing.alias
        clause, params = as_of(a, position)
        clauses, values = [clause], list(params)
        for organizations in (self.organization_ids, self.within):
            if organizations is not None:
                if not organizations:
                    return None
                clauses.append(f"{a}.organization_id IN ({marks(organizations)})")
                values += list(organizations)
        if self.concerning is not None:
            condition, condition_params = listing.concerning(self.concerning, position)
            clauses.append(condition)
            values += condition_params
        for sql, value in ((listing.person, self.person_id), (f"{a}.id = ?", self.id),
                           (f"{listing.status} = ?", self.status),
                           (f"{listing.day} >= ?", self.since and self.since.isoformat()),
                           (f"{listing.day} <= ?", self.until and self.until.isoformat())):
            if value is not None:
                clauses.append(sql)
                values.append(value)
        return " AND ".join(clauses), values


def _page(conn: Connection, listing: Listing, where: RecordFilter, position: int | None,
          page: Page) -> tuple[list[Row], bool, int]:
    """A keyset page of the rows that match, whether more lie beyond it, and how many match
    in all."""
    found = where.where(listing, position)
    if found is None:
        return [], False, 0
    clause, params = found
    source = f"{listing.table.name} {listing.alias}"
    rows, more = read_page(conn, listing.columns, source, clause, params, listing.sort, page)
    total = count(conn, source, clause, params) if page.limit is not None else len(rows)
    return rows, more, total


def commitments_page(conn: Connection, where: RecordFilter, position: int | None = None,
                     page: Page = EVERYTHING) -> tuple[list[CommitmentView], bool, int]:
    """Commitments by due date, title and id."""
    rows, more, total = _page(conn, COMMITMENT_LISTING, where, position, page)
    return [CommitmentView(
        id=r[0], party_kind=r[1], party_id=r[2], organization_id=r[3], title=r[4],
        content=r[5], due_date=date.fromisoformat(r[6]), made_on=date.fromisoformat(r[7]),
        follow_ups=int(r[8]), status=r[9], concluded_on=iso_day(r[10])) for r in rows], more, total


def commitment(conn: Connection, commitment_id: str,
               position: int | None = None) -> CommitmentView | None:
    found = commitments_page(conn, RecordFilter(id=commitment_id), position)[0]
    return found[0] if found else None


def commitment_key(view: CommitmentView) -> tuple[str, str, str]:
    return (view.due_date.isoformat(), view.title, view.id)


def follow_ups_of(conn: Connection, commitment_ids: Sequence[str],
                  position: int | None = None) -> dict[str, list[FollowUpView]]:
    """The follow-ups of several commitments at once, in the order they were recorded."""
    found: dict[str, list[FollowUpView]] = {c: [] for c in commitment_ids}
    if not commitment_ids:
        return found
    # Follow-ups are never superseded: as of a position, those written by then.
    upto, params = ("", []) if position is None else (" AND f.valid_from <= ?", [position])
    rows = conn.execute(
        "SELECT f.commitment_id, f.position, f.note, f.evidence, f.effective_date, f.actor, "
        f"f.reason FROM {FOLLOW_UPS.name} f WHERE f.commitment_id IN ({marks(commitment_ids)}) "
        f"AND f.valid_to IS NULL{upto} ORDER BY f.commitment_id, f.position",
        [*commitment_ids, *params])
    recorded = recorded_times(conn, [int(r[1]) for r in rows])
    for r in rows:
        found[r[0]].append(FollowUpView(r[0], int(r[1]), r[2], json.loads(r[3]),
                                        date.fromisoformat(r[4]), r[5], r[6],
                                        recorded[int(r[1])]))
    return found


def projects_page(conn: Connection, where: RecordFilter, position: int | None = None,
                  page: Page = EVERYTHING) -> tuple[list[ProjectView], bool, int]:
    """Projects by title and id."""
    rows, more, total = _page(conn, PROJECT_LISTING, where, position, page)
    return [ProjectView(
        id=r[0], project_type=r[1], organization_id=r[2], leader_id=r[3], title=r[4],
        status=r[5], goal_ids=json.loads(r[6]), milestones=json.loads(r[7]),
        reached=int(r[8]), last_reason=r[9], proposed_on=date.fromisoformat(r[10]))
        for r in rows], more, total


def project(conn: Connection, project_id: str,
            position: int | None = None) -> ProjectView | None:
    found = projects_page(conn, RecordFilter(id=project_id), position)[0]
    return found[0] if found else None


def project_key(view: ProjectView) -> tuple[str, str]:
    return (view.title, view.id)


def sanctions_page(conn: Connection, where: RecordFilter, position: int | None = None,
                   page: Page = EVERYTHING) -> tuple[list[SanctionView], bool, int]:
    """Rewards and restraints by date issued and id."""
    rows, more, total = _page(conn, SANCTION_LISTING, where, position, page)
    return [SanctionView(
        id=r[0], kind=r[1], party_kind=r[2], party_id=r[3], organization_id=r[4],
        basis=json.loads(r[5]), reason=r[6], issued_by=r[7],
        issued_on=date.fromisoformat(r[8]), revoked=bool(r[9]), revocation_reason=r[10])
        for r in rows], more, total


def sanction(conn: Connection, sanction_id: str,
             position: int | None = None) -> SanctionView | None:
    found = sanctions_page(conn, RecordFilter(id=sanction_id), position)[0]
    return found[0] if found else None


def sanction_key(view: SanctionView) -> tuple[str, str]:
    return (view.issued_on.isoformat(), view.id)
