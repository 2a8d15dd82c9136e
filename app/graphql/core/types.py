"""Output types, each built from a read-model row with from_view()."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from app.graphql.core.duties import KIND_ORDER, Holder, Responsibility, RoleHeld
from app.graphql.kit.context import Context
from app.graphql.kit.ids import (
    actor_global_id,
    actor_person,
    from_global_id,
    to_global_id,
)
from app.graphql.kit.nodes import Node
from app.graphql.kit.paging import Connection, paginate
from app.graphql.kit.vocab import (
    GoalField,
    GoalLevel,
    GoalStatus,
    OrganizationKind,
    PostKind,
    code,
    labelled,
)
from domain.labels import actor_label
from projections import goals as goal_views
from projections import organization_tree as tree
from projections import valid_time

if TYPE_CHECKING:
    from app.graphql.accountability.types import ResponsibilityLetter


@labelled
@strawberry.type(description="A post someone holds in an organisation.")
class Membership:
    person: Person
    post: str = code(PostKind)
    since: date | None


def record_version(root: Any, info: Info[Context, None]) -> int:
    """Any record's: its raw id from its global id, as of the position it was read at."""
    raw_id = getattr(root, "raw_id", None) or str(from_global_id(root.id)[1])
    # Through the loader: a page's list builders announce their records, so a page's
    # versions cost one query, not one per row.
    return info.context.loaders.version.get(raw_id, getattr(root, "position", None)) or 0


def version_field() -> Any:
    """A record's `version`, the same on each type that has one."""
    return strawberry.field(
        resolver=record_version,
        description="How many events the record has had (as of `asOf`): what an update's "
                    "`expectedVersion` is compared with.")


@strawberry.interface(description="Who did something: a Person, or a SystemActor (the "
                                  "administrator account, a system job).")
class Actor:
    id: strawberry.ID
    name: str


@strawberry.type(description="An actor that is not a person: the administrator account "
                             "(`admin`) or a system job (`system:<job>`).")
class SystemActor(Node, Actor):
    code: str = strawberry.field(description="As events record it: `admin`, `system:<job>`.")

    @classmethod
    def of(cls, actor: str) -> SystemActor:
        return cls(id=strawberry.ID(actor_global_id(actor)), name=actor_label(actor),
                   code=actor)


def actor_of(info: Info[Context, None], actor: str, position: int | None) -> Actor | None:
    """An actor as events record it, as the API shows it: the Person (None when outside the
    reader's scope) or the SystemActor."""
    person = actor_person(actor)
    if person is None:
        return SystemActor.of(actor)
    member = info.context.loaders.person.get(person, position)
    return person_of(member, position) if member else None


def actor_field(recorded: str, description: str) -> Any:
    """A field showing who did something (`Actor`): the recorded actor (`person:<id>`,
    `admin`, `system:<job>`) is the object's private attribute `recorded`."""
    def resolve(root: Any, info: Info[Context, None]) -> Actor | None:
        actor: str | None = getattr(root, recorded)
        return actor_of(info, actor, getattr(root, "position", None)) if actor else None
    return strawberry.field(resolver=resolve, description=description)


@strawberry.type(description="A party member or staff member.")
class Person(Node, Actor):
    name: str
    party_member: bool
    version: int = version_field()
    raw_id: strawberry.Private[str]
    position: strawberry.Private[int | None]

    @strawberry.field(description="What this person is responsible for, by kind.")
    def responsibilities(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
    ) -> Connection[Responsibility]:
        rows = info.context.loaders.responsibilities.get(self.raw_id, self.position) or []
        return paginate([Responsibility.from_view(r, self.position) for r in rows],
                        lambda r: (KIND_ORDER[r.kind], r.goal_title, str(r.goal_id)),
                        first, after, last, before)


def person_of(member: tree.Member, position: int | None) -> Person:
    return Person(id=strawberry.ID(to_global_id("Person", member.person_id)), name=member.name,
                  party_member=member.party_member, raw_id=member.person_id, position=position)


