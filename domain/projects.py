"""The Project aggregate (党建项目): a party-building project of one of three types, linked to
goals, with milestones, through proposed → approved → in progress → accepted or rejected."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import event

from domain.base import DengtaAggregate, require_actor, require_reason
from domain.errors import InvalidInputError, InvalidTransitionError, NotFoundError
from domain.goals import Goal
from domain.organizations import Organization
from domain.people import Person
from domain.values import parse_enum, require_text


class ProjectType(StrEnum):
    FOUNDATION = "foundation"  # 基础巩固型
    PROMOTION = "promotion"  # 提升推进型
    INNOVATION = "innovation"  # 探索创新型


class ProjectStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    IN_PROGRESS = "in_progress"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


# Which step leads from which status (rejection: at proposal, or at acceptance).
STEPS = {
    "approve": ((ProjectStatus.PROPOSED,), ProjectStatus.APPROVED),
    "start": ((ProjectStatus.APPROVED,), ProjectStatus.IN_PROGRESS),
    "accept": ((ProjectStatus.IN_PROGRESS,), ProjectStatus.ACCEPTED),
    "reject": ((ProjectStatus.PROPOSED, ProjectStatus.IN_PROGRESS), ProjectStatus.REJECTED),
}


class Project(DengtaAggregate):
    TOPIC = "dengta:Project"
    ENUM_FIELDS: ClassVar[dict[str, type[StrEnum]]] = {
        "project_type": ProjectType, "status": ProjectStatus,
    }

    class Created(DengtaAggregate.Created):
        TOPIC = "dengta:Project.Created"

    class Proposed(Created):
        TOPIC = "dengta:Project.Proposed"
        project_type: str
        organization_id: UUID
        leader_id: UUID
        title: str
        description: str
        goal_ids: list[UUID]
        milestones: list[dict[str, Any]]  # {"title", "due_date" (ISO)}

    class Stepped(DengtaAggregate.Event):
        """A lifecycle step: to `status`."""

        TOPIC = "dengta:Project.Stepped"
        status: str
        effective_date: date

    class MilestoneReached(DengtaAggregate.Event):
        TOPIC = "dengta:Project.MilestoneReached"
        index: int
        evidence: list[str]
        effective_date: date

    @event(Proposed)
    def __init__(self, *, id: UUID, actor: str, reason: str, project_type: str,
                 organization_id: UUID, leader_id: UUID, title: str, description: str,
                 goal_ids: list[UUID], milestones: list[dict[str, Any]]) -> None:
        self.project_type = ProjectType(project_type)
        self.organization_id = organization_id
        self.leader_id = leader_id
        self.title = title
        self.goal_ids = goal_ids
        self.milestones = milestones
        self.reached: list[int] = []
        self.status = ProjectStatus.PROPOSED

    @classmethod
    def propose(cls, *, id: UUID, actor: str, project_type: str, organization: Organization,
                leader: Person, title: str, description: str, goals: Sequence[Goal],
                milestones: Sequence[tuple[str, date]], reason: str = "") -> Project:
        organization.check_active()
        if not milestones:
            raise InvalidInputError("a project needs at least one milestone",
                                    field="milestones")
        return cls(id=id, actor=require_actor(actor), reason=reason.strip(),
                   project_type=parse_enum(ProjectType, project_type, "type").value,
                   organization_id=organization.id, leader_id=leader.id,
                   title=require_text(title, "title"), description=description.strip(),
                   goal_ids=[g.id for g in goals],
                   milestones=[{"title": require_text(t, "milestones.title"),
                                "due_date": due.isoformat()} for t, due in milestones])

    def step(self, *, actor: str, step: str, effective_date: date, reason: str = "") -> None:
        if step not in STEPS:
            raise InvalidInputError(f"step must be one of: {', '.join(STEPS)}", field="step")
        sources, target = STEPS[step]
        if self.status not in sources:
            raise InvalidTransitionError(f"a {self.status.value} project cannot be {step}ed")
        why = (require_reason(reason, "a rejection must say why")
               if target is ProjectStatus.REJECTED else reason.strip())
        if step == "accept" and len(self.reached) < len(self.milestones):
            raise InvalidTransitionError("every milestone must be reached before acceptance")
        self._stepped(actor=require_actor(actor), reason=why, status=target.value,
                      effective_date=effective_date)

    def reach_milestone(self, *, actor: str, index: int, evidence: Sequence[str],
                        effective_date: date, reason: str = "") -> None:
        if self.status is not ProjectStatus.IN_PROGRESS:
            raise InvalidTransitionError("milestones are reached while the project is in "
                                         "progress")
        if not 0 <= index < len(self.milestones):
            raise NotFoundError(f"no milestone number {index}", field="index")
        if index in self.reached:
            raise InvalidTransitionError("this milestone is already reached", field="index")
        self._milestone_reached(actor=require_actor(actor), reason=reason.strip(), index=index,
                                evidence=[require_text(e, "evidence", 500) for e in evidence],
                                effective_date=effective_date)

    @event(Stepped)
    def _stepped(self, *, actor: str, reason: str, status: str, effective_date: date) -> None:
        self.status = ProjectStatus(status)

    @event(MilestoneReached)
    def _milestone_reached(self, *, actor: str, reason: str, index: int, evidence: list[str],
                           effective_date: date) -> None:
        self.reached.append(index)
