"""What a scheme decides, from a cycle's inputs to its standings: rules 4 to 7 of
`domain.scoring` for each organisation, then the ranks. The scoreboard folds each unit through
`unit_outcome` as its inputs change; a what-if runs `standings` over a whole cycle under another
scheme, so both derive alike. The evaluator kinds' scores (rules 1 to 3) come in ready: no
scheme has a part in them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from domain.scoring import Adjustment, Outcome, RoutineResult, Scheme, Veto, outcome


@dataclass(frozen=True)
class AppliedVeto:
    """A veto condition applied to an organisation; the scheme says what grade it caps at."""

    condition: str
    reason: str


@dataclass(frozen=True)
class UnitInputs:
    """What an organisation's figures in a cycle derive from, whatever the scheme."""

    by_kind: Mapping[str, Decimal | None]
    adjustments: Sequence[Adjustment] = ()  # approved bonus and deduction items
    business: Decimal | None = None
    vetoes: Sequence[AppliedVeto] = ()
    routine: Sequence[RoutineResult] = ()  # an annual cycle's routine cycles


def vetoes_under(scheme: Scheme, applied: Sequence[AppliedVeto]) -> list[Veto]:
    """The applied vetoes with the caps the scheme gives their conditions; a condition the
    scheme no longer names caps nothing."""
    return [Veto(v.condition, scheme.vetoes[v.condition][1], v.reason)
            for v in applied if v.condition in scheme.vetoes]


def unit_outcome(scheme: Scheme, unit: UnitInputs) -> Outcome:
    """Rules 4 to 7 for one organisation under `scheme`."""
    return outcome(scheme, unit.by_kind, unit.adjustments, unit.business,
                   vetoes_under(scheme, unit.vetoes), unit.routine)


@dataclass(frozen=True)
class Entrant:
    """An organisation assessed in the cycle, with its inputs."""

    organization_id: str
    name: str
    category: str
    inputs: UnitInputs


@dataclass(frozen=True)
class Line:
    """An organisation's standing under one scheme."""

    organization_id: str
    category: str
    outcome: Outcome
    category_rank: int | None
    overall_rank: int | None
    place: int  # in the whole cycle, from 1


def ranks(combined: Sequence[Decimal | None]) -> list[int | None]:
    """Competition ranks, best first (ties share a rank: 1, 1, 3); no score, no rank."""
    scored = sorted((value for value in combined if value is not None), reverse=True)
    first: dict[Decimal, int] = {}
    for number, value in enumerate(scored, start=1):
        first.setdefault(value, number)
    return [None if value is None else first[value] for value in combined]


def standings(scheme: Scheme, entrants: Sequence[Entrant]) -> list[Line]:
    """Every organisation's figures under `scheme`, ranked within its category and overall,
    best first (unscored last, then by name), as the scoreboard ranks and orders its lines."""
    outcomes = [unit_outcome(scheme, entrant.inputs) for entrant in entrants]
    overall = ranks([o.combined for o in outcomes])
    within: dict[int, int | None] = {}
    by_category: dict[str, list[int]] = {}
    for index, entrant in enumerate(entrants):
        by_category.setdefault(entrant.category, []).append(index)
    for members in by_category.values():
        within.update(zip(members, ranks([outcomes[i].combined for i in members]),
                          strict=True))

    def order(index: int) -> tuple[bool, Decimal, str, str]:
        combined = outcomes[index].combined
        return (combined is None, -(combined or Decimal(0)), entrants[index].name,
                entrants[index].organization_id)

    placed = sorted(range(len(entrants)), key=order)
    return [Line(entrants[i].organization_id, entrants[i].category, outcomes[i], within[i],
                 overall[i], place) for place, i in enumerate(placed, start=1)]
