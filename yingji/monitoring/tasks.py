"""Background work of monitoring: the evaluation of the batches the API stored; the incident a rule
opens by itself, reported after the warning's transaction committed (at least once; the warning's
idempotency key makes it once)."""

from yingji.core.jobs import job


@job
def open_incident(*, warning_id: int) -> None:
    from .services import open_incident_automatically

    open_incident_automatically(warning_id)


@job
def evaluate_pending() -> None:
    """Every batch pending, in rounds; then once more a period later, for a batch that committed while
    this one ran (its process may send nothing more to enqueue another)."""
    from datetime import timedelta

    from django.conf import settings

    from yingji.core import clock, jobs

    from .services import evaluate_pending as evaluate

    done = 0
    while True:
        count, _changed = evaluate()
        done += count
        if count == 0:
            break
    if done:
        later = clock.now() + timedelta(seconds=settings.YINGJI_SIGNAL_EVALUATE_SECONDS)
        jobs.enqueue_on_commit(evaluate_pending.using(run_after=later))


@job
def check_sources(*, source_ids: list[int]) -> None:
    """数据中断: the sources due for a check (evaluation.check_sources)."""
    from .evaluation import check_sources as check

    check(source_ids)
