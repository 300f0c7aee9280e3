"""The warnings pages as people use them."""

from datetime import timedelta

import pytest

from yingji.audit.models import AuditEntry
from yingji.core.testing import footprint
from yingji.monitoring import services
from yingji.monitoring.models import SignalWarning, WarningRule, WarningStatus

from .conftest import point

pytestmark = pytest.mark.django_db


def surge(now, integration) -> SignalWarning:
    at = now.advance(minutes=1) - timedelta(minutes=1)
    services.ingest(integration=integration, points=[point("JN0101", "queue_length", at, 38, source="queue")])
    return SignalWarning.objects.get()


def test_the_branch_duty_officer_sees_the_surge_and_acknowledges_it(client, now, queue_system, branch_duty):
    warning = surge(now, queue_system)
    client.force_login(branch_duty.user)
    listed = client.get("/warnings/").content.decode()
    assert warning.title in listed
    page = client.get(warning.get_absolute_url()).content.decode()
    assert "38" in page and "本行设定" in page  # the 30 people are the bank's own number
    client.post(f"/warnings/{warning.pk}/acknowledge/")
    warning.refresh_from_db()
    assert warning.status == WarningStatus.ACKNOWLEDGED and warning.acknowledged_by == branch_duty
    assert AuditEntry.objects.filter(action="warning.acknowledge", object_id=str(warning.pk)).exists()


def test_a_sibling_branch_does_not_see_it(client, now, queue_system, other_manager):
    warning = surge(now, queue_system)
    client.force_login(other_manager.user)
    assert warning.title not in client.get("/warnings/?status=all").content.decode()
    assert client.get(warning.get_absolute_url()).status_code == 404


def test_head_office_changes_a_threshold_and_the_change_is_audited(client, rules, hq_duty):
    rule = WarningRule.objects.get(measure="queue_length", unit_type="outlet")
    client.force_login(hq_duty.user)
    assert "本行设定" in client.get("/warnings/rules/").content.decode()
    form = client.get(f"/warnings/rules/{rule.pk}/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "positions"}
    data |= {"threshold": "25", "name": "排队超过25人", "unit": "", "event_kind": rule.event_kind_id}
    response = client.post(f"/warnings/rules/{rule.pk}/", data)
    assert response.status_code == 302, response.context["form"].errors
    rule.refresh_from_db()
    assert rule.threshold == 25
    entry = AuditEntry.objects.get(action="warning_rule.save", object_id=str(rule.pk))
    assert entry.data["changed"]["threshold"] == [30.0, 25.0]


def test_a_branch_officer_cannot_change_the_rules(client, rules, branch_duty):
    rule = WarningRule.objects.get(measure="queue_length", unit_type="outlet")
    client.force_login(branch_duty.user)
    before = footprint()
    response = client.post(f"/warnings/rules/{rule.pk}/", {"name": "排队超过5人", "threshold": "5"})
    assert response.status_code == 403 and footprint() == before


def test_acknowledging_the_notice_acknowledges_the_warning(now, queue_system):
    from yingji.notify import services as notify
    from yingji.notify.models import Notice

    warning = surge(now, queue_system)
    notice = Notice.objects.filter(subject_type="monitoring.warning", subject_id=warning.pk).first()
    notify.acknowledge(person=notice.recipient, notice=notice)
    warning.refresh_from_db()
    assert warning.status == WarningStatus.ACKNOWLEDGED and warning.acknowledged_by == notice.recipient
