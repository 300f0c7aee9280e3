"""Incidents and notices over the API. Each handler finds what the token's person may see, calls one
service and answers the incident (or task, or notice) as it stands afterwards. Everything outside the
person's visibility is 404, exactly like what does not exist; a unit, person or incident named in a
body that the person may not see is refused like an unknown one, with no hint that it exists."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema
from ninja.responses import Status as Reply

from yingji.core import clock, inputs
from yingji.core.errors import InvalidInput, NotAllowed
from yingji.core.inputs import FilterTime
from yingji.incidents import approvals, selectors, services
from yingji.incidents.models import REPORT_FIELDS, Incident, Status, Task
from yingji.incidents.permissions import can_join_group
from yingji.notify import rulebook
from yingji.notify import selectors as notify_selectors
from yingji.notify import services as notify
from yingji.notify.models import Notice
from yingji.orgs import visibility
from yingji.orgs.models import Person
from yingji.plans.models import Level, PlanVersion

from .routes import ALWAYS, ErrorOut, InputSchema, page_limit, page_offset
from .schemas_incidents import (
    ActivateIn,
    CommentIn,
    DoneIn,
    FindingsIn,
    FollowUpIn,
    IncidentIn,
    IncidentOut,
    IncidentPageOut,
    LevelDecisionIn,
    LevelIn,
    LinkIn,
    MergeIn,
    MyNoticeOut,
    PersonRef,
    ReasonIn,
    ReportContentIn,
    ReportedOut,
    TaskOut,
    TerminationDecisionIn,
    TerminationOut,
    TerminationRequestIn,
)
from .shape_incidents import detail as _detail
from .shape_incidents import my_notice as _mine
from .shape_incidents import summary as _summary
from .shape_incidents import task as _task

incidents_router = Router(tags=["incidents"])

ERRORS: dict[int, type[Schema]] = {**ALWAYS, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
MAX_KEY = 64  # the service stores "<person id>:<key>" in a 100-character column


# --- Helpers ---------------------------------------------------------------------------------------


def _aware(value: datetime | None) -> datetime | None:
    """A time sent without an offset is Asia/Shanghai time."""
    if value is not None and timezone.is_naive(value):
        return value.replace(tzinfo=clock.SHANGHAI)
    return value


def _me(request) -> Person:
    person = visibility.person_of(request.user)
    if person is None:
        raise NotAllowed()
    return person


def _incident(request, incident_id: int) -> Incident:
    return selectors.incident_for(viewer=request.user, pk=incident_id)


def _by_number(request, number: str, field: str) -> Incident:
    """An incident named in a body: one the person does not see is as unknown as one that does not exist."""
    found = (
        visibility.visible(Incident.objects.select_related("unit", "kind"), request.user)
        .filter(number=number.strip())
        .first()
    )
    if found is None:
        raise InvalidInput(_("Unknown incident."), fields={field: _("Unknown incident.")})
    return found


def _content(payload: ReportContentIn) -> dict[str, str]:
    return {key: getattr(payload, key) for key in REPORT_FIELDS if getattr(payload, key)}


def _fresh(request, incident: Incident) -> dict:
    """After a service changed it: read it again as the person sees it."""
    return _detail(_incident(request, incident.pk))


# --- Report, list, read ----------------------------------------------------------------------------


@incidents_router.post("/incidents", response={201: ReportedOut, **ERRORS})
def report(
    request,
    payload: IncidentIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """首报. Send an `Idempotency-Key` header (any string up to 64 characters, unique per report of
    yours) and retry freely: a retry with the same key answers **201 with the same incident**, exactly
    as the first answer did, and creates nothing. Keys are the token holder's own: another person's
    key never finds your report. A report of the same kind at the same unit during the watch period of
    a terminated incident reopens that incident and answers it."""
    person = _me(request)
    key = (idempotency_key or "").strip()
    if len(key) > MAX_KEY:
        raise InvalidInput(
            _("The Idempotency-Key header is too long (64 characters at most)."),
            fields={"Idempotency-Key": _("64 characters at most.")},
        )
    rules = rulebook.current()
    kind = rules.kind(payload.kind)
    unit = visibility.visible_unit(request.user, payload.unit)
    errors = {}
    if kind is None:
        errors["kind"] = _("Unknown event kind.")
    if unit is None:
        errors["unit"] = _("Unknown unit.")
    if errors:
        raise InvalidInput(_("Some fields are not valid."), fields=errors)
    incident = services.report_incident(
        reporter=person,
        kind=kind,
        unit=unit,
        occurred_at=_aware(payload.occurred_at),
        description=payload.description,
        facts=payload.facts,
        content=_content(payload),
        idempotency_key=key or None,
        rules=rules,
    )
    return Reply(
        201,
        {
            "id": incident.pk,
            "number": incident.number,
            "level": incident.level,
            "level_reasons": incident.level_reasons,
            "status": incident.status,
        },
    )


class IncidentFilters(InputSchema):
    status: Status | None = None
    level: Level | None = None
    kind: str = Field("", description="Event kind code.")
    unit: str = Field("", description="A unit code: incidents of that unit and every unit below it.")
    since: FilterTime | None = Field(None, description="Reported at or after (Asia/Shanghai if no offset).")
    until: FilterTime | None = Field(None, description="Reported before.")
    limit: int = page_limit()
    offset: int = page_offset()


@incidents_router.get("/incidents", response={200: IncidentPageOut, **ERRORS})
def list_incidents(request, filters: Query[IncidentFilters]):
    """Incidents the token's person sees, newest report first, a page at a time."""
    qs = selectors.incidents_for(
        viewer=request.user,
        status=filters.status or "",
        level=filters.level or "",
        kind=filters.kind,
        unit_code=filters.unit,
        since=_aware(filters.since),
        until=_aware(filters.until),
    )
    start = filters.offset
    return {
        "count": qs.count(),
        "limit": filters.limit,
        "offset": start,
        "items": [_summary(i) for i in qs[start : start + filters.limit]],
    }


