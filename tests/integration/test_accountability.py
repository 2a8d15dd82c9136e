"""Letters, findings and their closed loop, escalation and the accountability view, through the
use cases and the read models, on each backend."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from domain.errors import LetterSignedError, SegregationOfDutiesError, SignerNotAuthorizedError
from domain.findings import person_actor
from domain.goals import Goal
from projections import ALL, rectification
from projections import accountability as views
from projections import goals as goal_views
from projections.engine import Follower, reset
from store.db import Database
from store.url import DatabaseURL
from tests.integration.stories import ACTOR, YEAR, Story, tell
from tests.integration.views import build, dump_tables

TODAY = date(2026, 6, 30)


@pytest.fixture
def conn(database_url: str):
    with Database(DatabaseURL(database_url)).connection() as connection:
        yield connection


def view_of(conn, story: Story, party_kind: str, party_id: UUID, position: int | None = None,
            today: date = TODAY) -> views.AccountabilityView:
    return views.accountability(conn, party_kind, str(party_id), today, position)


def raise_finding(app, story: Story, owner: UUID, deadline: date = date(2026, 5, 31)) -> UUID:
    return app.raise_finding(
        "person:inspector", title="三会一课记录不全", source="inspection", severity="major",
        organization_id=story.branch, owner_id=owner, deadline=deadline,
        effective_date=date(2026, 4, 1), goal_id=story.specifics[0]).id


def test_the_closed_loop_shows_every_step_in_the_view_and_in_the_events(app, conn) -> None:
    story = tell(app)
    clerk = app.register_person(ACTOR, name="王干事", party_member=True).id
    app.appoint(ACTOR, clerk, organization_id=story.branch, post="member")
    finding = raise_finding(app, story, owner=story.secretary)
    submitter = person_actor(clerk)
    steps = [
        app.plan_measure(ACTOR, finding, description="补齐会议记录", owner_id=clerk,
                         due_date=date(2026, 5, 15)),
        app.submit_rectification(submitter, finding, evidence=["记录-补.pdf"],
                                 effective_date=date(2026, 5, 10)),
        app.return_rectification("person:inspector", finding, reason="缺少签字",
                                 effective_date=date(2026, 5, 12)),
        app.submit_rectification(submitter, finding, evidence=["记录-签字.pdf"],
                                 effective_date=date(2026, 5, 20)),
    ]
    # Self-verification: the submitter, and the finding's owner, are refused; nothing written.
    head = app.recorder.max_notification_id()
    for who in (submitter, person_actor(story.secretary)):
        with pytest.raises(SegregationOfDutiesError):
            app.verify_rectification(who, finding, effective_date=date(2026, 5, 21))
    assert app.recorder.max_notification_id() == head
    steps.append(app.verify_rectification("person:inspector", finding,
                                          effective_date=date(2026, 5, 21), reason="核查属实"))
    build(app, conn)

    expected = [("open", 0, 0), ("submitted", 1, 0), ("open", 1, 1), ("submitted", 2, 1),
                ("closed", 2, 1)]
    for written, (status, submissions, returns) in zip(steps, expected, strict=True):
        for party_kind, party in (("organization", story.branch), ("person", story.secretary),
                                  ("person", clerk)):
            seen = view_of(conn, story, party_kind, party, written.position).findings
            assert [(f.status, f.submissions, f.returns) for f in seen] == [
                (status, submissions, returns)], (party_kind, written)
    closed = view_of(conn, story, "organization", story.branch).findings[0]
    assert closed.last_actor == "person:inspector" and closed.evidence == ["记录-签字.pdf"]

    history = [(type(e).__name__, e.actor, e.reason)
               for e in app.repository.event_store.get(finding)]
    assert history == [
        ("Raised", "person:inspector", ""), ("MeasurePlanned", ACTOR, ""),
        ("Submitted", submitter, ""), ("Returned", "person:inspector", "缺少签字"),
        ("Submitted", submitter, ""), ("Verified", "person:inspector", "核查属实"),
    ]


def test_overdue_escalation_names_who_held_the_posts_on_the_due_date(app, conn) -> None:
    story = tell(app)
    since = date(2025, 1, 1)
    committee_secretary = app.register_person(ACTOR, name="赵书记", party_member=True).id
    app.appoint(ACTOR, committee_secretary, organization_id=story.committee, post="secretary",
                effective_date=since)
    branch = app.register_organization(ACTOR, name="物流党支部", kind="branch", category="物流",
                                       parent_id=story.committee).id
    secretary = app.register_person(ACTOR, name="孙书记", party_member=True).id
    app.appoint(ACTOR, secretary, organization_id=branch, post="secretary", effective_date=since)
    owner = app.register_person(ACTOR, name="钱委员", party_member=True).id
    finding = app.raise_finding(
        "person:inspector", title="台账不规范", source="self_check", severity="minor",
        organization_id=branch, owner_id=owner, deadline=date(2026, 5, 31),
        effective_date=date(2026, 4, 1)).id
    app.plan_measure(ACTOR, finding, description="整改", owner_id=owner,
                     due_date=date(2026, 5, 20))
    # After the due dates the branch secretary changes: the successor took over on June 10th.
    successor = app.register_person(ACTOR, name="周书记", party_member=True).id
    app.end_post(ACTOR, secretary, organization_id=branch, post="secretary",
                 effective_date=date(2026, 6, 10))
    app.appoint(ACTOR, successor, organization_id=branch, post="secretary",
                effective_date=date(2026, 6, 10))
    build(app, conn)

    overdue = views.accountability(conn, "organization", str(branch), TODAY).overdue
    assert [(i.measure is not None, i.days_overdue) for i in overdue] == [(True, 41),
                                                                          (False, 30)]
    for item in overdue:
        assert [(e.level, e.person_id, e.name) for e in item.chain] == [
            ("owner", str(owner), "钱委员"), ("secretary", str(secretary), "孙书记"),
            ("parent_secretary", str(committee_secretary), "赵书记")]
    # Something falling due after the change escalates to the successor.
    later = rectification.escalation_chain(conn, str(owner), str(branch), date(2026, 6, 15))
    assert (later[1].person_id, later[1].name) == (str(successor), "周书记")
    # Nothing is overdue before the deadlines.
    assert views.accountability(conn, "organization", str(branch), date(2026, 5, 1)).overdue \
        == []


def letter_for(app, story: Story) -> UUID:
    committee_secretary = app.register_person(ACTOR, name="赵书记", party_member=True).id
    app.appoint(ACTOR, committee_secretary, organization_id=story.committee, post="secretary")
    letter = app.draft_letter(ACTOR, issuer_id=story.committee, recipient_id=story.branch,
                              year=2026, title="2026年党建工作目标责任书",
                              sign_by=date(2026, 2, 28), goal_ids=story.specifics).id
    with pytest.raises(SignerNotAuthorizedError):
        app.sign_letter(ACTOR, letter, side="issuer", signer_id=story.secretary,
                        effective_date=date(2026, 2, 1))
    app.sign_letter(ACTOR, letter, side="issuer", signer_id=committee_secretary,
                    effective_date=date(2026, 2, 1))
    app.sign_letter(ACTOR, letter, side="recipient", signer_id=story.secretary,
                    effective_date=date(2026, 2, 2))
    return letter


def test_a_signed_letters_goal_changes_only_through_an_approved_amendment(app, conn) -> None:
    story = tell(app)
    letter = letter_for(app, story)
    goal_id = story.specifics[0]
    head = signed = app.recorder.max_notification_id()
    with pytest.raises(LetterSignedError):
        app.revise_goal(ACTOR, goal_id, title="三会一课按月召开", reason="调整")
    with pytest.raises(LetterSignedError):
        app.cancel_goal(ACTOR, goal_id, reason="撤销")
    assert app.recorder.max_notification_id() == head

    amendment = UUID(int=7)
    app.propose_amendment(ACTOR, letter, goal_id=goal_id, title="三会一课按月召开",
                          reason="上级要求按月召开", amendment_id=amendment)
    assert app.get(Goal, goal_id).title == "三会一课按期召开"  # proposed is not approved
    app.approve_amendment("person:committee", letter, amendment_id=amendment, reason="同意")
    assert app.get(Goal, goal_id).title == "三会一课按月召开"
    build(app, conn)

    seen = views.letter(conn, str(letter))
    assert seen is not None and seen.status == "signed"
    on_letter = goal_views.goal(conn, str(goal_id))
    assert on_letter is not None and on_letter.letter_id == str(letter)
    # Before the recipient signed: that save also bound each goal on the letter.
    drafted = goal_views.goal(conn, str(goal_id), signed - 1 - len(story.specifics))
    assert drafted is not None and drafted.letter_id is None
    assert [(a.status, a.changes, a.reason, a.decided_by) for a in seen.amendments] == [
        ("approved", {"title": "三会一课按月召开"}, "上级要求按月召开", "person:committee")]
    history = [type(e).__name__ for e in app.repository.event_store.get(letter)]
    assert history[-2:] == ["AmendmentProposed", "AmendmentApproved"]
    assert [type(e).__name__ for e in app.repository.event_store.get(goal_id)][-2:] == [
        "BoundToLetter", "Revised"]


def test_the_view_as_of_a_past_position_equals_the_state_replayed_to_it(app, conn,
                                                                          tmp_path) -> None:
    story = tell(app)
    letter = letter_for(app, story)
    finding = raise_finding(app, story, owner=story.secretary)
    app.plan_measure(ACTOR, finding, description="补齐", owner_id=story.secretary,
                     due_date=date(2026, 5, 1))
    app.make_commitment(ACTOR, party_kind="person", party_id=story.secretary,
                        organization_id=story.branch, title="为群众办实事3件",
                        content="走访零售户", due_date=date(2026, 12, 31),
                        effective_date=date(2026, 1, 10))
    project = app.propose_project(ACTOR, project_type="innovation",
                                  organization_id=story.branch, leader_id=story.secretary,
                                  title="党建+营销服务品牌", goal_ids=story.specifics[:1],
                                  milestones=[("方案", date(2026, 3, 1))]).id
    app.step_project(ACTOR, project, step="approve", effective_date=date(2026, 2, 1))
    app.issue_sanction("person:inspector", kind="admonishing_talk", party_kind="person",
                       party_id=story.secretary, organization_id=story.branch,
                       basis=[("finding", finding), ("letter", letter)],
                       effective_date=date(2026, 6, 1), reason="整改逾期")
    app.submit_rectification(ACTOR, finding, evidence=["补.pdf"],
                             effective_date=date(2026, 6, 2))
    head = app.recorder.max_notification_id()
    build(app, conn)
    parties = [("person", story.secretary), ("organization", story.branch),
               ("organization", story.committee)]
    for position in range(story.last_position, head + 1):
        reference_db = Database(DatabaseURL(f"sqlite:///{tmp_path}/upto-{position}.db"))
        with reference_db.connection() as reference:
            for projection in ALL:
                follower = Follower(projection, app, reference)
                follower.prepare()
                follower.catch_up(stop=position)
            for kind, party in parties:
                assert view_of(conn, story, kind, party, position) == view_of(
                    reference, story, kind, party), (position, kind)
    final = view_of(conn, story, "person", story.secretary)
    assert [s.kind for s in final.sanctions] == ["admonishing_talk"]
    assert [p.status for p in final.projects] == ["approved"]
    assert [c.title for c in final.commitments] == ["为群众办实事3件"]
    assert {r.goal_title for r in final.responsibilities} == {"三会一课按期召开"}
    assert [letter.status for letter in final.letters] == ["signed"]
    branch = view_of(conn, story, "organization", story.branch)
    assert branch.gaps and all(g.organization_id == str(story.branch) for g in branch.gaps)


def test_a_letter_unsigned_past_its_deadline_is_overdue(app, conn) -> None:
    story = tell(app)
    app.draft_letter(ACTOR, issuer_id=story.committee, recipient_id=story.branch, year=2026,
                     title="责任书", sign_by=date(2026, 2, 28), goal_ids=story.specifics[1:])
    build(app, conn)
    [letter] = view_of(conn, story, "organization", story.branch).letters
    assert letter.is_overdue(date(2026, 3, 1)) and not letter.is_overdue(date(2026, 2, 28))
    assert YEAR.start.year == letter.year


def test_rebuilding_the_new_read_models_equals_folding_them_incrementally(app, conn) -> None:
    story = tell(app)
    followers = [Follower(p, app, conn, batch_size=3) for p in ALL]
    for follower in followers:
        follower.prepare()
    letter = letter_for(app, story)
    for follower in followers:
        follower.catch_up()
    app.propose_amendment(ACTOR, letter, goal_id=story.specifics[1], title="主题党日每月一次",
                          reason="细化", amendment_id=UUID(int=9))
    app.approve_amendment(ACTOR, letter, amendment_id=UUID(int=9), reason="同意")
    finding = raise_finding(app, story, owner=story.secretary)
    app.plan_measure(ACTOR, finding, description="补齐", owner_id=story.secretary,
                     due_date=date(2026, 5, 1))
    app.end_post(ACTOR, story.secretary, organization_id=story.branch, post="secretary",
                 effective_date=date(2026, 6, 1))
    for follower in followers:
        follower.catch_up()
    incremental = dump_tables(conn)
    assert incremental["view_letter_amendments"] and incremental["view_post_tenures"]
    for projection in ALL:
        reset(conn, projection)
    build(app, conn)
    assert dump_tables(conn) == incremental
