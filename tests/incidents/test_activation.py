"""郑和谐 activates the 客户意外受伤 drill plan: each step becomes a task for whoever holds its position at
和谐路营业部, due by the step's timing; an overdue task reminds its owner, then the group leader. A Ⅱ
event, or a kind the rules mark, also owes the regulator a report within the region's deadline."""

from datetime import timedelta

import pytest
from django_tasks_db.models import DBTaskResult

from yingji.audit.models import AuditEntry
from yingji.core.errors import InvalidInput, InvalidTransition, NotAllowed
from yingji.core.testing import footprint
from yingji.incidents import services
from yingji.incidents.models import (
    Incident,
    Member,
    MemberRole,
    Status,
    Task,
    TaskKind,
    TaskStatus,
    TimelineEvent,
)
from yingji.incidents.services.tasks import remind_overdue
from yingji.notify.models import KindNotificationRule, Notice
from yingji.plans import services as plans
from yingji.plans.models import Level

from .factories import RegulatorDeadlineFactory, ReportFactory, activate, approved, cancel, kind, person

pytestmark = pytest.mark.usefixtures("library")


def tasks_by_position(incident: Incident) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for task in incident.tasks.filter(kind=TaskKind.PLAN_STEP).prefetch_related("candidates"):
        found.setdefault(task.position.name, set()).update(p.name for p in task.candidates.all())
    return found


def notices_to(person, incident: Incident) -> list[Notice]:
    return list(Notice.objects.filter(subject_id=incident.pk, recipient=person).order_by("pk"))


# --- activation -------------------------------------------------------------------------------------


def test_each_step_goes_to_whoever_holds_its_position_at_the_outlet(now, hexie_lobby, hexie_manager):
    incident = activate(ReportFactory())
    assert tasks_by_position(incident) == {
        "大堂经理": {"王大堂"},
        "保安": {"施保安"},
        "网点负责人": {"郑和谐"},
    }
    version = approved("outlet-service-customer-injured")
    assert incident.tasks.filter(kind=TaskKind.PLAN_STEP).count() == version.steps.count() == 7
    assert incident.status == Status.ACTIVATED and incident.plan_version == version
    assert incident.activated_at == incident.reported_at


def test_due_times_follow_the_steps_timing(now, hexie_lobby):
    incident = activate(ReportFactory())
    at_once = incident.tasks.get(title__startswith="网点负责人打电话向上级管理部门报备")
    assert at_once.due_at == incident.activated_at + timedelta(minutes=10)
    slight = incident.tasks.get(branch="轻伤")
    assert slight.due_at is None and slight.condition == "客户受伤较轻"
    assert set(incident.tasks.exclude(due_at=None).values_list("status", flat=True)) == {TaskStatus.OPEN}


def test_a_step_within_twenty_minutes_is_due_twenty_minutes_after_activation(
    now, hexie_lobby, branch_duty, hq_duty
):
    plan = approved("outlet-service-customer-injured").plan
    draft = plans.start_revision(actor=branch_duty.user, plan=plan)
    plans.add_step(
        actor=branch_duty.user,
        version=draft,
        action="二十分钟内向支行书面报告伤情",
        position="outlet_head",
        timing="within",
        minutes=20,
    )
    plans.submit_for_review(actor=branch_duty.user, version=draft)
    plans.approve(actor=hq_duty.user, version=draft)
    incident = ReportFactory()
    now.advance(minutes=4)
    activate(incident)
    written = incident.tasks.get(title="二十分钟内向支行书面报告伤情")
    assert written.due_at == incident.reported_at + timedelta(minutes=4 + 20)


def test_activation_names_the_leading_group_and_tells_everyone_with_a_task(
    now, hexie_lobby, hexie_manager, hexie_president, hexie_guard
):
    incident = ReportFactory()
    reported = set(Notice.objects.filter(subject_id=incident.pk).values_list("pk", flat=True))
    activate(incident)
    assert list(Member.objects.filter(incident=incident).values_list("person__name", "role")) == [
        ("刘和谐", MemberRole.LEADER)
    ]
    new = Notice.objects.filter(subject_id=incident.pk).exclude(pk__in=reported)
    assert {n.recipient.name for n in new} == {"王大堂", "施保安", "刘和谐"}  # not 郑和谐, who activated
    assert all(n.ack_due_at is None for n in new)
    entry = incident.timeline.get(event=TimelineEvent.ACTIVATED)
    assert entry.actor == hexie_manager and "刘和谐" in entry.text and "7" in entry.text
    audit = AuditEntry.objects.get(action="incident.activate")
    assert audit.data["plan"] == "outlet-service-customer-injured" and audit.data["tasks"] == 7


def test_activation_queues_a_due_check_for_each_task_with_a_deadline(
    now, hexie_lobby, django_capture_on_commit_callbacks
):
    incident = ReportFactory()
    with django_capture_on_commit_callbacks(execute=True):
        activate(incident)
    checks = DBTaskResult.objects.filter(task_path__endswith="check_tasks_due")
    due = incident.tasks.exclude(due_at=None)
    assert sorted(i for c in checks for i in c.args_kwargs["kwargs"]["task_ids"]) == sorted(
        due.values_list("pk", flat=True)
    )
    assert {c.run_after for c in checks} == {incident.activated_at + timedelta(minutes=10)}


