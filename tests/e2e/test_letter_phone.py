"""On a 375 px phone 施保安 (a guard at 和谐路营业部) opens the letters waiting for him, reads his 员工安全
责任书 and confirms it; the time is recorded. 和谐支行's 应急管理员 then sees him counted as signed."""

import pytest
from playwright.sync_api import expect

from yingji.core import clock
from yingji.letters import services
from yingji.letters.models import Kind, Letter, Status
from yingji.orgs.models import Person, Unit

from .conftest import log_in, sign_out
from .test_incident_journey import fits_the_phone

pytestmark = pytest.mark.browser


@pytest.fixture
def viewport() -> dict[str, int]:
    return {"width": 375, "height": 800}


@pytest.fixture
def issued(demo, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    admin = Person.objects.select_related("user", "unit").get(user__username="hexie_admin")
    return services.generate(actor=admin, unit=Unit.objects.get(code="JN01"), year=clock.local_today().year)


def test_a_guard_signs_his_letter_on_his_phone(page, issued, demo_password):
    log_in(page, "hexie_guard", demo_password)
    page.goto("/security/letters/mine/")
    fits_the_phone(page)
    with page.expect_navigation():
        page.locator(".yj-to-sign a").first.click()
    expect(page.locator(".yj-letter")).to_contain_text("严格遵守本行安全保卫规章制度")
    expect(page.locator(".yj-letter")).to_contain_text("施保安")
    fits_the_phone(page)
    with page.expect_navigation():
        page.get_by_role("button", name="我确认并签署").click()
    expect(page.locator(".yj-signature")).to_contain_text("在系统中确认签署")
    letter = Letter.objects.get(kind=Kind.EMPLOYEE, person__user__username="hexie_guard")
    assert letter.status == Status.SIGNED and letter.signed_at is not None
    sign_out(page)

    log_in(page, "hexie_admin", demo_password)
    page.goto("/security/letters/")
    row = page.locator(".yj-letter-coverage tr", has_text="和谐路营业部")
    expect(row).to_contain_text("1 /")
    expect(page.locator(".yj-unsigned")).not_to_contain_text("施保安")
    fits_the_phone(page)
