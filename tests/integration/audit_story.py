"""The inspectors' story: a goal's weight lowered after issue, its title revised by a system
job, a responsibility assigned and then revoked retroactively; an assessment whose score is
corrected after publication (tests/integration/assessment_story.py); a finding closed, then
reopened. Each step remembers the moment after it (position and recorded time), so questions
can be asked as of each."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from uuid import UUID

from domain.application import DengtaApplication
from tests.integration import assessment_story
from tests.integration.assessment_story import Assessment
from tests.integration.stories import ACTOR, Story, tell

SYSTEM = "system:import"
LOWERED = "年中调整：三会一课权重下调"
REVOKED = "补录：支部已于当日移交直接责任"
INSPECTOR = "person:discipline-inspector"
REOPENED = "回头看：整改后问题反弹，重新打开"


@dataclass(frozen=True)
class Moment:
    position: int
    at: datetime
    digest: str  # the chain head an inspector could have kept then


@dataclass
class AuditStory:
    story: Story
    goal: UUID  # the specific goal the story is about
    direct_from: date  # the branch took direct responsibility (effective)
    direct_until: date  # and handed it back (recorded later, back-dated)
    moments: dict[str, Moment] = field(default_factory=dict)
    assessment: Assessment | None = None  # C1's organisational score corrected 84 -> 100
    finding: UUID | None = None  # owned by the branch secretary, closed then reopened

    def corrected_evaluation(self) -> UUID:
        assert self.assessment is not None
        return self.assessment.evaluations[("C1", "organizational")]


def _moment(app: DengtaApplication) -> Moment:
    row = app.recorder.select_audit(app.recorder.max_notification_id() - 1, 1)[0]  # type: ignore[attr-defined]
    time.sleep(0.002)  # the next write is recorded strictly later
    return Moment(row.position, row.recorded_at, f"{row.position}:{row.hash.hex()}")


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
    told.assessment = assessment_story.stage(app)
    assessment_story.evaluate_all(app, told.assessment)
    told.moments["scored"] = _moment(app)
    assessment_story.publish(app, told.assessment)
    told.moments["published"] = _moment(app)
    assessment_story.correct_c1(app, told.assessment)
    told.moments["corrected"] = _moment(app)
    _close_then_reopen_a_finding(app, told, today)
    return told


def _close_then_reopen_a_finding(app: DengtaApplication, told: AuditStory, today: date) -> None:
    secretary, owner = told.story.secretary, f"person:{told.story.secretary}"
    told.finding = app.raise_finding(
        INSPECTOR, title="三会一课记录不全", source="inspection", severity="major",
        organization_id=told.story.branch, owner_id=secretary,
        deadline=today - timedelta(days=30), effective_date=today - timedelta(days=60),
        goal_id=told.goal, reason="专项检查发现").id
    app.plan_measure(owner, told.finding, description="补齐会议记录并建立台账",
                     owner_id=secretary, due_date=today - timedelta(days=40))
    app.submit_rectification(owner, told.finding, evidence=["会议记录台账.pdf"],
                             effective_date=today - timedelta(days=45))
    told.moments["submitted"] = _moment(app)
    app.verify_rectification(INSPECTOR, told.finding, effective_date=today - timedelta(days=35),
                             reason="核查属实，予以销号")
    told.moments["closed"] = _moment(app)
    app.reopen_finding(INSPECTOR, told.finding, reason=REOPENED,
                       effective_date=today - timedelta(days=5))
    told.moments["reopened"] = _moment(app)
