"""Everyone signed in reads the working-day calendar; a head-office 应急管理员 extends it, and a refusal
leaves nothing behind."""

from datetime import date, datetime, time, timedelta

import pytest

from yingji.audit.models import AuditEntry
from yingji.core.calendar import legal_period_end, year_covered
from yingji.core.calendar_data import package_years
from yingji.core.clock import SHANGHAI
from yingji.core.errors import InvalidInput, NotAllowed
from yingji.core.models import CalendarDay, CalendarSource, CalendarYear
from yingji.core.services_calendar import mark_year_covered, set_calendar_day
from yingji.core.testing import footprint

BEYOND = package_years()[-1] + 1  # 2027 with chinese-calendar 1.11
NEW_YEARS_DAY = date(BEYOND, 1, 1)
A_WEDNESDAY = next(date(BEYOND, 10, d) for d in range(1, 8) if date(BEYOND, 10, d).weekday() == 2)
A_SATURDAY = next(date(BEYOND, 10, d) for d in range(1, 8) if date(BEYOND, 10, d).weekday() == 5)


def test_a_lobby_manager_reads_the_calendar_without_the_forms(client, hexie_lobby):
    client.force_login(hexie_lobby.user)
    page = client.get("/calendar/?year=2025")
    assert page.status_code == 200
    html = page.content.decode()
    assert "2025-10-08" in html and "国庆节" in html and "国庆节调休" in html
    assert "/calendar/add/" not in html


def test_the_calendar_cites_the_state_councils_notice_not_a_software_package(client, hexie_lobby):
    client.force_login(hexie_lobby.user)
    html = client.get("/calendar/?year=2025").content.decode()
    assert "国务院办公厅关于2025年部分节假日安排的通知" in html
    assert "chinese-calendar" not in html and "程序包" not in html


def test_a_year_not_yet_published_is_shown_as_such(client, hexie_lobby):
    client.force_login(hexie_lobby.user)
    html = client.get(f"/calendar/?year={BEYOND}").content.decode()
    assert "text-bg-warning" in html


def test_the_calendar_page_needs_a_sign_in(client, demo):
    assert client.get("/calendar/").status_code == 302


def test_the_page_takes_a_fixed_number_of_queries(client, hq_duty, django_assert_max_num_queries):
    """Three for the calendar (years, counts per year, the year's days), whatever the number of rows;
    the rest are the session, the user and the menu."""
    client.force_login(hq_duty.user)
    with django_assert_max_num_queries(15):
        assert client.get("/calendar/?year=2025").status_code == 200


def test_head_office_duty_adds_a_holiday_and_publishes_the_year(client, hq_duty):
    client.force_login(hq_duty.user)
    page = client.get(f"/calendar/?year={BEYOND}")
    assert "/calendar/add/" in page.content.decode()
    added = client.post(
        "/calendar/add/",
        {"action": "day", "date": A_WEDNESDAY.isoformat(), "is_working_day": "0", "name": "国庆节"},
    )
    assert added.status_code == 302 and added["Location"] == f"/calendar/?year={BEYOND}"
    day = CalendarDay.objects.get(date=A_WEDNESDAY)
    assert (day.is_working_day, day.name, day.source) == (False, "国庆节", CalendarSource.STAFF)
    entry = AuditEntry.objects.get(action="calendar.day_set", object_id=str(day.pk))
    assert entry.actor_id == hq_duty.user.pk and entry.data["name"] == "国庆节"
    assert not year_covered(BEYOND)

    published = client.post("/calendar/add/", {"action": "year", "year": BEYOND})
    assert published.status_code == 302
    covered = CalendarYear.objects.get(year=BEYOND)
    assert (covered.source, covered.recorded_by) == (CalendarSource.STAFF, hq_duty.user)
    assert AuditEntry.objects.filter(action="calendar.year_covered", object_id=str(covered.pk)).exists()
    # The deadline that ended on that Wednesday now moves to the Thursday.
    due = legal_period_end(datetime.combine(A_WEDNESDAY - timedelta(days=15), time(10), tzinfo=SHANGHAI), 15)
    assert (due.moved_from, due.last_day) == (A_WEDNESDAY, A_WEDNESDAY + timedelta(days=1))
    html = client.get(f"/calendar/?year={BEYOND}").content.decode()
    assert A_WEDNESDAY.isoformat() in html and "text-bg-success" in html


