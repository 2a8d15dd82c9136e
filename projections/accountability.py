"""Read model: the accountability view of a person or an organisation — the goals they answer
for, letters, public commitments, findings, projects, rewards and restraints, and for an
organisation the responsibility gaps below it — as it stood at any position."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

from domain.commitments import Commitment
from domain.letters import ResponsibilityLetter
from domain.projects import Project
from domain.sanctions import Sanction
from projections import organization_tree as tree
from projections import rectification
from projections import responsibility_list as duty
from projections import scoreboard as board
from projections.engine import Handler, Projection
from projections.pages import EVERYTHING, Page, count, read_page
from projections.temporal import Batch, TemporalTable, as_of
from store.db import Connection, Row, marks

LETTERS = TemporalTable(
    "view_letters", ("id",),
    {"id": "TEXT", "issuer_id": "TEXT", "recipient_id": "TEXT", "year": "BIGINT",
     "title": "TEXT", "sign_by": "TEXT", "status": "TEXT", "goal_ids": "TEXT",
     "issuer_signer_id": "TEXT", "issuer_signed_on": "TEXT", "recipient_signer_id": "TEXT",
     "recipient_signed_on": "TEXT"},
    partition="id", indexes=(("issuer_id",), ("recipient_id",)),
)
AMENDMENTS = TemporalTable(
    "view_letter_amendments", ("letter_id", "amendment_id"),
    {"letter_id": "TEXT", "amendment_id": "TEXT", "goal_id": "TEXT", "changes": "TEXT",
     "status": "TEXT", "proposed_by": "TEXT", "reason": "TEXT", "decided_by": "TEXT",
     "decision_reason": "TEXT", "proposed_at": "BIGINT"},
    partition="letter_id",
)
COMMITMENTS = TemporalTable(
    "view_commitments", ("id",),
    {"id": "TEXT", "party_kind": "TEXT", "party_id": "TEXT", "organization_id": "TEXT",
     "title": "TEXT", "due_date": "TEXT", "made_on": "TEXT", "follow_ups": "BIGINT",
     "status": "TEXT", "concluded_on": "TEXT"},
    partition="id", indexes=(("party_id",),),
)
PROJECTS = TemporalTable(
    "view_projects", ("id",),
    {"id": "TEXT", "project_type": "TEXT", "organization_id": "TEXT", "leader_id": "TEXT",
     "title": "TEXT", "status": "TEXT", "goal_ids": "TEXT", "milestones": "TEXT",
     "reached": "BIGINT", "last_reason": "TEXT"},
    partition="id", indexes=(("organization_id",), ("leader_id",)),
)
SANCTIONS = TemporalTable(
    "view_sanctions", ("id",),
    {"id": "TEXT", "kind": "TEXT", "party_kind": "TEXT", "party_id": "TEXT",
     "organization_id": "TEXT", "basis": "TEXT", "reason": "TEXT", "issued_by": "TEXT",
     "issued_on": "TEXT", "revoked": "BIGINT", "revocation_reason": "TEXT"},
    partition="id", indexes=(("party_id",),),
)


def _dumps(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)


def _change(table: TemporalTable, **changes: Any) -> Handler:
    """A handler that sets columns: a constant, or a function of the event."""
    def handler(e: Any, b: Batch) -> None:
        row = b[table.name].get(b.subject)
        assert row is not None, f"{b.subject} was never created"
        b[table.name].put({**row, **{k: v(e, row) if callable(v) else v
                                     for k, v in changes.items()}})
    return handler


def letter_drafted(e: ResponsibilityLetter.Drafted, b: Batch) -> None:
    b[LETTERS.name].put({
        "id": b.subject, "issuer_id": str(e.issuer_id), "recipient_id": str(e.recipient_id),
        "year": e.year, "title": e.title, "sign_by": e.sign_by.isoformat(), "status": "drafted",
        "goal_ids": "[]", "issuer_signer_id": None, "issuer_signed_on": None,
        "recipient_signer_id": None, "recipient_signed_on": None,
    })


def letter_signed(e: ResponsibilityLetter.Signed, b: Batch) -> None:
    row = b[LETTERS.name].get(b.subject)
    assert row is not None
    row[f"{e.side}_signer_id"] = str(e.signer_id)
    row[f"{e.side}_signed_on"] = e.effective_date.isoformat()
    if row["issuer_signer_id"] and row["recipient_signer_id"]:
        row["status"] = "signed"
    b[LETTERS.name].put(row)


def amendment_proposed(e: ResponsibilityLetter.AmendmentProposed, b: Batch) -> None:
    b[AMENDMENTS.name].put({
        "letter_id": b.subject, "amendment_id": str(e.amendment_id), "goal_id": str(e.goal_id),
        "changes": _dumps(e.changes), "status": "proposed", "proposed_by": e.actor,
        "reason": e.reason, "decided_by": None, "decision_reason": None,
        "proposed_at": b.position,
    })


def _amendment_decided(status: str) -> Handler:
    def handler(e: Any, b: Batch) -> None:
        row = b[AMENDMENTS.name].get(b.subject, str(e.amendment_id))
        assert row is not None
        b[AMENDMENTS.name].put({**row, "status": status, "decided_by": e.actor,
                                "decision_reason": e.reason})
    return handler


def commitment_made(e: Commitment.Made, b: Batch) -> None:
    b[COMMITMENTS.name].put({
        "id": b.subject, "party_kind": e.party_kind, "party_id": str(e.party_id),
        "organization_id": str(e.organization_id), "title": e.title,
        "due_date": e.due_date.isoformat(), "made_on": e.effective_date.isoformat(),
        "follow_ups": 0, "status": "open", "concluded_on": None,
    })


def project_proposed(e: Project.Proposed, b: Batch) -> None:
    b[PROJECTS.name].put({
        "id": b.subject, "project_type": e.project_type,
        "organization_id": str(e.organization_id), "leader_id": str(e.leader_id),
        "title": e.title, "status": "proposed", "goal_ids": _dumps([str(g) for g in e.goal_ids]),
        "milestones": _dumps(e.milestones), "reached": 0, "last_reason": e.reason,
    })


def sanction_issued(e: Sanction.Issued, b: Batch) -> None:
    b[SANCTIONS.name].put({
        "id": b.subject, "kind": e.kind, "party_kind": e.party_kind,
        "party_id": str(e.party_id), "organization_id": str(e.organization_id),
        "basis": _dumps(e.basis), "reason": e.reason, "issued_by": e.actor,
        "issued_on": e.effective_date.isoformat(), "revoked": 0, "revocation_reason": None,
    })


class Accountability(Projection):
    name = "accountability"
    tables = (LETTERS, AMENDMENTS, COMMITMENTS, PROJECTS, SANCTIONS)
    handlers: ClassVar[dict[type[Any], Handler]] = {
        ResponsibilityLetter.Drafted: letter_drafted,
        ResponsibilityLetter.GoalListed: _change(
            LETTERS, goal_ids=lambda e, row: _dumps([*json.loads(row["goal_ids"]),
                                                     str(e.goal_id)])),
        ResponsibilityLetter.Signed: letter_signed,
        ResponsibilityLetter.AmendmentProposed: amendment_proposed,
        ResponsibilityLetter.AmendmentApproved: _amendment_decided("approved"),
        ResponsibilityLetter.AmendmentRejected: _amendment_decided("rejected"),
        Commitment.Made: commitment_made,
        Commitment.FollowedUp: _change(COMMITMENTS,
                                       follow_ups=lambda e, row: row["follow_ups"] + 1),
        Commitment.Concluded: _change(
            COMMITMENTS, status=lambda e, row: "fulfilled" if e.fulfilled else "not_fulfilled",
            concluded_on=lambda e, row: e.effective_date.isoformat()),
        Project.Proposed: project_proposed,
        Project.Stepped: _change(PROJECTS, status=lambda e, row: e.status,
                                 last_reason=lambda e, row: e.reason),
        Project.MilestoneReached: _change(PROJECTS, reached=lambda e, row: row["reached"] + 1),
        Sanction.Issued: sanction_issued,
        Sanction.Revoked: _change(SANCTIONS, revoked=1,
                                  revocation_reason=lambda e, row: e.reason),
    }


# ---- queries ---------------------------------------------------------------------------------

def _iso(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@dataclass(frozen=True)
class AmendmentView:
    amendment_id: str
    goal_id: str
    changes: dict[str, Any]
    status: str
    proposed_by: str
    reason: str
    decided_by: str | None
    decision_reason: str | None


@dataclass(frozen=True)
class LetterView:
    id: str
    issuer_id: str
    recipient_id: str
    year: int
    title: str
    sign_by: date
    status: str
    goal_ids: list[str]
    issuer_signer_id: str | None
    issuer_signed_on: date | None
    recipient_signer_id: str | None
    recipient_signed_on: date | None
    amendments: tuple[AmendmentView, ...] = ()

    def is_overdue(self, today: date) -> bool:
        return self.status != "signed" and today > self.sign_by


LETTER_COLUMNS = ("l.id, l.issuer_id, l.recipient_id, l.year, l.title, l.sign_by, l.status, "
                  "l.goal_ids, l.issuer_signer_id, l.issuer_signed_on, l.recipient_signer_id, "
                  "l.recipient_signed_on")


LETTER_SORT = ("l.year", "l.sign_by", "l.id")
LetterKey = tuple[str, str, str]  # year, signing deadline, id: the keyset of a letter list


def letter_key(view: LetterView) -> LetterKey:
    return (str(view.year), view.sign_by.isoformat(), view.id)


def _letters(conn: Connection, where: str, params: list[Any], position: int | None,
             page: Page = EVERYTHING) -> tuple[list[LetterView], bool]:
    """Letters, the latest year first (within a year the latest signing deadline first)."""
    cond, cond_params = as_of("l", position)
    a_cond, a_params = as_of("a", position)
    letters = []
    rows, more = read_page(conn, LETTER_COLUMNS, f"{LETTERS.name} l", f"{where} AND {cond}",
                           [*params, *cond_params], LETTER_SORT, page, descending=True)
    for r in rows:
        amendments = tuple(
            AmendmentView(a[0], a[1], json.loads(a[2]), *a[3:])
            for a in conn.execute(
                f"SELECT a.amendment_id, a.goal_id, a.changes, a.status, a.proposed_by, "
                f"a.reason, a.decided_by, a.decision_reason FROM {AMENDMENTS.name} a "
                f"WHERE a.letter_id = ? AND {a_cond} ORDER BY a.proposed_at, a.amendment_id",
                [r[0], *a_params]))
        letters.append(LetterView(r[0], r[1], r[2], int(r[3]), r[4], date.fromisoformat(r[5]),
                                  r[6], json.loads(r[7]), r[8], _iso(r[9]), r[10],
                                  _iso(r[11]), amendments))
    return letters, more


def letter(conn: Connection, letter_id: str, position: int | None = None) -> LetterView | None:
    found, _ = _letters(conn, "l.id = ?", [letter_id], position)
    return found[0] if found else None


@dataclass(frozen=True)
class LetterFilter:
    organization_ids: Sequence[str] | None = None  # issued or received by one (None: any)
    signer_id: str | None = None  # signed by this person, on either side
    within: Sequence[str] | None = None  # a reader's scope: issued or received in it
    year: int | None = None
    status: str | None = None  # drafted or signed

    def where(self) -> tuple[str, list[Any]] | None:
        """The SQL condition and its parameters; None when nothing can match."""
        clauses: list[str] = ["1 = 1"]
        params: list[Any] = []
        if self.organization_ids is not None:
            if not self.organization_ids:
                return None
            wanted = marks(self.organization_ids)
            clauses.append(f"(l.issuer_id IN ({wanted}) OR l.recipient_id IN ({wanted}))")
            params += [*self.organization_ids, *self.organization_ids]
        if self.within is not None:
            if not self.within:
                return None
            inside = marks(self.within)
            clauses.append(f"(l.issuer_id IN ({inside}) OR l.recipient_id IN ({inside}))")
            params += [*self.within, *self.within]
        if self.signer_id is not None:
            clauses.append("(l.issuer_signer_id = ? OR l.recipient_signer_id = ?)")
            params += [self.signer_id, self.signer_id]
        if self.year is not None:
            clauses.append("l.year = ?")
            params.append(self.year)
        if self.status is not None:
            clauses.append("l.status = ?")
            params.append(self.status)
        return " AND ".join(clauses), params


def letters_page(conn: Connection, where: LetterFilter, position: int | None = None,
                 page: Page = EVERYTHING) -> tuple[list[LetterView], bool, int]:
    """A keyset page of letters (the latest year first), whether more lie beyond it, and how
    many match in all."""
    found = where.where()
    if found is None:
        return [], False, 0
    clause, params = found
    views, more = _letters(conn, clause, params, position, page)
    cond, cond_params = as_of("l", position)
    return views, more, count(conn, f"{LETTERS.name} l", f"{clause} AND {cond}",
                              [*params, *cond_params])


def letters_of(conn: Connection, where: LetterFilter,
               position: int | None = None) -> list[LetterView]:
    found = where.where()
    return _letters(conn, *found, position)[0] if found is not None else []


@dataclass(frozen=True)
class CommitmentView:
    id: str
    party_kind: str
    party_id: str
    organization_id: str
    title: str
    due_date: date
    made_on: date
    follow_ups: int
    status: str
    concluded_on: date | None


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


def _page(conn: Connection, select: str, table: TemporalTable, alias: str, column: str,
          value: str, sort: tuple[str, ...], position: int | None,
          page: Page, within: Sequence[str] | None = None,
          ) -> tuple[list[Row], bool, int | None]:
    """A keyset page of one table's rows whose `column` equals `value` (and, given `within`,
    whose organisation is one of those), whether more lie beyond it, and how many match in
    all (None when reading everything: the rows say)."""
    if within is not None and not within:
        return [], False, 0
    cond, params = as_of(alias, position)
    where, values = f"{alias}.{column} = ? AND {cond}", [value, *params]
    if within is not None:
        where += f" AND {alias}.organization_id IN ({marks(within)})"
        values += list(within)
    rows, more = read_page(conn, select, f"{table.name} {alias}", where, values, sort, page)
    total = (count(conn, f"{table.name} {alias}", where, values) if page.limit is not None
             else None)
    return rows, more, total


COMMITMENT_SORT = ("c.due_date", "c.title", "c.id")


def commitment_key(view: CommitmentView) -> tuple[str, str, str]:
    return (view.due_date.isoformat(), view.title, view.id)


def commitments_page(conn: Connection, column: str, value: str, position: int | None = None,
                     page: Page = EVERYTHING, within: Sequence[str] | None = None,
                     ) -> tuple[list[CommitmentView], bool, int]:
    """Commitments by due date, title and id."""
    rows, more, total = _page(
        conn, "c.id, c.party_kind, c.party_id, c.organization_id, c.title, c.due_date, "
        "c.made_on, c.follow_ups, c.status, c.concluded_on", COMMITMENTS, "c", column, value,
        COMMITMENT_SORT, position, page, within)
    return [CommitmentView(
        id=r[0], party_kind=r[1], party_id=r[2], organization_id=r[3], title=r[4],
        due_date=date.fromisoformat(r[5]), made_on=date.fromisoformat(r[6]),
        follow_ups=int(r[7]), status=r[8], concluded_on=_iso(r[9])) for r in rows], more, (
        len(rows) if total is None else total)


def commitments(conn: Connection, column: str, value: str,
                position: int | None = None) -> list[CommitmentView]:
    return commitments_page(conn, column, value, position)[0]


def commitment(conn: Connection, commitment_id: str,
               position: int | None = None) -> CommitmentView | None:
    found = commitments(conn, "id", commitment_id, position)
    return found[0] if found else None


PROJECT_SORT = ("p.title", "p.id")


def project_key(view: ProjectView) -> tuple[str, str]:
    return (view.title, view.id)


def projects_page(conn: Connection, column: str, value: str, position: int | None = None,
                  page: Page = EVERYTHING, within: Sequence[str] | None = None,
                  ) -> tuple[list[ProjectView], bool, int]:
    """Projects by title and id."""
    rows, more, total = _page(
        conn, "p.id, p.project_type, p.organization_id, p.leader_id, p.title, p.status, "
        "p.goal_ids, p.milestones, p.reached, p.last_reason", PROJECTS, "p", column, value,
        PROJECT_SORT, position, page, within)
    return [ProjectView(
        id=r[0], project_type=r[1], organization_id=r[2], leader_id=r[3], title=r[4],
        status=r[5], goal_ids=json.loads(r[6]), milestones=json.loads(r[7]),
        reached=int(r[8]), last_reason=r[9]) for r in rows], more, (
        len(rows) if total is None else total)


def project(conn: Connection, project_id: str,
            position: int | None = None) -> ProjectView | None:
    found = projects_page(conn, "id", project_id, position)[0]
    return found[0] if found else None


SANCTION_SORT = ("s.issued_on", "s.id")


def sanction_key(view: SanctionView) -> tuple[str, str]:
    return (view.issued_on.isoformat(), view.id)


def sanctions_page(conn: Connection, column: str, value: str, position: int | None = None,
                   page: Page = EVERYTHING, within: Sequence[str] | None = None,
                   ) -> tuple[list[SanctionView], bool, int]:
    """Rewards and restraints by date issued and id."""
    rows, more, total = _page(
        conn, "s.id, s.kind, s.party_kind, s.party_id, s.organization_id, s.basis, s.reason, "
        "s.issued_by, s.issued_on, s.revoked, s.revocation_reason", SANCTIONS, "s", column,
        value, SANCTION_SORT, position, page, within)
    return [SanctionView(
        id=r[0], kind=r[1], party_kind=r[2], party_id=r[3], organization_id=r[4],
        basis=json.loads(r[5]), reason=r[6], issued_by=r[7],
        issued_on=date.fromisoformat(r[8]), revoked=bool(r[9]), revocation_reason=r[10])
        for r in rows], more, len(rows) if total is None else total


def sanctions(conn: Connection, column: str, value: str,
              position: int | None = None) -> list[SanctionView]:
    return sanctions_page(conn, column, value, position)[0]


def sanction(conn: Connection, sanction_id: str,
             position: int | None = None) -> SanctionView | None:
    found = sanctions(conn, "id", sanction_id, position)
    return found[0] if found else None


@dataclass(frozen=True)
class AccountabilityView:
    """What an accountability review opens first, for one person or organisation."""

    party_kind: str
    party_id: str
    today: date
    responsibilities: list[duty.Responsibility]
    letters: list[LetterView]
    commitments: list[CommitmentView]
    findings: list[rectification.FindingView]
    overdue: list[rectification.OverdueItem]
    projects: list[ProjectView]
    sanctions: list[SanctionView]
    gaps: list[duty.Gap] = field(default_factory=list)  # organisations only: below it
    scores: dict[str, board.GoalScore] = field(default_factory=dict)  # by goal
    # organisations only: its line in the cycle its scores are shown from
    assessment: tuple[board.AssessedIn, board.Standing] | None = None


@dataclass(frozen=True)
class Party:
    """Whom an accountability view is about, and what of each list is theirs."""

    kind: str  # person or organization
    id: str

    @property
    def is_person(self) -> bool:
        return self.kind == "person"

    @property
    def letters(self) -> LetterFilter:
        """A person's: those they signed; an organisation's: those it issued or received."""
        return (LetterFilter(signer_id=self.id) if self.is_person
                else LetterFilter(organization_ids=[self.id]))

    def findings(self, unclosed: bool = False) -> rectification.FindingFilter:
        """A person's: those they own or own a measure of; an organisation's: its own."""
        if self.is_person:
            return rectification.FindingFilter(person_id=self.id, unclosed=unclosed)
        return rectification.FindingFilter(organization_ids=[self.id], unclosed=unclosed)

    @property
    def project_column(self) -> str:
        """A person's projects are those they lead."""
        return "leader_id" if self.is_person else "organization_id"

    def subtree(self, conn: Connection, position: int | None) -> list[str]:
        """For an organisation, itself and everything below it (for responsibility gaps)."""
        return [] if self.is_person else [
            n.id for n in tree.descendants(conn, self.id, position)]

    def goals(self, conn: Connection, position: int | None,
              within: Sequence[str] | None = None,
              ) -> tuple[list[duty.Responsibility], dict[str, board.GoalScore]]:
        """The goals it answers for (of the organisations `within`, if given), by kind, and
        their scores."""
        responsibilities = duty.responsibilities_of(conn, self.id, position)
        if within is not None:
            inside = set(within)
            responsibilities = [r for r in responsibilities if r.organization_id in inside]
        return responsibilities, board.goal_scores(
            conn, sorted({r.goal_id for r in responsibilities}), position)

    def assessment(self, conn: Connection, position: int | None,
                   ) -> tuple[board.AssessedIn, board.Standing] | None:
        return None if self.is_person else board.latest_standing(conn, self.id, position)


