import re

import pytest
from playwright.sync_api import expect

from .conftest import log_in

pytestmark = pytest.mark.browser

LOCKED = re.compile("账户已锁定|Account locked")


def test_five_wrong_passwords_lock_the_account(page, demo_password):
    for attempt in range(1, 5):
        response = log_in(page, "hexie_lobby", f"wrong-{attempt}")
        assert response.status == 200
        assert page.url.endswith("/login/")
        expect(page.get_by_role("alert")).to_be_visible()
        expect(page.locator("body")).not_to_contain_text(LOCKED)
    log_in(page, "hexie_lobby", "wrong-5")  # the fifth already answers with the lockout page

    response = log_in(page, "hexie_lobby", demo_password)
    assert response.status == 429
    expect(page.locator("h1")).to_have_text(LOCKED)
    expect(page).to_have_title(LOCKED)

    # Still locked: the session was not logged in, so the home page sends back to the login form.
    page.goto("/")
    assert "/login/" in page.url
