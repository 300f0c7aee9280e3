"""The state machine of an incident, termination with approval, cancellation, and the investigation."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.core import clock
from yingji.core.errors import InvalidInput, InvalidTransition, NotAllowed, NotVisible
from yingji.core.transitions import transition
from yingji.notify import services as notify
from yingji.notify.recipients import Recipient
from yingji.orgs import visibility
from yingji.orgs.models import Person

from .. import alerts, approvals, timeline
from ..models import (
    Incident,
    Investigation,
    Status,
    TerminationApproval,
    TerminationRequest,
    TimelineEvent,
)
from ..permissions import can_decide

S = Status
TRANSITIONS = {
    S.REPORTED: {S.ACTIVATED, S.CANCELLED},
    S.ACTIVATED: {S.RESPONDING, S.CANCELLED},
    S.RESPONDING: {S.TERMINATION_REQUESTED, S.CANCELLED},
    S.TERMINATION_REQUESTED: {S.TERMINATED, S.RESPONDING},
    S.TERMINATED: {S.INVESTIGATING, S.RESPONDING},  # RESPONDING: reopened during the watch period
    S.INVESTIGATING: {S.CLOSED},
    S.CLOSED: set(),
    S.CANCELLED: set(),
}
# 严防反复: after termination the same kind at the same unit reopens the case, for the bank's own
# length of watch (settings.YINGJI_WATCH_HOURS, see watch_period()).


def _visible(actor: Person, incident: Incident) -> None:
    if not visibility.can_see_unit(actor.user, incident.unit):
        raise NotVisible()


SUBJECT_TYPE = "incidents.incident"  # what notify calls an incident (alerts.subject_of)


def _shown(at) -> str:
    return at.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M")


def watch_period() -> timedelta:
    """严防反复 (004 第十八条) names no length: the watch is the bank's own setting (本行设定)."""
    return timedelta(hours=settings.YINGJI_WATCH_HOURS)


def _subject(incident: Incident, title: str, body: str = ""):
    return alerts.subject_of(incident, title, body)


def request_termination(*, actor: Person, incident: Incident, summary: str) -> TerminationRequest:
    """The group proposes ending the response; every approver the plan version names (default: the
    组长 and the unit above's 应急管理员) must approve, and the proposer approves none of it."""
    _visible(actor, incident)
    in_group = incident.members.filter(person=actor).exists()
    if not (in_group or can_decide(actor, incident)):
        raise NotAllowed(_("Only the leading group proposes termination."))
    if not (summary or "").strip():
        raise InvalidInput(_("Say why the response can end."), fields={"summary": _("Required.")})
    summary = summary.strip()
    with transaction.atomic():
        transition(incident, S.TERMINATION_REQUESTED, table=TRANSITIONS)
        # After the move is checked (the slots of a case not yet activated mean nothing); a refusal
        # here rolls the move back.
        slots = approvals.required_slots(incident)
        asked: list[list[Person]] = []
        for slot in slots:
            people = [
                p
                for p in approvals.holders(slot, incident).select_related("user", "unit")
                if p.pk != actor.pk
            ]
            if not people:
                raise InvalidInput(
                    _(
                        "Termination needs the approval of %(label)s, and nobody but you can give it: "
                        "let another member of the group propose, or have the post filled."
                    )
                    % {"label": slot.label}
                )
            asked.append(people)
        request = TerminationRequest.objects.create(
            incident=incident, proposed_by=actor, proposed_at=clock.now(), summary=summary
        )
        TerminationApproval.objects.bulk_create(
            [
                TerminationApproval(
                    request=request,
                    order=order,
                    label=slot.label[:200],
                    role=slot.role,
                    position=slot.position,
                    unit=slot.unit,
                )
                for order, slot in enumerate(slots)
            ]
        )
        labels = "、".join(slot.label for slot in slots)
        timeline.add(
            incident,
            TimelineEvent.TERMINATION,
            _("Termination proposed: %(s)s. To be approved by: %(who)s.") % {"s": summary, "who": labels},
            actor=actor,
            data={"request": request.pk, "approvers": [slot.label for slot in slots]},
        )
        recipients: dict[int, Recipient] = {}
        for slot, people in zip(slots, asked, strict=True):
            for person in people:
                recipients.setdefault(
                    person.pk,
                    Recipient(
                        person, incident.unit, _("approves termination as %(label)s") % {"label": slot.label}
                    ),
                )
        notify.notify(
            subject=_subject(incident, _("Termination to approve: %(n)s") % {"n": incident.number}, summary),
            recipients=list(recipients.values()),
            ack_minutes=None,
            round_key=f"termination-{request.pk}",
        )
        audit.record(
            actor=actor.user,
            action="incident.request_termination",
            obj=incident,
            data={"summary": summary, "approvers": [slot.label for slot in slots]},
        )
    return request


