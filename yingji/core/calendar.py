"""Working days and lawful periods, in Asia/Shanghai.

Monday to Friday are working days and Saturday and Sunday rest days, except the days in the holiday
table (`CalendarDay`: statutory holidays on weekdays, 调休 make-up working days on weekends). A year is
used from the table only when it is covered (`CalendarYear`); for any other year weekends alone are
rest days, and every result says which such years it touched (`Due.uncovered_years`).

Periods follow the Civil Code (民法典):
- art. 201: the day a period starts is not counted; counting begins the next day;
- art. 203: the period ends at 24:00 of its last day; a last day that is a statutory holiday (or any
  rest day) gives way to the first working day after it.

Each function reads the table once (one query for the whole date range it needs) and is otherwise
pure; nothing is cached between calls, so a day staff just entered counts at once."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import CharField, DateField, Value
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from .clock import SHANGHAI
from .models import CalendarDay, CalendarYear

ONE_DAY = timedelta(days=1)
# More consecutive rest days than any Chinese holiday has had (the longest, Spring Festival 2020, was 10).
_REST_RUN = 31


@dataclass(frozen=True)
class Due:
    at: datetime  # aware; the instant the period ends (24:00 local of the last day = 00:00 of the next)
    last_day: date  # the local date whose 24:00 ends it
    rule: str  # how it was counted, in the reader's language, from the actual dates
    moved_from: date | None = None  # the original last day, when it was a rest day and the end moved
    uncovered_years: tuple[int, ...] = ()  # years touched that the table does not cover (weekends only)


class _Table:
    """The exceptions and covered years of a date range, read in one query, extended if a count runs
    past it (it does not in practice: the range is chosen with room to spare)."""

    def __init__(self, first: date, last: date) -> None:
        self.days: dict[date, tuple[bool, str]] = {}
        self.covered: set[int] = set()
        self.first, self.last = first, first - ONE_DAY
        self._load(first, last)

    def _load(self, first: date, last: date) -> None:
        # One query for both tables: the covered years come back as rows with no date and the year in
        # the name column.
        days = (
            CalendarDay.objects.filter(date__range=(first, last))
            .order_by()
            .values_list("date", "is_working_day", "name")
        )
        years = (
            CalendarYear.objects.filter(year__range=(first.year, last.year))
            .order_by()
            .values_list(
                Value(None, output_field=DateField()), Value(False), Cast("year", output_field=CharField())
            )
        )
        for d, working, name in days.union(years, all=True).order_by():
            if d is None:
                self.covered.add(int(name))
            else:
                self.days[d] = (working, name)
        self.first, self.last = min(self.first, first), max(self.last, last)

    def _ensure(self, d: date) -> None:
        if d > self.last:
            self._load(self.last + ONE_DAY, max(d, self.last + timedelta(days=366)))
        elif d < self.first:
            self._load(d, self.first - ONE_DAY)

    def is_working_day(self, d: date) -> bool:
        self._ensure(d)
        if d.year in self.covered and d in self.days:
            return self.days[d][0]
        return d.weekday() < 5

    def holiday_name(self, d: date) -> str | None:
        """The name of a statutory holiday on `d` from a covered year, else None."""
        self._ensure(d)
        entry = self.days.get(d)
        if entry is None or entry[0] or d.year not in self.covered:
            return None
        return entry[1]

    def uncovered(self, first: date, last: date) -> tuple[int, ...]:
        self._ensure(first)
        self._ensure(last)
        return tuple(y for y in range(first.year, last.year + 1) if y not in self.covered)


def is_working_day(d: date) -> bool:
    """One query. A covered year's table decides; otherwise Monday to Friday."""
    return _Table(d, d).is_working_day(d)


def year_covered(year: int) -> bool:
    """One query."""
    return CalendarYear.objects.filter(year=year).exists()


def legal_period_end(start: datetime, days: int) -> Due:
    """A period of `days` calendar days from `start` (民法典 第二百零一条、第二百零三条). One query."""
    begin = _local_date(start)
    _check_days(days)
    original = begin + timedelta(days=days)
    table = _Table(original, original + timedelta(days=_REST_RUN))
    last = original
    while not table.is_working_day(last):
        last += ONE_DAY
    uncovered = table.uncovered(original, last)
    values = {"start": _fmt(begin), "days": days, "last_day": _fmt(last), "original": _fmt(original)}
    if last == original:
        rule = (
            _(
                "The day of receipt (%(start)s) is not counted; counted from the next day, "
                "%(days)s days end at 24:00 on %(last_day)s."
            )
            % values
        )
    else:
        rule = _(
            "The day of receipt (%(start)s) is not counted; counted from the next day, day %(days)s "
            "is %(original)s, %(reason)s; a period whose last day is a statutory holiday or rest day "
            "ends on the first working day after it, so it ends at 24:00 on %(last_day)s."
        ) % (values | {"reason": _rest_reason(table, original, last)})
    return Due(
        at=_end_of(last),
        last_day=last,
        rule=rule + _uncovered_note(uncovered),
        moved_from=None if last == original else original,
        uncovered_years=uncovered,
    )


