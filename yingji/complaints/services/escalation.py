"""A complaint escalated by hand to a reputation incident when it spreads (seed 002: one customer, a
poster at the door, WeChat posts), whatever the number of complainants: the 20-person rule
(intake.open_major_incident) is not the only way a complaint becomes an incident."""

from django.db import transaction
from django.utils.translation import gettext as _

from yingji.core import clock
from yingji.core.errors import InvalidInput, InvalidTransition, NotAllowed
from yingji.orgs.models import Person
from yingji.plans.models import EventKind

from .. import permissions
from ..models import Complaint, Event, Status
from .common import locked, record, require_visible

REPUTATION = "reputation"


def reputation_kinds():
    """The kinds an escalated complaint may be reported as: the catalogue's reputation group
    (重大投诉（社会声誉）, 重大失实信息传播, 媒体采访, 自媒体拍照…)."""
    return EventKind.objects.filter(group=REPUTATION).order_by("sort_order", "code")


def escalate_to_incident(
    *, actor: Person, complaint: Complaint, kind: EventKind | None, spread: str, media_exposure: bool = False
) -> Complaint:
    """Report a reputation incident for the complaint's unit, linked both ways (the complaint names the
    incident, the incident lists the complaint and says its number), in one transaction with the
    complaint's record: a refused or failed report leaves the complaint as it was."""
    from yingji.incidents.services import report_incident

    require_visible(actor, complaint)
    if not permissions.can_escalate(actor, complaint):
        raise NotAllowed(
            _("A leader, a consumer-protection officer or an emergency administrator escalates a complaint.")
        )
    errors = {}
    if kind is None or kind.group != REPUTATION:
        errors["kind"] = _("Choose a reputation event kind.")
    if not spread.strip():
        errors["spread"] = _("Say how the complaint is spreading (a poster, WeChat posts, the media).")
    if errors:
        raise InvalidInput(_("The escalation is not complete."), fields=errors)
    with transaction.atomic():
        complaint = locked(complaint)
        if complaint.incident_id is not None:
            raise InvalidTransition(
                _("The complaint is already linked to incident %(number)s.")
                % {"number": complaint.incident.number}
            )
        if complaint.status == Status.WITHDRAWN or complaint.merged_into_id is not None:
            raise InvalidTransition(_("A withdrawn or merged complaint is not escalated."))
        incident = report_incident(
            reporter=actor,
            kind=kind,
            unit=complaint.unit,
            occurred_at=clock.now(),
            description=_("Complaint %(number)s is spreading: %(spread)s Complaint: %(content)s")
            % {"number": complaint.number, "spread": spread.strip(), "content": complaint.content[:500]},
            facts={"media_exposure": True} if media_exposure else {},
            content={
                "people_involved": str(complaint.joint_count),
                "customer_reaction": (complaint.request or spread.strip())[:2000],
            },
            idempotency_key=f"complaint-escalation:{complaint.number}",
        )
        complaint.incident = incident
        complaint.is_major = True
        complaint.save(update_fields=["incident", "is_major"])
        record(
            complaint,
            Event.ESCALATED,
            _("Escalated to incident %(number)s (%(kind)s): %(spread)s")
            % {"number": incident.number, "kind": kind.name, "spread": spread.strip()},
            actor=actor,
            data={"incident": incident.number, "kind": kind.code, "media_exposure": media_exposure},
            audit_action="complaint.escalate",
        )
    return complaint
