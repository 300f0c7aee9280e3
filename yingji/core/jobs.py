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
from datetime import timedelta
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
            try:
                # A worker is a management command, which runs untranslated; what a job writes (a
                # reminder, an escalation, a record) is read by people in the bank's language.
                with translation.override(settings.LANGUAGE_CODE):
                    return fn(*args, **kwargs)
            except Exception as exc:
                _record_failure(runner_task, context, args, kwargs, attempt, allowed, exc)
                raise

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
