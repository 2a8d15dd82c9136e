"""Mutation inputs of pioneer posts: one input object per mutation."""

from __future__ import annotations

from datetime import date

import strawberry

from app.graphql.kit.acks import MutationInput, UpdateInput
from domain.pioneer_posts import PioneerKind


@strawberry.input(description="A post or zone an organisation gives a party member who holds a "
                              "party post in it (or below it) on `heldFrom`; never oneself.")
class DesignatePioneerInput(MutationInput):
    organization_id: strawberry.ID
    holder_id: strawberry.ID
    kind: PioneerKind
    title: str
    scope: str
    held_from: date
    held_to: date
    description: str = ""
    reason: str = ""


@strawberry.input(description="A dated note on how the post went (from its first day, not "
                              "after today), with evidence.")
class FollowUpPioneerInput(UpdateInput):
    post_id: strawberry.ID
    note: str
    followed_on: date
    evidence: list[str] = strawberry.field(default_factory=list)
    reason: str = ""


@strawberry.input(description="End a post early, from `endedOn` (the first day no longer held: "
                              "after the first day, not after the last nor after today), with "
                              "the reason.")
class EndPioneerInput(UpdateInput):
    post_id: strawberry.ID
    ended_on: date
    reason: str


@strawberry.input(description="The period as it should have been recorded, and why.")
class CorrectPioneerPeriodInput(UpdateInput):
    post_id: strawberry.ID
    held_from: date
    held_to: date
    reason: str


@strawberry.input(description="The title, scope and description as they should have been "
                              "recorded, and why.")
class CorrectPioneerDetailsInput(UpdateInput):
    post_id: strawberry.ID
    title: str
    scope: str
    reason: str
    description: str = ""


@strawberry.input(description="Cancel (作废) a record made in error, with the reason.")
class CancelPioneerInput(UpdateInput):
    post_id: strawberry.ID
    reason: str
