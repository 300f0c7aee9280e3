"""What the incident endpoints take and give, as OpenAPI shows them (`routes_incidents.py`)."""

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from yingji.core.inputs import EventTime
from yingji.plans.models import Level

from .routes import InputSchema
from .routes_plans import ReasonOut

# --- What comes in ---------------------------------------------------------------------------------


class ReportContentIn(InputSchema):
    """示范文本 第三条: all optional; follow-up reports fill them in. Lengths are the columns'."""

    location: str = Field("", max_length=200)
    cause: str = Field("", max_length=2000)
    nature: str = Field("", max_length=2000)
    amount_involved: str = Field("", max_length=100)
    people_involved: str = Field("", max_length=100)
    main_harm: str = Field("", max_length=2000)
    customer_reaction: str = Field("", max_length=2000)
    trend: str = Field("", max_length=2000)
    measures_taken: str = Field("", max_length=2000)


class IncidentIn(ReportContentIn):
    kind: str = Field(description="Event kind code, as GET /event-kinds lists them.")
    unit: str = Field(description="Code of the unit where it happened: one the reporter sees.")
    occurred_at: EventTime = Field(
        description="ISO 8601; without an offset it is Asia/Shanghai time. Not before the bank's records "
        "begin (YINGJI_RECORDS_BEGIN), nor in the future."
    )
    description: str = Field(max_length=4000)
    facts: dict[str, Any] = Field({}, description="The facts the level rules read (POST /classify).")


class FollowUpIn(ReportContentIn):
    text: str = Field(max_length=4000)
    facts: dict[str, Any] = {}


class CommentIn(InputSchema):
    text: str = Field(max_length=4000)


class LevelIn(InputSchema):
    level: Level
    reason: str = Field("", max_length=1000)


PersonRef = int | str  # a person's id, or their username


class ActivateIn(InputSchema):
    plan_version: int = Field(description="Id of an approved plan version.")
    leader: PersonRef = Field(description="组长: person id or username.")
    deputies: list[PersonRef] = []
    members: list[PersonRef] = []
    groups: list[str] = Field([], description="Working group names.")


class DoneIn(InputSchema):
    note: str = Field("", max_length=4000)
    done_at: EventTime | None = Field(None, description="Defaults to now; never in the future.")


class ReasonIn(InputSchema):
    reason: str = Field(max_length=1000)


class TerminationRequestIn(InputSchema):
    summary: str = Field(max_length=4000)


class TerminationDecisionIn(InputSchema):
    approve: bool
    note: str = Field("", max_length=1000)
    slot: int | None = Field(
        None,
        description="Id of the approval to fill (GET …/termination); by default the first one you may fill.",
    )


class LevelDecisionIn(InputSchema):
    approve: bool
    note: str = Field("", max_length=1000, description="Required to reject.")


class LinkIn(InputSchema):
    other: str = Field(description="Number of the other incident, e.g. YJ-2026-000123.")
    note: str = Field("", max_length=200)


class MergeIn(InputSchema):
    into: str = Field(description="Number of the incident this report is a duplicate of.")
    reason: str = Field(max_length=1000)


class ResponsibleIn(InputSchema):
    name: str = Field(max_length=100)
    responsibility: str = Field(max_length=1000)


class AccountabilityIn(InputSchema):
    """004 第二十、二十一条: who is held responsible, the measure taken, whether the case went to 公安."""

    person: str = Field(max_length=50)
    measure: str = Field(max_length=1000)
    police: bool = False
    note: str = Field("", max_length=1000)


class FindingsIn(InputSchema):
    """Only the fields sent are written."""

    cause: str | None = None
    warnings_in_time: bool | None = None
    warnings_note: str | None = None
    responsibility: list[ResponsibleIn] | None = None
    consequences: str | None = None
    preventive_measures: str | None = None
    concealed: bool | None = Field(None, description="隐瞒: was the event concealed?")
    concealed_note: str | None = None
    false_report: bool | None = Field(None, description="谎报: was it falsely reported?")
    false_report_note: str | None = None
    accountability: list[AccountabilityIn] | None = None


