"""Every write of monitoring: storing a batch of points (and evaluating the rules on it), acknowledging a
warning, the leadership group's decision on a proposed incident, a rule's edit, an integration's token."""

import json
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.core import clock, inputs, jobs, rows
from yingji.core.errors import InvalidInput, NotAllowed, NotVisible
from yingji.core.transitions import transition
from yingji.incidents.permissions import DECIDING_POSITIONS
from yingji.orgs import visibility
from yingji.orgs.models import Person, Unit, UnitType

from .evaluation import evaluate
from .integrations import (  # noqa: F401  (writes of this app)
    authenticate_integration,
    issue_integration,
    revoke_integration,
    scope_of,
)
from .models import (
    STATUSES,
    Integration,
    PendingBatch,
    Proposal,
    RuleAction,
    SignalPoint,
    SignalWarning,
    WarningEvent,
    WarningRule,
    WarningStatus,
)
from .transitions import TRANSITIONS

LAST_USED_GRANULARITY = timedelta(minutes=1)
# The event kind an incident from a warning is reported as, when the rule names none.
DEFAULT_KIND = {
    ("system_down", UnitType.CALL_CENTRE): "cc_call_connection",
    ("answer_rate", UnitType.CALL_CENTRE): "cc_call_connection",
    ("service_level", UnitType.CALL_CENTRE): "cc_call_connection",
    ("system_down", UnitType.OUTLET): "it_system_failure",
    ("queue_length", UnitType.OUTLET): "crowd_surge",
    ("longest_wait", UnitType.OUTLET): "crowd_surge",
    ("queue_machine_down", UnitType.OUTLET): "queue_machine_failure",
}


@dataclass
class Ingested:
    stored: int
    duplicates: int
    changed: list = field(default_factory=list)


# Every batch asks this (twenty times a second at 2,000 points/s), so it is written once: the batch's
# units by code, as plain values (no instances: the request only checks and stores).
_UNITS = f"SELECT u.code, u.id, u.path FROM {rows.table(Unit)} u WHERE u.is_active AND u.code IN "


def _checked(integration: Integration, points: list[dict]) -> dict[tuple, float]:
    """The batch's points by key (unit id, metric, source, at) → value, the first of a key counting; or
    InvalidInput naming every point refused (nothing is stored then)."""
    if not points:
        raise InvalidInput(_("The batch is empty."))
    if len(points) > settings.YINGJI_SIGNAL_MAX_BATCH:
        raise InvalidInput(_("At most %d points per batch.") % settings.YINGJI_SIGNAL_MAX_BATCH)
    codes = list({str(p["unit"]) for p in points})
    units = {
        code: (pk, path)
        for code, pk, path in rows.every(_UNITS + f"({', '.join(['%s'] * len(codes))})", codes)
    }
    allowed = scope_of(integration)
    errors: dict[str, str] = {}
    found: dict[tuple, float] = {}
    time_problems: dict[datetime, str | None] = {}  # a batch shares a few times: each checked once
    in_scope: dict[str, bool] = {}
    for i, point in enumerate(points):
        code = str(point["unit"])
        unit = units.get(code)
        if unit is None:
            errors[f"points.{i}.unit"] = _("No such unit.")
            continue
        if code not in in_scope:
            in_scope[code] = any(unit[1].startswith(path) for path in allowed)
        if not in_scope[code]:
            errors[f"points.{i}.unit"] = _("This integration may not report for this unit.")
            continue
        metric, value, at = point["metric"], float(point["value"]), point["at"]
        if metric in STATUSES and value not in (0.0, 1.0):
            errors[f"points.{i}.value"] = _("A status is 1 (up) or 0 (down).")
            continue
        if at not in time_problems:
            time_problems[at] = inputs.event_time_problem(at)
        if time_problems[at]:
            errors[f"points.{i}.at"] = time_problems[at]
            continue
        found.setdefault((unit[0], str(metric), point["source"], at), value)
    if errors:
        raise InvalidInput(_("Some points are not valid: nothing was stored."), fields=errors)
    return found


def ingest(*, integration: Integration, points: list[dict], now: datetime | None = None) -> Ingested:
    """Store a batch (all of it, or nothing when any point is refused) and evaluate the rules on it at
    once (the simulator, imports, tests). A point already stored (same unit, metric, source and time)
    is left as it is: replays are harmless."""
    now = now or clock.now()
    found = _checked(integration, points)
    with transaction.atomic():
        # Measurements, not business changes: no audit entry per point (the warnings they raise have theirs).
        stored = _insert_new(found, received_at=now)
        _touch(integration, now)
    batch = [(unit_id, source, metric, at, value) for (unit_id, metric, source, at), value in found.items()]
    changed = evaluate(batch, integration=integration, now=now)
    return Ingested(stored=stored, duplicates=len(points) - stored, changed=changed)