@incidents_router.get("/incidents/{incident_id}", response={200: IncidentOut, **ERRORS})
def get_incident(request, incident_id: int):
    """One incident with its timeline, tasks, notices (who was told, why, and who acknowledged),
    leading group, follow-up reports and investigation."""
    return _detail(_incident(request, incident_id))


# --- Actions on an incident: each calls one service ------------------------------------------------


@incidents_router.post("/incidents/{incident_id}/follow-ups", response={201: IncidentOut, **ERRORS})
def follow_up(request, incident_id: int, payload: FollowUpIn):
    """续报: new content and facts; new facts may raise the level, never lower it."""
    incident = services.add_follow_up(
        author=_me(request),
        incident=_incident(request, incident_id),
        text=payload.text,
        facts=payload.facts,
        content=_content(payload),
    )
    return Reply(201, _fresh(request, incident))


@incidents_router.post("/incidents/{incident_id}/comments", response={201: IncidentOut, **ERRORS})
def comment(request, incident_id: int, payload: CommentIn):
    incident = _incident(request, incident_id)
    services.add_comment(author=_me(request), incident=incident, text=payload.text)
    return Reply(201, _fresh(request, incident))


@incidents_router.post("/incidents/{incident_id}/level", response={200: IncidentOut, **ERRORS})
def change_level(request, incident_id: int, payload: LevelIn):
    """Raise the level with a reason (at once), or ask to lower it below what the rules say with a
    written reason: an 应急管理员 or leader of a unit above decides (POST …/level-decision)."""
    incident = services.change_level(
        actor=_me(request),
        incident=_incident(request, incident_id),
        level=payload.level,
        reason=payload.reason,
    )
    return _fresh(request, incident)


@incidents_router.post("/incidents/{incident_id}/level-decision", response={200: IncidentOut, **ERRORS})
def decide_level(request, incident_id: int, payload: LevelDecisionIn):
    """The unit above approves the waiting request to lower the level, or rejects it with a note."""
    incident = services.decide_lowering(
        actor=_me(request),
        incident=_incident(request, incident_id),
        approve=payload.approve,
        note=payload.note,
    )
    return _fresh(request, incident)


