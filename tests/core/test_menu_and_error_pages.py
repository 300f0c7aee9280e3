"""The menu shows where one is, and every error is one of the product's own Chinese pages."""

import re

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

from yingji.notify.channels.sms import ConsoleGateway, console_line


def current_entries(html: str) -> list[str]:
    return re.findall(r'<a class="[^"]*\bactive\b[^"]*" href="([^"]+)" aria-current="page"', html)


@pytest.mark.parametrize(
    ("address", "entry"),
    [
        ("/complaints/", "/complaints/"),
        ("/incidents/report/", "/incidents/report/"),  # the report form, not 事件 above it
        ("/plans/", "/plans/"),
        ("/notices/", "/notices/"),
    ],
)
def test_the_lobby_manager_sees_which_part_of_the_menu_they_are_in(client, hexie_lobby, address, entry):
    client.force_login(hexie_lobby.user)
    assert current_entries(client.get(address).content.decode()) == [entry]


def test_an_incidents_room_is_under_incidents(client, hexie_lobby):
    client.force_login(hexie_lobby.user)
    html = client.get("/incidents/?status=open").content.decode()
    assert current_entries(html) == ["/incidents/"]


def test_the_home_page_marks_no_menu_entry(client, hexie_lobby):
    client.force_login(hexie_lobby.user)
    assert current_entries(client.get("/").content.decode()) == []


def test_a_missing_page_is_the_products_404_in_chinese(client, hexie_lobby):
    client.force_login(hexie_lobby.user)
    page = client.get("/no-such-page/")
    html = page.content.decode()
    assert page.status_code == 404
    assert "未找到" in html and 'id="yj-menu"' in html
    assert "URLconf" not in html and "Django" not in html


def test_a_refusal_is_the_products_403_in_chinese(client, hexie_lobby):
    client.force_login(hexie_lobby.user)
    page = client.get("/jobs/")
    html = page.content.decode()
    assert page.status_code == 403 and "无权操作" in html and 'id="yj-menu"' in html


@pytest.mark.django_db
def test_a_server_error_is_the_products_500_without_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        page = server_error(RequestFactory().get("/"))
    html = page.content.decode()
    assert page.status_code == 500
    assert "系统出错了" in html and "/static/css/yingji.css" in html
    assert "Server Error" not in html


def test_an_expired_form_is_the_products_page(client, hexie_lobby):
    client.handler.enforce_csrf_checks = True
    client.force_login(hexie_lobby.user)
    page = client.post("/password/", {})
    assert page.status_code == 403
    html = page.content.decode()
    assert "表单已过期" in html and "CSRF verification failed" not in html and 'id="yj-menu"' in html


def test_the_console_sms_gateway_writes_one_short_line_per_message(caplog):
    text = (
        "【应急】逾期：投诉 TS-2026-000001 的“约见客户后形成处理意见（24 小时）”已于 2026-11-15 20:58 到期\n"
        "代销基金亏损\n请登录系统确认已收到"
    )
    with caplog.at_level("WARNING", logger="yingji.sms"):
        ConsoleGateway().send("13900000005", text, "yj-3-771481c4ca54")
    ConsoleGateway.outbox.pop()
    ConsoleGateway.message_ids.pop()
    (line,) = [r.getMessage() for r in caplog.records if r.name == "yingji.sms"]
    assert "\n" not in line and line == console_line("13900000005", text, "yj-3-771481c4ca54")
    assert line == f"SMS to 13900000005 (yj-3-771481c4ca54): {text[:40]}…"  # the first line is longer
