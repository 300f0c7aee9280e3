"""The first report, follow-up reports, level changes, links and merges."""

import hashlib
import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import IntegerField, Value
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.core import clock
from yingji.core.errors import InvalidInput, NotAllowed, NotVisible
from yingji.core.jobs import enqueue_in_transaction
from yingji.core.transitions import transition
from yingji.notify import rulebook
from yingji.notify.rulebook import Rulebook
from yingji.orgs import visibility
from yingji.orgs.models import Person, Unit
from yingji.plans.classify import classify, decide_level, parse_facts
from yingji.plans.models import EventKind, Level, severity

from .. import alerts, timeline
from ..jobs import raise_alarm
from ..models import (
    OPEN_STATUSES,
    REPORT_FIELDS,
    FollowUp,
    Incident,
    IncidentLink,
    Status,
    TimelineEvent,
    YearCounter,
)
from ..permissions import can_decide

logger = logging.getLogger(__name__)
MAX_FUTURE = timedelta(minutes=5)


def _next_number(now: datetime) -> str:
    """The year's next number, gapless: one UPDATE … RETURNING that holds the counter's row lock until
    the report commits (PostgreSQL, SQLite 3.35+). A year's first report inserts the row first, in a way
    that never fails, so a year's first two reports cannot break each other."""
    year = now.astimezone(clock.SHANGHAI).year
    sql = f"UPDATE {YearCounter._meta.db_table} SET last = last + 1 WHERE year = %s RETURNING last"
    with connection.cursor() as cursor:
        cursor.execute(sql, [year])
        row = cursor.fetchone()
        if row is None:
            YearCounter.objects.bulk_create([YearCounter(year=year)], ignore_conflicts=True)
            cursor.execute(sql, [year])
            row = cursor.fetchone()
    return f"YJ-{year}-{row[0]:06d}"


