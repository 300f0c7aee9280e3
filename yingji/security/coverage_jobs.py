"""Inspection coverage warnings, checked once a day by a job that schedules its own next run, as the
drills' compliance check does (yingji/drills/compliance_jobs.py).

A unit of a scheduled type that has no signed inspection in the current period is told when the period
is within YINGJI_INSPECTION_WARN_DAYS of its end (本行设定): its head, today's 带班领导 and its 应急管理员,
and the 应急管理员 of the unit above, who sends the inspector. Once per unit and period: the notices
sent are the record (their key names the period and the unit), so a second run tells nobody again."""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from yingji.core import clock
from yingji.core.jobs import job, later, merged_jobs
from yingji.notify import services as notify
from yingji.notify.models import Notice
from yingji.notify.recipients import read_ahead, recipients_on, remembered
from yingji.orgs.models import Position, PositionCode, Unit

from . import coverage

SUBJECT_TYPE = "security.coverage"
BANK_SETTING = "本行设定"


def check(*, now: datetime | None = None) -> int:
    """One day's check: how many units were warned."""
    now = now or clock.now()
    today = now.astimezone(clock.SHANGHAI).date()
    warned = 0
    with translation.override(settings.LANGUAGE_CODE), remembered(), merged_jobs():
        for unit_type in coverage.schedule():
            period = coverage.current_period(unit_type, now)
            if period is None or period.days_left(today) > int(settings.YINGJI_INSPECTION_WARN_DAYS):
                continue
            told_before = already_warned(SUBJECT_TYPE, period.key)
            behind = [u for u in coverage.not_inspected(unit_type, period) if u.pk not in told_before]
            warned += warn_units(
                subject_type=SUBJECT_TYPE,
                units=behind,
                today=today,
                round_key=period.key,
                compose=lambda unit, period=period: _message(unit, period, today),
            )
    return warned


def already_warned(subject_type: str, round_key: str) -> set[int]:
    """Ids of the units already warned in this round: the notices sent are the record."""
    return set(
        Notice.objects.filter(
            subject_type=subject_type, key__startswith=f"{subject_type}:", key__contains=f":{round_key}-u"
        ).values_list("subject_id", flat=True)
    )


def warn_units(
    *,
    subject_type: str,
    units: list[Unit],
    today: date,
    round_key: str,
    compose: Callable[[Unit], tuple[str, str, str]],
) -> int:
    """Tell each unit behind (its head, today's 带班领导 and its 应急管理员, and the 应急管理员 of the unit
    above) what `compose(unit)` says — (title, body, link) — once per unit and round; how many were told.
    Shared by the inspection and the training warnings."""
    positions = list(Position.objects.filter(code=PositionCode.EMERGENCY_ADMIN))
    read_ahead(units, today)
    warned = 0
    for unit in units:
        chain = [unit.acting_unit] + ([unit.parent_unit] if unit.parent_unit else [])
        told = recipients_on(chain, positions=positions, on_date=today)
        if not told:
            continue
        title, body, link = compose(unit)
        with transaction.atomic():
            sent = notify.notify(
                subject=notify.Subject(subject_type, unit.pk, unit, title[:200], body, link),
                recipients=told,
                ack_minutes=None,
                round_key=f"{round_key}-u{unit.pk}",
            )
        warned += int(bool(sent))
    return warned


def _message(unit: Unit, period, today: date) -> tuple[str, str, str]:
    left = period.days_left(today)
    title = _("Inspection due: %(unit)s has not been inspected in %(period)s; %(days)s days left") % {
        "unit": unit.name,
        "period": period.label,
        "days": left,
    }
    body = _(
        "%(period)s runs from %(start)s to %(end)s: %(days)s days left, today counted. %(type)s are "
        "inspected every %(months)s months (%(setting)s)."
    ) % {
        "period": period.label,
        "start": period.start.isoformat(),
        "end": period.last_day.isoformat(),
        "days": left,
        "type": unit.get_type_display(),
        "months": period.every_months,
        "setting": BANK_SETTING,
    }
    return title, body, f"{reverse('security:coverage')}?year={period.year}"


def next_run(now: datetime, hour: int | None = None) -> datetime:
    """Tomorrow at `hour` (default YINGJI_INSPECTION_CHECK_HOUR), Asia/Shanghai (本行设定)."""
    tomorrow = now.astimezone(clock.SHANGHAI).date() + timedelta(days=1)
    hour = settings.YINGJI_INSPECTION_CHECK_HOUR if hour is None else hour
    return datetime.combine(tomorrow, time(int(hour)), tzinfo=clock.SHANGHAI)


@job
def daily_check() -> str:
    try:
        warned = check()
    finally:
        schedule(at=next_run(clock.now()))
    return f"units warned: {warned}"


def schedule(*, at: datetime | None = None) -> bool:
    """Enqueue the daily check (at once, or at `at`) unless one is already waiting; True if enqueued."""
    return enqueue_once(daily_check, at=at)


def enqueue_once(task, *, at: datetime | None = None) -> bool:
    """Enqueue a daily job (at once, or at `at`) unless one is already waiting; True if enqueued."""
    if isinstance(task.get_backend(), DatabaseBackend):
        waiting = DBTaskResult.objects.filter(
            task_path=task.module_path, status=TaskResultStatus.READY
        ).exists()
        if waiting:
            return False
    (later(task, at) if at is not None else task).enqueue()
    return True
