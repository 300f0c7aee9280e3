"""The year's figures of the annual security work plans, for the year's summary and assessment.

`year_figures(unit, year)` counts the tasks of the approved plans for `year` of `unit` and every unit
below it (its subtree), as of now (the clock):

- ``tasks_total``: tasks of those plans;
- ``tasks_done``: tasks done (on time or late);
- ``tasks_done_late``: tasks done after their due date (a subset of ``tasks_done``);
- ``tasks_overdue``: tasks not done whose due date has passed.

All four are ints; a unit without an approved plan for the year gives zeros. Drafts and plans awaiting
approval are not counted: a plan counts once it is in force. One query."""

from django.db.models import Count, F, Q

from yingji.core import clock
from yingji.orgs.models import Unit

from .models import PlanStatus, PlanTask, TaskStatus

KEYS = ("tasks_total", "tasks_done", "tasks_done_late", "tasks_overdue")


def year_figures(unit: Unit, year: int) -> dict[str, int]:
    now = clock.now()
    counted = PlanTask.objects.filter(
        plan__unit__path__startswith=unit.path, plan__year=year, plan__status=PlanStatus.APPROVED
    ).aggregate(
        tasks_total=Count("pk"),
        tasks_done=Count("pk", filter=Q(status=TaskStatus.DONE)),
        tasks_done_late=Count("pk", filter=Q(status=TaskStatus.DONE, done_at__gt=F("due_at"))),
        tasks_overdue=Count("pk", filter=Q(status=TaskStatus.OPEN, due_at__lte=now)),
    )
    return {key: int(counted[key] or 0) for key in KEYS}
