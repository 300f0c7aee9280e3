"""A head-office 应急管理员 attaches a unit's 企业微信 or 钉钉 group robot in the rules page; the next
round that tells that unit's people posts to it, until it is switched off. Its key never shows."""

from datetime import timedelta

import pytest

from yingji.audit.models import AuditEntry
from yingji.core import clock
from yingji.core.testing import footprint, run_jobs
from yingji.incidents import services
from yingji.incidents.jobs import ALARMS
from yingji.notify.defaults import ensure_defaults
from yingji.notify.models import Delivery, Webhook
from yingji.orgs.models import Person, Unit
from yingji.plans.loader import load_library
from yingji.plans.models import EventKind

KEY = "693axxx6-7aoc-4bc4-97a0-0ec2sifa5aaa"
WECOM = f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}"


@pytest.fixture
def rules(demo):
    load_library()
    ensure_defaults()


def robot_channels_of_a_new_report() -> set[str]:
    """The robot copies planned for a customer injury reported at 和谐路营业部 (told up to 和谐支行)."""
    lobby = Person.objects.select_related("user", "unit").get(user__username="hexie_lobby")
    incident = services.report_incident(
        reporter=lobby,
        kind=EventKind.objects.get(code="customer_injured"),
        unit=lobby.unit,
        occurred_at=clock.now() - timedelta(minutes=3),
        description="客户在大厅摔倒",
    )
    run_jobs(queue=ALARMS)
    return set(
        Delivery.objects.filter(notice__subject_id=incident.pk, channel__startswith="webhook:").values_list(
            "channel", flat=True
        )
    )


def test_head_office_adds_a_wecom_robot_and_the_units_next_round_posts_to_it(client, hq_duty, rules):
    client.force_login(hq_duty.user)
    answer = client.post(
        "/notices/rules/robots/", {"unit": "JN0101", "kind": "wecom", "url": WECOM}, follow=True
    )
    page = answer.content.decode()
    robot = Webhook.objects.get()
    assert (robot.unit.code, robot.kind, robot.url, robot.is_active) == ("JN0101", "wecom", WECOM, True)
    assert "和谐路营业部" in page and "key=693a…" in page and KEY not in page
    entry = AuditEntry.objects.get(action="notify.add_robot")
    assert entry.actor_name == hq_duty.name and KEY not in str(entry.data)
    assert robot_channels_of_a_new_report() == {f"webhook:{robot.pk}"}


def test_a_robot_switched_off_is_left_out_of_the_rounds_that_follow(client, hq_duty, rules):
    client.force_login(hq_duty.user)
    client.post("/notices/rules/robots/", {"unit": "JN0101", "kind": "dingtalk", "url": WECOM})
    robot = Webhook.objects.get()
    client.post(f"/notices/rules/robots/{robot.pk}/", {"on": "0"})
    robot.refresh_from_db()
    assert not robot.is_active
    assert robot_channels_of_a_new_report() == set()
    assert AuditEntry.objects.get(action="notify.switch_robot").data["on"] is False
    page = client.get("/notices/rules/").content.decode()
    assert "开启" in page  # it can be switched on again; nothing was deleted


@pytest.mark.parametrize(
    "unit, url, says",
    [
        ("JN0101", "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1", "https://"),
        ("JN0101", "企业微信群机器人", "https://"),
        ("ZZ9999", WECOM, "未知的单位"),
    ],
    ids=["plain http", "not an address", "unknown unit"],
)
def test_a_bad_robot_is_refused_with_a_message_and_changes_nothing(client, hq_duty, rules, unit, url, says):
    client.force_login(hq_duty.user)
    before = footprint()
    answer = client.post("/notices/rules/robots/", {"unit": unit, "kind": "wecom", "url": url}, follow=True)
    assert says in answer.content.decode()
    assert footprint() == before


def test_a_robot_cannot_hang_on_a_department(rules, hq_duty):
    from yingji.core.errors import InvalidInput
    from yingji.notify.robots import add_robot

    department = Unit.objects.filter(type="department").first()
    with pytest.raises(InvalidInput):
        add_robot(actor=hq_duty.user, unit=department, kind="wecom", url=WECOM)
    assert not Webhook.objects.exists()


def test_a_branch_administrator_cannot_add_or_switch_robots(client, hq_duty, branch_duty, rules):
    client.force_login(hq_duty.user)
    client.post("/notices/rules/robots/", {"unit": "JN0101", "kind": "wecom", "url": WECOM})
    robot = Webhook.objects.get()
    client.force_login(branch_duty.user)
    before = footprint()
    assert (
        client.post("/notices/rules/robots/", {"unit": "JN01", "kind": "wecom", "url": WECOM}).status_code
        == 403
    )
    assert client.post(f"/notices/rules/robots/{robot.pk}/", {"on": "0"}).status_code == 403
    assert footprint() == before
