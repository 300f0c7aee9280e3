"""The complaint issue's browser journey, on a phone: 王大堂 registers a counter complaint and hands it to
吕营运 by a work order; 吕营运 accepts and proposes; 郑和谐 approves; 吕营运 tells the customer by
phone and calls back. The page then shows the complaint called back and decided on time."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from yingji.complaints.models import Status

from .conftest import log_in, sign_out

pytestmark = pytest.mark.browser

PHONE_WIDTH = 375
NUMBER = re.compile(r"TS-\d{4}-\d{6}")


@pytest.fixture
def viewport() -> dict[str, int]:
    return {"width": PHONE_WIDTH, "height": 800}


def fits_the_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} is {width}px wide on a {PHONE_WIDTH}px phone"


def submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).click()


def test_counter_complaint_from_intake_to_callback(page, demo_password):
    # 王大堂, the lobby manager, registers a counter complaint.
    log_in(page, "hexie_lobby", demo_password)
    page.goto("/complaints/new/")
    fits_the_phone(page)
    expect(page.locator("#id_channel")).to_have_value("counter")
    page.fill("#id_customer_name", "李四")
    page.fill("#id_customer_phone", "13987654321")
    page.fill("#id_content", "办理转账被多收手续费五十元，柜员态度生硬。")
    page.fill("#id_request", "退还多收的手续费")
    submit(page, "button.yj-send")

    expect(page.locator("h1.yj-number")).to_have_text(NUMBER)
    url = page.url
    expect(page.locator(".alert-success")).to_contain_text(page.locator("h1.yj-number").inner_text())
    expect(page.locator(".yj-decision-due .yj-rule")).not_to_be_empty()
    expect(page.locator(".yj-customer .yj-phone")).to_have_text("139****4321")
    fits_the_phone(page)

    # … and hands it to 吕营运 at 和谐路营业部 by a work order.
    page.locator(".yj-action-work-order summary").click()
    page.select_option("#id_work_order-to_unit", "JN0101")
    page.locator("#id_work_order-assignee").select_option(label="吕营运 · 和谐路营业部")
    page.fill("#id_work_order-instructions", "请当面核实收费并答复客户")
    submit(page, ".yj-action-work-order button[type=submit]")
    expect(page.locator(".alert-success")).to_be_visible()
    sign_out(page)

    # 吕营运 accepts and proposes.
    log_in(page, "hexie_ops", demo_password)
    page.goto(url)
    submit(page, ".yj-action-accept button")
    expect(page.locator(".alert-success")).to_be_visible()
    page.fill("#id_proposal-findings", "系统按旧费率收费，多收五十元。")
    page.fill("#id_proposal-proposal", "退还五十元并向客户致歉。")
    submit(page, ".yj-action-proposal button[type=submit]")
    expect(page.locator(".alert-success")).to_be_visible()
    fits_the_phone(page)
    sign_out(page)

    # 郑和谐, the outlet head, approves.
    log_in(page, "hexie_manager", demo_password)
    page.goto(url)
    submit(page, ".yj-action-approve button[type=submit]")
    expect(page.locator(".alert-success")).to_be_visible()
    sign_out(page)

    # 吕营运 tells the customer by phone, then calls back: satisfied.
    log_in(page, "hexie_ops", demo_password)
    page.goto(url)
    # The decision starts from the approved proposal.
    expect(page.locator("#id_decision-findings")).to_have_value("系统按旧费率收费，多收五十元。")
    expect(page.locator("#id_decision-remedy")).to_have_value("退还五十元并向客户致歉。")
    page.fill("#id_decision-findings", "系统按旧费率收费，多收五十元。")
    page.fill("#id_decision-basis", "《服务价格管理办法》及本行收费标准")
    page.fill("#id_decision-remedy", "退还五十元")
    page.select_option("#id_decision-delivered_how", "phone")
    submit(page, ".yj-action-decision button[type=submit]")
    expect(page.locator(".alert-success")).to_be_visible()
    page.select_option("#id_callback-satisfaction", "satisfied")
    submit(page, ".yj-action-callback button[type=submit]")

    with translation.override("zh-hans"):
        called_back = str(Status.CALLED_BACK.label)  # 已回访
    expect(page.locator("header .yj-status")).to_have_text(called_back)
    expect(page.locator(".yj-decision-due .yj-on-time")).to_be_visible()
    expect(page.locator(".yj-decision")).to_contain_text("退还五十元")
    fits_the_phone(page)


def test_a_refused_form_on_the_phone_keeps_what_was_typed_and_takes_the_reader_to_the_field(
    page, demo_password
):
    # 王大堂 registers a complaint and forgets the customer's name.
    log_in(page, "hexie_lobby", demo_password)
    page.goto("/complaints/new/")
    page.fill("#id_customer_phone", "13987654321")
    page.fill("#id_content", "理财产品收益与宣传不符。")
    submit(page, "button.yj-send")
    expect(page.locator("#id_content")).to_have_value("理财产品收益与宣传不符。")
    expect(page.locator("#id_customer_name")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#id_customer_name")).to_be_focused()
    expect(page.locator(".yj-form-errors")).to_contain_text("姓名")
    page.fill("#id_customer_name", "李四")
    submit(page, "button.yj-send")
    expect(page.locator("h1.yj-number")).to_have_text(NUMBER)
    submit(page, ".yj-action-start button")

    # The meeting, far down the page, is given a time in the future: refused at its field, in view.
    page.locator(".yj-action-meeting summary").click()
    page.fill("#id_meeting-note", "客户要求赔偿")
    page.fill("#id_meeting-met_at", "2099-01-01T10:00")
    submit(page, ".yj-action-meeting button[type=submit]")
    field = page.locator("#id_meeting-met_at")
    expect(field).to_be_focused()
    expect(field).to_be_in_viewport()
    expect(page.locator("#id_meeting-note")).to_have_value("客户要求赔偿")
    expect(page.locator(".yj-action-meeting .invalid-feedback")).to_be_visible()
    fits_the_phone(page)
