"""The demo's simulator: a warning raised and cleared within the first minutes, then the outage."""

from datetime import timedelta

import pytest

from yingji.core.testing import run_jobs
from yingji.monitoring import simulator
from yingji.monitoring.models import SignalWarning, WarningStatus

pytestmark = pytest.mark.django_db


def test_the_demo_shows_a_surge_raised_and_cleared_in_minutes_and_the_outage_opens_an_incident(now, rules):
    sender = simulator.integration()
    run = simulator.Simulator(started=now.advance(minutes=0))
    for _ in range(8):
        run.send(sender, now.advance(minutes=0))
        now.advance(minutes=1)
    surge = SignalWarning.objects.get(unit__code="JN0101", rule__measure="queue_length")
    assert surge.status == WarningStatus.CLEARED
    assert surge.cleared_at - surge.raised_at <= timedelta(minutes=8)
    for _ in range(80):  # the CTI goes down at 20 minutes for 70
        run.send(sender, now.advance(minutes=0))
        now.advance(minutes=1)
    outage = SignalWarning.objects.get(unit__code="CC", rule__measure="system_down")
    run_jobs()
    outage.refresh_from_db()
    assert outage.incident is not None and outage.incident.kind.code == "cc_call_connection"
    assert SignalWarning.objects.filter(unit__code="CC", rule__measure="answer_rate").exists()
