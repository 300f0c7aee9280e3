import pytest
from playwright.sync_api import expect

from .conftest import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def library(demo):
    from yingji.plans.loader import load_library

    load_library()


def test_lobby_manager_searches_robbery_and_opens_the_plan(page, library, demo_password):
    log_in(page, "hexie_lobby", demo_password)
    page.get_by_role("link", name="预案库").first.click()
    page.get_by_role("searchbox").fill("抢劫")
    page.get_by_role("button", name="搜索").click()
    results = page.locator("main .list-group")
    expect(results.get_by_role("link", name="营业期间歹徒持枪劫持人质抢劫应急预案")).to_be_visible()
    results.get_by_role("link", name="营业期间歹徒持枪劫持人质抢劫应急预案").click()
    expect(page.locator("h1")).to_have_text("营业期间歹徒持枪劫持人质抢劫应急预案")
    steps = page.locator("ol.yj-steps > li")
    expect(steps.first).to_be_visible()
    assert steps.count() >= 5
    expect(page.locator("main")).to_contain_text("110")


def test_a_guard_reads_their_role_card_on_a_phone(page, library, demo_password):
    page.set_viewport_size({"width": 375, "height": 800})
    log_in(page, "hexie_lobby", demo_password)
    page.goto("/plans/roles/guard/")
    expect(page.locator("h1")).to_contain_text("保安")
    expect(page.locator("main section").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_an_outlet_head_reads_the_major_complaint_plans_groups_and_who_ends_it(page, library, demo_password):
    log_in(page, "hexie_manager", demo_password)
    page.goto("/plans/?kind=major_complaint&unit_type=outlet")
    page.locator("main .list-group").get_by_role("link", name="营业网点金融消费者重大投诉应急预案").click()
    groups = page.locator(".yj-groups section")
    expect(groups).to_have_count(4)
    expect(groups.first).to_contain_text("综合协调小组")
    groups.first.get_by_role("link", name="第 5 步").click()
    expect(page.locator("#step-" + page.url.split("#step-")[1])).to_contain_text("综合协调小组")
    expect(page.locator("main")).to_contain_text("由本事件领导小组组长和上级单位的应急管理员批准")
    expect(page.locator("main")).not_to_contain_text(".txt")
