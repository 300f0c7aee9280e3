"""数据中断: a source that stops reporting raises a warning once the rule's minutes (本行设定) pass
without a point from it, and the warning clears when its points arrive again."""

from datetime import timedelta

import pytest
from django.conf import settings

from yingji.core.testing import run_jobs
from yingji.monitoring import services
from yingji.monitoring.models import Measure, SignalSource, SignalWarning, WarningStatus

from .conftest import point

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs a step as a server would: what it leaves for after the commit happens."""

    def run(step, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return step(*args, **kwargs)

    return run


def queue(at, people: int = 8) -> list[dict]:
    return [point("JN0101", "queue_length", at, people, source="queue")]


def test_a_queue_system_silent_for_ten_minutes_raises_data_interrupted_and_clears_when_it_reports(
    now, queue_system, committed
):
    minutes = settings.YINGJI_SIGNAL_NO_DATA_MINUTES
    committed(services.ingest, integration=queue_system, points=queue(now.advance(minutes=0)))
    source = SignalSource.objects.get(unit__code="JN0101", source="queue")
    assert source.check_due == now.advance(minutes=0) + timedelta(minutes=minutes)

    now.advance(minutes=minutes)
    committed(run_jobs)
    warning = SignalWarning.objects.get(rule__measure=Measure.NO_DATA)
    assert warning.status == WarningStatus.RAISED
    assert warning.title == f"和谐路营业部（排队叫号系统）：数据中断{minutes}分钟（{minutes}分钟）"
    assert warning.condition_since == source.last_seen

    now.advance(minutes=3)
    committed(services.ingest, integration=queue_system, points=queue(now.advance(minutes=0)))
    warning.refresh_from_db()
    assert warning.status == WarningStatus.CLEARED and warning.cleared_at == now.advance(minutes=0)


def test_a_source_that_keeps_reporting_raises_nothing_and_its_check_moves_on(now, queue_system, committed):
    minutes = settings.YINGJI_SIGNAL_NO_DATA_MINUTES
    committed(services.ingest, integration=queue_system, points=queue(now.advance(minutes=0)))
    for _ in range(minutes):
        at = now.advance(minutes=1)
        committed(services.ingest, integration=queue_system, points=queue(at))
    committed(run_jobs)
    assert not SignalWarning.objects.filter(rule__measure=Measure.NO_DATA).exists()
    source = SignalSource.objects.get(unit__code="JN0101", source="queue")
    assert source.check_due > now.advance(minutes=0)  # due again that long after the last point
