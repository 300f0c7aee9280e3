"""Evaluating the rules on the stored series, right after each batch is stored.

Every figure is computed from the points, never from the order they arrived in: an interval's 接通率 is
the sum of the calls answered over the sum offered with a time inside it; a reading's condition holds
since the first point of its current run. So a late or repeated batch evaluates to the same answer."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, Sum

from yingji.core import clock
from yingji.orgs.models import Unit

from .models import (
    ACTIVE,
    BELOW,
    DOWN,
    MEASURE_METRICS,
    Measure,
    Metric,
    SignalPoint,
    SignalSource,
    SignalWarning,
    WarningRule,
    WarningState,
)

INTERVAL = timedelta(minutes=15)
READING = {
    Measure.SYSTEM_DOWN: Metric.SYSTEM_STATUS,
    Measure.QUEUE_MACHINE_DOWN: Metric.QUEUE_MACHINE_STATUS,
    Measure.QUEUE_LENGTH: Metric.QUEUE_LENGTH,
    Measure.LONGEST_WAIT: Metric.LONGEST_WAIT,
}
NUMERATOR = {Measure.ANSWER_RATE: Metric.CALLS_ANSWERED, Measure.SERVICE_LEVEL: Metric.CALLS_ANSWERED_20S}


@dataclass(frozen=True)
class Reading:
    holds: bool
    since: datetime | None  # when the current value of `holds` began, if the series tells
    value: float | None


_RULES_VERSION = (
    "SELECT count(*), max(updated_at), max(id), sum(id), sum(threshold), sum(for_minutes) "
    f"FROM {WarningRule._meta.db_table} WHERE is_active"
)
_rules_cache: dict[str, Any] = {"version": None, "rules": []}


def active_rules() -> list[WarningRule]:
    """Every active rule (a few dozen at most), read again only when one was added or changed: each
    batch asks one cheap question instead of building and running the query."""
    with connection.cursor() as cursor:
        cursor.execute(_RULES_VERSION)
        version = tuple(cursor.fetchone())
    if _rules_cache["version"] != version:
        _rules_cache["rules"] = list(WarningRule.objects.filter(is_active=True).select_related("event_kind"))
        _rules_cache["version"] = version
    return _rules_cache["rules"]


def rules_by_unit(units: list[Unit]) -> dict[int, list[WarningRule]]:
    """The active rules in force at each unit: a rule named for the unit replaces its type's rule of the
    same measure."""
    rules = active_rules()
    found: dict[int, list[WarningRule]] = {}
    for unit in units:
        own = [r for r in rules if r.unit_id == unit.pk]
        measures = {r.measure for r in own}
        typed = [
            r for r in rules if r.unit_id is None and r.unit_type == unit.type and r.measure not in measures
        ]
        found[unit.pk] = own + typed
    return found


def interval_sums(
    unit: Unit, source: str, start: datetime, end: datetime, metrics: list[str]
) -> dict[str, float]:
    rows = (
        SignalPoint.objects.filter(unit=unit, source=source, metric__in=metrics, at__gte=start, at__lt=end)
        .values("metric")
        .annotate(total=Sum("value"))
    )
    return {row["metric"]: row["total"] or 0.0 for row in rows}


def interval_start(moment: datetime) -> datetime:
    """The start of the 15-minute interval `moment` falls in (the same in UTC and Asia/Shanghai)."""
    seconds = INTERVAL.total_seconds()
    return datetime.fromtimestamp(moment.timestamp() // seconds * seconds, tz=moment.tzinfo)


def _ratio_reading(
    rule: WarningRule, unit: Unit, source: str, now: datetime
) -> tuple[bool, float | None, datetime]:
    """The rate in % of the last complete 15-minute interval, whether it is below the threshold, and the
    interval's start. Too few calls to judge (本行设定 YINGJI_SIGNAL_MIN_OFFERED) hold nothing."""
    end = interval_start(now)
    start = end - INTERVAL
    numerator = NUMERATOR[rule.measure]
    sums = interval_sums(unit, source, start, end, [Metric.CALLS_OFFERED, numerator])
    offered = sums.get(Metric.CALLS_OFFERED, 0.0)
    if offered < settings.YINGJI_SIGNAL_MIN_OFFERED:
        return False, None, start
    value = round(100.0 * sums.get(numerator, 0.0) / offered, 1)
    return value < rule.threshold, value, start


def _breach(rule: WarningRule) -> Q:
    if rule.measure in DOWN:
        return Q(value__lte=0)
    return Q(value__gt=rule.threshold)


def _series_reading(rule: WarningRule, unit: Unit, source: str, now: datetime) -> Reading:
    """A reading's condition from the series: the latest point says whether it holds, and the run of
    points like it says since when."""
    points = SignalPoint.objects.filter(unit=unit, source=source, metric=READING[rule.measure], at__lte=now)
    latest = points.order_by("-at").values_list("at", "value").first()
    if latest is None:
        return Reading(False, None, None)
    breach = _breach(rule)
    holds = points.filter(breach, at=latest[0]).exists()
    other = points.exclude(breach) if holds else points.filter(breach)
    turned = other.order_by("-at").values_list("at", flat=True).first()
    run = points.filter(at__gt=turned) if turned is not None else points
    since = run.order_by("at").values_list("at", flat=True).first()
    value = latest[1]
    if rule.measure in DOWN:
        value = round((now - since).total_seconds() / 60) if holds and since else 0.0
    return Reading(holds, since, value)


