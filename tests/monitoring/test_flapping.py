"""A flapping signal raises one warning and tells people once, not a storm."""

from datetime import timedelta

import pytest

from yingji.monitoring import services
from yingji.monitoring.models import SignalWarning, WarningStatus
from yingji.monitoring.notices import SUBJECT_TYPE
from yingji.notify.models import Notice

from .conftest import point

pytestmark = pytest.mark.django_db


def queue(now, integration, people: int) -> None:
    at = now.advance(minutes=1) - timedelta(minutes=1)
    services.ingest(
        integration=integration, points=[point("JN0101", "queue_length", at, people, source="queue")]
    )


def test_a_queue_that_crosses_thirty_every_other_minute_is_one_warning_told_once(now, queue_system):
    for minute in range(40):
        queue(now, queue_system, 34 if minute % 2 == 0 else 27)
    warning = SignalWarning.objects.get()
    assert warning.status == WarningStatus.RAISED  # never five minutes below: it stays raised
    told = Notice.objects.filter(subject_type=SUBJECT_TYPE, subject_id=warning.pk).count()
    assert told > 0
    assert Notice.objects.filter(subject_type=SUBJECT_TYPE).count() == told


def test_the_same_surge_back_within_the_hold_off_reopens_the_warning_without_telling_again(now, queue_system):
    for _round in range(3):  # surge for a minute, calm for six (it clears), surge again
        queue(now, queue_system, 36)
        for _ in range(6):
            queue(now, queue_system, 12)
    warning = SignalWarning.objects.get()
    assert warning.flaps == 2 and warning.status == WarningStatus.CLEARED
    assert Notice.objects.filter(subject_type=SUBJECT_TYPE).values("subject_id").distinct().count() == 1


def test_after_the_hold_off_a_new_surge_is_a_new_warning(now, queue_system, settings):
    queue(now, queue_system, 36)
    for _ in range(6):
        queue(now, queue_system, 12)
    now.advance(minutes=settings.YINGJI_SIGNAL_HOLDOFF_MINUTES)
    queue(now, queue_system, 40)
    assert SignalWarning.objects.count() == 2
