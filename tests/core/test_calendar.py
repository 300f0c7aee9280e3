"""Deadlines in working days and lawful periods (民法典 第二百零一条、第二百零三条), in Asia/Shanghai,
from the holiday table the chinese-calendar package fills and staff extend."""

from datetime import UTC, date, datetime, time, timedelta

import chinese_calendar
import pytest
from django.core.management import call_command
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yingji.core.calendar import (
    Due,
    clock_hours_end,
    is_working_day,
    legal_period_end,
    working_days_end,
    year_covered,
)
from yingji.core.calendar_data import package_exceptions, package_years, sync_calendar_from_package
from yingji.core.clock import SHANGHAI
from yingji.core.models import CalendarDay, CalendarSource, CalendarYear
from yingji.core.services_calendar import mark_year_covered, set_calendar_day

# The first year the installed package does not cover (2027 with chinese-calendar 1.11).
BEYOND = package_years()[-1] + 1


def local(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def end_of(d: date) -> datetime:
    return datetime.combine(d + timedelta(days=1), time(0), tzinfo=SHANGHAI)


def official_working_day(d: date) -> bool:
    """The package's own answer, independent of the table; weekends only beyond it."""
    return chinese_calendar.is_workday(d) if d.year < BEYOND else d.weekday() < 5


# --- properties over every start in 2024–2026 --------------------------------------------------------

starts = st.builds(
    lambda d, t: datetime.combine(d, t, tzinfo=SHANGHAI),
    st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)),
    st.times(),
)
settled = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@settled
@given(start=starts, days=st.integers(min_value=1, max_value=60))
def test_a_legal_period_ends_on_the_first_working_day_from_its_last_calendar_day(demo, start, days):
    due = legal_period_end(start, days)
    nominal = start.date() + timedelta(days=days)
    assert due.last_day >= nominal
    assert official_working_day(due.last_day)
    if official_working_day(nominal):
        assert due.last_day == nominal and due.moved_from is None
    else:
        assert due.moved_from == nominal
    between = [nominal + timedelta(days=i) for i in range(1, (due.last_day - nominal).days)]
    assert not any(official_working_day(d) for d in between)
    assert due.at == end_of(due.last_day) and due.at > start
    assert due.uncovered_years == ((BEYOND,) if due.last_day.year == BEYOND else ())


@settled
@given(start=starts, days=st.integers(min_value=1, max_value=40))
def test_n_working_days_end_on_the_nth_working_day_after_the_start_day(demo, start, days):
    due = working_days_end(start, days)
    span = [start.date() + timedelta(days=i) for i in range(1, (due.last_day - start.date()).days + 1)]
    assert sum(official_working_day(d) for d in span) == days
    assert official_working_day(due.last_day)
    assert due.at == end_of(due.last_day) and due.moved_from is None
    assert due.uncovered_years == ((BEYOND,) if due.last_day.year == BEYOND else ())


@settled
@given(d=st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)))
def test_the_table_agrees_with_the_package_day_by_day(demo, d):
    assert is_working_day(d) == chinese_calendar.is_workday(d)


# --- readable examples -------------------------------------------------------------------------------


def test_fifteen_days_from_the_eve_of_national_day_end_on_a_working_wednesday(demo):
    due = legal_period_end(local(2025, 9, 30, 15), 15)
    assert due.last_day == date(2025, 10, 15) and due.last_day.weekday() == 2
    assert due.moved_from is None and due.uncovered_years == ()
    assert due.at == local(2025, 10, 16, 0)
    with translation.override("en"):
        rule = legal_period_end(local(2025, 9, 30, 15), 15).rule
    assert "(2025-09-30) is not counted" in rule and "24:00 on 2025-10-15" in rule


def test_a_last_day_in_the_national_day_holiday_moves_to_the_first_working_day_after_it(demo):
    """2025: 10-01 to 10-08 off (with 中秋节 on 10-06); 09-28 (Sun) and 10-11 (Sat) are make-up days."""
    with translation.override("en"):
        on_sunday = legal_period_end(local(2025, 9, 20), 15)  # day 15 is Sunday 10-05
        on_wednesday = legal_period_end(local(2025, 9, 23), 15)  # day 15 is Wednesday 10-08, a holiday
    assert (on_sunday.moved_from, on_sunday.last_day) == (date(2025, 10, 5), date(2025, 10, 9))
    assert "2025-10-05" in on_sunday.rule and "24:00 on 2025-10-09" in on_sunday.rule
    assert "国庆节" in on_sunday.rule
    assert (on_wednesday.moved_from, on_wednesday.last_day) == (date(2025, 10, 8), date(2025, 10, 9))
    assert "a statutory holiday (国庆节)" in on_wednesday.rule


