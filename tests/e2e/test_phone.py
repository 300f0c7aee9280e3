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
    expect(menu_link).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "true")

    menu_link.click()
    page.wait_for_url("**/orgs/")
    expect(page.locator("ul.yj-tree")).to_contain_text("和谐路营业部")
    assert_no_horizontal_overflow(page)
