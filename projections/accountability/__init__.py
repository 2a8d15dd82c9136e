"""Read model: the accountability view of a person or an organisation — the goals they answer
for, letters, public commitments and their follow-ups, findings, projects, rewards and
restraints, and for an organisation the responsibility gaps below it — as it stood at any
position. `tables` folds the events; `letters` and `records` answer the lists (`records`
says what of them concerns an organisation); `view` composes the view."""

from __future__ import annotations

from projections.accountability.letters import (
    AmendmentView,
    LetterFilter,
    LetterKey,
    LetterView,
    amendment_letter,
    letter,
    letter_key,
    letters_of,
    letters_page,
)
from projections.accountability.records import (
    CommitmentView,
    FollowUpView,
    ProjectView,
    RecordFilter,
    SanctionView,
    commitment,
    commitment_key,
    commitments_page,
    follow_ups_of,
    project,
    project_key,
    projects_page,
    sanction,
    sanction_key,
    sanctions_page,
)
from projections.accountability.tables import (
    AMENDMENTS,
    COMMITMENTS,
    FOLLOW_UPS,
    LETTERS,
    PROJECTS,
    SANCTIONS,
    Accountability,
)
from projections.accountability.view import (
    AccountabilityView,
    Party,
    accountability,
    overdue_key,
    responsibility_key,
)

__all__ = [
    "AMENDMENTS", "COMMITMENTS", "FOLLOW_UPS", "LETTERS", "PROJECTS", "SANCTIONS",
    "Accountability", "AccountabilityView", "AmendmentView", "CommitmentView", "FollowUpView",
    "LetterFilter", "LetterKey", "LetterView", "Party", "ProjectView", "RecordFilter",
    "SanctionView", "accountability", "amendment_letter", "commitment", "commitment_key",
    "commitments_page", "follow_ups_of", "letter", "letter_key", "letters_of", "letters_page",
    "overdue_key",
    "project", "project_key", "projects_page", "responsibility_key", "sanction",
    "sanction_key", "sanctions_page",
]
