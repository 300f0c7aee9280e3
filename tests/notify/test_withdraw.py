"""A case that has ended stops asking: the notices about it still waiting for 已收到 are withdrawn (kept,
with the reason), nobody is paged about them, and neither the bell, the room's banner nor the inbox asks
for them any more."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.incidents.factories import ReportFactory, cancel, incident_in, person
from yingji.audit.models import AuditEntry
from yingji.core import clock
from yingji.core.testing import footprint
from yingji.incidents.models import Incident, Status
from yingji.notify import selectors
from yingji.notify import services as notify
from yingji.notify.models import Notice

pytestmark = pytest.mark.usefixtures("library")


@pytest.fixture
def now():
    with clock.frozen(timezone.now().replace(microsecond=0)) as frozen:
        yield frozen


def first_round(incident: Incident):
    return Notice.objects.filter(
        subject_type="incidents.incident",
        subject_id=incident.pk,
        escalated_from__isnull=True,
        ack_due_at__isnull=False,
    )


def test_after_termination_nobody_is_paged_about_the_case(now, demo):
    incident = incident_in(Status.TERMINATED)  # minutes after the report: nobody acknowledged yet
    asked = first_round(incident)
    assert asked.count() == 3 and all(n.withdrawn_at == clock.now() for n in asked)
    assert {n.withdrawn_reason for n in asked} == {"事件已终止。"}

    now.advance(minutes=16)  # past the acknowledgement deadline
    before = footprint()
    assert notify.escalate_overdue(notice_ids=list(asked.values_list("pk", flat=True))) == 0
    assert footprint() == before  # no notice to the branch leader, no audit entry
    assert not Notice.objects.filter(escalated_from__in=asked).exists()


def test_what_was_acknowledged_stays_acknowledged(now, demo):
    incident = ReportFactory()
    manager = person("hexie_manager")
    notice = first_round(incident).get(recipient=manager)
    notify.acknowledge(person=manager, notice=notice)
    cancel(incident)
    notice.refresh_from_db()
    assert notice.acknowledged_at is not None and notice.withdrawn_at is None
    others = first_round(incident).exclude(pk=notice.pk)
    assert others.count() == 2 and not others.filter(withdrawn_at__isnull=True).exists()
    [entry] = AuditEntry.objects.filter(action="notice.withdraw", object_id=str(incident.pk))
    assert sorted(entry.data["notices"]) == sorted(others.values_list("pk", flat=True))


def test_a_cancelled_case_no_longer_asks_in_the_room_the_bell_or_the_inbox(client, now, demo):
    incident = ReportFactory()
    manager = person("hexie_manager")
    client.force_login(manager.user)
    banner = 'yj-ack" role="alert"'
    assert banner in client.get(incident.get_absolute_url()).content.decode()
    assert selectors.unacknowledged_count(manager) == 1

    cancel(incident)

    room = client.get(incident.get_absolute_url()).content.decode()
    assert banner not in room  # the 已收到 banner is gone
    assert "已撤回" in room  # the list of who was told says so
    assert selectors.unacknowledged_count(manager) == 0
    inbox = client.get(reverse("notify:inbox")).content.decode()
    assert "已撤回" in inbox and "误报，客户未受伤" in inbox
    assert reverse("notify:acknowledge", args=[first_round(incident).get(recipient=manager).pk]) not in inbox


def test_withdrawing_twice_changes_nothing(now, demo):
    incident = ReportFactory()
    cancel(incident)
    before = footprint()
    assert notify.withdraw(subject_type="incidents.incident", subject_id=incident.pk, reason="再次") == 0
    assert footprint() == before


def test_a_case_reopened_in_the_watch_asks_again(now, demo):
    incident = incident_in(Status.TERMINATED)
    now.advance(hours=1)
    ReportFactory(description="同一位置又有客户滑倒")  # reopens the case and tells the chain again
    fresh = first_round(incident).filter(created_at=clock.now(), withdrawn_at__isnull=True)
    assert fresh.exists() and selectors.unacknowledged_count(person("hexie_manager")) >= 1
    assert timedelta(0) < clock.now() - first_round(incident).exclude(withdrawn_at=None).first().withdrawn_at
