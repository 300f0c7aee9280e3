"""The situation board updates itself: 江南分行's duty officer has the board open when an outlet's queue
system reports a queue over the bank's limit, and the warning appears on the board without a reload."""

import pytest
from playwright.sync_api import expect

from yingji.core import clock
from yingji.monitoring import services
from yingji.monitoring.defaults import ensure_rules
from yingji.orgs.models import Person, Unit

from .conftest import _ONE_REQUEST, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def queue_system(library):
    ensure_rules()
    outlet = Unit.objects.get(code="JN0101")
    admin = Person.objects.select_related("user").get(user__username="hexie_admin")
    # Tokens are issued by head office's 应急管理员 (the integrations page); the outlet's admin is contact.
    issuer = Person.objects.select_related("user").get(user__username="hq_duty")
    integration, _raw = services.issue_integration(
        actor=issuer.user, name="和谐路营业部排队机", kind="queue_system", units=[outlet], contact=admin
    )
    return integration


def test_a_warning_appears_on_the_branch_s_board_without_a_reload(page, queue_system, demo_password):
    log_in(page, "branch_duty", demo_password)
    expect(page.locator("h1")).to_contain_text("江南分行")
    expect(page.locator("#yj-board-warnings")).to_contain_text("暂无生效预警")
    page.evaluate("window.yjNotReloaded = true")

    with _ONE_REQUEST:  # the queue system's batch, between two of the board's polls
        services.ingest(
            integration=queue_system,
            points=[
                {"source": "qms", "unit": "JN0101", "metric": "queue_length", "at": clock.now(), "value": 45}
            ],
        )

    warning = page.locator("#yj-board-warning-list [data-yj-warning]")
    expect(warning).to_contain_text("和谐路营业部", timeout=30_000)
    expect(page.locator("[data-yj-count='warnings']")).to_have_text("1")
    assert page.evaluate("window.yjNotReloaded === true")
