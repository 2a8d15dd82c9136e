"""Read model: the democratic evaluation of party members (民主评议党员) — each branch's
rounds by year, each member's self-evaluation, the tally of the mutual evaluation, the
committee's proposal, the organisation's grade and its review; and the grades members held on
a day (valid time, by the grades' and reviews' effective dates), as of any position."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from domain.member_evaluation import (
    GradeStanding,
    MemberEvaluation,
    MemberGrade,
    standing_after,
)
from projections.engine import Handler, Projection
from projections.temporal import Batch, TemporalTable, as_of
from store.db import Connection, marks

ROUNDS = TemporalTable(
    "view_member_rounds",
    ("round_id",),
    {"round_id": "TEXT", "organization_id": "TEXT", "year": "BIGINT", "opened_on": "TEXT",
     "members": "TEXT", "actor": "TEXT", "reason": "TEXT"},
    partition="round_id",
    indexes=(("organization_id", "year"),),
    history_indexes=(("organization_id", "year"),),
)
# One row a member of a round: what stands for them now.
ASSESSMENTS = TemporalTable(
    "view_member_assessments",
    ("round_id", "member_id"),
    {"round_id": "TEXT", "member_id": "TEXT", "organization_id": "TEXT", "year": "BIGINT",
     "summary": "TEXT", "self_on": "TEXT", "self_reason": "TEXT",
     "proposal": "TEXT", "opinion": "TEXT", "proposed_on": "TEXT",
     "graded": "TEXT", "grade_reason": "TEXT", "graded_on": "TEXT", "graded_by": "TEXT",
     "outcome": "TEXT", "review_reason": "TEXT", "reviewed_on": "TEXT",
     "reviewed_by": "TEXT", "reviewer": "TEXT", "grade": "TEXT", "standing": "TEXT"},
    partition="round_id",
    indexes=(("organization_id", "year"),),
)
MUTUAL = TemporalTable(
    "view_member_mutual",
    ("round_id", "member_id", "evaluator_id"),
    {"round_id": "TEXT", "member_id": "TEXT", "evaluator_id": "TEXT", "grade": "TEXT",
     "comment": "TEXT", "evaluated_on": "TEXT"},
    partition="round_id",
)
# Every grade and review in order: the grade held on a day is the last effective by then.
GRADE_CHANGES = TemporalTable(
    "view_member_grades",
    ("round_id", "number"),
    {"round_id": "TEXT", "number": "BIGINT", "member_id": "TEXT", "organization_id": "TEXT",
     "year": "BIGINT", "grade": "TEXT", "standing": "TEXT", "effective_on": "TEXT",
     "actor": "TEXT", "reason": "TEXT"},
    partition="round_id",
    append_only=True,
    history_indexes=(("organization_id", "effective_on"),),
)


def opened(e: MemberEvaluation.Opened, b: Batch) -> None:
    b[ROUNDS.name].put({
        "round_id": b.subject, "organization_id": str(e.organization_id), "year": e.year,
        "opened_on": e.effective_date.isoformat(), "members": json.dumps(e.members),
        "actor": e.actor, "reason": e.reason})
    for member in e.members:
        b[ASSESSMENTS.name].put({
            "round_id": b.subject, "member_id": member, "organization_id": str(e.organization_id),
            "year": e.year, "summary": None, "self_on": None, "self_reason": None,
            "proposal": None, "opinion": None, "proposed_on": None, "graded": None,
            "grade_reason": None, "graded_on": None, "graded_by": None, "outcome": None,
            "review_reason": None, "reviewed_on": None, "reviewed_by": None, "reviewer": None,
            "grade": None, "standing": GradeStanding.UNGRADED.value})


def _change(b: Batch, member_id: Any, **changes: Any) -> dict[str, Any]:
    table = b[ASSESSMENTS.name]
    row = table.get(b.subject, str(member_id))
    assert row is not None, f"{member_id} is not in round {b.subject}"
    changed = {**row, **changes}
    table.put(changed)
    return changed


def self_evaluated(e: MemberEvaluation.SelfEvaluated, b: Batch) -> None:
    _change(b, e.member_id, summary=e.summary, self_on=e.effective_date.isoformat(),
            self_reason=e.reason)


def mutually_evaluated(e: MemberEvaluation.MutuallyEvaluated, b: Batch) -> None:
    b[MUTUAL.name].put({
        "round_id": b.subject, "member_id": str(e.member_id),
        "evaluator_id": str(e.evaluator_id), "grade": e.grade, "comment": e.comment,
        "evaluated_on": e.effective_date.isoformat()})


def proposed(e: MemberEvaluation.Proposed, b: Batch) -> None:
    _change(b, e.member_id, proposal=e.grade, opinion=e.opinion,
            proposed_on=e.effective_date.isoformat())


def _grade_changed(b: Batch, e: Any, row: dict[str, Any]) -> None:
    # numbered by log position: unique, and in the order recorded
    b[GRADE_CHANGES.name].append((
        b.subject, b.position, str(e.member_id), row["organization_id"], int(row["year"]),
        e.grade, row["standing"], e.effective_date.isoformat(), e.actor, e.reason))


def graded(e: MemberEvaluation.Graded, b: Batch) -> None:
    row = _change(b, e.member_id, graded=e.grade, grade_reason=e.reason,
                  graded_on=e.effective_date.isoformat(), graded_by=e.actor, grade=e.grade,
                  standing=standing_after(e.grade, reviewed=False).value, outcome=None,
                  review_reason=None, reviewed_on=None, reviewed_by=None, reviewer=None)
    _grade_changed(b, e, row)


def reviewed(e: MemberEvaluation.Reviewed, b: Batch) -> None:
    row = _change(b, e.member_id, outcome=e.outcome, review_reason=e.reason,
                  reviewed_on=e.effective_date.isoformat(), reviewed_by=str(e.reviewed_by),
                  reviewer=e.actor, grade=e.grade, standing=GradeStanding.FINAL.value)
    _grade_changed(b, e, row)


class MemberEvaluationView(Projection):
    name = "member_evaluation"
    tables = (ROUNDS, ASSESSMENTS, MUTUAL, GRADE_CHANGES)
    handlers: ClassVar[dict[type[Any], Handler]] = {
        MemberEvaluation.Opened: opened,
        MemberEvaluation.SelfEvaluated: self_evaluated,
        MemberEvaluation.MutuallyEvaluated: mutually_evaluated,
        MemberEvaluation.Proposed: proposed,
        MemberEvaluation.Graded: graded,
        MemberEvaluation.Reviewed: reviewed,
    }


# ---- queries ---------------------------------------------------------------------------------


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@dataclass(frozen=True)
class AssessmentView:
    """One member's evaluation in a round."""

    member_id: str
    summary: str | None
    self_on: date | None
    self_reason: str | None
    tally: dict[MemberGrade, int]  # the mutual evaluation: grade proposals by others
    proposal: MemberGrade | None
    opinion: str | None
    proposed_on: date | None
    graded: MemberGrade | None  # the organisation's grade as the branch gave it
    grade_reason: str | None
    graded_on: date | None
    outcome: str | None  # the review's, if any
    review_reason: str | None
    reviewed_on: date | None
    reviewed_by: str | None
    grade: MemberGrade | None  # the grade that stands (after a review, the review's)
    standing: GradeStanding

    @property
    def mutual_count(self) -> int:
        return sum(self.tally.values())


