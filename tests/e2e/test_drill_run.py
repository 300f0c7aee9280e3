"""A drill run live in two browsers: the controller (on a desk) releases an event, and the player's phone
shows it within a poll, without reloading; the player acknowledges it and logs the expected action,
and the controller's page shows the log the same way."""

import pytest
from playwright.sync_api import expect

from yingji.drills import services
from yingji.orgs.models import Person, Unit
from yingji.plans.models import Plan

from .conftest import log_in

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}


def _person(username: str) -> Person:
    return Person.objects.select_related("user", "unit").get(user__username=username)


@pytest.fixture
def briefed_drill(library):
    admin, lobby = _person("hexie_admin"), _person("hexie_lobby")
    sub_branch, outlet = Unit.objects.get(code="JN01"), Unit.objects.get(code="JN0101")
    drill = services.create_from_plan(
        actor=admin.user,
        unit=sub_branch,
        units=[sub_branch, outlet],
        plan=Plan.objects.get(code="outlet-service-customer-injured"),
    )
    for inject in list(drill.injects.all()):
        services.remove_inject(actor=admin.user, inject=inject)
    services.add_participant(actor=admin.user, drill=drill, role="controller", person=admin)
    services.add_participant(actor=admin.user, drill=drill, role="player", person=lobby)
    action = drill.scenarios.get().expected_actions.order_by("order").first()
    services.add_inject(
        actor=admin.user,
        drill=drill,
        offset_seconds=3600,  # far off: only the controller's button releases it in this test
        text="一位老人在大堂摔倒",
        channel="spoken",
        expected_actions=[action],
    )
    services.issue_briefing(actor=admin.user, drill=drill)
    return drill, action


def test_the_controller_releases_an_event_and_the_players_phone_shows_it_live(
    page, browser, live_server, briefed_drill, demo_password
):
    drill, action = briefed_drill
    run_url = f"/drills/{drill.pk}/run/"
    log_in(page, "hexie_admin", demo_password)
    page.goto(run_url)
    page.get_by_role("button", name="开始计时").click()
    expect(page.locator("[data-yj-status]")).to_have_text("进行中")

    phone_context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=PHONE)
    phone_context.set_default_timeout(15_000)
    phone = phone_context.new_page()
    try:
        log_in(phone, "hexie_lobby", demo_password)
        phone.goto(run_url)
        expect(phone.get_by_text("暂无下发给您的事件。")).to_be_visible()
        phone.evaluate("window.yjNotReloaded = true")

        page.locator("[data-yj-pending='1']").get_by_role("button", name="立即下发").click()

        # The phone's live region polls: the event appears with no reload of the page.
        expect(phone.locator("[data-yj-inject='1']")).to_contain_text("一位老人在大堂摔倒")
        assert phone.evaluate("window.yjNotReloaded === true")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the run page is {width}px wide on a 375px phone"

        phone.locator("[data-yj-inject='1']").get_by_role("button", name="已收到").click()
        expect(phone.locator("[data-yj-inject='1']")).to_contain_text("✓ 已收到")
        phone.get_by_role("button", name=action.action[:10]).click()

        expect(phone.locator("[data-yj-log]")).to_contain_text("王大堂")
        page.evaluate("window.yjNotReloaded = true")
        expect(page.locator("[data-yj-log]")).to_contain_text(action.action[:10])
        assert page.evaluate("window.yjNotReloaded === true")
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        phone_context.close()
