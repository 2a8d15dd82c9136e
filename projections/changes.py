"""What each event sets on its aggregate, field by field: the after-values of its changes.

One entry per event class, so adding an event is adding one line here (a test walks every
aggregate in `domain/` and fails when an event class has none). The audit log takes the
before-values from its own field state. Members of a collection (responsibilities, posts,
roles, subgoals) are keyed fields such as `responsibility[primary:<party id>]`: a value while
present, None once removed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from domain.branch_standard import BranchStandard
from domain.commitments import Commitment
from domain.cycles import AssessmentCycle
from domain.evaluations import Evaluation
from domain.findings import Finding
from domain.goals import Goal
from domain.indicators import LibraryIndicator
from domain.letters import ResponsibilityLetter
from domain.meeting_rules import MeetingRuleSet
from domain.meetings import Meeting
from domain.member_evaluation import MemberEvaluation
from domain.organizations import Organization
from domain.people import Person
from domain.pioneer_posts import PioneerPost
from domain.projects import Project
from domain.sanctions import Sanction
from domain.scorers import Scorer
from domain.standardisation import Standardisation

Changes = dict[str, Any]
ChangeMapping = Callable[[Any], Changes]


JSON_SCALARS = frozenset({str, int, float, bool, type(None)})
# The common exact types, converted without a chain of isinstance checks (a rebuild calls
# this for every attribute of every event); subclasses (enums) take the general path.
AS_TEXT: dict[type[Any], Callable[[Any], Any]] = {
    UUID: str, date: date.isoformat, datetime: datetime.isoformat, Decimal: str}


def plain(value: Any) -> Any:
    """A JSON value equal to itself after a round trip (ids, dates and decimals as text)."""
    kind = type(value)
    if kind in JSON_SCALARS:  # exact types, so no enum slips through
        return value
    if kind in AS_TEXT:
        return AS_TEXT[kind](value)
    if kind is list or kind is tuple:
        return [plain(v) for v in value]
    if kind is dict:
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, UUID | date | datetime):
        return str(value) if isinstance(value, UUID) else value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def fields(*names: str, **constants: Any) -> ChangeMapping:
    """The event's attributes `names` become the fields of the same name; `constants` are set
    as given (e.g. status="issued")."""
    def mapping(event: Any) -> Changes:
        return {**{name: plain(getattr(event, name)) for name in names}, **constants}
    return mapping


def given(*names: str) -> ChangeMapping:
    """Like `fields`, for events whose None attributes mean 'unchanged'."""
    def mapping(event: Any) -> Changes:
        return {name: plain(getattr(event, name)) for name in names
                if getattr(event, name) is not None}
    return mapping


def _key(collection: str, parts: tuple[str, ...], event: Any) -> str:
    return f"{collection}[{':'.join(str(getattr(event, part)) for part in parts)}]"


def keyed(collection: str, *parts: str, value: str | Callable[[Any], Any] = "present",
          ) -> ChangeMapping:
    """A member joins a collection: the field `collection[part:part]` takes `value` (a
    constant, or a function of the event)."""
    def mapping(event: Any) -> Changes:
        return {_key(collection, parts, event): value(event) if callable(value) else value}
    return mapping


def removed(collection: str, *parts: str) -> ChangeMapping:
    """A member leaves a collection: its keyed field becomes None."""
    def mapping(event: Any) -> Changes:
        return {_key(collection, parts, event): None}
    return mapping


# A goal's progress is its report with the latest effective date (of two effective the same
# day, the later recorded): in the goal's view, blame, diff, history, valid time and exports.
# A report dated before the one held (filed late, back-dated) leaves `progress` as it is and
# is kept beside it as `progress[<effective date>]`.
LATEST_EFFECTIVE = frozenset({"progress"})


def dated_field(name: str, after: Any, held: Any) -> str:
    """Where a change to a LATEST_EFFECTIVE field lands, given the value held (None: none)."""
    if held is None or after is None or after["effective_date"] >= held["effective_date"]:
        return name
    return f"{name}[{after['effective_date']}]"


def undated_field(name: str) -> str:
    """`progress[2026-10-08]` → `progress`: replayed in effective order, the last one wins."""
    base = name.split("[", 1)[0]
    return base if base in LATEST_EFFECTIVE else name


def attendance(event: Meeting.Recorded | Meeting.AttendanceCorrected) -> Changes:
    """The presider, and the attendance as one field (person id → status, with the reason
    where one was given): a correction lists everyone again, so one field shows who was
    added, dropped or changed."""
    return {"presider_id": plain(event.presider_id), "attendance": {
        e["person_id"]: e["status"] + (f": {e['reason']}" if e["reason"] else "")
        for e in event.attendance}}


def progress(event: Goal.ProgressReported) -> Changes:
    # `plain` of the whole dict, value by value (the commonest event: a rebuild maps
    # hundreds of thousands).
    return {"progress": {"value": plain(event.value), "rubric_level": plain(event.rubric_level),
                         "effective_date": plain(event.effective_date),
                         "evidence": plain(event.evidence)}}


CHANGES: dict[type[Any], ChangeMapping] = {
    Organization.Registered: fields("name", "kind", "category", "parent_id", dissolved=False),
    Organization.Renamed: fields("name"),
    Organization.Recategorized: fields("category"),
    Organization.Moved: fields("parent_id"),
    Organization.Dissolved: fields(dissolved=True),
    Organization.ChildAttached: keyed("child", "child_id"),
    Organization.ChildDetached: removed("child", "child_id"),
    Person.Registered: fields("name", "party_member"),
    Person.MembershipChanged: fields("party_member"),
    Person.PostTaken: keyed("post", "post", "organization_id",
                            value=lambda e: plain(e.effective_date) or "held"),
    Person.PostEnded: removed("post", "post", "organization_id"),
    Person.RoleGranted: keyed("role", "role", "organization_id", value="granted"),
    Person.RoleRevoked: removed("role", "role", "organization_id"),
    Goal.Drafted: fields("level", "parent_id", "organization_id", "field", "title",
                         "description", "period_start", "period_end", "indicator", "weight",
                         status="drafted"),
    Goal.Revised: given("title", "description", "field", "period_start", "period_end",
                        "indicator"),
    Goal.Reweighted: fields("weight"),
    Goal.SubgoalAdded: keyed("subgoal", "subgoal_id"),
    Goal.Issued: fields(status="issued"),
    Goal.Closed: fields(status="closed"),
    Goal.Cancelled: fields(status="cancelled"),
    Goal.ProgressReported: progress,
    Goal.ResponsibilityAssigned: keyed("responsibility", "kind", "party_id",
                                       value=lambda e: e.party_kind),
    Goal.ResponsibilityRevoked: removed("responsibility", "kind", "party_id"),
    LibraryIndicator.Defined: fields("item", "content", "criteria", "max_points", "rubric",
                                     "source", revision=1),
    LibraryIndicator.Revised: fields("item", "content", "criteria", "max_points", "rubric",
                                     "source"),
    AssessmentCycle.Drafted: fields("title", "kind", "cadence", "period_start", "period_end",
                                    "organizer_id", "organization_ids", "scheme",
                                    "routine_cycle_ids", status="drafted"),
    AssessmentCycle.SchemeRevised: fields("scheme"),
    AssessmentCycle.Opened: fields("indicators", status="opened"),
    AssessmentCycle.Advanced: fields("status"),
    # The computed indicators' values it froze, one field per organisation and indicator.
    AssessmentCycle.Published: lambda e: {"status": "published", **{
        f"measure[{organization}:{indicator}]": measure["value"]
        for organization, measures in e.measures.items()
        for indicator, measure in measures.items()}},
    AssessmentCycle.Locked: fields(status="locked"),
    AssessmentCycle.ReopenRequested: fields(reopen_requested=True),
    AssessmentCycle.Reopened: fields(status="under_review", reopen_requested=False),
    AssessmentCycle.BusinessScoresImported: lambda e: {
        f"business[{organization}]": plain(score) for organization, score in e.scores.items()},
    AssessmentCycle.AdjustmentProposed: keyed(
        "adjustment", "adjustment_id",
        value=lambda e: plain({"organization_id": e.organization_id, "item": e.item,
                               "points": e.points, "approved": False})),
    AssessmentCycle.AdjustmentApproved: lambda e: {
        f"adjustment[{e.adjustment_id}].approved": True},
    AssessmentCycle.VetoApplied: keyed("veto", "condition", "organization_id", value="applied"),
    AssessmentCycle.VetoLifted: removed("veto", "condition", "organization_id"),
    Evaluation.Recorded: fields("cycle_id", "organization_id", "item_id", "item_kind",
                                "evaluator_kind", "points", "max_points", "rubric_level",
                                "comment", "evidence"),
    Evaluation.Revised: fields("points", "rubric_level", "comment", "evidence"),
    Evaluation.Corrected: fields("points", "rubric_level", "comment", "evidence"),
    Scorer.Enlisted: fields("cycle_id"),
    Goal.BoundToLetter: fields("letter_id"),
    ResponsibilityLetter.Drafted: fields("issuer_id", "recipient_id", "year", "title",
                                         "sign_by", status="drafted"),
    ResponsibilityLetter.GoalListed: keyed("goal", "goal_id"),
    ResponsibilityLetter.Signed: keyed("signature", "side", value=lambda e: plain(e.signer_id)),
    ResponsibilityLetter.AmendmentProposed: keyed(
        "amendment", "amendment_id",
        value=lambda e: plain({"goal_id": e.goal_id, "changes": e.changes,
                               "status": "proposed"})),
    ResponsibilityLetter.AmendmentApproved: lambda e: {
        f"amendment[{e.amendment_id}].status": "approved"},
    ResponsibilityLetter.AmendmentRejected: lambda e: {
        f"amendment[{e.amendment_id}].status": "rejected"},
    Commitment.Made: fields("party_kind", "party_id", "organization_id", "title", "content",
                            "due_date", status="open"),
    Commitment.FollowedUp: lambda e: {"follow_up": plain({"note": e.note,
                                                          "evidence": e.evidence})},
    Commitment.Concluded: fields("fulfilled", status="concluded"),
    Finding.Raised: fields("title", "description", "source", "severity", "organization_id",
                           "owner_id", "deadline", "goal_id", "evaluation_id", status="open"),
    Finding.MeasurePlanned: keyed(
        "measure", "measure_id",
        value=lambda e: plain({"description": e.description, "owner_id": e.owner_id,
                               "due_date": e.due_date})),
    Finding.Submitted: fields("evidence", status="submitted"),
    Finding.Returned: fields(status="open"),
    Finding.Verified: fields(status="closed"),
    Finding.Reopened: fields(status="open"),
    Project.Proposed: fields("project_type", "organization_id", "leader_id", "title",
                             "description", "goal_ids", "milestones", status="proposed"),
    Project.Stepped: fields("status"),
    Project.MilestoneReached: keyed("milestone", "index", value="reached"),
    Sanction.Issued: fields("kind", "party_kind", "party_id", "organization_id", "basis",
                            revoked=False),
    Sanction.Revoked: fields(revoked=True),
    Meeting.Recorded: lambda e: {
        **fields("organization_id", "kind", "topic", "minutes", "evidence",
                 status="held")(e), "held_on": plain(e.effective_date), **attendance(e)},
    Meeting.AttendanceCorrected: attendance,
    Meeting.MinutesCorrected: fields("topic", "minutes", "evidence"),
    Meeting.Cancelled: fields(status="cancelled"),
    MeetingRuleSet.Defined: fields("organization_id", "title", "effective_from", "rules",
                                   revision=1),
    MeetingRuleSet.Revised: fields("revision", "effective_from", "rules"),
    BranchStandard.Defined: fields("organization_id", "title", "effective_from", "items",
                                   revision=1),
    BranchStandard.Revised: fields("revision", "effective_from", "items"),
    Standardisation.Opened: fields("organization_id"),
    # the latest self-check's fields; each self-check's own are in its entry
    Standardisation.SelfChecked: lambda e: {
        **fields("standard_id", "revision", "total")(e), "self_check": e.number,
        "checked_on": plain(e.effective_date),
        "scores": {s["code"]: f"{s['score']}: {s['evidence']}" for s in e.scores}},
    Standardisation.Accepted: fields("level", "accepted_by", "self_check", finding_id=None),
    Standardisation.Lowered: fields("level", "finding_id"),
    Standardisation.Revoked: fields("finding_id", level=None),
    MemberEvaluation.Opened: lambda e: {**fields("organization_id", "year", "members")(e),
                                        "opened_on": plain(e.effective_date)},
    # one keyed field per member (a mutual evaluation: per evaluator and member), holding
    # what stands for them now
    MemberEvaluation.SelfEvaluated: keyed(
        "self_evaluation", "member_id",
        value=lambda e: {"summary": e.summary, "on": plain(e.effective_date)}),
    MemberEvaluation.MutuallyEvaluated: keyed(
        "mutual", "evaluator_id", "member_id",
        value=lambda e: {"grade": e.grade, "comment": e.comment,
                         "on": plain(e.effective_date)}),
    MemberEvaluation.Proposed: keyed(
        "proposal", "member_id",
        value=lambda e: {"grade": e.grade, "opinion": e.opinion,
                         "on": plain(e.effective_date)}),
    MemberEvaluation.Graded: lambda e: {
        f"grade[{e.member_id}]": {"grade": e.grade, "on": plain(e.effective_date)},
        f"review[{e.member_id}]": None},
    MemberEvaluation.Reviewed: lambda e: {
        f"grade[{e.member_id}]": {"grade": e.grade, "on": plain(e.effective_date)},
        f"review[{e.member_id}]": {"outcome": e.outcome,
                                   "reviewed_by": plain(e.reviewed_by)}},
    PioneerPost.Designated: lambda e: {
        **fields("organization_id", "holder_id", "kind", "title", "scope", "description",
                 "held_to", status="designated")(e),
        "held_from": plain(e.effective_date)},
    # the latest follow-up's fields; each follow-up's own are in its entry
    PioneerPost.FollowedUp: lambda e: {"follow_up": plain({
        "number": e.number, "followed_on": e.effective_date, "note": e.note,
        "evidence": e.evidence, "by_holder": e.by_holder})},
    PioneerPost.EndedEarly: lambda e: {"status": "ended", "ended_on": plain(e.effective_date)},
    PioneerPost.PeriodCorrected: fields("held_from", "held_to"),
    PioneerPost.DetailsCorrected: fields("title", "scope", "description"),
    PioneerPost.Cancelled: fields(status="cancelled"),
}
