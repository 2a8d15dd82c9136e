"""The province summary of organisational life on each backend: for a generated subtree (a
committee keeping the rules, one branch under its own stricter rules, groups, meetings with
gaps, corrections and cancellations, a revised rule), each organisation's row equals its own
compliance view, the totals add the rows up, as of several moments and on several days; the
summary pages by name and is cut to what the reader may read."""

from __future__ import annotations

import random
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from projections import life_summary as summary
from projections import organizational_life as life
from projections.pages import Page
from store.db import Database
from store.url import DatabaseURL
from tests.integration.views import build

ACTOR = "person:secretary"
YEAR = 2026
TODAY = date(2026, 12, 7)
RULES = [{"organization_kind": org, "meeting_kind": kind, "cadence": cadence, "times": times}
         for org, kind, cadence, times in (
             ("branch", "branch_committee", "monthly", 1),
             ("branch", "branch_general", "quarterly", 1),
             ("branch", "lecture", "quarterly", 1),
             ("branch", "life_meeting", "yearly", 1),
             ("group", "group", "monthly", 1),
             ("general_branch", "branch_committee", "quarterly", 2))]
STRICT = [{**rule, "times": 2} if rule["meeting_kind"] == "lecture" else rule for rule in RULES]
DAYS = (date(2026, 1, 15), date(2026, 3, 31), date(2026, 6, 30), date(2026, 8, 17), TODAY)


@pytest.fixture
def conn(database_url: str):
    with Database(DatabaseURL(database_url)).connection() as connection:
        yield connection


def head(app: Any) -> int:
    return int(app.recorder.max_notification_id() or 0)


