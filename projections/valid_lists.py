"""Lists as true in the business on a date, as known at a position: the records a list holds
as of the position, each replaced by its valid-time replay (`valid_time.valid_records`, one
query per 500 records), left out when it did not exist yet on that date, then filtered on the
replayed values and sorted in the list's own order (the caller pages them).

The views keep their types, so the API answers with the same objects: a view's field that the
audit log records under the same name takes its value on the date; counters and statuses the
read models derive are derived again from the replay (`DERIVED`); what the log does not record
(a record's organisation, its day of creation, who acted last) stays as of the position."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any, Protocol, TypeVar

from projections import goals as goal_views
from projections import organization_tree as tree
from projections import rectification, valid_time
from projections import responsibility_list as duty
from projections.accountability.letters import LetterFilter, LetterView, letter_key, letters_page
from projections.accountability.records import (
    CommitmentView,
    ProjectView,
    RecordFilter,
    SanctionView,
    commitment_key,
    commitments_page,
    project_key,
    projects_page,
    sanction_key,
    sanctions_page,
)
from projections.pages import EVERYTHING
from projections.valid_time import ValidRecord, valid_records
from store.db import Connection


class View(Protocol):
    @property
    def id(self) -> str: ...


V = TypeVar("V", bound=View)
CONVERT: dict[str, Callable[[Any], Any]] = {"date": date.fromisoformat, "Decimal": Decimal}


@cache
def _converters(view_type: type[Any]) -> dict[str, Callable[[Any], Any]]:
    """For each of a view's fields (its id aside), how a replayed JSON value becomes its type
    (dates and decimals are text in the log)."""
    found = {}
    for f in dataclasses.fields(view_type):
        base = str(f.type).split(" | ")[0]
        found[f.name] = CONVERT.get(base, lambda value: value)
    found.pop("id")
    return found


def overlay(view: V, record: ValidRecord) -> V:
    """The view with the fields the record's replay holds, as they held on its date."""
    changes = {name: convert(record.fields[name].value)
               for name, convert in _converters(type(view)).items() if name in record.fields}
    replaced: V = dataclasses.replace(view, **changes)  # type: ignore[type-var]
    derive = DERIVED.get(type(view))
    return derive(replaced, record) if derive is not None else replaced


def _goal(view: goal_views.GoalView, r: ValidRecord) -> goal_views.GoalView:
    latest: dict[str, Any] = r.value("progress", {})
    value, level = latest.get("value"), latest.get("rubric_level")
    return dataclasses.replace(
        view, progress_reports=r.events["ProgressReported"],
        progress_value=Decimal(value) if value is not None else None, progress_level=level,
        progress_date=(date.fromisoformat(latest["effective_date"])
                       if latest.get("effective_date") else None),
        completion=goal_views.completion(view.indicator, value, level))


def _organization(view: tree.OrganizationNode, r: ValidRecord) -> tree.OrganizationNode:
    return dataclasses.replace(view, parent_id=r.value("parent_id"))  # a root has none


def _finding(view: rectification.FindingView, r: ValidRecord) -> rectification.FindingView:
    planned = r.keyed("measure")
    return dataclasses.replace(
        view, submissions=r.events["Submitted"], returns=r.events["Returned"],
        reopenings=r.events["Reopened"], evidence=r.value("evidence") or [],
        measures=tuple(m for m in view.measures if m.measure_id in planned))


def _letter(view: LetterView, r: ValidRecord) -> LetterView:
    signed = r.keyed("signature")
    issuer, recipient = signed.get("issuer"), signed.get("recipient")
    return dataclasses.replace(
        view, status="signed" if issuer and recipient else r.value("status", view.status),
        goal_ids=[g for g in view.goal_ids if g in r.keyed("goal")],
        issuer_signer_id=issuer, issuer_signed_on=view.issuer_signed_on if issuer else None,
        recipient_signer_id=recipient,
        recipient_signed_on=view.recipient_signed_on if recipient else None,
        amendments=tuple(a for a in view.amendments
                         if a.amendment_id in r.keyed("amendment")))


def _commitment(view: CommitmentView, r: ValidRecord) -> CommitmentView:
    concluded = r.value("status") == "concluded"
    return dataclasses.replace(
        view, follow_ups=r.events["FollowedUp"],
        status=("fulfilled" if r.value("fulfilled") else "not_fulfilled") if concluded
        else "open", concluded_on=view.concluded_on if concluded else None)


def _project(view: ProjectView, r: ValidRecord) -> ProjectView:
    return dataclasses.replace(view, reached=len(r.keyed("milestone")))


def _sanction(view: SanctionView, r: ValidRecord) -> SanctionView:
    revoked = bool(r.value("revoked"))
    return dataclasses.replace(view, revoked=revoked,
                               revocation_reason=view.revocation_reason if revoked else None)


DERIVED: dict[type[Any], Callable[[Any, ValidRecord], Any]] = {
    goal_views.GoalView: _goal, tree.OrganizationNode: _organization,
    rectification.FindingView: _finding, LetterView: _letter, CommitmentView: _commitment,
    ProjectView: _project, SanctionView: _sanction,
}


def valid_views(conn: Connection, views: Sequence[V], valid_at: date,
                position: int | None) -> list[V]:
    """The views as true on `valid_at`, as known at `position`, in the order given; those
    that did not exist yet on that date left out."""
    records = valid_records(conn, [v.id for v in views], valid_at, position)
    return [overlay(v, records[v.id]) for v in views if v.id in records]


