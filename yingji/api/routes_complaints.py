"""Complaints over the API, for the hotline system and other intake channels. Each handler finds what
the token's person may see, calls one service or selector and answers the complaint as it stands
afterwards. A complaint outside the person's visibility is 404, exactly like one that does not exist.
The customer's phone and ID number are masked unless the person may see them (its handlers and the
consumer-protection staff); an unmasked read is written to the audit log."""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema
from ninja.responses import Status as Reply

from yingji.complaints import permissions, selectors, services
from yingji.complaints.models import (
    OPEN_STATUSES,
    Category,
    Channel,
    Complaint,
    Kind,
    MajorCause,
    Status,
    WorkOrder,
)
from yingji.complaints.privacy import mask_id_number, mask_phone
from yingji.complaints.services.escalation import reputation_kinds
from yingji.core import clock, inputs
from yingji.core.errors import InvalidInput, NotAllowed, NotVisible
from yingji.core.inputs import FilterTime, ReceivedTime
from yingji.orgs import visibility
from yingji.orgs.models import Person, Unit

from .routes import ALWAYS, ErrorOut, InputSchema, page_limit, page_offset

complaints_router = Router(tags=["complaints"])

ERRORS: dict[int, type[Schema]] = {**ALWAYS, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
MAX_KEY = 64  # the service stores "<person id>:<key>" in a 100-character column


# --- What comes in ---------------------------------------------------------------------------------


class ComplaintIn(InputSchema):
    channel: Channel = Field(description="How the complaint came in.")
    received_at: ReceivedTime = Field(
        description="ISO 8601 with its offset, e.g. 2026-03-02T09:30:00+08:00; not before the first year "
        "of the working-day calendar, nor in the future."
    )
    unit: str = Field(max_length=32, description="Code of the unit that registers and answers for it.")
    customer_name: str = Field(max_length=50)
    customer_phone: str = Field("", max_length=20)
    customer_id_number: str = Field("", max_length=18)
    content: str = Field(max_length=10000, description="The facts: what the customer complains about.")
    request: str = Field("", max_length=4000, description="What the customer asks for.")
    kind: Kind = Kind.PROBLEM
    joint_count: int = Field(1, ge=1, le=100000, description="How many people complain together.")
    major_cause: MajorCause = Field(
        MajorCause.NONE, description="A disaster, an accident or a public-health event makes it major."
    )
    business: str = Field("", max_length=40, description="Business type category code.")
    cause: str = Field("", max_length=40, description="Cause category code.")
    subject_unit: str = Field("", max_length=32, description="Code of the institution complained about.")
    staff_complained_name: str = Field("", max_length=50)


class NewFactsIn(InputSchema):
    facts: str = Field(max_length=10000)
    received_at: ReceivedTime | None = Field(
        None, description="When they arrived (with offset); default now."
    )


class WithdrawIn(InputSchema):
    withdrawn_at: ReceivedTime | None = Field(None, description="When the withdrawal arrived; default now.")
    note: str = Field("", max_length=2000)


class MeetingIn(InputSchema):
    met_at: ReceivedTime | None = Field(
        None, description="When the customer was met face to face (with offset); default now."
    )
    note: str = Field("", max_length=4000)


class MaliciousIn(InputSchema):
    reason: str = Field(max_length=4000, description="Why the meeting or negotiation failed.")


class LeaderReportIn(InputSchema):
    reported_at: ReceivedTime | None = Field(
        None, description="When the result went to the general manager (with offset); default now."
    )
    note: str = Field("", max_length=4000)


class EscalateIn(InputSchema):
    kind: str = Field(
        "major_complaint", max_length=60, description="Code of a reputation event kind (group `reputation`)."
    )
    spread: str = Field(
        max_length=4000, description="How the complaint is spreading: a poster, WeChat posts."
    )
    media_exposure: bool = Field(False, description="Exposed on the media or self-media.")


# --- What goes out ---------------------------------------------------------------------------------


class RegisteredOut(Schema):
    id: int
    number: str
    status: str
    decision_due_at: datetime
    decision_rule: str
    is_major: bool
    incident: str | None


class ComplaintSummaryOut(Schema):
    id: int
    number: str
    channel: str
    channel_display: str
    received_at: datetime
    unit: str
    unit_name: str
    handling_unit: str
    customer_name: str
    customer_phone: str
    kind: str
    status: str
    status_display: str
    is_major: bool
    decision_due_at: datetime
    overdue: bool


class ComplaintPageOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[ComplaintSummaryOut]


class DeadlineOut(Schema):
    name: str
    label: str
    due_at: datetime
    paused: bool
    source: str


class EventOut(Schema):
    at: datetime
    event: str
    event_display: str
    actor: str | None
    text: str


class WorkOrderOut(Schema):
    id: int
    to_unit: str
    to_unit_name: str
    assignee: str | None
    state: str
    state_display: str
    issued_at: datetime
    accepted_at: datetime | None
    proposed_at: datetime | None


class ComplaintOut(ComplaintSummaryOut):
    registered_at: datetime
    owner: str
    customer_id_number: str
    personal_data_masked: bool
    subject_unit: str | None
    staff_complained_name: str
    business: str | None
    business_name: str | None
    cause: str | None
    cause_name: str | None
    request: str
    content: str
    kind_display: str
    joint_count: int
    major_cause: str
    incident: str | None
    met_customer_at: datetime | None
    reported_to_leader_at: datetime | None
    period_days: int
    decision_rule: str
    paused_at: datetime | None
    replied_at: datetime | None
    closed_at: datetime | None
    review_due_at: datetime | None
    satisfaction: str
    deadlines: list[DeadlineOut]
    events: list[EventOut]
    work_orders: list[WorkOrderOut]


# --- Helpers ---------------------------------------------------------------------------------------


def _local(value: datetime | None) -> datetime | None:
    return inputs.local_time(value)


def _with_offset(value: datetime | None, field: str) -> datetime | None:
    """A time without its offset is ambiguous for a legal deadline: refused, never guessed."""
    if value is not None and timezone.is_naive(value):
        message = _("Give the time with its offset, e.g. 2026-03-02T09:30:00+08:00.")
        raise InvalidInput(message, fields={field: message})
    return value


def _me(request) -> Person:
    person = visibility.person_of(request.user)
    if person is None:
        raise NotAllowed()
    return person


def _complaint(request, complaint_id: int) -> Complaint:
    complaint = selectors.complaints_for(request.user, pk=complaint_id).first()
    if complaint is None:
        raise NotVisible()
    return selectors.complaint_for(viewer=request.user, number=complaint.number)


def _category(code: str, axis: str, field: str, errors: dict[str, str]) -> Category | None:
    if not code:
        return None
    found = Category.objects.filter(code=code.strip(), axis=axis).first()
    if found is None:
        errors[field] = _("Unknown category.")
    return found


def _summary(complaint: Complaint, now: datetime) -> dict:
    return {
        "id": complaint.pk,
        "number": complaint.number,
        "channel": complaint.channel,
        "channel_display": complaint.get_channel_display(),
        "received_at": _local(complaint.received_at),
        "unit": complaint.unit.code,
        "unit_name": complaint.unit.name,
        "handling_unit": complaint.handling_unit.code,
        "customer_name": complaint.customer_name,
        "customer_phone": mask_phone(complaint.customer_phone),
        "kind": complaint.kind,
        "status": complaint.status,
        "status_display": complaint.get_status_display(),
        "is_major": complaint.is_major,
        "decision_due_at": _local(complaint.decision_due_at),
        "overdue": complaint.status in OPEN_STATUSES and complaint.decision_due_at < now,
    }


def _work_order(order: WorkOrder) -> dict:
    return {
        "id": order.pk,
        "to_unit": order.to_unit.code,
        "to_unit_name": order.to_unit.name,
        "assignee": order.assignee.name if order.assignee else None,
        "state": order.state,
        "state_display": order.get_state_display(),
        "issued_at": _local(order.issued_at),
        "accepted_at": _local(order.accepted_at),
        "proposed_at": _local(order.proposed_at),
    }


def _detail(request, complaint: Complaint) -> dict:
    person = _me(request)
    if permissions.sees_personal_data(person, complaint):
        personal = services.reveal_personal_data(viewer=person, complaint=complaint)
        masked = False
    else:
        personal = {
            "customer_phone": mask_phone(complaint.customer_phone),
            "customer_id_number": mask_id_number(complaint.customer_id_number),
        }
        masked = True
    events = complaint.events.select_related("actor")
    orders = complaint.work_orders.select_related("to_unit", "assignee")
    return {
        **_summary(complaint, clock.now()),
        **personal,
        "personal_data_masked": masked,
        "registered_at": _local(complaint.registered_at),
        "owner": complaint.owner.name,
        "subject_unit": complaint.subject_unit.code if complaint.subject_unit else None,
        "staff_complained_name": complaint.staff_complained_name,
        "business": complaint.business.code if complaint.business else None,
        "business_name": complaint.business.name if complaint.business else None,
        "cause": complaint.cause.code if complaint.cause else None,
        "cause_name": complaint.cause.name if complaint.cause else None,
        "request": complaint.request,
        "content": complaint.content,
        "kind_display": complaint.get_kind_display(),
        "joint_count": complaint.joint_count,
        "major_cause": complaint.major_cause,
        "incident": complaint.incident.number if complaint.incident else None,
        "met_customer_at": _local(complaint.met_customer_at),
        "reported_to_leader_at": _local(complaint.reported_to_leader_at),
        "period_days": complaint.period_days,
        "decision_rule": complaint.decision_rule,
        "paused_at": _local(complaint.paused_at),
        "replied_at": _local(complaint.replied_at),
        "closed_at": _local(complaint.closed_at),
        "review_due_at": _local(complaint.review_due_at),
        "satisfaction": complaint.satisfaction,
        "deadlines": [
            {
                "name": d.name,
                "label": d.label,
                "due_at": _local(d.due_at),
                "paused": d.paused_at is not None,
                "source": d.source,
            }
            for d in selectors.running_deadlines(complaint)
        ],
        "events": [
            {
                "at": _local(e.at),
                "event": e.event,
                "event_display": e.get_event_display(),
                "actor": e.actor.name if e.actor else None,
                "text": e.text,
            }
            for e in events
        ],
        "work_orders": [_work_order(o) for o in orders],
    }


# --- Register, list, read --------------------------------------------------------------------------


@complaints_router.post("/complaints", response={201: RegisteredOut, **ERRORS})
def register(
    request,
    payload: ComplaintIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """受理登记. Send an `Idempotency-Key` header (up to 64 characters, unique per complaint of yours)
    and retry freely: a retry with the same key answers **201 with the same complaint** and creates
    nothing. `received_at` must carry its offset: the 15-day period is counted from it. A unit code
    that does not exist is a 400; a unit outside what the token's person sees is a 404."""
    person = _me(request)
    key = (idempotency_key or "").strip()
    if len(key) > MAX_KEY:
        raise InvalidInput(
            _("The Idempotency-Key header is too long (64 characters at most)."),
            fields={"Idempotency-Key": _("64 characters at most.")},
        )
    received_at = _with_offset(payload.received_at, "received_at")
    errors: dict[str, str] = {}
    unit = Unit.objects.filter(code=payload.unit.strip(), is_active=True).first()
    if unit is None:
        errors["unit"] = _("Unknown unit.")
    subject_unit = None
    if payload.subject_unit:
        subject_unit = (
            visibility.visible_units(request.user).filter(code=payload.subject_unit.strip()).first()
        )
        if subject_unit is None:
            errors["subject_unit"] = _("Unknown unit.")
    business = _category(payload.business, Category.Axis.BUSINESS, "business", errors)
    cause = _category(payload.cause, Category.Axis.CAUSE, "cause", errors)
    if errors:
        raise InvalidInput(_("Some fields are not valid."), fields=errors)
    complaint = services.register_complaint(
        receiver=person,
        unit=unit,
        channel=payload.channel,
        received_at=received_at,
        customer_name=payload.customer_name,
        customer_phone=payload.customer_phone,
        customer_id_number=payload.customer_id_number,
        content=payload.content,
        request=payload.request,
        kind=payload.kind,
        joint_count=payload.joint_count,
        major_cause=payload.major_cause,
        subject_unit=subject_unit,
        staff_complained_name=payload.staff_complained_name,
        business=business,
        cause=cause,
        idempotency_key=key or None,
    )
    complaint = Complaint.objects.select_related("incident").get(pk=complaint.pk)
    return Reply(
        201,
        {
            "id": complaint.pk,
            "number": complaint.number,
            "status": complaint.status,
            "decision_due_at": _local(complaint.decision_due_at),
            "decision_rule": complaint.decision_rule,
            "is_major": complaint.is_major,
            "incident": complaint.incident.number if complaint.incident else None,
        },
    )


class ComplaintFilters(InputSchema):
    status: Status | None = None
    channel: Channel | None = None
    kind: Kind | None = None
    unit: str = Field("", description="A unit code: complaints of that unit and every unit below it.")
    overdue: bool = Field(False, description="Only open complaints past their decision deadline.")
    received_from: FilterTime | None = Field(None, description="Received at or after (with offset).")
    received_to: FilterTime | None = Field(None, description="Received before (with offset).")
    limit: int = page_limit()
    offset: int = page_offset()


@complaints_router.get("/complaints", response={200: ComplaintPageOut, **ERRORS})
def list_complaints(request, filters: Query[ComplaintFilters]):
    """Complaints the token's person sees, latest received first, a page at a time. Phones masked."""
    received_from = _with_offset(filters.received_from, "received_from")
    received_to = _with_offset(filters.received_to, "received_to")
    now = clock.now()
    qs = selectors.complaints_for(
        request.user,
        status=filters.status or "",
        channel=filters.channel or "",
        kind=filters.kind or "",
        received_at__gte=received_from,
        received_at__lt=received_to,
    )
    if filters.unit:
        unit = visibility.visible_units(request.user).filter(code=filters.unit.strip()).first()
        if unit is None:
            raise InvalidInput(_("Some fields are not valid."), fields={"unit": _("Unknown unit.")})
        qs = qs.filter(unit__path__startswith=unit.path)
    if filters.overdue:
        qs = qs.filter(status__in=OPEN_STATUSES, decision_due_at__lt=now)
    start = filters.offset
    return {
        "count": qs.count(),
        "limit": filters.limit,
        "offset": start,
        "items": [_summary(c, now) for c in qs[start : start + filters.limit]],
    }


@complaints_router.get("/complaints/{complaint_id}", response={200: ComplaintOut, **ERRORS})
def get_complaint(request, complaint_id: int):
    """One complaint with every running deadline (`source` says how it was counted), its record and
    its work orders. Phone and ID number are unmasked for its handlers and consumer-protection staff,
    and each such read is in the audit log."""
    return _detail(request, _complaint(request, complaint_id))


# --- Actions: each calls one service ---------------------------------------------------------------


@complaints_router.post("/complaints/{complaint_id}/withdraw", response={200: ComplaintOut, **ERRORS})
def withdraw(request, complaint_id: int, payload: WithdrawIn):
    """已撤回: the procedure ends the day the withdrawal arrives; its clocks stop."""
    complaint = services.withdraw(
        actor=_me(request),
        complaint=_complaint(request, complaint_id),
        withdrawn_at=_with_offset(payload.withdrawn_at, "withdrawn_at"),
        note=payload.note,
    )
    return _detail(request, _complaint(request, complaint.pk))


@complaints_router.post("/complaints/{complaint_id}/new-facts", response={200: ComplaintOut, **ERRORS})
def new_facts(request, complaint_id: int, payload: NewFactsIn):
    """新情况、新事实: recorded, and the decision period starts again from their receipt."""
    complaint = services.add_new_facts(
        actor=_me(request),
        complaint=_complaint(request, complaint_id),
        facts=payload.facts,
        received_at=_with_offset(payload.received_at, "received_at"),
    )
    return _detail(request, _complaint(request, complaint.pk))


@complaints_router.post("/complaints/{complaint_id}/meeting", response={200: ComplaintOut, **ERRORS})
def meeting(request, complaint_id: int, payload: MeetingIn):
    """面谈 (problem complaints): recorded with its time; the proposal is due 24 hours after it."""
    complaint = services.record_meeting(
        actor=_me(request),
        complaint=_complaint(request, complaint_id),
        met_at=_with_offset(payload.met_at, "met_at") or clock.now(),
        note=payload.note,
    )
    return _detail(request, _complaint(request, complaint.pk))


@complaints_router.post("/complaints/{complaint_id}/malicious", response={200: ComplaintOut, **ERRORS})
def turn_malicious(request, complaint_id: int, payload: MaliciousIn):
    """问题型 → 恶意 when the meeting or negotiation failed: the malicious clocks start from now."""
    complaint = services.turn_malicious(
        actor=_me(request), complaint=_complaint(request, complaint_id), reason=payload.reason
    )
    return _detail(request, _complaint(request, complaint.pk))


@complaints_router.post("/complaints/{complaint_id}/leader-report", response={200: ComplaintOut, **ERRORS})
def leader_report(request, complaint_id: int, payload: LeaderReportIn):
    """恶意投诉: the result and response plan reported to the general manager (2 working days after the
    final opinion)."""
    complaint = services.report_to_leader(
        actor=_me(request),
        complaint=_complaint(request, complaint_id),
        reported_at=_with_offset(payload.reported_at, "reported_at") or clock.now(),
        note=payload.note,
    )
    return _detail(request, _complaint(request, complaint.pk))


@complaints_router.post("/complaints/{complaint_id}/escalate", response={200: ComplaintOut, **ERRORS})
def escalate(request, complaint_id: int, payload: EscalateIn):
    """A spreading complaint reported as a reputation incident, linked both ways; `incident` in the answer
    is its number. Leaders, consumer-protection staff and emergency administrators only (403)."""
    complaint = _complaint(request, complaint_id)
    kind = reputation_kinds().filter(code=payload.kind.strip()).first()
    complaint = services.escalate_to_incident(
        actor=_me(request),
        complaint=complaint,
        kind=kind,
        spread=payload.spread,
        media_exposure=payload.media_exposure,
    )
    return _detail(request, _complaint(request, complaint.pk))