# --- What goes out ---------------------------------------------------------------------------------


class ReportedOut(Schema):
    id: int
    number: str
    level: str
    level_reasons: list[ReasonOut]
    status: str


class IncidentSummaryOut(Schema):
    id: int
    number: str
    kind: str
    kind_name: str
    unit: str
    unit_name: str
    level: str
    status: str
    status_display: str
    occurred_at: datetime
    reported_at: datetime
    reporter: str
    description: str


class IncidentPageOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[IncidentSummaryOut]


class TimelineOut(Schema):
    at: datetime
    event: str
    event_display: str
    actor: str | None
    text: str


class TaskOut(Schema):
    id: int
    order: int
    kind: str
    title: str
    position: str | None
    position_name: str | None
    group: str | None
    candidates: list[str]
    owner: str | None
    condition: str
    branch: str
    status: str
    status_display: str
    due_at: datetime | None
    done_at: datetime | None
    note: str


class NoticeOut(Schema):
    id: int
    recipient: str
    recipient_unit: str
    reason: str
    sent: datetime
    ack_due_at: datetime | None
    acknowledged_at: datetime | None
    escalated_at: datetime | None


class MyNoticeOut(NoticeOut):
    subject_type: str
    subject_id: int
    title: str
    body: str
    url: str


class MemberOut(Schema):
    person_id: int
    name: str
    unit: str
    role: str
    role_display: str


class GroupOut(Schema):
    id: int
    name: str
    leader_id: int | None
    leader: str | None


class FittingPlanOut(Schema):
    plan_id: int
    code: str
    title: str
    version_id: int = Field(description="Its approved version: what `activate` takes as `plan_version`.")


class FollowUpOut(Schema):
    at: datetime
    author: str
    text: str
    facts: dict[str, Any]
    content: dict[str, str]


class InvestigationOut(Schema):
    started_at: datetime
    started_by: str
    cause: str
    warnings_in_time: bool | None
    warnings_note: str
    responsibility: list[dict[str, Any]]
    consequences: str
    preventive_measures: str
    concealed: bool | None = None
    concealed_note: str = ""
    false_report: bool | None = None
    false_report_note: str = ""
    accountability: list[dict[str, Any]] = []
    closed_at: datetime | None


class TerminationApprovalOut(Schema):
    id: int
    label: str = Field(description="Who the plan names, in its words (e.g. 大厦安全保卫负责人).")
    decided_by: str | None
    decided_at: datetime | None
    approved: bool | None
    note: str
    may_approve: list[str] = Field(description="Who may still fill it (empty once decided).")


class TerminationOut(Schema):
    """The latest termination request and its approvals: all must approve, the proposer none."""

    id: int
    proposed_by: str
    proposed_at: datetime
    summary: str
    decided_at: datetime | None
    approved: bool | None
    decision_note: str
    approvals: list[TerminationApprovalOut]


class IncidentOut(IncidentSummaryOut):
    facts: dict[str, Any]
    classified_level: str
    level_reasons: list[ReasonOut]
    content: dict[str, str]
    plan_version: int | None
    plan_title: str | None
    activated_at: datetime | None
    terminated_at: datetime | None
    closed_at: datetime | None
    watch_until: datetime | None
    merged_into: str | None
    links: list[str]
    members: list[MemberOut]
    groups: list[str] = Field(description="Working group names (`working_groups` has their leaders).")
    working_groups: list[GroupOut]
    tasks: list[TaskOut]
    notices: list[NoticeOut]
    follow_ups: list[FollowUpOut]
    timeline: list[TimelineOut]
    investigation: InvestigationOut | None
    fitting_plans: list[FittingPlanOut] = Field(
        [], description="The plans in force for its kind at its unit's type, to activate one of them."
    )
