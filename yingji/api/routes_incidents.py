"""Incidents and notices over the API. Each handler finds what the token's person may see, calls one
service and answers the incident (or task, or notice) as it stands afterwards. Everything outside the
person's visibility is 404, exactly like what does not exist; a unit, person or incident named in a
body that the person may not see is refused like an unknown one, with no hint that it exists."""

from datetime import datetime
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema
from ninja.responses import Status as Reply

from yingji.core import clock
from yingji.core.errors import InvalidInput, NotAllowed
from yingji.incidents import selectors, services
from yingji.incidents.models import REPORT_FIELDS, Incident, Investigation, Status, Task
from yingji.incidents.permissions import can_join_group
from yingji.notify import rulebook
from yingji.notify import selectors as notify_selectors
from yingji.notify import services as notify
from yingji.notify.models import Notice
from yingji.orgs import visibility
from yingji.orgs.models import Person
from yingji.plans.models import Level, PlanVersion

from .routes import ErrorOut
from .routes_plans import ReasonOut

incidents_router = Router(tags=["incidents"])

ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
MAX_PAGE = 200
MAX_KEY = 64  # the service stores "<person id>:<key>" in a 100-character column


# --- What comes in ---------------------------------------------------------------------------------


class ReportContentIn(Schema):
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
    occurred_at: datetime = Field(description="ISO 8601; without an offset it is Asia/Shanghai time.")
    description: str = Field(max_length=4000)
    facts: dict[str, Any] = Field({}, description="The facts the level rules read (POST /classify).")


class FollowUpIn(ReportContentIn):
    text: str = Field(max_length=4000)
    facts: dict[str, Any] = {}


class CommentIn(Schema):
    text: str = Field(max_length=4000)


class LevelIn(Schema):
    level: Level
    reason: str = Field("", max_length=1000)


PersonRef = int | str  # a person's id, or their username


class ActivateIn(Schema):
    plan_version: int = Field(description="Id of an approved plan version.")
    leader: PersonRef = Field(description="组长: person id or username.")
    deputies: list[PersonRef] = []
    members: list[PersonRef] = []
    groups: list[str] = Field([], description="Working group names.")


class DoneIn(Schema):
    note: str = Field("", max_length=4000)
    done_at: datetime | None = Field(None, description="Defaults to now; never in the future.")


class ReasonIn(Schema):
    reason: str = Field(max_length=1000)


class TerminationRequestIn(Schema):
    summary: str = Field(max_length=4000)


class TerminationDecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=1000)


class LinkIn(Schema):
    other: str = Field(description="Number of the other incident, e.g. YJ-2026-000123.")
    note: str = Field("", max_length=200)


class MergeIn(Schema):
    into: str = Field(description="Number of the incident this report is a duplicate of.")
    reason: str = Field(max_length=1000)


class ResponsibleIn(Schema):
    name: str = Field(max_length=100)
    responsibility: str = Field(max_length=1000)


class FindingsIn(Schema):
    """Only the fields sent are written."""

    cause: str | None = None
    warnings_in_time: bool | None = None
    warnings_note: str | None = None
    responsibility: list[ResponsibleIn] | None = None
    consequences: str | None = None
    preventive_measures: str | None = None


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
    closed_at: datetime | None


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


# --- Helpers ---------------------------------------------------------------------------------------


def _local(value: datetime | None) -> datetime | None:
    return value.astimezone(clock.SHANGHAI) if value is not None else None


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


def _summary(incident: Incident) -> dict:
    return {
        "id": incident.pk,
        "number": incident.number,
        "kind": incident.kind.code,
        "kind_name": incident.kind.name,
        "unit": incident.unit.code,
        "unit_name": incident.unit.name,
        "level": incident.level,
        "status": incident.status,
        "status_display": incident.get_status_display(),
        "occurred_at": _local(incident.occurred_at),
        "reported_at": _local(incident.reported_at),
        "reporter": incident.reporter.name,
        "description": incident.description,
    }


def _task(task: Task) -> dict:
    return {
        "id": task.pk,
        "order": task.order,
        "kind": task.kind,
        "title": task.title,
        "position": task.position.code if task.position else None,
        "position_name": task.position.name if task.position else None,
        "group": task.group.name if task.group else None,
        "candidates": [p.name for p in task.candidates.all()],
        "owner": task.owner.name if task.owner else None,
        "condition": task.condition,
        "branch": task.branch,
        "status": task.status,
        "status_display": task.get_status_display(),
        "due_at": _local(task.due_at),
        "done_at": _local(task.done_at),
        "note": task.note,
    }


def _notice(notice: Notice) -> dict:
    return {
        "id": notice.pk,
        "recipient": notice.recipient.name,
        "recipient_unit": notice.recipient.unit.code,
        "reason": notice.reason,
        "sent": _local(notice.created_at),
        "ack_due_at": _local(notice.ack_due_at),
        "acknowledged_at": _local(notice.acknowledged_at),
        "escalated_at": _local(notice.escalated_at),
    }


