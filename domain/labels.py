"""The Chinese words for the domain's codes, one plain mapping per vocabulary (code -> label),
for anything that shows them to people: exports now, the API's enums later. A code missing
from its vocabulary shows as itself (`label`); tests hold each vocabulary to its enum and the
event labels to every event class."""

from __future__ import annotations

from collections.abc import Mapping

ORGANIZATION_KINDS = {"committee": "党委", "general_branch": "党总支", "branch": "党支部",
                      "group": "党小组"}
POSTS = {"secretary": "书记", "deputy_secretary": "副书记", "committee_member": "委员",
         "member": "党员", "staff": "工作人员"}
ROLES = {"admin": "管理员", "secretary": "书记", "member": "党员", "evaluator": "评议人",
         "inspector": "纪检监督"}
GOAL_LEVELS = {"term": "任期目标", "annual": "年度目标", "specific": "具体目标"}
GOAL_FIELDS = {"political": "政治建设", "ideological": "思想建设", "organizational": "组织建设",
               "style": "作风建设", "discipline": "纪律建设", "institutional": "制度建设",
               "business_integration": "党建+业务"}
GOAL_STATUSES = {"drafted": "草拟", "issued": "已下达", "closed": "已完成", "cancelled": "已取消"}
DIRECTIONS = {"higher_is_better": "越高越好", "lower_is_better": "越低越好"}
RESPONSIBILITY_KINDS = {"collective": "集体责任", "primary": "主体责任", "direct": "直接责任",
                        "specific": "具体责任"}
PARTY_KINDS = {"person": "个人", "organization": "组织"}
CYCLE_KINDS = {"routine": "日常考核", "annual": "年度考核"}
CADENCES = {"monthly": "月度", "quarterly": "季度"}
CYCLE_STATUSES = {"drafted": "草拟", "opened": "已启动", "self_evaluation": "自评",
                  "higher_level_scoring": "上级评价", "under_review": "审核中",
                  "published": "已公布", "locked": "已锁定"}
EVALUATOR_KINDS = {"organizational": "组织评价", "mass": "群众评价", "self": "自我评价",
                   "social": "社会评价"}
FINDING_SOURCES = {"inspection": "监督检查", "evaluation": "考核评价", "self_check": "自查",
                   "mass_report": "群众反映"}
SEVERITIES = {"minor": "一般", "major": "较重", "serious": "严重"}
FINDING_STATUSES = {"open": "整改中", "submitted": "待验收", "closed": "已销号"}
LETTER_STATUSES = {"drafted": "草拟", "signed": "已签订"}
LETTER_SIDES = {"issuer": "下达方", "recipient": "承接方"}
AMENDMENT_STATUSES = {"proposed": "待审批", "approved": "已批准", "rejected": "已驳回"}
COMMITMENT_STATUSES = {"open": "履行中", "concluded": "已结束", "fulfilled": "已兑现",
                       "not_fulfilled": "未兑现"}
PROJECT_TYPES = {"foundation": "基础巩固型", "promotion": "提升推进型", "innovation": "探索创新型"}
PROJECT_STATUSES = {"proposed": "已申报", "approved": "已立项", "in_progress": "实施中",
                    "accepted": "已验收", "rejected": "未通过"}
SANCTION_KINDS = {"commendation": "表彰", "admonishing_talk": "约谈", "written_warning": "书面警示",
                  "accountability": "问责"}
SANCTION_STATUSES = {"in_force": "有效", "revoked": "已撤销"}
BASIS_KINDS = {"evaluation": "考核评价", "finding": "问题整改", "letter": "目标责任书"}
MEETING_KINDS = {"branch_general": "支部党员大会", "branch_committee": "支部委员会",
                 "group": "党小组会", "lecture": "党课", "theme_day": "主题党日",
                 "life_meeting": "组织生活会", "democratic_review": "民主评议党员大会"}
