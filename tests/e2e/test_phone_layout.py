"""On a 375 px phone every button's label sits in its middle on one line, and the menu shows where one is."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import log_in

pytestmark = pytest.mark.browser

PHONE_WIDTH = 375

# For every visible button: its label's lines and how far the label's middle is from the button's.
MEASURE_BUTTONS = """() => [...document.querySelectorAll('.btn')]
  .filter(b => b.offsetParent !== null && b.innerText.trim() && !b.closest('.dropdown-menu'))
  .map(b => {
    const range = document.createRange();
    range.selectNodeContents(b);
    const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
    const text = range.getBoundingClientRect(), box = b.getBoundingClientRect();
    return {label: b.innerText.trim(), lines: tops.size, fullWidth: box.width > window.innerWidth * 0.8,
            offset: Math.abs((text.top + text.bottom) / 2 - (box.top + box.bottom) / 2)};
  })"""


@pytest.fixture
def viewport() -> dict[str, int]:
    return {"width": PHONE_WIDTH, "height": 740}


@pytest.mark.parametrize(
    ("username", "path"),
    [
        ("hexie_lobby", "/complaints/"),
        ("hexie_lobby", "/incidents/report/"),
        ("branch_duty", "/orgs/units/JN0102/"),
        ("hexie_lobby", "/password/"),
    ],
)
def test_on_a_phone_button_labels_sit_in_the_middle_on_one_line(page, demo_password, username, path):
    log_in(page, username, demo_password)
    page.goto(path)
    buttons = page.evaluate(MEASURE_BUTTONS)
    assert buttons, f"no buttons on {path}"
    off_centre = [b["label"] for b in buttons if b["offset"] > 2]
    wrapped = [b["label"] for b in buttons if b["lines"] > 1 and not b["fullWidth"]]
    assert off_centre == [] and wrapped == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def test_on_a_phone_the_open_menu_shows_where_one_is(page, demo_password):
    log_in(page, "hexie_lobby", demo_password)
    page.goto("/complaints/")
    page.locator("button.navbar-toggler").click()
    expect(page.locator("#yj-menu")).to_have_class(re.compile(r"\bshow\b"))
    current = page.locator("#yj-menu a[aria-current='page']")
    expect(current).to_have_count(1)
    expect(current).to_have_text("投诉")
    expect(current).to_have_class(re.compile(r"\bactive\b"))
