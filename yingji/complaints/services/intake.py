"""Registering a complaint from any channel, new facts, repeats, and the major complaint that opens an
incident."""

import hashlib
import logging
import re
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.core import clock
from yingji.core.errors import InvalidInput, InvalidTransition, NotVisible
from yingji.core.jobs import enqueue_on_commit
from yingji.deadlines.services import start_many
from yingji.orgs import visibility
from yingji.orgs.models import Person, Unit

from ..models import (
    OPEN_STATUSES,
    Category,
    Channel,
    Complaint,
    ComplaintEvent,
    Event,
    Kind,
    MajorCause,
    Status,
    YearCounter,
)
from . import deadlines
from .common import locked, record, require_handler

logger = logging.getLogger(__name__)
MAX_FUTURE = timedelta(minutes=5)
MAJOR_JOINT_COUNT = 20
# Face to face: the 20-person rule counts people who came together to a counter or an office.
FACE_TO_FACE = {Channel.COUNTER}
PHONE = re.compile(r"^[0-9+\-() ]{5,20}$")
ID_NUMBER = re.compile(r"^(\d{15}|\d{17}[\dXx])$")


def _next_numbers(now: datetime, count: int = 1) -> list[str]:
    """`count` consecutive numbers of the year, under the year's counter lock: never given twice."""
    year = now.astimezone(clock.SHANGHAI).year
    YearCounter.objects.bulk_create([YearCounter(year=year)], ignore_conflicts=True)
    counter = YearCounter.objects.select_for_update().get(year=year)
    first = counter.last + 1
    counter.last += count
    counter.save(update_fields=["last"])
    return [f"TS-{year}-{n:06d}" for n in range(first, first + count)]


def _scoped_key(receiver: Person, key: str | None) -> str | None:
    if not key:
        return None
    scoped = f"{receiver.pk}:{key}"
    return (
        scoped if len(scoped) <= 100 else f"{receiver.pk}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"
    )


def is_major(*, channel: str, joint_count: int, major_cause: str) -> bool:
    """重大投诉: 20 or more people together face to face, or caused by a disaster, an accident or a
    public-health event."""
    return bool(major_cause) or (channel in FACE_TO_FACE and joint_count >= MAJOR_JOINT_COUNT)


