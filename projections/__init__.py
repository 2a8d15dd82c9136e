"""Read models, each folded from the event log by the engine and readable as of any position."""

from projections.accountability import Accountability
from projections.audit_log import AuditLog
from projections.engine import Projection
from projections.goals import Goals
from projections.member_evaluation import MemberEvaluationView
from projections.organization_tree import OrganizationTree
from projections.organizational_life import OrganizationalLife
from projections.pioneer_posts import PioneerPosts
from projections.rectification import Rectification
from projections.responsibility_list import ResponsibilityList
from projections.scoreboard import Scoreboard
from projections.standardisation import StandardisationView

ALL: tuple[type[Projection], ...] = (OrganizationTree, Goals, ResponsibilityList,
                                        Scoreboard, AuditLog, Rectification, Accountability,
                                        OrganizationalLife, StandardisationView,
                                        MemberEvaluationView, PioneerPosts)
BY_NAME = {projection.name: projection for projection in ALL}
