"""Reads of monitoring, each scoped to what the viewer sees (orgs.visibility). `active_warnings` and
`call_centre_series` are what the situation board and the dashboards (app reports) read."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import F, QuerySet

from yingji.core import clock
from yingji.core.errors import NotVisible
from yingji.orgs import visibility
from yingji.orgs.models import Unit

from .evaluation import INTERVAL, rules_by_unit
from .models import (
    ACTIVE,
    Integration,
    Measure,
    Metric,
    SignalPoint,
    SignalWarning,
    WarningRule,
    WarningStatus,
)


def warnings_for(viewer) -> QuerySet[SignalWarning]:
    return visibility.visible(SignalWarning.objects.select_related("unit", "rule", "silence"), viewer)


def active_warnings(*, viewer) -> QuerySet[SignalWarning]:
    """The warnings not cleared in the viewer's units, newest first; each has .unit, .level
    (get_level_display() in Chinese), .title, .raised_at, .value, .get_absolute_url()."""
    return warnings_for(viewer).filter(status__in=ACTIVE).order_by("-raised_at", "-pk")


def warning_list(*, viewer, status: str = "", limit: int = 200) -> list[SignalWarning]:
    found = warnings_for(viewer)
    if status == "active":
        found = found.filter(status__in=ACTIVE)
    elif status in WarningStatus.values:
        found = found.filter(status=status)
    return list(found.order_by("-raised_at", "-pk")[:limit])


def warning_of(*, viewer, pk) -> SignalWarning:
    return visibility.get_visible_or_404(
        SignalWarning.objects.select_related(
            "unit", "rule", "incident", "acknowledged_by", "decided_by", "silence", "silence__created_by"
        ),
        viewer,
        pk=pk,
    )


def warnings_of_incident(incident) -> list[SignalWarning]:
    """The warnings that opened or were linked to an incident, for its investigation (预警是否及时)."""
    return list(
        SignalWarning.objects.filter(incident=incident).select_related("unit", "rule").order_by("raised_at")
    )


@dataclass(frozen=True)
class Interval:
    start: datetime
    offered: int
    answered: int
    within_20s: int
    answer_rate: float | None  # %, None without calls
    service_level: float | None
    answer_rate_threshold: float | None  # of the rule in force, %
    service_level_threshold: float | None


def call_centre_series(*, viewer, unit: Unit, day: date) -> list[Interval]:
    """The day (Asia/Shanghai) in 15-minute intervals from the points of every source: calls offered,
    answered, answered within 20 s, 接通率 and 服务水平 in %, with the thresholds of the rules in force."""
    if not visibility.can_see_unit(viewer, unit):
        raise NotVisible()
    start = datetime.combine(day, time.min, tzinfo=clock.SHANGHAI)
    end = start + timedelta(days=1)
    sums: dict[tuple[int, str], float] = {}
    rows = SignalPoint.objects.filter(
        unit=unit,
        metric__in=[Metric.CALLS_OFFERED, Metric.CALLS_ANSWERED, Metric.CALLS_ANSWERED_20S],
        at__gte=start,
        at__lt=end,
    ).values_list("at", "metric", "value")
    for at, metric, value in rows:
        slot = int((at - start) / INTERVAL)
        sums[(slot, metric)] = sums.get((slot, metric), 0.0) + value
    rules = rules_by_unit([unit]).get(unit.pk, [])
    thresholds = {r.measure: r.threshold for r in rules}
    series = []
    for slot in range(int(timedelta(days=1) / INTERVAL)):
        offered = int(sums.get((slot, Metric.CALLS_OFFERED), 0))
        answered = int(sums.get((slot, Metric.CALLS_ANSWERED), 0))
        within = int(sums.get((slot, Metric.CALLS_ANSWERED_20S), 0))
        series.append(
            Interval(
                start=start + slot * INTERVAL,
                offered=offered,
                answered=answered,
                within_20s=within,
                answer_rate=round(100.0 * answered / offered, 1) if offered else None,
                service_level=round(100.0 * within / offered, 1) if offered else None,
                answer_rate_threshold=thresholds.get(Measure.ANSWER_RATE),
                service_level_threshold=thresholds.get(Measure.SERVICE_LEVEL),
            )
        )
    return series


def rules() -> list[WarningRule]:
    return list(
        WarningRule.objects.select_related("unit", "event_kind")
        .prefetch_related("positions")
        .order_by("measure", "unit_type", "pk")
    )


def integrations() -> list[Integration]:
    """Every integration, the revoked ones last, with the units each reports for (head office's page)."""
    return list(
        Integration.objects.select_related("contact", "contact__unit")
        .prefetch_related("units")
        .order_by(F("revoked_at").asc(nulls_first=True), "name", "pk")
    )
