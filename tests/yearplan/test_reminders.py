"""Before a task's due date its owner is reminded (the plan's lead time, 本行设定); on the due date, not
done, the owner and the branch's head are told it is overdue; a day later the unit above. Each fires
once, however often the check runs."""

from datetime import datetime

from yingji.core import clock
from yingji.deadlines.models import Deadline
from yingji.deadlines.services import fire_due_checkpoints
from yingji.notify.models import Notice
from yingji.orgs.models import Person
from yingji.yearplan import evidence, services

from .conftest import pdf, task_of


def _clock(task) -> Deadline:
    return Deadline.objects.get(subject_type="yearplan.task", subject_id=task.pk)


def _told(task) -> list[Notice]:
    return list(
        Notice.objects.filter(subject_type="yearplan.task", subject_id=task.pk).select_related("recipient")
    )


def test_the_owner_is_reminded_seven_days_before_then_overdue_then_the_unit_above_each_once(
    approved, now, branch_duty, jn_president
):
    task = task_of(approved, "letters-employees")  # due 3/10, owned by 江南分行's 应急管理员
    deadline = _clock(task)
    reminder = datetime(2026, 3, 4, tzinfo=clock.SHANGHAI)  # 7 days before 24:00 of 3/10
    assert abs((deadline.next_at - reminder).total_seconds()) < 60

    now.advance(days=11, hours=13, minutes=58)  # 3 March 23:58
    assert fire_due_checkpoints(deadline.pk) == []
    now.advance(minutes=3)
    fired = fire_due_checkpoints(deadline.pk)
    assert len(fired) == 1 and fired[0].startswith("r")
    reminded = _told(task)
    assert branch_duty in {n.recipient for n in reminded}
    assert (
        reminded[0].title == "催办：江南分行2026年度计划任务“与每一位员工签订安全责任书”将于3月10日 24:00到期"
    )
    assert fire_due_checkpoints(deadline.pk) == []

    now.advance(days=7)  # 11 March: past 24:00 of 3/10
    assert fire_due_checkpoints(deadline.pk) == ["due"]
    overdue = [n for n in _told(task) if n.title.startswith("逾期：")]
    assert {branch_duty, jn_president} <= {n.recipient for n in overdue}
    assert fire_due_checkpoints(deadline.pk) == []

    now.advance(days=1)
    assert fire_due_checkpoints(deadline.pk) == ["up"]
    up = [n for n in _told(task) if n.title.startswith("逾期一天仍未完成")]
    assert Person.objects.get(user__username="hq_president") in {n.recipient for n in up}
    assert fire_due_checkpoints(deadline.pk) == []
    assert len(_told(task)) == len(reminded) + len(overdue) + len(up)


def test_a_task_done_in_time_is_never_chased(approved, now, branch_duty):
    task = task_of(approved, "work-plan")
    now.advance(days=20)
    evidence.add_file(actor=branch_duty, task=task, upload=pdf("推进计划.pdf"))
    services.complete_task(actor=branch_duty, task=task)
    now.advance(days=60)
    assert fire_due_checkpoints(_clock(task).pk) == []
    assert _told(task) == []


def test_the_lead_time_is_the_plans_own_setting(draft, branch_duty, jn_president, now):
    services.set_reminder_days(actor=branch_duty, plan=draft, days=3)
    services.submit_plan(actor=branch_duty, plan=draft)
    services.approve_plan(actor=jn_president, plan=type(draft).objects.get(pk=draft.pk))
    deadline = _clock(task_of(draft, "rules"))  # due 10/31
    expected = datetime(2026, 10, 29, tzinfo=clock.SHANGHAI)  # 3 days before 24:00 of 10/31
    assert abs((deadline.next_at - expected).total_seconds()) < 60
    assert "提前3天催办（本行设定）" in deadline.source