def _having(views: list[V], **wanted: Any) -> list[V]:
    """The views whose attributes equal the values wanted (None: any)."""
    asked = {name: value for name, value in wanted.items() if value is not None}
    return [v for v in views if all(getattr(v, n) == value for n, value in asked.items())]


# ---- the lists: every one that matches, in its own order -------------------------------------

def goals(conn: Connection, where: goal_views.GoalFilter, valid_at: date,
          position: int | None) -> list[goal_views.GoalView]:
    """Goals (organisation and category as of `position`: the tree is not back-dated for
    goals), level, field, status and period as on `valid_at`."""
    held = goal_views.goals(conn, dataclasses.replace(
        where, level=None, field=None, status=None, overlapping=None), position)
    found = _having(valid_views(conn, held, valid_at, position), level=where.level,
                    field=where.field, status=where.status)
    if where.overlapping is not None:
        start, end = where.overlapping
        found = [g for g in found if g.period_start <= end and g.period_end >= start]
    return sorted(found, key=goal_views.sort_key)


def organizations(conn: Connection, valid_at: date, position: int | None) -> list[
        tree.OrganizationNode]:
    """Every organisation as on `valid_at` (name, category, parent, dissolved), by name."""
    held, _, _ = tree.organizations_page(conn, None, position, EVERYTHING)
    return valid_views(conn, held, valid_at, position)


def subtree(nodes: Sequence[tree.OrganizationNode],
            root_id: str) -> list[tree.OrganizationNode]:
    """The root and what lies under it through the nodes' parents, by depth, then name (as
    `organization_tree.descendants` orders it); nothing when the root is not among them."""
    children: dict[str | None, list[tree.OrganizationNode]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)
    level = [n for n in nodes if n.id == root_id]
    found: list[tree.OrganizationNode] = []
    depth, seen = 0, set()
    while level:
        level = sorted((n for n in level if n.id not in seen), key=lambda n: (n.name, n.id))
        found += [dataclasses.replace(n, depth=depth) for n in level]
        seen |= {n.id for n in level}
        level = [c for n in level for c in children.get(n.id, [])]
        depth += 1
    return found


def named(nodes: Sequence[tree.OrganizationNode], category: str | None,
          name_contains: str | None) -> list[tree.OrganizationNode]:
    """Those of a category whose name contains the text (as `organizations_page` matches)."""
    text = tree.fold(name_contains) if name_contains else None
    return sorted((n for n in nodes if (category is None or n.category == category)
                   and (text is None or text in tree.fold(n.name))),
                  key=lambda n: (n.name, n.id))


def findings(conn: Connection, where: rectification.FindingFilter, valid_at: date,
             position: int | None) -> list[rectification.FindingView]:
    """Findings; `unclosed`: those not closed on `valid_at`."""
    held = rectification.findings_page(
        conn, dataclasses.replace(where, status=None, unclosed=False), position)[0]
    found = _having(valid_views(conn, held, valid_at, position), status=where.status)
    if where.unclosed:
        found = [f for f in found if f.status != "closed"]
    return sorted(found, key=rectification.finding_key)


def responsibilities(conn: Connection, party_id: str, valid_at: date, position: int | None,
                     within: Sequence[str] | None = None) -> list[duty.Responsibility]:
    """What a person or organisation answered for on `valid_at` (of the organisations
    `within`, if given), as known at `position`: of the goals it held a duty on by then, those
    whose duty held on that date, with the goal's title, level and status of that date (its
    organisation as of `position`); in `responsibilities_of`'s order."""
    ever = duty.goals_ever_held(conn, party_id, position)
    records = valid_records(conn, sorted(ever), valid_at, position)
    holders = valid_time.holders_of(conn, sorted(records), valid_at, position)
    inside = None if within is None else set(within)
    found = [duty.Responsibility(
        goal_id=goal_id, goal_title=record.value("title"), goal_status=record.value("status"),
        goal_level=record.value("level"), organization_id=ever[goal_id], kind=h.kind,
        party_kind=h.party_kind, since=h.since.isoformat() if h.since else None)
        for goal_id, record in records.items() for h in holders.get(goal_id, [])
        if h.party_id == party_id and (inside is None or ever[goal_id] in inside)]
    ranks = {"collective": "0", "primary": "1", "direct": "2"}
    return sorted(found, key=lambda r: (ranks.get(r.kind, "3"), r.goal_title, r.goal_id))


def letters(conn: Connection, where: LetterFilter, valid_at: date,
            position: int | None) -> list[LetterView]:
    """Letters, the latest year first."""
    held = letters_page(conn, dataclasses.replace(where, status=None), position)[0]
    found = _having(valid_views(conn, held, valid_at, position), status=where.status)
    return sorted(found, key=letter_key, reverse=True)


def commitments(conn: Connection, where: RecordFilter, valid_at: date,
                position: int | None) -> list[CommitmentView]:
    held = commitments_page(conn, dataclasses.replace(where, status=None), position)[0]
    found = _having(valid_views(conn, held, valid_at, position), status=where.status)
    return sorted(found, key=commitment_key)


def projects(conn: Connection, where: RecordFilter, valid_at: date,
             position: int | None) -> list[ProjectView]:
    held = projects_page(conn, dataclasses.replace(where, status=None), position)[0]
    found = _having(valid_views(conn, held, valid_at, position), status=where.status)
    return sorted(found, key=project_key)


def sanctions(conn: Connection, where: RecordFilter, valid_at: date,
              position: int | None) -> list[SanctionView]:
    held = sanctions_page(conn, dataclasses.replace(where, status=None), position)[0]
    found = _having(valid_views(conn, held, valid_at, position), status=where.status)
    return sorted(found, key=sanction_key)
