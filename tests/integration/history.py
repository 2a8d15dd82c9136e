"""A generated history of several hundred events through the use cases, touching every event
type the read models fold. Random choices, fixed seed; refused choices are skipped."""

from __future__ import annotations

import contextlib
import random
from datetime import date, timedelta
from uuid import UUID

from domain.application import DengtaApplication
from domain.errors import DomainError
from domain.goals import Goal
from domain.letters import ResponsibilityLetter
from domain.organizations import Organization
from domain.people import Person
from domain.values import Period, PostKind, qualitative, quantitative

ACTOR = "person:generator"
YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
KINDS = ["collective", "primary", "direct", "specific"]
FIELDS = ["political", "ideological", "organizational", "style", "discipline", "institutional",
          "business_integration"]


def generate(app: DengtaApplication, seed: int = 7, steps: int = 700) -> None:
    rng = random.Random(seed)
    root = app.register_organization(ACTOR, name="省局党组", kind="committee", category="机关").id
    orgs, people, goals = [root], [], []
    for number in range(4):
        orgs.append(app.register_organization(ACTOR, name=f"支部{number}", kind="branch",
                                              category=rng.choice(["营销", "物流", "专卖"]),
                                              parent_id=root).id)
    annuals: list[UUID] = []

    def draft_annual() -> None:
        annuals.append(app.draft_goal(
            ACTOR, level="annual", organization_id=root, field=rng.choice(FIELDS),
            title=f"年度目标{len(annuals)}", period=YEAR, weight=100,
            indicator=qualitative([("优秀", 100), ("合格", 60)])).id)
        goals.append(annuals[-1])

    draft_annual()

    def pick(ids: list[UUID]) -> UUID:
        return rng.choice(ids)

    actions = [
        lambda: people.append(app.register_person(ACTOR, name=f"党员{len(people)}",
                                                  party_member=rng.random() < 0.9).id),
        lambda: app.appoint(ACTOR, pick(people), organization_id=pick(orgs),
                            post=rng.choice(["secretary", "member", "staff"]),
                            effective_date=date(2026, 1, 1) + timedelta(days=rng.randrange(90))),
        lambda: app.end_post(ACTOR, (p := app.get(Person, pick(people))).id,
                             organization_id=p.posts[0]["organization_id"],
                             post=p.posts[0]["post"], reason="调动"),
        lambda: app.change_party_membership(ACTOR, pick(people), party_member=True),
        draft_annual,
        lambda: goals.append(app.draft_goal(
            ACTOR, level="specific", organization_id=pick(orgs[1:]), field=rng.choice(FIELDS),
            title=f"具体目标{len(goals)}", period=YEAR, weight=rng.choice([10, 20, 30, 40]),
            indicator=quantitative("次", 0, 12, rng.choice(["higher_is_better",
                                                           "lower_is_better"])),
            parent_id=pick(annuals)).id),
        lambda: app.issue_goal(ACTOR, pick(goals)),
        lambda: app.report_progress(ACTOR, pick(goals), value=rng.randrange(15),
                                    effective_date=date(2026, rng.randrange(1, 13), 1)),
        lambda: app.report_progress(ACTOR, pick(annuals), rubric_level=rng.choice(["优秀", "合格"]),
                                    effective_date=date(2026, rng.randrange(1, 13), 1)),
        lambda: app.assign_responsibility(ACTOR, pick(goals), party_kind="person",
                                          party_id=pick(people), kind=rng.choice(KINDS),
                                          reason="分工"),
        lambda: app.assign_responsibility(ACTOR, pick(goals), party_kind="organization",
                                          party_id=pick(orgs), kind="collective", reason="分工"),
        lambda: app.revoke_responsibility(
            ACTOR, (g := app.get(Goal, pick(goals))).id,
            party_id=g.responsibilities[0]["party_id"], kind=g.responsibilities[0]["kind"],
            reason="调整"),
        lambda: app.revise_goal(ACTOR, pick(goals), title=f"修订{rng.randrange(99)}",
                                reason="调整"),
        lambda: app.reweight_subgoals(ACTOR, (a := pick(annuals)), reason="调整",
                                      weights=_split(app, a)),
        lambda: app.close_goal(ACTOR, pick(goals)),
        lambda: app.cancel_goal(ACTOR, pick(goals), reason="撤销"),
        lambda: app.rename_organization(ACTOR, pick(orgs), name=f"更名{rng.randrange(99)}"),
        lambda: orgs.append(app.register_organization(ACTOR, name=f"小组{len(orgs)}",
                                                      kind="group", category="营销",
                                                      parent_id=pick(orgs[1:5])).id),
        lambda: app.move_organization(ACTOR, pick(orgs[5:] or orgs[1:]),
                                      new_parent_id=pick(orgs[1:5]), reason="调整"),
        lambda: app.recategorize_organization(ACTOR, pick(orgs[1:]), category="县级局",
                                              reason="分类考核"),
        lambda: app.dissolve_organization(ACTOR, pick(orgs[5:] or orgs[1:]), reason="撤并"),
    ]
    people.append(app.register_person(ACTOR, name="书记", party_member=True).id)
    for _ in range(steps):
        with contextlib.suppress(DomainError, IndexError):
            rng.choice(actions)()
    for annual in annuals:
        try:
            app.reweight_subgoals(ACTOR, annual, weights=_split(app, annual), reason="定稿")
            app.issue_goal_tree(ACTOR, annual)
        except DomainError:
            pass
    accountability(app, rng, orgs, people, goals)
    organizational_life(app, rng, orgs, people)
    standardisation(app, rng, orgs)
    member_evaluation(app, rng, orgs)
    pioneer_posts(app, rng, orgs, people)


