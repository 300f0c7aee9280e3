"""The work on a complaint: work orders to the responsible unit, proposal, review (approve or send
back), the decision to the customer, callback, archive, and the review a customer may ask for."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from yingji.core import clock
from yingji.core.due import due_text
from yingji.core.errors import InvalidInput, InvalidTransition, NotAllowed
from yingji.deadlines import services as deadline_clocks
from yingji.deadlines.models import Deadline
from yingji.orgs.models import Person, Unit

from .. import permissions
from ..models import (
    Callback,
    Complaint,
    Decision,
    Event,
    Kind,
    Status,
    WorkOrder,
)
from . import deadlines
from .common import (
    local_text,
    locked,
    move,
    record,
    require_handler,
    require_reviewer,
    require_visible,
    subject,
)

DELIVERY_WAYS = {
    "phone": "电话",
    "sms": "短信",
    "letter": "书面",
    "in_person": "当面",
    "email": "电子邮件",
}


def start_handling(*, actor: Person, complaint: Complaint) -> Complaint:
    """The first receiver handles it in person: no work order needed."""
    require_handler(actor, complaint)
    with transaction.atomic():
        complaint = locked(complaint)
        move(complaint, Status.HANDLING, expect={Status.REGISTERED})
        record(
            complaint,
            Event.ACCEPTED,
            _("%(name)s handles it.") % {"name": actor.name},
            actor=actor,
            audit_action="complaint.start_handling",
        )
    return complaint


def issue_work_order(
    *,
    actor: Person,
    complaint: Complaint,
    to_unit: Unit,
    assignee: Person | None = None,
    instructions: str = "",
) -> WorkOrder:
    """对口处理: hand the complaint to the department or outlet responsible for it."""
    require_handler(actor, complaint)
    if not to_unit.is_active:
        raise InvalidInput(_("That unit is closed."), fields={"to_unit": _("That unit is closed.")})
    if assignee is not None:
        if assignee.pk == complaint.staff_complained_id:
            raise InvalidInput(
                _("The person complained about cannot handle the complaint (回避)."),
                fields={"assignee": _("This is the person complained about.")},
            )
        if not permissions.member_of(assignee, to_unit) or not assignee.is_active:
            raise InvalidInput(
                _("The handler must work in the receiving unit."), fields={"assignee": _("Not in that unit.")}
            )
    with transaction.atomic():
        complaint = locked(complaint)
        move(complaint, Status.ASSIGNED)
        order = WorkOrder.objects.create(
            complaint=complaint,
            to_unit=to_unit,
            assignee=assignee,
            issued_by=actor,
            issued_at=clock.now(),
            instructions=instructions.strip(),
        )
        # Earlier orders still open are superseded by this one.
        WorkOrder.objects.filter(
            complaint=complaint, state__in=[WorkOrder.State.ISSUED, WorkOrder.State.ACCEPTED]
        ).exclude(pk=order.pk).update(state=WorkOrder.State.CLOSED)
        deadline_clocks.meet(subject(complaint), deadlines.MET_BY_WORK_ORDER)
        record(
            complaint,
            Event.ASSIGNED,
            _("Work order to %(unit)s%(who)s. %(instructions)s")
            % {
                "unit": to_unit.name,
                "who": f"（{assignee.name}）" if assignee else "",
                "instructions": instructions.strip(),
            },
            actor=actor,
            data={
                "work_order": order.pk,
                "to_unit": to_unit.code,
                "assignee": assignee.pk if assignee else None,
            },
            audit_action="complaint.work_order",
        )
        from ..notices import tell_work_order

        tell_work_order(order)
    return order


def accept_work_order(*, actor: Person, order: WorkOrder) -> WorkOrder:
    """The receiving unit takes it: from now on it answers for the complaint (首问负责 handed over)."""
    complaint = order.complaint
    if not permissions.can_accept(actor, order):
        require_visible(actor, complaint)
        raise NotAllowed(_("Only the named handler or the receiving unit's head accepts a work order."))
    if actor.pk == complaint.staff_complained_id:
        raise NotAllowed(_("The person complained about cannot handle the complaint (回避)."))
    with transaction.atomic():
        complaint = locked(complaint)
        order = WorkOrder.objects.select_for_update().get(pk=order.pk)
        if order.state != WorkOrder.State.ISSUED:
            raise InvalidTransition(_("This work order is no longer waiting to be accepted."))
        move(complaint, Status.HANDLING, expect={Status.ASSIGNED})
        previous = complaint.owner
        order.state = WorkOrder.State.ACCEPTED
        order.accepted_by = actor
        order.accepted_at = clock.now()
        order.assignee = order.assignee or actor
        order.save(update_fields=["state", "accepted_by", "accepted_at", "assignee"])
        complaint.owner = order.assignee
        complaint.handling_unit = order.to_unit
        complaint.save(update_fields=["owner", "handling_unit"])
        Deadline.objects.filter(
            subject_type=subject(complaint).type, subject_id=complaint.pk, met_at__isnull=True
        ).update(owner=complaint.owner, unit=complaint.handling_unit)
        record(
            complaint,
            Event.ACCEPTED,
            _("%(unit)s accepted; responsibility passed from %(from)s to %(to)s.")
            % {"unit": order.to_unit.name, "from": previous.name, "to": complaint.owner.name},
            actor=actor,
            data={"work_order": order.pk, "from": previous.pk, "to": complaint.owner_id},
            audit_action="complaint.accept",
        )
    return order


def submit_proposal(*, actor: Person, complaint: Complaint, findings: str, proposal: str) -> Complaint:
    """The handler's investigation and proposed decision, for review."""
    require_handler(actor, complaint)
    if not permissions.is_handler(actor, complaint):
        raise NotAllowed(_("The handler in charge submits the proposal."))
    errors = {}
    if not findings.strip():
        errors["findings"] = _("Write down what the investigation found.")
    if not proposal.strip():
        errors["proposal"] = _("Write down the proposed decision.")
    if errors:
        raise InvalidInput(_("The proposal is not complete."), fields=errors)
    with transaction.atomic():
        complaint = locked(complaint)
        move(complaint, Status.PENDING_REVIEW, expect={Status.HANDLING, Status.RETURNED})
        order = complaint.work_orders.filter(state=WorkOrder.State.ACCEPTED).order_by("-issued_at").first()
        if order is not None:
            order.findings, order.proposal = findings.strip(), proposal.strip()
            order.proposed_at = clock.now()
            order.state = WorkOrder.State.PROPOSED
            order.save(update_fields=["findings", "proposal", "proposed_at", "state"])
        deadline_clocks.meet(subject(complaint), deadlines.MET_BY_PROPOSAL)
        # The report (建议型) or the final opinion (恶意) starts the next step's 2 working days.
        now = clock.now()
        if complaint.kind == Kind.SUGGESTION:
            deadlines.start_step(complaint, deadlines.ADMIN_REVIEW, now, "admin_review")
        elif complaint.kind == Kind.MALICIOUS and complaint.reported_to_leader_at is None:
            deadlines.start_step(complaint, deadlines.GM_REPORT, now, "gm_report")
        record(
            complaint,
            Event.PROPOSED,
            proposal.strip(),
            actor=actor,
            data={"findings": findings.strip(), "proposal": proposal.strip()},
            audit_action="complaint.propose",
        )
        from ..notices import tell_proposal_submitted

        tell_proposal_submitted(complaint, proposer=actor)
    return complaint


