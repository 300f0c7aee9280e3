"""Properties of the decision deadline over every day of receipt in 2024–2026, with pauses and
extensions, and what happens past the end of the holiday table."""

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yingji.complaints.models import Complaint
from yingji.complaints.services import deadlines
from yingji.core import calendar, clock

pytestmark = pytest.mark.django_db

receipts = st.builds(
    lambda d, minutes: datetime.combine(d, time(0, 0), tzinfo=clock.SHANGHAI) + timedelta(minutes=minutes),
    st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 16)),
    st.integers(min_value=0, max_value=24 * 60 - 1),
)


def unsaved(received_at, days=15):
    return Complaint(clock_started_at=received_at, period_days=days)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(received_at=receipts, days=st.sampled_from(deadlines.PERIODS))
def test_every_deadline_ends_at_midnight_after_a_working_day_at_least_the_period_after_receipt(
    demo, received_at, days
):
    due_at, rule = deadlines.decision_due(unsaved(received_at, days))
    local = due_at.astimezone(clock.SHANGHAI)
    last_day = local.date() - timedelta(days=1)
    assert local.time() == time(0, 0)
    assert last_day >= received_at.date() + timedelta(days=days)
    assert calendar.is_working_day(last_day)
    # Only rest days lie between the period's own last day and the day it ends.
    day = received_at.date() + timedelta(days=days)
    while day < last_day:
        assert not calendar.is_working_day(day)
        day += timedelta(days=1)
    assert last_day.isoformat() in rule


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(received_at=receipts, paused_hours=st.integers(min_value=1, max_value=24 * 40))
def test_a_pause_moves_the_deadline_by_exactly_the_time_paused(demo, received_at, paused_hours):
    complaint = unsaved(received_at)
    plain, _ = deadlines.decision_due(complaint, paused=0)
    moved, rule = deadlines.decision_due(complaint, paused=paused_hours * 3600)
    assert moved - plain == timedelta(hours=paused_hours)
    assert f"{paused_hours:.1f}" in rule


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(received_at=receipts)
def test_each_extension_gives_a_later_deadline(demo, received_at):
    dues = [deadlines.decision_due(unsaved(received_at, d))[0] for d in deadlines.PERIODS]
    assert dues == sorted(dues) and len(set(dues)) == 3


def test_a_deadline_in_a_year_the_holiday_table_does_not_cover_says_so(demo):
    assert not calendar.year_covered(2031)
    due_at, rule = deadlines.decision_due(unsaved(datetime(2030, 12, 20, 10, 0, tzinfo=clock.SHANGHAI)))
    # Day 15 is Saturday 2031-01-04: weekends alone move it to Monday 01-06.
    assert due_at.astimezone(clock.SHANGHAI).date() == date(2031, 1, 7)
    assert "2031" in rule
