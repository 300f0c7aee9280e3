"""Who is told of a report follows its level up the tree; each notice asks for 已收到, and one nobody
acknowledges in time goes to the head and the 带班领导 of the unit above."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from yingji.audit.models import AuditEntry
from yingji.core import clock
from yingji.core.errors import NotVisible
from yingji.core.models import JobFailure
from yingji.core.testing import footprint, run_jobs
from yingji.incidents import services
from yingji.incidents.jobs import ALARMS, raise_alarm, raise_alarms
from yingji.incidents.models import Incident, TimelineEvent
from yingji.incidents.selectors import incident_for
from yingji.notify import services as notify
from yingji.notify.models import Notice
from yingji.notify.tasks import check_acknowledgements
from yingji.plans.models import Level

from .factories import ReportFactory, kind, unit
from .factories import person as person_named

pytestmark = pytest.mark.usefixtures("library")


def notices_of(incident: Incident):
    return Notice.objects.filter(subject_type="incidents.incident", subject_id=incident.pk)


def told(incident: Incident) -> set[str]:
    return set(notices_of(incident).values_list("recipient__user__username", flat=True))


def notice_for(incident: Incident, person) -> Notice:
    return notices_of(incident).get(recipient=person, escalated_from__isnull=True)


def make_checks_due() -> None:
    """The acknowledgement checks wait for business deadlines; the worker compares with real time."""
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now() - timedelta(seconds=1))


# --- who is told ------------------------------------------------------------------------------------


def test_a_level_iii_report_reaches_the_sub_branch_and_stops_there(now, hexie_lobby):
    incident = ReportFactory()
    assert incident.level == Level.III
    assert told(incident) == {"hexie_manager", "hexie_president", "hexie_admin"}  # 和谐支行应急管理员 too


def test_a_level_ii_report_reaches_the_branch_and_its_emergency_administrator(now, hexie_lobby):
    incident = ReportFactory(kind=kind("customer_robbed"), description="客户在柜台前被抢走手提包")
    assert incident.level == Level.II
    assert told(incident) == {
        "hexie_manager",
        "hexie_president",
        "hexie_admin",
        "jn_president",
        "branch_duty",
    }
    assert notices_of(incident).get(recipient__user__username="branch_duty").reason == "江南分行应急管理员"


def test_a_level_i_report_reaches_head_office_and_its_emergency_administrator(now, hexie_lobby):
    incident = ReportFactory(kind=kind("bank_run"), description="大量客户排队要求取出全部存款")
    assert incident.level == Level.I
    everyone = told(incident)
    assert {
        "hexie_manager",
        "hexie_president",
        "jn_president",
        "branch_duty",
        "hq_president",
        "hq_duty",
    } <= everyone
    assert not everyone & {"other_manager", "plaza_manager", "jb_president"}  # not the other branches


def test_the_reporter_is_not_told_of_their_own_report(now, hexie_manager):
    incident = ReportFactory(reporter=hexie_manager)
    assert told(incident) == {"hexie_president", "hexie_admin"}


def test_head_office_is_not_told_of_a_level_iii_event_but_can_open_it(now, hexie_lobby, hq_duty):
    incident = ReportFactory()
    assert not Notice.objects.filter(recipient=hq_duty).exists()
    assert incident_for(viewer=hq_duty.user, number=incident.number) == incident


def test_each_notice_asks_for_acknowledgement_within_the_levels_minutes(now, hexie_lobby):
    minor = ReportFactory()
    major = ReportFactory(kind=kind("customer_robbed"), description="客户被抢")
    worst = ReportFactory(kind=kind("bank_run"), description="挤兑")
    for incident, minutes in ((minor, 15), (major, 10), (worst, 5)):
        for notice in notices_of(incident):
            assert notice.ack_due_at - notice.created_at == timedelta(minutes=minutes)
            assert notice.url == incident.get_absolute_url() and incident.number in notice.body


def test_the_timeline_says_who_was_told(now, hexie_lobby):
    incident = ReportFactory()
    entry = incident.timeline.get(event=TimelineEvent.NOTIFIED)
    assert "郑和谐" in entry.text and "刘和谐" in entry.text
    assert sorted(entry.data["notices"]) == sorted(notices_of(incident).values_list("pk", flat=True))


# --- 已收到 -----------------------------------------------------------------------------------------


def test_the_recipient_acknowledges_and_the_timeline_shows_it(now, hexie_lobby, hexie_manager):
    incident = ReportFactory()
    now.advance(minutes=3)
    notice = notify.acknowledge(person=hexie_manager, notice=notice_for(incident, hexie_manager))
    assert notice.acknowledged_at == notice.created_at + timedelta(minutes=3)
    entry = incident.timeline.get(event=TimelineEvent.ACKNOWLEDGED)
    assert entry.actor == hexie_manager and "郑和谐" in entry.text and "3" in entry.text
    assert AuditEntry.objects.filter(action="notice.acknowledge", object_id=str(notice.pk)).count() == 1


def test_someone_else_cannot_acknowledge_a_notice(now, hexie_lobby, hexie_manager, hexie_president):
    incident = ReportFactory()
    before = footprint()
    with pytest.raises(NotVisible):
        notify.acknowledge(person=hexie_president, notice=notice_for(incident, hexie_manager))
    assert footprint() == before
    assert notice_for(incident, hexie_manager).acknowledged_at is None


def test_acknowledging_twice_changes_nothing(now, hexie_lobby, hexie_manager):
    incident = ReportFactory()
    first = notify.acknowledge(person=hexie_manager, notice=notice_for(incident, hexie_manager))
    before = footprint()
    now.advance(minutes=2)
    again = notify.acknowledge(person=hexie_manager, notice=notice_for(incident, hexie_manager))
    assert again.acknowledged_at == first.acknowledged_at
    assert footprint() == before
    assert incident.timeline.filter(event=TimelineEvent.ACKNOWLEDGED).count() == 1


# --- escalation when nobody acknowledges ------------------------------------------------------------


def test_nothing_is_escalated_before_the_deadline(now, hexie_lobby):
    incident = ReportFactory()
    now.advance(minutes=14)
    before = footprint()
    assert notify.escalate_overdue(notice_ids=list(notices_of(incident).values_list("pk", flat=True))) == 0
    assert footprint() == before


def test_an_unacknowledged_notice_goes_to_the_unit_above(now, hexie_lobby, hexie_manager, hexie_president):
    incident = ReportFactory()
    notify.acknowledge(person=hexie_president, notice=notice_for(incident, hexie_president))
    admin = person_named("hexie_admin")
    notify.acknowledge(person=admin, notice=notice_for(incident, admin))
    now.advance(minutes=16)
    ids = list(notices_of(incident).values_list("pk", flat=True))
    assert notify.escalate_overdue(notice_ids=ids) == 1
    silent = notice_for(incident, hexie_manager)
    assert silent.escalated_at == incident.reported_at + timedelta(minutes=16)
    passed_up = Notice.objects.get(escalated_from=silent)
    assert passed_up.recipient == hexie_president and passed_up.reason in (
        "和谐支行负责人",
        "和谐支行带班领导",
    )
    assert "郑和谐" in passed_up.body and "15" in passed_up.body
    assert passed_up.ack_due_at == passed_up.created_at + timedelta(minutes=15)
    assert notice_for(incident, hexie_president).escalated_at is None  # acknowledged: stays put
    entry = incident.timeline.get(event=TimelineEvent.ESCALATED)
    assert "郑和谐" in entry.text and "刘和谐" in entry.text
    assert AuditEntry.objects.filter(action="notice.escalate", object_id=str(silent.pk)).count() == 1


def test_escalating_twice_passes_each_notice_up_once(now, hexie_lobby, hexie_manager, hexie_president):
    incident = ReportFactory()
    ids = list(notices_of(incident).values_list("pk", flat=True))
    now.advance(minutes=16)
    assert notify.escalate_overdue(notice_ids=ids) == 3
    after_first = footprint()
    assert notify.escalate_overdue(notice_ids=ids) == 0
    assert footprint() == after_first
    # 郑和谐's notice went to 和谐支行 (刘和谐); 刘和谐's and 韩应急's to 江南分行 (钱江南).
    up = {
        n.escalated_from.recipient.user.username: n.recipient.user.username
        for n in notices_of(incident)
        if n.escalated_from_id
    }
    assert up == {
        "hexie_manager": "hexie_president",
        "hexie_president": "jn_president",
        "hexie_admin": "jn_president",
    }


def test_an_acknowledged_notice_is_never_escalated(now, hexie_lobby, hexie_manager, hexie_president):
    incident = ReportFactory()
    for person in (hexie_manager, hexie_president, person_named("hexie_admin")):
        now.advance(minutes=7)
        notify.acknowledge(person=person, notice=notice_for(incident, person))
    now.advance(minutes=30)
    before = footprint()
    assert notify.escalate_overdue(notice_ids=list(notices_of(incident).values_list("pk", flat=True))) == 0
    assert footprint() == before


def test_the_worker_escalates_once_however_often_the_check_runs(
    now, hexie_lobby, hexie_manager, django_capture_on_commit_callbacks, sms_outbox
):
    with django_capture_on_commit_callbacks(execute=True):
        incident = ReportFactory()
    checks = DBTaskResult.objects.filter(task_path__endswith="check_acknowledgements")
    assert checks.count() == 1
    assert checks.get().run_after == incident.reported_at + timedelta(minutes=15)
    with django_capture_on_commit_callbacks(execute=True):
        run_jobs()  # the deliveries go out; the check is not due yet
    assert not notices_of(incident).filter(escalated_at__isnull=False).exists()
    now.advance(minutes=16)
    make_checks_due()
    with django_capture_on_commit_callbacks(execute=True):
        run_jobs()
    escalated = notices_of(incident).filter(escalated_from__isnull=False)
    assert {n.recipient.user.username for n in escalated} == {"hexie_president", "jn_president"}
    # The check runs again (a retry, a second worker): nothing more is passed up.
    before = footprint()
    with django_capture_on_commit_callbacks(execute=True):
        check_acknowledgements.enqueue(
            notice_ids=[n.pk for n in notices_of(incident).filter(escalated_from=None)]
        )
        run_jobs()
    assert notices_of(incident).filter(escalated_from__isnull=False).count() == 3
    assert Notice.objects.count() == before[Notice._meta.label]


def test_a_report_is_kept_when_telling_the_chain_fails_and_the_worker_tells_it_on_the_retry(
    now, hexie_lobby, django_capture_on_commit_callbacks, monkeypatch
):
    from yingji.incidents import alerts

    working = alerts.raise_the_alarm

    def broken(*args, **kwargs):
        raise ConnectionError("SMS gateway lookup timed out")

    monkeypatch.setattr(alerts, "raise_the_alarm", broken)
    with django_capture_on_commit_callbacks(execute=True):
        incident = ReportFactory()  # recorded; the worker's first try to tell the chain fails
    assert Incident.objects.filter(pk=incident.pk).exists()
    assert not notices_of(incident).exists()
    failure = JobFailure.objects.get(task_path__endswith="raise_alarm")
    assert "SMS gateway lookup timed out" in failure.error and failure.retry_at is not None

    monkeypatch.setattr(alerts, "raise_the_alarm", working)
    make_checks_due()  # the retry's back-off is over
    with django_capture_on_commit_callbacks(execute=True):
        run_jobs()
    assert {n.recipient.user.username for n in notices_of(incident)} >= {"hexie_manager"}
    assert incident.timeline.filter(event=TimelineEvent.NOTIFIED).count() == 1


def test_the_alarm_job_commits_with_the_report_and_telling_twice_tells_nobody_twice(
    now, hexie_lobby, django_capture_on_commit_callbacks
):
    incident = services.report_incident(
        reporter=hexie_lobby,
        kind=kind("customer_injured"),
        unit=unit("JN0101"),
        occurred_at=clock.now() - timedelta(minutes=5),
        description="客户摔倒",
    )
    # Nothing waits for a commit: the job's row is already there, in the report's own transaction.
    assert DBTaskResult.objects.filter(task_path__endswith="raise_alarms", status="READY").count() == 1
    assert not notices_of(incident).exists()
    run_jobs(queue=ALARMS)
    told = notices_of(incident).count()
    assert told > 0
    raise_alarms.enqueue(reports=[[incident.pk, f"level-{incident.level}", hexie_lobby.pk]])
    raise_alarm.enqueue(
        incident_id=incident.pk, round_key=f"level-{incident.level}", exclude_id=hexie_lobby.pk
    )
    run_jobs(queue=ALARMS)  # at-least-once: the same round again, by either job
    assert notices_of(incident).count() == told
    assert incident.tasks.filter(kind="regulator_report").count() <= 1


# --- a batch of alarms ------------------------------------------------------------------------------


def reported_untold(username: str, unit_code: str, description: str) -> Incident:
    return services.report_incident(
        reporter=person_named(username),
        kind=kind("customer_robbed"),
        unit=unit(unit_code),
        occurred_at=clock.now() - timedelta(minutes=5),
        description=description,
    )


def test_one_alarm_job_for_reports_committed_together_tells_each_chain_as_if_alone(now, hexie_lobby):
    hexie = reported_untold("hexie_lobby", "JN0101", "客户在柜台前被抢走手提包")
    plaza = reported_untold("plaza_manager", "JN0102", "客户在门口被抢")
    DBTaskResult.objects.all().delete()  # as if both had been written in one batch:
    raise_alarms.enqueue(reports=[[i.pk, f"level-{i.level}", i.reporter_id] for i in (hexie, plaza)])
    run_jobs(queue=ALARMS)
    # The sub-branch, branch and head office are read once for both; each is still told its own chain.
    assert told(hexie) == {"hexie_manager", "hexie_president", "hexie_admin", "jn_president", "branch_duty"}
    assert told(plaza) == {
        "hexie_president",
        "hexie_admin",
        "jn_president",
        "branch_duty",
    }  # plaza_manager reported
    for incident in (hexie, plaza):
        [task] = incident.tasks.filter(kind="regulator_report")
        assert {p.user.username for p in task.candidates.all()} == {"branch_duty"}


def test_a_report_whose_alarm_fails_in_a_batch_is_retried_alone_and_the_others_are_told(
    now, hexie_lobby, monkeypatch, django_capture_on_commit_callbacks
):
    from yingji.incidents import alerts

    hexie = reported_untold("hexie_lobby", "JN0101", "客户在柜台前被抢走手提包")
    plaza = reported_untold("plaza_manager", "JN0102", "客户在门口被抢")
    DBTaskResult.objects.all().delete()
    working = alerts.raise_the_alarm

    def broken_for_hexie(incident, **kwargs):
        if incident.pk == hexie.pk:
            raise ConnectionError("lookup timed out")
        return working(incident, **kwargs)

    monkeypatch.setattr(alerts, "raise_the_alarm", broken_for_hexie)
    raise_alarms.enqueue(reports=[[i.pk, f"level-{i.level}", i.reporter_id] for i in (hexie, plaza)])
    run_jobs(queue=ALARMS)
    assert told(plaza) and not told(hexie)
    assert (
        JobFailure.objects.get(task_path__endswith="raise_alarm").arguments["kwargs"]["incident_id"]
        == hexie.pk
    )

    monkeypatch.setattr(alerts, "raise_the_alarm", working)
    make_checks_due()  # the retry's back-off is over
    run_jobs(queue=ALARMS)
    assert told(hexie) == {"hexie_manager", "hexie_president", "hexie_admin", "jn_president", "branch_duty"}


def test_a_batch_of_alarms_reads_the_people_of_all_its_chains_at_once(now, hexie_lobby):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    hexie = reported_untold("hexie_lobby", "JN0101", "客户在柜台前被抢走手提包")
    plaza = reported_untold("plaza_manager", "JN0102", "客户在门口被抢")
    DBTaskResult.objects.all().delete()
    raise_alarms.enqueue(reports=[[i.pk, f"level-{i.level}", i.reporter_id] for i in (hexie, plaza)])
    with CaptureQueriesContext(connection) as queries:
        run_jobs(queue=ALARMS)
    rosters = [q for q in queries.captured_queries if 'FROM "orgs_dutyroster"' in q["sql"]]
    people = [  # the people of the units on the chains (the branch's 应急管理员 for the task aside)
        q["sql"]
        for q in queries.captured_queries
        if "'department'" in q["sql"] and "emergency_admin" not in q["sql"]
    ]
    assert len(rosters) == 1 and len(people) == 1  # two outlets, one sub-branch, branch, head office
    assert told(plaza) == {"hexie_president", "hexie_admin", "jn_president", "branch_duty"}
