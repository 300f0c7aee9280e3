"""A job whose worker died is run again by a live worker; a live worker's job is left to it; a worker
waits out a database that went away instead of exiting."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from yingji.core import workers
from yingji.core.models import JobFailure, WorkerLease
from yingji.core.testing import run_jobs
from yingji.core.workers import LeasedWorker, reap

from .sample_jobs import CALLS, flaky


@pytest.fixture(autouse=True)
def keep_the_test_connection(monkeypatch):
    """The worker drops broken connections between jobs; inside a test's transaction that would close
    the test's own (as in core.testing.run_jobs)."""
    monkeypatch.setattr(workers, "close_old_connections", lambda: None)
    CALLS.clear()


def lease(worker_id: str, *, seconds_ago: float) -> WorkerLease:
    return WorkerLease.objects.create(
        worker_id=worker_id,
        host="worker-1",
        pid=4242,
        started_at=timezone.now() - timedelta(hours=1),
        last_seen=timezone.now() - timedelta(seconds=seconds_ago),
    )


def claimed_by(worker_id: str, key: str) -> DBTaskResult:
    """A job a worker has taken and is running (or was, when it died)."""
    flaky.enqueue(key=key, failures=0)
    row = DBTaskResult.objects.get(args_kwargs__kwargs__key=key)
    row.claim(worker_id)
    return row


def worker(**options) -> LeasedWorker:
    defaults = dict(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="live-worker",
        excluded_queue_names=[],
    )
    return LeasedWorker(keeper=False, **(defaults | options))


def test_a_job_left_running_by_a_killed_worker_is_run_again_by_a_live_one(db):
    lease("killed-worker", seconds_ago=60)  # its lease (30 s) ran out: the process is gone
    row = claimed_by("killed-worker", "a")
    assert run_jobs() == 0  # today's worker never looks at it again
    assert reap(by="live-worker") == 1
    row.refresh_from_db()
    assert row.status == "READY"
    assert run_jobs() == 1 and CALLS == {"a": 1}
    row.refresh_from_db()
    assert row.status == "SUCCESSFUL" and row.worker_ids == ["killed-worker", "test-worker"]
    lost = JobFailure.objects.get()  # staff see on /jobs/ that a worker died in it
    assert lost.task_result_id == str(row.pk) and "WorkerLost" in lost.error and "killed-worker" in lost.error
    assert not WorkerLease.objects.filter(pk="killed-worker").exists()


def test_a_job_a_live_worker_is_running_is_left_to_it(db):
    lease("busy-worker", seconds_ago=3)  # renewed a moment ago
    row = claimed_by("busy-worker", "b")
    assert reap(by="live-worker") == 0
    row.refresh_from_db()
    assert row.status == "RUNNING" and not JobFailure.objects.exists()
    assert WorkerLease.objects.filter(pk="busy-worker").exists()


def test_a_job_of_a_worker_without_a_lease_is_taken_over_only_when_long_abandoned(db):
    """A plain `db_worker`, or one from before leases, holds no lease: its job is left 15 minutes."""
    recent = claimed_by("old-db-worker", "c")
    old = claimed_by("old-db-worker", "d")
    DBTaskResult.objects.filter(pk=old.pk).update(started_at=timezone.now() - timedelta(minutes=16))
    assert reap(by="live-worker") == 1
    assert DBTaskResult.objects.get(pk=old.pk).status == "READY"
    assert DBTaskResult.objects.get(pk=recent.pk).status == "RUNNING"


def test_a_worker_renews_its_lease_and_gives_it_back_when_it_stops(db):
    flaky.enqueue(key="e", failures=0)
    seen = []
    w = worker()
    original = w.run_task
    w.run_task = lambda row: (seen.append(WorkerLease.objects.get(pk="live-worker").pid), original(row))
    w.run()
    assert CALLS == {"e": 1} and len(seen) == 1  # it held a lease while it worked
    assert not WorkerLease.objects.exists()  # and gave it back on the way out


def test_the_worker_waits_out_a_database_outage_and_carries_on(db, monkeypatch, caplog):
    flaky.enqueue(key="f", failures=0)
    waits: list[float] = []
    monkeypatch.setattr(workers.time, "sleep", waits.append)
    w = worker()
    fetch = w._fetch
    failures = iter([OperationalError("connection refused"), OperationalError("the database is starting up")])

    def unreachable_twice():
        error = next(failures, None)
        if error is not None:
            raise error
        return fetch()

    w._fetch = unreachable_twice
    w.run()  # does not raise: it waited and tried again
    assert waits == [1.0, 2.0]
    assert CALLS == {"f": 1} and DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert "cannot reach the database" in caplog.text and "the database is back" in caplog.text


def test_a_job_an_outage_cut_short_is_run_again(db, monkeypatch):
    flaky.enqueue(key="g", failures=0)
    monkeypatch.setattr(workers.time, "sleep", lambda seconds: None)
    w = worker()
    run_task = w.run_task
    states: list[str] = []

    def cut_off_once(row):
        if not states:
            states.append(DBTaskResult.objects.get(pk=row.pk).status)
            raise OperationalError("server closed the connection unexpectedly")  # before it was marked
        states.append(DBTaskResult.objects.get(pk=row.pk).status)
        return run_task(row)

    w.run_task = cut_off_once
    w.run()
    assert states == ["RUNNING", "RUNNING"]  # put back, claimed again, run
    row = DBTaskResult.objects.get()
    assert row.status == "SUCCESSFUL" and row.worker_ids == ["live-worker", "live-worker"]


def test_outage_waits_double_up_to_thirty_seconds():
    assert [workers.outage_wait(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


def test_the_jobs_worker_command_runs_the_jobs(db):
    flaky.enqueue(key="h", failures=0)
    call_command("jobs_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)
    assert CALLS == {"h": 1}
    assert not WorkerLease.objects.exists()
