"""Who scored in a cycle: a marker the segregation-of-duties rules read without a read model."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import event

from domain.base import DengtaAggregate


class Scorer(DengtaAggregate):
    """Marks that a person scored in a cycle (written with their first evaluation)."""

    TOPIC = "dengta:Scorer"

    class Created(DengtaAggregate.Created):
        TOPIC = "dengta:Scorer.Created"

    class Enlisted(Created):
        TOPIC = "dengta:Scorer.Enlisted"
        cycle_id: UUID

    @event(Enlisted)
    def __init__(self, *, id: UUID, actor: str, reason: str, cycle_id: UUID) -> None:
        self.cycle_id = cycle_id
