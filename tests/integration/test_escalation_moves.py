"""Escalation reaches the parent organisation as the tree stood on the due date, in business
time: a branch that moves to another committee after an item fell due still escalates to its
old committee's secretary; one that falls due after the move, to the new one's."""

from __future__ import annotations

from datetime import date

import pytest

from projections import accountability as views
from projections import rectification
from store.db import Database
from store.url import DatabaseURL
from tests.integration.stories import ACTOR
from tests.integration.views import build

SINCE = date(2025, 1, 1)


@pytest.fixture
def conn(database_url: str):
    with Database(DatabaseURL(database_url)).connection() as connection:
        yield connection


def test_escalation_follows_the_parent_on_the_due_date(app, conn) -> None:
    root = app.register_organization(ACTOR, name="市委", kind="committee", category="机关").id
    committees, secretaries = {}, {}
    for key, name, chief in (("old", "第一党委", "赵书记"), ("new", "第二党委", "吴书记")):
        committees[key] = app.register_organization(ACTOR, name=name, kind="committee",
                                                    category="机关", parent_id=root).id
        secretaries[key] = app.register_person(ACTOR, name=chief, party_member=True).id
        app.appoint(ACTOR, secretaries[key], organization_id=committees[key],
                    post="secretary", effective_date=SINCE)
    branch = app.register_organization(ACTOR, name="物流党支部", kind="branch", category="物流",
                                       parent_id=committees["old"]).id
    owner = app.register_person(ACTOR, name="钱委员", party_member=True).id
    for title, deadline in (("五月到期", date(2026, 5, 31)), ("七月到期", date(2026, 7, 31))):
        app.raise_finding("person:inspector", title=title, source="self_check",
                          severity="minor", organization_id=branch, owner_id=owner,
                          deadline=deadline, effective_date=date(2026, 4, 1))
    before_move = app.recorder.max_notification_id()
    # Recorded after both due dates, effective between them.
    app.move_organization(ACTOR, branch, new_parent_id=committees["new"], reason="机构调整",
                          effective_date=date(2026, 6, 15))
    build(app, conn)

    def chiefs(position: int | None = None) -> dict[str, str | None]:
        overdue = views.accountability(conn, "organization", str(branch), date(2026, 8, 15),
                                       position).overdue
        return {item.finding.title: item.chain[2].name for item in overdue}

    assert chiefs() == {"五月到期": "赵书记", "七月到期": "吴书记"}
    # Before the move was recorded, the tree was known with the old committee only.
    assert chiefs(before_move) == {"五月到期": "赵书记", "七月到期": "赵书记"}
    assert rectification.parent_on(conn, str(branch), date(2026, 6, 14)) == str(
        committees["old"])
    assert rectification.parent_on(conn, str(branch), date(2026, 6, 15)) == str(
        committees["new"])

    # Recorded later still: the branch went back to the old committee from May 1st, which
    # overrides what was known of the tree from that day on.
    app.move_organization(ACTOR, branch, new_parent_id=committees["old"], reason="撤回调整",
                          effective_date=date(2026, 5, 1))
    build(app, conn)
    assert chiefs() == {"五月到期": "赵书记", "七月到期": "赵书记"}
    assert rectification.parent_on(conn, str(branch), date(2026, 6, 15)) == str(
        committees["old"])