def read(rule: WarningRule, state: WarningState, now: datetime) -> Reading:
    if rule.measure in BELOW:
        holds, value, start = _ratio_reading(rule, state.unit, state.source, now)
        # The run of intervals on the same side of the threshold began with the first of them.
        since = state.since if (state.holds == holds and state.since and state.since <= start) else start
        return Reading(holds, since, value)
    return _series_reading(rule, state.unit, state.source, now)


Point = tuple[int, str, str, datetime, float]  # unit id, source, metric, at, value


def evaluate(batch: list[Point], *, integration=None, now: datetime | None = None, units=None) -> list:
    """Evaluate the rules whose metrics a batch carried, for each (unit, source) in it. An instance
    that cannot have moved is skipped without a write (most batches: normal readings of a rule not
    holding); any other is moved under its row lock in a transaction of its own. Returns the warnings
    that were raised, raised again or cleared."""
    now = now or clock.now()
    by_series: dict[tuple[int, str], dict[str, list[tuple[datetime, float]]]] = {}
    for unit_id, source, metric, at, value in batch:
        by_series.setdefault((unit_id, source), {}).setdefault(metric, []).append((at, value))
    units = units or Unit.objects.in_bulk({unit_id for unit_id, _ in by_series})
    rules = rules_by_unit([units[unit_id] for unit_id in {u for u, _ in by_series}])
    # What the last evaluation left, read as plain values (most of the batch stops at this).
    states = {
        (rule_id, unit_id, source): (holds, evaluated_at, warning_open)
        for rule_id, unit_id, source, holds, evaluated_at, warning_open in WarningState.objects.filter(
            unit__in=[u for u, _ in by_series], source__in={src for _, src in by_series}
        ).values_list("rule_id", "unit_id", "source", "holds", "evaluated_at", "warning_open")
    }
    changed = []
    heard: dict[tuple[int, str], WarningRule] = {}
    for (unit_id, source), metrics in sorted(by_series.items()):
        unit = units[unit_id]
        for rule in rules.get(unit_id, []):
            if rule.measure == Measure.NO_DATA:
                heard[(unit_id, source)] = rule
                state = states.get((rule.pk, unit_id, source))
                if state is not None and state[2]:  # its 数据中断 warning is open: the source is back
                    changed += _move(rule, unit, source, Reading(False, now, 0.0), now, integration)
                continue
            if not MEASURE_METRICS[rule.measure] & set(metrics):
                continue
            key = (rule.pk, unit_id, source)
            if _cannot_have_moved(rule, states.get(key), metrics, now):
                continue
            changed += _move(rule, unit, source, None, now, integration, metrics)
    if heard:
        _heard(heard, now)
    return changed


def _move(
    rule: WarningRule, unit: Unit, source: str, reading: Reading | None, now, integration, metrics=None
) -> list:
    """One instance evaluated under its row lock: its reading from the series (or the one given) moves
    its warning and is kept on its state."""
    from .transitions import step

    with transaction.atomic():
        state = _locked_state(rule, unit, source, now)
        reading = reading or read(rule, state, now)
        if not reading.holds and metrics:
            reading = _passed_breach(rule, unit, source, metrics) or reading
        moved = step(rule=rule, state=state, reading=reading, now=now, integration=integration)
        state.holds, state.since, state.value, state.evaluated_at = (
            reading.holds,
            reading.since,
            reading.value,
            now,
        )
        state.warning_open = SignalWarning.objects.filter(
            rule=rule, unit=unit, source=source, status__in=ACTIVE
        ).exists()
        state.save(update_fields=["holds", "since", "value", "evaluated_at", "warning_open"])
    return [moved] if moved is not None else []


def _breaches(rule: WarningRule, value: float) -> bool:
    return value <= 0 if rule.measure in DOWN else value > rule.threshold


def _passed_breach(rule: WarningRule, unit: Unit, source: str, metrics: dict) -> Reading | None:
    """A breach the batch carried that the series no longer shows at evaluation time. Rules are evaluated
    a moment after the points arrive (after the API answered), and by then later points may be back to
    normal: a queue surge of ten seconds, or a run that held its minutes and ended, must still raise its
    warning. The reading is taken as of the batch's last breaching point; it counts only if its run had
    held for the rule's minutes by then."""
    if rule.measure not in READING:
        return None
    breaching = [at for at, value in metrics.get(READING[rule.measure], []) if _breaches(rule, value)]
    if not breaching:
        return None
    reading = _series_reading(rule, unit, source, max(breaching))
    if not reading.holds or reading.since is None:
        return None
    if reading.since + timedelta(minutes=rule.for_minutes) > max(breaching):
        return None
    return reading


