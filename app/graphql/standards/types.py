"""Output types of branch standardisation: the versioned standard, a branch's record
(self-checks and level changes), the levels held on a day and the shares by year, each built
from a read-model view."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from app.graphql.accountability.common import organization_at
from app.graphql.core.types import Organization, version_field
from app.graphql.kit.context import Context
from app.graphql.kit.ids import gid
from app.graphql.kit.nodes import Node, NodeRegistry
from app.graphql.kit.vocab import code, labelled
from domain.branch_standard import StandardVersion as DomainVersion
from domain.standardisation import LevelChange, StandardLevel
from projections import standardisation as views


@strawberry.type(description="One item of the standard: what is checked, and its points.")
class StandardItem:
    code: str
    title: str
    criteria: str
    points: float


@strawberry.type(description="One version of a standard, in force from `effectiveFrom`.")
class StandardVersion:
    revision: int
    effective_from: date
    items: list[StandardItem]
    total_points: float
    actor: str
    reason: str

    @classmethod
    def of(cls, version: DomainVersion, actor: str, reason: str) -> StandardVersion:
        return cls(revision=version.revision, effective_from=version.effective_from,
                   items=[StandardItem(code=i.code, title=i.title, criteria=i.criteria,
                                       points=float(i.points)) for i in version.items],
                   total_points=float(version.total), actor=actor, reason=reason)


@strawberry.type(description="党支部工作标准: items with criteria and points, kept by an "
                             "organisation for the branches below it, every version kept; "
                             "the version in force on a day is the one effective then.")
class BranchStandard(Node):
    title: str
    versions: list[StandardVersion]
    version: int = version_field()
    readable_by: strawberry.Private[tuple[str, ...]]
    view: strawberry.Private[views.StandardView]
    position: strawberry.Private[int | None]

    @classmethod
    def from_view(cls, view: views.StandardView, position: int | None) -> BranchStandard:
        return cls(id=gid("BranchStandard", view.id), title=view.title,
                   versions=[StandardVersion.of(v, actor, reason) for v, (actor, reason)
                             in zip(view.versions, view.reasons, strict=True)],
                   readable_by=(view.organization_id,), view=view, position=position)

    @strawberry.field
    def organization(self, info: Info[Context, None]) -> Organization | None:
        return organization_at(info, self.view.organization_id, self.position)

    @strawberry.field(description="The version in force on `on`, if any.")
    def in_force(self, on: date) -> StandardVersion | None:
        found = self.view.in_force(on)
        return next((v for v in self.versions if found and v.revision == found.revision),
                    None)


@strawberry.type(description="One item's self-assessed score, with its evidence.")
class StandardItemScore:
    code: str
    score: float
    evidence: str


@strawberry.type(description="支部自查: a branch's scores against the version of a standard "
                             "in force on `checkedOn`.")
class SelfCheck:
    number: int
    standard_id: strawberry.ID
    revision: int
    checked_on: date
    scores: list[StandardItemScore]
    total: float
    reason: str

    @classmethod
    def of(cls, view: views.SelfCheckView) -> SelfCheck:
        return cls(number=view.number, standard_id=gid("BranchStandard", view.standard_id),
                   revision=view.revision, checked_on=view.checked_on,
                   scores=[StandardItemScore(code=c, score=float(s), evidence=e)
                           for c, s, e in view.scores],
                   total=float(view.total), reason=view.reason)


@labelled
@strawberry.type(description="A change of a branch's level, effective from `effectiveOn`: an "
                             "acceptance by the organisation above, or a lowering or "
                             "revocation with its reason (and the finding it cites).")
class LevelChangeEntry:
    number: int
    change: str = code(LevelChange)
    level: str | None = code(StandardLevel, nullable=True, description="null: revoked.")
    effective_on: date
    self_check: int | None = strawberry.field(description="The self-check accepted.")
    finding_id: strawberry.ID | None
    reason: str
    accepted_by: strawberry.Private[str | None]
    position: strawberry.Private[int | None]

    @classmethod
    def of(cls, view: views.LevelChangeView, position: int | None) -> LevelChangeEntry:
        return cls(number=view.number, change=view.change.value,
                   level=view.level.value if view.level else None,
                   effective_on=view.effective_on, self_check=view.self_check,
                   finding_id=gid("Finding", view.finding_id) if view.finding_id else None,
                   reason=view.reason, accepted_by=view.accepted_by, position=position)

    @strawberry.field(description="The organisation above that accepted (an acceptance).")
    def accepted_by_organization(self, info: Info[Context, None]) -> Organization | None:
        return organization_at(info, self.accepted_by, self.position)


@strawberry.type(description="支部标准化建设档案: a branch's self-checks and the changes of "
                             "its level, in order. Never edited: each change is a reasoned "
                             "event (see the record's history).")
class BranchStandardisation(Node):
    self_checks: list[SelfCheck]
    changes: list[LevelChangeEntry]
    version: int = version_field()
    readable_by: strawberry.Private[tuple[str, ...]]
    view: strawberry.Private[views.RecordView]
    position: strawberry.Private[int | None]

    @classmethod
    def from_view(cls, view: views.RecordView, position: int | None) -> BranchStandardisation:
        return cls(id=gid("BranchStandardisation", view.record_id),
                   self_checks=[SelfCheck.of(c) for c in view.self_checks],
                   changes=[LevelChangeEntry.of(c, position) for c in view.changes],
                   readable_by=(view.organization_id,), view=view, position=position)

    @strawberry.field
    def organization(self, info: Info[Context, None]) -> Organization | None:
        return organization_at(info, self.view.organization_id, self.position)

    @strawberry.field(description="The change in effect on `on` (null: no level yet).")
    def level_on(self, on: date) -> LevelChangeEntry | None:
        found = self.view.on(on)
        return LevelChangeEntry.of(found, self.position) if found else None


@labelled
@strawberry.type(description="A branch holding a level on the query's `validAt`.")
class LevelHeld:
    level: str = code(StandardLevel)
    since: date = strawberry.field(description="When the change that gave it took effect.")
    change: str = code(LevelChange)
    reason: str
    organization_id: strawberry.Private[str]
    position: strawberry.Private[int | None]

    @classmethod
    def of(cls, organization_id: str, view: views.LevelChangeView,
           position: int | None) -> LevelHeld:
        assert view.level is not None
        return cls(level=view.level.value, since=view.effective_on, change=view.change.value,
                   reason=view.reason, organization_id=organization_id, position=position)

    @strawberry.field
    def organization(self, info: Info[Context, None]) -> Organization | None:
        return organization_at(info, self.organization_id, self.position)

    @strawberry.field(description="The branch's record (its self-checks and every change of "
                                  "its level), as known at the same moment.")
    def standardisation(self, info: Info[Context, None]) -> BranchStandardisation | None:
        view = views.record_of(info.context.conn, self.organization_id, self.position)
        return BranchStandardisation.from_view(view, self.position) if view else None


@labelled
@strawberry.type(description="How many branches held a level at the end of a year.")
class LevelCount:
    level: str | None = code(StandardLevel, nullable=True,
                             description="null: none (未验收, or revoked).")
    count: int
    share: float | None = strawberry.field(description="Of the branches counted.")


@strawberry.type(description="The branches at each level on 31 December of `year` (the "
                             "branches counted: those not dissolved, as of `asOf`).")
class LevelShare:
    year: int
    judged_on: date
    branches: int
    levels: list[LevelCount]

    @classmethod
    def of(cls, share: views.LevelShare) -> LevelShare:
        return cls(year=share.year, judged_on=share.judged_on, branches=share.branches,
                   levels=[*(LevelCount(level=level.value, count=count,
                                        share=share.share(level))
                             for level, count in share.counts.items()),
                           LevelCount(level=None, count=share.unrated,
                                      share=share.share(None))])


def _standard_node(info: Info[Context, None], raw_id: str,
                   position: int | None) -> BranchStandard | None:
    view = views.standards_by_id(info.context.conn, [raw_id], position).get(raw_id)
    return BranchStandard.from_view(view, position) if view else None


def _record_node(info: Info[Context, None], raw_id: str,
                 position: int | None) -> BranchStandardisation | None:
    view = views.record_by_id(info.context.conn, raw_id, position)
    return BranchStandardisation.from_view(view, position) if view else None


NODES: NodeRegistry = {"BranchStandard": _standard_node,
                       "BranchStandardisation": _record_node}