def _detail(incident: Incident) -> dict:
    """The incident as its room shows it, in a fixed number of queries (selectors.room)."""
    room = selectors.room(incident)
    investigation = Investigation.objects.filter(incident=incident).select_related("started_by").first()
    version = incident.plan_version
    return {
        **_summary(incident),
        "facts": incident.facts,
        "classified_level": incident.classified_level,
        "level_reasons": incident.level_reasons,
        "content": {key: getattr(incident, key) for key in REPORT_FIELDS if getattr(incident, key)},
        "plan_version": version.pk if version else None,
        "plan_title": version.title if version else None,
        "activated_at": _local(incident.activated_at),
        "terminated_at": _local(incident.terminated_at),
        "closed_at": _local(incident.closed_at),
        "watch_until": _local(incident.watch_until),
        "merged_into": incident.merged_into.number if incident.merged_into else None,
        "links": [link.other.number for link in room["links"]],
        "members": [
            {
                "person_id": m.person_id,
                "name": m.person.name,
                "unit": m.person.unit.code,
                "role": m.role,
                "role_display": m.get_role_display(),
            }
            for m in room["members"]
        ],
        "groups": [g.name for g in room["groups"]],
        "working_groups": [
            {
                "id": g.pk,
                "name": g.name,
                "leader_id": g.leader_id,
                "leader": g.leader.name if g.leader_id else None,
            }
            for g in room["groups"]
        ],
        "tasks": [_task(t) for t in room["tasks"]],
        "notices": [_notice(n) for n in room["notices"]],
        "follow_ups": [
            {
                "at": _local(f.at),
                "author": f.author.name,
                "text": f.text,
                "facts": f.facts,
                "content": {key: getattr(f, key) for key in REPORT_FIELDS if getattr(f, key)},
            }
            for f in room["follow_ups"]
        ],
        "timeline": [
            {
                "at": _local(e.at),
                "event": e.event,
                "event_display": e.get_event_display(),
                "actor": e.actor.name if e.actor else None,
                "text": e.text,
            }
            for e in room["timeline"]
        ],
        "investigation": _investigation(investigation) if investigation else None,
    }


def _investigation(inv) -> dict:
    return {
        "started_at": _local(inv.started_at),
        "started_by": inv.started_by.name,
        "cause": inv.cause,
        "warnings_in_time": inv.warnings_in_time,
        "warnings_note": inv.warnings_note,
        "responsibility": inv.responsibility,
        "consequences": inv.consequences,
        "preventive_measures": inv.preventive_measures,
        "closed_at": _local(inv.closed_at),
    }


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


class IncidentFilters(Schema):
    status: Status | None = None
    level: Level | None = None
    kind: str = Field("", description="Event kind code.")
    unit: str = Field("", description="A unit code: incidents of that unit and every unit below it.")
    since: datetime | None = Field(None, description="Reported at or after (Asia/Shanghai if no offset).")
    until: datetime | None = Field(None, description="Reported before.")
    limit: int = Field(50, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0)


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
    """Raise the level with a reason, or lower it below what the rules say with a written reason."""
    incident = services.change_level(
        actor=_me(request),
        incident=_incident(request, incident_id),
        level=payload.level,
        reason=payload.reason,
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
    """The leading group proposes to end the response; the 组长 decides."""
    incident = _incident(request, incident_id)
    services.request_termination(actor=_me(request), incident=incident, summary=payload.summary)
    return Reply(201, _fresh(request, incident))


@incidents_router.post("/incidents/{incident_id}/termination-decision", response={200: IncidentOut, **ERRORS})
def decide_termination(request, incident_id: int, payload: TerminationDecisionIn):
    """The 组长 approves (terminated, watched for 72 hours) or rejects with a note (back to 处置中)."""
    incident = services.decide_termination(
        actor=_me(request),
        incident=_incident(request, incident_id),
        approve=payload.approve,
        note=payload.note,
    )
    return _fresh(request, incident)


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


def _my_notice(notice: Notice) -> dict:
    return {
        **_notice(notice),
        "subject_type": notice.subject_type,
        "subject_id": notice.subject_id,
        "title": notice.title,
        "body": notice.body,
        "url": notice.url,
    }


class NoticeFilters(Schema):
    unacknowledged: bool = False
    limit: int = Field(50, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0)


@incidents_router.get("/notices", response={200: list[MyNoticeOut], **ERRORS}, tags=["notices"])
def my_notices(request, filters: Query[NoticeFilters]):
    """The token holder's own notices, newest first."""
    notices = notify_selectors.my_notices(_me(request)).select_related("recipient__unit")
    if filters.unacknowledged:
        notices = notices.filter(acknowledged_at__isnull=True)
    page = notices[filters.offset : filters.offset + filters.limit]
    return [_my_notice(n) for n in page]


@incidents_router.post("/notices/{notice_id}/ack", response={200: MyNoticeOut, **ERRORS}, tags=["notices"])
def acknowledge(request, notice_id: int):
    """已收到. Only the recipient acknowledges; a second acknowledgement changes nothing."""
    person = _me(request)
    notice = notify.acknowledge(person=person, notice=notify.ensure_recipient(person, notice_id))
    notice = Notice.objects.select_related("recipient__unit").get(pk=notice.pk)
    return _my_notice(notice)