def _refuse_unless_awaiting(locked: Incident, target: str) -> None:
    if locked.status != S.TERMINATION_REQUESTED:
        raise InvalidTransition(
            _("Cannot go from “%(current)s” to “%(target)s”.")
            % {"current": Status(locked.status).label, "target": Status(target).label}
        )


def decide_termination(
    *, actor: Person, incident: Incident, approve: bool, note: str = "", slot: int | None = None
) -> Incident:
    """One approver's decision on the waiting termination, for the slot they fill (`slot`: a
    TerminationApproval id; by default the first waiting one they may fill). The case ends when the
    last slot is approved; any rejection sends it back to 处置中 with the reason."""
    _visible(actor, incident)
    note = (note or "").strip()
    if not approve and not note:
        raise InvalidInput(_("Say why the response must go on."), fields={"note": _("Required.")})
    with transaction.atomic():
        now = clock.now()
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        _refuse_unless_awaiting(locked, S.TERMINATED if approve else S.RESPONDING)
        request = incident.termination_requests.select_for_update().filter(decided_at__isnull=True).first()
        if request is None:
            raise InvalidTransition(_("No termination is waiting for a decision."))
        if request.proposed_by_id == actor.pk:
            raise NotAllowed(_("Whoever proposed the termination cannot approve or reject it."))
        slots = list(request.approvals.select_related("position", "unit"))
        if any(a.decided_by_id == actor.pk for a in slots):
            raise NotAllowed(
                _("You have already decided on this termination; the others named decide the rest.")
            )
        waiting = [a for a in slots if a.decided_at is None and (slot is None or a.pk == slot)]
        mine = next((a for a in waiting if approvals.may_fill(actor, a, incident)), None)
        if mine is None:
            raise NotAllowed(
                _("Only the approvers the plan names decide on the termination: %(who)s.")
                % {"who": "、".join(a.label for a in slots if a.decided_at is None)}
            )
        TerminationApproval.objects.filter(pk=mine.pk).update(
            decided_by=actor, decided_at=now, approved=approve, note=note
        )
        mine.decided_at, mine.approved = now, approve
        timeline.add(
            incident,
            TimelineEvent.TERMINATION,
            (
                _("Termination approved as %(label)s.") % {"label": mine.label}
                if approve
                else _("Termination rejected as %(label)s: %(note)s") % {"label": mine.label, "note": note}
            )
            + (f" {note}" if approve and note else ""),
            actor=actor,
            data={"request": request.pk, "slot": mine.pk, "approved": approve},
        )
        audit.record(
            actor=actor.user,
            action="incident.approve_termination" if approve else "incident.reject_termination",
            obj=incident,
            data={"as": mine.label, "note": note},
        )
        if not approve:
            _end_request(request, actor=actor, approved=False, note=note, now=now)
            transition(incident, S.RESPONDING, table=TRANSITIONS, expect={S.TERMINATION_REQUESTED})
            # The other approvers are no longer asked about a proposal that was turned down.
            notify.withdraw(
                subject_type=SUBJECT_TYPE,
                subject_id=incident.pk,
                reason=_("The termination was rejected."),
                actor=actor.user,
                round_key=f"termination-{request.pk}",
            )
            _tell_proposer(
                incident,
                request,
                _("Termination rejected: %(n)s") % {"n": incident.number},
                _("%(name)s (%(label)s): %(note)s") % {"name": actor.name, "label": mine.label, "note": note},
            )
        elif all(a.approved for a in slots):
            _end_request(request, actor=actor, approved=True, note=note, now=now)
            _terminate(incident, actor=actor, now=now)
            _tell_proposer(
                incident,
                request,
                _("Termination approved: %(n)s") % {"n": incident.number},
                _("Every approver named by the plan approved; watched until %(at)s.")
                % {"at": _shown(incident.watch_until)},
            )
    return incident


def _end_request(request: TerminationRequest, *, actor: Person, approved: bool, note: str, now) -> None:
    TerminationRequest.objects.filter(pk=request.pk).update(
        decided_by=actor, decided_at=now, approved=approved, decision_note=note
    )
    request.decided_by, request.decided_at, request.approved = actor, now, approved


