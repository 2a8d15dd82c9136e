"""Computed indicators in an explanation: a measured value, what it was computed from (required
against held per meeting kind) and the meetings behind it."""

from __future__ import annotations

from datetime import date

import strawberry

from app.graphql.kit.ids import to_global_id
from app.graphql.kit.vocab import IndicatorSource, MeetingKind, code, labelled
from domain.measures import Measure
from domain.scoring import shown as score


@labelled
@strawberry.type(description="One meeting kind's part of a computed 三会一课完成率.")
class MeasuredMeetingKind:
    kind: str = code(MeetingKind)
    required: int = strawberry.field(description="Meetings required in the periods counted.")
    held: int
    fulfilled: int = strawberry.field(description="Held, counted up to what each period "
                                                  "required.")
    periods: list[str] = strawberry.field(description="The periods counted (2026-05, 2026-Q2).")
    meeting_ids: list[strawberry.ID] = strawberry.field(description="The Meeting records "
                                                                    "counted.")


@labelled
@strawberry.type(description="A computed indicator's value for the organisation: what it was "
                             "measured from, and whether publication froze it.")
class MeasuredIndicator:
    indicator_id: strawberry.ID
    item: str
    source: str = code(IndicatorSource)
    value: float | None = strawberry.field(description="0-100: fulfilled / required x 100; "
                                                       "null when nothing was required.")
    required: int
    fulfilled: int
    judged_on: date = strawberry.field(description="The day the periods were judged on: the "
                                                   "cycle's last day.")
    frozen: bool = strawberry.field(description="Frozen by the cycle's publication; else it "
                                                "follows the meeting records.")
    kinds: list[MeasuredMeetingKind]

    @classmethod
    def of(cls, indicator_id: str, item: str, measure: Measure,
           frozen: bool) -> MeasuredIndicator:
        return cls(
            indicator_id=strawberry.ID(to_global_id("LibraryIndicator", indicator_id)),
            item=item, source=measure.source, value=score(measure.value),
            required=measure.required, fulfilled=measure.fulfilled,
            judged_on=date.fromisoformat(measure.judged_on), frozen=frozen,
            kinds=[MeasuredMeetingKind(
                kind=part.kind, required=part.required, held=part.held,
                fulfilled=part.fulfilled, periods=list(part.periods),
                meeting_ids=[strawberry.ID(to_global_id("Meeting", m))
                             for m, _ in part.meetings]) for part in measure.kinds])