def receive(*, integration: Integration, points: list[dict], now: datetime | None = None) -> Ingested:
    """The API's ingest: store the batch and leave it for the evaluation job (monitoring.tasks), which
    evaluates every batch pending within YINGJI_SIGNAL_EVALUATE_SECONDS: the request pays for checking
    and storing the points, one statement, and the evaluation of many batches is paid once."""
    now = now or clock.now()
    found = _checked(integration, points)
    # On PostgreSQL the points and the pending batch are one statement, atomic by itself: no BEGIN and
    # COMMIT round trips around it (on SQLite they are two, in a transaction).
    with nullcontext() if connection.vendor == "postgresql" else transaction.atomic():
        stored = _insert_new(found, received_at=now, pending=integration)
    _touch(integration, now)
    _schedule_evaluation(now)
    return Ingested(stored=stored, duplicates=len(points) - stored)


# When this process last enqueued the evaluation job, and for when (monotonic seconds): a process
# enqueues at most one per period, however many batches it stores in between.
_scheduled = {"until": 0.0}


def _schedule_evaluation(now: datetime) -> None:
    from . import tasks

    period = settings.YINGJI_SIGNAL_EVALUATE_SECONDS
    moment = time.monotonic()
    if moment < _scheduled["until"]:
        return
    _scheduled["until"] = moment + period
    jobs.enqueue_on_commit(tasks.evaluate_pending.using(run_after=now + timedelta(seconds=period)))


def evaluate_pending(*, limit: int = 50) -> tuple[int, list]:
    """Evaluate the batches the API stored (the oldest `limit`), each once: taken under a lock that
    other workers skip, evaluated, deleted, in one transaction, so a failure leaves them pending.
    Returns how many batches were evaluated and the warnings that moved."""
    with transaction.atomic():
        taken = list(PendingBatch.objects.select_for_update(skip_locked=True).order_by("id")[:limit])
        if not taken:
            return 0, []
        by_integration: dict[int | None, list] = {}
        times: dict[str, datetime] = {}  # the batches of a second share their times
        for pending in taken:
            found = by_integration.setdefault(pending.integration_id, [])
            for unit_id, metric, source, at, value in json.loads(pending.points):
                if at not in times:
                    times[at] = datetime.fromisoformat(at)
                found.append((unit_id, source, metric, times[at], value))
        now = clock.now()
        integrations = Integration.objects.in_bulk([k for k in by_integration if k is not None])
        changed = []
        for integration_id, batch in by_integration.items():
            changed += evaluate(batch, integration=integrations.get(integration_id), now=now)
        PendingBatch.objects.filter(pk__in=[p.pk for p in taken]).delete()
    return len(taken), changed


_TABLE = SignalPoint._meta.db_table
_PENDING = PendingBatch._meta.db_table
_COLUMNS = "unit_id, metric, source, at, value, received_at"
_ON_CONFLICT = "ON CONFLICT (unit_id, metric, source, at) DO NOTHING RETURNING id"


def _insert_new(
    points: dict[tuple, float], *, received_at: datetime, pending: Integration | None = None
) -> int:
    """One INSERT for the batch; a point stored before is skipped by the database (ON CONFLICT), which
    says how many rows were new. With `pending`, the batch is also kept for the evaluation job (on
    PostgreSQL in the same statement)."""
    keys = list(points)
    batch = json.dumps([[k[0], k[1], k[2], k[3].isoformat(), points[k]] for k in keys])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One JSON text, taken apart by the database: cheaper than six hundred parameters, or six
            # arrays that psycopg adapts value by value in Python, on every request.
            insert = (
                f"INSERT INTO {_TABLE} ({_COLUMNS}) SELECT (p->>0)::bigint, p->>1, p->>2, "
                "(p->>3)::timestamptz, (p->>4)::float8, %s FROM jsonb_array_elements(%s::jsonb) AS p "
                + _ON_CONFLICT
            )
            if pending is None:
                cursor.execute(insert, [received_at, batch])
                return len(cursor.fetchall())
            cursor.execute(
                f"WITH new AS ({insert}), kept AS (INSERT INTO {_PENDING} (integration_id, received_at, "
                "points) VALUES (%s, %s, %s)) SELECT count(*) FROM new",
                [received_at, batch, pending.pk, received_at, batch],
            )
            return cursor.fetchone()[0]
        adapt = connection.ops.adapt_datetimefield_value
        params: list = []
        for k in keys:
            params += [k[0], k[1], k[2], adapt(k[3]), points[k], adapt(received_at)]
        values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(keys))
        cursor.execute(f"INSERT INTO {_TABLE} ({_COLUMNS}) VALUES {values} {_ON_CONFLICT}", params)
        stored = len(cursor.fetchall())
    if pending is not None:
        PendingBatch.objects.create(integration=pending, received_at=received_at, points=batch)
    return stored