def validate(
    *,
    channel: str,
    received_at: datetime | None,
    customer_name: str,
    customer_phone: str,
    customer_id_number: str,
    content: str,
    kind: str,
    joint_count: int,
    major_cause: str,
    business: Category | None,
    cause: Category | None,
    staff_complained: Person | None,
    subject_unit: Unit | None,
    receiver: Person,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if channel not in Channel.values:
        errors["channel"] = _("Unknown channel.")
    if kind not in Kind.values:
        errors["kind"] = _("Unknown kind: suggestion, problem or malicious.")
    if major_cause not in MajorCause.values:
        errors["major_cause"] = _("Unknown cause.")
    if received_at is None:
        errors["received_at"] = _("Say when the complaint was received.")
    elif received_at > clock.now() + MAX_FUTURE:
        errors["received_at"] = _("The time is in the future.")
    if not customer_name.strip():
        errors["customer_name"] = _("The customer's name is required.")
    if customer_phone and not PHONE.match(customer_phone):
        errors["customer_phone"] = _("A phone number has 5 to 20 digits.")
    if customer_id_number and not ID_NUMBER.match(customer_id_number):
        errors["customer_id_number"] = _("An ID number has 15 or 18 characters (digits, and X last).")
    if not content.strip():
        errors["content"] = _("Write down what the customer complains about.")
    if joint_count < 1:
        errors["joint_count"] = _("At least one complainant.")
    if business is not None and business.axis != Category.Axis.BUSINESS:
        errors["business"] = _("Not a business type.")
    if cause is not None and cause.axis != Category.Axis.CAUSE:
        errors["cause"] = _("Not a cause.")
    if staff_complained is not None and staff_complained.pk == receiver.pk:
        errors["staff_complained"] = _(
            "You are the person complained about: a colleague must receive this complaint (回避)."
        )
    return errors


def register_complaint(
    *,
    receiver: Person,
    unit: Unit,
    channel: str,
    received_at: datetime | None,
    customer_name: str,
    content: str,
    customer_phone: str = "",
    customer_id_number: str = "",
    request: str = "",
    kind: str = Kind.PROBLEM,
    joint_count: int = 1,
    major_cause: str = "",
    subject_unit: Unit | None = None,
    staff_complained: Person | None = None,
    staff_complained_name: str = "",
    business: Category | None = None,
    cause: Category | None = None,
    idempotency_key: str | None = None,
    repeat_of: Complaint | None = None,
) -> Complaint:
    """受理登记. The receiver owns it (首问负责) until a work order hands it on; the decision clock
    starts from receipt. A repeat of an open complaint is merged into it and that one is returned; a
    major complaint opens an incident as soon as it is recorded."""
    if not visibility.can_see_unit(receiver.user, unit):
        raise NotVisible()
    fields = {
        "unit": unit,
        "channel": channel,
        "received_at": received_at,
        "customer_name": customer_name,
        "content": content,
        "customer_phone": customer_phone,
        "customer_id_number": customer_id_number,
        "request": request,
        "kind": kind,
        "joint_count": joint_count,
        "major_cause": major_cause,
        "subject_unit": subject_unit,
        "staff_complained": staff_complained,
        "staff_complained_name": staff_complained_name,
        "business": business,
        "cause": cause,
    }
    errors = validate(receiver=receiver, **_checked_fields(fields))
    if errors:
        raise InvalidInput(_("The complaint is not complete."), fields=errors)
    key = _scoped_key(receiver, idempotency_key)
    if key and (done := Complaint.objects.filter(idempotency_key=key).first()):
        return done
    if repeat_of is not None:
        return merge_repeat(
            actor=receiver, into=repeat_of, content=content, received_at=received_at, channel=channel
        )
    now = clock.now()
    try:
        with transaction.atomic():
            complaint = _new_complaint(
                receiver=receiver,
                number=_next_numbers(now)[0],
                now=now,
                idempotency_key=key,
                fields=fields,
            )
            complaint.save()
            record(
                complaint,
                Event.REGISTERED,
                _registered_text(complaint),
                actor=receiver,
                at=now,
                data=_registered_data(complaint),
                audit_action="complaint.register",
            )
            deadlines.start_clocks(complaint)
    except IntegrityError:
        if key and (done := Complaint.objects.filter(idempotency_key=key).first()):
            return done
        raise
    if complaint.is_major:
        open_major_incident_now(complaint)
    return complaint


def register_complaints(*, receiver: Person, rows: list[dict], on_row=None) -> list[Complaint]:
    """A batch (the Excel import): each row checked as `register_complaint` checks it, then all
    registered together with the same number, clocks, record and audit entry each, in bulk inserts
    inside the caller's transaction. A major complaint's incident is opened by a job after the commit.
    Raises InvalidInput naming the row (`row` in its fields: the index in `rows`) on the first bad one."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("register_complaints() must run inside the caller's transaction")
    for index, row in enumerate(rows):
        if not visibility.can_see_unit(receiver.user, row["unit"]):
            raise InvalidInput(
                _("The complaint is not complete."), fields={"unit": _("Not found."), "row": index}
            )
        errors = validate(receiver=receiver, **_checked_fields(row))
        if errors:
            raise InvalidInput(_("The complaint is not complete."), fields={**errors, "row": index})
    now, due = clock.now(), deadlines.DayCache()
    complaints = []
    for number, row in zip(_next_numbers(now, len(rows)), rows, strict=True):
        complaint = _new_complaint(receiver=receiver, number=number, now=now, fields=row, due=due)
        complaints.append(complaint)
    Complaint.objects.bulk_create(complaints, batch_size=1000)
    ComplaintEvent.objects.bulk_create(
        [
            ComplaintEvent(
                complaint=c,
                at=now,
                event=Event.REGISTERED,
                actor=receiver,
                text=_registered_text(c),
                data=_registered_data(c),
            )
            for c in complaints
        ],
        batch_size=1000,
    )
    clocks = []
    for done, complaint in enumerate(complaints, start=1):
        clocks += deadlines.new_clocks(complaint, due=due)
        if on_row is not None:
            on_row(done)
    start_many(clocks)
    audit.record_many(
        actor=receiver.user,
        action="complaint.register",
        items=[(c, {"number": c.number, **_registered_data(c)}) for c in complaints],
    )
    from ..tasks import open_major_incident_job

    for complaint in complaints:
        if complaint.is_major:
            enqueue_on_commit(open_major_incident_job, complaint_id=complaint.pk)
    return complaints


def _checked_fields(row: dict) -> dict:
    return {
        "channel": row["channel"],
        "received_at": row["received_at"],
        "customer_name": row.get("customer_name") or "",
        "customer_phone": (row.get("customer_phone") or "").strip(),
        "customer_id_number": (row.get("customer_id_number") or "").strip().upper(),
        "content": row.get("content") or "",
        "kind": row.get("kind") or Kind.PROBLEM,
        "joint_count": row.get("joint_count") or 1,
        "major_cause": row.get("major_cause") or "",
        "business": row.get("business"),
        "cause": row.get("cause"),
        "staff_complained": row.get("staff_complained"),
        "subject_unit": row.get("subject_unit"),
    }


def _new_complaint(
    *,
    receiver: Person,
    number: str,
    now: datetime,
    fields: dict,
    idempotency_key: str | None = None,
    due=None,
) -> Complaint:
    """A complaint as registered, unsaved, with its decision deadline counted from receipt."""
    checked = _checked_fields(fields)
    staff = checked["staff_complained"]
    complaint = Complaint(
        number=number,
        channel=checked["channel"],
        received_at=checked["received_at"],
        registered_at=now,
        unit=fields["unit"],
        receiver=receiver,
        owner=receiver,
        handling_unit=fields["unit"],
        customer_name=checked["customer_name"].strip()[:50],
        customer_phone=checked["customer_phone"],
        customer_id_number=checked["customer_id_number"],
        subject_unit=checked["subject_unit"],
        staff_complained=staff,
        staff_complained_name=(fields.get("staff_complained_name") or (staff.name if staff else ""))[:50],
        business=checked["business"],
        cause=checked["cause"],
        request=(fields.get("request") or "").strip(),
        content=checked["content"].strip(),
        kind=checked["kind"],
        joint_count=checked["joint_count"],
        major_cause=checked["major_cause"],
        is_major=is_major(
            channel=checked["channel"], joint_count=checked["joint_count"], major_cause=checked["major_cause"]
        ),
        clock_started_at=checked["received_at"],
        period_days=deadlines.PERIODS[0],
        idempotency_key=idempotency_key,
    )
    complaint.decision_due_at, complaint.decision_rule = deadlines.decision_due(complaint, paused=0, due=due)
    return complaint


def _registered_text(complaint: Complaint) -> str:
    return _("Received by %(name)s via %(channel)s.") % {
        "name": complaint.receiver.name,
        "channel": complaint.get_channel_display(),
    }


def _registered_data(complaint: Complaint) -> dict:
    return {"decision_due_at": complaint.decision_due_at.isoformat(), "major": complaint.is_major}


def merge_repeat(
    *, actor: Person, into: Complaint, content: str, received_at: datetime | None, channel: str
) -> Complaint:
    """The same complaint again within its period: recorded on the open one, no second register entry."""
    with transaction.atomic():
        target = locked(into)
        if not visibility.can_see_unit(actor.user, target.unit) and not visibility.can_see_unit(
            actor.user, target.handling_unit
        ):
            raise NotVisible()
        if target.status not in OPEN_STATUSES:
            raise InvalidTransition(
                _("%(number)s is already decided: register a new complaint or a review request.")
                % {"number": target.number}
            )
        record(
            target,
            Event.MERGED,
            _("The customer complained again via %(channel)s: %(content)s")
            % {
                "channel": Channel(channel).label if channel in Channel.values else channel,
                "content": content,
            },
            actor=actor,
            data={"received_at": received_at.isoformat() if received_at else None},
            audit_action="complaint.merge_repeat",
        )
    return target


def add_new_facts(
    *, actor: Person, complaint: Complaint, facts: str, received_at: datetime | None = None
) -> Complaint:
    """新情况、新事实: recorded, and the decision clock starts again from their receipt."""
    require_handler(actor, complaint)
    received_at = received_at or clock.now()
    if not facts.strip():
        raise InvalidInput(_("Write down the new facts."), fields={"facts": _("Write down the new facts.")})
    if received_at > clock.now() + MAX_FUTURE:
        raise InvalidInput(
            _("The time is in the future."), fields={"received_at": _("The time is in the future.")}
        )
    with transaction.atomic():
        complaint = locked(complaint)
        if complaint.status not in OPEN_STATUSES or complaint.status == Status.PAUSED:
            raise InvalidTransition(
                _("New facts restart the clock only while the complaint is being handled.")
            )
        if received_at < complaint.clock_started_at:
            raise InvalidInput(
                _("New facts cannot come before the period they restart."),
                fields={"received_at": _("Before the current period began.")},
            )
        complaint.clock_started_at = received_at
        complaint.decision_due_at, complaint.decision_rule = deadlines.decision_due(complaint)
        complaint.save(update_fields=["clock_started_at", "decision_due_at", "decision_rule"])
        record(
            complaint,
            Event.NEW_FACTS,
            facts.strip(),
            actor=actor,
            data={
                "received_at": received_at.isoformat(),
                "decision_due_at": complaint.decision_due_at.isoformat(),
            },
            audit_action="complaint.new_facts",
        )
        deadlines.start_clocks(complaint, internal=False)
    return complaint


def open_major_incident_now(complaint: Complaint) -> None:
    """Open the incident at once; if that fails the job tries again (the report is idempotent)."""
    try:
        open_major_incident(complaint.pk)
    except Exception:
        logger.exception("opening the incident for %s failed; the job will try again", complaint.number)
        from ..tasks import open_major_incident_job

        enqueue_on_commit(open_major_incident_job, complaint_id=complaint.pk)


def open_major_incident(complaint_id: int) -> Complaint:
    """重大投诉 → the 重大投诉 event at the complaint's unit, reported by its receiver."""
    from yingji.incidents.services import report_incident
    from yingji.plans.models import EventKind

    complaint = Complaint.objects.select_related("unit", "receiver__user").get(pk=complaint_id)
    if complaint.incident_id:
        return complaint
    kind = EventKind.objects.get(code="major_complaint")
    why = (
        _("%(n)s people complained together face to face") % {"n": complaint.joint_count}
        if not complaint.major_cause
        else _("caused by: %(cause)s") % {"cause": complaint.get_major_cause_display()}
    )
    incident = report_incident(
        reporter=complaint.receiver,
        kind=kind,
        unit=complaint.unit,
        occurred_at=complaint.received_at,
        description=_("Major complaint %(number)s (%(why)s): %(content)s")
        % {"number": complaint.number, "why": why, "content": complaint.content[:500]},
        content={
            "people_involved": str(complaint.joint_count),
            "customer_reaction": complaint.request[:2000],
        },
        idempotency_key=f"complaint:{complaint.number}",
    )
    with transaction.atomic():
        complaint = locked(complaint)
        if complaint.incident_id is None:
            complaint.incident = incident
            complaint.save(update_fields=["incident"])
            record(
                complaint,
                Event.MAJOR,
                _("Major complaint: incident %(number)s opened.") % {"number": incident.number},
                actor=None,
                data={"incident": incident.number},
                audit_action="complaint.major_incident",
            )
    return complaint
