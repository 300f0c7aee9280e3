"""The times the product sets itself are the bank's own settings, not rules of the seeds: changing the
setting changes the deadline, and the room says 本行设定 where it shows one."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.incidents.factories import ReportFactory, activate, person
from yingji.core import clock
from yingji.plans.models import Timing

pytestmark = pytest.mark.usefixtures("library")


@pytest.mark.parametrize("minutes", [10, 25])
def test_an_at_once_step_is_due_after_the_banks_own_minutes(settings, minutes, demo):
    settings.YINGJI_IMMEDIATE_MINUTES = minutes
    with clock.frozen(timezone.now().replace(microsecond=0)):
        incident = activate(ReportFactory())
        task = incident.tasks.filter(step__timing=Timing.IMMEDIATE).first()
        assert task.due_at == clock.now() + timedelta(minutes=minutes)


def test_the_room_says_the_at_once_deadline_is_the_banks_setting(client, settings, demo):
    settings.YINGJI_IMMEDIATE_MINUTES = 15
    incident = activate(ReportFactory())
    client.force_login(person("hexie_lobby").user)
    room = client.get(incident.get_absolute_url()).content.decode()
    assert "“立即”按 15 分钟计（本行设定）" in room