def _terminate(incident: Incident, *, actor: Person, now) -> None:
    transition(incident, S.TERMINATED, table=TRANSITIONS, expect={S.TERMINATION_REQUESTED})
    watch_until = now + watch_period()
    Incident.objects.filter(pk=incident.pk).update(terminated_at=now, watch_until=watch_until)
    incident.terminated_at, incident.watch_until = now, watch_until
    timeline.add(
        incident,
        TimelineEvent.TERMINATION,
        _(
            "Every approver approved: the response has ended. "
            "Watched until %(at)s (the bank's setting: %(h)s hours)."
        )
        % {"at": _shown(watch_until), "h": settings.YINGJI_WATCH_HOURS},
        actor=actor,
    )
    audit.record(
        actor=actor.user,
        action="incident.terminate",
        obj=incident,
        data={"watch_until": watch_until.isoformat(), "watch_hours": settings.YINGJI_WATCH_HOURS},
    )
    _withdraw_notices(incident, _("The incident was terminated."), actor)


def _tell_proposer(incident: Incident, request: TerminationRequest, title: str, body: str) -> None:
    proposer = Person.objects.select_related("user", "unit").get(pk=request.proposed_by_id)
    notify.notify(
        subject=_subject(incident, title, body),
        recipients=[Recipient(proposer, incident.unit, _("proposed the termination"))],
        ack_minutes=None,
        round_key=f"termination-{request.pk}-decided",
    )


def _withdraw_notices(incident: Incident, reason: str, actor: Person) -> None:
    """A case that has ended stops asking: what still waits for 已收到 about it is withdrawn, not
    escalated (the branch leader is not paged about a case that is over)."""
    notify.withdraw(subject_type=SUBJECT_TYPE, subject_id=incident.pk, reason=reason, actor=actor.user)


def cancel_incident(*, actor: Person, incident: Incident, reason: str) -> Incident:
    """已撤销: a false alarm, with the reason kept."""
    _visible(actor, incident)
    if not can_decide(actor, incident):
        raise NotAllowed(_("Only an emergency administrator or a leader can cancel an incident."))
    if len((reason or "").strip()) < 4:
        raise InvalidInput(_("Say why this was a false alarm."), fields={"reason": _("Required.")})
    with transaction.atomic():
        transition(incident, S.CANCELLED, table=TRANSITIONS)
        Incident.objects.filter(pk=incident.pk).update(closed_at=clock.now())
        timeline.add(
            incident,
            TimelineEvent.STATUS,
            _("Cancelled: %(reason)s") % {"reason": reason.strip()},
            actor=actor,
        )
        audit.record(
            actor=actor.user, action="incident.cancel", obj=incident, data={"reason": reason.strip()}
        )
        _withdraw_notices(incident, _("The incident was cancelled: %(r)s") % {"r": reason.strip()}, actor)
    return incident


def start_investigation(*, actor: Person, incident: Incident) -> Investigation:
    _visible(actor, incident)
    if not can_decide(actor, incident):
        raise NotAllowed(_("Only an emergency administrator or a leader opens the investigation."))
    with transaction.atomic():
        transition(incident, S.INVESTIGATING, table=TRANSITIONS)
        investigation = Investigation.objects.create(
            incident=incident, started_by=actor, started_at=clock.now()
        )
        timeline.add(incident, TimelineEvent.INVESTIGATION, _("Investigation opened."), actor=actor)
        audit.record(actor=actor.user, action="incident.start_investigation", obj=incident)
    return investigation


def _valid_responsibility(value) -> bool:
    return isinstance(value, list) and all(
        isinstance(r, dict) and str(r.get("name", "")).strip() and str(r.get("responsibility", "")).strip()
        for r in value
    )


def _clean_accountability(value) -> list[dict]:
    """004 第二十、二十一条: each measure names the person held responsible and the measure taken, says
    whether the case went to 公安, with an optional note."""
    if not isinstance(value, list):
        raise InvalidInput(
            _("Accountability measures come as a list."), fields={"accountability": _("A list.")}
        )
    rows, bad = [], []
    for number, row in enumerate(value, start=1):
        person = str(row.get("person", "")).strip() if isinstance(row, dict) else ""
        measure = str(row.get("measure", "")).strip() if isinstance(row, dict) else ""
        police = row.get("police", False) if isinstance(row, dict) else None
        if not person or not measure or not isinstance(police, bool):
            bad.append(str(number))
            continue
        rows.append(
            {
                "person": person[:50],
                "measure": measure[:1000],
                "police": police,
                "note": str(row.get("note", "")).strip()[:1000],
            }
        )
    if bad:
        raise InvalidInput(
            _("Measure %(rows)s: name the person responsible and the measure taken.")
            % {"rows": "、".join(bad)},
            fields={"accountability": _("Person and measure.")},
        )
    return rows


