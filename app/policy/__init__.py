"""Who may do what. One module decides; resolvers only ask.

Roles are scoped to an organisation's subtree and come from posts (secretary and deputy
secretary → secretary; committee member and member → member) and from explicit grants, which
are events. The built-in administrator may do everything; an `admin` grant, everything in its
subtree, granting roles included; a secretary manages organisations, people's posts, goals and
responsibilities in its subtree; anyone may report progress on a goal they are responsible
for. Assessment: the indicator library is kept by admins; cycles are run by the organiser's
managers and published, locked and reopened by its admins; evaluators give mass and social
ballots; organisational scoring is the parent organisation's managers'. Organisational
life (`life`): meetings are recorded, corrected and cancelled by the organisation's managers
for people within their reach; rule sets of required frequencies are its admins'.
Standardisation (`standards`): standards are kept by admins; a branch self-checks through its
managers; acceptance, lowering and revoking are the managers' of the organisation above.
Member evaluation (`members`): a branch's managers open a round and grade its members, its
committee proposes, members evaluate themselves and each other for themselves only, and the
managers above review a 不合格.
Pioneer posts (`pioneer`): designated, ended, corrected and cancelled by the organisation's
managers; followed up by them and by the holder on their own post.

Accountability: a secretary manages letters (drafts them for organisations below; approves
amendments as the issuing side), commitments, findings and projects in its subtree; a letter is
signed by the signer themself; inspectors raise findings, verify or return rectifications and
issue and revoke restraints, but change no goals or scores; commendations are the managers'. A
finding's owner and its measures' owners may plan and submit the rectification; that nobody
verifies their own is the domain's rule (Finding), not only this module's.
Reads need an authenticated principal. The audit trail (log, exports, live feeds) is for
inspectors and admins; a record's history, blame and diff for whoever may read the record.

Writes: each mutation asks one `may_*` function here, which looks at every party the command
names: the organisation it acts on, the organisations a cycle assesses, the people it names
(appointee, owner, committer, leader, sanctioned party, the person whose membership changes),
linked goals and records, and a ballot's own evaluator. Who counts as within reach is below
("who is within reach"). Segregation of duties stays in the domain.

The rules live in `base` (roles, reach), `reads`, `writes`, `assessment`, `life`,
`standards`, `members` and `pioneer`; this package is the one place that decides, and what
resolvers ask is re-exported here."""

from __future__ import annotations

from app.policy.assessment import (
    BALLOT_KINDS,
    SECRETARY_POSTS,
    expected_evaluators,
    may_administer,
    may_administer_cycle,
    may_correct_evaluation,
    may_create_cycle,
    may_curate_indicators,
    may_evaluate,
    may_evaluate_in_cycle,
    may_run_cycle,
)
from app.policy.base import (
    AUDITING_ROLES,
    MANAGING_ROLES,
    SEES_EVERYTHING,
    Decide,
    ForbiddenError,
    managed_roots,
    may_grant_roles,
    may_inspect,
    may_manage,
    party_in_reach,
    person_in_reach,
    require,
    roles,
    roles_at,
)
from app.policy.life import may_record_meeting, may_set_meeting_rules
from app.policy.members import (
    may_evaluate_as_member,
    may_propose_member_grade,
    may_review_member_grade,
    may_run_member_evaluation,
)
from app.policy.pioneer import may_designate_pioneer, may_follow_up_pioneer
from app.policy.reads import (
    ReadScope,
    audit_scope,
    may_read_organization,
    read_scope,
    require_audit_of,
    shared_read_scope,
    visible_organizations,
)
from app.policy.standards import may_judge_branch, may_keep_standard, may_self_check
from app.policy.writes import (
    may_appoint,
    may_assign_responsibility,
    may_change_goal,
    may_change_membership,
    may_change_organization,
    may_commit,
    may_conclude_commitment,
    may_decide_amendment,
    may_draft_goal,
    may_draft_letter,
    may_grant_role,
    may_list_letter_goal,
    may_move_organization,
    may_plan_measure,
    may_propose_amendment,
    may_propose_project,
    may_raise_finding,
    may_rectify,
    may_register_organization,
    may_register_person,
    may_reopen_finding,
    may_report_progress,
    may_revoke_responsibility,
    may_run_project,
    may_sanction,
    may_sign,
    may_verify,
)

__all__ = [
    "AUDITING_ROLES",
    "BALLOT_KINDS",
    "MANAGING_ROLES",
    "SECRETARY_POSTS",
    "SEES_EVERYTHING",
    "Decide",
    "ForbiddenError",
    "ReadScope",
    "audit_scope",
    "expected_evaluators",
    "managed_roots",
    "may_administer",
    "may_administer_cycle",
    "may_appoint",
    "may_assign_responsibility",
    "may_change_goal",
    "may_change_membership",
    "may_change_organization",
    "may_commit",
    "may_conclude_commitment",
    "may_correct_evaluation",
    "may_create_cycle",
    "may_curate_indicators",
    "may_decide_amendment",
    "may_designate_pioneer",
    "may_draft_goal",
    "may_draft_letter",
    "may_evaluate",
    "may_evaluate_as_member",
    "may_evaluate_in_cycle",
    "may_follow_up_pioneer",
    "may_grant_role",
    "may_grant_roles",
    "may_inspect",
    "may_judge_branch",
    "may_keep_standard",
    "may_list_letter_goal",
    "may_manage",
    "may_move_organization",
    "may_plan_measure",
    "may_propose_amendment",
    "may_propose_member_grade",
    "may_propose_project",
    "may_raise_finding",
    "may_read_organization",
    "may_record_meeting",
    "may_rectify",
    "may_register_organization",
    "may_register_person",
    "may_reopen_finding",
    "may_report_progress",
    "may_review_member_grade",
    "may_revoke_responsibility",
    "may_run_cycle",
    "may_run_member_evaluation",
    "may_run_project",
    "may_sanction",
    "may_self_check",
    "may_set_meeting_rules",
    "may_sign",
    "may_verify",
    "party_in_reach",
    "person_in_reach",
    "read_scope",
    "require",
    "require_audit_of",
    "roles",
    "roles_at",
    "shared_read_scope",
    "visible_organizations",
]
