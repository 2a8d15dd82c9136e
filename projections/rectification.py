"""Read model: findings and their rectification measures, and the overdue list with each item's
escalation chain (owner → the organisation's secretary → the parent organisation's secretary),
named from who held the secretary posts on the day the item fell due.

"Who held the post on that day" is a business-time question, so it is answered from the posts'
effective dates (a post taken or ended without one counts from the day it was recorded), kept
here as tenures; the organisation tree (the parent) is read as of the read's position."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from domain.findings import Finding
from domain.organizations import Organization
from domain.people import Person
from projections import organization_tree as tree
from projections.engine import Handler, Projection
from projections.pages import EVERYTHING, Page, count, read_page
from projections.temporal import Batch, TemporalTable, as_of
from store.db import Connection, marks

FINDINGS = TemporalTable(
    "view_findings", ("id",),
    {"id": "TEXT", "title": "TEXT", "source": "TEXT", "severity": "TEXT",
     "organization_id": "TEXT", "owner_id": "TEXT", "deadline": "TEXT", "raised_on": "TEXT",
     "goal_id": "TEXT", "evaluation_id": "TEXT", "status": "TEXT", "submissions": "BIGINT",
     "returns": "BIGINT", "reopenings": "BIGINT", "last_actor": "TEXT", "last_reason": "TEXT",
     "evidence": "TEXT"},
    partition="id", indexes=(("organization_id",), ("owner_id",)),
)
MEASURES = TemporalTable(
    "view_finding_measures", ("finding_id", "measure_id"),
    {"finding_id": "TEXT", "measure_id": "TEXT", "description": "TEXT", "owner_id": "TEXT",
     "due_date": "TEXT"},
    partition="finding_id", indexes=(("owner_id",),),
)
# Valid-time tenures of posts: [since, until) in effective dates.
TENURES = TemporalTable(
    "view_post_tenures", ("person_id", "organization_id", "post", "since"),
    {"person_id": "TEXT", "organization_id": "TEXT", "post": "TEXT", "since": "TEXT",
     "until": "TEXT"},
    partition="person_id", indexes=(("organization_id", "post"),),
)
# Valid-time parentage of organisations: [since, until) in effective dates, so an escalation
# reaches the parent organisation as the tree stood on the due date.
PARENTAGES = TemporalTable(
    "view_parentages", ("organization_id", "since"),
    {"organization_id": "TEXT", "parent_id": "TEXT", "since": "TEXT", "until": "TEXT"},
    partition="organization_id",
)


def _day(e: Any) -> str:
    """The business date of an event: its effective date, else the day it was recorded."""
    effective: date | None = e.effective_date
    return (effective or e.timestamp.date()).isoformat()


def raised(e: Finding.Raised, b: Batch) -> None:
    b[FINDINGS.name].put({
        "id": b.subject, "title": e.title, "source": e.source, "severity": e.severity,
        "organization_id": str(e.organization_id), "owner_id": str(e.owner_id),
        "deadline": e.deadline.isoformat(), "raised_on": e.effective_date.isoformat(),
        "goal_id": str(e.goal_id) if e.goal_id else None,
        "evaluation_id": str(e.evaluation_id) if e.evaluation_id else None,
        "status": "open", "submissions": 0, "returns": 0, "reopenings": 0, "last_actor": e.actor,
        "last_reason": e.reason, "evidence": None,
    })


def _finding_step(status: str, counter: str | None = None) -> Handler:
    def handler(e: Any, b: Batch) -> None:
        row = b[FINDINGS.name].get(b.subject)
        assert row is not None, f"finding {b.subject} was never raised"
        row.update(status=status, last_actor=e.actor, last_reason=e.reason)
        if counter is not None:
            row[counter] += 1
        if isinstance(e, Finding.Submitted):
            row["evidence"] = "\n".join(e.evidence)
        b[FINDINGS.name].put(row)
    return handler


def measure_planned(e: Finding.MeasurePlanned, b: Batch) -> None:
    b[MEASURES.name].put({"finding_id": b.subject, "measure_id": str(e.measure_id),
                          "description": e.description, "owner_id": str(e.owner_id),
                          "due_date": e.due_date.isoformat()})


def post_taken(e: Person.PostTaken, b: Batch) -> None:
    b[TENURES.name].put({"person_id": b.subject, "organization_id": str(e.organization_id),
                         "post": e.post, "since": _day(e), "until": None})


def registered(e: Organization.Registered, b: Batch) -> None:
    """Registered without an effective date, the organisation had its parent all along."""
    if e.parent_id is not None:
        since = e.effective_date or date.min
        b[PARENTAGES.name].put({"organization_id": b.subject, "parent_id": str(e.parent_id),
                                "since": since.isoformat(), "until": None})


def moved(e: Organization.Moved, b: Batch) -> None:
    """From its effective day the new parent holds; a move recorded late replaces whatever
    the tree was thought to be from that day on."""
    day = _day(e)
    for row in b[PARENTAGES.name].rows(b.subject):
        if row["since"] >= day:
            b[PARENTAGES.name].delete(b.subject, row["since"])
        elif row["until"] is None or row["until"] > day:
            b[PARENTAGES.name].put({**row, "until": day})
    b[PARENTAGES.name].put({"organization_id": b.subject, "parent_id": str(e.parent_id),
                            "since": day, "until": None})


def post_ended(e: Person.PostEnded, b: Batch) -> None:
    for row in b[TENURES.name].rows(b.subject):
        if (row["organization_id"] == str(e.organization_id) and row["post"] == e.post
                and row["until"] is None):
            b[TENURES.name].put({**row, "until": _day(e)})


class Rectification(Projection):
    name = "rectification"
    version = 3  # 2: parentages in business time; 3: how often a finding was reopened
    tables = (FINDINGS, MEASURES, TENURES, PARENTAGES)
    handlers: ClassVar[dict[type[Any], Handler]] = {
        Finding.Raised: raised,
        Finding.MeasurePlanned: measure_planned,
        Finding.Submitted: _finding_step("submitted", "submissions"),
        Finding.Returned: _finding_step("open", "returns"),
        Finding.Verified: _finding_step("closed"),
        Finding.Reopened: _finding_step("open", "reopenings"),
        Person.PostTaken: post_taken,
        Person.PostEnded: post_ended,
        Organization.Registered: registered,
        Organization.Moved: moved,
    }


# ---- queries ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class MeasureView:
    measure_id: str
    description: str
    owner_id: str
    due_date: date


@dataclass(frozen=True)
class FindingView:
    id: str
    title: str
    source: str
    severity: str
    organization_id: str
    owner_id: str
    deadline: date
    raised_on: date
    goal_id: str | None
    evaluation_id: str | None
    status: str
    submissions: int
    returns: int
    reopenings: int
    last_actor: str
    last_reason: str
    evidence: list[str]
    measures: tuple[MeasureView, ...] = ()

    def is_overdue(self, today: date) -> bool:
        return self.status != "closed" and today > self.deadline

    def overdue_measures(self, today: date) -> list[MeasureView]:
        """Measures past due while the rectification has not been submitted."""
        if self.status != "open":
            return []
        return [m for m in self.measures if today > m.due_date]


FINDING_COLUMNS = ("f.id, f.title, f.source, f.severity, f.organization_id, f.owner_id, "
                   "f.deadline, f.raised_on, f.goal_id, f.evaluation_id, f.status, "
                   "f.submissions, f.returns, f.reopenings, f.last_actor, f.last_reason, "
                   "f.evidence")


FINDING_SORT = ("f.deadline", "f.title", "f.id")
FindingKey = tuple[str, str, str]  # deadline, title, id: the keyset of a finding list


def finding_key(view: FindingView) -> FindingKey:
    return (view.deadline.isoformat(), view.title, view.id)


def _findings(conn: Connection, where: str, params: list[Any], position: int | None,
              page: Page = EVERYTHING) -> tuple[list[FindingView], bool]:
    cond, cond_params = as_of("f", position)
    rows, more = read_page(conn, FINDING_COLUMNS, f"{FINDINGS.name} f", f"{where} AND {cond}",
                           [*params, *cond_params], FINDING_SORT, page)
    if not rows:
        return [], more
    ids = [row[0] for row in rows]
    m_cond, m_params = as_of("m", position)
    measures: dict[str, list[MeasureView]] = {finding_id: [] for finding_id in ids}
    for row in conn.execute(
            f"SELECT m.finding_id, m.measure_id, m.description, m.owner_id, m.due_date "
            f"FROM {MEASURES.name} m WHERE m.finding_id IN ({marks(ids)}) AND {m_cond} "
            f"ORDER BY m.due_date, m.measure_id", [*ids, *m_params]):
        measures[row[0]].append(MeasureView(row[1], row[2], row[3],
                                            date.fromisoformat(row[4])))
    return [FindingView(
        id=r[0], title=r[1], source=r[2], severity=r[3], organization_id=r[4], owner_id=r[5],
        deadline=date.fromisoformat(r[6]), raised_on=date.fromisoformat(r[7]), goal_id=r[8],
        evaluation_id=r[9], status=r[10], submissions=int(r[11]), returns=int(r[12]),
        reopenings=int(r[13]), last_actor=r[14], last_reason=r[15],
        evidence=r[16].split("\n") if r[16] else [],
        measures=tuple(measures[r[0]])) for r in rows], more


def finding(conn: Connection, finding_id: str, position: int | None = None) -> FindingView | None:
    found, _ = _findings(conn, "f.id = ?", [finding_id], position)
    return found[0] if found else None


def measure_finding(conn: Connection, measure_id: str,
                    position: int | None = None) -> FindingView | None:
    """The finding a rectification measure was planned for (None before it was)."""
    cond, params = as_of("m", position)
    rows = conn.execute(f"SELECT m.finding_id FROM {MEASURES.name} m "
                        f"WHERE m.measure_id = ? AND {cond}", [measure_id, *params])
    return finding(conn, rows[0][0], position) if rows else None


@dataclass(frozen=True)
class FindingFilter:
    organization_ids: Sequence[str] | None = None  # None: of every organisation
    person_id: str | None = None  # findings a person owns, or owns a measure of
    status: str | None = None  # open, submitted or closed
    unclosed: bool = False  # open or submitted

    def where(self, position: int | None) -> tuple[str, list[Any]] | None:
        """The SQL condition and its parameters; None when nothing can match."""
        clauses: list[str] = ["1 = 1"]
        params: list[Any] = []
        if self.organization_ids is not None:
            if not self.organization_ids:
                return None
            clauses.append(f"f.organization_id IN ({marks(self.organization_ids)})")
            params += list(self.organization_ids)
        if self.person_id is not None:
            m_cond, m_params = as_of("m", position)
            clauses.append(f"(f.owner_id = ? OR f.id IN (SELECT m.finding_id FROM "
                           f"{MEASURES.name} m WHERE m.owner_id = ? AND {m_cond}))")
            params += [self.person_id, self.person_id, *m_params]
        if self.status is not None:
            clauses.append("f.status = ?")
            params.append(self.status)
        if self.unclosed:
            clauses.append("f.status <> 'closed'")
        return " AND ".join(clauses), params


def findings_page(conn: Connection, where: FindingFilter, position: int | None = None,
                  page: Page = EVERYTHING) -> tuple[list[FindingView], bool, int]:
    """A keyset page of findings by deadline, title and id, whether more lie beyond it, and
    how many match in all."""
    found = where.where(position)
    if found is None:
        return [], False, 0
    clause, params = found
    views, more = _findings(conn, clause, params, position, page)
    cond, cond_params = as_of("f", position)
    return views, more, count(conn, f"{FINDINGS.name} f", f"{clause} AND {cond}",
                              [*params, *cond_params])


def findings_of_organizations(conn: Connection, organization_ids: Sequence[str] | None,
                              position: int | None = None) -> list[FindingView]:
    """The findings of some organisations (None: of all)."""
    return _matching(conn, FindingFilter(organization_ids=organization_ids), position)


def findings_of_person(conn: Connection, person_id: str,
                       position: int | None = None) -> list[FindingView]:
    """Findings a person owns, or owns a measure of."""
    return _matching(conn, FindingFilter(person_id=person_id), position)


def _matching(conn: Connection, where: FindingFilter,
              position: int | None) -> list[FindingView]:
    found = where.where(position)
    return _findings(conn, *found, position)[0] if found is not None else []


@dataclass(frozen=True)
class Escalation:
    level: str  # owner, secretary, parent_secretary
    person_id: str | None  # None: nobody held the post that day
    name: str | None
    organization_id: str | None


@dataclass(frozen=True)
class OverdueItem:
    finding: FindingView
    measure: MeasureView | None  # None: the finding itself is past its deadline
    due_date: date
    days_overdue: int
    chain: tuple[Escalation, ...]


def secretary_on(conn: Connection, organization_id: str, day: date,
                 position: int | None = None) -> str | None:
    """Who held the secretary post of an organisation on `day` (by effective dates)."""
    cond, params = as_of("t", position)
    rows = conn.execute(
        f"SELECT t.person_id FROM {TENURES.name} t WHERE t.organization_id = ? "
        f"AND t.post = 'secretary' AND t.since <= ? AND (t.until IS NULL OR t.until > ?) "
        f"AND {cond} ORDER BY t.since DESC, t.person_id LIMIT 1",
        [organization_id, day.isoformat(), day.isoformat(), *params])
    return rows[0][0] if rows else None


def parent_on(conn: Connection, organization_id: str, day: date,
              position: int | None = None) -> str | None:
    """An organisation's parent on `day` (by the moves' effective dates); before its first
    known parentage, its first parent."""
    cond, params = as_of("p", position)
    rows = conn.execute(
        f"SELECT p.parent_id FROM {PARENTAGES.name} p WHERE p.organization_id = ? "
        f"AND (p.until IS NULL OR p.until > ?) AND {cond} ORDER BY p.since",
        [organization_id, day.isoformat(), *params])
    return rows[0][0] if rows else None


def escalation_chain(conn: Connection, owner_id: str, organization_id: str, day: date,
                     position: int | None = None) -> tuple[Escalation, ...]:
    def named(level: str, person_id: str | None, org: str | None) -> Escalation:
        person = tree.person(conn, person_id, position) if person_id else None
        return Escalation(level, person_id, person.name if person else None, org)

    parent = parent_on(conn, organization_id, day, position)
    return (
        named("owner", owner_id, organization_id),
        named("secretary", secretary_on(conn, organization_id, day, position),
              organization_id),
        named("parent_secretary",
              secretary_on(conn, parent, day, position) if parent else None, parent),
    )


def overdue_items(conn: Connection, findings: list[FindingView], today: date,
                  position: int | None = None) -> list[OverdueItem]:
    """The overdue findings and measures among `findings`, most overdue first."""
    items = []
    for found in findings:
        if found.is_overdue(today):
            items.append(OverdueItem(found, None, found.deadline,
                                     (today - found.deadline).days,
                                     escalation_chain(conn, found.owner_id,
                                                      found.organization_id, found.deadline,
                                                      position)))
        for measure in found.overdue_measures(today):
            items.append(OverdueItem(found, measure, measure.due_date,
                                     (today - measure.due_date).days,
                                     escalation_chain(conn, measure.owner_id,
                                                      found.organization_id, measure.due_date,
                                                      position)))
    return sorted(items, key=lambda i: (-i.days_overdue, i.finding.title, i.finding.id,
                                        i.measure.measure_id if i.measure else ""))