@labelled
@strawberry.type(description="A party organisation: committee, general branch, branch or group.")
class Organization(Node):
    name: str
    kind: str = code(OrganizationKind)
    category: str
    dissolved: bool
    version: int = version_field()
    raw_id: strawberry.Private[str]
    parent_raw_id: strawberry.Private[str | None]
    position: strawberry.Private[int | None]

    @classmethod
    def from_view(cls, node: tree.OrganizationNode, position: int | None) -> Organization:
        return cls(id=strawberry.ID(to_global_id("Organization", node.id)), name=node.name,
                   kind=node.kind, category=node.category, dissolved=node.dissolved,
                   raw_id=node.id, parent_raw_id=node.parent_id, position=position)

    @strawberry.field
    def parent(self, info: Info[Context, None]) -> Organization | None:
        if self.parent_raw_id is None:
            return None
        node = info.context.loaders.organization.get(self.parent_raw_id, self.position)
        return Organization.from_view(node, self.position) if node else None

    @strawberry.field(description="Organisations directly under this one, by name.")
    def children(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
    ) -> Connection[Organization]:
        nodes = info.context.loaders.children.get(self.raw_id, self.position) or []
        return paginate(organizations_of(info, nodes, self.position),
                        lambda o: (o.name, o.raw_id), first, after, last, before)

    @strawberry.field(description="From the parent up to the root.")
    def ancestors(self, info: Info[Context, None]) -> list[Organization]:
        scope = info.context.scope()
        nodes = tree.ancestors(info.context.conn, self.raw_id, self.position)
        return organizations_of(info, [n for n in nodes if scope.organization(n.id)],
                                self.position)

    @strawberry.field(description="People holding posts here, by name.")
    def members(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
    ) -> Connection[Membership]:
        return paginate([Membership(person=person_of(m, self.position), post=m.post,
                                    since=date.fromisoformat(m.since) if m.since else None)
                         for m in info.context.loaders.members.get(self.raw_id, self.position)
                         or []],
                        lambda m: (m.person.name, m.person.raw_id, m.post),
                        first, after, last, before)


@strawberry.type(description="The latest progress report, by effective date.")
class Progress:
    reports: int
    value: Decimal | None
    rubric_level: str | None
    effective_date: date | None
    completion: float | None = strawberry.field(
        description="0 at the baseline, 1 on target (beyond 1 when exceeded), honouring the "
                    "indicator's direction; for a rubric, the level's score over the best.")


@strawberry.type(description="One progress report on a goal, as it was made.")
class ProgressReport:
    value: Decimal | None = strawberry.field(description="For a quantitative indicator.")
    rubric_level: str | None = strawberry.field(description="For a qualitative indicator.")
    effective_date: date = strawberry.field(description="The business date it reports on.")
    evidence: list[str]
    reason: str
    recorded_at: datetime = strawberry.field(description="When the system learned it.")
    view: strawberry.Private[goal_views.ReportView]
    position: strawberry.Private[int | None]

    @classmethod
    def from_view(cls, view: goal_views.ReportView, position: int | None) -> ProgressReport:
        return cls(value=view.value, rubric_level=view.rubric_level,
                   effective_date=view.effective_date, evidence=view.evidence,
                   reason=view.reason, recorded_at=view.recorded_at, view=view,
                   position=position)

    @strawberry.field(description="Who reported it: a Person (null when the reader may not "
                                  "read them) or a SystemActor.")
    def reporter(self, info: Info[Context, None]) -> Actor | None:
        return actor_of(info, self.view.actor, self.position)


def report_key(report: ProgressReport) -> tuple[str, str]:
    return (report.effective_date.isoformat(), f"{report.view.position:020d}")