def last_proposal(complaint: Complaint):
    return complaint.events.filter(event=Event.PROPOSED).order_by("-at", "-pk").first()


def _four_eyes(reviewer: Person, complaint: Complaint) -> None:
    proposal = last_proposal(complaint)
    if proposal is not None and proposal.actor_id == reviewer.pk:
        raise NotAllowed(_("Someone other than the proposer reviews the proposal."))


def return_proposal(*, reviewer: Person, complaint: Complaint, reason: str) -> Complaint:
    """退回: the reviewer sends the proposal back with what must change."""
    require_reviewer(reviewer, complaint)
    _four_eyes(reviewer, complaint)
    if not reason.strip():
        raise InvalidInput(_("Say what must change."), fields={"reason": _("Say what must change.")})
    with transaction.atomic():
        complaint = locked(complaint)
        move(complaint, Status.RETURNED, expect={Status.PENDING_REVIEW, Status.APPROVED})
        order = complaint.work_orders.filter(state=WorkOrder.State.PROPOSED).order_by("-issued_at").first()
        if order is not None:
            order.state = WorkOrder.State.ACCEPTED
            order.save(update_fields=["state"])
        deadline_clocks.meet(subject(complaint), [deadlines.EXECUTE, *deadlines.MET_BY_REVIEW])
        record(complaint, Event.RETURNED, reason.strip(), actor=reviewer, audit_action="complaint.return")
        from ..notices import tell_proposal_returned

        tell_proposal_returned(complaint, reviewer=reviewer, reason=reason.strip())
    return complaint