def test_a_period_ending_on_a_make_up_saturday_is_not_moved(demo):
    assert chinese_calendar.is_workday(date(2025, 10, 11)) and date(2025, 10, 11).weekday() == 5
    due = legal_period_end(local(2025, 9, 26), 15)
    assert due.last_day == date(2025, 10, 11) and due.moved_from is None


def test_spring_festival_2026(demo):
    # What the package says, checked here so a corrected package shows up as this test failing first.
    assert all(chinese_calendar.is_holiday(date(2026, 2, d)) for d in range(15, 24))
    assert chinese_calendar.is_workday(date(2026, 2, 14)) and chinese_calendar.is_workday(date(2026, 2, 28))
    assert chinese_calendar.is_workday(date(2026, 2, 24))

    in_holiday = legal_period_end(local(2026, 2, 5), 15)  # day 15 is Friday 02-20, 春节
    assert (in_holiday.moved_from, in_holiday.last_day) == (date(2026, 2, 20), date(2026, 2, 24))
    assert legal_period_end(local(2026, 1, 30), 15).last_day == date(2026, 2, 14)  # make-up Saturday
    assert legal_period_end(local(2026, 2, 13), 15).last_day == date(2026, 2, 28)  # make-up Saturday
    # From Friday 02-13: 02-14 (make-up Sat) is working day 1, 02-24 day 2 … 02-28 (make-up Sat) day 6.
    assert working_days_end(local(2026, 2, 13), 6).last_day == date(2026, 2, 28)


def test_five_working_days_across_national_day_2024(demo):
    """2024: 10-01 to 10-07 off; 09-29 (Sun) and 10-12 (Sat) are make-up working days."""
    with translation.override("en"):
        before = working_days_end(local(2024, 9, 27, 16), 5)
    assert before.last_day == date(2024, 10, 10)  # 09-29, 09-30, 10-08, 10-09, 10-10
    assert "国庆节" in before.rule and "2024-10-10" in before.rule
    assert working_days_end(local(2024, 9, 30, 9), 5).last_day == date(2024, 10, 12)  # ends on make-up Sat


def test_the_day_is_the_local_day_in_shanghai_not_the_utc_day(demo):
    late = datetime(2025, 9, 30, 15, 59, tzinfo=UTC)  # 23:59 on 09-30 in Shanghai
    early = datetime(2025, 9, 30, 16, 1, tzinfo=UTC)  # 00:01 on 10-01 in Shanghai, still 09-30 in UTC
    assert late.astimezone(SHANGHAI).time() == time(23, 59)
    assert legal_period_end(late, 15).last_day == date(2025, 10, 15)
    assert legal_period_end(early, 15).last_day == date(2025, 10, 16)
    assert working_days_end(late, 1).last_day == date(2025, 10, 9)
    assert working_days_end(early, 1).last_day == date(2025, 10, 9)
    assert working_days_end(local(2025, 10, 8, 23, 59), 1).last_day == date(2025, 10, 9)
    assert working_days_end(local(2025, 10, 9, 0, 1), 1).last_day == date(2025, 10, 10)


def test_a_year_beyond_the_table_uses_weekends_only_and_says_so(demo):
    assert not year_covered(BEYOND) and year_covered(BEYOND - 1)
    first_monday = next(date(BEYOND, 3, d) for d in range(1, 8) if date(BEYOND, 3, d).weekday() == 0)
    with translation.override("en"):
        due = working_days_end(local(first_monday.year, first_monday.month, first_monday.day), 5)
    assert due.last_day == first_monday + timedelta(days=7)
    assert due.uncovered_years == (BEYOND,)
    assert f"holidays of {BEYOND} are not in the calendar yet" in due.rule
    # A saturday end moves to the Monday, as far as weekends go.
    saturday = first_monday + timedelta(days=5)
    start = local(first_monday.year, first_monday.month, first_monday.day) - timedelta(days=10)
    assert legal_period_end(start, (saturday - start.date()).days).last_day == first_monday + timedelta(
        days=7
    )
    # The start may lie in a covered year; only the years the count reached are named.
    assert legal_period_end(local(BEYOND - 1, 12, 20), 20).uncovered_years == (BEYOND,)


def test_a_day_staff_add_counts_at_once(hq_duty):
    start = local(2026, 3, 1)  # Sunday; day 15 is Monday 03-16
    assert legal_period_end(start, 15).last_day == date(2026, 3, 16)
    set_calendar_day(actor=hq_duty.user, date=date(2026, 3, 16), is_working_day=False, name="临时假日")
    due = legal_period_end(start, 15)
    assert (due.moved_from, due.last_day) == (date(2026, 3, 16), date(2026, 3, 17))
    assert working_days_end(local(2026, 3, 13), 1).last_day == date(2026, 3, 17)


