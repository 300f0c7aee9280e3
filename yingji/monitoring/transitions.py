"""How an instance's reading moves its warning: raise once the condition has held for the rule's
minutes, clear once it has been gone for the clearing minutes, and reopen (not raise anew) when it
comes back within the hold-off. Runs inside the instance's row lock (evaluation.evaluate)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.core import jobs
from yingji.core.transitions import transition

from . import notices
from .models import (
    ACTIVE,
    BELOW,
    DOWN,
    LEVEL_ORDER,
    Measure,
    Proposal,
    RuleAction,
    SignalWarning,
    WarningEvent,
    WarningRule,
    WarningState,
    WarningStatus,
    source_name,
)

S = WarningStatus
TRANSITIONS = {
    S.RAISED: {S.ACKNOWLEDGED, S.CLEARED},
    S.ACKNOWLEDGED: {S.CLEARED},
    S.CLEARED: {S.RAISED},  # the same condition back within the hold-off
}


def clear_after() -> timedelta:
    return timedelta(minutes=settings.YINGJI_SIGNAL_CLEAR_MINUTES)


def holdoff() -> timedelta:
    return timedelta(minutes=settings.YINGJI_SIGNAL_HOLDOFF_MINUTES)


def shown(rule: WarningRule, value: float | None) -> str:
    """The value as people read it: 72.5%, 35 人, 40 分钟."""
    if value is None:
        return "—"
    number = f"{value:g}"
    if rule.measure in BELOW:
        return f"{number}%"
    if rule.measure in DOWN:
        return _("%s minutes") % number
    if rule.measure == "queue_length":
        return _("%s people") % number
    return _("%s minutes") % number


def title_of(rule: WarningRule, state: WarningState, value: float | None) -> str:
    where = state.unit.name + (f"（{source_name(state.source)}）" if state.source else "")
    return f"{where}：{rule.name}（{shown(rule, value)}）"[:200]


def worse(rule: WarningRule, a: float | None, b: float | None) -> float | None:
    if a is None or b is None:
        return a if b is None else b
    return min(a, b) if rule.measure in BELOW else max(a, b)


def step(*, rule: WarningRule, state: WarningState, reading, now: datetime, integration=None):
    current = (
        SignalWarning.objects.select_for_update()
        .filter(rule=rule, unit=state.unit, source=state.source)
        .order_by("-raised_at", "-pk")
        .first()
    )
    active = current if current is not None and current.status in ACTIVE else None
    if reading.holds:
        if active is not None:
            SignalWarning.objects.filter(pk=active.pk).update(
                value=reading.value, worst=worse(rule, active.worst, reading.value)
            )
            return None
        since = reading.since or now
        if since + timedelta(minutes=rule.for_minutes) > now:
            return None  # pending: not long enough yet
        if current is not None and current.cleared_at and current.cleared_at + holdoff() > now:
            return _reopen(current, rule, reading, now)
        return _raise(rule, state, reading, now, integration)
    # A source that reports again has no "gone for a while" to wait: its points are the recovery.
    delay = timedelta(0) if rule.measure == Measure.NO_DATA else clear_after()
    if active is not None and (reading.since or now) + delay <= now:
        return _clear(active, rule, reading, now)
    return None


def _raise(rule, state, reading, now, integration) -> SignalWarning:
    from .silences import covering

    silence = covering(unit=state.unit, measure=rule.measure, source=state.source, at=now)
    proposal = Proposal.PENDING if rule.action == RuleAction.PROPOSE and silence is None else Proposal.NONE
    warning = SignalWarning.objects.create(
        rule=rule,
        unit=state.unit,
        source=state.source,
        level=rule.level,
        title=title_of(rule, state, reading.value),
        status=S.RAISED,
        threshold=rule.threshold,
        value=reading.value,
        worst=reading.value,
        condition_since=reading.since or now,
        raised_at=now,
        proposal=proposal,
        integration=integration,
        silence=silence,
    )
    WarningEvent.objects.create(
        warning=warning,
        at=now,
        text=_("Raised: %(title)s; the condition has held since %(since)s.")
        % {"title": warning.title, "since": _local(warning.condition_since)},
    )
    data = {"rule": rule.name, "value": reading.value, "level": rule.level}
    if silence is not None:
        # Planned work: the record is kept, nobody is woken, no incident is opened.
        data["silence"] = silence.pk
        WarningEvent.objects.create(
            warning=warning,
            at=now,
            text=_("Silenced for planned work (%(reason)s, until %(until)s): nobody is told.")
            % {"reason": silence.reason, "until": _local(silence.until())},
        )
    audit.record(actor=None, action="warning.raise", obj=warning, unit=warning.unit, data=data)
    if silence is not None:
        return warning
    notices.tell(warning, rule)
    if rule.action == RuleAction.OPEN_INCIDENT:
        from . import tasks

        # As an outbox: the job commits with the warning, so a crash in between cannot lose the incident.
        jobs.enqueue_in_transaction(tasks.open_incident, warning_id=warning.pk)
    return warning


def _reopen(warning: SignalWarning, rule, reading, now) -> SignalWarning:
    transition(warning, S.RAISED, table=TRANSITIONS)
    SignalWarning.objects.filter(pk=warning.pk).update(
        cleared_at=None,
        flaps=warning.flaps + 1,
        value=reading.value,
        worst=worse(rule, warning.worst, reading.value),
    )
    WarningEvent.objects.create(
        warning=warning,
        at=now,
        text=_(
            "The condition came back within the hold-off: the same warning is raised again, "
            "nobody is told again."
        ),
    )
    audit.record(
        actor=None, action="warning.reraise", obj=warning, unit=warning.unit, data={"value": reading.value}
    )
    return warning


def _clear(warning: SignalWarning, rule, reading, now) -> SignalWarning:
    transition(warning, S.CLEARED, table=TRANSITIONS)
    SignalWarning.objects.filter(pk=warning.pk).update(cleared_at=now, value=reading.value)
    WarningEvent.objects.create(
        warning=warning,
        at=now,
        text=_("Cleared: the signal is back (%(value)s).") % {"value": shown(rule, reading.value)},
    )
    audit.record(
        actor=None, action="warning.clear", obj=warning, unit=warning.unit, data={"value": reading.value}
    )
    notices.withdraw(warning)
    return warning


def _local(moment: datetime) -> str:
    from yingji.core import clock

    return moment.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M")


def by_gravity(warnings) -> list:
    return sorted(warnings, key=lambda w: (LEVEL_ORDER.get(w.level, 9), -w.raised_at.timestamp()))