@labelled
@strawberry.type(description="A party-building goal: term, annual or specific.")
class Goal(Node):
    title: str
    description: str
    level: str = code(GoalLevel)
    field: str = code(GoalField)
    status: str = code(GoalStatus)
    weight: int
    period_start: date
    period_end: date
    indicator: JSON
    progress: Progress
    raw_id: strawberry.Private[str]
    letter_raw_id: strawberry.Private[str | None]
    parent_raw_id: strawberry.Private[str | None]
    organization_raw_id: strawberry.Private[str]
    position: strawberry.Private[int | None]
    valid_at: date | None = strawberry.field(
        default=None,
        description="Set when asked `validAt`: the goal's own fields and `responsible` are "
                    "as true in the business on that date (as known at `asOf`); its "
                    "organisation, parent and subgoals are as of `asOf`.")
    valid_holders: strawberry.Private[list[Holder] | None] = None

    @classmethod
    def from_view(cls, view: goal_views.GoalView, position: int | None) -> Goal:
        return cls(
            id=strawberry.ID(to_global_id("Goal", view.id)), title=view.title,
            description=view.description, level=view.level, field=view.field,
            status=view.status, weight=view.weight, period_start=view.period_start,
            period_end=view.period_end, indicator=JSON(view.indicator),
            progress=Progress(reports=view.progress_reports, value=view.progress_value,
                              rubric_level=view.progress_level,
                              effective_date=view.progress_date, completion=view.completion),
            raw_id=view.id, letter_raw_id=view.letter_id, parent_raw_id=view.parent_id,
            organization_raw_id=view.organization_id, position=position,
        )

    @strawberry.field
    def organization(self, info: Info[Context, None]) -> Organization | None:
        node = info.context.loaders.organization.get(self.organization_raw_id, self.position)
        return Organization.from_view(node, self.position) if node else None

    version: int = version_field()
    @strawberry.field
    def parent(self, info: Info[Context, None]) -> Goal | None:
        if self.parent_raw_id is None:
            return None
        view = info.context.loaders.goal.get(self.parent_raw_id, self.position)
        return goals_of(info, [view], self.position)[0] if view else None

    @strawberry.field(description="Who bears responsibility for this goal, by kind.")
    def responsible(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
    ) -> Connection[Holder]:
        holders = self.valid_holders
        if holders is None:
            views = info.context.loaders.holders.get(self.raw_id, self.position) or []
            holders = [Holder.from_view(h) for h in views]
        return paginate(holders, lambda h: (KIND_ORDER[h.kind], str(h.party_id)),
                        first, after, last, before)

    @strawberry.field(description="The signed responsibility letter this goal is on (after "
                                  "which it changes only through an approved amendment); "
                                  "null while it is on none.")
    def letter(self, info: Info[Context, None]) -> Annotated[
            ResponsibilityLetter, strawberry.lazy("app.graphql.accountability.types")] | None:
        if self.letter_raw_id is None:
            return None
        found = visible_node(info, "ResponsibilityLetter", self.letter_raw_id, self.position)
        return cast("ResponsibilityLetter", found) if found is not None else None

    @strawberry.field(description="Every progress report, by effective date (then as "
                                  "recorded): `last: 1` is the latest. With `validAt`, those "
                                  "effective by then.")
    def progress_reports(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
    ) -> Connection[ProgressReport]:
        views = info.context.loaders.reports.get(self.raw_id, self.position) or []
        reports = [ProgressReport.from_view(v, self.position) for v in views
                   if self.valid_at is None or v.effective_date <= self.valid_at]
        page = paginate(reports, report_key, first, after, last, before)
        for report in page.nodes:
            info.context.loaders.person.want(actor_person(report.view.actor), self.position)
        return page

    @strawberry.field(description="The goals decomposed from this one, with their weights.")
    def subgoals(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
    ) -> Connection[Goal]:
        views = info.context.loaders.subgoals.get(self.raw_id, self.position) or []
        return paginate(goals_of(info, views, self.position),
                        lambda g: (g.title, g.raw_id), first, after, last, before)


def holder_of(view: valid_time.ValidHolder) -> Holder:
    return Holder(kind=view.kind, party_kind=view.party_kind,
                  party_id=strawberry.ID(to_global_id(
                      "Person" if view.party_kind == "person" else "Organization",
                      view.party_id)),
                  since=view.since)


def valid_on(info: Info[Context, None], goal: Goal, valid_at: date) -> Goal | None:
    """The goal as true in the business on `valid_at`, as known at the goal's position
    (`projections.valid_time`); None before it existed."""
    view = valid_time.goal_valid_at(info.context.conn, goal.raw_id, valid_at, goal.position)
    if view is None:
        return None
    holders = [holder_of(h) for h in view.holders]
    return replace(
        goal, title=view.title, description=view.description, field=view.field,
        status=view.status, weight=view.weight, period_start=view.period_start,
        period_end=view.period_end, indicator=JSON(view.indicator),
        progress=Progress(reports=view.reports, value=view.value,
                          rubric_level=view.rubric_level, effective_date=view.effective_date,
                          completion=view.completion),
        valid_at=valid_at, valid_holders=sorted(holders, key=lambda h: (h.kind, h.party_id)))