@dataclass(frozen=True)
class RoundView:
    id: str
    organization_id: str
    year: int
    opened_on: date
    reason: str
    assessments: tuple[AssessmentView, ...]


ROUND_COLUMNS = "r.round_id, r.organization_id, r.year, r.opened_on, r.reason"
ASSESSMENT_COLUMNS = (
    "a.round_id, a.member_id, a.summary, a.self_on, a.self_reason, a.proposal, a.opinion, "
    "a.proposed_on, a.graded, a.grade_reason, a.graded_on, a.outcome, a.review_reason, "
    "a.reviewed_on, a.reviewed_by, a.grade, a.standing")


def _grade(value: str | None) -> MemberGrade | None:
    return MemberGrade(value) if value else None


def _rounds(conn: Connection, rows: Sequence[Sequence[Any]],
            position: int | None) -> list[RoundView]:
    if not rows:
        return []
    ids = [r[0] for r in rows]
    tallies: dict[tuple[str, str], dict[MemberGrade, int]] = {}
    cond, params = as_of("m", position)
    for round_id, member, grade, count in conn.execute(
            f"SELECT m.round_id, m.member_id, m.grade, COUNT(*) FROM {MUTUAL.name} m "
            f"WHERE m.round_id IN ({marks(ids)}) AND {cond} "
            "GROUP BY m.round_id, m.member_id, m.grade", [*ids, *params]):
        tallies.setdefault((round_id, member), dict.fromkeys(MemberGrade, 0))[
            MemberGrade(grade)] = int(count)
    found: dict[str, list[AssessmentView]] = {i: [] for i in ids}
    cond, params = as_of("a", position)
    for r in conn.execute(
            f"SELECT {ASSESSMENT_COLUMNS} FROM {ASSESSMENTS.name} a "
            f"WHERE a.round_id IN ({marks(ids)}) AND {cond} ORDER BY a.round_id, a.member_id",
            [*ids, *params]):
        found[r[0]].append(AssessmentView(
            r[1], r[2], _day(r[3]), r[4],
            tallies.get((r[0], r[1])) or dict.fromkeys(MemberGrade, 0), _grade(r[5]), r[6],
            _day(r[7]), _grade(r[8]), r[9], _day(r[10]), r[11], r[12], _day(r[13]), r[14],
            _grade(r[15]), GradeStanding(r[16])))
    return [RoundView(r[0], r[1], int(r[2]), date.fromisoformat(r[3]), r[4],
                      tuple(found[r[0]])) for r in rows]