ATTENDANCE_STATUSES = {"present": "出席", "absent": "缺席", "excused": "请假"}
MEETING_STATUSES = {"held": "已召开", "cancelled": "已作废"}
MEETING_CADENCES = {"monthly": "每月", "quarterly": "每季度", "yearly": "每年"}
MEASURE_SOURCES = {"meeting_compliance": "三会一课完成率"}
STANDARD_LEVELS = {"unqualified": "未达标", "qualified": "达标", "exemplary": "示范"}
LEVEL_CHANGES = {"accepted": "达标验收", "lowered": "降级", "revoked": "撤销"}
MEMBER_GRADES = {"excellent": "优秀", "qualified": "合格", "basically_qualified": "基本合格",
                 "unqualified": "不合格"}
REVIEW_OUTCOMES = {"upheld": "维持", "changed": "改变"}
GRADE_STANDINGS = {"ungraded": "未评定", "awaiting_review": "待上级审核", "final": "已确定"}
PIONEER_KINDS = {"exemplary_post": "党员示范岗", "responsibility_zone": "党员责任区"}
PIONEER_STATUSES = {"designated": "已设岗", "ended": "提前结束", "cancelled": "已作废"}

# Records, as the audit log names their types.
AGGREGATE_TYPES = {"Organization": "组织", "Person": "人员", "Goal": "目标",
                   "LibraryIndicator": "考核指标", "AssessmentCycle": "考核周期",
                   "Evaluation": "评价打分", "Scorer": "评价人登记",
                   "ResponsibilityLetter": "目标责任书", "Commitment": "公开承诺",
                   "Finding": "问题整改", "Project": "党建项目", "Sanction": "奖惩",
                   "Meeting": "会议记录", "MeetingRuleSet": "三会一课制度",
                   "BranchStandard": "党支部工作标准", "Standardisation": "支部标准化建设",
                   "MemberEvaluation": "民主评议党员", "PioneerPost": "党员示范岗（责任区）"}

