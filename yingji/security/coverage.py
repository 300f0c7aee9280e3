"""Coverage of the inspection schedule: each unit type inspected every so many months as head office
set it (`schedule()`, 本行设定; seed 001 says 每季度、每月), shown as units × periods with the inspections
done, the items failed, and the rectifications still open and overdue. Periods are the drills' calendar
periods."""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Q

from yingji.core import clock
from yingji.corrective.models import RUNNING, CorrectiveAction, SourceType
from yingji.drills.compliance import Period, period_of, periods
from yingji.orgs import visibility
from yingji.orgs.models import Unit, UnitType
from yingji.orgs.visibility import Viewer

from .models import Inspection, InspectionSchedule, ItemResult, Result, Status


def schedule() -> dict[str, int]:
    """Unit type → months between inspections, as the bank set it: head office's rows
    (`InspectionSchedule`, the schedule page) over the defaults of YINGJI_INSPECTION_EVERY_MONTHS."""
    found = {t: int(m) for t, m in settings.YINGJI_INSPECTION_EVERY_MONTHS.items()}
    found |= dict(InspectionSchedule.objects.values_list("unit_type", "every_months"))
    return {t: m for t, m in found.items() if m > 0}


@dataclass
class Cell:
    done: int = 0
    failed: int = 0
    open: int = 0
    overdue: int = 0
    current: bool = False
    past: bool = False

    @property
    def missed(self) -> bool:
        return self.past and not self.done


@dataclass
class Row:
    unit: Unit
    cells: list[Cell] = field(default_factory=list)


@dataclass
class Matrix:
    unit_type: str
    type_label: str
    every_months: int
    periods: list[Period]
    rows: list[Row]


def _index(period_list: list[Period], moment: datetime) -> int | None:
    day = moment.astimezone(clock.SHANGHAI).date()
    for n, p in enumerate(period_list):
        if p.start <= day < p.end:
            return n
    return None


def matrices(viewer: Viewer, *, year: int, now: datetime | None = None) -> list[Matrix]:
    now = now or clock.now()
    today = now.astimezone(clock.SHANGHAI).date()
    found: list[Matrix] = []
    plan = schedule()
    units = list(
        visibility.visible(Unit.objects.filter(type__in=list(plan), is_active=True), viewer, "").order_by(
            "path"
        )
    )
    if not units:
        return found
    ids = [u.pk for u in units]
    year_q = Q(inspector_signed_at__year=year) | Q(inspector_signed_at__isnull=True, started_at__year=year)
    done = list(
        Inspection.objects.filter(year_q, unit_id__in=ids)
        .exclude(status=Status.CONDUCTING)
        .values_list("unit_id", "inspector_signed_at")
    )
    failed = list(
        ItemResult.objects.filter(
            inspection__unit_id__in=ids, inspection__inspector_signed_at__year=year, result=Result.FAIL
        ).values_list("inspection__unit_id", "inspection__inspector_signed_at")
    )
    actions = list(
        CorrectiveAction.objects.filter(
            unit_id__in=ids,
            status__in=RUNNING,
            findings__source_type=SourceType.INSPECTION,
            findings__found_at__year=year,
        )
        .distinct()
        .values_list("unit_id", "findings__found_at", "due_at")
    )
    for unit_type, months in plan.items():
        period_list = periods(months, year)
        rows = {u.pk: Row(u, [Cell() for _ in period_list]) for u in units if u.type == unit_type}
        if not rows:
            continue
        for row in rows.values():
            for n, p in enumerate(period_list):
                row.cells[n].current = p.start <= today < p.end
                row.cells[n].past = p.end <= today
        for unit_id, at in done:
            if unit_id in rows and at and (n := _index(period_list, at)) is not None:
                rows[unit_id].cells[n].done += 1
        for unit_id, at in failed:
            if unit_id in rows and at and (n := _index(period_list, at)) is not None:
                rows[unit_id].cells[n].failed += 1
        for unit_id, found_at, due_at in actions:
            if unit_id in rows and (n := _index(period_list, found_at)) is not None:
                rows[unit_id].cells[n].open += 1
                rows[unit_id].cells[n].overdue += int(due_at < now)
        found.append(Matrix(unit_type, UnitType(unit_type).label, months, period_list, list(rows.values())))
    return found


def not_inspected(unit_type: str, period: Period) -> list[Unit]:
    """Active units of this type with no signed inspection in `period` (for the daily warning)."""
    units = list(Unit.objects.filter(type=unit_type, is_active=True).order_by("path"))
    done = set(
        Inspection.objects.filter(
            unit__in=units,
            inspector_signed_at__gte=period.starts_at(),
            inspector_signed_at__lt=period.ends_at(),
        ).values_list("unit_id", flat=True)
    )
    return [u for u in units if u.pk not in done]


def current_period(unit_type: str, now: datetime) -> Period | None:
    months = schedule().get(unit_type)
    if not months:
        return None
    return period_of(months, now.astimezone(clock.SHANGHAI).date())
