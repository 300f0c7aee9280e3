"""No input takes an incident page or the incident API down: an impossible time of occurrence, a
time-zone offset nobody uses, a NUL or a lone surrogate in a text, an absurd filter or page offset
are each refused with a Chinese message that names the field, and leave nothing behind."""

import pytest

from yingji.core.testing import api, footprint
from yingji.incidents import selectors

from .test_pages import REPORT_URL, injured_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(library, lobby_token) -> str:
    return lobby_token


def a_report(**changes) -> dict:
    return {
        "kind": "customer_injured",
        "unit": "JN0101",
        "occurred_at": "2026-01-05T09:30:00+08:00",
        "description": "客户在大堂滑倒，额头出血",
        "facts": {"injured": 1},
        **changes,
    }


# --- The report page -------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["0001-01-01T00:00", "1999-12-31T23:59"])
def test_a_report_of_an_event_before_the_banks_records_is_refused_on_its_field(
    client, library, hexie_lobby, typed
):
    client.force_login(hexie_lobby.user)
    form = injured_customer(client, occurred_at=typed)
    before = footprint()
    page = client.post(REPORT_URL, form)
    assert page.status_code == 200
    assert (
        "该时间早于本行记录的起始日期（本行设定：2000-01-01）。" in page.context["form"].errors["occurred_at"]
    )
    assert footprint() == before


def test_the_incident_list_answers_an_absurd_period_with_a_message(client, library, hexie_lobby):
    client.force_login(hexie_lobby.user)
    page = client.get("/incidents/", {"since": "0001-01-01", "until": "9999-12-31"})
    assert page.status_code == 200
    errors = page.context["form"].errors
    assert errors["since"] == errors["until"] == ["请输入 1900-01-01 至 2999-12-31 之间的日期。"]


# --- The API -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("occurred_at", ["0001-01-01T00:00:00", "1970-01-01T08:00:00+08:00"])
def test_the_api_refuses_an_event_before_the_banks_records_and_creates_nothing(client, token, occurred_at):
    before = footprint()
    answer = api(client, "post", "/api/v1/incidents", token, a_report(occurred_at=occurred_at))
    assert answer.status_code == 400
    body = answer.json()
    assert body["error"] == "invalid" and set(body["fields"]) == {"occurred_at"}
    assert "本行设定：2000-01-01" in body["fields"]["occurred_at"]
    assert footprint() == before


def test_the_api_refuses_a_time_zone_offset_nobody_uses(client, token):
    before = footprint()
    answer = api(
        client, "post", "/api/v1/incidents", token, a_report(occurred_at="2026-01-05T09:30:00+22:35")
    )
    assert answer.status_code == 400
    assert answer.json()["fields"] == {
        "occurred_at": "时区偏移须在 -14:00 至 +14:00 之间，且为 15 分钟的整数倍。"
    }
    assert footprint() == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("description", "客户\x00滑倒", "文本中含有空字符（NUL），不允许输入。"),
        ("unit", "\ud800", "文本中含有无效字符（孤立的 UTF-16 代理码位）。"),
        ("kind", "customer\x00injured", "文本中含有空字符（NUL），不允许输入。"),
        ("facts", {"injured": 1, "备注": "\x00"}, "文本中含有空字符（NUL），不允许输入。"),
        ("location", "大堂\ud800", "文本中含有无效字符（孤立的 UTF-16 代理码位）。"),
    ],
)
def test_the_api_refuses_a_nul_or_a_lone_surrogate_naming_the_field(client, token, field, value, message):
    before = footprint()
    answer = api(client, "post", "/api/v1/incidents", token, a_report(**{field: value}))
    assert answer.status_code == 400
    assert answer.json()["fields"] == {field: message}
    assert footprint() == before


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("offset=100000000000000000000", "offset", "最大为 1000000000。"),
        ("since=0001-01-01T00:00:00", "since", "请输入 1900-01-01 至 2999-12-31 之间的日期。"),
        ("until=9999-12-31T23:00:00-10:00", "until", "请输入 1900-01-01 至 2999-12-31 之间的日期。"),
        ("until=0.5", "until", "请按 ISO 8601 格式填写日期和时间，例如 2026-03-02T09:30:00+08:00。"),
    ],
)
def test_the_api_list_answers_an_absurd_page_or_period_with_400(client, token, query, field, message):
    answer = api(client, "get", f"/api/v1/incidents?{query}", token)
    assert answer.status_code == 400
    assert answer.json()["fields"] == {field: message}


def test_a_task_done_before_the_banks_records_is_refused(client, token):
    # No incident is needed to see the body refused: the schema is read before the incident is found.
    answer = api(
        client, "post", "/api/v1/incidents/1/tasks/1/done", token, {"done_at": "0001-01-01T00:00:00+08:00"}
    )
    assert answer.status_code == 400
    assert "本行设定" in answer.json()["fields"]["done_at"]


def test_an_unexpected_error_is_a_json_500_without_traceback_even_in_debug(
    client, token, settings, monkeypatch
):
    settings.DEBUG = True  # the default of `make run`

    def broken(**kwargs):
        raise RuntimeError("secret detail from deep inside")

    monkeypatch.setattr(selectors, "incidents_for", broken)
    answer = api(client, "get", "/api/v1/incidents", token)
    assert answer.status_code == 500
    assert answer["Content-Type"].startswith("application/json")
    body = answer.json()
    assert body == {"error": "server_error", "message": "服务器内部出错，错误已记录在日志中。", "fields": {}}
    assert "Traceback" not in answer.content.decode() and "secret detail" not in answer.content.decode()