def test_the_lobby_manager_cannot_activate_a_plan(now, hexie_lobby, django_capture_on_commit_callbacks):
    incident = ReportFactory()
    before = footprint()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(NotAllowed):
        services.activate_plan(
            actor=hexie_lobby,
            incident=incident,
            version=approved("outlet-service-customer-injured"),
            leader=person("hexie_manager"),
        )
    assert footprint() == before


def test_a_draft_version_cannot_be_activated(now, hexie_lobby, hexie_manager, branch_duty):
    plan = approved("outlet-service-customer-injured").plan
    draft = plans.start_revision(actor=branch_duty.user, plan=plan)
    incident = ReportFactory()
    before = footprint()
    with pytest.raises(InvalidTransition):
        services.activate_plan(actor=hexie_manager, incident=incident, version=draft, leader=hexie_manager)
    assert footprint() == before
    incident.refresh_from_db()
    assert incident.status == Status.REPORTED


@pytest.mark.parametrize(
    ("leader", "members"),
    [("hexie_manager", ["hexie_manager"]), ("hexie_manager", ["other_manager"])],
    ids=["one person twice", "someone from the other branch"],
)
def test_a_group_nobody_can_form_is_refused(now, hexie_lobby, hexie_manager, leader, members):
    incident = ReportFactory()
    before = footprint()
    with pytest.raises(InvalidInput):
        services.activate_plan(
            actor=hexie_manager,
            incident=incident,
            version=approved("outlet-service-customer-injured"),
            leader=person(leader),
            members=[person(m) for m in members],
        )
    assert footprint() == before


# --- working the tasks ------------------------------------------------------------------------------


def test_the_first_task_taken_starts_the_response(now, hexie_lobby):
    incident = activate(ReportFactory())
    task = incident.tasks.filter(position__code="lobby_manager").first()
    services.claim_task(actor=hexie_lobby, task=task)
    incident.refresh_from_db()
    task.refresh_from_db()
    assert task.owner == hexie_lobby and task.status == TaskStatus.CLAIMED
    assert incident.status == Status.RESPONDING


def test_a_task_done_keeps_its_note_and_the_time_it_was_done(now, hexie_lobby):
    incident = activate(ReportFactory())
    task = incident.tasks.filter(position__code="lobby_manager").first()
    now.advance(minutes=8)
    done_at = incident.reported_at + timedelta(minutes=6)
    services.complete_task(actor=hexie_lobby, task=task, note="已安抚客户并拍照留证", done_at=done_at)
    task.refresh_from_db()
    assert (task.status, task.owner, task.done_at, task.note) == (
        TaskStatus.DONE,
        hexie_lobby,
        done_at,
        "已安抚客户并拍照留证",
    )


def test_a_branch_that_does_not_apply_is_marked_with_its_reason(now, hexie_lobby):
    incident = activate(ReportFactory())
    serious = incident.tasks.get(branch="重伤")
    services.task_not_applicable(actor=hexie_lobby, task=serious, reason="客户仅膝盖擦伤")
    serious.refresh_from_db()
    assert serious.status == TaskStatus.NOT_APPLICABLE and serious.note == "客户仅膝盖擦伤"


def test_a_task_claimed_by_someone_else_is_theirs(now, hexie_lobby, hexie_guard):
    incident = activate(ReportFactory())
    task = incident.tasks.filter(position__code="lobby_manager").first()
    services.claim_task(actor=hexie_lobby, task=task)
    before = footprint()
    with pytest.raises(NotAllowed):
        services.complete_task(actor=hexie_guard, task=task, note="我做了")
    assert footprint() == before


def test_a_task_cannot_be_done_in_the_future(now, hexie_lobby):
    incident = activate(ReportFactory())
    task = incident.tasks.filter(position__code="lobby_manager").first()
    before = footprint()
    with pytest.raises(InvalidInput):
        services.complete_task(
            actor=hexie_lobby, task=task, done_at=incident.reported_at + timedelta(hours=1)
        )
    assert footprint() == before


def test_a_done_task_cannot_be_done_again(now, hexie_lobby):
    incident = activate(ReportFactory())
    task = incident.tasks.filter(position__code="lobby_manager").first()
    services.complete_task(actor=hexie_lobby, task=task, note="已处理")
    before = footprint()
    with pytest.raises(InvalidTransition):
        services.complete_task(actor=hexie_lobby, task=task, note="再次处理")
    assert footprint() == before


# --- overdue reminders ------------------------------------------------------------------------------


