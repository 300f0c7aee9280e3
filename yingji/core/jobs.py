"""Background jobs on Django's Tasks API, with retry and back-off.

`@job` wraps a function as a task. A failure is kept as a JobFailure row (what staff see on the jobs
page) and, until the attempts run out, the job is enqueued again to run after an exponential back-off.
Jobs are at-least-once: a job's effects must be idempotent (a delivery recorded once, a state moved
once), which each caller ensures with a unique key or a conditional update.

Enqueue from a service with `enqueue_on_commit` (after the commit: a rolled-back change must never page
anyone), or with `enqueue_in_transaction` when losing the job to a crash after the commit would be worse
(the database backend's row then commits or rolls back with the change)."""

import traceback
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.tasks import TaskContext, task
from django.utils import translation
from django_tasks_db.backend import DatabaseBackend

from . import clock

ATTEMPT_KWARG = "_attempt"

# The database worker takes the highest priority first and, within one, the earliest `run_after`; a job
# to run at once has no `run_after` (it sorts last). Jobs waiting for a moment (acknowledgement checks,
# deadlines, retries) are thousands in a surge: at the same priority every fetch of a job to run now
# would step over all of them, and they would go first. So jobs to run now stand above jobs for later.
NOW_PRIORITY = 10
LATER_PRIORITY = 0


def later(job_task, moment):
    """The job, to run at `moment` or as soon after it as a worker is free of jobs to run now."""
    return job_task.using(run_after=moment, priority=LATER_PRIORITY)


def backoff(attempt: int, base_seconds: int | None = None) -> timedelta:
    """30 s, 60 s, 120 s, … capped at one hour."""
    base = settings.JOB_BACKOFF_SECONDS if base_seconds is None else base_seconds
    return timedelta(seconds=min(base * 2 ** (attempt - 1), 3600))


# The worker running the job in hand (its id), for what the job claims: a delivery records who is
# sending it, so a dead worker's claims are taken over (yingji.core.workers).
_worker: ContextVar[str] = ContextVar("job_worker", default="")


def current_worker() -> str:
    """The id of the worker running this job, or "" outside a worker."""
    return _worker.get()


def job(
    func: Callable[..., Any] | None = None,
    *,
    max_attempts: int | None = None,
    queue_name: str = "default",
    priority: int = NOW_PRIORITY,
):
    def decorate(fn: Callable[..., Any]):
        def runner(context: TaskContext, *args: Any, **kwargs: Any) -> Any:
            attempt = int(kwargs.pop(ATTEMPT_KWARG, 1))
            allowed = max_attempts or settings.JOB_MAX_ATTEMPTS
            # No context when a test or a shell runs the job's body directly: then no worker holds it.
            worker_ids = context.task_result.worker_ids if context is not None else []
            token = _worker.set(worker_ids[-1] if worker_ids else "")
            try:
                # A worker is a management command, which runs untranslated; what a job writes (a
                # reminder, an escalation, a record) is read by people in the bank's language.
                with translation.override(settings.LANGUAGE_CODE):
                    return fn(*args, **kwargs)
            except Exception as exc:
                _record_failure(runner_task, context, args, kwargs, attempt, allowed, exc)
                raise
            finally:
                _worker.reset(token)

        # Not functools.wraps: its __wrapped__ would hide the `context` argument the Tasks API checks.
        for attr in ("__module__", "__name__", "__qualname__", "__doc__"):
            setattr(runner, attr, getattr(fn, attr))
        runner_task = task(takes_context=True, queue_name=queue_name, priority=priority)(runner)
        return runner_task

    return decorate(func) if func is not None else decorate


def _record_failure(runner_task, context, args, kwargs, attempt, allowed, exc) -> None:
    from .models import JobFailure

    retry_at = None
    if attempt < allowed:
        retry_at = clock.now() + backoff(attempt)
        later(runner_task, retry_at).enqueue(*args, **kwargs, **{ATTEMPT_KWARG: attempt + 1})
    JobFailure.objects.create(
        task_path=runner_task.module_path,
        task_result_id=str(context.task_result.id),
        arguments={"args": list(args), "kwargs": kwargs},
        attempt=attempt,
        max_attempts=allowed,
        error=f"{type(exc).__name__}: {exc}"[:2000],
        traceback="".join(traceback.format_exception(exc))[-8000:],
        failed_at=clock.now(),
        retry_at=retry_at,
    )


