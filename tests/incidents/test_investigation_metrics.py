"""The investigation's times come from the record, not from what anyone types: 缓报 when the first report
came later than the rule allows, a regulator report made late or not at all, steps never done. The
typed findings are written while the case is under investigation and never after it is closed."""

from datetime import timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yingji.core import clock
from yingji.core.errors import InvalidInput, InvalidTransition, NotAllowed
from yingji.core.testing import footprint
from yingji.incidents import metrics, services
from yingji.incidents.models import Incident, Status, TaskKind, TaskStatus
from yingji.notify import services as notify
from yingji.notify.models import Notice, NotificationRule

from . import factories
from .factories import RegulatorDeadlineFactory, ReportFactory, activate, incident_in, kind, person

pytestmark = pytest.mark.usefixtures("library")


def reported_after(minutes: float, **report) -> Incident:
    return ReportFactory(occurred_at=clock.now() - timedelta(minutes=minutes), **report)


# --- 缓报 -------------------------------------------------------------------------------------------


def test_a_report_45_minutes_after_the_event_is_late(now, hexie_lobby):
    measured = metrics.compute(reported_after(45))
    assert measured.late_report and measured.to_first_report == 45.0 and measured.late_report_limit == 30


def test_a_report_20_minutes_after_the_event_is_not_late(now, hexie_lobby):
    measured = metrics.compute(reported_after(20))
    assert not measured.late_report and measured.to_first_report == 20.0


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(delay=st.integers(min_value=0, max_value=24 * 60))
def test_a_report_is_late_exactly_when_it_came_more_than_30_minutes_after(library, now, hexie_lobby, delay):
    with transaction.atomic():
        measured = metrics.compute(reported_after(delay))
        assert measured.late_report == (delay > 30)
        transaction.set_rollback(True)


def test_the_limit_is_the_levels_rule(now, hexie_lobby):
    NotificationRule.objects.filter(level="III").update(late_report_minutes=60)
    assert not metrics.compute(reported_after(45)).late_report


def test_lateness_is_read_from_the_record_not_from_when_it_is_asked(now, hexie_lobby):
    incident = reported_after(20)
    now.advance(days=3)
    assert not metrics.compute(incident).late_report


# --- the regulator report ---------------------------------------------------------------------------


def robbery() -> Incident:
    return ReportFactory(kind=kind("customer_robbed"), description="客户在柜台前被抢走手提包")


def report_to_regulator(incident: Incident, *, done_at=None) -> None:
    task = incident.tasks.get(kind=TaskKind.REGULATOR_REPORT)
    services.complete_task(actor=person("branch_duty"), task=task, note="已电话报告人民银行", done_at=done_at)


def test_a_regulator_report_not_yet_due_is_not_late(now, hexie_lobby):
    incident = robbery()
    now.advance(minutes=59)
    measured = metrics.compute(incident)
    assert measured.regulator_due == incident.reported_at + timedelta(minutes=60)
    assert not measured.regulator_late and measured.regulator_done is None


def test_a_regulator_report_not_made_within_the_hour_is_late(now, hexie_lobby):
    incident = robbery()
    now.advance(minutes=61)
    assert metrics.compute(incident).regulator_late


def test_a_regulator_report_made_in_time_is_not_late(now, hexie_lobby):
    incident = robbery()
    now.advance(minutes=50)
    report_to_regulator(incident)
    now.advance(hours=5)
    measured = metrics.compute(incident)
    assert not measured.regulator_late and measured.regulator_done == incident.reported_at + timedelta(
        minutes=50
    )


def test_a_regulator_report_made_after_the_deadline_stays_late(now, hexie_lobby):
    incident = robbery()
    now.advance(minutes=90)
    report_to_regulator(incident)
    assert metrics.compute(incident).regulator_late


def test_a_regulator_report_is_late_after_the_regions_own_deadline(now, hexie_lobby):
    RegulatorDeadlineFactory(minutes=30)
    incident = robbery()
    now.advance(minutes=40)
    report_to_regulator(incident)
    assert metrics.compute(incident).regulator_late


def test_an_incident_without_regulator_duty_is_never_late_with_it(now, hexie_lobby):
    incident = ReportFactory()
    now.advance(days=1)
    measured = metrics.compute(incident)
    assert measured.regulator_due is None and not measured.regulator_late


# --- times, steps never done, acknowledgements ------------------------------------------------------