def _clean_content(content: dict | None) -> dict[str, str]:
    content = content or {}
    unknown = set(content) - set(REPORT_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown report fields: %s") % ", ".join(sorted(unknown)))
    return {key: str(content.get(key) or "").strip()[:2000] for key in REPORT_FIELDS if content.get(key)}


def report_incident(
    *,
    reporter: Person,
    kind: EventKind,
    unit: Unit,
    occurred_at: datetime,
    description: str,
    facts: dict | None = None,
    content: dict | None = None,
    idempotency_key: str | None = None,
    rules: Rulebook | None = None,
) -> Incident:
    """首报. Classifies, numbers, records, notifies up the tree. The same idempotency key returns the
    incident it first created; a new report of the same kind at a unit still under watch reopens the
    terminated incident instead of opening another. `rules`: the rulebook, when the caller has read it
    for this request already."""
    if not visibility.can_see_unit(reporter.user, unit):
        raise NotVisible()
    description = (description or "").strip()
    errors = {}
    if not description:
        errors["description"] = _("Say in a few words what happened.")
    now = clock.now()
    if occurred_at > now + MAX_FUTURE:
        errors["occurred_at"] = _("The time is in the future.")
    if errors:
        raise InvalidInput(_("The report is not complete."), fields=errors)
    fields = _clean_content(content)
    rules = rules or rulebook.current()
    classification = classify(kind, facts or {}, rules=rules.rules_for(kind))
    # Keys are the reporter's own: another outlet's client reusing a key gets its own incident.
    idempotency_key = _scoped_key(reporter, idempotency_key)
    done, watched = _earlier(idempotency_key, kind=kind, unit=unit, now=now)
    if done is not None:
        return done
    if watched is not None and (
        reopened := _reopen(
            watched,
            reporter=reporter,
            description=description,
            facts=facts or {},
            fields=fields,
            idempotency_key=idempotency_key,
        )
    ):
        return reopened
    try:
        with transaction.atomic():
            incident = Incident.objects.create(
                number=_next_number(now),
                kind=kind,
                unit=unit,
                reporter=reporter,
                occurred_at=occurred_at,
                reported_at=now,
                description=description,
                facts=_jsonable(facts or {}),
                level=classification.level,
                classified_level=classification.level,
                level_reasons=[r.as_dict() for r in classification.reasons],
                idempotency_key=idempotency_key,
                **fields,
            )
            timeline.add(
                incident,
                TimelineEvent.REPORTED,
                description,
                actor=reporter,
                at=now,
                data={"level": incident.level, "reasons": incident.level_reasons},
            )
            audit.record(
                actor=reporter.user,
                action="incident.report",
                obj=incident,
                data={
                    "number": incident.number,
                    "kind": kind.code,
                    "level": incident.level,
                    "facts": incident.facts,
                },
            )
            # Telling the chain is the worker's: the report answers in milliseconds and a regional
            # surge's fan-out never queues the next outlet's report. The job row commits with the
            # report, so a crash after the commit cannot lose the alarm, nor a rollback page anyone.
            enqueue_in_transaction(
                raise_alarm,
                incident_id=incident.pk,
                round_key=f"level-{incident.level}",
                exclude_id=reporter.pk,
            )
    except IntegrityError:
        if idempotency_key and (done := _already_reported(idempotency_key)):
            return done  # the same report, committed by a concurrent retry
        raise
    return incident


def _scoped_key(reporter: Person, key: str | None) -> str | None:
    """Keys are the reporter's own, so another outlet's client reusing one gets its own incident. A key
    too long for the column is stored as its digest: cutting it would make two reports one."""
    if not key:
        return None
    scoped = f"{reporter.pk}:{key}"
    if len(scoped) <= 100:
        return scoped
    return f"{reporter.pk}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"


def _earlier(
    key: str | None, *, kind: EventKind, unit: Unit, now: datetime
) -> tuple[Incident | None, Incident | None]:
    """In one query: the incident a report with this key created or reopened, and the terminated
    incident of this kind at this unit still under watch (the latest, if several)."""
    watched = Incident.objects.filter(
        kind=kind, unit=unit, status=Status.TERMINATED, watch_until__gt=now
    ).annotate(hit=Value(2, output_field=IntegerField()))
    found = watched
    # Unordered branches: a compound statement takes no ORDER BY inside (the choice is made below).
    if key:
        created = Incident.objects.filter(idempotency_key=key).annotate(
            hit=Value(0, output_field=IntegerField())
        )
        reopened = Incident.objects.filter(follow_ups__idempotency_key=key).annotate(
            hit=Value(1, output_field=IntegerField())
        )
        found = created.order_by().union(reopened.order_by(), watched.order_by(), all=True)
    rows = list(found)
    done = min((r for r in rows if r.hit < 2), key=lambda r: r.hit, default=None)
    under_watch = [r for r in rows if r.hit == 2]
    latest = max(under_watch, key=lambda r: r.terminated_at or r.reported_at, default=None)
    return done, latest


def _already_reported(key: str) -> Incident | None:
    """The incident a report with this key created, or reopened."""
    incident = Incident.objects.filter(idempotency_key=key).first()
    if incident is None:
        follow_up = FollowUp.objects.filter(idempotency_key=key).select_related("incident").first()
        incident = follow_up.incident if follow_up else None
    return incident


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
    """A person raises the level with a reason, or lowers it below the rules with a written reason."""
    if not visibility.can_see_unit(actor.user, incident.unit):
        raise NotVisible()
    if not can_decide(actor, incident):
        raise NotAllowed(_("Only an emergency administrator or a leader can change the level."))
    _require_open(incident)
    classification = classify(incident.kind, incident.facts)
    decision = decide_level(classification, level, reason)
    if decision.level == incident.level:
        return incident
    previous = incident.level
    with transaction.atomic():
        Incident.objects.filter(pk=incident.pk).update(level=decision.level)
        incident.level = decision.level
        timeline.add(
            incident,
            TimelineEvent.LEVEL_CHANGED,
            _("Level changed from %(old)s to %(new)s: %(reason)s")
            % {"old": Level(previous).label, "new": Level(decision.level).label, "reason": decision.reason},
            actor=actor,
            data={
                "from": previous,
                "to": decision.level,
                "reason": decision.reason,
                "rules_say": decision.classified,
            },
        )
        if severity(decision.level) > severity(previous):
            alerts.raise_the_alarm(incident, round_key=f"level-{incident.level}", exclude=actor)
        audit.record(
            actor=actor.user,
            action="incident.change_level",
            obj=incident,
            data={
                "from": previous,
                "to": decision.level,
                "reason": decision.reason,
                "rules_say": decision.classified,
            },
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
