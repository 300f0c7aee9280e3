"""Staff extend the holiday table: a day at a time, then the year marked as published (covered).

The State Council publishes the next year's holidays each November; until the installed chinese-calendar
package has them, a head-office 应急管理员 enters them here."""

from datetime import date

from django.contrib.auth.models import AnonymousUser, User
from django.db import IntegrityError, transaction
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.orgs import visibility

from . import clock
from .errors import Conflict, InvalidInput, NotAllowed
from .models import CalendarDay, CalendarSource, CalendarYear

FIRST_YEAR, LAST_YEAR = 2000, 2100
NAME_MAX = CalendarDay._meta.get_field("name").max_length


def can_edit_calendar(user: User | AnonymousUser) -> bool:
    """A head-office 应急管理员, or a superuser."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or (visibility.is_emergency_admin(user) and visibility.is_head_office(user))


def _require_edit(actor: User | AnonymousUser) -> None:
    if not can_edit_calendar(actor):
        raise NotAllowed(_("Only an emergency administrator of the head office can change the calendar."))


def _check_year(year: int, field: str) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        message = _("Enter a year from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
        raise InvalidInput(message, fields={field: message})


def set_calendar_day(*, actor: User, date: date, is_working_day: bool, name: str) -> CalendarDay:
    """Record `date` as a day off (a statutory holiday on a weekday) or a working day (a 调休 make-up
    day on a weekend), or change a day already in the table (it then stays as staff set it, whatever a
    later package load says). A day not in the table that already is what its weekday says is refused:
    there is nothing to record."""
    _require_edit(actor)
    _check_year(date.year, "date")
    name = (name or "").strip()
    if not name:
        message = _("Give the day a name, such as 国庆节 or 国庆节调休.")
        raise InvalidInput(message, fields={"name": message})
    if len(name) > NAME_MAX:
        message = _("The name can have at most %(n)s characters.") % {"n": NAME_MAX}
        raise InvalidInput(message, fields={"name": message})
    try:
        with transaction.atomic():
            row = CalendarDay.objects.select_for_update().filter(date=date).first()
            previous = _as_data(row) if row is not None else None
            if row is None:
                if is_working_day == (date.weekday() < 5):
                    message = (
                        _("%(date)s is a %(weekday)s and so already a working day; nothing to record.")
                        if is_working_day
                        else _("%(date)s is a %(weekday)s and so already a rest day; nothing to record.")
                    ) % {"date": f"{date:%Y-%m-%d}", "weekday": WEEKDAYS[date.weekday()]}
                    raise InvalidInput(message, fields={"is_working_day": message})
                row = CalendarDay.objects.create(
                    date=date, is_working_day=is_working_day, name=name, source=CalendarSource.STAFF
                )
            else:
                row.is_working_day, row.name, row.source = is_working_day, name, CalendarSource.STAFF
                row.save(update_fields=["is_working_day", "name", "source"])
            audit.record(
                actor=actor,
                action="calendar.day_set",
                obj=row,
                data={"date": date, "is_working_day": is_working_day, "name": name, "previous": previous},
            )
    except IntegrityError as exc:  # the same day entered by two people at once
        raise Conflict() from exc
    return row


def mark_year_covered(*, actor: User, year: int) -> CalendarYear:
    """Declare that every holiday and make-up day of `year` is in the table: from now on the table,
    not the weekends alone, decides that year's working days."""
    _require_edit(actor)
    _check_year(year, "year")
    with transaction.atomic():
        if CalendarYear.objects.filter(year=year).exists():
            message = _("%(year)s is already published.") % {"year": year}
            raise InvalidInput(message, fields={"year": message})
        holidays = CalendarDay.objects.filter(date__year=year, is_working_day=False).count()
        if holidays == 0:
            message = _("Enter the holidays of %(year)s before publishing it.") % {"year": year}
            raise InvalidInput(message, fields={"year": message})
        try:
            with transaction.atomic():
                covered = CalendarYear.objects.create(
                    year=year, source=CalendarSource.STAFF, recorded_at=clock.now(), recorded_by=actor
                )
        except IntegrityError as exc:  # published by someone else a moment ago
            raise Conflict() from exc
        audit.record(
            actor=actor,
            action="calendar.year_covered",
            obj=covered,
            data={
                "year": year,
                "holidays": holidays,
                "working_days": CalendarDay.objects.filter(date__year=year, is_working_day=True).count(),
            },
        )
    return covered


def _as_data(row: CalendarDay) -> dict:
    return {"is_working_day": row.is_working_day, "name": row.name, "source": row.source}