def _person(request, ref: PersonRef, field: str, incident: Incident) -> Person:
    """A person named for the leading group: found by id or username among those the activator may
    put in it (people the activator sees, or who see the incident); anyone else is unknown."""
    lookup = {"pk": ref} if isinstance(ref, int) else {"user__username": str(ref).strip()}
    person = Person.objects.select_related("user", "unit").filter(**lookup).first()
    if person is None or not can_join_group(request.user, person, incident):
        raise InvalidInput(_("Unknown person."), fields={field: _("Unknown person.")})
    return person


@incidents_router.post("/incidents/{incident_id}/activate", response={200: IncidentOut, **ERRORS})
def activate(request, incident_id: int, payload: ActivateIn):
    """启动: the leading group, working groups, and one task per step of the plan version."""
    incident = _incident(request, incident_id)
    version = PlanVersion.objects.select_related("plan").filter(pk=payload.plan_version).first()
    if version is None:
        raise InvalidInput(_("Unknown plan version."), fields={"plan_version": _("Unknown plan version.")})
    incident = services.activate_plan(
        actor=_me(request),
        incident=incident,
        version=version,
        leader=_person(request, payload.leader, "leader", incident),
        deputies=[_person(request, r, f"deputies.{i}", incident) for i, r in enumerate(payload.deputies)],
        members=[_person(request, r, f"members.{i}", incident) for i, r in enumerate(payload.members)],
        groups=payload.groups,
    )
    return _fresh(request, incident)


def _task_of(request, incident_id: int, task_id: int) -> Task:
    incident = _incident(request, incident_id)
    task = get_object_or_404(Task.objects.select_related("owner"), pk=task_id, incident=incident)
    task.incident = incident
    return task


def _task_out(task_id: int) -> dict:
    task = Task.objects.select_related("position", "owner", "group").prefetch_related("candidates")
    return _task(task.get(pk=task_id))


@incidents_router.post("/incidents/{incident_id}/tasks/{task_id}/claim", response={200: TaskOut, **ERRORS})
def claim_task(request, incident_id: int, task_id: int):
    task = services.claim_task(actor=_me(request), task=_task_of(request, incident_id, task_id))
    return _task_out(task.pk)


@incidents_router.post("/incidents/{incident_id}/tasks/{task_id}/done", response={200: TaskOut, **ERRORS})
def complete_task(request, incident_id: int, task_id: int, payload: DoneIn):
    task = services.complete_task(
        actor=_me(request),
        task=_task_of(request, incident_id, task_id),
        note=payload.note,
        done_at=_aware(payload.done_at),
    )
    return _task_out(task.pk)


@incidents_router.post(
    "/incidents/{incident_id}/tasks/{task_id}/not-applicable", response={200: TaskOut, **ERRORS}
)
def task_not_applicable(request, incident_id: int, task_id: int, payload: ReasonIn):
    task = services.task_not_applicable(
        actor=_me(request), task=_task_of(request, incident_id, task_id), reason=payload.reason
    )
    return _task_out(task.pk)


@incidents_router.post("/incidents/{incident_id}/termination-requests", response={201: IncidentOut, **ERRORS})
def request_termination(request, incident_id: int, payload: TerminationRequestIn):
    """The leading group proposes to end the response; every approver the plan names decides."""
    incident = _incident(request, incident_id)
    services.request_termination(actor=_me(request), incident=incident, summary=payload.summary)
    return Reply(201, _fresh(request, incident))


@incidents_router.post("/incidents/{incident_id}/termination-decision", response={200: IncidentOut, **ERRORS})
def decide_termination(request, incident_id: int, payload: TerminationDecisionIn):
    """One approver the plan names approves, or rejects with a note (back to 处置中). The case is
    terminated, and watched for the bank's set hours, when every approver has approved."""
    incident = services.decide_termination(
        actor=_me(request),
        incident=_incident(request, incident_id),
        approve=payload.approve,
        note=payload.note,
        slot=payload.slot,
    )
    return _fresh(request, incident)


