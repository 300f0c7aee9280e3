"""One way to write a deadline (core.due.due_text), on the page, in the notices and in the ledger."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from yingji.complaints import services
from yingji.core import clock
from yingji.core.due import due_text
from yingji.notify.models import Notice

TODAY = date(2026, 12, 3)


def shanghai(*args) -> datetime:
    return datetime(*args, tzinfo=clock.SHANGHAI)


def test_a_period_ending_at_midnight_is_24_00_of_its_last_day():
    with translation.override("zh-hans"):
        assert due_text(shanghai(2026, 12, 19, 0, 0), today=TODAY) == "12月18日 24:00"


def test_any_other_time_is_hours_and_minutes():
    with translation.override("zh-hans"):
        assert due_text(shanghai(2026, 12, 18, 14, 30), today=TODAY) == "12月18日 14:30"


def test_another_years_deadline_says_its_year():
    with translation.override("zh-hans"):
        assert due_text(shanghai(2026, 1, 1, 0, 0), today=date(2026, 6, 1)) == "2025年12月31日 24:00"


@given(
    st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(clock.SHANGHAI)
    )
)
def test_no_deadline_is_ever_written_as_00_00(at):
    with translation.override("zh-hans"):
        written = due_text(at, today=TODAY)
    assert not written.endswith(" 00:00")
    assert written.endswith(" 24:00") == (
        at.hour == 0 and at.minute == 0 and at.second == 0 and at.microsecond == 0
    )


@pytest.mark.django_db
def test_the_work_order_notice_writes_the_deadline_as_the_page_does(register, hexie_lobby, hexie_manager):
    complaint = register()
    with translation.override("zh-hans"):
        services.issue_work_order(
            actor=hexie_lobby, complaint=complaint, to_unit=hexie_lobby.unit, assignee=hexie_manager
        )
        expected = due_text(complaint.decision_due_at)
    notice = Notice.objects.get(subject_id=complaint.pk, recipient=hexie_manager)
    assert expected in notice.body
    assert expected.endswith("24:00")
    assert (complaint.decision_due_at - timedelta(seconds=1)).astimezone(clock.SHANGHAI).strftime(
        "%H"
    ) == "23"
