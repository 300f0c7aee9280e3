"""Who is told about a complaint, through notify's channels: the receiving unit of a work order, the
reviewers of a submitted proposal and the handler of one sent back, the owner at each reminder (催办),
and when it is overdue the unit's head, then the unit above."""

from django.db.models import Q
from django.utils.translation import gettext as _

from yingji.core import clock
from yingji.core.due import due_text
from yingji.notify import services as notify
from yingji.notify.recipients import Recipient, next_up, recipients_on
from yingji.orgs.models import Person, Unit

from . import permissions
from .models import Complaint, Event, WorkOrder
from .services.common import SUBJECT_TYPE, record

OVERDUE_ACK_MINUTES = 60


def _subject(complaint: Complaint, title: str, body: str) -> notify.Subject:
    return notify.Subject(
        SUBJECT_TYPE, complaint.pk, complaint.handling_unit, title, body, complaint.get_absolute_url()
    )


def tell_work_order(order: WorkOrder) -> None:
    complaint = order.complaint
    if order.assignee is not None:
        told = [Recipient(order.assignee, order.to_unit, _("Handler of the work order"))]
    else:
        told = recipients_on([order.to_unit], positions=[], on_date=clock.local_today())
    notify.notify(
        subject=_subject(
            complaint,
            _("Work order: complaint %(number)s") % {"number": complaint.number},
            _("Decision due %(due)s. %(instructions)s")
            % {"due": due_text(complaint.decision_due_at), "instructions": order.instructions},
        ),
        recipients=told,
        ack_minutes=None,
        round_key=f"wo-{order.pk}",
    )


def reviewers(complaint: Complaint, *, proposer: Person) -> list[Recipient]:
    """Who may review the proposal, nearest first: the leaders and consumer-protection staff of the
    complaint's unit (and its own departments); if it has none, of the unit above, and so on. Never the
    proposer (four eyes) nor the person complained about (回避)."""
    unit: Unit | None = complaint.unit.acting_unit
    while unit is not None:
        members = (
            Person.objects.filter(user__is_active=True)
            .filter(
                Q(unit=unit)
                | Q(unit__path__startswith=unit.path, unit__type="department", unit__depth=unit.depth + 1)
            )
            .exclude(pk=proposer.pk)
            .select_related("user", "unit")
            .prefetch_related("positions")
            .order_by("pk")
        )
        found = [
            Recipient(p, complaint.unit, _("Reviewer of the proposal"))
            for p in members
            if permissions.can_review(p, complaint)
        ]
        if found:
            return found
        unit = unit.parent_unit
    return []


def tell_proposal_submitted(complaint: Complaint, *, proposer: Person) -> None:
    """Inside the submitting transaction: the reviewers hear that a proposal waits for them."""
    proposal = complaint.events.filter(event=Event.PROPOSED).order_by("-at", "-pk").first()
    notify.notify(
        subject=_subject(
            complaint,
            _("Proposal to review: complaint %(number)s") % {"number": complaint.number},
            _("%(name)s proposes: %(proposal)s Decision due %(due)s.")
            % {
                "name": proposer.name,
                "proposal": proposal.text[:300] if proposal else "",
                "due": due_text(complaint.decision_due_at),
            },
        ),
        recipients=reviewers(complaint, proposer=proposer),
        ack_minutes=None,
        round_key=f"proposal-{proposal.pk if proposal else complaint.pk}",
    )


def tell_proposal_returned(complaint: Complaint, *, reviewer: Person, reason: str) -> None:
    """Inside the returning transaction: the handler hears what must change."""
    proposal = complaint.events.filter(event=Event.PROPOSED).order_by("-at", "-pk").first()
    handler = proposal.actor if proposal and proposal.actor else complaint.owner
    returned = complaint.events.filter(event=Event.RETURNED).order_by("-at", "-pk").first()
    notify.notify(
        subject=_subject(
            complaint,
            _("Proposal sent back: complaint %(number)s") % {"number": complaint.number},
            _("%(name)s sent the proposal back: %(reason)s Decision due %(due)s.")
            % {"name": reviewer.name, "reason": reason, "due": due_text(complaint.decision_due_at)},
        ),
        recipients=[Recipient(handler, complaint.handling_unit, _("Handler"))],
        ack_minutes=None,
        round_key=f"returned-{returned.pk if returned else complaint.pk}",
    )


def on_deadline_checkpoint(deadline, checkpoint: str) -> None:
    """Runs inside the firing transaction, once per checkpoint."""
    complaint = (
        Complaint.objects.select_related("handling_unit", "owner__user", "owner__unit")
        .filter(pk=deadline.subject_id)
        .first()
    )
    if complaint is None:
        return
    due = due_text(deadline.due_at)
    round_key = f"dl-{deadline.pk}-{checkpoint}-{int(deadline.due_at.timestamp())}"
    owner = deadline.owner or complaint.owner
    if checkpoint.startswith("r"):
        title = _("Reminder: %(what)s for complaint %(number)s is due %(due)s") % {
            "what": deadline.label,
            "number": complaint.number,
            "due": due,
        }
        told = [Recipient(owner, complaint.handling_unit, _("Handler"))] if owner else []
        ack = None
        event_text = _("Reminder (%(pct)s%% of the time used): %(what)s, due %(due)s.") % {
            "pct": checkpoint[1:],
            "what": deadline.label,
            "due": due,
        }
    elif checkpoint == "due":
        title = _("Overdue: %(what)s for complaint %(number)s was due %(due)s") % {
            "what": deadline.label,
            "number": complaint.number,
            "due": due,
        }
        told = recipients_on([deadline.unit], positions=[], on_date=clock.local_today())
        if owner and all(r.person.pk != owner.pk for r in told):
            told.insert(0, Recipient(owner, complaint.handling_unit, _("Handler")))
        ack = OVERDUE_ACK_MINUTES
        event_text = _("Overdue: %(what)s was due %(due)s; told %(who)s.") % {
            "what": deadline.label,
            "due": due,
            "who": "、".join(r.person.name for r in told) or _("nobody"),
        }
    else:  # "up": a day late, the unit above hears of it
        title = _("Still overdue: %(what)s for complaint %(number)s (due %(due)s)") % {
            "what": deadline.label,
            "number": complaint.number,
            "due": due,
        }
        told = next_up(deadline.unit, on_date=clock.local_today())
        ack = OVERDUE_ACK_MINUTES
        event_text = _("Still overdue a day later: escalated to %(who)s.") % {
            "who": "、".join(r.person.name for r in told) or _("nobody above")
        }
    notify.notify(
        subject=_subject(complaint, title, complaint.content[:300]),
        recipients=told,
        ack_minutes=ack,
        round_key=round_key,
    )
    record(
        complaint,
        Event.REMINDED if checkpoint.startswith("r") else Event.OVERDUE,
        event_text,
        actor=None,
        data={"deadline": deadline.name, "checkpoint": checkpoint},
    )