# --- 数据中断: a source that stops reporting ------------------------------------------------------

# (unit id, source) → when this process last wrote that a point of it was received: a source sending
# every second is written down at most every HEARD_EVERY.
_heard_at: dict[tuple[int, str], datetime] = {}
HEARD_EVERY = timedelta(seconds=30)


def _heard(heard: dict[tuple[int, str], WarningRule], now: datetime) -> None:
    """Points of these sources were received now: their last-seen time moves, and a source without a
    pending check gets one, due when the rule's minutes without a point would have passed."""
    fresh = {
        key: rule
        for key, rule in heard.items()
        if key not in _heard_at or not (timedelta(0) <= now - _heard_at[key] < HEARD_EVERY)
    }
    if not fresh:
        return
    known = {
        (s.unit_id, s.source): s
        for s in SignalSource.objects.filter(
            unit_id__in={u for u, _ in fresh}, source__in={src for _, src in fresh}
        )
        if (s.unit_id, s.source) in fresh
    }
    SignalSource.objects.bulk_create(
        [SignalSource(unit_id=u, source=s, last_seen=now) for (u, s) in fresh if (u, s) not in known],
        ignore_conflicts=True,
    )
    if known:
        SignalSource.objects.filter(pk__in=[s.pk for s in known.values()]).update(last_seen=now)
    due: dict[datetime, list[tuple[int, str]]] = {}
    for key, rule in fresh.items():
        _heard_at[key] = now
        found = known.get(key)
        if found is None or found.check_due is None or found.check_due <= now:
            due.setdefault(now + timedelta(minutes=rule.for_minutes), []).append(key)
    if due:
        _schedule_checks(due)


def _schedule_checks(due: dict[datetime, list[tuple[int, str]]]) -> None:
    from yingji.core import jobs

    from . import tasks

    for moment, keys in due.items():
        wanted = set(keys)
        ids = [
            pk
            for pk, unit_id, source in SignalSource.objects.filter(
                unit_id__in={u for u, _ in wanted}, source__in={src for _, src in wanted}
            ).values_list("pk", "unit_id", "source")
            if (unit_id, source) in wanted
        ]
        SignalSource.objects.filter(pk__in=ids).update(check_due=moment)
        jobs.enqueue_on_commit(jobs.later(tasks.check_sources, moment), source_ids=ids)


def check_sources(source_ids: list[int], now: datetime | None = None) -> list:
    """The check a source's last point scheduled: silent for the 数据中断 rule's minutes, the warning is
    raised (and stays until a point arrives); heard since, the next check is due that much after the
    last point."""
    now = now or clock.now()
    sources = list(SignalSource.objects.filter(pk__in=source_ids).select_related("unit"))
    rules = rules_by_unit([s.unit for s in sources])
    changed, due = [], {}
    for found in sources:
        if found.check_due is not None and now < found.check_due:
            continue  # early: only a test's frozen clock runs a job before its time
        rule = next((r for r in rules.get(found.unit_id, []) if r.measure == Measure.NO_DATA), None)
        if rule is None:
            SignalSource.objects.filter(pk=found.pk).update(check_due=None)
            continue
        silent_since = found.last_seen
        if silent_since + timedelta(minutes=rule.for_minutes) <= now:
            minutes = round((now - silent_since).total_seconds() / 60)
            reading = Reading(True, silent_since, float(minutes))
            changed += _move(rule, found.unit, found.source, reading, now, None)
            SignalSource.objects.filter(pk=found.pk).update(check_due=None)
        else:
            due.setdefault(silent_since + timedelta(minutes=rule.for_minutes), []).append(
                (found.unit_id, found.source)
            )
    if due:
        _schedule_checks(due)
    return changed


def _cannot_have_moved(rule: WarningRule, state: tuple | None, metrics: dict, now: datetime) -> bool:
    """With no warning open and the condition not holding at the last evaluation (or never evaluated): a
    reading moves only if a new point breaches (points that do not breach leave the latest one not
    breaching); a rate moves only when an interval completes or a late point lands in a completed one."""
    if state is not None and (state[0] or state[2]):
        return False
    if rule.measure in BELOW:
        if state is None:
            return False
        current = interval_start(now)
        return interval_start(state[1]) == current and all(
            at >= current for points in metrics.values() for at, _ in points
        )
    metric = READING[rule.measure]
    if rule.measure in DOWN:
        return all(value > 0 for _, value in metrics.get(metric, []))
    return all(value <= rule.threshold for _, value in metrics.get(metric, []))


def _locked_state(rule: WarningRule, unit: Unit, source: str, now: datetime) -> WarningState:
    WarningState.objects.get_or_create(
        rule=rule, unit=unit, source=source, defaults={"evaluated_at": now, "holds": False}
    )
    state = WarningState.objects.select_for_update().get(rule=rule, unit=unit, source=source)
    state.unit = unit
    return state
