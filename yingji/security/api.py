"""Security inspections over the API: inspections and their rectifications (整改), list and detail, each
scoped to what the token's person sees (their unit and below; a rectification's owner sees their own). A
record outside it is 404, exactly like one that does not exist. Registered on the API in yingji/api/api.py."""

from datetime import datetime

from ninja import Field, Query, Router, Schema

from yingji.api.routes import ALWAYS, ErrorOut, InputSchema, page_limit, page_offset
from yingji.core import clock, inputs
from yingji.core.errors import NotVisible
from yingji.corrective.models import RUNNING, CorrectiveAction
from yingji.corrective.models import Status as ActionStatus

from . import selectors
from .models import FindingLink, Inspection, Result, Status

security_router = Router(tags=["security"])
ERRORS: dict[int, type[Schema]] = {**ALWAYS, 404: ErrorOut}


class ItemOut(Schema):
    id: int
    area: str
    text: str
    result: Result
    result_display: str
    note: str
    major_hazard: bool
    responsible: str | None
    photos: int
    rectification: int | None = Field(description="Id of the corrective action opened for it, if it failed.")


class InspectionOut(Schema):
    id: int
    unit: str = Field(description="Code of the unit inspected.")
    unit_name: str
    inspector: str
    status: Status
    status_display: str
    started_at: datetime
    inspector_signed_at: datetime | None
    head: str | None
    head_signed_at: datetime | None
    failed: int
    major_hazards: int


class InspectionDetailOut(InspectionOut):
    items: list[ItemOut]


class RectificationOut(Schema):
    id: int = Field(description="The corrective action's id (also at /corrective/actions/{id}).")
    inspection: int
    item: str
    unit: str
    unit_name: str
    owner: str
    text: str
    status: ActionStatus
    status_display: str
    due_at: datetime
    due_rule: str
    overdue: bool
    evidence: str
    verified_at: datetime | None
    verified_by: str | None
    verified_by_source: str


class InspectionFilters(InputSchema):
    status: Status | None = None
    unit: str = Field("", max_length=32, description="Code of a unit: it and the units below it.")
    limit: int = page_limit()
    offset: int = page_offset()


class RectificationFilters(InputSchema):
    status: ActionStatus | None = None
    inspection: int | None = Field(None, ge=1, le=inputs.MAX_ID, description="Of this inspection (its id).")
    overdue: bool = Field(False, description="Open or in progress and past their deadline.")
    limit: int = page_limit()
    offset: int = page_offset()


def _id(value: int) -> int:
    pk = inputs.record_id(value)
    if pk is None:
        raise NotVisible()
    return pk


def _inspection(i: Inspection) -> dict:
    return {
        "id": i.pk,
        "unit": i.unit.code,
        "unit_name": i.unit.name,
        "inspector": i.inspector.name,
        "status": i.status,
        "status_display": i.get_status_display(),
        "started_at": inputs.local_time(i.started_at),
        "inspector_signed_at": inputs.local_time(i.inspector_signed_at),
        "head": i.head.name if i.head else None,
        "head_signed_at": inputs.local_time(i.head_signed_at),
        "failed": i.failed,
        "major_hazards": i.majors,
    }


def _rectifications(actions: list[CorrectiveAction]) -> list[dict]:
    links = {
        link.finding_id: link
        for link in FindingLink.objects.filter(finding__actions__in=actions).select_related("result")
    }
    now, out = clock.now(), []
    for a in actions:
        link = next((links[f.pk] for f in a.findings.all() if f.pk in links), None)
        out.append(
            {
                "id": a.pk,
                "inspection": link.inspection_id if link else 0,
                "item": link.result.text if link else "",
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
                "verified_at": inputs.local_time(a.verified_at),
                "verified_by": a.verified_by.name if a.verified_by else None,
                "verified_by_source": a.verified_by_source,
            }
        )
    return out


@security_router.get("/security/inspections", response={200: list[InspectionOut], **ERRORS})
def list_inspections(request, filters: Query[InspectionFilters]):
    """Inspections of the person's units, newest first."""
    qs = selectors.inspections_for(request.user, unit=filters.unit, status=filters.status or "")
    return [_inspection(i) for i in qs[filters.offset : filters.offset + filters.limit]]


@security_router.get("/security/inspections/{inspection_id}", response={200: InspectionDetailOut, **ERRORS})
def get_inspection(request, inspection_id: int):
    """One inspection with each item's result and the rectification opened for a failed one."""
    pk = _id(inspection_id)
    found = selectors.inspections_for(request.user).filter(pk=pk).first()
    if found is None:
        raise NotVisible()
    body = _inspection(found)
    results = found.results.select_related("responsible").prefetch_related(
        "photos", "finding_link__finding__actions"
    )
    items = []
    for r in results:
        link = getattr(r, "finding_link", None) if r.result == Result.FAIL else None
        action = link.finding.actions.all()[0] if link and link.finding.actions.all() else None
        items.append(
            {
                "id": r.pk,
                "area": r.area_name,
                "text": r.text,
                "result": r.result,
                "result_display": r.get_result_display(),
                "note": r.note,
                "major_hazard": r.major_hazard,
                "responsible": r.responsible.name if r.responsible else None,
                "photos": len(r.photos.all()),
                "rectification": action.pk if action else None,
            }
        )
    return body | {"items": items}


@security_router.get("/security/rectifications", response={200: list[RectificationOut], **ERRORS})
def list_rectifications(request, filters: Query[RectificationFilters]):
    """Rectifications of inspections the person sees, by deadline."""
    qs = selectors.rectifications_for(request.user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.inspection is not None:
        qs = qs.filter(findings__inspection_link__inspection_id=filters.inspection)
    if filters.overdue:
        qs = qs.filter(status__in=RUNNING, due_at__lt=clock.now())
    page = qs.select_related("verified_by").prefetch_related("findings")
    return _rectifications(list(page[filters.offset : filters.offset + filters.limit]))


@security_router.get(
    "/security/rectifications/{rectification_id}", response={200: RectificationOut, **ERRORS}
)
def get_rectification(request, rectification_id: int):
    action = selectors.rectification_for(viewer=request.user, pk=_id(rectification_id))
    return _rectifications([action])[0]