def working_days_end(start: datetime, days: int) -> Due:
    """The `days`-th working day after the day of `start` (not counted), ending at its 24:00. One query."""
    begin = _local_date(start)
    _check_days(days)
    # 1.5 calendar days per working day covers weekends and a year's holidays, with a month to spare.
    table = _Table(begin + ONE_DAY, begin + timedelta(days=days * 3 // 2 + _REST_RUN))
    d, counted, skipped, names = begin, 0, 0, []
    while counted < days:
        d += ONE_DAY
        if table.is_working_day(d):
            counted += 1
        else:
            skipped += 1
            name = table.holiday_name(d)
            if name and name not in names:
                names.append(name)
    uncovered = table.uncovered(begin + ONE_DAY, d)
    values = {"start": _fmt(begin), "days": days, "last_day": _fmt(d), "skipped": skipped}
    rule = (
        _(
            "The day of receipt (%(start)s) is not counted; working day %(days)s after it is "
            "%(last_day)s, ending at 24:00."
        )
        % values
    )
    if skipped:
        rule += (
            _(" %(skipped)s rest days were skipped, including the holidays %(names)s.")
            % (values | {"names": "、".join(names)})
            if names
            else _(" %(skipped)s rest days were skipped.") % values
        )
    return Due(at=_end_of(d), last_day=d, rule=rule + _uncovered_note(uncovered), uncovered_years=uncovered)


def clock_hours_end(start: datetime, hours: int) -> Due:
    """`hours` hours of plain clock time; rest days are not skipped. No query."""
    if timezone.is_naive(start):
        raise ValueError("clock_hours_end() needs an aware datetime")
    if hours < 1:
        raise ValueError("a period needs at least one hour")
    at = (start + timedelta(hours=hours)).astimezone(SHANGHAI)
    # An end at 00:00 is 24:00 of the day before, as for the other periods.
    last = (at - timedelta(microseconds=1)).date()
    rule = _(
        "Counted in clock time: %(hours)s hours from %(start)s, until %(end)s; rest days and holidays are "
        "not skipped."
    ) % {
        "hours": hours,
        "start": start.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
        "end": _fmt_instant(at),
    }
    return Due(at=at, last_day=last, rule=rule)


def covered_years() -> list[int]:
    return list(CalendarYear.objects.order_by("year").values_list("year", flat=True))


def _local_date(start: datetime) -> date:
    if timezone.is_naive(start):
        raise ValueError("a period needs an aware start")
    return start.astimezone(SHANGHAI).date()


def _check_days(days: int) -> None:
    if days < 1:
        raise ValueError("a period needs at least one day")


def _end_of(last: date) -> datetime:
    return datetime.combine(last + ONE_DAY, time(0), tzinfo=SHANGHAI)


def _fmt(d: date) -> str:
    return d.strftime("%Y-%m-%d")


def _fmt_instant(at: datetime) -> str:
    local = at.astimezone(SHANGHAI)
    if local.time() == time(0):
        return f"{_fmt(local.date() - ONE_DAY)} 24:00"
    return local.strftime("%Y-%m-%d %H:%M")


def _rest_reason(table: _Table, original: date, last: date) -> str:
    """Why `original` was not a working day: its holiday, or its weekday and the holidays around it."""
    name = table.holiday_name(original)
    if name:
        return _("a statutory holiday (%(name)s)") % {"name": name}
    weekday = WEEKDAYS[original.weekday()]
    run = (original + timedelta(days=i) for i in range((last - original).days))
    names = list(dict.fromkeys(n for d in run if (n := table.holiday_name(d))))
    if names:
        return _("a rest day (%(weekday)s, in the %(names)s holidays)") % {
            "weekday": weekday,
            "names": "、".join(names),
        }
    return _("a rest day (%(weekday)s)") % {"weekday": weekday}


def _uncovered_note(years: tuple[int, ...]) -> str:
    if not years:
        return ""
    return _(
        " The holidays of %(years)s are not in the calendar yet: only weekends were taken as rest days."
    ) % {"years": "、".join(str(y) for y in years)}
