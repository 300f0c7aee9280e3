import logging

from yingji.core.jobs import job, merged_jobs

logger = logging.getLogger(__name__)


@job
def check_task_due(*, task_id: int) -> str:
    from .services.tasks import remind_overdue

    return remind_overdue(task_id)


@job
def check_tasks_due(*, task_ids: list[int]) -> str:
    """Tasks falling due together (the regulator tasks of a batch of reports): each reminded once."""
    from .services.tasks import remind_overdue

    return "; ".join(remind_overdue(task_id) for task_id in task_ids)


# Its own queue, so tests can play the worker for this step alone; workers take every queue ('*').
ALARMS = "alarms"


@job(queue_name=ALARMS)
def raise_alarm(*, incident_id: int, round_key: str, exclude_id: int | None = None) -> str:
    """Tell the chain of one report: for a report of a batch whose telling failed (with this job's own
    retries), and for reports from before batches. A second run tells nobody twice: a round's notices
    have unique keys and the regulator task is made once."""
    from yingji.orgs.models import Person

    from .models import Incident

    incident = Incident.objects.select_related("kind", "unit").get(pk=incident_id)
    exclude = Person.objects.filter(pk=exclude_id).first() if exclude_id else None
    return f"{_tell(incident, round_key, exclude)} told"


@job(queue_name=ALARMS)
def raise_alarms(*, reports: list[list]) -> str:
    """Tell the chains of reports committed together: `reports` holds [incident id, round key, id of the
    reporter, who is not told of their own report] for each. One report's failure does not hold back
    the others: it becomes a `raise_alarm` job of its own, with its own record of failures and retries.
    A second run tells nobody twice."""
    from yingji.core import clock
    from yingji.notify.recipients import read_ahead, remembered
    from yingji.orgs.models import Person

    from .models import Incident

    incidents = Incident.objects.select_related("kind", "unit").in_bulk([r[0] for r in reports])
    reporters = Person.objects.order_by().in_bulk([r[2] for r in reports if r[2]])
    told = 0
    with merged_jobs(), remembered():
        read_ahead([i.unit for i in incidents.values()], clock.local_today())
        for incident_id, round_key, exclude_id in reports:
            if incident_id not in incidents:
                continue
            try:
                told += _tell(incidents[incident_id], round_key, reporters.get(exclude_id))
            except Exception:
                logger.exception("telling the chain of incident %s failed; retried on its own", incident_id)
                raise_alarm.enqueue(incident_id=incident_id, round_key=round_key, exclude_id=exclude_id)
    return f"{told} told"


def _tell(incident, round_key: str, exclude) -> int:
    """One report's round, in a transaction of its own: how many were told."""
    from django.db import transaction

    from . import alerts

    with transaction.atomic():
        return len(alerts.raise_the_alarm(incident, round_key=round_key, exclude=exclude))
