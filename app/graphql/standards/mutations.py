"""Mutations of branch standardisation: define and revise a standard; a branch's self-check;
accept a branch, lower or revoke its level. Each a plan for `kit.writes`: the ids it takes,
the policy function that decides, the use case it calls."""

from __future__ import annotations

from typing import Any

import strawberry

from app import policy
from app.graphql.accountability.common import server_today
from app.graphql.kit.acks import Acknowledged
from app.graphql.kit.errors import UserError
from app.graphql.kit.writes import Command, Writer, record_answer, write
from app.graphql.standards import inputs
from app.graphql.standards.types import BranchStandard, BranchStandardisation
from projections import standardisation as views
from store.db import Connection


@strawberry.type
class BranchStandardPayload(Acknowledged):
    RECORD = "BranchStandard"
    standard: BranchStandard | None
    user_errors: list[UserError]


@strawberry.type
class BranchStandardisationPayload(Acknowledged):
    RECORD = "BranchStandardisation"
    standardisation: BranchStandardisation | None
    user_errors: list[UserError]


def standard_of(conn: Connection, standard_id: str) -> views.StandardView | None:
    return views.standards_by_id(conn, [standard_id]).get(standard_id)


STANDARD = record_answer(BranchStandardPayload, standard_of,
                         lambda view: BranchStandard.from_view(view, None))
RECORD = record_answer(BranchStandardisationPayload, views.record_by_id,
                       lambda view: BranchStandardisation.from_view(view, None))


def items_of(given: list[inputs.StandardItemInput]) -> list[dict[str, Any]]:
    return [{"code": i.code, "title": i.title, "criteria": i.criteria, "points": i.points}
            for i in given]


@strawberry.type
class StandardsMutation:
    @write(STANDARD, "keep this organisation's branch standard",
           description="Define the standard an organisation keeps for the branches below it.")
    def define_branch_standard(w: Writer, input: inputs.DefineBranchStandardInput,
                               ) -> Command[None]:
        organization = w.id(input.organization_id, "Organization", "organizationId")
        return w.allow_if(policy.may_keep_standard, str(organization)).call(
            w.app.define_standard, organization_id=organization, title=input.title,
            effective_from=input.effective_from, items=items_of(input.items),
            reason=input.reason)

    @write(STANDARD, "revise this branch standard",
           description="A new version of a standard, from `effectiveFrom`.")
    def revise_branch_standard(w: Writer, input: inputs.ReviseBranchStandardInput,
                               ) -> Command[None]:
        standard_id, view = w.known(input.standard_id, "BranchStandard", "standardId",
                                    standard_of, "no standard with id {id}")
        return w.allow_if(policy.may_keep_standard, view.organization_id).call(
            w.app.revise_standard, standard_id, effective_from=input.effective_from,
            items=items_of(input.items), reason=input.reason)

    @write(RECORD, "self-check this branch",
           description="Record a branch's self-check against the standard in force.")
    def self_check_branch(w: Writer, input: inputs.SelfCheckBranchInput) -> Command[None]:
        organization = w.id(input.organization_id, "Organization", "organizationId")
        standard = w.id(input.standard_id, "BranchStandard", "standardId")
        return w.allow_if(policy.may_self_check, str(organization)).call(
            w.app.self_check_branch, organization_id=organization, standard_id=standard,
            checked_on=input.checked_on, today=server_today(),
            scores=[{"code": s.code, "score": s.score, "evidence": s.evidence}
                    for s in input.scores], reason=input.reason)

    @write(RECORD, "accept this branch",
           description="达标验收: the organisation above judges the branch's latest "
                       "self-check and gives it a level, with reasons.")
    def accept_branch(w: Writer, input: inputs.AcceptBranchInput) -> Command[None]:
        organization = w.id(input.organization_id, "Organization", "organizationId")
        return w.allow_if(policy.may_judge_branch, str(organization)).call(
            w.app.accept_branch, organization_id=organization, level=input.level,
            effective_date=input.effective_date, today=server_today(), reason=input.reason)

    @write(RECORD, "lower this branch's level",
           description="Lower a branch's level, with a reason (and the finding it cites).")
    def lower_branch_level(w: Writer, input: inputs.LowerBranchLevelInput) -> Command[None]:
        organization = w.id(input.organization_id, "Organization", "organizationId")
        finding = w.optional_id(input.finding_id, "Finding", "findingId")
        return w.allow_if(policy.may_judge_branch, str(organization)).call(
            w.app.lower_branch_level, organization_id=organization,
            level=input.level, effective_date=input.effective_date,
            today=server_today(), reason=input.reason, finding_id=finding)

    @write(RECORD, "revoke this branch's level",
           description="Revoke a branch's level, with a reason (and the finding it cites).")
    def revoke_branch_level(w: Writer, input: inputs.RevokeBranchLevelInput) -> Command[None]:
        organization = w.id(input.organization_id, "Organization", "organizationId")
        finding = w.optional_id(input.finding_id, "Finding", "findingId")
        return w.allow_if(policy.may_judge_branch, str(organization)).call(
            w.app.revoke_branch_level, organization_id=organization,
            effective_date=input.effective_date, today=server_today(), reason=input.reason,
            finding_id=finding)
