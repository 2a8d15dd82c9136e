"""The audit log read model answers the inspectors' questions, as of several moments, on
each backend."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from projections import audit_log as audit
from projections import rectification, valid_time
from projections import scoreboard as board
from projections.pages import Page
from store.db import Connection, Database
from store.url import DatabaseURL
from tests.integration.assessment_story import REVIEWER
from tests.integration.audit_story import (
    INSPECTOR,
    LOWERED,
    REOPENED,
    REVOKED,
    SYSTEM,
    AuditStory,
    tell_audit_story,
)
from tests.integration.stories import ACTOR
from tests.integration.views import build


@pytest.fixture
def conn(database_url: str) -> Iterator[Connection]:
    with Database(DatabaseURL(database_url)).connection() as connection:
        yield connection


@pytest.fixture
def told(app, conn) -> AuditStory:
    story = tell_audit_story(app)
    build(app, conn)
    return story


def test_who_lowered_the_weight_when_from_what_to_what_and_why(told, conn) -> None:
    entries, _ = audit.entries_page(conn, audit.AuditFilter(
        aggregate_id=str(told.goal), event_type="Reweighted"))
    [entry] = entries
    assert (entry.actor, entry.reason) == (ACTOR, LOWERED)
    assert entry.changes == [audit.Change("weight", 60, 50)]
    assert told.moments["issued"].position < entry.position <= told.moments["lowered"].position
    assert entry.recorded_at == told.moments["lowered"].at
    assert entry.organization_id == str(told.story.branch)


def test_the_log_is_newest_first_in_stable_keyset_pages(told, conn, app) -> None:
    everything, _ = audit.entries_page(conn, audit.AuditFilter())
    positions = [e.position for e in everything]
    assert positions == sorted(positions, reverse=True)
    first, more = audit.entries_page(conn, audit.AuditFilter(), Page(limit=3))
    assert more and [e.position for e in first] == positions[:3]
    app.rename_organization(ACTOR, told.story.branch, name="营销中心第一党支部")
    build(app, conn)  # new events arrive: the next page is unaffected
    second, _ = audit.entries_page(conn, audit.AuditFilter(),
                                   Page(limit=3, after=(first[-1].position,)))
    assert [e.position for e in second] == positions[3:6]
    back, _ = audit.entries_page(conn, audit.AuditFilter(),
                                 Page(limit=2, before=(second[0].position,), backwards=True))
    assert [e.position for e in back] == positions[1:3]


def test_filters_by_actor_type_subtree_and_time(told, conn) -> None:
    by_system, _ = audit.entries_page(conn, audit.AuditFilter(actor=SYSTEM))
    assert [(e.event_type, e.changes[0].field) for e in by_system] == [("Revised", "title")]
    in_branch, _ = audit.entries_page(conn, audit.AuditFilter(
        organization_id=str(told.story.branch)))
    assert {e.aggregate_id for e in in_branch} >= {str(told.goal), str(told.story.branch)}
    assert str(told.story.annual) not in {e.aggregate_id for e in in_branch}
    under_committee = audit.count_entries(conn, audit.AuditFilter(
        organization_id=str(told.story.committee)))
    assert under_committee > len(in_branch)
    recorded, _ = audit.entries_page(conn, audit.AuditFilter(
        recorded_from=told.moments["lowered"].at, recorded_to=told.moments["renamed"].at))
    assert [e.event_type for e in recorded] == ["Revised", "Reweighted", "Reweighted"]
    effective, _ = audit.entries_page(conn, audit.AuditFilter(
        effective_from=told.direct_until, effective_to=told.direct_until))
    assert [(e.event_type, e.reason) for e in effective] == [("ResponsibilityRevoked", REVOKED)]
    assert audit.count_entries(conn, audit.AuditFilter(aggregate_type="Person")) == 2
    assert audit.count_entries(conn, audit.AuditFilter(scope=())) == 0


def test_history_blame_and_diff_as_of_several_moments(told, conn) -> None:
    history, _ = audit.entries_page(conn, audit.AuditFilter(aggregate_id=str(told.goal)))
    assert [e.event_type for e in history] == [
        "ResponsibilityRevoked", "ResponsibilityAssigned", "Revised", "Reweighted",
        "ProgressReported", "Issued", "ResponsibilityAssigned", "Drafted"]
    blamed = {value.field: (value.value, entry) for value, entry in
              audit.blame(conn, str(told.goal))}
    assert blamed["weight"][0] == 50 and blamed["weight"][1].reason == LOWERED
    assert blamed["title"][1].actor == SYSTEM
    assert blamed["status"][1].event_type == "Issued"
    ignoring = {value.field: entry for value, entry in
                audit.blame(conn, str(told.goal), skip_system=True)}
    assert ignoring["title"].event_type == "Drafted"
    then = {value.field: value.value for value, _ in
            audit.blame(conn, str(told.goal), told.moments["issued"].position)}
    assert then["weight"] == 60 and then["title"] == "三会一课按期召开"
    changes, events = audit.diff(conn, str(told.goal), told.moments["issued"].position,
                                 told.moments["revoked"].position)
    assert changes == [audit.Change("title", "三会一课按期召开", "三会一课按期召开（含党课）"),
                       audit.Change("weight", 60, 50)]
    assert [e.event_type for e in events] == [
        "Reweighted", "Revised", "ResponsibilityAssigned", "ResponsibilityRevoked"]
    held, _ = audit.diff(conn, str(told.goal), told.moments["renamed"].position,
                         told.moments["assigned"].position)
    assert held == [audit.Change(f"responsibility[direct:{told.story.branch}]", None,
                                 "organization")]


def test_a_retroactive_correction_changes_valid_time_and_not_what_the_system_showed(
        told, conn) -> None:
    direct = f"responsibility[direct:{told.story.branch}]"
    between = told.direct_from + (told.direct_until - told.direct_from) / 2
    after = told.direct_until
    goal = str(told.goal)
    assert direct in valid_time.valid_state(conn, goal, between)
    assert direct not in valid_time.valid_state(conn, goal, after)  # as currently known
    assert direct not in valid_time.valid_state(
        conn, goal, told.direct_from - timedelta(days=1))
    assigned = told.moments["assigned"].position
    assert direct in valid_time.valid_state(conn, goal, after, assigned)  # as known before it
    assert direct in audit.field_state(conn, goal, assigned)  # what the system showed then
    assert direct not in audit.field_state(conn, goal)
    state = valid_time.valid_state(conn, goal, between)
    # The weight was lowered without an effective date: it took effect when recorded.
    assert state["status"].value == "issued" and state["weight"].value == 60
    assert state["progress"].value["value"] == "3"
    assert valid_time.valid_state(conn, goal, date.today())["weight"].value == 50


def test_a_score_corrected_after_publication_as_of_several_moments(told, conn) -> None:
    evaluation = str(told.corrected_evaluation())
    assessment = told.assessment
    assert assessment is not None
    [entry] = audit.entries_page(conn, audit.AuditFilter(aggregate_id=evaluation,
                                                         event_type="Corrected"))[0]
    assert (entry.actor, entry.reason) == (REVIEWER, "复核发现C支部台账漏计，组织评价更正")
    assert audit.Change("points", "84", "100") in entry.changes
    assert entry.recorded_at == told.moments["corrected"].at
    assert entry.organization_id == str(assessment.branches["C"])
    c = str(assessment.branches["C"])

    def shown(moment: str) -> tuple[float | None, str | None, int | None]:
        line = board.standing(conn, str(assessment.cycle), c, told.moments[moment].position)
        assert line is not None
        return line.combined, line.grade, line.overall_rank

    assert shown("published") == (78.96, "合格", 3)  # what the committee published
    assert shown("corrected") == (84.56, "良好", 2)
    assert shown("reopened") == shown("corrected")
    changes, events = audit.diff(conn, evaluation, told.moments["scored"].position,
                                 told.moments["corrected"].position)
    assert audit.Change("points", "84", "100") in changes
    assert [e.event_type for e in events] == ["Corrected"]
    assert audit.diff(conn, evaluation, told.moments["scored"].position,
                      told.moments["published"].position) == ([], [])
    blamed = {value.field: (value.value, entry) for value, entry in
              audit.blame(conn, evaluation)}
    assert blamed["points"][0] == "100" and blamed["points"][1].actor == REVIEWER
    then = {value.field: value.value for value, _ in
            audit.blame(conn, evaluation, told.moments["published"].position)}
    assert then["points"] == "84"


def test_a_finding_closed_then_reopened_as_of_several_moments(told, conn) -> None:
    finding = str(told.finding)
    history, _ = audit.entries_page(conn, audit.AuditFilter(aggregate_id=finding))
    assert [(e.event_type, e.actor) for e in history] == [
        ("Reopened", INSPECTOR), ("Verified", INSPECTOR),
        ("Submitted", f"person:{told.story.secretary}"),
        ("MeasurePlanned", f"person:{told.story.secretary}"), ("Raised", INSPECTOR)]
    reopened = history[0]
    assert (reopened.reason, reopened.changes) == (
        REOPENED, [audit.Change("status", "closed", "open")])
    assert reopened.organization_id == str(told.story.branch)
    statuses = {moment: rectification.finding(conn, finding, told.moments[moment].position)
                for moment in ("submitted", "closed", "reopened")}
    assert {m: v.status for m, v in statuses.items() if v} == {
        "submitted": "submitted", "closed": "closed", "reopened": "open"}
    assert rectification.finding(conn, finding, told.moments["corrected"].position) is None
    changes, events = audit.diff(conn, finding, told.moments["submitted"].position,
                                 told.moments["reopened"].position)
    assert changes == [audit.Change("status", "submitted", "open")]
    assert [e.event_type for e in events] == ["Verified", "Reopened"]
    blamed = {value.field: entry for value, entry in audit.blame(conn, finding)}
    assert (blamed["status"].event_type, blamed["status"].reason) == ("Reopened", REOPENED)
    closed_on = date.today() - timedelta(days=20)  # verified 35 days ago, reopened 5 days ago
    assert valid_time.valid_state(conn, finding, closed_on)["status"].value == "closed"
    assert valid_time.valid_state(conn, finding, date.today())["status"].value == "open"
    assert valid_time.valid_state(conn, finding, date.today(),
                             told.moments["closed"].position)["status"].value == "closed"


def test_changes_are_stored_as_canonical_json(told, conn) -> None:
    """Entries are assembled from values encoded once: the text must be what encoding the
    whole list would give, so equal changes compare equal as text."""
    stored = [row[0] for row in conn.execute(f"SELECT changes FROM {audit.ENTRIES.name}")]
    assert len(stored) > 50 and any('"before": null' in text for text in stored)
    for text in stored:
        assert text == json.dumps(json.loads(text), ensure_ascii=False, sort_keys=True)
