"""The state machine of an incident, termination with approval, cancellation, and the investigation."""

from datetime import timedelta

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

from .. import alerts, timeline
from ..models import Incident, Investigation, Member, MemberRole, Status, TerminationRequest, TimelineEvent
from ..permissions import can_decide, is_group_leader

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
WATCH = timedelta(hours=72)  # 严防反复: after termination the same kind at the same unit reopens it


def _visible(actor: Person, incident: Incident) -> None:
    if not visibility.can_see_unit(actor.user, incident.unit):
        raise NotVisible()


def request_termination(*, actor: Person, incident: Incident, summary: str) -> TerminationRequest:
    """The group proposes ending the response; the approvers named by the plan (default the 组长) decide."""
    _visible(actor, incident)
    in_group = incident.members.filter(person=actor).exists()
    if not (in_group or can_decide(actor, incident)):
        raise NotAllowed(_("Only the leading group proposes termination."))
    if not (summary or "").strip():
        raise InvalidInput(_("Say why the response can end."), fields={"summary": _("Required.")})
    with transaction.atomic():
        transition(incident, S.TERMINATION_REQUESTED, table=TRANSITIONS)
        request = TerminationRequest.objects.create(
            incident=incident, proposed_by=actor, proposed_at=clock.now(), summary=summary.strip()
        )
        timeline.add(
            incident,
            TimelineEvent.TERMINATION,
            _("Termination proposed: %(s)s") % {"s": summary.strip()},
            actor=actor,
        )
        approvers = [
            m.person
            for m in Member.objects.filter(incident=incident, role=MemberRole.LEADER).select_related(
                "person__user", "person__unit"
            )
        ]
        notify.notify(
            subject=alerts.subject_of(
                incident, _("Termination to approve: %(n)s") % {"n": incident.number}, summary.strip()
            ),
            recipients=[Recipient(p, incident.unit, _("approves termination")) for p in approvers],
            ack_minutes=None,
            round_key=f"termination-{request.pk}",
        )
        audit.record(
            actor=actor.user,
            action="incident.request_termination",
            obj=incident,
            data={"summary": summary.strip()},
        )
    return request


def decide_termination(*, actor: Person, incident: Incident, approve: bool, note: str = "") -> Incident:
    _visible(actor, incident)
    if not (is_group_leader(actor, incident) or actor.user.is_superuser):
        raise NotAllowed(_("Only the group leader (组长) approves termination."))
    if not approve and not (note or "").strip():
        raise InvalidInput(_("Say why the response must go on."), fields={"note": _("Required.")})
    with transaction.atomic():
        now = clock.now()
        transition(
            incident,
            S.TERMINATED if approve else S.RESPONDING,
            table=TRANSITIONS,
            expect={S.TERMINATION_REQUESTED},
        )
        request = incident.termination_requests.filter(decided_at__isnull=True).first()
        if request is not None:
            TerminationRequest.objects.filter(pk=request.pk).update(
                decided_by=actor, decided_at=now, approved=approve, decision_note=note.strip()
            )
        if approve:
            Incident.objects.filter(pk=incident.pk).update(terminated_at=now, watch_until=now + WATCH)
            incident.terminated_at, incident.watch_until = now, now + WATCH
        text = (
            _("Termination approved; watched for 72 hours.")
            if approve
            else _("Termination rejected: %(note)s") % {"note": note.strip()}
        )
        timeline.add(incident, TimelineEvent.TERMINATION, text, actor=actor)
        audit.record(
            actor=actor.user,
            action="incident.approve_termination" if approve else "incident.reject_termination",
            obj=incident,
            data={"note": note.strip()},
        )
    return incident


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


FINDINGS = (
    "cause",
    "warnings_in_time",
    "warnings_note",
    "responsibility",
    "consequences",
    "preventive_measures",
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
        Incident.objects.select_for_update().values_list("pk", flat=True).get(pk=incident.pk)
        investigation = Investigation.objects.filter(incident=incident).first()
        missing = {}
        if investigation is not None:
            if not investigation.cause:
                missing["cause"] = _("Required.")
            if not investigation.preventive_measures:
                missing["preventive_measures"] = _("Required.")
            if investigation.warnings_in_time is None:
                missing["warnings_in_time"] = _("Required.")
        if missing:
            raise InvalidInput(
                _("The investigation needs its cause, the warnings and the preventive measures."),
                fields=missing,
            )
        transition(incident, S.CLOSED, table=TRANSITIONS)
        now = clock.now()
        Incident.objects.filter(pk=incident.pk).update(closed_at=now)
        Investigation.objects.filter(incident=incident).update(closed_at=now)
        timeline.add(incident, TimelineEvent.INVESTIGATION, _("Case closed."), actor=actor)
        audit.record(actor=actor.user, action="incident.close", obj=incident)
    return incident
