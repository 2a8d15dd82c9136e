"""Read models, each folded from the event log by the engine and readable as of any position."""

from projections.accountability import Accountability
from projections.engine import Projection
from projections.goals import Goals
from projections.organization_tree import OrganizationTree
from projections.rectification import Rectification
from projections.responsibility_list import ResponsibilityList

ALL: tuple[type[Projection], ...] = (OrganizationTree, Goals, ResponsibilityList,
                                     Rectification, Accountability)
BY_NAME = {projection.name: projection for projection in ALL}
