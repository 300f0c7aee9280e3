"""Each shipped rule raises its warning and clears it, on a clock the test moves minute by minute as the
systems would report."""

from datetime import timedelta

import pytest

from yingji.audit.models import AuditEntry
from yingji.monitoring import services
from yingji.monitoring.models import SignalWarning, WarningStatus
from yingji.monitoring.notices import SUBJECT_TYPE
from yingji.notify.models import Notice

from .conftest import point

pytestmark = pytest.mark.django_db


def report_minutes(now, integration, n: int, make) -> None:
    """`n` minutes: each minute ends, then the system sends that minute's points."""
    for _ in range(n):
        at = now.advance(minutes=1)
        services.ingest(integration=integration, points=make(at - timedelta(minutes=1)))


def calls(offered: int, answered: int, within: int):
    return lambda at: [
        point("CC", "calls_offered", at, offered),
        point("CC", "calls_answered", at, answered),
        point("CC", "calls_answered_20s", at, within),
    ]


def warning_of(rule_measure: str) -> SignalWarning | None:
    return SignalWarning.objects.filter(rule__measure=rule_measure).first()


def test_answer_rate_below_85_for_an_interval_raises_and_the_next_good_interval_clears_it(now, acd):
    report_minutes(now, acd, 14, calls(40, 30, 30))  # 75 %, but the interval is not over yet
    assert warning_of("answer_rate") is None
    report_minutes(now, acd, 1, calls(40, 30, 30))
    report_minutes(now, acd, 1, calls(40, 39, 36))  # the first point of the next interval closes it
    warning = warning_of("answer_rate")
    assert warning.status == WarningStatus.RAISED and warning.value == 75.0
    assert warning.proposal == "pending"  # the leadership group decides (004 第九条)
    assert Notice.objects.filter(subject_type=SUBJECT_TYPE, subject_id=warning.pk).exists()
    report_minutes(now, acd, 15, calls(40, 39, 36))
    warning.refresh_from_db()
    assert warning.status == WarningStatus.CLEARED and warning.value == 97.5
    assert AuditEntry.objects.filter(action="warning.clear", object_id=str(warning.pk)).exists()


def test_service_level_below_80_raises_and_clears(now, acd):
    report_minutes(now, acd, 16, calls(40, 39, 28))  # 70 % within 20 s; 接通率 fine
    warning = warning_of("service_level")
    assert warning.status == WarningStatus.RAISED and warning.value == 70.0
    assert warning_of("answer_rate") is None
    report_minutes(now, acd, 15, calls(40, 39, 36))
    warning.refresh_from_db()
    assert warning.status == WarningStatus.CLEARED


def test_too_few_calls_to_judge_raise_nothing(now, acd, settings):
    settings.YINGJI_SIGNAL_MIN_OFFERED = 20
    report_minutes(now, acd, 16, calls(1, 0, 0))  # 15 calls offered in the interval, none answered
    assert SignalWarning.objects.count() == 0


def status(metric: str, unit: str, value: float, source: str):
    return lambda at: [point(unit, metric, at, value, source=source)]


def test_the_call_centre_system_down_sixty_minutes_raises_red_and_clears_when_up(now, acd):
    report_minutes(now, acd, 59, status("system_status", "CC", 0, "cti"))  # down since 10:00, now 10:59
    assert warning_of("system_down") is None
    report_minutes(now, acd, 1, status("system_status", "CC", 0, "cti"))  # 11:00: sixty minutes
    warning = warning_of("system_down")
    assert warning.status == WarningStatus.RAISED and warning.level == "red" and warning.value == 60
    report_minutes(now, acd, 4, status("system_status", "CC", 1, "cti"))  # up since 11:00, now 11:04
    warning.refresh_from_db()
    assert warning.status == WarningStatus.RAISED  # up for four minutes: not yet (本行设定 5)
    report_minutes(now, acd, 1, status("system_status", "CC", 1, "cti"))
    warning.refresh_from_db()
    assert warning.status == WarningStatus.CLEARED


@pytest.mark.parametrize(
    ("measure", "metric", "bad", "good", "minutes_to_raise"),
    [
        ("queue_length", "queue_length", 35, 12, 1),
        ("longest_wait", "longest_wait_minutes", 40, 8, 1),
        ("queue_machine_down", "queue_machine_status", 0, 1, 15),
    ],
)
def test_an_outlet_rule_raises_and_clears(now, queue_system, measure, metric, bad, good, minutes_to_raise):
    report_minutes(now, queue_system, minutes_to_raise - 1, status(metric, "JN0101", bad, "queue"))
    assert warning_of(measure) is None
    report_minutes(now, queue_system, 1, status(metric, "JN0101", bad, "queue"))
    warning = warning_of(measure)
    assert warning.status == WarningStatus.RAISED and warning.unit.code == "JN0101"
    report_minutes(now, queue_system, 6, status(metric, "JN0101", good, "queue"))
    warning.refresh_from_db()
    assert warning.status == WarningStatus.CLEARED