class Province:
    """A committee → a general branch → branches → groups, each with a few party members."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.rng = random.Random(19)
        self.kinds: dict[UUID, str] = {}
        self.committee = self.organization("省局党组", "committee", None)
        general = self.organization("机关党总支", "general_branch", self.committee)
        self.organizations = [general]
        for number in range(4):
            branch = self.organization(f"第{number}支部", "branch",
                                       general if number % 2 else self.committee)
            self.organizations.append(branch)
            if number < 2:
                self.organizations.append(self.organization(f"第{number}支部一组", "group",
                                                            branch))
        self.strict = self.organizations[1]  # 第0支部 keeps its own, stricter rules
        self.members: dict[UUID, list[UUID]] = {}
        for organization in self.organizations:
            people = []
            for number, post in enumerate(("secretary", "committee_member", "member",
                                           "member")):
                person = app.register_person(ACTOR, name=f"党员{number}",
                                             party_member=True).id
                app.appoint(ACTOR, person, organization_id=organization, post=post,
                            effective_date=date(2025, 1, 1))
                people.append(person)
            self.members[organization] = people

    def organization(self, name: str, kind: str, parent: UUID | None) -> UUID:
        found = UUID(str(self.app.register_organization(
            ACTOR, name=name, kind=kind, category="机关", parent_id=parent).id))
        self.kinds[found] = kind
        return found

    def meetings(self, months: range) -> list[UUID]:
        """Some of the meetings each organisation should hold in `months`; not all."""
        recorded = []
        for organization in self.organizations:
            kind = self.kinds[organization]
            choices = {"group": ["group"], "general_branch": ["branch_committee"]}.get(
                kind, ["branch_committee", "branch_general", "lecture", "life_meeting",
                       "theme_day"])
            people = self.members[organization]
            for month in months:
                for meeting_kind in choices:
                    if self.rng.random() < 0.35:
                        continue
                    attendees = people[:2] if meeting_kind == "branch_committee" else people
                    statuses = [self.rng.choice(("present", "present", "absent", "excused"))
                                for _ in attendees]
                    statuses[0] = "present"
                    recorded.append(UUID(str(self.app.record_meeting(
                        ACTOR, organization_id=organization, kind=meeting_kind,
                        held_on=date(YEAR, month, self.rng.randint(1, 28)), today=TODAY,
                        topic=f"{meeting_kind} {month}", presider_id=people[0],
                        attendance=[{"person_id": p, "status": s, "reason": "出差"}
                                    for p, s in zip(attendees, statuses, strict=True)],
                    ).id)))
        return recorded


def a_year(app: Any) -> tuple[Province, list[int]]:
    province = Province(app)
    rules = app.define_meeting_rules(ACTOR, organization_id=province.committee,
                                     title="三会一课制度", effective_from=date(2026, 1, 1),
                                     rules=RULES).id
    app.define_meeting_rules(ACTOR, organization_id=province.strict, title="从严",
                             effective_from=date(2026, 1, 1), rules=STRICT)
    moments = [head(app)]
    first_half = province.meetings(range(1, 7))
    moments.append(head(app))
    app.cancel_meeting(ACTOR, first_half[3], reason="重复录入")
    app.revise_meeting_rules(ACTOR, rules, effective_from=date(2026, 7, 1),
                             rules=[{**r, "cadence": "monthly"} if r["meeting_kind"] == "lecture"
                                    else r for r in RULES], reason="党课每月一次")
    moments.append(head(app))
    province.meetings(range(7, 12))
    moments.append(head(app))
    return province, moments


def expected(conn: Any, organization_id: str, day: date,
             position: int | None) -> summary.Tally:
    view = life.compliance(conn, organization_id, YEAR, day, position)
    assert view is not None
    found = view.compliance
    missing = sum(len(k.missing) for k in found.kinds)
    return summary.Tally(
        1, found.required, found.fulfilled, sum(k.held for k in found.kinds), missing,
        1 if missing else 0, sum(m.listed for m in found.members),
        sum(m.present for m in found.members))


def add(tallies: list[summary.Tally]) -> summary.Tally:
    return summary.Tally(*(sum(getattr(t, f) for t in tallies) for f in (
        "organizations", "required", "fulfilled", "held", "missing", "behind", "listed",
        "present")))


def test_each_row_equals_the_organisation_s_own_view_and_the_totals_add_up(app, conn) -> None:
    province, moments = a_year(app)
    build(app, conn)
    root = str(province.committee)
    for position in [*moments, None]:
        for day in DAYS:
            found = summary.summary(conn, root, YEAR, day, position, page=Page(limit=None))
            assert found is not None
            rows = {r.id: r.tally for r in found.rows}
            assert set(rows) == {root, *map(str, province.organizations)}
            for organization_id, tally in rows.items():
                assert tally == expected(conn, organization_id, day, position), (
                    position, day, organization_id)
            assert found.totals == add(list(rows.values()))
    late = summary.summary(conn, root, YEAR, TODAY).totals  # type: ignore[union-attr]
    assert late.required > late.fulfilled > 0 and late.missing > 0 and late.present > 0


def test_the_summary_pages_by_name_and_keeps_its_totals(app, conn) -> None:
    province, _ = a_year(app)
    build(app, conn)
    root = str(province.committee)
    whole = summary.summary(conn, root, YEAR, TODAY, page=Page(limit=None))
    assert whole is not None
    seen, page = [], Page(limit=3)
    while True:
        found = summary.summary(conn, root, YEAR, TODAY, page=page)
        assert found is not None and found.totals == whole.totals
        seen += found.rows
        if not found.more:
            break
        page = Page(limit=3, after=summary.summary_key(found.rows[-1]))
    assert seen == whole.rows == sorted(whole.rows, key=summary.summary_key)
    beyond = summary.summary(conn, root, YEAR, TODAY,
                             page=Page(limit=3, after=("\uffff", "")))
    assert beyond is not None and beyond.rows == [] and beyond.totals == whole.totals
    back = summary.summary(conn, root, YEAR, TODAY, page=Page(
        limit=2, before=summary.summary_key(whole.rows[-1]), backwards=True))
    assert back is not None and back.rows == whole.rows[-3:-1]


def test_the_summary_is_cut_to_what_the_reader_may_read(app, conn) -> None:
    province, _ = a_year(app)
    build(app, conn)
    readable = [str(province.organizations[1]), str(province.organizations[2])]
    found = summary.summary(conn, str(province.committee), YEAR, TODAY, readable=readable,
                            page=Page(limit=None))
    assert found is not None
    assert sorted(r.id for r in found.rows) == sorted(readable)
    assert found.totals == add([expected(conn, o, TODAY, None) for o in readable])
    nothing = summary.summary(conn, str(province.committee), YEAR, TODAY, readable=[])
    assert nothing is not None and nothing.rows == [] and nothing.totals.organizations == 0
    assert summary.summary(conn, "no-such-organisation", YEAR, TODAY) is None


def test_the_batched_views_the_exports_read_equal_each_organisation_s_own(app, conn) -> None:
    province, moments = a_year(app)
    build(app, conn)
    everyone = [str(province.committee), *map(str, province.organizations), "unknown"]
    for position in (moments[1], None):
        for day in (date(2026, 6, 30), TODAY):
            found = list(life.compliances(conn, everyone, YEAR, day, position, chunk=3))
            assert [node.id for node, _ in found] == everyone[:-1]
            for node, view in found:
                assert view == life.compliance(conn, node.id, YEAR, day, position), node.name
