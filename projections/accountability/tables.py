"""The accountability read model's tables and how events fold into them: letters and
amendments, public commitments and their follow-ups, projects, rewards and restraints."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from domain.commitments import Commitment
from domain.letters import ResponsibilityLetter
from domain.projects import Project
from domain.sanctions import Sanction
from projections.engine import Handler, Projection
from projections.temporal import Batch, TemporalTable

LETTERS = TemporalTable(
    "view_letters", ("id",),
    {"id": "TEXT", "issuer_id": "TEXT", "recipient_id": "TEXT", "year": "BIGINT",
     "title": "TEXT", "sign_by": "TEXT", "status": "TEXT", "goal_ids": "TEXT",
     "issuer_signer_id": "TEXT", "issuer_signed_on": "TEXT", "recipient_signer_id": "TEXT",
     "recipient_signed_on": "TEXT"},
    partition="id", indexes=(("issuer_id",), ("recipient_id",)),
)
AMENDMENTS = TemporalTable(
    "view_letter_amendments", ("letter_id", "amendment_id"),
    {"letter_id": "TEXT", "amendment_id": "TEXT", "goal_id": "TEXT", "changes": "TEXT",
     "status": "TEXT", "proposed_by": "TEXT", "reason": "TEXT", "decided_by": "TEXT",
     "decision_reason": "TEXT", "proposed_at": "BIGINT"},
    partition="letter_id",
)
COMMITMENTS = TemporalTable(
    "view_commitments", ("id",),
    {"id": "TEXT", "party_kind": "TEXT", "party_id": "TEXT", "organization_id": "TEXT",
     "title": "TEXT", "content": "TEXT", "due_date": "TEXT", "made_on": "TEXT",
     "follow_ups": "BIGINT", "status": "TEXT", "concluded_on": "TEXT"},
    partition="id", indexes=(("party_id",), ("organization_id",)),
)
# A commitment's follow-ups: written once each, never superseded (read through the current
# index: `valid_to IS NULL`).
FOLLOW_UPS = TemporalTable(
    "view_commitment_follow_ups", ("commitment_id", "position"),
    {"commitment_id": "TEXT", "position": "BIGINT", "note": "TEXT", "evidence": "TEXT",
     "effective_date": "TEXT", "actor": "TEXT", "reason": "TEXT"},
    partition="commitment_id", append_only=True, history_index=False,
)
PROJECTS = TemporalTable(
    "view_projects", ("id",),
    {"id": "TEXT", "project_type": "TEXT", "organization_id": "TEXT", "leader_id": "TEXT",
     "title": "TEXT", "status": "TEXT", "goal_ids": "TEXT", "milestones": "TEXT",
     "reached": "BIGINT", "last_reason": "TEXT", "proposed_on": "TEXT"},
    partition="id", indexes=(("organization_id",), ("leader_id",)),
)
SANCTIONS = TemporalTable(
    "view_sanctions", ("id",),
    {"id": "TEXT", "kind": "TEXT", "party_kind": "TEXT", "party_id": "TEXT",
     "organization_id": "TEXT", "basis": "TEXT", "reason": "TEXT", "issued_by": "TEXT",
     "issued_on": "TEXT", "revoked": "BIGINT", "revocation_reason": "TEXT"},
    partition="id", indexes=(("party_id",), ("organization_id",)),
)


def _dumps(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)


def _change(table: TemporalTable, **changes: Any) -> Handler:
    """A handler that sets columns: a constant, or a function of the event."""
    def handler(e: Any, b: Batch) -> None:
        row = b[table.name].get(b.subject)
        assert row is not None, f"{b.subject} was never created"
        b[table.name].put({**row, **{k: v(e, row) if callable(v) else v
                                     for k, v in changes.items()}})
    return handler


def letter_drafted(e: ResponsibilityLetter.Drafted, b: Batch) -> None:
    b[LETTERS.name].put({
        "id": b.subject, "issuer_id": str(e.issuer_id), "recipient_id": str(e.recipient_id),
        "year": e.year, "title": e.title, "sign_by": e.sign_by.isoformat(), "status": "drafted",
        "goal_ids": "[]", "issuer_signer_id": None, "issuer_signed_on": None,
        "recipient_signer_id": None, "recipient_signed_on": None,
    })


def letter_signed(e: ResponsibilityLetter.Signed, b: Batch) -> None:
    row = b[LETTERS.name].get(b.subject)
    assert row is not None
    row[f"{e.side}_signer_id"] = str(e.signer_id)
    row[f"{e.side}_signed_on"] = e.effective_date.isoformat()
    if row["issuer_signer_id"] and row["recipient_signer_id"]:
        row["status"] = "signed"
    b[LETTERS.name].put(row)


def amendment_proposed(e: ResponsibilityLetter.AmendmentProposed, b: Batch) -> None:
    b[AMENDMENTS.name].put({
        "letter_id": b.subject, "amendment_id": str(e.amendment_id), "goal_id": str(e.goal_id),
        "changes": _dumps(e.changes), "status": "proposed", "proposed_by": e.actor,
        "reason": e.reason, "decided_by": None, "decision_reason": None,
        "proposed_at": b.position,
    })


def _amendment_decided(status: str) -> Handler:
    def handler(e: Any, b: Batch) -> None:
        row = b[AMENDMENTS.name].get(b.subject, str(e.amendment_id))
        assert row is not None
        b[AMENDMENTS.name].put({**row, "status": status, "decided_by": e.actor,
                                "decision_reason": e.reason})
    return handler


def commitment_made(e: Commitment.Made, b: Batch) -> None:
    b[COMMITMENTS.name].put({
        "id": b.subject, "party_kind": e.party_kind, "party_id": str(e.party_id),
        "organization_id": str(e.organization_id), "title": e.title, "content": e.content,
        "due_date": e.due_date.isoformat(), "made_on": e.effective_date.isoformat(),
        "follow_ups": 0, "status": "open", "concluded_on": None,
    })


def followed_up(e: Commitment.FollowedUp, b: Batch) -> None:
    row = b[COMMITMENTS.name].get(b.subject)
    assert row is not None, f"{b.subject} was never made"
    b[COMMITMENTS.name].put({**row, "follow_ups": row["follow_ups"] + 1})
    b[FOLLOW_UPS.name].append((b.subject, b.position, e.note, _dumps(list(e.evidence)),
                               e.effective_date.isoformat(), e.actor, e.reason))


def project_proposed(e: Project.Proposed, b: Batch) -> None:
    b[PROJECTS.name].put({
        "id": b.subject, "project_type": e.project_type,
        "organization_id": str(e.organization_id), "leader_id": str(e.leader_id),
        "title": e.title, "status": "proposed", "goal_ids": _dumps([str(g) for g in e.goal_ids]),
        "milestones": _dumps(e.milestones), "reached": 0, "last_reason": e.reason,
        # A proposal carries no business date: the day it was recorded (UTC) is its own.
        "proposed_on": e.timestamp.date().isoformat(),
    })


def sanction_issued(e: Sanction.Issued, b: Batch) -> None:
    b[SANCTIONS.name].put({
        "id": b.subject, "kind": e.kind, "party_kind": e.party_kind,
        "party_id": str(e.party_id), "organization_id": str(e.organization_id),
        "basis": _dumps(e.basis), "reason": e.reason, "issued_by": e.actor,
        "issued_on": e.effective_date.isoformat(), "revoked": 0, "revocation_reason": None,
    })


class Accountability(Projection):
    name = "accountability"
    version = 2  # 2: commitments' content and follow-ups, projects' day of proposal
    tables = (LETTERS, AMENDMENTS, COMMITMENTS, FOLLOW_UPS, PROJECTS, SANCTIONS)
    handlers: ClassVar[dict[type[Any], Handler]] = {
        ResponsibilityLetter.Drafted: letter_drafted,
        ResponsibilityLetter.GoalListed: _change(
            LETTERS, goal_ids=lambda e, row: _dumps([*json.loads(row["goal_ids"]),
                                                     str(e.goal_id)])),
        ResponsibilityLetter.Signed: letter_signed,
        ResponsibilityLetter.AmendmentProposed: amendment_proposed,
        ResponsibilityLetter.AmendmentApproved: _amendment_decided("approved"),
        ResponsibilityLetter.AmendmentRejected: _amendment_decided("rejected"),
        Commitment.Made: commitment_made,
        Commitment.FollowedUp: followed_up,
        Commitment.Concluded: _change(
            COMMITMENTS, status=lambda e, row: "fulfilled" if e.fulfilled else "not_fulfilled",
            concluded_on=lambda e, row: e.effective_date.isoformat()),
        Project.Proposed: project_proposed,
        Project.Stepped: _change(PROJECTS, status=lambda e, row: e.status,
                                 last_reason=lambda e, row: e.reason),
        Project.MilestoneReached: _change(PROJECTS, reached=lambda e, row: row["reached"] + 1),
        Sanction.Issued: sanction_issued,
        Sanction.Revoked: _change(SANCTIONS, revoked=1,
                                  revocation_reason=lambda e, row: e.reason),
    }