def approve_proposal(*, reviewer: Person, complaint: Complaint, note: str = "") -> Complaint:
    require_reviewer(reviewer, complaint)
    _four_eyes(reviewer, complaint)
    with transaction.atomic():
        complaint = locked(complaint)
        move(complaint, Status.APPROVED, expect={Status.PENDING_REVIEW})
        deadline_clocks.meet(subject(complaint), deadlines.MET_BY_REVIEW)
        # Only a problem complaint has a time to carry the approved solution out (总经理审批后2个工作日内).
        if complaint.kind == Kind.PROBLEM:
            deadlines.start_execute(complaint, clock.now())
        record(
            complaint,
            Event.APPROVED,
            note.strip() or _("Approved by %(name)s.") % {"name": reviewer.name},
            actor=reviewer,
            audit_action="complaint.approve",
        )
    return complaint


def record_decision(
    *,
    actor: Person,
    complaint: Complaint,
    findings: str,
    basis: str,
    remedy: str,
    delivered_how: str,
    delivered_at: datetime | None,
) -> Decision:
    """The decision notice to the customer: findings, basis, remedy, and how and when it reached them.
    A phone call counts as delivered when it was placed within the deadline."""
    require_handler(actor, complaint)
    errors = {}
    if not findings.strip():
        errors["findings"] = _("Write down the findings.")
    if not basis.strip():
        errors["basis"] = _("Write down the basis (rules, contract).")
    if delivered_how not in DELIVERY_WAYS:
        errors["delivered_how"] = _("Choose how the customer was told.")
    if delivered_at is None:
        errors["delivered_at"] = _("Say when the customer was told.")
    elif delivered_at > clock.now():
        errors["delivered_at"] = _("The time is in the future.")
    if errors:
        raise InvalidInput(_("The decision is not complete."), fields=errors)
    with transaction.atomic():
        complaint = locked(complaint)
        is_review = complaint.status == Status.REVIEWING
        if is_review and not permissions.is_superior_of(actor, complaint.unit):
            raise NotAllowed(_("A review is decided by the superior institution."))
        if delivered_at < complaint.received_at:
            raise InvalidInput(
                _("The decision cannot reach the customer before the complaint."),
                fields={"delivered_at": _("Before the complaint was received.")},
            )
        move(complaint, Status.REPLIED, expect={Status.APPROVED, Status.REVIEWING})
        due = complaint.review_due_at if is_review else complaint.decision_due_at
        approval = complaint.events.filter(event=Event.APPROVED).order_by("-at", "-pk").first()
        decision = Decision.objects.create(
            complaint=complaint,
            is_review=is_review,
            findings=findings.strip(),
            basis=basis.strip(),
            remedy=remedy.strip(),
            delivered_how=delivered_how,
            delivered_at=delivered_at,
            decided_by=actor,
            approved_by=approval.actor if approval and not is_review else (actor if is_review else None),
            on_time=due is None or delivered_at <= due,
        )
        if not is_review:
            complaint.replied_at = delivered_at
            complaint.save(update_fields=["replied_at"])
        if is_review:
            deadline_clocks.stop_all(subject(complaint))
        else:
            deadline_clocks.meet(
                subject(complaint), [d.name for d in deadline_clocks.running(subject(complaint))]
            )
        record(
            complaint,
            Event.REPLIED,
            _("%(what)s delivered by %(how)s at %(at)s%(late)s.")
            % {
                "what": _("The review decision") if is_review else _("The decision"),
                "how": DELIVERY_WAYS[delivered_how],
                "at": local_text(delivered_at),
                "late": "" if decision.on_time else _(" — after the deadline"),
            },
            actor=actor,
            data={"decision": decision.pk, "on_time": decision.on_time, "review": is_review},
            audit_action="complaint.decide",
        )
    return decision


