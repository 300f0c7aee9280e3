from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema

from yingji.core.errors import InvalidInput
from yingji.plans import selectors
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


class PlanSummaryOut(Schema):
    id: int
    code: str
    title: str
    version: int
    kinds: list[str]
    unit_types: list[str]
    steps: int


class PlanOut(PlanSummaryOut):
    status: str
    approved_at: str | None
    approved_by: str
    principles: str
    contacts: list[dict[str, Any]]
    termination: str
    source_file: str
    source_section: str
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
        "source_file": plan.source_file,
        "source_section": plan.source_section,
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
            }
            for s in version.steps.all()
        ],
    }
