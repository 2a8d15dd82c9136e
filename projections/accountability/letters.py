"""Responsibility letters and their amendments as the accountability read model holds them:
one letter, a filtered keyset page of them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from projections.accountability.tables import AMENDMENTS, LETTERS
from projections.pages import EVERYTHING, Page, count, read_page
from projections.temporal import as_of
from store.db import Connection, marks


def iso_day(value: str | None) -> date | None:
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
                                  r[6], json.loads(r[7]), r[8], iso_day(r[9]), r[10],
                                  iso_day(r[11]), amendments))
    return letters, more


def letter(conn: Connection, letter_id: str, position: int | None = None) -> LetterView | None:
    found, _ = _letters(conn, "l.id = ?", [letter_id], position)
    return found[0] if found else None


def amendment_letter(conn: Connection, amendment_id: str,
                     position: int | None = None) -> LetterView | None:
    """The letter an amendment was proposed to (None before it was)."""
    cond, params = as_of("a", position)
    rows = conn.execute(f"SELECT a.letter_id FROM {AMENDMENTS.name} a "
                        f"WHERE a.amendment_id = ? AND {cond}", [amendment_id, *params])
    return letter(conn, rows[0][0], position) if rows else None


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