def test_an_overdue_task_reminds_its_owner_then_the_group_leader_each_once(
    now, hexie_lobby, hexie_manager, hexie_president, django_capture_on_commit_callbacks
):
    incident = activate(ReportFactory())
    task = incident.tasks.get(title__startswith="网点负责人打电话")
    assert remind_overdue(task.pk) == "not due"
    now.advance(minutes=11)
    before = len(notices_to(hexie_manager, incident))
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_overdue(task.pk) == "owner reminded"
    [reminder] = notices_to(hexie_manager, incident)[before:]
    assert "网点负责人打电话" in reminder.title and reminder.ack_due_at is None
    [follow_up] = [
        job
        for job in DBTaskResult.objects.filter(task_path__endswith="check_task_due")
        if job.args_kwargs["kwargs"]["task_id"] == task.pk
    ]
    assert follow_up.run_after == incident.activated_at + timedelta(minutes=21)
    assert remind_overdue(task.pk) == "nothing to do"  # the leader's turn has not come
    assert len(notices_to(hexie_manager, incident)) == before + 1

    leader_before = len(notices_to(hexie_president, incident))
    now.advance(minutes=10)
    assert remind_overdue(task.pk) == "leader reminded"
    [still] = notices_to(hexie_president, incident)[leader_before:]
    assert "网点负责人打电话" in still.title
    after = footprint()
    assert remind_overdue(task.pk) == "nothing to do"
    assert footprint() == after
    texts = list(incident.timeline.filter(event=TimelineEvent.TASK).values_list("text", flat=True))
    assert len([t for t in texts if "网点负责人打电话" in t]) == 2


def test_a_claimed_overdue_task_reminds_only_the_person_who_took_it(now, hexie_lobby):
    incident = activate(ReportFactory())
    order = incident.tasks.filter(position__code="lobby_manager").exclude(due_at=None).first()
    services.claim_task(actor=hexie_lobby, task=order)
    now.advance(minutes=11)
    told_before = Notice.objects.count()
    assert remind_overdue(order.pk) == "owner reminded"
    assert list(Notice.objects.order_by("pk")[told_before:].values_list("recipient__name", flat=True)) == [
        "王大堂"
    ]


def test_a_task_done_in_time_reminds_nobody(now, hexie_lobby):
    incident = activate(ReportFactory())
    task = incident.tasks.filter(position__code="lobby_manager").exclude(due_at=None).first()
    services.complete_task(actor=hexie_lobby, task=task, note="已处理")
    now.advance(minutes=30)
    before = footprint()
    assert remind_overdue(task.pk) == "not due"
    assert footprint() == before


def test_a_cancelled_false_alarm_pages_nobody_about_its_tasks(now, hexie_lobby):
    incident = activate(ReportFactory())
    cancel(incident)
    task = incident.tasks.exclude(due_at=None).first()
    now.advance(minutes=30)
    before = footprint()
    remind_overdue(task.pk)
    assert footprint() == before


# --- the regulator report ---------------------------------------------------------------------------


def regulator_task(incident: Incident) -> Task | None:
    return incident.tasks.filter(kind=TaskKind.REGULATOR_REPORT).first()


def test_a_level_ii_event_owes_the_regulator_a_report_within_an_hour(now, hexie_lobby, branch_duty):
    incident = ReportFactory(kind=kind("customer_robbed"), description="客户在柜台前被抢走手提包")
    task = regulator_task(incident)
    assert task.due_at == incident.reported_at + timedelta(minutes=60)
    assert list(task.candidates.all()) == [branch_duty]


def test_a_level_iii_event_owes_the_regulator_nothing(now, hexie_lobby):
    assert regulator_task(ReportFactory()) is None


def test_a_kind_the_rules_mark_owes_the_regulator_a_report_whatever_its_level(now, hexie_lobby):
    KindNotificationRule.objects.create(kind=kind("customer_injured"), regulator_report=True)
    incident = ReportFactory()
    assert incident.level == Level.III
    assert regulator_task(incident).due_at == incident.reported_at + timedelta(minutes=60)


def test_every_regulator_kind_is_marked(now, hexie_lobby):
    from yingji.notify.defaults import REGULATOR_KINDS

    marked = set(
        KindNotificationRule.objects.filter(regulator_report=True).values_list("kind__code", flat=True)
    )
    assert marked == set(REGULATOR_KINDS)


def test_a_branch_with_a_thirty_minute_deadline_gets_thirty_minutes(now, hexie_lobby):
    RegulatorDeadlineFactory(minutes=30)  # 江南分行
    incident = ReportFactory(kind=kind("bank_run"), description="挤兑")
    assert regulator_task(incident).due_at == incident.reported_at + timedelta(minutes=30)


def test_the_regulator_deadline_runs_from_the_first_report_when_a_follow_up_raises_the_level(
    now, hexie_lobby
):
    incident = ReportFactory()
    now.advance(minutes=25)
    services.add_follow_up(author=hexie_lobby, incident=incident, text="客户不治身亡", facts={"deaths": 1})
    assert regulator_task(incident).due_at == incident.reported_at + timedelta(minutes=60)
    services.add_follow_up(author=hexie_lobby, incident=incident, text="又一人死亡", facts={"deaths": 3})
    assert incident.tasks.filter(kind=TaskKind.REGULATOR_REPORT).count() == 1
