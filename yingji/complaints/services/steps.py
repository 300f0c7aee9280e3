"""The steps of seed 001's 投诉应急预案 that are actions with their own time, each starting or meeting a
clock: the face-to-face meeting of a 问题型 complaint (its proposal is due 24 hours after it), a
问题型 complaint whose meeting or negotiation failed turned into a 恶意 one (its clocks start anew), and a
恶意 complaint's result reported to the general manager (due 2 working days after the final opinion)."""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from yingji.core import clock
from yingji.core.errors import InvalidInput, InvalidTransition
from yingji.deadlines import services as deadline_clocks
from yingji.deadlines.models import Deadline
from yingji.orgs.models import Person

from ..models import Complaint, Event, Kind, Status
from . import deadlines
from .common import local_text, locked, record, require_handler, subject

# The clocks of a 问题型 complaint that a turn into 恶意 ends: the 恶意 ones replace them.
PROBLEM_CLOCKS = ["proposal", "agreement"]
# Before a proposal is (again) due: a meeting or a turn into 恶意 starts a proposal clock, which only a
# proposal submitted afterwards can meet.
BEFORE_PROPOSAL = (Status.REGISTERED, Status.ASSIGNED, Status.HANDLING, Status.RETURNED)


def _when(at: datetime | None, field: str, *, not_before: datetime, before_text: str) -> datetime:
    """A time a person gives for a step: present, not in the future, not before what it follows."""
    if at is None:
        raise InvalidInput(_("Say when it happened."), fields={field: _("Say when it happened.")})
    if at > clock.now():
        raise InvalidInput(_("The time is in the future."), fields={field: _("The time is in the future.")})
    if at < not_before:
        raise InvalidInput(before_text, fields={field: before_text})
    return at


def record_meeting(
    *, actor: Person, complaint: Complaint, met_at: datetime | None, note: str = ""
) -> Complaint:
    """面谈: the handler met the customer face to face; the proposal is due 24 hours later."""
    require_handler(actor, complaint)
    with transaction.atomic():
        complaint = locked(complaint)
        if complaint.kind != Kind.PROBLEM:
            raise InvalidTransition(_("Only a problem complaint has a face-to-face meeting with its clock."))
        if complaint.status not in BEFORE_PROPOSAL:
            raise InvalidTransition(_("A meeting is recorded while the complaint is being handled."))
        if complaint.met_customer_at is not None:
            raise InvalidTransition(
                _("The meeting is already recorded (%(at)s).") % {"at": local_text(complaint.met_customer_at)}
            )
        met_at = _when(
            met_at,
            "met_at",
            not_before=complaint.received_at,
            before_text=_("The meeting cannot come before the complaint."),
        )
        complaint.met_customer_at = met_at
        complaint.save(update_fields=["met_customer_at"])
        deadlines.start_step(complaint, deadlines.MEETING, met_at, "problem_proposal")
        record(
            complaint,
            Event.MET,
            note.strip() or _("Met the customer; the proposal is due 24 hours later."),
            actor=actor,
            at=met_at,
            data={"met_at": met_at.isoformat()},
            audit_action="complaint.meet",
        )
    return complaint


def turn_malicious(*, actor: Person, complaint: Complaint, reason: str) -> Complaint:
    """问题型投诉面谈、协商失败也会转为恶意投诉: the kind changes, the 问题型 clocks end and the 恶意 ones
    (a proposal in 24 hours, the visit and final opinion in 5 working days) start from now."""
    require_handler(actor, complaint)
    if not reason.strip():
        raise InvalidInput(
            _("Say why the negotiation failed."), fields={"reason": _("Say why the negotiation failed.")}
        )
    with transaction.atomic():
        complaint = locked(complaint)
        if complaint.kind != Kind.PROBLEM:
            raise InvalidTransition(_("Only a problem complaint is turned into a malicious one."))
        if complaint.status not in BEFORE_PROPOSAL:
            raise InvalidTransition(_("Only a complaint being handled is turned into a malicious one."))
        now = clock.now()
        complaint.kind = Kind.MALICIOUS
        complaint.save(update_fields=["kind"])
        Deadline.objects.filter(
            subject_type=subject(complaint).type,
            subject_id=complaint.pk,
            name__in=PROBLEM_CLOCKS,
            met_at__isnull=True,
            cancelled_at__isnull=True,
        ).update(cancelled_at=now)
        deadlines.start_kind_clocks(complaint, now)
        record(
            complaint,
            Event.RECLASSIFIED,
            reason.strip(),
            actor=actor,
            data={"from": Kind.PROBLEM, "to": Kind.MALICIOUS},
            audit_action="complaint.turn_malicious",
        )
    return complaint


def report_to_leader(
    *, actor: Person, complaint: Complaint, reported_at: datetime | None, note: str = ""
) -> Complaint:
    """恶意投诉: the result and the response plan reported to the general manager, 2 working days at most
    after the final opinion (the proposal)."""
    require_handler(actor, complaint)
    with transaction.atomic():
        complaint = locked(complaint)
        if complaint.kind != Kind.MALICIOUS:
            raise InvalidTransition(
                _("Only a malicious complaint's result is reported to the general manager.")
            )
        if complaint.reported_to_leader_at is not None:
            raise InvalidTransition(
                _("The result was reported already (%(at)s).")
                % {"at": local_text(complaint.reported_to_leader_at)}
            )
        proposal = complaint.events.filter(event=Event.PROPOSED).order_by("-at", "-pk").first()
        if proposal is None:
            raise InvalidTransition(_("Submit the final opinion (the proposal) first."))
        reported_at = _when(
            reported_at,
            "reported_at",
            not_before=proposal.at,
            before_text=_("The report cannot come before the final opinion."),
        )
        complaint.reported_to_leader_at = reported_at
        complaint.save(update_fields=["reported_to_leader_at"])
        deadline_clocks.meet(subject(complaint), [deadlines.GM_REPORT[0]], at=reported_at)
        record(
            complaint,
            Event.REPORTED,
            note.strip() or _("The result and the response plan were reported to the general manager."),
            actor=actor,
            at=reported_at,
            data={"reported_at": reported_at.isoformat()},
            audit_action="complaint.report_to_leader",
        )
    return complaint