def enqueue_in_transaction(job_task, *args: Any, **kwargs: Any) -> None:
    """Enqueue inside the caller's transaction, as an outbox: with the database backend the job's row
    commits with the change or rolls back with it, so a crash between the commit and the enqueue can
    never lose the job. Any other backend could run the job before the commit: it waits for the commit."""
    if isinstance(job_task.get_backend(), DatabaseBackend):
        job_task.enqueue(*args, **kwargs)
    else:
        enqueue_on_commit(job_task, *args, **kwargs)


def enqueue_on_commit(job_task, *args: Any, **kwargs: Any) -> None:
    """Enqueue once the surrounding transaction commits (at once when there is none)."""
    transaction.on_commit(lambda: job_task.enqueue(*args, **kwargs))


# --- Jobs of many writes, merged ------------------------------------------------------------------

# A job over a list of ids: (the task, the name of its list argument, the ids, when it runs or None).
ListJob = tuple[Any, str, list, datetime | None]
# Checks of one batch falling due within this much of each other run as one, at the latest moment.
MERGE_WINDOW = timedelta(seconds=10)


class _Merger:
    def __init__(self) -> None:
        self.jobs: list[ListJob] = []
        self.open = True


_merger: ContextVar[_Merger | None] = ContextVar("job_merger", default=None)


@contextmanager
def merged_jobs():
    """Inside this block, the list jobs that `enqueue_together_on_commit` enqueues as each write
    commits are kept, and enqueued at the end merged: one delivery job for every notice of a batch of
    alarms, one acknowledgement check per deadline, instead of three jobs per report. Fewer rows is not
    only fewer inserts: every fetch of the database worker reads past the jobs still waiting."""
    if _merger.get() is not None:  # an enclosing block merges them
        yield
        return
    merger = _Merger()
    token = _merger.set(merger)
    try:
        yield
    finally:
        _merger.reset(token)
        merger.open = False
        _enqueue_merged(merger.jobs)


def enqueue_together_on_commit(jobs: list[ListJob]) -> None:
    """Once the surrounding transaction commits: these jobs, in one transaction of their own, or kept
    for the enclosing `merged_jobs` block. A rolled-back write enqueues nothing."""
    transaction.on_commit(lambda: _committed(jobs))


def _committed(jobs: list[ListJob]) -> None:
    merger = _merger.get()
    if merger is not None and merger.open:
        merger.jobs.extend(jobs)
    else:
        _enqueue_merged(jobs)


def _enqueue_merged(jobs: list[ListJob]) -> None:
    if not jobs:
        return
    groups: dict[tuple[str, str, bool], list[ListJob]] = {}
    for job_ in jobs:
        groups.setdefault((job_[0].module_path, job_[1], job_[3] is None), []).append(job_)
    with transaction.atomic():
        for group in groups.values():
            for job_task, name, ids, at in _within_windows(group):
                (later(job_task, at) if at is not None else job_task).enqueue(**{name: ids})


def _within_windows(group: list[ListJob]) -> list[ListJob]:
    """Jobs for now merge into one; jobs for a moment merge with those due within MERGE_WINDOW after the
    first of them, and run at the last of those moments (never before any of their own)."""
    if group[0][3] is None:
        job_task, name = group[0][0], group[0][1]
        return [(job_task, name, [i for j in group for i in j[2]], None)]
    merged: list[ListJob] = []
    start = None
    for job_task, name, ids, at in sorted(group, key=lambda j: j[3]):
        if start is not None and at - start <= MERGE_WINDOW:
            merged[-1] = (job_task, name, merged[-1][2] + ids, at)
        else:
            start = at
            merged.append((job_task, name, list(ids), at))
    return merged