def _touch(integration: Integration, now: datetime) -> None:
    last = integration.last_used_at
    if last is not None and last.tzinfo is None:  # read by hand from SQLite: naive UTC
        last = last.replace(tzinfo=UTC)
    if last is None or now - last > LAST_USED_GRANULARITY:
        Integration.objects.filter(pk=integration.pk).update(last_used_at=now)
        integration.last_used_at = now  # the copy a process keeps of a token (integrations.py)


# --- A person and a warning -----------------------------------------------------------------------


def acknowledge_warning(*, person: Person, warning: SignalWarning) -> SignalWarning:
    """Someone who sees the warning says they have it in hand; a second time changes nothing."""
    if not visibility.can_see_unit(person.user, warning.unit):
        raise NotVisible()
    if warning.status != WarningStatus.RAISED:
        return warning
    with transaction.atomic():
        acknowledge_in_place(warning, person)
    return warning


def acknowledge_in_place(warning: SignalWarning, person: Person) -> None:
    """In the caller's transaction (a notice's 已收到 too)."""
    locked = SignalWarning.objects.select_for_update().get(pk=warning.pk)
    if locked.status != WarningStatus.RAISED:
        return
    now = clock.now()
    transition(warning, WarningStatus.ACKNOWLEDGED, table=TRANSITIONS)
    SignalWarning.objects.filter(pk=warning.pk).update(acknowledged_at=now, acknowledged_by=person)
    warning.acknowledged_at, warning.acknowledged_by = now, person
    WarningEvent.objects.create(warning=warning, at=now, actor=person, text=_("Acknowledged."))
    audit.record(actor=person.user, action="warning.acknowledge", obj=warning, unit=warning.unit)


def can_decide(person: Person | None, warning: SignalWarning) -> bool:
    """The leadership group's members: a leader, unit head or 应急管理员 of a unit that sees it."""
    if person is None or not visibility.can_see_unit(person.user, warning.unit):
        return False
    return any(p.code in DECIDING_POSITIONS or p.is_unit_head for p in person.positions.all())


def decide_proposal(*, person: Person, warning: SignalWarning, accept: bool, note: str = "") -> SignalWarning:
    """004 第九条: the leadership group decides whether the warning becomes an incident. Accepted, it is
    reported in the decider's name with the warning linked; dismissed, the reason stays on the warning."""
    if not visibility.can_see_unit(person.user, warning.unit):
        raise NotVisible()
    if not can_decide(person, warning):
        raise NotAllowed(_("Only a leader, a unit head or an emergency administrator decides on a proposal."))
    note = inputs.check_text((note or "").strip(), "note")[:2000]
    if not accept and not note:
        raise InvalidInput(_("Say why the proposal is dismissed."), fields={"note": _("Required.")})
    with transaction.atomic():
        locked = SignalWarning.objects.select_for_update().select_related("rule", "unit").get(pk=warning.pk)
        if locked.proposal != Proposal.PENDING:
            raise InvalidInput(_("This proposal has been decided already."))
        now = clock.now()
        incident = report_for(locked, reporter=person, note=note) if accept else None
        SignalWarning.objects.filter(pk=locked.pk).update(
            proposal=Proposal.ACCEPTED if accept else Proposal.DISMISSED,
            decided_by=person,
            decided_at=now,
            decision_note=note,
            incident=incident,
        )
        text = (
            _("Incident proposal accepted: %s reported.") % incident.number
            if incident
            else _("Incident proposal dismissed: %s") % note
        )
        WarningEvent.objects.create(warning=locked, at=now, actor=person, text=text)
        audit.record(
            actor=person.user,
            action="warning.accept" if accept else "warning.dismiss",
            obj=locked,
            unit=locked.unit,
            data={"note": note, "incident": incident.number if incident else None},
        )
    locked.refresh_from_db()
    return locked


