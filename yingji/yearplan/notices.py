"""Who is told when a task's deadline passes a checkpoint (yingji/deadlines): before the due date (the
lead time the plan sets, 本行设定) its owner; on the due date, still not done, the owner and the plan
unit's head and 带班领导; a day later, the unit above. Each checkpoint fires once."""

from django.utils.translation import gettext as _

from yingji.core import clock
from yingji.core.due import due_text
from yingji.notify import services as notify
from yingji.notify.recipients import Recipient, next_up, recipients_on

from .models import PlanTask, TaskStatus

SUBJECT_TYPE = "yearplan.task"
DEADLINE = "due"


def owners(task: PlanTask) -> list[Recipient]:
    """The task's owner: the person named, else who holds the owner position at the owner unit (and the
    unit's head and 带班领导, who answer for it when nobody holds the position)."""
    reason = _("Owner of the annual plan task")
    if task.owner_person is not None:
        return [Recipient(task.owner_person, task.owner_unit, reason)]
    positions = [task.owner_position] if task.owner_position is not None else []
    return recipients_on([task.owner_unit.acting_unit], positions=positions, on_date=clock.local_today())


def on_deadline_checkpoint(deadline, checkpoint: str) -> None:
    """Runs inside the deadline's firing transaction, once per checkpoint."""
    task = (
        PlanTask.objects.select_related("plan__unit", "owner_unit", "owner_person__user", "owner_position")
        .filter(pk=deadline.subject_id)
        .first()
    )
    if task is None or task.status == TaskStatus.DONE:
        return
    plan = task.plan
    words = {"title": task.title, "due": due_text(deadline.due_at), "unit": plan.unit.name, "year": plan.year}
    if checkpoint.startswith("r"):
        title = _("Reminder: “%(title)s” of %(unit)s's %(year)s plan is due %(due)s") % words
        told = owners(task)
    elif checkpoint == "due":
        title = _("Overdue: “%(title)s” of %(unit)s's %(year)s plan was due %(due)s") % words
        told = owners(task)
        known = {r.person.pk for r in told}
        told += [
            r
            for r in recipients_on([plan.unit], positions=[], on_date=clock.local_today())
            if r.person.pk not in known
        ]
    else:  # "up": still not done a day later, the unit above hears of it
        title = _("Still overdue: “%(title)s” of %(unit)s's %(year)s plan (due %(due)s)") % words
        told = next_up(plan.unit, on_date=clock.local_today())
    notify.notify(
        subject=notify.Subject(
            SUBJECT_TYPE, task.pk, plan.unit, title, task.text[:300], task.get_absolute_url()
        ),
        recipients=told,
        ack_minutes=None,
        round_key=f"dl-{deadline.pk}-{checkpoint}-{int(deadline.due_at.timestamp())}",
    )
