"""Read model: the scoreboard of each assessment cycle. Per organisation (a "unit": one
organisation in one cycle) and per goal: the evaluator kinds' scores, the weighted
party-building score, the combined score with business, the grade after vetoes, and how
complete the evaluation is; ranks (within the category and overall) are taken when read.
Every figure is derived by `domain.scoring`, which `explainScore` also uses, so an explanation
always adds up to the figure shown. Temporal like every read model: any cycle's scoreboard
reads as it stood at any position.

Each unit keeps the items it is scored on: its goals as they stand while the cycle is not yet
published (afterwards they are frozen; later goal changes do not move published scores), plus
the indicators the cycle copied when it opened."""

from __future__ import annotations

from projections.scoreboard.fold import Scoreboard
from projections.scoreboard.queries import (
    AssessedIn,
    Change,
    Cycle,
    GoalScore,
    LibraryEntry,
    Rollup,
    ScoreDiff,
    Standing,
    assessments_of,
    changes_between,
    cycle,
    cycles_page,
    evaluation_scope,
    evaluator_of,
    goal_scores,
    latest_standing,
    library,
    library_page,
    rollup,
    score_card,
    score_diff,
    standing,
    standings,
    standings_page,
    unit_inputs,
)
from projections.scoreboard.what_if import Comparison, what_if

__all__ = [
    "AssessedIn",
    "Change",
    "Comparison",
    "Cycle",
    "GoalScore",
    "LibraryEntry",
    "Rollup",
    "ScoreDiff",
    "Scoreboard",
    "Standing",
    "assessments_of",
    "changes_between",
    "cycle",
    "cycles_page",
    "evaluation_scope",
    "evaluator_of",
    "goal_scores",
    "latest_standing",
    "library",
    "library_page",
    "rollup",
    "score_card",
    "score_diff",
    "standing",
    "standings",
    "standings_page",
    "unit_inputs",
    "what_if",
]
