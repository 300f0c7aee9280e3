"""催办 and escalation: a deadline's checkpoints fire once each, at their time, through the notices."""

from datetime import timedelta

import pytest
from django_tasks_db.models import DBTaskResult

from yingji.complaints import services
from yingji.complaints.selectors import running_deadlines
from yingji.core import clock
from yingji.core.testing import run_jobs
from yingji.deadlines.services import checkpoints, fire_due_checkpoints
from yingji.notify.models import Notice

pytestmark = pytest.mark.django_db


def decision_clock(complaint):
    return next(d for d in running_deadlines(complaint) if d.name == "decision")


def notices_about(complaint):
    return Notice.objects.filter(subject_type="complaints.complaint", subject_id=complaint.pk)


def test_the_owner_is_reminded_at_half_the_time_once_however_often_the_check_runs(register, hexie_lobby, now):
    complaint = register()
    deadline = decision_clock(complaint)
    half = dict(checkpoints(deadline))["r50"]
    now.advance(seconds=(half - clock.now()).total_seconds() - 60)
    assert fire_due_checkpoints(deadline.pk) == []
    now.advance(minutes=2)
    assert fire_due_checkpoints(deadline.pk) == ["r50"]
    assert fire_due_checkpoints(deadline.pk) == []
    reminders = notices_about(complaint)
    assert [n.recipient for n in reminders] == [hexie_lobby]
    assert (
        "Reminder" in reminders[0].title
        or "催办" in reminders[0].title
        or complaint.number in reminders[0].title
    )
    assert complaint.events.filter(event="reminded").count() == 1


def test_an_overdue_decision_tells_the_owner_and_the_units_head_then_the_unit_above(
    register, hexie_lobby, hexie_manager, hexie_president, now
):
    complaint = register()
    deadline = decision_clock(complaint)
    now.advance(seconds=(deadline.due_at - clock.now()).total_seconds() + 30)
    fired = fire_due_checkpoints(deadline.pk)
    # The reminders whose time passed with the deadline say nothing the overdue notice does not.
    assert fired == ["due"]
    told = {n.recipient for n in notices_about(complaint)}
    assert {hexie_lobby, hexie_manager} <= told
    assert all(n.ack_due_at is not None for n in notices_about(complaint))
    now.advance(days=1)
    assert fire_due_checkpoints(deadline.pk) == ["up"]
    assert hexie_president in {n.recipient for n in notices_about(complaint)}
    assert fire_due_checkpoints(deadline.pk) == []


def test_a_paused_clock_does_not_fire_and_fires_at_its_moved_time_after_resuming(register, hexie_lobby, now):
    complaint = register()
    services.start_handling(actor=hexie_lobby, complaint=complaint)
    deadline = decision_clock(complaint)
    services.pause_clock(actor=hexie_lobby, complaint=complaint, reason="appraisal")
    now.advance(days=20)
    assert fire_due_checkpoints(deadline.pk) == []
    services.resume_clock(actor=hexie_lobby, complaint=complaint)
    deadline.refresh_from_db()
    assert deadline.due_at > clock.now() + timedelta(days=14)
    assert fire_due_checkpoints(deadline.pk) == []


def test_each_checkpoint_waits_in_the_job_table_for_its_time_so_a_restart_loses_none(
    register, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        complaint = register()
    deadline = decision_clock(complaint)
    scheduled = DBTaskResult.objects.filter(
        task_path="yingji.deadlines.tasks.check_deadline", args_kwargs__kwargs__deadline_id=deadline.pk
    )
    assert [job.run_after for job in scheduled] == [deadline.next_at]
    assert deadline.next_at == dict(checkpoints(deadline))["r50"]


def test_a_checkpoint_whose_time_has_come_is_fired_by_the_worker(
    register, hexie_lobby, django_capture_on_commit_callbacks
):
    # Received eight days ago: half of the 15-day period is already behind, so the job is due at once.
    with django_capture_on_commit_callbacks(execute=True):
        complaint = register(received_at=clock.now() - timedelta(days=8))
    run_jobs()
    assert notices_about(complaint).filter(recipient=hexie_lobby).exists()
    assert "r50" in decision_clock(complaint).fired


def test_a_withdrawn_complaint_fires_nothing_more(register, hexie_lobby, now):
    complaint = register()
    deadline = decision_clock(complaint)
    services.withdraw(actor=hexie_lobby, complaint=complaint)
    now.advance(days=30)
    assert fire_due_checkpoints(deadline.pk) == []
    assert not notices_about(complaint).exists()


def test_what_the_worker_writes_is_in_chinese(register, hexie_lobby, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        complaint = register(received_at=clock.now() - timedelta(days=8))
    run_jobs()
    titles = set(notices_about(complaint).filter(recipient=hexie_lobby).values_list("title", flat=True))
    assert any(t.startswith("催办：投诉") for t in titles)
    assert any(t.startswith("逾期：投诉") for t in titles)  # the 24-hour proposal was due a week ago
    assert complaint.events.filter(event="reminded").first().text.startswith("催办")