def report_for(warning: SignalWarning, *, reporter: Person, note: str = ""):
    """The incident a warning opens: an ordinary report through incidents, its key the warning's, so a
    job run twice reports once."""
    from yingji.incidents.services import report_incident
    from yingji.plans.models import EventKind

    from .transitions import shown

    rule = warning.rule
    kind = (
        rule.event_kind
        or EventKind.objects.filter(code=DEFAULT_KIND.get((rule.measure, warning.unit.type))).first()
    )
    if kind is None:
        kind = EventKind.objects.filter(code="other_service_event").first()
    if kind is None:
        raise InvalidInput(_("No event kind to report this warning as: name one on the rule."))
    facts = {}
    if rule.measure == "system_down":
        facts["system_down_minutes"] = max(
            int((clock.now() - warning.condition_since).total_seconds() // 60), 0
        )
    description = _(
        "Reported from warning: %(title)s. Measured %(value)s against %(threshold)s (%(rule)s)."
    ) % {
        "title": warning.title,
        "value": shown(rule, warning.worst),
        "threshold": shown(rule, rule.threshold)
        if rule.measure not in ("system_down", "queue_machine_down")
        else _("%s minutes") % rule.for_minutes,
        "rule": rule.name,
    }
    if note:
        description += " " + note
    return report_incident(
        reporter=reporter,
        kind=kind,
        unit=warning.unit,
        occurred_at=warning.condition_since,
        description=description,
        facts=facts,
        idempotency_key=f"warning-{warning.pk}",
    )


def open_incident_automatically(warning_id: int) -> None:
    """The job of a rule that opens an incident by itself (the seed's 60-minute outage): reported in
    the integration contact's name; without one that may report, the group is asked instead."""
    with transaction.atomic():
        warning = SignalWarning.objects.select_for_update().select_related("rule", "unit").get(pk=warning_id)
        if warning.incident_id is not None or warning.rule.action != RuleAction.OPEN_INCIDENT:
            return
        contact = warning.integration.contact if warning.integration_id else None
        now = clock.now()
        if (
            contact is None
            or not contact.user.is_active
            or not visibility.can_see_unit(contact.user, warning.unit)
        ):
            SignalWarning.objects.filter(pk=warning.pk).update(proposal=Proposal.PENDING)
            WarningEvent.objects.create(
                warning=warning,
                at=now,
                text=_("Nobody can report it automatically: proposed to the leadership group."),
            )
            return
        incident = report_for(warning, reporter=contact)
        SignalWarning.objects.filter(pk=warning.pk).update(incident=incident)
        WarningEvent.objects.create(
            warning=warning, at=now, text=_("Incident %s reported automatically.") % incident.number
        )
        audit.record(
            actor=None,
            action="warning.open_incident",
            obj=warning,
            unit=warning.unit,
            data={"incident": incident.number, "reporter": contact.name},
        )


# --- Rules ---------------------------------------------------------------------------------------


RULE_FIELDS = (
    "name",
    "measure",
    "unit_type",
    "unit",
    "threshold",
    "for_minutes",
    "level",
    "action",
    "event_kind",
    "reach",
    "bank_own",
    "source_note",
    "is_active",
)


def may_edit_rules(user) -> bool:
    return visibility.is_head_office(user) and (user.is_superuser or visibility.is_emergency_admin(user))


def save_rule(*, actor, rule: WarningRule | None, data: dict, positions=None) -> WarningRule:
    """Head office's 应急管理员 add or change a rule; its entry records what changed."""
    if not may_edit_rules(actor):
        raise NotAllowed(_("Only head office's emergency administrators edit the warning rules."))
    with transaction.atomic():
        if rule is None:
            rule = WarningRule(updated_at=clock.now())
            before = {}
        else:
            rule = WarningRule.objects.select_for_update().get(pk=rule.pk)
            before = {f: _plain(getattr(rule, f)) for f in RULE_FIELDS}
        for name in RULE_FIELDS:
            if name in data:
                setattr(rule, name, data[name])
        if rule.unit_id:
            rule.unit_type = ""
        rule.updated_at = clock.now()
        rule.save()
        if positions is not None:
            rule.positions.set(positions)
        after = {f: _plain(getattr(rule, f)) for f in RULE_FIELDS}
        audit.record(
            actor=actor,
            action="warning_rule.save",
            obj=rule,
            data={"changed": {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}},
        )
    return rule


def _plain(value):
    if hasattr(value, "pk"):
        return str(value)
    return value
