"""Mutation inputs of branch standardisation: one input object per mutation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from app.graphql.kit.acks import MutationInput, UpdateInput
from domain.standardisation import StandardLevel


@strawberry.input(description="An item of the standard: a code unique in the version, what "
                              "is checked, and its points (above 0, at most 1000).")
class StandardItemInput:
    code: str
    title: str
    points: Decimal
    criteria: str = ""


@strawberry.input(description="A standard an organisation keeps for the branches below it.")
class DefineBranchStandardInput(MutationInput):
    organization_id: strawberry.ID
    title: str
    effective_from: date
    items: list[StandardItemInput]
    reason: str = ""


@strawberry.input(description="A new version of a standard, in force from `effectiveFrom`.")
class ReviseBranchStandardInput(UpdateInput):
    standard_id: strawberry.ID
    effective_from: date
    items: list[StandardItemInput]
    reason: str


@strawberry.input(description="One item's score (0 to its points) and its evidence.")
class StandardItemScoreInput:
    code: str
    score: Decimal
    evidence: str


@strawberry.input(description="A branch's self-check against the version of `standardId` in "
                              "force on `checkedOn` (not after today): every item scored once, "
                              "with evidence.")
class SelfCheckBranchInput(MutationInput):
    organization_id: strawberry.ID
    standard_id: strawberry.ID
    checked_on: date
    scores: list[StandardItemScoreInput]
    reason: str = ""


@strawberry.input(description="达标验收 of the branch's latest self-check by the organisation "
                              "above, with the level and the reasons.")
class AcceptBranchInput(UpdateInput):
    organization_id: strawberry.ID
    level: StandardLevel
    effective_date: date
    reason: str


@strawberry.input(description="A lower level than the one held, from `effectiveDate`, with "
                              "the reason (and the finding it cites).")
class LowerBranchLevelInput(UpdateInput):
    organization_id: strawberry.ID
    level: StandardLevel
    effective_date: date
    reason: str
    finding_id: strawberry.ID | None = None


@strawberry.input(description="Revoke the level held, from `effectiveDate`, with the reason "
                              "(and the finding it cites); a new self-check and acceptance "
                              "earn one again.")
class RevokeBranchLevelInput(UpdateInput):
    organization_id: strawberry.ID
    effective_date: date
    reason: str
    finding_id: strawberry.ID | None = None
