"""The inspectors' story: a goal's weight lowered after issue, its title revised by a system
job, a responsibility assigned and then revoked retroactively. Each step remembers the
moment after it (position and recorded time), so questions can be asked as of each."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from uuid import UUID

from domain.application import DengtaApplication
from tests.integration.stories import ACTOR, Story, tell

SYSTEM = "system:import"
LOWERED = "年中调整：三会一课权重下调"
REVOKED = "补录：支部已于当日移交直接责任"


@dataclass(frozen=True)
class Moment:
    position: int
    at: datetime


@dataclass
class AuditStory:
    story: Story
    goal: UUID  # the specific goal the story is about
    direct_from: date  # the branch took direct responsibility (effective)
    direct_until: date  # and handed it back (recorded later, back-dated)
    moments: dict[str, Moment] = field(default_factory=dict)


def _moment(app: DengtaApplication) -> Moment:
    row = app.recorder.select_audit(app.recorder.max_notification_id() - 1, 1)[0]  # type: ignore[attr-defined]
    time.sleep(0.002)  # the next write is recorded strictly later
    return Moment(row.position, row.recorded_at)


def tell_audit_story(app: DengtaApplication) -> AuditStory:
    story = tell(app)
    today = date.today()
    told = AuditStory(story, story.specifics[0], today - timedelta(days=20),
                      today - timedelta(days=10))
    told.moments["issued"] = _moment(app)
    app.reweight_subgoals(ACTOR, story.annual, reason=LOWERED,
                          weights={story.specifics[0]: 50, story.specifics[1]: 50})
    told.moments["lowered"] = _moment(app)
    app.revise_goal(SYSTEM, told.goal, reason="数据迁移：统一标题",
                    title="三会一课按期召开（含党课）")
    told.moments["renamed"] = _moment(app)
    app.assign_responsibility(ACTOR, told.goal, party_kind="organization",
                              party_id=story.branch, kind="direct", reason="明确直接责任",
                              effective_date=told.direct_from)
    told.moments["assigned"] = _moment(app)
    app.revoke_responsibility(ACTOR, told.goal, party_id=story.branch, kind="direct",
                              reason=REVOKED, effective_date=told.direct_until)
    told.moments["revoked"] = _moment(app)
    return told
