"""`accountability(validAt:)`: an organisation's accountability view as true in the business
on a date, as known at `asOf`, checked against the seeded history's effective dates (findings
raised 04-01, submitted 05-01, one verified 05-10; a sanction from 05-01; a commitment from
01-01; a letter signed 02-01)."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.e2e.test_api import gql
from tests.e2e.test_authorization import world  # noqa: F401  (the fixture)

VIEW = """query($id: ID!, $at: Date, $asOf: DateTime) {
  accountability(partyId: $id, validAt: $at, asOf: $asOf) { validAt today
    goals(first: 50) { totalCount nodes { title kind status } }
    letters(first: 10) { totalCount nodes { title status } }
    commitments(first: 10) { totalCount nodes { title status } }
    findings(first: 10) { totalCount nodes { title status } }
    openFindings(first: 10) { totalCount nodes { title } }
    overdue(first: 10) { totalCount nodes { finding { title } } }
    projects(first: 10) { totalCount nodes { title } }
    sanctions(first: 10) { totalCount nodes { kind status } } } }"""
# What the history says held on each date: each list's (title or kind, status) pairs.
EXPECTED: dict[str, dict[str, list[tuple[str, ...]]]] = {
    "2026-01-15": {"letters": [("责任书", "drafted"), ("责任书二", "drafted")],
                   "commitments": [("承诺", "open")], "findings": [], "openFindings": [],
                   "overdue": [], "sanctions": []},
    "2026-04-15": {"letters": [("责任书", "signed"), ("责任书二", "drafted")],
                   "findings": [("已销号", "open"), ("待核", "open"), ("整改", "open")],
                   "openFindings": [("已销号",), ("待核",), ("整改",)], "sanctions": []},
    "2026-05-05": {"findings": [("已销号", "submitted"), ("待核", "submitted"),
                                ("整改", "open")],
                   "openFindings": [("已销号",), ("待核",), ("整改",)],
                   "sanctions": [("written_warning", "in_force")]},
    "2026-05-15": {"findings": [("已销号", "closed"), ("待核", "submitted"), ("整改", "open")],
                   "openFindings": [("待核",), ("整改",)], "overdue": [],
                   "sanctions": [("written_warning", "in_force")]},
    # The measures (due 06-01) were planned without a date: in force from the day recorded,
    # after these dates; the findings fall due 06-30, the one closed 05-10 never.
    "2026-06-05": {"overdue": []},
    "2026-07-05": {"overdue": [("整改",), ("待核",)]},
}


def rows(view: dict[str, Any], name: str) -> list[tuple[str, ...]]:
    found = []
    for node in view[name]["nodes"]:
        if name == "overdue":
            found.append((node["finding"]["title"],))
        else:
            found.append(tuple(str(v) for v in node.values()))
    assert view[name]["totalCount"] == len(found)
    return sorted(found)


def test_an_organisations_accountability_valid_at_a_date_is_the_history_on_that_date(
        world) -> None:  # noqa: F811
    client, ids = world
    for day, expected in EXPECTED.items():
        view = gql(client, VIEW, id=ids["A"], at=day)["data"]["accountability"]
        assert view["validAt"] == day and view["today"] == day
        for name, wanted in expected.items():
            assert sorted(rows(view, name)) == sorted(wanted), (day, name, rows(view, name))
    now = gql(client, VIEW, id=ids["A"])["data"]["accountability"]
    today = date.today().isoformat()
    valid_now = gql(client, VIEW, id=ids["A"], at=today)["data"]["accountability"]
    assert now["validAt"] is None
    for name in ("goals", "letters", "commitments", "findings", "openFindings", "projects",
                 "sanctions"):  # everything took effect by today: the plain view
        assert rows(valid_now, name) == rows(now, name), name


def test_valid_at_combines_with_as_of_known_then(world) -> None:  # noqa: F811
    """asOf the moment the first finding was raised: on a later business date the view holds
    it alone, open; the findings raised after that moment are unknown then."""
    client, ids = world
    entries = gql(client, "query($id: ID!) { history(id: $id, first: 50) { nodes { action "
                          "recordedAt } } }", id=ids["findingA"])["data"]["history"]["nodes"]
    raised = next(e["recordedAt"] for e in entries if e["action"] == "Raised")
    known_then = gql(client, VIEW, id=ids["A"], at="2026-05-15",
                     asOf=raised)["data"]["accountability"]
    assert rows(known_then, "findings") == [("整改", "open")]
    assert rows(known_then, "sanctions") == []  # issued later
    known_now = gql(client, VIEW, id=ids["A"], at="2026-05-15")["data"]["accountability"]
    assert len(rows(known_now, "findings")) == 3
