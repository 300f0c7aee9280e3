"""A background job that fails is retried with back-off; its failures are visible to staff."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from yingji.core.jobs import (
    backoff,
    enqueue_in_transaction,
    enqueue_on_commit,
    enqueue_together_on_commit,
    later,
    merged_jobs,
)
from yingji.core.models import JobFailure
from yingji.core.testing import run_jobs

from .sample_jobs import CALLS, check_all, flaky, send_all


def make_due() -> None:
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now() - timedelta(seconds=1))


def test_backoff_doubles_and_is_capped():
    assert [backoff(n, 30).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(20, 30) == timedelta(hours=1)


def test_a_failing_job_is_retried_later_and_then_succeeds(db):
    CALLS.clear()
    flaky.enqueue(key="a", failures=1)
    run_jobs()
    failure = JobFailure.objects.get()
    assert failure.attempt == 1 and "gateway down" in failure.error and not failure.gave_up
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.run_after > timezone.now() + timedelta(seconds=20)  # not at once: backed off
    assert run_jobs() == 0  # not due yet
    make_due()
    run_jobs()
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 1
    assert CALLS["a"] == 2


def test_a_job_that_keeps_failing_gives_up_after_its_attempts(db):
    CALLS.clear()
    flaky.enqueue(key="b", failures=99)
    for _ in range(5):
        run_jobs()
        make_due()
    assert CALLS["b"] == 3
    assert [f.attempt for f in JobFailure.objects.order_by("attempt")] == [1, 2, 3]
    assert JobFailure.objects.get(attempt=3).gave_up
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_staff_see_failures_on_the_jobs_page(client, hq_duty):
    CALLS.clear()
    flaky.enqueue(key="c", failures=99)
    run_jobs()
    client.force_login(hq_duty.user)
    page = client.get("/jobs/").content.decode()
    assert "gateway down (1)" in page and "tests.core.sample_jobs.flaky" in page


def test_an_outlet_head_cannot_see_the_jobs_page(client, hexie_manager):
    client.force_login(hexie_manager.user)
    assert client.get("/jobs/").status_code == 403


def test_a_job_enqueued_in_a_rolled_back_transaction_never_runs(db):
    CALLS.clear()
    try:
        with transaction.atomic():
            enqueue_on_commit(flaky, key="d", failures=0)
            raise RuntimeError("the change failed")
    except RuntimeError:
        pass
    assert not DBTaskResult.objects.exists()


def test_a_job_enqueued_on_commit_runs(db, django_capture_on_commit_callbacks):
    CALLS.clear()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        enqueue_on_commit(flaky, key="e", failures=0)
        assert not DBTaskResult.objects.exists()
    run_jobs()
    assert CALLS["e"] == 1


def test_a_job_enqueued_in_the_transaction_commits_and_rolls_back_with_it(db):
    CALLS.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_in_transaction(flaky, key="f", failures=0)
        assert DBTaskResult.objects.count() == 1  # already written: no commit hook to lose
        raise RuntimeError("the change failed")
    assert not DBTaskResult.objects.exists()
    with transaction.atomic():
        enqueue_in_transaction(flaky, key="g", failures=0)
    run_jobs()
    assert CALLS == {"g": 1}


def test_a_job_to_run_now_goes_before_the_ones_waiting_for_later_even_when_they_are_due(db):
    """A surge leaves thousands of checks waiting for their moment; the worker's next job is still the
    one to run now, and a check whose moment has come runs as soon as nothing is waiting to run now."""
    CALLS.clear()
    for n in range(200):
        later(flaky, timezone.now() + timedelta(minutes=10)).enqueue(key=f"check-{n}", failures=0)
    later(flaky, timezone.now() - timedelta(seconds=1)).enqueue(key="due", failures=0)
    flaky.enqueue(key="now", failures=0)
    assert run_jobs(max_tasks=1) == 1
    assert CALLS == {"now": 1}
    run_jobs()
    assert CALLS == {"now": 1, "due": 1}  # the 200 checks wait for their moment


# --- jobs of many writes, merged -------------------------------------------------------------------


def jobs_of(job_task) -> list[tuple[list[int], object]]:
    rows = DBTaskResult.objects.filter(task_path=job_task.module_path).order_by("run_after")
    return [(r.args_kwargs["kwargs"]["notice_ids"], r.run_after) for r in rows]


def write(ids: list[int], due, *, fail: bool = False) -> None:
    """A write (one alarm round, say) that leaves a delivery job and a check for its deadline."""
    with transaction.atomic():
        enqueue_together_on_commit([(send_all, "notice_ids", ids, None), (check_all, "notice_ids", ids, due)])
        if fail:
            raise ValueError("rolled back")


def test_the_jobs_of_a_batch_of_writes_are_merged_into_one_per_deadline(
    db, django_capture_on_commit_callbacks
):
    soon = timezone.now() + timedelta(minutes=5)
    with merged_jobs(), django_capture_on_commit_callbacks(execute=True):
        write([1, 2], soon)
        write([3], soon + timedelta(seconds=4))  # within the window: checked with the first
        with pytest.raises(ValueError):
            write([4], soon, fail=True)  # rolled back: leaves nothing
        write([5], soon + timedelta(minutes=10))  # another deadline: a check of its own
        assert not DBTaskResult.objects.exists()  # kept until the block ends
    [(delivered, _)] = jobs_of(send_all)
    assert delivered == [1, 2, 3, 5]
    assert jobs_of(check_all) == [
        ([1, 2, 3], soon + timedelta(seconds=4)),  # never before any of its own deadlines
        ([5], soon + timedelta(minutes=10)),
    ]


def test_outside_a_batch_each_write_enqueues_its_own_jobs_after_its_commit(
    db, django_capture_on_commit_callbacks
):
    soon = timezone.now() + timedelta(minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        write([1], soon)
        write([2], soon)
    assert [ids for ids, _ in jobs_of(send_all)] == [[1], [2]]
    assert [ids for ids, _ in jobs_of(check_all)] == [[1], [2]]