def test_a_lobby_manager_cannot_change_the_calendar_and_nothing_changes(client, hexie_lobby):
    client.force_login(hexie_lobby.user)
    before = footprint()
    day = client.post(
        "/calendar/add/",
        {"action": "day", "date": A_WEDNESDAY.isoformat(), "is_working_day": "0", "name": "国庆节"},
    )
    year = client.post("/calendar/add/", {"action": "year", "year": 2026})
    assert day.status_code == 403 and year.status_code == 403
    assert footprint() == before


def test_a_branch_emergency_admin_cannot_change_the_calendar(client, branch_duty):
    client.force_login(branch_duty.user)
    before = footprint()
    response = client.post(
        "/calendar/add/",
        {"action": "day", "date": A_WEDNESDAY.isoformat(), "is_working_day": "0", "name": "国庆节"},
    )
    assert response.status_code == 403
    assert footprint() == before


def test_a_saturday_as_a_rest_day_is_refused_with_a_reason_and_nothing_changes(client, hq_duty):
    client.force_login(hq_duty.user)
    before = footprint()
    response = client.post(
        "/calendar/add/",
        {"action": "day", "date": A_SATURDAY.isoformat(), "is_working_day": "0", "name": "国庆节"},
    )
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    assert footprint() == before


def test_publishing_a_year_without_its_holidays_is_refused_and_nothing_changes(client, hq_duty):
    client.force_login(hq_duty.user)
    before = footprint()
    response = client.post("/calendar/add/", {"action": "year", "year": BEYOND})
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    again = client.post("/calendar/add/", {"action": "year", "year": 2025})  # already published
    assert again.status_code == 200 and "invalid-feedback" in again.content.decode()
    assert footprint() == before


def test_a_form_without_a_name_or_date_is_refused_and_nothing_changes(client, hq_duty):
    client.force_login(hq_duty.user)
    before = footprint()
    for data in (
        {"action": "day", "date": A_WEDNESDAY.isoformat(), "is_working_day": "0", "name": ""},
        {"action": "day", "date": "2027-13-45", "is_working_day": "0", "name": "国庆节"},
        {"action": "day", "date": A_WEDNESDAY.isoformat(), "is_working_day": "maybe", "name": "国庆节"},
        {"action": "year", "year": "二〇二七"},
        {"action": "year", "year": "1900"},
    ):
        response = client.post("/calendar/add/", data)
        assert response.status_code == 200, data
        assert "invalid-feedback" in response.content.decode(), data
    assert footprint() == before


def test_a_package_day_changed_by_staff_is_recorded_as_theirs(hq_duty):
    before = AuditEntry.objects.count()
    row = set_calendar_day(actor=hq_duty.user, date=date(2026, 10, 7), is_working_day=True, name="改为上班")
    assert (row.source, row.is_working_day) == (CalendarSource.STAFF, True)
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None and (entry.action, entry.object_id) == ("calendar.day_set", str(row.pk))
    assert AuditEntry.objects.count() == before + 1
    assert entry.data["previous"] == {"is_working_day": False, "name": "国庆节", "source": "chinese-calendar"}


def test_the_services_refuse_without_changing_anything(hexie_lobby, hq_duty):
    before = footprint()
    with pytest.raises(NotAllowed):
        set_calendar_day(actor=hexie_lobby.user, date=A_WEDNESDAY, is_working_day=False, name="国庆节")
    with pytest.raises(NotAllowed):
        mark_year_covered(actor=hexie_lobby.user, year=BEYOND)
    with pytest.raises(InvalidInput) as refused:
        set_calendar_day(actor=hq_duty.user, date=A_WEDNESDAY, is_working_day=True, name="上班")
    assert "is_working_day" in refused.value.fields
    with pytest.raises(InvalidInput):
        set_calendar_day(actor=hq_duty.user, date=A_WEDNESDAY, is_working_day=False, name="  ")
    with pytest.raises(InvalidInput):
        set_calendar_day(actor=hq_duty.user, date=A_WEDNESDAY, is_working_day=False, name="节" * 51)
    with pytest.raises(InvalidInput):
        set_calendar_day(actor=hq_duty.user, date=date(1999, 10, 1), is_working_day=False, name="国庆节")
    assert footprint() == before
