"""Reopening during the watch, follow-up reports, level changes, comments, links and merges."""

import logging

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
from yingji.plans.classify import classify, decide_level, parse_facts
from yingji.plans.models import Level, severity

from .. import alerts, approvals, timeline
from ..models import (
    OPEN_STATUSES,
    REPORT_FIELDS,
    FollowUp,
    Incident,
    IncidentLink,
    LevelChangeRequest,
    Status,
    TimelineEvent,
)
from ..permissions import can_decide

logger = logging.getLogger(__name__)


def _clean_content(content: dict | None) -> dict[str, str]:
    content = content or {}
    unknown = set(content) - set(REPORT_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown report fields: %s") % ", ".join(sorted(unknown)))
    return {key: str(content.get(key) or "").strip()[:2000] for key in REPORT_FIELDS if content.get(key)}


def _jsonable(facts: dict) -> dict:
    from yingji.audit.chain import normalise

    return normalise(facts)


def _reopen(
    incident: Incident,
    *,
    reporter: Person,
    description: str,
    facts: dict,
    fields: dict,
    idempotency_key: str | None,
) -> Incident | None:
    """A report of the same kind at the same unit during the watch reopens the response. When another
    report reopened it a moment earlier, this one joins it as a follow-up: nobody on the floor is told
    their report failed. None when the incident has moved on (investigation), so a new one is opened."""
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        if locked.status != Status.TERMINATED:
            if locked.status not in OPEN_STATUSES:
                return None
            _record_follow_up(
                locked,
                author=reporter,
                text=description,
                facts=facts,
                fields=fields,
                idempotency_key=idempotency_key,
            )
            return locked
        incident = locked
        transition(incident, Status.RESPONDING, table=_transitions(), expect={Status.TERMINATED})
        FollowUp.objects.create(
            incident=incident,
            author=reporter,
            at=clock.now(),
            text=description,
            facts=_jsonable(facts),
            idempotency_key=idempotency_key,
            **fields,
        )
        Incident.objects.filter(pk=incident.pk).update(watch_until=None)
        _apply_new_facts(incident, facts, fields, actor=reporter)
        timeline.add(
            incident,
            TimelineEvent.REOPENED,
            _("Reported again during the watch period: the response is reopened. %s") % description,
            actor=reporter,
        )
        alerts.tell_the_chain(incident, round_key=f"reopen-{clock.now():%Y%m%d%H%M%S}", exclude=reporter)
        audit.record(actor=reporter.user, action="incident.reopen", obj=incident, data={"text": description})
    return incident


def _apply_new_facts(incident: Incident, facts: dict, fields: dict, *, actor: Person) -> None:
    """Merge new facts and content into the incident and classify again. The level rises when the rules
    now say more than they said before; it never falls by itself, and a level a person lowered with a
    written reason stays until new facts give the rules a higher level."""
    merged = {**incident.facts, **facts}
    classification = classify(incident.kind, merged)
    changes = {"facts": _jsonable(merged), "classified_level": classification.level, **fields}
    raised = severity(classification.level) > severity(incident.classified_level) and severity(
        classification.level
    ) > severity(incident.level)
    if raised:
        changes |= {
            "level": classification.level,
            "level_reasons": [r.as_dict() for r in classification.reasons],
        }
    Incident.objects.filter(pk=incident.pk).update(**changes)
    for key, value in changes.items():
        setattr(incident, key, value)
    if raised:
        timeline.add(
            incident,
            TimelineEvent.LEVEL_CHANGED,
            _("The new facts raise the level to %(level)s.") % {"level": Level(incident.level).label},
            actor=actor,
            data={"level": incident.level},
        )
        alerts.raise_the_alarm(incident, round_key=f"level-{incident.level}", exclude=actor)


def _transitions():
    from .lifecycle import TRANSITIONS

    return TRANSITIONS


def _require_open(incident: Incident) -> None:
    if incident.status in (Status.CLOSED, Status.CANCELLED):
        raise InvalidInput(
            _("This incident is %(status)s: nothing more can be added.")
            % {"status": incident.get_status_display()}
        )


def add_follow_up(
    *, author: Person, incident: Incident, text: str, facts: dict | None = None, content: dict | None = None
) -> Incident:
    """续报: new content, and new facts that may raise the level (never lower it by themselves)."""
    if not visibility.can_see_unit(author.user, incident.unit):
        raise NotVisible()
    _require_open(incident)
    if not (text or "").strip():
        raise InvalidInput(_("Say what is new."), fields={"text": _("Required.")})
    fields = _clean_content(content)
    parse_facts(facts or {})
    with transaction.atomic():
        # Two follow-ups at once must each merge into the facts the other left, and neither may land
        # on an incident closed in between.
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        _require_open(locked)
        _record_follow_up(locked, author=author, text=text.strip(), facts=facts or {}, fields=fields)
    return locked


def _record_follow_up(
    locked: Incident,
    *,
    author: Person,
    text: str,
    facts: dict,
    fields: dict,
    idempotency_key: str | None = None,
) -> None:
    """The follow-up, its timeline entry, the facts merged (the level may rise) and the audit entry; the
    caller holds the incident's row lock."""
    stored = _jsonable(facts)
    FollowUp.objects.create(
        incident=locked,
        author=author,
        at=clock.now(),
        text=text,
        facts=stored,
        idempotency_key=idempotency_key,
        **fields,
    )
    timeline.add(locked, TimelineEvent.FOLLOW_UP, text, actor=author, data={"facts": stored})
    _apply_new_facts(locked, facts, fields, actor=author)
    audit.record(
        actor=author.user,
        action="incident.follow_up",
        obj=locked,
        data={"text": text, "facts": stored, "level": locked.level},
    )


def change_level(*, actor: Person, incident: Incident, level: str, reason: str) -> Incident:
    """A person raises the level with a reason at once. Lowering it below what the rules give (理财预案:
    指标指向不同级别时按较高一级处理) is a request that an 应急管理员 or leader of a unit above approves
    (decide_lowering); the level stays until then."""
    if not visibility.can_see_unit(actor.user, incident.unit):
        raise NotVisible()
    if not can_decide(actor, incident):
        raise NotAllowed(_("Only an emergency administrator or a leader can change the level."))
    _require_open(incident)
    classification = classify(incident.kind, incident.facts)
    decision = decide_level(classification, level, reason)
    if decision.level == incident.level:
        return incident
    if severity(decision.level) < severity(decision.classified):
        return _ask_to_lower(actor=actor, incident=incident, level=decision.level, reason=decision.reason)
    with transaction.atomic():
        _set_level(
            incident, actor=actor, level=decision.level, reason=decision.reason, rules=decision.classified
        )
    return incident


def _set_level(incident: Incident, *, actor: Person, level: str, reason: str, rules: str, extra=None) -> None:
    previous = incident.level
    Incident.objects.filter(pk=incident.pk).update(level=level)
    incident.level = level
    data = {"from": previous, "to": level, "reason": reason, "rules_say": rules, **(extra or {})}
    timeline.add(
        incident,
        TimelineEvent.LEVEL_CHANGED,
        _("Level changed from %(old)s to %(new)s: %(reason)s")
        % {"old": Level(previous).label, "new": Level(level).label, "reason": reason},
        actor=actor,
        data=data,
    )
    if severity(level) > severity(previous):
        alerts.raise_the_alarm(incident, round_key=f"level-{incident.level}", exclude=actor)
    audit.record(actor=actor.user, action="incident.change_level", obj=incident, data=data)


def _ask_to_lower(*, actor: Person, incident: Incident, level: str, reason: str) -> Incident:
    approvers = [p for p in approvals.lowering_approvers(incident) if p.pk != actor.pk]
    if not approvers:
        raise InvalidInput(
            _("Nobody above this unit can approve lowering the level; it stays as the rules give.")
        )
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        _require_open(locked)
        if LevelChangeRequest.objects.filter(incident=incident, decided_at__isnull=True).exists():
            raise InvalidInput(_("A request to lower the level is already waiting for the unit above."))
        request = LevelChangeRequest.objects.create(
            incident=incident,
            requested_by=actor,
            requested_at=clock.now(),
            from_level=locked.level,
            to_level=level,
            rules_level=locked.classified_level,
            reason=reason,
        )
        text = _("Asked to lower the level from %(old)s to %(new)s (the rules say %(rules)s): %(reason)s") % {
            "old": Level(locked.level).label,
            "new": Level(level).label,
            "rules": Level(locked.classified_level).label,
            "reason": reason,
        }
        timeline.add(incident, TimelineEvent.LEVEL_CHANGED, text, actor=actor, data={"request": request.pk})
        notify.notify(
            subject=alerts.subject_of(
                incident, _("Lowering the level to approve: %(n)s") % {"n": incident.number}, text
            ),
            recipients=[Recipient(p, incident.unit, _("approves lowering the level")) for p in approvers],
            ack_minutes=None,
            round_key=f"lower-{request.pk}",
        )
        audit.record(
            actor=actor.user,
            action="incident.request_lower_level",
            obj=incident,
            data={"from": locked.level, "to": level, "reason": reason, "rules_say": locked.classified_level},
        )
    return incident


def decide_lowering(*, actor: Person, incident: Incident, approve: bool, note: str = "") -> Incident:
    """The unit above approves lowering the level (it takes effect now) or rejects it with a reason."""
    if not visibility.can_see_unit(actor.user, incident.unit):
        raise NotVisible()
    note = (note or "").strip()
    if not approvals.may_lower(actor, incident):
        raise NotAllowed(
            _("Only an emergency administrator or a leader of a unit above approves lowering the level.")
        )
    if not approve and not note:
        raise InvalidInput(_("Say why the level stays."), fields={"note": _("Required.")})
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        request = (
            LevelChangeRequest.objects.select_for_update()
            .filter(incident=incident, decided_at__isnull=True)
            .first()
        )
        if request is None:
            raise InvalidTransition(_("No request to lower the level is waiting."))
        if request.requested_by_id == actor.pk:
            raise NotAllowed(_("Whoever asked to lower the level cannot approve it."))
        _require_open(locked)
        now = clock.now()
        LevelChangeRequest.objects.filter(pk=request.pk).update(
            decided_by=actor, decided_at=now, approved=approve, decision_note=note
        )
        requester = Person.objects.select_related("user", "unit").get(pk=request.requested_by_id)
        if approve:
            incident.level = locked.level
            _set_level(
                incident,
                actor=actor,
                level=request.to_level,
                reason=request.reason,
                rules=locked.classified_level,
                extra={"asked_by": requester.name, "approved_by": actor.name},
            )
            title = _("Lowering the level approved: %(n)s") % {"n": incident.number}
        else:
            timeline.add(
                incident,
                TimelineEvent.LEVEL_CHANGED,
                _("Lowering the level to %(new)s rejected: %(note)s")
                % {"new": Level(request.to_level).label, "note": note},
                actor=actor,
                data={"request": request.pk},
            )
            audit.record(
                actor=actor.user,
                action="incident.reject_lower_level",
                obj=incident,
                data={"to": request.to_level, "note": note},
            )
            title = _("Lowering the level rejected: %(n)s") % {"n": incident.number}
        # Answered: the others asked about this request stop being asked.
        notify.withdraw(
            subject_type="incidents.incident",
            subject_id=incident.pk,
            reason=_("The request to lower the level was decided."),
            actor=actor.user,
            round_key=f"lower-{request.pk}",
        )
        notify.notify(
            subject=alerts.subject_of(incident, title, note or request.reason),
            recipients=[Recipient(requester, incident.unit, _("asked to lower the level"))],
            ack_minutes=None,
            round_key=f"lower-{request.pk}-decided",
        )
    return incident


def add_comment(*, author: Person, incident: Incident, text: str) -> None:
    if not visibility.can_see_unit(author.user, incident.unit):
        raise NotVisible()
    if not (text or "").strip():
        raise InvalidInput(_("The comment is empty."), fields={"text": _("Required.")})
    with transaction.atomic():
        timeline.add(incident, TimelineEvent.COMMENT, text.strip()[:4000], actor=author)
        audit.record(actor=author.user, action="incident.comment", obj=incident, data={"text": text.strip()})


def link_incidents(*, actor: Person, incident: Incident, other: Incident, note: str = "") -> None:
    for item in (incident, other):
        if not visibility.can_see_unit(actor.user, item.unit):
            raise NotVisible()
    if incident.pk == other.pk:
        raise InvalidInput(_("An incident cannot be linked to itself."))
    with transaction.atomic():
        for a, b in ((incident, other), (other, incident)):
            IncidentLink.objects.get_or_create(
                incident=a, other=b, defaults={"created_at": clock.now(), "note": note[:200]}
            )
            timeline.add(
                a,
                TimelineEvent.LINKED,
                _("Linked with %(number)s. %(note)s") % {"number": b.number, "note": note},
                actor=actor,
            )
        audit.record(actor=actor.user, action="incident.link", obj=incident, data={"other": other.number})


def merge_incident(*, actor: Person, duplicate: Incident, into: Incident, reason: str) -> Incident:
    """Two reports of one event: the duplicate is closed as cancelled, pointing to the one kept."""
    from .lifecycle import cancel_incident

    if not (can_decide(actor, into) and can_decide(actor, duplicate)):
        raise NotAllowed(_("Only an emergency administrator or a leader can merge reports."))
    if duplicate.pk == into.pk or into.merged_into_id:
        raise InvalidInput(_("Pick another incident to merge into."))
    with transaction.atomic():
        link_incidents(actor=actor, incident=duplicate, other=into, note=reason)
        cancel_incident(
            actor=actor,
            incident=duplicate,
            reason=_("Merged into %(number)s: %(reason)s") % {"number": into.number, "reason": reason},
        )
        Incident.objects.filter(pk=duplicate.pk).update(merged_into=into)
        duplicate.merged_into = into
        audit.record(actor=actor.user, action="incident.merge", obj=duplicate, data={"into": into.number})
    return duplicate
