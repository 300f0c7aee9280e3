import re

import pytest
from playwright.sync_api import expect

from .conftest import log_in

pytestmark = pytest.mark.browser

PHONE_WIDTH = 375


@pytest.fixture
def viewport() -> dict[str, int]:
    return {"width": PHONE_WIDTH, "height": 740}


def assert_no_horizontal_overflow(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} is {width}px wide on a {PHONE_WIDTH}px phone"


def test_on_a_phone_the_menu_opens_and_nothing_overflows(page, demo_password):
    log_in(page, "hexie_manager", demo_password)
    assert_no_horizontal_overflow(page)

    toggler = page.locator("button.navbar-toggler")
    menu_link = page.locator("#yj-menu a[href='/orgs/']")
    expect(toggler).to_be_visible()
    expect(menu_link).to_be_hidden()
    toggler.click()
    # Bootstrap animates the menu open; a click while it is still `collapsing` can land on
    # the growing edge and miss the link, so wait until it has settled as `show`.
    expect(page.locator("#yj-menu")).to_have_class(re.compile(r"\bshow\b"))
    expect(page.locator("#yj-menu.collapsing")).to_have_count(0)
    expect(menu_link).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "true")

    with page.expect_navigation(url="**/orgs/", timeout=30_000):
        menu_link.click()
    expect(page.locator("ul.yj-tree")).to_contain_text("和谐路营业部")
    assert_no_horizontal_overflow(page)
