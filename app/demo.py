"""The demo: a year of a party committee told in chapters, each recorded after the one before,
so that the end of each is a moment `asOf` can travel to (the organisation in
`demo_organization`, letters, findings and projects in `demo_accountability`, the assessment
in `demo_assessment`, the later changes in `demo_history`).

A chapter's moment is read from the log, the same way on every run: the recorded time of the
chapter's last event (found by its record's deterministic id and its event type), rounded up
to the whole second when nothing else was recorded by then, so that it can be typed."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from app.demo_accountability import AccountabilityDemo
from app.demo_assessment import DemoAssessment
from app.demo_history import REASSIGNED, REWEIGHTS, DemoChanges
from app.demo_life import LifeDemo, last_meeting
from app.demo_members import MembersDemo, round_id
from app.demo_organization import DemoLoader, DemoReport, demo_id, last_person
from app.demo_pioneer import PioneerDemo
from app.demo_standards import StandardsDemo
from domain.application import DengtaApplication
from store.audit_reads import last_event_of, recorded_after
from store.chain import audited
from store.db import Connection


@dataclass(frozen=True)
class Chapter:
    title: str
    load: Callable[[], None]
    last_event: tuple[UUID, str]  # the chapter's last write: its record and event type


@dataclass(frozen=True)
class Moment:
    title: str
    at: datetime  # UTC
    position: int

    @property
    def iso(self) -> str:
        return self.at.isoformat().replace("+00:00", "Z")


def chapters(loader: DemoLoader) -> list[Chapter]:
    accountability = AccountabilityDemo(loader)
    assessment = DemoAssessment(loader, loader.specific_goals())
    changes = DemoChanges(loader)
    life = LifeDemo(loader)
    standards = StandardsDemo(loader)
    pioneer = PioneerDemo(loader)

    def steps(*taken: Callable[[], None]) -> Callable[[], None]:
        def load() -> None:
            for step in taken:
                step()
        return load

    last_reweighted = list(REWEIGHTS[-1][1])[-1]
    return [
        Chapter("组织与人员到位", steps(loader.organizations, loader.people),
                (last_person(), "PostTaken")),
        Chapter("2026年度目标下达与责任书签订",
                steps(loader.goals, life.rules, pioneer.designations, accountability.letters),
                (demo_id("letter/dongshan"), "Signed")),
        Chapter("一季度执行", steps(accountability.amendment, accountability.project,
                                    lambda: loader.progress(1), lambda: life.quarter(1),
                                    standards.self_checks, accountability.commitment),
                (demo_id("commitment/marketing-secretary"), "FollowedUp")),
        Chapter("二季度执行与年中权重调整", steps(accountability.findings,
                                                  lambda: loader.progress(2),
                                                  lambda: life.quarter(2), life.revision,
                                                  pioneer.mid_year, changes.reweightings),
                (demo_id(f"goal/{last_reweighted}"), "Reweighted")),
        Chapter("二季度考核公布", steps(accountability.commendation, standards.acceptances,
                                          assessment.load),
                (demo_id("cycle/2026Q2"), "Published")),
        Chapter("公布后更正、补报与复查", steps(changes.correction, changes.backdated_report,
                                                changes.reopening, life.correction,
                                                life.cancellation, standards.lowering,
                                                changes.revocation),
                (demo_id("sanction/marketing-commendation"), "Revoked")),
        Chapter("东山县局党支部书记调整", changes.secretary_replaced,
                (loader.specific_goals()[REASSIGNED][-1], "ResponsibilityAssigned")),
        Chapter("下半年组织生活", steps(pioneer.second_half, lambda: life.quarter(3),
                                        lambda: life.quarter(4)),
                (last_meeting(), "Recorded")),
        Chapter("年度民主评议党员", MembersDemo(loader).load, (round_id(), "Reviewed")),
    ]


def load_demo(app: DengtaApplication, *, pause: bool = False) -> DemoReport:
    """Load what is missing of the demo, chapter by chapter. With `pause`, a chapter that
    wrote waits for the next whole second before the next one begins, so its moment can be
    typed without fractions of a second."""
    loader = DemoLoader(app)
    story = chapters(loader)
    for number, chapter in enumerate(story, 1):
        before = loader.report.last_position
        chapter.load()
        written = loader.report.last_position
        if pause and written != before and written is not None and number < len(story):
            [row] = audited(app.recorder).select_audit(written - 1, 1)
            time.sleep(max(0.0, math.floor(row.recorded_at.timestamp()) + 1.01 - time.time()))
    return loader.report


def moments(app: DengtaApplication, conn: Connection) -> list[Moment]:
    """The end of each chapter the log holds, as recorded."""
    found = []
    for chapter in chapters(DemoLoader(app)):
        last = last_event_of(conn, *chapter.last_event)
        if last is None:
            continue
        position, recorded = last
        rounded = datetime.fromtimestamp(math.ceil(recorded.timestamp()), UTC)
        following = recorded_after(conn, position)
        at = rounded if following is None or following > rounded else recorded
        found.append(Moment(chapter.title, at.astimezone(UTC), position))
    return found