def test_the_times_from_report_to_activation_and_termination(now, hexie_lobby):
    incident = ReportFactory()
    now.advance(minutes=7)
    activate(incident)
    task = incident.tasks.filter(position__code="lobby_manager").first()
    now.advance(minutes=5)
    services.complete_task(actor=hexie_lobby, task=task, note="已安抚客户")
    now.advance(minutes=48)
    services.request_termination(actor=person("hexie_manager"), incident=incident, summary="客户已送医")
    factories.decide_termination(incident, approve=True)  # the 组长 and 和谐支行应急管理员, at once
    incident.refresh_from_db()
    measured = metrics.compute(incident)
    assert (measured.to_activation, measured.to_termination) == (7.0, 60.0)
    [done] = measured.tasks
    assert done.task == task and done.minutes_from_report == 12.0 and not done.late


def test_a_step_done_after_its_deadline_is_marked_late(now, hexie_lobby):
    incident = activate(ReportFactory())
    task = incident.tasks.filter(position__code="lobby_manager").exclude(due_at=None).first()
    now.advance(minutes=25)
    services.complete_task(actor=hexie_lobby, task=task, note="补做")
    [done] = metrics.compute(incident).tasks
    assert done.late and done.minutes_from_report == 25.0


def test_steps_never_done_are_listed_and_steps_that_did_not_apply_are_not(now, hexie_lobby):
    incident = activate(ReportFactory())
    lobby = list(incident.tasks.filter(position__code="lobby_manager").order_by("order"))
    services.complete_task(actor=hexie_lobby, task=lobby[0], note="已安抚")
    services.task_not_applicable(actor=hexie_lobby, task=incident.tasks.get(branch="重伤"), reason="轻伤")
    services.claim_task(actor=hexie_lobby, task=lobby[-1])
    never = metrics.compute(incident).never_done
    open_ones = incident.tasks.filter(status__in=[TaskStatus.OPEN, TaskStatus.CLAIMED])
    assert {t.pk for t in never} == set(open_ones.values_list("pk", flat=True))
    assert len(never) == 5 and lobby[-1] in never


def test_who_acknowledged_and_who_did_not(now, hexie_lobby, hexie_manager):
    incident = ReportFactory()
    now.advance(minutes=4)
    notice = Notice.objects.get(subject_id=incident.pk, recipient=hexie_manager)
    notify.acknowledge(person=hexie_manager, notice=notice)
    now.advance(minutes=20)
    notify.escalate_overdue(notice_ids=list(Notice.objects.values_list("pk", flat=True)))
    measured = metrics.compute(incident)
    # 郑和谐 acknowledged; 刘和谐's and 韩应急's notices went up to 钱江南
    assert (measured.notices, measured.unacknowledged, measured.escalated) == (5, 4, 2)
    assert measured.slowest_ack_minutes == 4.0


# --- the findings -----------------------------------------------------------------------------------


def test_the_findings_are_written_while_under_investigation(now, hexie_lobby, hexie_president):
    incident = incident_in(Status.INVESTIGATING)
    investigation = services.save_findings(
        actor=hexie_president,
        incident=incident,
        cause="雨天地面湿滑，未放置警示牌",
        warnings_in_time=False,
        responsibility=[{"name": "王大堂", "responsibility": "未及时放置警示牌"}],
        preventive_measures="雨天铺设防滑垫",
    )
    assert investigation.responsibility == [{"name": "王大堂", "responsibility": "未及时放置警示牌"}]
    assert investigation.started_by == hexie_president


def test_a_responsible_person_without_their_responsibility_is_refused(now, hexie_lobby, hexie_president):
    incident = incident_in(Status.INVESTIGATING)
    before = footprint()
    with pytest.raises(InvalidInput):
        services.save_findings(actor=hexie_president, incident=incident, responsibility=[{"name": "王大堂"}])
    assert footprint() == before


def test_the_case_is_not_closed_without_its_cause_and_measures(now, hexie_lobby, hexie_president):
    incident = incident_in(Status.INVESTIGATING)
    factories.past_the_watch(incident)
    before = footprint()
    with pytest.raises(InvalidInput) as refused:
        services.close_investigation(actor=hexie_president, incident=incident)
    assert set(refused.value.fields) == {"cause", "preventive_measures", "warnings_in_time"}
    assert footprint() == before


def test_a_closed_case_cannot_be_rewritten(now, hexie_lobby, hexie_president):
    incident = incident_in(Status.CLOSED)
    before = footprint()
    with pytest.raises(InvalidTransition):
        services.save_findings(actor=hexie_president, incident=incident, cause="另有原因")
    assert footprint() == before
    assert incident.investigation.cause == "地面清洁后未放置警示牌"


def test_the_lobby_manager_does_not_write_the_investigation(now, hexie_lobby):
    incident = incident_in(Status.INVESTIGATING)
    before = footprint()
    with pytest.raises(NotAllowed):
        services.save_findings(actor=hexie_lobby, incident=incident, cause="不是我的错")
    assert footprint() == before
