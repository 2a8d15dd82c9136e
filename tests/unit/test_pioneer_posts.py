"""Rules of pioneer posts (党员示范岗 / 党员责任区), in memory: who may hold one, the period,
follow-ups, an early end, corrections and cancellation, each a reasoned event."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest

from domain.errors import (
    InvalidInputError,
    InvalidTransitionError,
    PostRequiredError,
    ReasonRequiredError,
    SegregationOfDutiesError,
)
from domain.meetings import Tenure
from domain.organizations import Organization
from domain.pioneer_posts import PioneerKind, PioneerPost, PioneerStatus
from tests.unit.builders import ACTOR, organization

START, END = date(2026, 3, 1), date(2026, 12, 31)
TODAY = date(2026, 6, 30)


def holder_world(post: str = "member", since: date = date(2020, 1, 1),
                 ) -> tuple[Organization, UUID, list[Tenure]]:
    branch = organization("branch", organization(), "一支部")
    holder = uuid4()
    return branch, holder, [Tenure(branch.id, post, since, None)]


def designate(**changes: object) -> PioneerPost:
    branch, holder, tenures = holder_world()
    given: dict[str, object] = {
        "id": uuid4(), "actor": ACTOR, "organization": branch, "holder_id": holder,
        "within": [branch.id], "tenures": tenures, "kind": "exemplary_post",
        "title": "党员示范岗", "scope": "专卖稽查一线", "held_from": START, "held_to": END}
    return PioneerPost.designate(**{**given, **changes})  # type: ignore[arg-type]


def test_a_member_is_designated_for_a_period() -> None:
    post = designate(description="带头规范经营")
    assert post.kind is PioneerKind.EXEMPLARY_POST and post.status is PioneerStatus.DESIGNATED
    assert (post.held_from, post.held_to, post.description) == (START, END, "带头规范经营")
    assert post.held_on(START) and post.held_on(END) and not post.held_on(date(2027, 1, 1))
    assert PioneerKind.RESPONSIBILITY_ZONE.label == "党员责任区"


def test_the_holder_holds_a_party_post_in_the_organisation_on_the_first_day() -> None:
    branch, holder, _ = holder_world()
    with pytest.raises(PostRequiredError):  # a staff post is no party post
        designate(organization=branch, holder_id=holder,
                  tenures=[Tenure(branch.id, "staff", date(2020, 1, 1), None)])
    with pytest.raises(PostRequiredError):  # appointed only after the first day
        designate(organization=branch, holder_id=holder,
                  tenures=[Tenure(branch.id, "member", date(2026, 4, 1), None)])
    with pytest.raises(PostRequiredError):  # a post elsewhere
        designate(organization=branch, holder_id=holder, within=[branch.id],
                  tenures=[Tenure(uuid4(), "member", date(2020, 1, 1), None)])
    group = uuid4()  # a post in a party group below the branch counts
    post = designate(organization=branch, holder_id=holder, within=[group],
                     tenures=[Tenure(group, "member", date(2020, 1, 1), None)])
    assert post.holder_id == holder


def test_nobody_designates_themself() -> None:
    branch, holder, tenures = holder_world("secretary")
    with pytest.raises(SegregationOfDutiesError):
        designate(actor=f"person:{holder}", organization=branch, holder_id=holder,
                  tenures=tenures)


def test_a_period_ends_on_or_after_it_begins_and_the_kind_is_known() -> None:
    with pytest.raises(InvalidInputError):
        designate(held_to=date(2026, 2, 1))
    with pytest.raises(InvalidInputError):
        designate(kind="model_worker")
    assert designate(held_to=START).held_on(START)


def test_follow_ups_are_dated_from_the_first_day_up_to_today_and_tell_who() -> None:
    post = designate()
    with pytest.raises(InvalidInputError):
        post.follow_up(actor=ACTOR, note="早了", followed_on=date(2026, 2, 1), today=TODAY)
    with pytest.raises(InvalidInputError):
        post.follow_up(actor=ACTOR, note="未来", followed_on=date(2026, 7, 1), today=TODAY)
    post.follow_up(actor=ACTOR, note="群众评价好", followed_on=date(2026, 5, 1), today=TODAY,
                   evidence=["照片.jpg"])
    post.follow_up(actor=f"person:{post.holder_id}", note="本月完成巡查12次",
                   followed_on=date(2026, 6, 1), today=TODAY)
    events = [e for e in post.collect_events() if isinstance(e, PioneerPost.FollowedUp)]
    assert [(e.number, e.by_holder) for e in events] == [(1, False), (2, True)]


def test_an_early_end_needs_a_reason_and_falls_within_the_period() -> None:
    post = designate()
    with pytest.raises(ReasonRequiredError):
        post.end_early(actor=ACTOR, reason=" ", ended_on=date(2026, 6, 1), today=TODAY)
    for day in (START, date(2027, 1, 1)):
        with pytest.raises(InvalidInputError):
            post.end_early(actor=ACTOR, reason="调岗", ended_on=day, today=date(2027, 6, 1))
    with pytest.raises(InvalidInputError):  # not decided yet
        post.end_early(actor=ACTOR, reason="调岗", ended_on=date(2026, 7, 1), today=TODAY)
    with pytest.raises(SegregationOfDutiesError):
        post.end_early(actor=f"person:{post.holder_id}", reason="不干了",
                       ended_on=date(2026, 6, 1), today=TODAY)
    post.end_early(actor=ACTOR, reason="调离本支部", ended_on=date(2026, 6, 1), today=TODAY)
    assert post.status is PioneerStatus.ENDED
    assert post.held_on(date(2026, 5, 31)) and not post.held_on(date(2026, 6, 1))
    with pytest.raises(InvalidTransitionError):
        post.end_early(actor=ACTOR, reason="再次", ended_on=date(2026, 6, 2), today=TODAY)


def test_the_period_is_corrected_with_a_reason_keeping_the_end_and_follow_ups_inside() -> None:
    post = designate()
    tenures = [Tenure(post.organization_id, "member", date(2020, 1, 1), None)]
    within = [post.organization_id]
    post.follow_up(actor=ACTOR, note="开展服务", followed_on=date(2026, 4, 1), today=TODAY)
    post.end_early(actor=ACTOR, reason="调岗", ended_on=date(2026, 6, 1), today=TODAY)
    with pytest.raises(ReasonRequiredError):
        post.correct_period(actor=ACTOR, reason="", held_from=date(2026, 2, 1), held_to=END,
                            tenures=tenures, within=within)
    with pytest.raises(InvalidInputError):  # the early end falls outside
        post.correct_period(actor=ACTOR, reason="录错", held_from=START,
                            held_to=date(2026, 5, 1), tenures=tenures, within=within)
    with pytest.raises(InvalidInputError):  # the follow-up falls before it
        post.correct_period(actor=ACTOR, reason="录错", held_from=date(2026, 4, 15),
                            held_to=END, tenures=tenures, within=within)
    with pytest.raises(InvalidInputError):  # nothing changes
        post.correct_period(actor=ACTOR, reason="录错", held_from=START, held_to=END,
                            tenures=tenures, within=within)
    post.correct_period(actor=ACTOR, reason="按支委会决定日期", held_from=date(2026, 2, 1),
                        held_to=date(2026, 11, 30), tenures=tenures, within=within)
    assert (post.held_from, post.held_to) == (date(2026, 2, 1), date(2026, 11, 30))


def test_details_are_corrected_and_a_record_cancelled_with_reasons() -> None:
    post = designate()
    with pytest.raises(InvalidInputError):
        post.correct_details(actor=ACTOR, reason="录错", title="党员示范岗", scope="专卖稽查一线",
                             description="")
    post.correct_details(actor=ACTOR, reason="录错", title="党员先锋岗", scope="物流配送线路",
                         description="")
    assert (post.title, post.scope) == ("党员先锋岗", "物流配送线路")
    with pytest.raises(ReasonRequiredError):
        post.cancel(actor=ACTOR, reason="")
    with pytest.raises(SegregationOfDutiesError):
        post.cancel(actor=f"person:{post.holder_id}", reason="不想要")
    post.cancel(actor=ACTOR, reason="人员录错")
    assert post.status is PioneerStatus.CANCELLED and not post.held_on(date(2026, 5, 1))
    for step in (lambda: post.follow_up(actor=ACTOR, note="x", followed_on=START, today=TODAY),
                 lambda: post.cancel(actor=ACTOR, reason="再次"),
                 lambda: post.end_early(actor=ACTOR, reason="x", ended_on=date(2026, 5, 1),
                                        today=TODAY)):
        with pytest.raises(InvalidTransitionError):
            step()


def test_a_replayed_post_equals_the_one_built() -> None:
    post = designate()
    post.follow_up(actor=ACTOR, note="好", followed_on=date(2026, 5, 1), today=TODAY)
    post.end_early(actor=ACTOR, reason="调岗", ended_on=date(2026, 6, 1), today=TODAY)
    events = post.collect_events()
    replayed = None
    for e in events:
        replayed = e.mutate(replayed)
    assert isinstance(replayed, PioneerPost)
    assert vars(replayed) == vars(post)