def accountability(conn: Connection, party_kind: str, party_id: str, today: date,
                   position: int | None = None) -> AccountabilityView:
    party = Party(party_kind, party_id)
    findings, _, _ = rectification.findings_page(conn, party.findings(), position)
    subtree = party.subtree(conn, position)
    responsibilities, scores = party.goals(conn, position)
    return AccountabilityView(
        party_kind=party_kind, party_id=party_id, today=today,
        responsibilities=responsibilities, letters=letters_of(conn, party.letters, position),
        commitments=commitments(conn, "party_id", party_id, position), findings=findings,
        overdue=rectification.overdue_items(conn, findings, today, position),
        projects=projects_page(conn, party.project_column, party_id, position)[0],
        sanctions=sanctions(conn, "party_id", party_id, position),
        gaps=duty.responsibility_gaps(conn, position, subtree) if subtree else [],
        scores=scores, assessment=party.assessment(conn, position),
    )


def responsibility_key(row: duty.Responsibility) -> tuple[str, str, str]:
    """The order of `responsibilities_of` (collective, primary, direct, then the rest), as a
    keyset."""
    ranks = {"collective": "0", "primary": "1", "direct": "2"}
    return (ranks.get(row.kind, "3"), row.goal_title, row.goal_id)


def overdue_key(item: rectification.OverdueItem) -> tuple[str, str, str, str]:
    """The order of `overdue_items` (most overdue first: the earliest due), as a keyset."""
    return (item.due_date.isoformat(), item.finding.title, item.finding.id,
            item.measure.measure_id if item.measure else "")