def member_evaluation(app: DengtaApplication, rng: random.Random, orgs: list[UUID]) -> None:
    """A round in a few branches: members appointed for it, self- and mutual evaluations,
    proposals, grades (some 不合格) and reviews, in a random order of steps."""
    branches = [o for o in orgs if app.get(Organization, o).kind.value == "branch"]
    today = date(2027, 3, 1)
    for branch in branches[:3]:
        with contextlib.suppress(DomainError):
            members = [app.register_person(ACTOR, name=f"党员{n}", party_member=True).id
                       for n in range(3)]
            for member in members:
                app.appoint(ACTOR, member, organization_id=branch, post="member",
                            effective_date=date(2026, 1, 1))
            evaluation = app.open_member_evaluation(
                ACTOR, organization_id=branch, year=2026, opened_on=date(2027, 1, 5),
                today=today, member_ids=members).id
            day = date(2027, 1, 5) + timedelta(days=rng.randrange(10))
            for member in members:
                other = rng.choice([m for m in members if m != member])
                grade = rng.choice(["excellent", "qualified", "unqualified"])
                steps = [
                    lambda m=member, d=day, e=evaluation: app.submit_self_evaluation(
                        f"person:{m}", e, summary="自我评价", evaluated_on=d,
                        today=today),
                    lambda m=member, o=other, d=day, e=evaluation: app.submit_mutual_evaluation(
                        f"person:{o}", e, member_id=m, grade="qualified",
                        evaluated_on=d, today=today),
                    lambda m=member, g=grade, d=day, e=evaluation: app.propose_member_grade(
                        "system:committee", e, member_id=m, grade=g, opinion="意见",
                        proposed_on=d, today=today),
                    lambda m=member, g=grade, d=day, e=evaluation: app.grade_member(
                        ACTOR, e, member_id=m, grade=g, graded_on=d,
                        today=today, reason="评定"),
                    lambda m=member, d=day, e=evaluation: app.review_member_grade(
                        "system:review", e, member_id=m, outcome="changed",
                        grade="basically_qualified", reviewed_on=d + timedelta(days=20),
                        today=today, reason="审核"),
                ]
                for step in steps[:rng.randrange(1, len(steps) + 1)]:
                    with contextlib.suppress(DomainError):
                        step()


def pioneer_posts(app: DengtaApplication, rng: random.Random, orgs: list[UUID],
                  people: list[UUID]) -> None:
    """Posts designated to the branches' members, followed up, ended early, corrected and
    cancelled."""
    posts: list[UUID] = []
    for person in people:
        for held in app.get(Person, person).posts:
            start = date(2026, 4, 1) + timedelta(days=rng.randrange(30))
            with contextlib.suppress(DomainError):
                posts.append(app.designate_pioneer(
                    ACTOR, organization_id=held["organization_id"], holder_id=person,
                    kind=rng.choice(["exemplary_post", "responsibility_zone"]),
                    title=f"示范岗{len(posts)}", scope="服务一线", held_from=start,
                    held_to=date(2026, 12, 31)).id)
    steps = [
        lambda post: app.follow_up_pioneer(ACTOR, post, note="跟进", followed_on=date(2026, 6, 1),
                                           today=date(2026, 12, 31)),
        lambda post: app.end_pioneer_early(ACTOR, post, ended_on=date(2026, 9, 1),
                                           today=date(2026, 12, 31), reason="调岗"),
        lambda post: app.correct_pioneer_period(ACTOR, post, held_from=date(2026, 5, 1),
                                                held_to=date(2026, 11, 30), reason="录错"),
        lambda post: app.correct_pioneer_details(ACTOR, post, title="先锋岗", scope="窗口",
                                                 description="", reason="更名"),
        lambda post: app.cancel_pioneer(ACTOR, post, reason="录错"),
    ]
    for post in posts:
        for step in rng.sample(steps, rng.randrange(len(steps))):
            with contextlib.suppress(DomainError):
                step(post)


