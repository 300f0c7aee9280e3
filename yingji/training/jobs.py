"""Training warnings, checked once a day by a job that schedules its own next run: a unit of a scheduled
type that has held no session of a kind its cadence (本行设定) wants in the current period is told when
the period is within YINGJI_TRAINING_WARN_DAYS of its end. Once per unit, kind and period. The telling
is the inspections' (yingji/security/coverage_jobs.py): the same people, the same once-only record."""

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from yingji.core import clock
from yingji.core.jobs import job, merged_jobs
from yingji.drills.compliance import Period, period_of
from yingji.notify.recipients import remembered
from yingji.orgs.models import Unit
from yingji.security.coverage_jobs import BANK_SETTING, already_warned, enqueue_once, next_run, warn_units

from . import coverage
from .models import Cadence

SUBJECT_TYPE = "training.coverage"


def check(*, now: datetime | None = None) -> int:
    """One day's check: how many warnings were sent (a unit behind on two kinds is told twice)."""
    now = now or clock.now()
    today = now.astimezone(clock.SHANGHAI).date()
    warned = 0
    with translation.override(settings.LANGUAGE_CODE), remembered(), merged_jobs():
        for cadences in coverage.schedule().values():
            for cadence in cadences:
                period = period_of(cadence.every_months, today)
                if period.days_left(today) > int(settings.YINGJI_TRAINING_WARN_DAYS):
                    continue
                key = f"{cadence.kind.code}-{period.key}"
                told_before = already_warned(SUBJECT_TYPE, key)
                behind = [u for u in coverage.not_held(cadence, period) if u.pk not in told_before]
                warned += warn_units(
                    subject_type=SUBJECT_TYPE,
                    units=behind,
                    today=today,
                    round_key=key,
                    compose=lambda unit, c=cadence, p=period: _message(unit, c, p, today),
                )
    return warned


def _message(unit: Unit, cadence: Cadence, period: Period, today) -> tuple[str, str, str]:
    left = period.days_left(today)
    title = _("Training due: %(unit)s has held no %(kind)s in %(period)s; %(days)s days left") % {
        "unit": unit.name,
        "kind": cadence.kind.name,
        "period": period.label,
        "days": left,
    }
    body = _(
        "%(period)s runs from %(start)s to %(end)s: %(days)s days left, today counted. %(type)s hold a "
        "%(kind)s every %(months)s months (%(setting)s)."
    ) % {
        "period": period.label,
        "start": period.start.isoformat(),
        "end": period.last_day.isoformat(),
        "days": left,
        "type": unit.get_type_display(),
        "kind": cadence.kind.name,
        "months": cadence.every_months,
        "setting": BANK_SETTING,
    }
    return title, body, f"{reverse('training:coverage')}?year={period.year}"


@job
def daily_check() -> str:
    try:
        warned = check()
    finally:
        schedule(at=next_run(clock.now(), settings.YINGJI_TRAINING_CHECK_HOUR))
    return f"warnings: {warned}"


def schedule(*, at: datetime | None = None) -> bool:
    return enqueue_once(daily_check, at=at)
