"""The training figures of a unit's year, for the year's summary and assessment (yingji/assessment).

`year_figures(unit, year)` counts over the unit and every unit below it, in the calendar year of
Asia/Shanghai, and returns a dict with these keys (all ints):

- ``sessions_held``: sessions that took place (held or recorded; planned and cancelled ones do not count)
  at the unit or below, starting in the year;
- ``attendances``: attendances at those sessions (a person signed in, or marked present by the trainer);
- ``staff``: active people of the unit and below today;
- ``staff_trained``: of those, the people who attended at least one session in the year (at any unit).

Four queries, whatever the size of the subtree. It does not check who asks: the caller has already
decided that its reader sees `unit`."""

from datetime import date, datetime, time

from yingji.core import clock
from yingji.orgs.models import Person, Unit

from .models import TOOK_PLACE, Attendance, Session

KEYS = ("sessions_held", "attendances", "staff", "staff_trained")


def year_bounds(year: int) -> tuple[datetime, datetime]:
    return (
        datetime.combine(date(year, 1, 1), time.min, tzinfo=clock.SHANGHAI),
        datetime.combine(date(year + 1, 1, 1), time.min, tzinfo=clock.SHANGHAI),
    )


def year_figures(unit: Unit, year: int) -> dict[str, int]:
    start, end = year_bounds(year)
    held = Session.objects.filter(
        unit__path__startswith=unit.path, status__in=TOOK_PLACE, starts_at__gte=start, starts_at__lt=end
    )
    staff = Person.objects.filter(unit__path__startswith=unit.path, user__is_active=True)
    attended_in_year = Attendance.objects.filter(
        attended_at__isnull=False,
        session__status__in=TOOK_PLACE,
        session__starts_at__gte=start,
        session__starts_at__lt=end,
    )
    return {
        "sessions_held": held.count(),
        "attendances": attended_in_year.filter(session__in=held).count(),
        "staff": staff.count(),
        "staff_trained": staff.filter(pk__in=attended_in_year.values("person_id")).count(),
    }
