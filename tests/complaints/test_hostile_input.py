"""No input takes a complaint page or the complaint API down: a complaint received in 1970 or in year
177 (before the working-day calendar starts), an offset nobody uses, a NUL or a lone surrogate, an
absurd period on the register, the statistics or the ledger, an absurd page offset. And a complaint
already stored with such a date is still listed, opened, and answered with a valid date-time."""

from datetime import datetime

import pytest
from django.urls import reverse

from yingji.complaints.models import Complaint
from yingji.core import clock
from yingji.core.testing import api, footprint

from .test_pages import NEW, counter_form

pytestmark = pytest.mark.django_db

BEFORE_THE_CALENDAR = "投诉的受理时间不能早于 2004 年：工作日历从该年开始。"
FILTER_WINDOW = "请输入 1900-01-01 至 2999-12-31 之间的日期。"


@pytest.fixture
def token(lobby_token) -> str:
    return lobby_token


def a_complaint(**changes) -> dict:
    return {
        "channel": "hotline",
        "received_at": "2026-03-02T09:30:00+08:00",
        "unit": "JN0101",
        "customer_name": "张三",
        "content": "排队一个多小时无人引导，柜员态度生硬。",
        **changes,
    }


# --- The counter form --------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["0177-05-13T00:00", "1970-01-01T08:00", "2003-12-31T23:59"])
def test_a_complaint_received_before_the_calendar_starts_is_refused_on_its_field(client, hexie_lobby, typed):
    client.force_login(hexie_lobby.user)
    before = footprint()
    page = client.post(NEW, counter_form(received_at=typed))
    assert page.status_code == 200
    assert page.context["form"].errors["received_at"] == [BEFORE_THE_CALENDAR]
    assert footprint() == before


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("complaints:list", {"since": "0001-01-01", "until": "9999-12-31"}),
        ("complaints:stats", {"received_from": "0001-01-01", "received_to": "9999-12-31"}),
    ],
)
def test_the_register_and_the_statistics_answer_an_absurd_period_with_a_message(
    client, hexie_manager, url, query
):
    client.force_login(hexie_manager.user)
    page = client.get(reverse(url), query)
    assert page.status_code == 200
    assert FILTER_WINDOW in page.content.decode()


def test_the_ledger_refuses_an_absurd_period_with_a_message(client, hexie_manager):
    client.force_login(hexie_manager.user)
    answer = client.get(reverse("complaints:ledger"), {"received_to": "9999-12-31"})
    assert answer.status_code == 400
    assert FILTER_WINDOW in answer.content.decode()


# --- The API -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("received_at", ["0177-05-13T00:00:00+08:00", "1970-01-01T00:00:00+08:00"])
def test_the_api_refuses_a_complaint_received_before_the_calendar_and_creates_nothing(
    client, token, received_at
):
    before = footprint()
    answer = api(client, "post", "/api/v1/complaints", token, a_complaint(received_at=received_at))
    assert answer.status_code == 400
    assert answer.json()["fields"] == {"received_at": BEFORE_THE_CALENDAR}
    assert footprint() == before


def test_the_api_refuses_an_offset_nobody_uses(client, token):
    before = footprint()
    answer = api(
        client, "post", "/api/v1/complaints", token, a_complaint(received_at="2026-03-02T09:30:00+22:35")
    )
    assert answer.status_code == 400
    assert "-14:00 至 +14:00" in answer.json()["fields"]["received_at"]
    assert footprint() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [("unit", "JN\ud800"), ("customer_name", "张\x00三"), ("content", "手续费\ud800"), ("request", "\x00")],
)
def test_the_api_refuses_a_nul_or_a_lone_surrogate_naming_the_field(client, token, field, value):
    before = footprint()
    answer = api(client, "post", "/api/v1/complaints", token, a_complaint(**{field: value}))
    assert answer.status_code == 400
    assert set(answer.json()["fields"]) == {field}
    assert answer.json()["fields"][field].startswith("文本中含有")
    assert footprint() == before


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("offset=100000000000000000000", "offset"),
        ("received_from=0001-01-01T00:00:00%2B08:00", "received_from"),
        ("received_to=9999-12-31T23:00:00-10:00", "received_to"),
    ],
)
def test_the_api_list_answers_an_absurd_page_or_period_with_400(client, token, query, field):
    answer = api(client, "get", f"/api/v1/complaints?{query}", token)
    assert answer.status_code == 400
    assert set(answer.json()["fields"]) == {field}


# --- What is stored is shown -------------------------------------------------------------------------


def test_a_complaint_stored_as_received_in_year_177_is_listed_opened_and_answered_with_a_valid_time(
    client, token, register, hexie_lobby
):
    complaint = register()
    Complaint.objects.filter(pk=complaint.pk).update(received_at=datetime(177, 5, 13, tzinfo=clock.SHANGHAI))
    client.force_login(hexie_lobby.user)
    assert client.get("/complaints/").status_code == 200
    assert client.get(f"/complaints/{complaint.number}/").status_code == 200
    answer = api(client, "get", f"/api/v1/complaints/{complaint.pk}", token)
    assert answer.status_code == 200
    shown = answer.json()["received_at"]
    assert shown == "0177-05-12T15:54:17Z" or shown == "0177-05-12T15:54:17+00:00"
    listed = api(client, "get", "/api/v1/complaints", token).json()["items"]
    assert [item["received_at"] for item in listed if item["id"] == complaint.pk] == [shown]


@pytest.mark.parametrize("order", ["abc", "1e3"])
def test_accepting_a_work_order_that_is_no_number_is_not_found_and_changes_nothing(
    client, register, hexie_lobby, order
):
    complaint = register()
    client.force_login(hexie_lobby.user)
    before = footprint()
    answer = client.post(
        reverse("complaints:act", kwargs={"number": complaint.number, "action": "accept"}), {"order": order}
    )
    assert answer.status_code == 404
    assert footprint() == before
