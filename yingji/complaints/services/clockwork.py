"""Pausing, resuming and extending the decision clock, and withdrawal, which ends it."""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from yingji.core import clock
from yingji.core.due import due_text
from yingji.core.errors import InvalidInput, NotAllowed
from yingji.deadlines import services as deadline_clocks
from yingji.orgs.models import Person

from .. import permissions
from ..models import OPEN_STATUSES, Complaint, Event, Extension, Pause, Status
from . import deadlines
from .common import locked, move, record, require_handler, require_visible, subject


def pause_clock(*, actor: Person, complaint: Complaint, reason: str, note: str = "") -> Complaint:
    """Outside appraisal, testing, assessment or mediation: the time does not count."""
    require_handler(actor, complaint)
    if reason not in Pause.Reason.values:
        raise InvalidInput(_("Say why the clock stops."), fields={"reason": _("Choose a reason.")})
    with transaction.atomic():
        complaint = locked(complaint)
        now = clock.now()
        move(complaint, Status.PAUSED)
        complaint.paused_at = now
        complaint.save(update_fields=["paused_at"])
        Pause.objects.create(
            complaint=complaint, reason=reason, note=note.strip(), started_at=now, started_by=actor
        )
        deadline_clocks.pause(subject(complaint), at=now)
        record(
            complaint,
            Event.PAUSED,
            f"{Pause.Reason(reason).label} {note}".strip(),
            actor=actor,
            data={"reason": reason},
            audit_action="complaint.pause",
        )
    return complaint


def resume_clock(*, actor: Person, complaint: Complaint) -> Complaint:
    require_handler(actor, complaint)
    with transaction.atomic():
        complaint = locked(complaint)
        now = clock.now()
        move(complaint, Status.HANDLING, expect={Status.PAUSED})
        pause = (
            Pause.objects.filter(complaint=complaint, ended_at__isnull=True).order_by("-started_at").first()
        )
        if pause is not None:
            pause.ended_at = now
            pause.save(update_fields=["ended_at"])
        complaint.paused_at = None
        complaint.decision_due_at, complaint.decision_rule = deadlines.decision_due(complaint)
        complaint.save(update_fields=["paused_at", "decision_due_at", "decision_rule"])
        deadline_clocks.resume(subject(complaint), at=now)
        stood = (now - pause.started_at) if pause else None
        record(
            complaint,
            Event.RESUMED,
            _("The clock ran again after %(h).1f hours; decision now due %(due)s.")
            % {
                "h": stood.total_seconds() / 3600 if stood else 0,
                "due": due_text(complaint.decision_due_at),
            },
            actor=actor,
            data={"decision_due_at": complaint.decision_due_at.isoformat()},
            audit_action="complaint.resume",
        )
    return complaint


def extend_deadline(
    *,
    approver: Person,
    complaint: Complaint,
    reason: str,
    customer_told_at: datetime | None,
    customer_told_how: str,
) -> Complaint:
    """15 → 30 days for a complex complaint; 30 → 60 for an especially complex one, which needs the
    approval of a superior institution's leader. Either way the customer must have been told."""
    require_visible(approver, complaint)
    errors = {}
    if not reason.strip():
        errors["reason"] = _("Say why the complaint needs more time.")
    if customer_told_at is None:
        errors["customer_told_at"] = _("The customer must be told of the extension.")
    elif customer_told_at > clock.now():
        errors["customer_told_at"] = _("The time is in the future.")
    if not customer_told_how.strip():
        errors["customer_told_how"] = _("Say how the customer was told.")
    if errors:
        raise InvalidInput(_("The extension is not complete."), fields=errors)
    with transaction.atomic():
        complaint = locked(complaint)
        if complaint.status not in OPEN_STATUSES:
            raise InvalidInput(_("Only a complaint still awaiting its decision can be extended."))
        try:
            to_days = deadlines.PERIODS[deadlines.PERIODS.index(complaint.period_days) + 1]
        except (ValueError, IndexError):
            raise InvalidInput(_("The deadline is already at its longest (60 days).")) from None
        if to_days == deadlines.PERIODS[-1]:
            if not permissions.is_superior_of(approver, complaint.unit):
                raise NotAllowed(
                    _("A second extension needs the approval of a leader of a superior institution.")
                )
        elif not permissions.can_review(approver, complaint):
            raise NotAllowed(_("An extension is approved by a leader or consumer-protection officer."))
        if customer_told_at > complaint.decision_due_at:
            raise InvalidInput(
                _("The customer must be told before the current deadline."),
                fields={"customer_told_at": _("After the current deadline.")},
            )
        complaint.period_days = to_days
        complaint.decision_due_at, complaint.decision_rule = deadlines.decision_due(complaint)
        complaint.save(update_fields=["period_days", "decision_due_at", "decision_rule"])
        Extension.objects.create(
            complaint=complaint,
            to_days=to_days,
            reason=reason.strip(),
            approved_by=approver,
            approved_at=clock.now(),
            customer_told_at=customer_told_at,
            customer_told_how=customer_told_how.strip()[:100],
            new_due_at=complaint.decision_due_at,
        )
        deadline_clocks.move(
            subject(complaint),
            deadlines.DECISION,
            due_at=complaint.decision_due_at,
            source=complaint.decision_rule,
        )
        record(
            complaint,
            Event.EXTENDED,
            _("Extended to %(days)s days by %(name)s: %(reason)s")
            % {"days": to_days, "name": approver.name, "reason": reason.strip()},
            actor=approver,
            data={"to_days": to_days, "decision_due_at": complaint.decision_due_at.isoformat()},
            audit_action="complaint.extend",
        )
    return complaint


def withdraw(
    *, actor: Person, complaint: Complaint, withdrawn_at: datetime | None = None, note: str = ""
) -> Complaint:
    """The customer withdraws: the procedure ends the day the withdrawal arrives."""
    require_handler(actor, complaint)
    at = withdrawn_at or clock.now()
    if at > clock.now():
        raise InvalidInput(
            _("The time is in the future."), fields={"withdrawn_at": _("The time is in the future.")}
        )
    with transaction.atomic():
        complaint = locked(complaint)
        if at < complaint.received_at:
            raise InvalidInput(
                _("A withdrawal cannot come before the complaint."),
                fields={"withdrawn_at": _("Before the complaint was received.")},
            )
        move(complaint, Status.WITHDRAWN)
        complaint.closed_at = at
        complaint.paused_at = None
        complaint.save(update_fields=["closed_at", "paused_at"])
        Pause.objects.filter(complaint=complaint, ended_at__isnull=True).update(ended_at=at)
        deadline_clocks.stop_all(subject(complaint), at=at)
        record(
            complaint,
            Event.WITHDRAWN,
            note.strip() or _("The customer withdrew the complaint."),
            actor=actor,
            at=at,
            data={"withdrawn_at": at.isoformat()},
            audit_action="complaint.withdraw",
        )
    return complaint
