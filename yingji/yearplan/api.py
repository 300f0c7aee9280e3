"""Annual security work plans over the API (read only): plans and their tasks, list and detail, each
scoped to what the token's person sees (their unit and below). A record outside it is 404, exactly like
one that does not exist. Registered on the API in yingji/api/api.py."""

from datetime import date, datetime

from django.db.models import Count
from ninja import Field, Query, Router, Schema

from yingji.api.routes import ALWAYS, ErrorOut, InputSchema, page_limit, page_offset
from yingji.core import clock, inputs
from yingji.core.errors import NotVisible

from . import selectors
from .models import AnnualPlan, EvidenceKind, PlanStatus, PlanTask, TaskStatus

yearplan_router = Router(tags=["yearplan"])
ERRORS: dict[int, type[Schema]] = {**ALWAYS, 404: ErrorOut}


class AnnualPhaseOut(Schema):
    code: str
    name: str
    starts_on: date | None
    ends_on: date


class AnnualPlanOut(Schema):
    id: int
    unit: str = Field(description="Code of the unit whose plan it is.")
    unit_name: str
    year: int
    status: PlanStatus
    status_display: str
    reminder_days: int = Field(description="Days before a due date the owner is reminded (set by the bank).")
    approved_by: str | None
    approved_at: datetime | None


class AnnualTaskOut(Schema):
    id: int
    plan: int
    unit: str
    year: int
    phase: str
    phase_name: str
    title: str
    text: str
    owner_unit: str
    owner_position: str | None
    owner_person: str | None
    due_on: date
    due_at: datetime = Field(description="24:00 of the due date, Asia/Shanghai.")
    evidence_kind: EvidenceKind
    evidence_note: str
    status: TaskStatus
    status_display: str
    done_at: datetime | None
    done_late: bool
    overdue: bool
    files: int
    links: int


class AnnualPlanDetailOut(AnnualPlanOut):
    phases: list[AnnualPhaseOut]
    tasks: list[AnnualTaskOut]


class AnnualPlanFilters(InputSchema):
    year: int | None = Field(None, ge=2000, le=2100)
    status: PlanStatus | None = None
    limit: int = page_limit()
    offset: int = page_offset()


class AnnualTaskFilters(InputSchema):
    plan: int | None = Field(None, ge=1, le=inputs.MAX_ID, description="Of this plan (its id).")
    status: TaskStatus | None = None
    overdue: bool = Field(False, description="Not done and past the due date, in a plan in force.")
    limit: int = page_limit()
    offset: int = page_offset()


def _id(value: int) -> int:
    pk = inputs.record_id(value)
    if pk is None:
        raise NotVisible()
    return pk


def _plan(p: AnnualPlan) -> dict:
    return {
        "id": p.pk,
        "unit": p.unit.code,
        "unit_name": p.unit.name,
        "year": p.year,
        "status": p.status,
        "status_display": p.get_status_display(),
        "reminder_days": p.reminder_days,
        "approved_by": p.approved_by.name if p.approved_by else None,
        "approved_at": inputs.local_time(p.approved_at),
    }


def _task(t: PlanTask, now) -> dict:
    return {
        "id": t.pk,
        "plan": t.plan_id,
        "unit": t.plan.unit.code,
        "year": t.plan.year,
        "phase": t.phase.code,
        "phase_name": t.phase.name,
        "title": t.title,
        "text": t.text,
        "owner_unit": t.owner_unit.code,
        "owner_position": t.owner_position.name if t.owner_position else None,
        "owner_person": t.owner_person.name if t.owner_person else None,
        "due_on": t.due_on,
        "due_at": inputs.local_time(t.due_at),
        "evidence_kind": t.evidence_kind,
        "evidence_note": t.evidence_note,
        "status": t.status,
        "status_display": t.get_status_display(),
        "done_at": inputs.local_time(t.done_at),
        "done_late": t.done_late,
        "overdue": selectors.is_overdue(t, now),
        "files": t.n_files,
        "links": t.n_links,
    }


def _tasks(qs):
    """With the number of files and links of each task, in the same query."""
    return qs.annotate(n_files=Count("files", distinct=True), n_links=Count("links", distinct=True))


@yearplan_router.get("/yearplan/plans", response={200: list[AnnualPlanOut], **ERRORS})
def list_plans(request, filters: Query[AnnualPlanFilters]):
    """Annual security work plans of the person's units, newest year first."""
    qs = selectors.plans_for(request.user, year=filters.year)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return [_plan(p) for p in qs[filters.offset : filters.offset + filters.limit]]


@yearplan_router.get("/yearplan/plans/{annual_plan_id}", response={200: AnnualPlanDetailOut, **ERRORS})
def get_plan(request, annual_plan_id: int):
    """One plan with its phases and tasks."""
    plan = selectors.plan_for(viewer=request.user, pk=_id(annual_plan_id))
    now = clock.now()
    phases = [
        {"code": p.code, "name": p.name, "starts_on": p.starts_on, "ends_on": p.ends_on}
        for p in plan.phases.all()
    ]
    return _plan(plan) | {
        "phases": phases,
        "tasks": [_task(t, now) for t in _tasks(selectors.tasks_for(request.user, plan=plan))],
    }


@yearplan_router.get("/yearplan/tasks", response={200: list[AnnualTaskOut], **ERRORS})
def list_tasks(request, filters: Query[AnnualTaskFilters]):
    """Tasks of the plans the person sees, by year, unit and due date."""
    qs = selectors.tasks_for(request.user)
    if filters.plan is not None:
        qs = qs.filter(plan_id=filters.plan)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.overdue:
        qs = qs.filter(status=TaskStatus.OPEN, plan__status=PlanStatus.APPROVED, due_at__lte=clock.now())
    now = clock.now()
    return [_task(t, now) for t in _tasks(qs)[filters.offset : filters.offset + filters.limit]]


@yearplan_router.get("/yearplan/tasks/{annual_task_id}", response={200: AnnualTaskOut, **ERRORS})
def get_task(request, annual_task_id: int):
    found = _tasks(selectors.tasks_for(request.user).filter(pk=_id(annual_task_id))).first()
    if found is None:
        raise NotVisible()
    return _task(found, clock.now())
