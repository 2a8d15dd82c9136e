"""A finding's linked evaluation and a sanction's evaluation basis must name an existing
evaluation; an unknown id, or the id of something else, writes nothing."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest

from domain.application import DengtaApplication
from domain.errors import NotFoundError
from tests.integration.assessment_story import ORGANIZER, Assessment, stage

INSPECTOR = "person:inspector"


def evaluated(app: DengtaApplication) -> tuple[Assessment, UUID, UUID]:
    """The assessment story with one self-evaluation, and a member of branch A."""
    story = stage(app)
    evaluation = app.evaluate("person:self-A", story.cycle, organization_id=story.branches["A"],
                              item_id=story.goals["A1"], kind="self", points=90,
                              comment="自评").id
    member = app.register_person(ORGANIZER, name="李委员", party_member=True).id
    return story, evaluation, member


def raise_linked(app: DengtaApplication, story: Assessment, owner: UUID,
                 evaluation: UUID) -> UUID:
    return app.raise_finding(
        INSPECTOR, title="自评分偏高", source="evaluation", severity="minor",
        organization_id=story.branches["A"], owner_id=owner, deadline=date(2026, 8, 31),
        effective_date=date(2026, 7, 1), evaluation_id=evaluation).id


def sanction_on(app: DengtaApplication, story: Assessment, member: UUID,
                basis: list[tuple[str, UUID]]) -> UUID:
    return app.issue_sanction(
        INSPECTOR, kind="admonishing_talk", party_kind="person", party_id=member,
        organization_id=story.branches["A"], basis=basis, effective_date=date(2026, 7, 2),
        reason="自评不实").id


def test_a_finding_links_only_an_existing_evaluation(app) -> None:
    story, evaluation, member = evaluated(app)
    head = app.recorder.max_notification_id()
    for unknown in (uuid4(), story.goals["A1"]):
        with pytest.raises(NotFoundError) as refused:
            raise_linked(app, story, member, unknown)
        assert (refused.value.code, refused.value.field) == ("NOT_FOUND", "evaluationId")
    assert app.recorder.max_notification_id() == head
    finding = raise_linked(app, story, member, evaluation)
    assert app.repository.get(finding).evaluation_id == evaluation


def test_a_sanction_cites_only_an_existing_evaluation(app) -> None:
    story, evaluation, member = evaluated(app)
    finding = raise_linked(app, story, member, evaluation)
    head = app.recorder.max_notification_id()
    for unknown in (uuid4(), finding):
        with pytest.raises(NotFoundError) as refused:
            sanction_on(app, story, member, [("finding", finding), ("evaluation", unknown)])
        assert (refused.value.code, refused.value.field) == ("NOT_FOUND", "basis")
    assert app.recorder.max_notification_id() == head
    sanction = sanction_on(app, story, member, [("evaluation", evaluation)])
    assert app.repository.get(sanction).basis == [{"kind": "evaluation", "id": evaluation}]