FINDINGS = (
    "cause",
    "warnings_in_time",
    "warnings_note",
    "responsibility",
    "consequences",
    "preventive_measures",
    # 004 第二十一条: 隐瞒 and 谎报 (缓报 is read off the timestamps), and the measures taken.
    "concealed",
    "concealed_note",
    "false_report",
    "false_report_note",
    "accountability",
)


def save_findings(*, actor: Person, incident: Incident, **findings) -> Investigation:
    """The typed part of the special report. Once the case is closed nobody can rewrite it."""
    _visible(actor, incident)
    if not can_decide(actor, incident):
        raise NotAllowed(_("Only an emergency administrator or a leader writes the investigation."))
    unknown = set(findings) - set(FINDINGS)
    if unknown:
        raise InvalidInput(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    if not _valid_responsibility(findings.get("responsibility", [])):
        raise InvalidInput(
            _("Each responsible person needs a name and their responsibility."),
            fields={"responsibility": _("Name and responsibility.")},
        )
    for key in ("concealed", "false_report"):
        if findings.get(key) not in (None, True, False):
            raise InvalidInput(_("Say yes or no."), fields={key: _("Yes or no.")})
    if "accountability" in findings:
        findings["accountability"] = _clean_accountability(findings["accountability"])
    with transaction.atomic():
        # Checked under the incident's lock: findings saved while another person closes the case would
        # otherwise rewrite what the closing froze.
        status = Incident.objects.select_for_update().values_list("status", flat=True).get(pk=incident.pk)
        if status != S.INVESTIGATING:
            raise InvalidTransition(
                _("Findings can be written only while the incident is under investigation.")
            )
        investigation = Investigation.objects.select_for_update().get(incident=incident)
        changed = {}
        for key, value in findings.items():
            value = value.strip() if isinstance(value, str) else value
            if getattr(investigation, key) != value:
                changed[key] = value
                setattr(investigation, key, value)
        if changed:
            investigation.save(update_fields=list(changed))
            audit.record(actor=actor.user, action="incident.findings", obj=incident, data=changed)
    return investigation


def close_investigation(*, actor: Person, incident: Incident) -> Incident:
    _visible(actor, incident)
    if not can_decide(actor, incident):
        raise NotAllowed(_("Only an emergency administrator or a leader closes the case."))
    with transaction.atomic():
        # The lock comes first: the findings checked must be the findings frozen.
        watch_until = (
            Incident.objects.select_for_update().values_list("watch_until", flat=True).get(pk=incident.pk)
        )
        investigation = Investigation.objects.filter(incident=incident).first()
        missing = {}
        if investigation is not None:
            if not investigation.cause:
                missing["cause"] = _("Required.")
            if not investigation.preventive_measures:
                missing["preventive_measures"] = _("Required.")
            # A warning linked to the incident answers 预警是否及时 from its own times.
            if investigation.warnings_in_time is None and not incident.warnings.exists():
                missing["warnings_in_time"] = _("Required.")
        if missing:
            raise InvalidInput(
                _("The investigation needs its cause, the warnings and the preventive measures."),
                fields=missing,
            )
        if watch_until is not None and clock.now() < watch_until:
            # 严防反复: until the watch ends the same event may come back and reopen the case.
            raise InvalidTransition(
                _(
                    "The case is watched until %(at)s (the bank's setting: %(h)s hours after termination): "
                    "it can be closed after that."
                )
                % {"at": _shown(watch_until), "h": settings.YINGJI_WATCH_HOURS}
            )
        transition(incident, S.CLOSED, table=TRANSITIONS)
        now = clock.now()
        Incident.objects.filter(pk=incident.pk).update(closed_at=now)
        Investigation.objects.filter(incident=incident).update(closed_at=now)
        timeline.add(incident, TimelineEvent.INVESTIGATION, _("Case closed."), actor=actor)
        audit.record(actor=actor.user, action="incident.close", obj=incident)
        _withdraw_notices(incident, _("The case was closed."), actor)
    return incident