def record_callback(
    *, actor: Person, complaint: Complaint, satisfaction: str, note: str = "", reopen: bool = False
) -> Callback:
    """回访. 不满意 may reopen the complaint for more handling."""
    require_handler(actor, complaint)
    if satisfaction not in Callback.Satisfaction.values:
        raise InvalidInput(
            _("Choose how satisfied the customer is."), fields={"satisfaction": _("Choose one.")}
        )
    if reopen and satisfaction != Callback.Satisfaction.UNSATISFIED:
        raise InvalidInput(_("Only an unsatisfied customer's complaint is reopened."))
    with transaction.atomic():
        complaint = locked(complaint)
        move(complaint, Status.CALLED_BACK, expect={Status.REPLIED})
        now = clock.now()
        callback = Callback.objects.create(
            complaint=complaint, satisfaction=satisfaction, note=note.strip(), called_at=now, called_by=actor
        )
        complaint.satisfaction = satisfaction
        complaint.save(update_fields=["satisfaction"])
        record(
            complaint,
            Event.CALLED_BACK,
            f"{Callback.Satisfaction(satisfaction).label} {note.strip()}".strip(),
            actor=actor,
            data={"satisfaction": satisfaction},
            audit_action="complaint.callback",
        )
        if reopen:
            move(complaint, Status.HANDLING, expect={Status.CALLED_BACK})
            days = settings.YINGJI_COMPLAINT_REOPEN_WORKING_DAYS
            deadlines.start_internal(
                complaint,
                deadlines.REOPENED,
                _("Handle the unsatisfied customer again (%(days)s working days)") % {"days": days},
                "working_days",
                days,
                now,
                _("The bank's own setting (本行设定): %(days)s working days to handle it again.")
                % {"days": days},
            )
            record(
                complaint,
                Event.REOPENED,
                _("Reopened: the customer is not satisfied."),
                actor=actor,
                audit_action="complaint.reopen",
            )
    return callback


def archive(*, actor: Person, complaint: Complaint) -> Complaint:
    require_handler(actor, complaint)
    with transaction.atomic():
        complaint = locked(complaint)
        move(complaint, Status.ARCHIVED, expect={Status.REPLIED, Status.CALLED_BACK})
        complaint.closed_at = clock.now()
        complaint.save(update_fields=["closed_at"])
        deadline_clocks.stop_all(subject(complaint))
        record(complaint, Event.ARCHIVED, "", actor=actor, audit_action="complaint.archive")
    return complaint


def request_review(
    *, actor: Person, complaint: Complaint, requested_at: datetime | None = None, note: str = ""
) -> Complaint:
    """The customer asks the superior institution to review the decision: within 30 days of it; the
    review is decided within 30 days."""
    require_visible(actor, complaint)
    requested_at = requested_at or clock.now()
    if requested_at > clock.now():
        raise InvalidInput(
            _("The time is in the future."), fields={"requested_at": _("The time is in the future.")}
        )
    with transaction.atomic():
        complaint = locked(complaint)
        if complaint.replied_at is None:
            raise InvalidTransition(_("There is no decision to review yet."))
        window = deadlines.review_window_end(complaint.replied_at)
        if requested_at >= window.at:
            raise InvalidInput(
                _("A review must be asked for within 30 days of the decision (by %(at)s).")
                % {"at": due_text(window.at)},
                fields={"requested_at": _("Too late for a review.")},
            )
        if requested_at < complaint.replied_at:
            raise InvalidInput(_("A review cannot be asked for before the decision."))
        move(complaint, Status.REVIEWING)
        due = deadlines.review_due(requested_at)
        complaint.review_due_at = due.at
        complaint.closed_at = None
        complaint.save(update_fields=["review_due_at", "closed_at"])
        parent = complaint.unit.acting_unit.parent_unit or complaint.unit
        deadline_clocks.start(
            subject=subject(complaint),
            name=deadlines.REVIEW,
            label=str(_("Review decision (30 days)")),
            unit=parent,
            owner=None,
            started_at=requested_at,
            due_at=due.at,
            source=due.rule,
        )
        record(
            complaint,
            Event.REVIEW,
            note.strip() or _("The customer asked the superior institution for a review."),
            actor=actor,
            at=requested_at,
            data={"review_due_at": due.at.isoformat()},
            audit_action="complaint.request_review",
        )
    return complaint


def reveal_personal_data(*, viewer: Person, complaint: Complaint) -> dict[str, str]:
    """The unmasked phone and ID number, for the handlers and consumer-protection staff; each look is
    in the audit log."""
    require_visible(viewer, complaint)
    if not permissions.sees_personal_data(viewer, complaint):
        raise NotAllowed(
            _("Only the handlers and consumer-protection staff see the customer's phone and ID.")
        )
    from yingji.audit import services as audit

    with transaction.atomic():
        audit.record(
            actor=viewer.user,
            action="complaint.view_personal_data",
            obj=complaint,
            data={"number": complaint.number},
        )
    return {"customer_phone": complaint.customer_phone, "customer_id_number": complaint.customer_id_number}
