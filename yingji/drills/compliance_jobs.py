"""Drill compliance warnings, checked once a day by a job that schedules its own next run.

- A unit that has not drilled in the current period of a requirement is told when the period is within
  the requirement's `warn_days` of its end: its head, today's 带班领导 and its 应急管理员
  (notify.recipients_on, as corrective actions tell a unit). Once per unit and period: the notices sent
  are the record (their key names the requirement, the period and the unit), so a run the next day, or
  twice the same day, tells nobody again, even a 带班领导 who was not on duty the first time.
- The plans in force that no drill has drawn for YINGJI_PLAN_DRILL_MONTHS months (or ever) are news for
  head office's 应急管理员: one notice listing them, once each calendar quarter while any stays so.

Every warning says which period, how many days are left and the requirement, marked 本行设定.

The job is started by `load_drill_templates` (which `make run` calls) or `check_drill_compliance
--schedule`; each run enqueues the next for the following day at YINGJI_DRILL_CHECK_HOUR, unless a run is
already waiting, so restarts and retries never make two chains."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from yingji.core import clock
from yingji.core.jobs import job, later, merged_jobs
from yingji.notify import rulebook
from yingji.notify import services as notify
from yingji.notify.models import Notice
from yingji.notify.recipients import read_ahead, recipients_on, remembered
from yingji.orgs.models import Position, PositionCode, Unit, UnitType

from . import compliance
from .compliance import Period

UNIT_SUBJECT = "drills.requirement"
PLAN_SUBJECT = "drills.plan"
BANK_SETTING = "本行设定"


def check(*, now: datetime | None = None) -> dict[str, int]:
    """One day's check: the units and plans warned (people told), how many of each."""
    now = now or clock.now()
    with translation.override(settings.LANGUAGE_CODE), remembered(), merged_jobs():
        units = _warn_units(now)
        plans = _warn_plans(now)
    return {"units": units, "plans": plans}


def _admin_position() -> list[Position]:
    return list(Position.objects.filter(code=PositionCode.EMERGENCY_ADMIN))


def _compliance_url(year: int) -> str:
    return f"{reverse('drills:compliance')}?year={year}"


def _round(period: Period, unit: Unit) -> str:
    return f"{period.key}-u{unit.pk}"


def _warn_units(now: datetime) -> int:
    today = now.astimezone(clock.SHANGHAI).date()
    due: list[tuple] = []
    for requirement in compliance.requirements_in_force():
        period = compliance.period_of(requirement.every_months, today)
        if period.days_left(today) <= requirement.warn_days:
            due.append((requirement, period))
    if not due:
        return 0
    types = {r.unit_type for r, _p in due}
    units = list(Unit.objects.filter(type__in=types, is_active=True).order_by("path"))
    window = (min(p.starts_at() for _r, p in due), max(p.ends_at() for _r, p in due))
    ran = compliance.drills_run(between=window, within=Q())
    positions = _admin_position()
    rules = rulebook.current()
    warned = 0
    for requirement, period in due:
        told_before = set(
            Notice.objects.filter(
                subject_type=UNIT_SUBJECT,
                subject_id=requirement.pk,
                key__startswith=f"{UNIT_SUBJECT}:{requirement.pk}:{period.key}-u",
            ).values_list("unit_id", flat=True)
        )
        behind = [
            u
            for u in units
            if u.type == requirement.unit_type
            and u.pk not in told_before
            and not ran.drilled(u.pk, period, requirement.plan_id)
        ]
        read_ahead(behind, today)
        for unit in behind:
            told = recipients_on([unit.acting_unit], positions=positions, on_date=today)
            if told and _tell_unit(requirement, period, unit, told, today, rules):
                warned += 1
    return warned


