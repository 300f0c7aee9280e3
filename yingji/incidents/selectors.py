from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from yingji.core import clock, inputs
from yingji.notify.models import Notice
from yingji.orgs import visibility

from .models import Incident, Task, TaskStatus, TimelineEntry, WorkingGroup


def incidents_for(
    *,
    viewer,
    status: str = "",
    level: str = "",
    kind: str = "",
    unit_code: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[Incident]:
    qs = visibility.visible(Incident.objects.all(), viewer).select_related("kind", "unit", "reporter")
    if status:
        qs = qs.filter(status=status)
    if level:
        qs = qs.filter(level=level)
    if kind:
        qs = qs.filter(kind__code=kind)
    if unit_code:
        unit = visibility.visible_units(viewer).filter(code=unit_code).first()
        qs = qs.filter(unit__path__startswith=unit.path) if unit else qs.none()
    if since:
        qs = qs.filter(reported_at__gte=inputs.clamp_filter_time(since))
    if until:
        qs = qs.filter(reported_at__lt=inputs.clamp_filter_time(until))
    return qs.order_by("-reported_at", "-pk")


def incident_for(*, viewer, **lookup) -> Incident:
    qs = Incident.objects.select_related("kind", "unit", "reporter", "plan_version__plan", "merged_into")
    return visibility.get_visible_or_404(qs, viewer, **lookup)


def room(incident: Incident) -> dict:
    """Everything the incident room shows, in a fixed number of queries."""
    tasks = list(
        incident.tasks.select_related("position", "owner", "group__leader")
        .prefetch_related("candidates")
        .order_by("order", "pk")
    )
    return {
        "timeline": list(TimelineEntry.objects.filter(incident=incident).select_related("actor")),
        "tasks": tasks,
        "members": list(incident.members.select_related("person__unit")),
        "groups": list(
            incident.groups.select_related("leader").prefetch_related(
                Prefetch("tasks", queryset=Task.objects.order_by("order"))
            )
        ),
        "notices": list(
            Notice.objects.filter(subject_type="incidents.incident", subject_id=incident.pk)
            .select_related("recipient__unit")
            .order_by("created_at", "pk")
        ),
        "follow_ups": list(incident.follow_ups.select_related("author")),
        "links": list(incident.links.select_related("other")),
    }


# --- What the task board shows -------------------------------------------------------------------


@dataclass
class BoardTask:
    task: Task
    overdue: bool


@dataclass
class BoardSection:
    name: str
    group: WorkingGroup | None
    rows: list[BoardTask] = field(default_factory=list)


def task_board(
    tasks: list[Task], groups: list[WorkingGroup], now: datetime | None = None
) -> list[BoardSection]:
    """The tasks by working group (every group, so each shows its leader even before it has a task), then
    those in no group; each marked overdue when it is still open past its due time. Computed here so the
    template only shows it."""
    now = now or clock.now()
    sections = {g.pk: BoardSection(g.name, g) for g in groups}
    # "No group" is a heading only when there are groups to tell it from.
    loose = BoardSection(_("No group") if groups else "", None)
    for task in tasks:
        overdue = bool(
            task.due_at and task.due_at < now and task.status in (TaskStatus.OPEN, TaskStatus.CLAIMED)
        )
        sections.get(task.group_id, loose).rows.append(BoardTask(task, overdue))
    return [*sections.values(), *([loose] if loose.rows else [])]