# Events, as `<aggregate type>.<event type>` (the same name means different things on
# different records: a goal's Revised is not an evaluation's).
EVENTS = {
    "Organization.Registered": "登记组织", "Organization.Renamed": "更名",
    "Organization.Recategorized": "调整考核分类", "Organization.Moved": "调整隶属关系",
    "Organization.Dissolved": "撤销组织", "Organization.ChildAttached": "增加下级组织",
    "Organization.ChildDetached": "移出下级组织",
    "Person.Registered": "登记人员", "Person.MembershipChanged": "变更党员身份",
    "Person.PostTaken": "任职", "Person.PostEnded": "免职", "Person.RoleGranted": "授予权限",
    "Person.RoleRevoked": "收回权限",
    "Goal.Drafted": "草拟目标", "Goal.Revised": "修改目标", "Goal.Reweighted": "调整权重",
    "Goal.SubgoalAdded": "分解子目标", "Goal.Issued": "下达目标", "Goal.Closed": "完成目标",
    "Goal.Cancelled": "取消目标", "Goal.ProgressReported": "报告进度",
    "Goal.ResponsibilityAssigned": "落实责任", "Goal.ResponsibilityRevoked": "解除责任",
    "Goal.BoundToLetter": "纳入目标责任书",
    "LibraryIndicator.Defined": "设立考核指标", "LibraryIndicator.Revised": "修改考核指标",
    "AssessmentCycle.Drafted": "草拟考核", "AssessmentCycle.SchemeRevised": "修改考核方案",
    "AssessmentCycle.Opened": "启动考核", "AssessmentCycle.Advanced": "进入下一阶段",
    "AssessmentCycle.Published": "公布考核结果", "AssessmentCycle.Locked": "锁定考核",
    "AssessmentCycle.ReopenRequested": "申请重新打开考核",
    "AssessmentCycle.Reopened": "重新打开考核",
    "AssessmentCycle.BusinessScoresImported": "导入业绩得分",
    "AssessmentCycle.AdjustmentProposed": "提出加减分", "AssessmentCycle.AdjustmentApproved":
        "批准加减分",
    "AssessmentCycle.VetoApplied": "一票否决", "AssessmentCycle.VetoLifted": "撤销否决",
    "Evaluation.Recorded": "评价打分", "Evaluation.Revised": "修改评分",
    "Evaluation.Corrected": "更正评分",
    "Scorer.Enlisted": "登记评价人",
    "ResponsibilityLetter.Drafted": "草拟责任书", "ResponsibilityLetter.GoalListed": "列入目标",
    "ResponsibilityLetter.Signed": "签订责任书",
    "ResponsibilityLetter.AmendmentProposed": "提出责任书修正",
    "ResponsibilityLetter.AmendmentApproved": "批准责任书修正",
    "ResponsibilityLetter.AmendmentRejected": "驳回责任书修正",
    "Commitment.Made": "作出承诺", "Commitment.FollowedUp": "跟进承诺",
    "Commitment.Concluded": "承诺结论",
    "Finding.Raised": "提出问题", "Finding.MeasurePlanned": "制定整改措施",
    "Finding.Submitted": "提交整改", "Finding.Returned": "退回整改", "Finding.Verified": "验收销号",
    "Finding.Reopened": "重新打开问题",
    "Project.Proposed": "申报项目", "Project.Stepped": "项目进展",
    "Project.MilestoneReached": "达成项目节点",
    "Sanction.Issued": "作出奖惩", "Sanction.Revoked": "撤销奖惩",
    "Meeting.Recorded": "记录会议", "Meeting.AttendanceCorrected": "更正出勤",
    "Meeting.MinutesCorrected": "更正会议记录", "Meeting.Cancelled": "作废会议记录",
    "MeetingRuleSet.Defined": "制定三会一课制度", "MeetingRuleSet.Revised": "修订三会一课制度",
    "BranchStandard.Defined": "制定党支部工作标准", "BranchStandard.Revised": "修订党支部工作标准",
    "Standardisation.Opened": "建立标准化建设档案", "Standardisation.SelfChecked": "支部自查",
    "Standardisation.Accepted": "达标验收", "Standardisation.Lowered": "降低等级",
    "Standardisation.Revoked": "撤销等级",
    "MemberEvaluation.Opened": "启动民主评议党员", "MemberEvaluation.SelfEvaluated": "自我评价",
    "MemberEvaluation.MutuallyEvaluated": "党员互评",
    "MemberEvaluation.Proposed": "支部委员会提出意见", "MemberEvaluation.Graded": "组织评定",
    "MemberEvaluation.Reviewed": "上级审核评定",
    "PioneerPost.Designated": "设立党员示范岗（责任区）", "PioneerPost.FollowedUp": "跟进示范岗",
    "PioneerPost.EndedEarly": "提前结束示范岗", "PioneerPost.PeriodCorrected": "更正设岗期限",
    "PioneerPost.DetailsCorrected": "更正设岗内容", "PioneerPost.Cancelled": "作废设岗记录",
}

# Who acted, when not a person: the built-in administrator account and the system's jobs.
ACTORS = {"admin": "系统管理员账号", "system:demo": "演示数据载入",
          "system:demo-inspection": "演示数据载入（监督检查）", "system:import": "数据导入",
          "system:bench": "性能测试"}
SYSTEM_JOB = "系统任务"  # any other `system:<job>`, followed by the job


def label(vocabulary: Mapping[str, str], code: str | None) -> str | None:
    """The label of a code, or the code itself when the vocabulary lacks it."""
    if code is None:
        return None
    return vocabulary.get(code, code)


def event_label(aggregate_type: str, event_type: str) -> str:
    return EVENTS.get(f"{aggregate_type}.{event_type}", event_type)


def actor_label(actor: str) -> str:
    """The name of an actor that is not a person (`admin`, `system:<job>`); any other actor
    as recorded."""
    if actor in ACTORS:
        return ACTORS[actor]
    if actor.startswith("system:"):
        return f"{SYSTEM_JOB} {actor.removeprefix('system:')}"
    return actor
