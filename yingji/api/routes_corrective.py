"""The corrective register over the API: findings and corrective actions, list and detail (the lists
filtered by unit, grade, category, source, or the drill that found them), each scoped to what the
token's person may see (their unit and below; an action's owner sees their own). A record outside it
is 404, exactly like one that does not exist."""

from datetime import datetime

from django.db.models import Exists, OuterRef
from ninja import Field, Query, Router, Schema

from yingji.core import clock, inputs
from yingji.core.errors import NotVisible
from yingji.corrective import selectors
from yingji.corrective.models import RUNNING, Category, CorrectiveAction, Finding, Grade, SourceType, Status

from .routes import ALWAYS, ErrorOut, InputSchema, page_limit, page_offset

corrective_router = Router(tags=["corrective"])
Link = CorrectiveAction.findings.through

ERRORS: dict[int, type[Schema]] = {**ALWAYS, 404: ErrorOut}


class FindingOut(Schema):
    id: int
    unit: str = Field(description="Code of the unit where it was found.")
    unit_name: str
    source_type: SourceType
    source_id: str
    source_label: str
    plan: str | None = Field(description="Code of the plan it concerns, if any.")
    plan_step: int | None = Field(description="Order of the plan step it concerns, if any.")
    category: Category
    category_display: str
    grade: Grade
    grade_display: str
    text: str
    found_at: datetime
    recorded_by: str
    recurrence_key: str
    recurrences: int = Field(
        description="How many findings with this key the token's person sees, this one too."
    )
    actions: list[int] = Field(description="Ids of the corrective actions answering it that the person sees.")


class ActionOut(Schema):
    id: int
    unit: str
    unit_name: str
    owner: str
    text: str
    status: Status
    status_display: str
    due_at: datetime
    due_rule: str
    overdue: bool
    evidence: str
    created_by: str
    created_at: datetime
    started_at: datetime | None
    done_at: datetime | None
    verified_at: datetime | None
    verified_by: str | None
    verified_by_source: str
    cancelled_at: datetime | None
    cancel_reason: str
    findings: list[int]


class FindingFilters(InputSchema):
    grade: Grade | None = None
    category: Category | None = None
    source_type: SourceType | None = None
    unit: str = Field("", max_length=32, description="Code of a unit: it and the units below it.")
    drill: int | None = Field(None, ge=1, le=inputs.MAX_ID, description="Found in this drill (its id).")
    limit: int = page_limit()
    offset: int = page_offset()


class ActionFilters(InputSchema):
    status: Status | None = None
    grade: Grade | None = Field(None, description="Actions answering a finding of this grade.")
    category: Category | None = None
    source_type: SourceType | None = None
    unit: str = Field("", max_length=32, description="Code of a unit: it and the units below it.")
    overdue: bool = Field(False, description="Open or in progress and past their deadline.")
    drill: int | None = Field(
        None, ge=1, le=inputs.MAX_ID, description="Answering a finding of this drill (its id)."
    )
    limit: int = page_limit()
    offset: int = page_offset()


def _finding(f: Finding, times: int, action_ids: list[int]) -> dict:
    return {
        "id": f.pk,
        "unit": f.unit.code,
        "unit_name": f.unit.name,
        "source_type": f.source_type,
        "source_id": f.source_id,
        "source_label": f.source_label,
        "plan": f.plan.code if f.plan else None,
        "plan_step": f.plan_step.order if f.plan_step else None,
        "category": f.category,
        "category_display": f.get_category_display(),
        "grade": f.grade,
        "grade_display": f.get_grade_display(),
        "text": f.text,
        "found_at": inputs.local_time(f.found_at),
        "recorded_by": f.recorded_by.name,
        "recurrence_key": f.recurrence_key,
        "recurrences": times,
        "actions": action_ids,
    }


def _action(a: CorrectiveAction, now: datetime) -> dict:
    return {
        "id": a.pk,
        "unit": a.unit.code,
        "unit_name": a.unit.name,
        "owner": a.owner.name,
        "text": a.text,
        "status": a.status,
        "status_display": a.get_status_display(),
        "due_at": inputs.local_time(a.due_at),
        "due_rule": a.due_rule,
        "overdue": a.status in RUNNING and a.due_at < now,
        "evidence": a.evidence,
        "created_by": a.created_by.name,
        "created_at": inputs.local_time(a.created_at),
        "started_at": inputs.local_time(a.started_at),
        "done_at": inputs.local_time(a.done_at),
        "verified_at": inputs.local_time(a.verified_at),
        "verified_by": a.verified_by.name if a.verified_by else None,
        "verified_by_source": a.verified_by_source,
        "cancelled_at": inputs.local_time(a.cancelled_at),
        "cancel_reason": a.cancel_reason,
        "findings": sorted(f.pk for f in a.findings.all()),
    }


def _findings_out(request, findings: list[Finding]) -> list[dict]:
    counts = selectors.recurrence_counts(viewer=request.user, keys=[f.recurrence_key for f in findings])
    seen = selectors.actions_for(request.user).filter(findings__in=findings).values_list("findings", "pk")
    by_finding: dict[int, list[int]] = {}
    for finding_id, action_id in seen:
        by_finding.setdefault(finding_id, []).append(action_id)
    return [_finding(f, counts.get(f.recurrence_key, 1), sorted(by_finding.get(f.pk, []))) for f in findings]


def _id(value: int) -> int:
    pk = inputs.record_id(value)
    if pk is None:
        raise NotVisible()
    return pk


@corrective_router.get("/corrective/findings", response={200: list[FindingOut], **ERRORS})
def list_findings(request, filters: Query[FindingFilters]):
    """Findings of the person's units, newest first, each with how often the same problem was found."""
    qs = selectors.findings_for(
        request.user,
        grade=filters.grade or "",
        category=filters.category or "",
        source_type=filters.source_type or "",
        unit=filters.unit,
    ).select_related("plan_step", "recorded_by")
    if filters.drill is not None:
        qs = qs.filter(drill_link__drill_id=filters.drill)
    return _findings_out(request, list(qs[filters.offset : filters.offset + filters.limit]))


@corrective_router.get("/corrective/findings/{finding_id}", response={200: FindingOut, **ERRORS})
def get_finding(request, finding_id: int):
    finding = selectors.finding_for(viewer=request.user, pk=_id(finding_id))
    return _findings_out(request, [finding])[0]


@corrective_router.get("/corrective/actions", response={200: list[ActionOut], **ERRORS})
def list_actions(request, filters: Query[ActionFilters]):
    """Corrective actions the person sees, by deadline."""
    now = clock.now()
    qs = selectors.actions_for(
        request.user,
        status=filters.status or "",
        grade=filters.grade or "",
        category=filters.category or "",
        source_type=filters.source_type or "",
        unit=filters.unit,
        overdue=filters.overdue,
        now=now,
    ).select_related("created_by", "verified_by")
    if filters.drill is not None:
        qs = qs.filter(
            Exists(
                Link.objects.filter(
                    correctiveaction_id=OuterRef("pk"), finding__drill_link__drill_id=filters.drill
                )
            )
        )
    page = qs.prefetch_related("findings")[filters.offset : filters.offset + filters.limit]
    return [_action(a, now) for a in page]


@corrective_router.get("/corrective/actions/{action_id}", response={200: ActionOut, **ERRORS})
def get_action(request, action_id: int):
    action = selectors.action_for(viewer=request.user, pk=_id(action_id))
    return _action(action, clock.now())
