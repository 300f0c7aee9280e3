"""On a 375 px phone 韩应急 (和谐支行's 应急管理员) inspects 和谐路营业部: every item passes but one, an
out-of-date fire extinguisher, with a note; he signs. 郑和谐 (the outlet head) then opens the inspection on
his own phone, sees the rectification that is his, and signs for the outlet, which locks the record."""

import pytest
from playwright.sync_api import expect

from yingji.security import checklists
from yingji.security.models import Inspection, Status

from .conftest import log_in, sign_out
from .test_incident_journey import fits_the_phone

pytestmark = pytest.mark.browser


@pytest.fixture
def viewport() -> dict[str, int]:
    return {"width": 375, "height": 800}


@pytest.fixture
def checklist(demo, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    checklists.load()


def test_an_inspector_fails_one_item_and_the_outlet_head_sees_the_rectification(
    page, checklist, demo_password
):
    log_in(page, "hexie_admin", demo_password)
    page.goto("/security/")
    page.get_by_label("被检查单位").select_option(label="和谐路营业部（JN0101）")
    with page.expect_navigation():
        page.get_by_role("button", name="开始检查").click()
    fits_the_phone(page)
    inspection = Inspection.objects.get()

    for result in inspection.results.select_related("item").order_by("sort_order"):
        item = page.locator(f"#item-{result.pk}")
        if result.item.shipped_key == "fire-1":
            item.get_by_label("不合格", exact=True).check()
            item.get_by_label("情况说明").fill("营业厅东侧2具灭火器已过有效期。")
        else:
            item.get_by_label("合格", exact=True).check()
        with page.expect_navigation():
            item.get_by_role("button", name="保存此项").click()
    expect(page.locator("header")).to_contain_text("已检查21/21项")
    failed = page.locator(".yj-item", has_text="营业厅东侧2具灭火器已过有效期")
    expect(failed.locator(".badge")).to_have_text("不合格")
    fits_the_phone(page)

    with page.expect_navigation():
        page.get_by_role("button", name="检查人签字").click()
    expect(page.locator(".yj-rectifications")).to_contain_text("灭火器材配备齐全")
    expect(page.locator(".yj-signatures")).to_contain_text("韩应急")
    sign_out(page)

    log_in(page, "hexie_manager", demo_password)
    page.goto("/security/")
    with page.expect_navigation():
        page.locator(".yj-inspections a").first.click()
    rectifications = page.locator(".yj-rectifications")
    expect(rectifications).to_contain_text("营业厅东侧2具灭火器已过有效期")
    expect(rectifications).to_contain_text("责任人郑和谐")
    fits_the_phone(page)
    with page.expect_navigation():
        page.get_by_role("button", name="单位负责人签字").click()
    expect(page.locator(".yj-signatures")).to_contain_text("郑和谐")
    expect(page.locator(".yj-inspection-status")).to_have_text("双方已签字，已锁定")
    assert page.locator(".yj-sign").count() == 0
    inspection.refresh_from_db()
    assert inspection.status == Status.SIGNED and inspection.head.name == "郑和谐"

    # His rectification is in the one corrective register too, with the inspector's re-check to come.
    with page.expect_navigation():
        rectifications.locator("a").first.click()
    expect(page.locator("main")).to_contain_text("灭火器材配备齐全")
    fits_the_phone(page)
