from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import F, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from yingji.core import clock, inputs
from yingji.notify.models import Notice
from yingji.orgs import visibility
from yingji.orgs.models import Unit, UnitType

from .models import OPEN_STATUSES, Incident, Task, TaskStatus, TimelineEntry, WorkingGroup


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
        incident.tasks.select_related("position", "owner", "group__leader", "step")
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
        # Complaints escalated into this case (by hand or by the 20-person rule): numbers only; each
        # complaint's page keeps its own visibility and privacy rules.
        "complaints": list(incident.complaints.only("pk", "number", "incident_id").order_by("pk")),
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


# --- Whose task it is ---------------------------------------------------------------------------------

OPEN_TASK_STATUSES = (TaskStatus.OPEN, TaskStatus.CLAIMED)


def my_tasks(*, person) -> QuerySet[Task]:
    """The open tasks of open incidents that `person` should do: they own it, or they are named among
    those who may do it, or nobody owns it yet and its position is one they hold at the incident's own
    unit (so a 大堂经理 who joined after activation still finds the lobby's work). Soonest due first;
    tasks with no due time (on a condition, afterwards) last."""
    units = {person.unit_id, person.unit.acting_unit.pk}
    mine = (
        Q(owner=person)
        | Q(candidates=person, owner__isnull=True)
        | Q(owner__isnull=True, position__in=person.positions.all(), incident__unit__in=units)
    )
    ids = Task.objects.filter(mine).values("pk")
    return (
        visibility.visible(Task.objects.filter(pk__in=ids), person.user, "incident__unit")
        .filter(status__in=OPEN_TASK_STATUSES, incident__status__in=OPEN_STATUSES)
        .select_related("incident__kind", "incident__unit", "position", "group", "owner")
        .order_by(F("due_at").asc(nulls_last=True), "incident__reported_at", "order", "pk")
    )


def tasks_for_position(tasks: list[Task], *, incident: Incident, person, which: str) -> list[Task]:
    """The room's task filter: "mine" (as `my_tasks` reads it, for this incident), a position's code,
    or anything else for every task."""
    if which == "mine" and person is not None:
        held = {p.pk for p in person.positions.all()}
        at_unit = incident.unit_id in {person.unit_id, person.unit.acting_unit.pk}
        return [
            t
            for t in tasks
            if t.owner_id == person.pk
            or (t.owner_id is None and any(c.pk == person.pk for c in t.candidates.all()))
            or (t.owner_id is None and at_unit and t.position_id in held)
        ]
    if which and which != "mine":
        return [t for t in tasks if t.position and t.position.code == which]
    return tasks


def task_positions(tasks: list[Task]) -> list:
    """The positions the incident's tasks name, once each, in the bank's order: the room's filter chips."""
    found = {t.position.pk: t.position for t in tasks if t.position}
    return sorted(found.values(), key=lambda p: (p.sort_order, p.code))


def proposed_leadership(*, leadership: dict, incident: Incident, people: list) -> dict:
    """Whom a plan's leading group (as positions: {"leader": code, "deputies": [...], "members": [...]})
    proposes at this incident, out of `people` (those the activator may pick, positions prefetched):
    for each position, its holders at the nearest unit from the incident's up (a department counts as
    its unit). The 组长 is one person; nobody is proposed twice."""
    steplen = Unit.steplen

    def reach(person) -> int:
        """How near the person's unit is, as the length of its path (0: not on the way up)."""
        path = person.unit.path
        if person.unit.type == UnitType.DEPARTMENT:
            path = path[:-steplen]
        return len(path) if incident.unit.path.startswith(path) else 0

    def holders(code: str) -> list:
        found = [p for p in people if code and reach(p) and any(x.code == code for x in p.positions.all())]
        nearest = max((reach(p) for p in found), default=0)
        return [p for p in found if reach(p) == nearest]

    taken: set[int] = set()

    def pick(codes: list[str], limit: int | None = None) -> list[int]:
        chosen = []
        for code in codes:
            for p in holders(code):
                if p.pk not in taken and (limit is None or len(chosen) < limit):
                    taken.add(p.pk)
                    chosen.append(p.pk)
        return chosen

    leader = pick([leadership.get("leader") or ""], limit=1)
    return {
        "leader": leader[0] if leader else None,
        "deputies": pick(list(leadership.get("deputies") or [])),
        "members": pick(list(leadership.get("members") or [])),
    }