def rounds_by_id(conn: Connection, ids: Sequence[str],
                 position: int | None = None) -> dict[str, RoundView]:
    if not ids:
        return {}
    cond, params = as_of("r", position)
    rows = conn.execute(f"SELECT {ROUND_COLUMNS} FROM {ROUNDS.name} r "
                        f"WHERE r.round_id IN ({marks(ids)}) AND {cond}", [*ids, *params])
    return {view.id: view for view in _rounds(conn, rows, position)}


def round_of(conn: Connection, round_id: str, position: int | None = None) -> RoundView | None:
    return rounds_by_id(conn, [round_id], position).get(round_id)


def rounds(conn: Connection, scope: Sequence[str] | None, year: int | None = None,
           position: int | None = None) -> list[RoundView]:
    """The rounds of the branches within `scope` (None: all), of one `year` if given, the
    latest year first."""
    if scope is not None and not scope:
        return []
    cond, params = as_of("r", position)
    where, scope_params = ("1 = 1", []) if scope is None else \
        (f"r.organization_id IN ({marks(scope)})", list(scope))
    year_cond, year_params = ("r.year = ?", [year]) if year is not None else ("1 = 1", [])
    rows = conn.execute(
        f"SELECT {ROUND_COLUMNS} FROM {ROUNDS.name} r WHERE {where} AND {year_cond} AND "
        f"{cond} ORDER BY r.year DESC, r.organization_id",
        [*scope_params, *year_params, *params])
    return _rounds(conn, rows, position)


def member_rounds(conn: Connection, member_id: str, scope: Sequence[str] | None,
                  years: tuple[int, int], position: int | None = None,
                  ) -> list[tuple[RoundView, AssessmentView]]:
    """The rounds of the branches within `scope` (None: all) and of the `years` (first and
    last, inclusive) that evaluated the member, each with the member's own assessment, the
    earliest year first."""
    if scope is not None and not scope:
        return []
    r_cond, r_params = as_of("r", position)
    a_cond, a_params = as_of("a", position)
    where, scope_params = ("1 = 1", []) if scope is None else \
        (f"r.organization_id IN ({marks(scope)})", list(scope))
    rows = conn.execute(
        f"SELECT {ROUND_COLUMNS} FROM {ROUNDS.name} r JOIN {ASSESSMENTS.name} a "
        f"ON a.round_id = r.round_id WHERE a.member_id = ? AND {a_cond} AND {r_cond} "
        f"AND r.year BETWEEN ? AND ? AND {where} ORDER BY r.year, r.organization_id",
        [member_id, *a_params, *r_params, *years, *scope_params])
    return [(view, own) for view in _rounds(conn, rows, position)
            for own in view.assessments if own.member_id == member_id]


@dataclass(frozen=True)
class GradeHeld:
    """A member's grade in a round as it stood on a day."""

    round_id: str
    organization_id: str
    year: int
    member_id: str
    grade: MemberGrade
    standing: GradeStanding
    since: date
    reason: str


def grades_on(conn: Connection, scope: Sequence[str] | None, day: date,
              year: int | None = None, position: int | None = None) -> list[GradeHeld]:
    """Each member's grade (in the branches within `scope`; None: all) on `day`: the last
    grade or review effective on or before it, as known at `position`."""
    if scope is not None and not scope:
        return []
    cond, params = as_of("g", position)
    where, scope_params = ("1 = 1", []) if scope is None else \
        (f"g.organization_id IN ({marks(scope)})", list(scope))
    year_cond, year_params = ("g.year = ?", [year]) if year is not None else ("1 = 1", [])
    last: dict[tuple[str, str], GradeHeld] = {}
    for r in conn.execute(
            f"SELECT g.round_id, g.organization_id, g.year, g.member_id, g.grade, g.standing, "
            f"g.effective_on, g.reason FROM {GRADE_CHANGES.name} g WHERE {where} AND "
            f"{year_cond} AND g.effective_on <= ? AND {cond} "
            "ORDER BY g.round_id, g.effective_on, g.number",
            [*scope_params, *year_params, day.isoformat(), *params]):
        last[(r[0], r[3])] = GradeHeld(r[0], r[1], int(r[2]), r[3], MemberGrade(r[4]),
                                       GradeStanding(r[5]), date.fromisoformat(r[6]), r[7])
    return sorted(last.values(), key=lambda g: (-g.year, g.organization_id, g.member_id))