def standardisation(app: DengtaApplication, rng: random.Random, orgs: list[UUID]) -> None:
    """A standard, revised; the branches' self-checks, accepted at random levels, some
    lowered, revoked and accepted again."""
    items = [{"code": "1", "title": "组织生活", "points": 60},
             {"code": "2", "title": "组织设置", "points": 40}]
    standard = app.define_standard(ACTOR, organization_id=orgs[0], title="党支部工作标准",
                                   effective_from=date(2025, 1, 1), items=items).id
    app.revise_standard(ACTOR, standard, effective_from=date(2026, 1, 1), items=items[:1],
                        reason="新规程")
    branches = [o for o in orgs if app.get(Organization, o).kind.value == "branch"]
    for branch in branches[:6]:
        day = date(2026, 2, 1) + timedelta(days=rng.randrange(100))
        steps = [
            lambda b=branch, d=day: app.self_check_branch(
                "system:self-check", organization_id=b, standard_id=standard, checked_on=d,
                today=date(2026, 12, 31),
                scores=[{"code": "1", "score": rng.randrange(61), "evidence": "台账"}]),
            lambda b=branch, d=day: app.accept_branch(
                ACTOR, organization_id=b, level=rng.choice(["unqualified", "qualified",
                                                            "exemplary"]),
                effective_date=d + timedelta(days=10), today=date(2026, 12, 31),
                reason="验收"),
            lambda b=branch, d=day: app.lower_branch_level(
                ACTOR, organization_id=b, level="unqualified",
                effective_date=d + timedelta(days=60), today=date(2026, 12, 31), reason="降级"),
            lambda b=branch, d=day: app.revoke_branch_level(
                ACTOR, organization_id=b, effective_date=d + timedelta(days=90),
                today=date(2026, 12, 31), reason="撤销"),
        ]
        for step in steps[:rng.randrange(1, len(steps) + 1)]:
            with contextlib.suppress(DomainError):
                step()


def organizational_life(app: DengtaApplication, rng: random.Random, orgs: list[UUID],
                        people: list[UUID]) -> None:
    """Rules, meetings held by the branches' secretaries, corrected and cancelled."""
    with contextlib.suppress(DomainError):
        rules = app.define_meeting_rules(ACTOR, organization_id=orgs[0], title="三会一课制度",
                                         effective_from=date(2026, 1, 1), rules=[
            {"organization_kind": "branch", "meeting_kind": "branch_general",
             "cadence": "quarterly", "times": 1}]).id
        app.revise_meeting_rules(ACTOR, rules, effective_from=date(2026, 7, 1), reason="加密",
                                 rules=[{"organization_kind": "branch",
                                         "meeting_kind": "branch_general",
                                         "cadence": "monthly", "times": 1}])
    meetings: list[UUID] = []
    for _ in range(30):
        org = rng.choice(orgs[1:5])
        holders = [p for p in people if app.get(Person, p).holds(org, PostKind.SECRETARY)]
        if not holders:
            continue
        held = date(2026, 3, 2) + timedelta(days=rng.randrange(200))
        with contextlib.suppress(DomainError):
            meetings.append(app.record_meeting(
                ACTOR, organization_id=org, kind=rng.choice(["branch_general", "lecture"]),
                held_on=held, today=date(2026, 12, 31), topic=f"学习{len(meetings)}",
                presider_id=holders[0],
                attendance=[{"person_id": holders[0], "status": "present", "reason": ""}]).id)
    for meeting in meetings[:3]:
        with contextlib.suppress(DomainError):
            app.correct_minutes(ACTOR, meeting, topic="更正后的议题", minutes="补记",
                                evidence=[], reason="漏记")
    for meeting in meetings[3:4]:
        with contextlib.suppress(DomainError):
            app.cancel_meeting(ACTOR, meeting, reason="重复记录")


