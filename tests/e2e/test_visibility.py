import pytest
from playwright.sync_api import expect

from .conftest import log_in

pytestmark = pytest.mark.browser

OTHER_BRANCH = ["江北分行", "城北营业部"]


def test_outlet_head_sees_own_outlet_and_nothing_of_the_other_branch(page, demo_password):
    home = log_in(page, "hexie_manager", demo_password)
    assert home.ok
    assert page.url.endswith("/")
    main = page.locator("main")
    expect(main).to_contain_text("和谐路营业部")
    for name in OTHER_BRANCH:
        expect(page.locator("body")).not_to_contain_text(name)

    page.goto("/orgs/")
    tree = page.locator("ul.yj-tree")
    expect(tree.get_by_role("link", name="和谐路营业部")).to_be_visible()
    for name in OTHER_BRANCH:
        expect(page.locator("body")).not_to_contain_text(name)

    response = page.goto("/orgs/units/JB0101/")
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text("城北营业部")
