"""What the situation board reads: the warnings a viewer's units see, and the call centre's day."""

from datetime import timedelta

import pytest

from yingji.core import clock
from yingji.core.errors import NotVisible
from yingji.monitoring import selectors, services
from yingji.monitoring.models import SignalWarning

from .conftest import point

pytestmark = pytest.mark.django_db


def test_a_surge_at_hexie_is_seen_above_it_and_not_by_a_sibling(
    now, queue_system, branch_duty, other_manager, hq_duty
):
    at = now.advance(minutes=1) - timedelta(minutes=1)
    services.ingest(
        integration=queue_system, points=[point("JN0101", "queue_length", at, 45, source="queue")]
    )
    warning = SignalWarning.objects.get()
    seen = list(selectors.active_warnings(viewer=branch_duty.user))
    assert seen == [warning] and seen[0].get_level_display() and seen[0].value == 45
    assert list(selectors.active_warnings(viewer=hq_duty.user)) == [warning]
    assert list(selectors.active_warnings(viewer=other_manager.user)) == []


def test_the_call_centre_day_in_quarter_hours_with_its_thresholds(now, acd, hq_duty, hexie_lobby, unit):
    start = now.advance(minutes=0)
    points = []
    for i in range(30):  # 10:00–10:30: two intervals
        at = start + timedelta(minutes=i)
        points += [
            point("CC", "calls_offered", at, 40),
            point("CC", "calls_answered", at, 30 if i < 15 else 39),
            point("CC", "calls_answered_20s", at, 28 if i < 15 else 36),
        ]
    now.advance(minutes=30)
    services.ingest(integration=acd, points=points)
    day = start.astimezone(clock.SHANGHAI).date()
    series = selectors.call_centre_series(viewer=hq_duty.user, unit=unit("CC"), day=day)
    assert len(series) == 96
    ten = next(s for s in series if s.start == start)
    assert (ten.offered, ten.answered, ten.within_20s, ten.answer_rate, ten.service_level) == (
        600,
        450,
        420,
        75.0,
        70.0,
    )
    after = series[series.index(ten) + 1]
    assert (
        after.answer_rate == 97.5
        and after.answer_rate_threshold == 85
        and after.service_level_threshold == 80
    )
    with pytest.raises(NotVisible):
        selectors.call_centre_series(viewer=hexie_lobby.user, unit=unit("CC"), day=day)
