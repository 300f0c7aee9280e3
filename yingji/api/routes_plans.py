from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from yingji.core.errors import InvalidInput
from yingji.plans import selectors, structure
from yingji.plans.classify import classify
from yingji.plans.models import EventKind, Plan, VersionStatus

from .routes import ALWAYS, ErrorOut, InputSchema

plans_router = Router(tags=["plans"])


class EventKindOut(Schema):
    code: str
    name: str
    group: str
    group_display: str
    default_level: str


class ClassifyIn(InputSchema):
    kind: str
    facts: dict[str, Any] = {}


class ReasonOut(Schema):
    source: str
    level: str
    text: str


class ClassifyOut(Schema):
    level: str
    reasons: list[ReasonOut]


class StepOut(Schema):
    order: int
    action: str
    position: str
    position_name: str
    position_inferred: bool
    timing: str
    minutes: int | None
    condition: str
    branch: str
    record: str
    group: str


class PlanSummaryOut(Schema):
    id: int
    code: str
    title: str
    version: int
    version_id: int = Field(
        description="The approved version's id: what activating the plan for an incident takes."
    )
    kinds: list[str]
    unit_types: list[str]
    steps: int


class PlanGroupOut(Schema):
    name: str
    leader_position: str = Field(description="A position code, or empty when the source names no leader.")
    duties: str


class PlanLeadershipOut(Schema):
    leader: str = Field(description="The position code of the 组长, or empty when the plan names none.")
    deputies: list[str]
    members: list[str]


class PlanApproverOut(Schema):
    """Either the incident's 组长 (role "leader") or the holder of a position in a unit relative to the
    incident's; `label` is the source's words."""

    label: str
    role: str | None = Field(description='"leader": the incident\'s group leader.')
    position: str | None = Field(description="A position code.")
    unit: str | None = Field(description="incident, above or head_office.")


class PlanOut(PlanSummaryOut):
    status: str
    approved_at: str | None
    approved_by: str
    principles: str
    contacts: list[dict[str, Any]]
    termination: str
    termination_approvers: list[PlanApproverOut] = Field(
        description="Who must approve ending the response; empty: the incident's 组长 and the emergency "
        "administrator of the unit above."
    )
    leadership: PlanLeadershipOut
    groups: list[PlanGroupOut]
    source_file: str
    source_document: str
    source_section: str
    source_note: str
    step_list: list[StepOut]


@plans_router.get("/event-kinds", response={200: list[EventKindOut], **ALWAYS})
def event_kinds(request):
    return [
        {
            "code": k.code,
            "name": k.name,
            "group": k.group,
            "group_display": k.get_group_display(),
            "default_level": k.default_level,
        }
        for k in EventKind.objects.order_by("group", "sort_order")
    ]


@plans_router.post("/classify", response={200: ClassifyOut, **ALWAYS})
def classify_event(request, payload: ClassifyIn):
    """The level the rules give a kind of event with these facts, and which rule gave which level."""
    kind = EventKind.objects.filter(code=payload.kind).first()
    if kind is None:
        raise InvalidInput(
            _("Unknown event kind “%s”.") % payload.kind, fields={"kind": _("Unknown event kind.")}
        )
    return classify(kind, payload.facts).as_dict()


def _summary(plan: Plan) -> dict:
    version = plan.versions.all()[0]
    return {
        "id": plan.pk,
        "code": plan.code,
        "title": version.title,
        "version": version.number,
        "version_id": version.pk,
        "kinds": [k.code for k in plan.kinds.all()],
        "unit_types": plan.unit_types,
        "steps": version.step_count,
    }


@plans_router.get("/plans", response={200: list[PlanSummaryOut], **ALWAYS})
def list_plans(request, kind: str = "", unit_type: str = "", text: str = ""):
    """Approved plans, filtered by event kind code, unit type and text (titles and steps)."""
    return [_summary(p) for p in selectors.search_plans(text=text, kind=kind, unit_type=unit_type)]


@plans_router.get("/plans/{plan_id}", response={200: PlanOut, 404: ErrorOut, **ALWAYS})
def get_plan(request, plan_id: int):
    plan = get_object_or_404(selectors.approved_plans(), pk=plan_id, versions__status=VersionStatus.APPROVED)
    version = selectors.version_with_steps(plan.versions.all()[0])
    return {
        **_summary(plan),
        "status": version.status,
        "approved_at": version.approved_at.isoformat() if version.approved_at else None,
        "approved_by": version.approved_by_name,
        "principles": version.principles,
        "contacts": version.contacts,
        "termination": version.termination,
        "termination_approvers": [
            {"label": a.label, "role": a.role or None, "position": a.position or None, "unit": a.unit or None}
            for a in structure.approvers(version.termination_approvers)
        ],
        "leadership": {
            "leader": version.leadership.get("leader", ""),
            "deputies": version.leadership.get("deputies", []),
            "members": version.leadership.get("members", []),
        },
        "groups": [
            {
                "name": g["name"],
                "leader_position": g.get("leader_position", ""),
                "duties": g.get("duties", ""),
            }
            for g in version.groups
        ],
        "source_file": plan.source_file,
        "source_document": plan.source_title,
        "source_section": plan.source_section,
        "source_note": plan.source_note,
        "step_list": [
            {
                "order": s.order,
                "action": s.action,
                "position": s.position.code,
                "position_name": s.position.name,
                "position_inferred": s.position_inferred,
                "timing": s.timing,
                "minutes": s.minutes,
                "condition": s.condition,
                "branch": s.branch,
                "record": s.record,
                "group": s.group,
            }
            for s in version.steps.all()
        ],
    }
