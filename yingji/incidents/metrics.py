"""The investigation's times, computed from the record (004 第十九–二十一条): nobody types them, so
nobody can soften them. 缓报 is a first report later than the rule allows."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from yingji.core import clock
from yingji.notify.models import Notice, NotificationRule

from .models import Incident, Task, TaskKind, TaskStatus


def minutes(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return round((end - start).total_seconds() / 60, 1)


@dataclass
class TaskTime:
    task: Task
    minutes_from_report: float | None
    late: bool


@dataclass
class Metrics:
    to_first_report: float | None
    late_report: bool
    late_report_limit: int
    to_activation: float | None
    to_termination: float | None
    regulator_due: datetime | None
    regulator_done: datetime | None
    regulator_late: bool
    tasks: list[TaskTime] = field(default_factory=list)
    never_done: list[Task] = field(default_factory=list)
    notices: int = 0
    unacknowledged: int = 0
    escalated: int = 0
    slowest_ack_minutes: float | None = None


def compute(incident: Incident) -> Metrics:
    rule = NotificationRule.objects.filter(level=incident.level).first()
    limit = rule.late_report_minutes if rule else 30
    to_report = minutes(incident.occurred_at, incident.reported_at)
    tasks = list(incident.tasks.select_related("position", "owner").order_by("order", "pk"))
    regulator = next((t for t in tasks if t.kind == TaskKind.REGULATOR_REPORT), None)
    end = incident.terminated_at or incident.closed_at or clock.now()
    regulator_late = bool(
        regulator
        and regulator.due_at
        and (
            (
                regulator.status == TaskStatus.DONE
                and regulator.done_at
                and regulator.done_at > regulator.due_at
            )
            or (regulator.status != TaskStatus.DONE and end > regulator.due_at)
        )
    )
    notices = list(Notice.objects.filter(subject_type="incidents.incident", subject_id=incident.pk))
    ack_times = [minutes(n.created_at, n.acknowledged_at) for n in notices if n.acknowledged_at]
    return Metrics(
        to_first_report=to_report,
        late_report=to_report is not None and to_report > limit,
        late_report_limit=limit,
        to_activation=minutes(incident.reported_at, incident.activated_at),
        to_termination=minutes(incident.reported_at, incident.terminated_at),
        regulator_due=regulator.due_at if regulator else None,
        regulator_done=regulator.done_at if regulator and regulator.status == TaskStatus.DONE else None,
        regulator_late=regulator_late,
        tasks=[
            TaskTime(
                t,
                minutes(incident.reported_at, t.done_at),
                bool(t.due_at and t.done_at and t.done_at > t.due_at + timedelta(seconds=0)),
            )
            for t in tasks
            if t.status == TaskStatus.DONE
        ],
        never_done=[t for t in tasks if t.status in (TaskStatus.OPEN, TaskStatus.CLAIMED)],
        notices=len(notices),
        unacknowledged=sum(1 for n in notices if n.acknowledged_at is None),
        escalated=sum(1 for n in notices if n.escalated_at is not None),
        slowest_ack_minutes=max((t for t in ack_times if t is not None), default=None),
    )
