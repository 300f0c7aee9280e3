"""On a 375 px phone 郑和谐 (网点负责人) activates the outlet plan that has its own working groups: the
leading group comes pre-set from the plan, the filter box narrows the people as he types, and the tasks
land under their groups; 王大堂 (大堂经理) then finds hers on her home page and follows one into the room."""

import pytest
from playwright.sync_api import expect

from tests.incidents.factories import ReportFactory, with_groups

from .conftest import log_in, sign_out
from .test_incident_journey import fits_the_phone

pytestmark = pytest.mark.browser


@pytest.fixture
def viewport() -> dict[str, int]:
    return {"width": 375, "height": 800}


@pytest.fixture
def library(demo):
    from yingji.notify.defaults import ensure_defaults
    from yingji.plans.loader import load_library

    load_library()
    ensure_defaults()


def test_the_outlet_head_activates_the_plan_with_its_groups_on_a_phone(page, library, demo_password):
    version = with_groups()
    incident = ReportFactory()

    log_in(page, "hexie_manager", demo_password)
    page.goto(incident.get_absolute_url())
    expect(page.locator(f"#plan-{version.pk}")).to_be_checked()
    expect(page.locator("#yj-activate-plans")).to_contain_text(
        "现场处置组（网点负责人）、客户安抚组（大堂经理）"
    )
    expect(page.get_by_label("刘和谐 组长")).to_be_checked()
    expect(page.get_by_label("郑和谐 副组长")).to_be_checked()
    expect(page.get_by_label("王大堂 成员")).to_be_checked()
    expect(page.locator("#yj-other-plans")).not_to_have_attribute("open", "")

    page.locator("#yj-people-filter").fill("施")
    expect(page.get_by_label("施保安 成员")).to_be_visible()
    expect(page.get_by_label("何柜员 成员")).to_be_hidden()
    expect(page.get_by_label("王大堂 成员")).to_be_visible()  # chosen: never filtered away
    page.get_by_label("施保安 成员").check()
    page.locator("#yj-people-filter").fill("")
    expect(page.get_by_label("何柜员 成员")).to_be_visible()
    fits_the_phone(page)

    with page.expect_navigation():
        page.locator("#yj-activate-submit").click()
    board = page.locator("#yj-task-board")
    expect(board.locator("h3", has_text="客户安抚组")).to_contain_text("组长 王大堂")
    expect(board.locator("h3", has_text="现场处置组")).to_contain_text("组长 郑和谐")
    expect(board.locator("#yj-no-group")).to_be_visible()
    expect(page.locator("#told")).to_contain_text("施保安")
    fits_the_phone(page)
    sign_out(page)

    log_in(page, "hexie_lobby", demo_password)
    tasks = page.locator("#yj-my-tasks .yj-my-task")
    expect(tasks.first).to_be_visible()
    expect(tasks.first).to_contain_text("截止")
    fits_the_phone(page)
    with page.expect_navigation():
        tasks.first.locator("a").click()
    expect(page.locator("#yj-task-filter a[aria-current=true]")).to_have_text("我的")
    expect(page.locator("#yj-task-board li.list-group-item").first).to_be_visible()
    expect(page.locator("#yj-task-board .badge", has_text="网点负责人")).to_have_count(0)  # his, not hers
