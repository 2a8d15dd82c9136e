"""Rules of organisational life, in memory: who may be listed at a meeting, the presider,
reasons, corrections and cancellation, the versioned rule set, and compliance per period."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest

from domain.compliance import HeldMeeting, assess, periods
from domain.errors import (
    DuplicateError,
    InvalidInputError,
    InvalidTransitionError,
    PostRequiredError,
    ReasonRequiredError,
)
from domain.meeting_rules import Cadence, MeetingRuleSet, rule_set_id, version_of
from domain.meetings import Meeting, MeetingKind, MeetingStatus, Tenure, tenures_from
from domain.organizations import Organization
from domain.values import in_force
from tests.unit.builders import ACTOR, organization, person

DAY = date(2026, 4, 10)


def tenure(org: Organization, post: str = "member", since: date = date(2020, 1, 1),
           until: date | None = None) -> Tenure:
    return Tenure(org.id, post, since, until)


def present(person_id: UUID, status: str = "present", reason: str = "") -> dict[str, object]:
    return {"person_id": person_id, "status": status, "reason": reason}


def branch_world() -> tuple[Organization, UUID, UUID, dict[str, list[Tenure]]]:
    branch = organization("branch", organization(), "一支部")
    secretary, member = uuid4(), uuid4()
    return branch, secretary, member, {str(secretary): [tenure(branch, "secretary")],
                                       str(member): [tenure(branch)]}


def record(kind: str = "branch_general", held_on: date = DAY, **changes: object) -> Meeting:
    branch, secretary, member, tenures = branch_world()
    given: dict[str, object] = {
        "id": uuid4(), "actor": ACTOR, "organization": branch, "kind": kind,
        "held_on": held_on, "today": date(2026, 6, 1), "topic": "学习党章",
        "presider_id": secretary,
        "attendance": [present(secretary), present(member, "absent", "出差")],
        "tenures": tenures}
    return Meeting.record(**{**given, **changes})  # type: ignore[arg-type]


def test_a_meeting_is_recorded_with_its_attendance() -> None:
    meeting = record()
    assert meeting.kind is MeetingKind.BRANCH_GENERAL and meeting.held_on == DAY
    assert [e["status"] for e in meeting.attendance] == ["present", "absent"]
    assert meeting.status is MeetingStatus.HELD
    assert MeetingKind.LECTURE.label == "党课"


def test_a_meeting_in_the_future_is_refused() -> None:
    with pytest.raises(InvalidInputError) as error:
        record(held_on=date(2026, 6, 2))
    assert error.value.field == "heldOn"


def test_an_absence_needs_a_reason_and_an_excuse_does_not() -> None:
    branch, secretary, member, tenures = branch_world()
    with pytest.raises(ReasonRequiredError):
        record(organization=branch, presider_id=secretary, tenures=tenures,
               attendance=[present(secretary), present(member, "absent")])
    record(organization=branch, presider_id=secretary, tenures=tenures,
           attendance=[present(secretary), present(member, "excused")])


def test_the_presider_must_be_present() -> None:
    branch, secretary, member, tenures = branch_world()
    with pytest.raises(InvalidInputError) as error:
        record(organization=branch, presider_id=secretary, tenures=tenures,
               attendance=[present(secretary, "excused"), present(member)])
    assert error.value.field == "presiderId"


def test_a_presider_from_an_organisation_above_is_not_listed_and_one_elsewhere_is_refused(
        ) -> None:
    branch, secretary, member, tenures = branch_world()
    committee = organization()
    upper, elsewhere = uuid4(), uuid4()
    tenures[str(upper)] = [tenure(committee, "secretary", until=date(2026, 5, 1))]
    tenures[str(elsewhere)] = [tenure(organization("branch", committee, "二支部"), "secretary")]
    members = [present(secretary), present(member)]
    above = [committee.id]
    meeting = record("lecture", organization=branch, presider_id=upper, tenures=tenures,
                     attendance=members, above=above)
    assert meeting.presider_id == upper and upper not in meeting.people
    with pytest.raises(InvalidInputError) as listed:
        record("lecture", organization=branch, presider_id=upper, tenures=tenures,
               attendance=[*members, present(upper)], above=above)
    assert listed.value.field == "attendance.personId"
    for who, day in ((elsewhere, DAY), (upper, date(2026, 5, 1)), (uuid4(), DAY)):
        with pytest.raises(PostRequiredError) as refused:
            record("lecture", held_on=day, organization=branch, presider_id=who,
                   tenures=tenures, attendance=members, above=above)
        assert refused.value.field == "presiderId"
    with pytest.raises(InvalidInputError) as unlisted:  # a member presides: listed
        record(organization=branch, presider_id=member, tenures=tenures,
               attendance=[present(secretary)], above=above)
    assert unlisted.value.field == "presiderId"


def test_attendees_hold_a_party_post_in_the_organisation_on_the_meeting_date() -> None:
    branch, secretary, _member, tenures = branch_world()
    outsider, left, staff = uuid4(), uuid4(), uuid4()
    tenures[str(outsider)] = [tenure(organization("branch", None, "二支部"))]
    tenures[str(left)] = [tenure(branch, until=DAY)]  # left on the meeting day
    tenures[str(staff)] = [tenure(branch, "staff")]
    for who in (outsider, left, staff, uuid4()):
        with pytest.raises(PostRequiredError):
            record(organization=branch, presider_id=secretary, tenures=tenures,
                   attendance=[present(secretary), present(who)])
    tenures[str(left)] = [tenure(branch, until=date(2026, 4, 11))]
    record(organization=branch, presider_id=secretary, tenures=tenures,
           attendance=[present(secretary), present(left)])


def test_a_committee_meeting_is_for_the_committee() -> None:
    branch, secretary, member, tenures = branch_world()
    with pytest.raises(PostRequiredError):
        record("branch_committee", organization=branch, presider_id=secretary,
               tenures=tenures, attendance=[present(secretary), present(member)])
    tenures[str(member)].append(tenure(branch, "committee_member"))
    record("branch_committee", organization=branch, presider_id=secretary, tenures=tenures,
           attendance=[present(secretary), present(member)])


def test_a_group_meeting_is_a_party_groups_and_a_group_has_no_committee() -> None:
    with pytest.raises(InvalidInputError):
        record("group")
    group = organization("group", organization("branch"), "小组")
    someone = uuid4()
    tenures = {str(someone): [tenure(group, "secretary")]}
    with pytest.raises(InvalidInputError):
        record("branch_committee", organization=group, presider_id=someone,
               tenures=tenures, attendance=[present(someone)])
    record("group", organization=group, presider_id=someone, tenures=tenures,
           attendance=[present(someone)])


def test_a_person_is_listed_once() -> None:
    branch, secretary, _member, tenures = branch_world()
    with pytest.raises(DuplicateError):
        record(organization=branch, presider_id=secretary, tenures=tenures,
               attendance=[present(secretary), present(secretary, "excused")])


def test_corrections_need_reasons_and_a_cancelled_record_takes_none() -> None:
    branch, secretary, member, tenures = branch_world()
    meeting = record(organization=branch, presider_id=secretary, tenures=tenures,
                     attendance=[present(secretary), present(member, "absent", "出差")])
    fixed = [present(secretary), present(member)]
    with pytest.raises(ReasonRequiredError):
        meeting.correct_attendance(actor=ACTOR, reason=" ", presider_id=secretary,
                                   attendance=fixed, tenures=tenures)
    meeting.correct_attendance(actor=ACTOR, reason="补录: 实际出席", presider_id=secretary,
                               attendance=fixed, tenures=tenures)
    assert [e["status"] for e in meeting.attendance] == ["present", "present"]
    with pytest.raises(InvalidInputError):  # nothing to correct
        meeting.correct_attendance(actor=ACTOR, reason="再改", presider_id=secretary,
                                   attendance=fixed, tenures=tenures)
    with pytest.raises(ReasonRequiredError):
        meeting.correct_minutes(actor=ACTOR, reason="", topic="t", minutes="m", evidence=[])
    meeting.correct_minutes(actor=ACTOR, reason="笔误", topic="学习党章（修订）",
                            minutes="会议记录", evidence=["纪要.pdf"])
    assert meeting.topic == "学习党章（修订）" and meeting.evidence == ["纪要.pdf"]
    with pytest.raises(ReasonRequiredError):
        meeting.cancel(actor=ACTOR, reason="")
    meeting.cancel(actor=ACTOR, reason="重复录入")
    with pytest.raises(InvalidTransitionError):
        meeting.correct_minutes(actor=ACTOR, reason="再改", topic="x", minutes="", evidence=[])
    with pytest.raises(InvalidTransitionError):
        meeting.cancel(actor=ACTOR, reason="再作废")


def test_tenures_follow_the_posts_effective_dates() -> None:
    branch = organization("branch", organization())
    someone = person()
    someone.take_post(actor=ACTOR, organization=branch, post="member",
                      effective_date=date(2025, 3, 1))
    someone.end_post(actor=ACTOR, organization_id=branch.id, post="member",
                     effective_date=date(2026, 2, 1))
    someone.take_post(actor=ACTOR, organization=branch, post="secretary")
    found = tenures_from(someone.collect_events())
    member = next(t for t in found if t.post == "member")
    assert (member.since, member.until) == (date(2025, 3, 1), date(2026, 2, 1))
    secretary = next(t for t in found if t.post == "secretary")
    assert secretary.until is None and secretary.since == date.today()


RULES = [{"organization_kind": "branch", "meeting_kind": "branch_committee",
          "cadence": "monthly"},
         {"organization_kind": "branch", "meeting_kind": "branch_general",
          "cadence": "quarterly"},
         {"organization_kind": "branch", "meeting_kind": "life_meeting", "cadence": "yearly"}]


def test_a_rule_set_is_one_per_organisation_and_revised_with_a_reason() -> None:
    committee = organization()
    rules = MeetingRuleSet.define(actor=ACTOR, organization=committee, title="三会一课制度",
                                  effective_from=date(2026, 1, 1), rules=RULES)
    assert rules.id == rule_set_id(committee.id)
    with pytest.raises(ReasonRequiredError):
        rules.revise(actor=ACTOR, reason="", effective_from=date(2026, 7, 1), rules=RULES)
    rules.revise(actor=ACTOR, reason="上级新规", effective_from=date(2026, 7, 1),
                 rules=RULES[:1])
    assert [v["revision"] for v in rules.versions] == [1, 2]
    with pytest.raises(DuplicateError):
        MeetingRuleSet.define(actor=ACTOR, organization=committee, title="x",
                              effective_from=DAY, rules=[RULES[0], RULES[0]])
    for bad in ({**RULES[0], "cadence": "weekly"}, {**RULES[0], "times": 0},
                {**RULES[0], "organization_kind": "company"}):
        with pytest.raises(InvalidInputError):
            MeetingRuleSet.define(actor=ACTOR, organization=committee, title="x",
                                  effective_from=DAY, rules=[bad])


def test_the_rule_in_force_is_the_version_effective_then() -> None:
    first = version_of(1, date(2026, 1, 1), RULES)
    second = version_of(2, date(2026, 7, 1), RULES[:1])
    fix = version_of(3, date(2026, 7, 1), RULES[1:])
    assert in_force([first, second], date(2025, 12, 31)) is None
    assert in_force([first, second], date(2026, 6, 30)) == first
    assert in_force([first, second, fix], date(2026, 7, 1)) == fix


def test_periods_per_cadence() -> None:
    assert [p[0] for p in periods(Cadence.QUARTERLY, 2026)] == [
        "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    months = periods(Cadence.MONTHLY, 2024)
    assert len(months) == 12 and months[1][2] == date(2024, 2, 29)
    assert periods(Cadence.YEARLY, 2026) == [("2026", date(2026, 1, 1), date(2026, 12, 31))]


def meeting(kind: str, day: date, *attendance: tuple[str, str]) -> HeldMeeting:
    return HeldMeeting(f"{kind}-{day}", MeetingKind(kind), day, tuple(attendance))


def test_compliance_counts_due_periods_and_names_the_missing_ones() -> None:
    versions = [version_of(1, date(2026, 1, 1), RULES)]
    held = [meeting("branch_committee", date(2026, 1, 5), ("a", "present"), ("b", "absent")),
            meeting("branch_committee", date(2026, 3, 5), ("a", "present"), ("b", "excused")),
            meeting("branch_committee", date(2026, 4, 5), ("a", "present")),
            meeting("branch_general", date(2026, 2, 1), ("a", "present"), ("b", "present")),
            meeting("branch_general", date(2026, 5, 1), ("a", "present"))]
    seen = assess("branch", 2026, date(2026, 4, 15), versions, held)
    committee = next(k for k in seen.kinds if k.kind is MeetingKind.BRANCH_COMMITTEE)
    assert [p.label for p in committee.periods] == ["2026-01", "2026-02", "2026-03",
                                                    "2026-04"]
    assert [p.label for p in committee.missing] == ["2026-02"]
    assert (committee.required, committee.fulfilled, committee.held) == (3, 2, 3)
    general = next(k for k in seen.kinds if k.kind is MeetingKind.BRANCH_GENERAL)
    assert [(p.label, p.held, p.due) for p in general.periods] == [
        ("2026-Q1", 1, True), ("2026-Q2", 0, False)]  # May's meeting: after the judging day
    life = next(k for k in seen.kinds if k.kind is MeetingKind.LIFE_MEETING)
    assert life.required == 0 and not life.missing  # the year has not closed
    assert (seen.required, seen.fulfilled, seen.rate) == (4, 3, 0.75)
    rates = {m.person_id: (m.listed, m.present, m.rate) for m in seen.members}
    assert rates == {"a": (4, 4, 1.0), "b": (3, 1, 0.3333)}


def test_a_rule_changed_mid_year_judges_each_period_by_the_version_in_force_when_it_closed(
) -> None:
    quarterly = [{**RULES[0], "cadence": "quarterly"}]
    versions = [version_of(1, date(2026, 1, 1), quarterly),
                version_of(2, date(2026, 7, 1), RULES[:1])]
    held = [meeting("branch_committee", date(2026, 2, 1)),
            meeting("branch_committee", date(2026, 7, 1))]
    seen = assess("branch", 2026, date(2026, 12, 31), versions, held)
    (committee,) = seen.kinds
    assert [p.label for p in committee.periods] == [
        "2026-Q1", "2026-Q2", *(f"2026-{m:02d}" for m in range(7, 13))]
    assert [p.label for p in committee.missing] == [
        "2026-Q2", *(f"2026-{m:02d}" for m in range(8, 13))]
    assert seen.rule_revision == 2
    assert assess("branch", 2026, date(2026, 6, 30), versions, held).rule_revision == 1


def test_without_rules_nothing_is_required_and_meetings_still_show() -> None:
    seen = assess("branch", 2026, date(2026, 12, 31), [],
                  [meeting("theme_day", date(2026, 5, 1), ("a", "present"))])
    (theme,) = seen.kinds
    assert (theme.kind, theme.held, theme.required, seen.rate) == (
        MeetingKind.THEME_DAY, 1, 0, None)
    assert seen.rule_revision is None
