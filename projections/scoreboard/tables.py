"""The scoreboard's tables: cycles, the indicator library, organisations and goals as the
scoreboard knows them, units (one organisation in one cycle), their items, evaluations and
changes."""

from __future__ import annotations

from projections.temporal import TemporalTable

FROZEN = ("published", "locked")

CYCLES = TemporalTable(
    "view_cycles", ("cycle_id",),
    {"cycle_id": "TEXT", "title": "TEXT", "kind": "TEXT", "cadence": "TEXT", "status": "TEXT",
     "period_start": "TEXT", "period_end": "TEXT", "organizer_id": "TEXT",
     "organizations": "TEXT", "scheme": "TEXT", "scheme_version": "BIGINT",
     "indicators": "TEXT", "reopen_requested_by": "TEXT", "routine_cycles": "TEXT",
     "composed_into": "TEXT"},
    partition="cycle_id", indexes=(("period_start",),),
)
LIBRARY = TemporalTable(
    "view_indicator_library", ("indicator_id",),
    {"indicator_id": "TEXT", "item": "TEXT", "content": "TEXT", "criteria": "TEXT",
     "max_points": "TEXT", "rubric": "TEXT", "revision": "BIGINT", "source": "TEXT"},
    partition="indicator_id",
)
ORGS = TemporalTable(
    "view_score_orgs", ("organization_id",),
    {"organization_id": "TEXT", "name": "TEXT", "category": "TEXT", "kind": "TEXT",
     "parent_id": "TEXT"},
    partition="organization_id",
)
GOALS = TemporalTable(
    "view_score_goals", ("organization_id", "goal_id"),
    {"organization_id": "TEXT", "goal_id": "TEXT", "parent_id": "TEXT", "title": "TEXT",
     "weight": "BIGINT", "status": "TEXT", "period_start": "TEXT", "period_end": "TEXT"},
    partition="organization_id",
)
GOAL_OWNERS = TemporalTable(
    "view_score_goal_owners", ("goal_id",),
    {"goal_id": "TEXT", "organization_id": "TEXT"}, partition="goal_id",
)
# Units an organisation takes part in, to rescore them when its goals or category change.
ORG_UNITS = TemporalTable(
    "view_score_org_units", ("organization_id", "cycle_id"),
    {"organization_id": "TEXT", "cycle_id": "TEXT"}, partition="organization_id",
)
UNITS = TemporalTable(
    "view_scores", ("unit",),
    {"unit": "TEXT", "cycle_id": "TEXT", "organization_id": "TEXT", "name": "TEXT",
     "category": "TEXT", "business": "TEXT", "adjustments": "TEXT",
     "vetoes": "TEXT", "organizational": "DOUBLE PRECISION", "mass": "DOUBLE PRECISION",
     "self": "DOUBLE PRECISION", "social": "DOUBLE PRECISION",
     "party_building": "DOUBLE PRECISION", "adjustment": "DOUBLE PRECISION",
     "combined": "DOUBLE PRECISION", "grade": "TEXT", "evaluated": "BIGINT",
     "expected": "BIGINT", "measures": "TEXT"},
    partition="unit", indexes=(("cycle_id", "category"), ("organization_id",)),
)
# The items a unit is scored on: apart from its scores, which move with every evaluation.
ITEMS = TemporalTable(
    "view_unit_items", ("unit",), {"unit": "TEXT", "items": "TEXT"},
    partition="unit",
)
EVALS = TemporalTable(
    "view_evaluations", ("evaluation_id",),
    {"evaluation_id": "TEXT", "unit": "TEXT", "item_id": "TEXT", "evaluator_kind": "TEXT",
     "evaluator": "TEXT", "points": "TEXT", "max_points": "TEXT", "rubric_level": "TEXT",
     "comment": "TEXT"},
    partition="evaluation_id", indexes=(("unit",),), history_indexes=(("unit", "valid_from"),),
)
# What changed each unit's score, for scoreDiff: one row per event, never superseded; by
# `ref`, an adjustment's unit (`node(id)`).
CHANGES = TemporalTable(
    "view_score_changes", ("unit", "position"),
    {"unit": "TEXT", "position": "BIGINT", "actor": "TEXT", "action": "TEXT",
     "reason": "TEXT", "ref": "TEXT", "detail": "TEXT"},
    partition="unit", append_only=True, indexes=(("ref",),),
)

# What computed indicators are measured from (`domain.measures`): each organisation's meetings
# held (a cancelled one is removed), who holds each meeting, and the meeting rule sets.
MEETINGS = TemporalTable(
    "view_score_meetings", ("organization_id", "meeting_id"),
    {"organization_id": "TEXT", "meeting_id": "TEXT", "kind": "TEXT", "held_on": "TEXT"},
    partition="organization_id",
)
MEETING_OWNERS = TemporalTable(
    "view_score_meeting_owners", ("meeting_id",),
    {"meeting_id": "TEXT", "organization_id": "TEXT"}, partition="meeting_id",
)
RULE_SETS = TemporalTable(
    "view_score_rule_sets", ("rule_set_id",),
    {"rule_set_id": "TEXT", "organization_id": "TEXT", "versions": "TEXT"},
    partition="rule_set_id",
)
# The units whose computed indicators follow the records (cycles not published): measured
# again when a rule set changes or an organisation moves. One partition: read whole.
LIVE = "live"
MEASURED = TemporalTable(
    "view_score_measured", ("scope", "unit"),
    {"scope": "TEXT", "unit": "TEXT", "cycle_id": "TEXT", "organization_id": "TEXT"},
    partition="scope",
)
