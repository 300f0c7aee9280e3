"""Loading the holiday table from the chinese-calendar package.

Used by the data migration (with historical models from `apps.get_model`), by `manage.py load_calendar`
and by the demo loader after a test emptied the database. It adds and updates, never deletes, and never
touches a day or a year staff entered."""

from datetime import date
from typing import Any

from chinese_calendar import constants as package

from . import clock

PACKAGE = "chinese-calendar"  # CalendarSource.PACKAGE; spelled out so historical models can use it

# The package's English holiday names → the names a clerk reads.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}
MAKE_UP_SUFFIX = "调休"


def chinese_name(english: str) -> str:
    if english in HOLIDAY_NAMES:
        return HOLIDAY_NAMES[english]
    known = {h.value: h.chinese for h in package.Holiday}
    return known.get(english, english)


def package_years() -> list[int]:
    return sorted({d.year for d in package.holidays} | {d.year for d in package.workdays})


def package_exceptions() -> dict[date, tuple[bool, str]]:
    """date → (is working day, name), only where the package departs from the Monday–Friday rule."""
    days: dict[date, tuple[bool, str]] = {}
    for d, english in package.holidays.items():
        if d.weekday() < 5:
            days[d] = (False, chinese_name(english))
    for d, english in package.workdays.items():
        if d.weekday() >= 5:
            days[d] = (True, chinese_name(english) + MAKE_UP_SUFFIX)
    return days


def sync_calendar_from_package(day_model: Any = None, year_model: Any = None, *, force: bool = False) -> int:
    """Bring the table up to the installed package; returns how many rows were added or changed.

    Without `force` it first counts (two cheap queries) and stops when every package year is recorded
    and the package's days are there; `force` compares every row (`manage.py load_calendar`)."""
    if day_model is None or year_model is None:
        from .models import CalendarDay, CalendarYear

        day_model, year_model = CalendarDay, CalendarYear
    years = package_years()
    wanted = package_exceptions()
    first, last = date(years[0], 1, 1), date(years[-1], 12, 31)
    if (
        not force
        and year_model.objects.filter(year__in=years).count() == len(years)
        and day_model.objects.filter(date__range=(first, last)).count() >= len(wanted)
    ):
        return 0
    changed = 0
    existing = {row.date: row for row in day_model.objects.filter(date__range=(first, last))}
    to_add, to_update = [], []
    for d, (working, name) in sorted(wanted.items()):
        row = existing.get(d)
        if row is None:
            to_add.append(day_model(date=d, is_working_day=working, name=name, source=PACKAGE))
        elif row.source == PACKAGE and (row.is_working_day, row.name) != (working, name):
            row.is_working_day, row.name = working, name
            to_update.append(row)
    # ignore_conflicts: two processes syncing at once must not fail on the unique date.
    day_model.objects.bulk_create(to_add, ignore_conflicts=True)
    day_model.objects.bulk_update(to_update, ["is_working_day", "name"])
    changed += len(to_add) + len(to_update)
    recorded = set(year_model.objects.filter(year__in=years).values_list("year", flat=True))
    new_years = [
        year_model(year=y, source=PACKAGE, recorded_at=clock.now()) for y in years if y not in recorded
    ]
    year_model.objects.bulk_create(new_years, ignore_conflicts=True)
    return changed + len(new_years)
