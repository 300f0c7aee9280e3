"""What every complaint service shares: the lock, the record, the audit entry, the deadline subject."""

from datetime import datetime

from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.core import clock
from yingji.core.errors import NotAllowed, NotVisible
from yingji.core.transitions import transition
from yingji.deadlines.services import Subject
from yingji.orgs.models import Person

from .. import permissions
from ..models import TRANSITIONS, Complaint, ComplaintEvent

SUBJECT_TYPE = "complaints.complaint"


def subject(complaint: Complaint) -> Subject:
    return Subject(SUBJECT_TYPE, complaint.pk)


def record(
    complaint: Complaint,
    event: str,
    text: str = "",
    *,
    actor: Person | None,
    data: dict | None = None,
    at: datetime | None = None,
    audit_action: str | None = None,
) -> ComplaintEvent:
    """The complaint's own record and, for a person's action, the audit chain, in one go."""
    entry = ComplaintEvent.objects.create(
        complaint=complaint, at=at or clock.now(), event=event, actor=actor, text=text, data=data or {}
    )
    if audit_action:
        audit.record(
            actor=actor.user if actor else None,
            action=audit_action,
            obj=complaint,
            data={"number": complaint.number, **(data or {})},
        )
    return entry


def move(complaint: Complaint, target: str, *, expect=None) -> str:
    return transition(complaint, target, table=TRANSITIONS, expect=expect)


def locked(complaint: Complaint) -> Complaint:
    """The row again under its lock, so two people acting at once are serialised."""
    return Complaint.objects.select_for_update().get(pk=complaint.pk)


def require_visible(person: Person, complaint: Complaint) -> None:
    seen = permissions.sees(person, complaint.unit) or permissions.sees(person, complaint.handling_unit)
    if not seen and not permissions.is_handler(person, complaint):
        raise NotVisible()


def require_handler(person: Person, complaint: Complaint) -> None:
    require_visible(person, complaint)
    if not permissions.can_handle(person, complaint):
        raise NotAllowed(_("Only the complaint's handlers may do this."))


def require_reviewer(person: Person, complaint: Complaint) -> None:
    require_visible(person, complaint)
    if not permissions.can_review(person, complaint):
        raise NotAllowed(
            _("Only a leader or consumer-protection officer who is not complained about may review this.")
        )


def local_text(at: datetime) -> str:
    return at.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M")
