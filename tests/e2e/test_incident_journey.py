"""The issue's browser journey, on a phone: 王大堂 reports a customer hurt in the hall, 郑和谐 is told,
acknowledges and activates the plan, and head office can open the case without having been told."""

import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from yingji.incidents.jobs import ALARMS

from .conftest import log_in, sign_out, the_worker_runs

pytestmark = pytest.mark.browser

PHONE_WIDTH = 375
NUMBER = re.compile(r"YJ-\d{4}-\d{6}")


@pytest.fixture
def viewport() -> dict[str, int]:
    return {"width": PHONE_WIDTH, "height": 800}


@pytest.fixture
def library(demo):
    """The shipped plans, and the notification rules a test flush removed with their data migration."""
    from yingji.notify.defaults import ensure_defaults
    from yingji.plans.loader import load_library

    load_library()
    ensure_defaults()


def fits_the_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} is {width}px wide on a {PHONE_WIDTH}px phone"


def test_report_acknowledge_activate_and_head_office_looks_in(page, library, demo_password):
    # 王大堂, the lobby manager, reports from the big button on the home page.
    log_in(page, "hexie_lobby", demo_password)
    page.locator("a.yj-report-now").click()
    page.wait_for_url("**/incidents/report/")
    fits_the_phone(page)
    kinds = page.locator("#id_kind")
    page.locator("#yj-kind-filter").fill("受伤")
    expect(kinds.locator("option", has_text="营业网点挤兑")).to_have_count(0)
    kinds.select_option(label="客户意外受伤")
    page.locator("#id_description").fill("一位老年客户在大厅湿滑处摔倒，膝盖出血")
    with page.expect_navigation():
        page.locator("button.yj-send").click()

    expect(page.locator("h1.yj-number")).to_have_text(NUMBER)
    number = page.locator("h1.yj-number").inner_text()
    room_url = page.url
    expect(page.locator("header .yj-level")).to_contain_text("Ⅲ")
    expect(page.locator("#yj-live")).to_contain_text("客户意外受伤")
    fits_the_phone(page)
    sign_out(page)
    assert the_worker_runs(queue=ALARMS) == 1  # the worker tells the chain

    # 郑和谐, the outlet head, sees the bell, opens the notice, acknowledges and activates the plan.
    log_in(page, "hexie_manager", demo_password)
    count = page.locator("#yj-bell-count .yj-bell-count")
    expect(count).to_have_text(re.compile(r"^[1-9]\d*$"))
    page.locator("a.yj-bell").click()
    page.wait_for_url("**/notices/")
    fits_the_phone(page)
    page.locator(f".yj-inbox a[href='{urlparse(room_url).path}']").first.click()
    page.wait_for_url(room_url)
    with page.expect_navigation():
        page.locator(".yj-ack button[type=submit]").click()
    expect(page.locator(".yj-ack")).to_have_count(0)
    expect(page.locator("#told")).to_contain_text("郑和谐")
    expect(page.locator("#told .text-bg-success")).to_have_count(1)

    activate = page.locator("#yj-activate-submit")
    expect(activate).to_be_visible()
    # Pickers a phone can use: a card per plan, radio buttons and checkboxes, no list boxes.
    expect(page.locator("#yj-activate-form select")).to_have_count(0)
    expect(page.locator("#yj-activate-form input[name=version]:checked")).to_have_count(1)
    expect(page.get_by_label("王大堂 成员")).to_be_visible()
    fits_the_phone(page)
    with page.expect_navigation():
        activate.click()
    expect(page.locator("header .yj-status")).to_have_class(re.compile(r"yj-status-activated"))
    expect(page.locator("#yj-task-board li").first).to_be_visible()
    fits_the_phone(page)
    sign_out(page)

    # 王大堂's home page lists the tasks she should do now, each a link into the room.
    log_in(page, "hexie_lobby", demo_password)
    expect(page.locator("#yj-my-tasks .yj-my-task").first).to_be_visible()
    fits_the_phone(page)
    sign_out(page)

    # 周应急 at head office was not told of a Ⅲ event at 和谐支行, yet may open it.
    log_in(page, "hq_duty", demo_password)
    page.goto("/notices/")
    expect(page.locator("main")).not_to_contain_text(number)
    page.goto(room_url)
    expect(page.locator("h1.yj-number")).to_have_text(number)