def test_days_of_an_unpublished_year_count_once_it_is_published(hq_duty):
    new_year = date(BEYOND, 1, 1) + timedelta(days=(7 - date(BEYOND, 1, 1).weekday()) % 7)  # first Monday
    start = local(new_year.year, new_year.month, new_year.day) - timedelta(days=3)
    set_calendar_day(actor=hq_duty.user, date=new_year, is_working_day=False, name="元旦")
    assert legal_period_end(start, 3).last_day == new_year  # not published: weekends only
    mark_year_covered(actor=hq_duty.user, year=BEYOND)
    due = legal_period_end(start, 3)
    assert due.last_day == new_year + timedelta(days=1) and due.uncovered_years == ()


def test_clock_hours_run_through_holidays(demo):
    with translation.override("en"):
        due = clock_hours_end(local(2025, 9, 30, 15, 30), 24)
        midnight = clock_hours_end(local(2025, 9, 30, 0, 0), 24)
    assert due.at == local(2025, 10, 1, 15, 30) and due.last_day == date(2025, 10, 1)
    assert "clock time" in due.rule and "2025-10-01 15:30" in due.rule
    assert midnight.at == local(2025, 10, 1, 0, 0) and midnight.last_day == date(2025, 9, 30)
    assert "2025-09-30 24:00" in midnight.rule


def test_a_period_needs_an_aware_start_and_a_positive_length(demo):
    with pytest.raises(ValueError):
        legal_period_end(datetime(2025, 9, 30, 10), 15)
    with pytest.raises(ValueError):
        working_days_end(local(2025, 9, 30), 0)
    with pytest.raises(ValueError):
        clock_hours_end(local(2025, 9, 30), 0)


def test_each_calculation_reads_the_table_once(demo, django_assert_num_queries):
    with django_assert_num_queries(1):
        legal_period_end(local(2025, 9, 20), 15)
    with django_assert_num_queries(1):
        working_days_end(local(2025, 9, 20), 60)
    with django_assert_num_queries(1):
        working_days_end(local(2025, 1, 2), 250)  # a whole year of working days
    with django_assert_num_queries(1):
        is_working_day(date(2025, 10, 11))
    with django_assert_num_queries(1):
        year_covered(2025)
    with django_assert_num_queries(0):
        clock_hours_end(local(2025, 9, 20), 72)


def test_due_is_a_frozen_value(demo):
    due = legal_period_end(local(2025, 9, 30), 15)
    assert isinstance(due, Due)
    with pytest.raises(AttributeError):
        due.last_day = date(2025, 1, 1)  # type: ignore[misc]


# --- loading the table -------------------------------------------------------------------------------


def test_the_table_holds_every_package_year_and_only_the_exceptions(demo):
    assert set(CalendarYear.objects.values_list("year", flat=True)) >= set(package_years())
    rows = CalendarDay.objects.filter(source=CalendarSource.PACKAGE)
    assert rows.count() == len(package_exceptions())
    assert all(row.is_working_day == (row.date.weekday() >= 5) for row in rows)
    national_day = CalendarDay.objects.get(date=date(2025, 10, 8))
    assert (national_day.is_working_day, national_day.name) == (False, "国庆节")
    assert CalendarDay.objects.get(date=date(2025, 10, 6)).name == "中秋节"
    assert CalendarDay.objects.get(date=date(2025, 9, 28)).name == "国庆节调休"
    assert CalendarDay.objects.get(date=date(2026, 2, 14)).name == "春节调休"
    assert not CalendarDay.objects.filter(date=date(2025, 10, 4)).exists()  # a Saturday: no exception


def test_loading_again_changes_nothing_and_keeps_what_staff_set(hq_duty):
    set_calendar_day(actor=hq_duty.user, date=date(2025, 10, 8), is_working_day=True, name="改为上班")
    assert sync_calendar_from_package(force=True) == 0
    assert sync_calendar_from_package() == 0
    kept = CalendarDay.objects.get(date=date(2025, 10, 8))
    assert (kept.is_working_day, kept.name, kept.source) == (True, "改为上班", CalendarSource.STAFF)


def test_loading_restores_what_is_missing_or_changed(demo):
    CalendarDay.objects.filter(date=date(2024, 10, 1)).delete()
    CalendarDay.objects.filter(date=date(2024, 10, 2)).update(name="wrong")
    CalendarYear.objects.filter(year=2024).delete()
    assert sync_calendar_from_package() == 3
    assert CalendarDay.objects.get(date=date(2024, 10, 1)).name == "国庆节"
    assert CalendarDay.objects.get(date=date(2024, 10, 2)).name == "国庆节"
    assert year_covered(2024)


def test_the_load_calendar_command_can_run_twice(demo, capsys):
    call_command("load_calendar")
    call_command("load_calendar")
    out = capsys.readouterr().out
    assert out.count("0 rows added or changed") == 2
