"""A drill run and rated in three browsers: the controller releases an event, the player's phone shows it
without reloading and the player logs the expected action; the evaluator, on a phone too, follows the run,
sees who took the action and after how long, and rates it."""

import pytest
from playwright.sync_api import expect

from yingji.drills import services

from .conftest import log_in
from .test_drill_run import PHONE, _person, briefed_drill  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser


def _phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=PHONE)
    context.set_default_timeout(15_000)
    return context


def test_the_evaluator_rates_what_the_player_did(page, browser, live_server, briefed_drill, demo_password):  # noqa: F811
    drill, action = briefed_drill
    admin = _person("hexie_admin")
    services.add_participant(
        actor=admin.user, drill=drill, role="evaluator", person=_person("hexie_president")
    )
    run_url = f"/drills/{drill.pk}/run/"
    log_in(page, "hexie_admin", demo_password)
    page.goto(run_url)
    page.get_by_role("button", name="开始计时").click()

    player_context, evaluator_context = _phone(browser, live_server), _phone(browser, live_server)
    try:
        player, evaluator = player_context.new_page(), evaluator_context.new_page()
        log_in(player, "hexie_lobby", demo_password)
        player.goto(run_url)
        log_in(evaluator, "hexie_president", demo_password)
        evaluator.goto(run_url)
        evaluator.evaluate("window.yjNotReloaded = true")

        page.locator("[data-yj-pending='1']").get_by_role("button", name="立即下发").click()
        expect(player.locator("[data-yj-inject='1']")).to_contain_text("一位老人在大堂摔倒")
        player.get_by_role("button", name=action.action[:10]).click()

        # The evaluator's run page shows the player's log without a reload.
        expect(evaluator.locator("[data-yj-log]")).to_contain_text("王大堂")
        assert evaluator.evaluate("window.yjNotReloaded === true")

        evaluator.goto(f"/drills/{drill.pk}/evaluation/")
        card = evaluator.locator(f"[data-yj-action='{action.pk}']")
        expect(card.locator("[data-yj-timing]")).to_contain_text("王大堂")
        card.locator("label", has_text="S").click()
        card.get_by_placeholder("说明").fill("报告及时，未疏散围观客户")
        card.get_by_role("button", name="评定").click()

        expect(evaluator.get_by_text("评定已记录。")).to_be_visible()
        expect(evaluator.locator(f"[data-yj-action='{action.pk}'] [data-yj-ratings]")).to_contain_text(
            "刘和谐 S"
        )
        assert evaluator.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        player_context.close()
        evaluator_context.close()
