"""Who is told is data: head-office emergency administrators edit the rules in the pages."""

import pytest

from yingji.audit.models import AuditEntry
from yingji.core.testing import footprint
from yingji.notify.defaults import ensure_defaults
from yingji.notify.models import KindNotificationRule, NotificationRule, RegulatorDeadline
from yingji.orgs.models import Unit
from yingji.plans.loader import load_library


@pytest.fixture
def rules(demo):
    load_library()
    ensure_defaults()


def test_the_defaults_tell_iii_to_the_sub_branch_ii_to_the_branch_and_i_to_head_office(rules):
    assert {r.level: (r.reach, r.ack_minutes) for r in NotificationRule.objects.all()} == {
        "III": ("sub_branch", 15),
        "II": ("branch", 10),
        "I": ("head_office", 5),
    }
    assert KindNotificationRule.objects.get(kind__code="bank_run").regulator_report


def test_head_office_administrator_widens_level_iii_to_the_branch(client, hq_duty, rules):
    client.force_login(hq_duty.user)
    client.post(
        "/notices/rules/level/III/",
        {
            "III-reach": "branch",
            "III-ack_minutes": 20,
            "III-late_report_minutes": 30,
            "III-positions": ["emergency_admin"],
        },
    )
    rule = NotificationRule.objects.get(level="III")
    assert (rule.reach, rule.ack_minutes) == ("branch", 20)
    entry = AuditEntry.objects.get(action="notify.update_level_rule")
    assert entry.data["changed"]["reach"] == ["sub_branch", "branch"]


def test_the_menu_offers_the_rules_to_head_office_administrators_only(client, hq_duty, branch_duty, rules):
    client.force_login(hq_duty.user)
    assert 'href="/notices/rules/"' in client.get("/").content.decode()
    page = client.get("/notices/rules/").content.decode()
    assert all(f"{level}级" in page for level in ("Ⅰ", "Ⅱ", "Ⅲ"))
    client.force_login(branch_duty.user)
    assert 'href="/notices/rules/"' not in client.get("/").content.decode()


def test_a_branch_administrator_cannot_edit_the_rules(client, branch_duty, rules):
    client.force_login(branch_duty.user)
    before = footprint()
    assert client.get("/notices/rules/").status_code == 403
    assert (
        client.post(
            "/notices/rules/level/III/",
            {"III-reach": "head_office", "III-ack_minutes": 1, "III-late_report_minutes": 1},
        ).status_code
        == 403
    )
    assert footprint() == before


def test_minutes_out_of_range_are_refused_with_a_message(client, hq_duty, rules):
    client.force_login(hq_duty.user)
    before = footprint()
    answer = client.post(
        "/notices/rules/level/II/",
        {"II-reach": "branch", "II-ack_minutes": 0, "II-late_report_minutes": 30},
        follow=True,
    )
    assert answer.status_code == 200 and NotificationRule.objects.get(level="II").ack_minutes == 10
    assert footprint() == before


def test_a_region_sets_its_own_regulator_deadline(client, hq_duty, rules):
    from yingji.incidents.alerts import regulator_minutes

    client.force_login(hq_duty.user)
    client.post("/notices/rules/deadline/JN/", {"minutes": 30})
    assert RegulatorDeadline.objects.get(unit__code="JN").minutes == 30
    assert regulator_minutes(Unit.objects.get(code="JN0101")) == 30
    assert regulator_minutes(Unit.objects.get(code="JB0101")) == 60


def test_a_kind_gains_the_regulator_duty(client, hq_duty, rules):
    client.force_login(hq_duty.user)
    client.post("/notices/rules/kind/fire/", {"regulator_report": "on"})
    assert KindNotificationRule.objects.get(kind__code="fire").regulator_report