def valid_goals_of(info: Info[Context, None], views: list[goal_views.GoalView],
                   valid_at: date, position: int | None) -> list[Goal]:
    """Goal objects for views already as true on `valid_at` (`projections.valid_lists`), with
    who was responsible then (one query for the list)."""
    holders = valid_time.holders_of(info.context.conn, [v.id for v in views], valid_at,
                                    position)
    return [replace(goal, valid_at=valid_at, valid_holders=sorted(
                (holder_of(h) for h in holders.get(goal.raw_id, [])),
                key=lambda h: (h.kind, h.party_id)))
            for goal in goals_of(info, views, position)]


def goals_of(info: Info[Context, None], views: list[goal_views.GoalView],
             position: int | None) -> list[Goal]:
    """Goal objects for a list of views, announcing to the loaders what their nested fields
    may ask for, so each nested field costs one query for the whole list."""
    loaders = info.context.loaders
    ids = [view.id for view in views]
    loaders.organization.want_all((view.organization_id for view in views), position)
    loaders.goal.want_all((view.parent_id for view in views), position)
    for loader in (loaders.holders, loaders.subgoals, loaders.version, loaders.reports):
        loader.want_all(ids, position)
    return [Goal.from_view(view, position) for view in views]


@strawberry.type(description="Who is asking.")
class Viewer:
    subject: str
    is_admin: bool
    person: Person | None
    roles: list[RoleHeld]


def organizations_of(info: Info[Context, None], nodes: list[tree.OrganizationNode],
                     position: int | None) -> list[Organization]:
    """Organisation objects for a list of nodes (cut to the scope by whoever fetched them),
    announcing to the loaders what their nested fields may ask for."""
    loaders = info.context.loaders
    for node in nodes:
        loaders.organization.want(node.parent_id, position)
        loaders.version.want(node.id, position)
        loaders.children.want(node.id, position)
        loaders.members.want(node.id, position)
    return [Organization.from_view(node, position) for node in nodes]


def readable_by(node: Any) -> set[str] | None:
    """The organisations whose readers see a node (None: every reader, e.g. the library)."""
    scope: tuple[str, ...] | None = getattr(node, "readable_by", ())
    return None if scope is None else set(scope)


def any_node(info: Info[Context, None], type_name: str, raw_id: str,
             position: int | None) -> Any:
    """Whether a record exists, whoever may read it (for telling FORBIDDEN from absent):
    never hand what this returns to a reader; `visible_node` does that."""
    feature = info.context.nodes.get(type_name)
    if feature is not None:
        return feature(info, raw_id, position)
    if type_name == "Organization":
        return tree.organization(info.context.conn, raw_id, position)
    if type_name == "Goal":
        return goal_views.goal(info.context.conn, raw_id, position)
    if type_name == "Person":
        return tree.person(info.context.conn, raw_id, position)
    return None


def visible_node(info: Info[Context, None], type_name: str, raw_id: str,
                 position: int | None) -> Node | None:
    """The node, or None when it does not exist or lies outside the principal's scope:
    organisations, goals and people through the scoped loaders, feature nodes by the
    organisations whose readers see them (`readable_by`)."""
    loaders = info.context.loaders
    if type_name == "SystemActor":
        return SystemActor.of(raw_id)
    if type_name == "Organization":
        node = loaders.organization.get(raw_id, position)
        return organizations_of(info, [node], position)[0] if node else None
    if type_name == "Goal":
        view = loaders.goal.get(raw_id, position)
        return goals_of(info, [view], position)[0] if view else None
    if type_name == "Person":
        member = loaders.person.get(raw_id, position)
        return person_of(member, position) if member else None
    feature = info.context.nodes.get(type_name)
    if feature is not None:
        found: Node | None = feature(info, raw_id, position)
        if found is not None and info.context.scope().shared(readable_by(found)):
            return found
    return None
