from yingji.core.jobs import job


@job
def check_task_due(*, task_id: int) -> str:
    from .services.tasks import remind_overdue

    return remind_overdue(task_id)


# Its own queue, so tests can play the worker for this step alone; workers take every queue ('*').
ALARMS = "alarms"


@job(queue_name=ALARMS)
def raise_alarm(*, incident_id: int, round_key: str, exclude_id: int | None = None) -> str:
    """Tell the chain of a report the moment the worker takes it (enqueued with the report itself). A
    second run tells nobody twice: a round's notices have unique keys and the regulator task is made once."""
    from django.db import transaction

    from yingji.orgs.models import Person

    from . import alerts
    from .models import Incident

    incident = Incident.objects.select_related("kind", "unit").get(pk=incident_id)
    exclude = Person.objects.filter(pk=exclude_id).first() if exclude_id else None
    with transaction.atomic():
        notices = alerts.raise_the_alarm(incident, round_key=round_key, exclude=exclude)
    return f"{len(notices)} told"
