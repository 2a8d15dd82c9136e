"""The accountability view of a person or an organisation, composed from the read models:
the goals they answer for, letters, public commitments, findings, projects, rewards and
restraints, and for an organisation the responsibility gaps below it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from projections import organization_tree as tree
from projections import rectification
from projections import responsibility_list as duty
from projections import scoreboard as board
from projections.accountability.letters import LetterFilter, LetterView, letters_of
from projections.accountability.records import (
    CommitmentView,
    ProjectView,
    RecordFilter,
    SanctionView,
    commitments_page,
    projects_page,
    sanctions_page,
)
from store.db import Connection


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
    def records(self) -> RecordFilter:
        """A person's commitments and sanctions, and the projects they lead; for an
        organisation, what concerns it (`records`: its own and its members')."""
        return (RecordFilter(person_id=self.id) if self.is_person
                else RecordFilter(concerning=self.id))

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
        commitments=commitments_page(conn, party.records, position)[0], findings=findings,
        overdue=rectification.overdue_items(conn, findings, today, position),
        projects=projects_page(conn, party.records, position)[0],
        sanctions=sanctions_page(conn, party.records, position)[0],
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