def _tell_unit(requirement, period: Period, unit: Unit, told, today, rules) -> bool:
    left = period.days_left(today)
    words = {"unit": unit.name, "period": period.label, "days": left}
    title = _("Drill due: %(unit)s has not drilled in %(period)s; %(days)s days left") % words
    body = _(
        "%(period)s runs from %(start)s to %(end)s: %(days)s days left, today counted. Requirement "
        "(%(setting)s): %(requirement)s."
    ) % {
        "period": period.label,
        "start": period.start.isoformat(),
        "end": period.last_day.isoformat(),
        "days": left,
        "setting": BANK_SETTING,
        "requirement": compliance.describe(requirement),
    }
    with transaction.atomic():
        sent = notify.notify(
            subject=notify.Subject(
                UNIT_SUBJECT, requirement.pk, unit, title[:200], body, _compliance_url(period.year)
            ),
            recipients=told,
            ack_minutes=None,
            round_key=_round(period, unit),
            rules=rules,
        )
    return bool(sent)


def _warn_plans(now: datetime) -> int:
    """One notice a quarter listing every plan in force not drilled for too long: at the first run, with
    no drill yet, that is every plan of the library, which one notice says better than forty."""
    rows = [r for r in compliance.plans_matrix(within=Q(), now=now) if r.stale]
    head_office = Unit.objects.filter(depth=1, type=UnitType.HEAD_OFFICE).order_by("path").first()
    if not rows or head_office is None:
        return 0
    today = now.astimezone(clock.SHANGHAI).date()
    quarter = compliance.period_of(3, today)
    round_key = f"stale-{quarter.key}"
    if Notice.objects.filter(
        subject_type=PLAN_SUBJECT,
        subject_id=head_office.pk,
        key__startswith=f"{PLAN_SUBJECT}:{head_office.pk}:{round_key}:",
    ).exists():
        return 0
    admins = [
        r
        for r in recipients_on([head_office], positions=_admin_position(), on_date=today)
        if r.person.holds(PositionCode.EMERGENCY_ADMIN)
    ]
    if not admins:
        return 0
    months = compliance.plan_limit_months()
    lines = []
    for row in rows:
        if row.last_drilled_at is None:
            last = _("never drilled")
        else:
            last = _("last drilled on %(date)s") % {
                "date": row.last_drilled_at.astimezone(clock.SHANGHAI).date().isoformat()
            }
        lines.append(f"· {row.plan}: {last}")
    words = {"n": len(rows), "months": months}
    title = _("%(n)s plans in force not drilled for %(months)s months") % words
    body = (
        _(
            "Every plan in force is drilled at least every %(months)s months (%(setting)s). Reminded once in "
            "%(period)s, %(days)s days left in it."
        )
        % {**words, "setting": BANK_SETTING, "period": quarter.label, "days": quarter.days_left(today)}
        + "\n"
        + "\n".join(lines)
    )
    with transaction.atomic():
        sent = notify.notify(
            subject=notify.Subject(
                PLAN_SUBJECT, head_office.pk, head_office, title[:200], body, _compliance_url(today.year)
            ),
            recipients=admins,
            ack_minutes=None,
            round_key=round_key,
        )
    return len(rows) if sent else 0


# --- The daily run ---------------------------------------------------------------------------------


def next_run(now: datetime) -> datetime:
    """Tomorrow at YINGJI_DRILL_CHECK_HOUR, Asia/Shanghai (本行设定)."""
    tomorrow = now.astimezone(clock.SHANGHAI).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(settings.YINGJI_DRILL_CHECK_HOUR), tzinfo=clock.SHANGHAI)


@job
def daily_check() -> str:
    try:
        counts = check()
    finally:
        schedule(at=next_run(clock.now()))
    return f"units warned: {counts['units']}, plans warned: {counts['plans']}"


def schedule(*, at: datetime | None = None) -> bool:
    """Enqueue the daily check (at once, or at `at`) unless one is already waiting; True if enqueued."""
    if isinstance(daily_check.get_backend(), DatabaseBackend):
        waiting = DBTaskResult.objects.filter(
            task_path=daily_check.module_path, status=TaskResultStatus.READY
        ).exists()
        if waiting:
            return False
    (later(daily_check, at) if at is not None else daily_check).enqueue()
    return True