def accountability(app: DengtaApplication, rng: random.Random, orgs: list[UUID],
                   people: list[UUID], goals: list[UUID], steps: int = 200) -> None:
    """Letters, commitments, findings, projects and sanctions over the generated world."""
    letters: list[UUID] = []
    findings: list[UUID] = []
    projects: list[UUID] = []
    sanctions: list[UUID] = []
    commitments: list[UUID] = []
    day = date(2026, 3, 1)
    for org in orgs[:5]:  # secretaries to sign letters
        chief = app.register_person(ACTOR, name=f"书记{len(people)}", party_member=True).id
        people.append(chief)
        with contextlib.suppress(DomainError):
            app.appoint(ACTOR, chief, organization_id=org, post="secretary", effective_date=day)

    def secretary_of(org: UUID) -> UUID:
        return next(p for p in people if app.get(Person, p).holds(org, PostKind.SECRETARY))

    def sign() -> None:
        letter = app.get(ResponsibilityLetter, rng.choice(letters))
        side = rng.choice(["issuer", "recipient"])
        org = letter.issuer_id if side == "issuer" else letter.recipient_id
        app.sign_letter(ACTOR, letter.id, side=side, signer_id=secretary_of(org),
                        effective_date=day)

    def list_goal() -> None:
        letter = app.get(ResponsibilityLetter, rng.choice(letters))
        own = [g for g in goals if app.get(Goal, g).organization_id == letter.recipient_id]
        app.list_letter_goal(ACTOR, letter.id, goal_id=rng.choice(own))

    def draft_letter() -> None:
        goal = app.get(Goal, rng.choice(goals))
        letters.append(app.draft_letter(
            ACTOR, issuer_id=orgs[0], recipient_id=goal.organization_id, year=2026,
            title=f"责任书{len(letters)}", sign_by=date(2026, 2, 28), goal_ids=[goal.id]).id)

    def amend() -> None:
        letter = app.get(ResponsibilityLetter, rng.choice(letters))
        app.propose_amendment(ACTOR, letter.id, goal_id=rng.choice(letter.goal_ids),
                              title=f"修正{rng.randrange(99)}", reason="修正")

    def decide() -> None:
        letter = app.get(ResponsibilityLetter, rng.choice(letters))
        amendment = UUID(rng.choice(list(letter.amendments)))
        if rng.random() < 0.5:
            app.approve_amendment(ACTOR, letter.id, amendment_id=amendment, reason="同意")
        else:
            app.reject_amendment(ACTOR, letter.id, amendment_id=amendment, reason="不同意")

    actions = [
        draft_letter, draft_letter, list_goal, list_goal, list_goal, sign, sign, sign, amend,
        amend, decide, decide,
        lambda: commitments.append(app.make_commitment(
            ACTOR, party_kind="person", party_id=rng.choice(people), organization_id=orgs[0],
            title="承诺", content="为群众办实事", due_date=date(2026, 12, 31),
            effective_date=day).id),
        lambda: app.follow_up_commitment(ACTOR, rng.choice(commitments), note="进展",
                                         evidence=["台账"], effective_date=day),
        lambda: app.conclude_commitment(ACTOR, rng.choice(commitments),
                                        fulfilled=rng.random() < 0.5, effective_date=day,
                                        reason="评议"),
        lambda: findings.append(app.raise_finding(
            ACTOR, title=f"问题{len(findings)}", source="inspection", severity="minor",
            organization_id=rng.choice(orgs), owner_id=rng.choice(people),
            deadline=date(2026, rng.randrange(4, 13), 1), effective_date=day).id),
        lambda: app.plan_measure(ACTOR, rng.choice(findings), description="措施",
                                 owner_id=rng.choice(people),
                                 due_date=date(2026, rng.randrange(4, 13), 1)),
        lambda: app.submit_rectification(ACTOR, rng.choice(findings), evidence=["证明"],
                                         effective_date=day),
        lambda: app.return_rectification("person:inspector", rng.choice(findings),
                                         reason="不合格", effective_date=day),
        lambda: app.verify_rectification("person:inspector", rng.choice(findings),
                                         effective_date=day),
        lambda: app.reopen_finding("person:inspector", rng.choice(findings),
                                   reason="回头看", effective_date=day),
        lambda: projects.append(app.propose_project(
            ACTOR, project_type="promotion", organization_id=rng.choice(orgs),
            leader_id=rng.choice(people), title=f"项目{len(projects)}",
            milestones=[("方案", day)]).id),
        lambda: app.step_project(ACTOR, rng.choice(projects),
                                 step=rng.choice(["approve", "start", "accept", "reject"]),
                                 effective_date=day, reason="评审"),
        lambda: app.reach_milestone(ACTOR, rng.choice(projects), index=0, evidence=[],
                                    effective_date=day),
        lambda: sanctions.append(app.issue_sanction(
            ACTOR, kind=rng.choice(["commendation", "written_warning"]), party_kind="person",
            party_id=rng.choice(people), organization_id=rng.choice(orgs),
            basis=[("finding", rng.choice(findings))], effective_date=day, reason="依据").id),
        lambda: app.revoke_sanction(ACTOR, rng.choice(sanctions), reason="撤销",
                                    effective_date=day),
    ]
    for _ in range(steps):
        with contextlib.suppress(DomainError, IndexError, StopIteration):
            rng.choice(actions)()


def _split(app: DengtaApplication, parent: UUID) -> dict[UUID, int]:
    live = [g for g in app.subgoals(app.get(Goal, parent)) if g.is_active]
    if not live:
        return {}
    share = 100 // len(live)
    weights = {g.id: share for g in live}
    weights[live[0].id] += 100 - share * len(live)
    return weights


__all__ = ["Organization", "generate"]