@incidents_router.get("/incidents/{incident_id}/termination", response={200: TerminationOut | None, **ERRORS})
def termination(request, incident_id: int):
    """The latest termination request (null before anyone proposed one): each approval, who gave it
    and when, or who may still give it."""
    incident = _incident(request, incident_id)
    state = approvals.room_state(incident, visibility.person_of(request.user))
    if state is None:
        return None
    req = state.request
    return {
        "id": req.pk,
        "proposed_by": req.proposed_by.name,
        "proposed_at": inputs.local_time(req.proposed_at),
        "summary": req.summary,
        "decided_at": inputs.local_time(req.decided_at),
        "approved": req.approved,
        "decision_note": req.decision_note,
        "approvals": [
            {
                "id": s.approval.pk,
                "label": s.approval.label,
                "decided_by": s.approval.decided_by.name if s.approval.decided_by else None,
                "decided_at": inputs.local_time(s.approval.decided_at),
                "approved": s.approval.approved,
                "note": s.approval.note,
                "may_approve": s.who,
            }
            for s in state.slots
        ],
    }


@incidents_router.post("/incidents/{incident_id}/cancel", response={200: IncidentOut, **ERRORS})
def cancel(request, incident_id: int, payload: ReasonIn):
    """已撤销: a false alarm, with its reason."""
    incident = services.cancel_incident(
        actor=_me(request), incident=_incident(request, incident_id), reason=payload.reason
    )
    return _fresh(request, incident)


@incidents_router.post("/incidents/{incident_id}/link", response={200: IncidentOut, **ERRORS})
def link(request, incident_id: int, payload: LinkIn):
    incident = _incident(request, incident_id)
    services.link_incidents(
        actor=_me(request),
        incident=incident,
        other=_by_number(request, payload.other, "other"),
        note=payload.note,
    )
    return _fresh(request, incident)


@incidents_router.post("/incidents/{incident_id}/merge", response={200: IncidentOut, **ERRORS})
def merge(request, incident_id: int, payload: MergeIn):
    """This report is a duplicate: it is linked to the other and cancelled, pointing to it."""
    incident = services.merge_incident(
        actor=_me(request),
        duplicate=_incident(request, incident_id),
        into=_by_number(request, payload.into, "into"),
        reason=payload.reason,
    )
    return _fresh(request, incident)


@incidents_router.post("/incidents/{incident_id}/investigation", response={201: IncidentOut, **ERRORS})
def start_investigation(request, incident_id: int):
    incident = _incident(request, incident_id)
    services.start_investigation(actor=_me(request), incident=incident)
    return Reply(201, _fresh(request, incident))


@incidents_router.put("/incidents/{incident_id}/investigation", response={200: IncidentOut, **ERRORS})
def save_findings(request, incident_id: int, payload: FindingsIn):
    """The typed findings; only the fields sent are written."""
    incident = _incident(request, incident_id)
    services.save_findings(actor=_me(request), incident=incident, **payload.dict(exclude_unset=True))
    return _fresh(request, incident)


@incidents_router.post("/incidents/{incident_id}/investigation/close", response={200: IncidentOut, **ERRORS})
def close_investigation(request, incident_id: int):
    incident = services.close_investigation(actor=_me(request), incident=_incident(request, incident_id))
    return _fresh(request, incident)


# --- Notices ---------------------------------------------------------------------------------------


class NoticeFilters(InputSchema):
    unacknowledged: bool = False
    limit: int = page_limit()
    offset: int = page_offset()


@incidents_router.get("/notices", response={200: list[MyNoticeOut], **ERRORS}, tags=["notices"])
def my_notices(request, filters: Query[NoticeFilters]):
    """The token holder's own notices, newest first."""
    notices = notify_selectors.my_notices(_me(request)).select_related("recipient__unit")
    if filters.unacknowledged:
        notices = notices.filter(acknowledged_at__isnull=True, withdrawn_at__isnull=True)
    page = notices[filters.offset : filters.offset + filters.limit]
    return [_mine(n) for n in page]


@incidents_router.post("/notices/{notice_id}/ack", response={200: MyNoticeOut, **ERRORS}, tags=["notices"])
def acknowledge(request, notice_id: int):
    """已收到. Only the recipient acknowledges; a second acknowledgement changes nothing."""
    person = _me(request)
    notice = notify.acknowledge(person=person, notice=notify.ensure_recipient(person, notice_id))
    notice = Notice.objects.select_related("recipient__unit").get(pk=notice.pk)
    return _mine(notice)
