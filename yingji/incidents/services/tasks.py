"""Activating a plan turns its steps into tasks; people claim them, do them or mark them not applicable;
an overdue task tells its owner, then the leader of its working group (else the incident's group
leader). Those who decide put tasks into working groups and give each group its leader."""

import re
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.core import clock
from yingji.core.errors import InvalidInput, InvalidTransition, NotAllowed, NotVisible
from yingji.core.jobs import enqueue_on_commit, enqueue_together_on_commit, later
from yingji.core.transitions import transition
from yingji.notify import services as notify
from yingji.notify.recipients import Recipient, chain_up_to
from yingji.orgs import visibility
from yingji.orgs.models import Person, UnitType
from yingji.plans.models import PlanVersion, Timing
from yingji.plans.services import ensure_activatable

from .. import alerts, timeline
from ..models import (
    OPEN_STATUSES,
    Incident,
    Member,
    MemberRole,
    Status,
    Task,
    TaskStatus,
    TimelineEvent,
    WorkingGroup,
)
from ..permissions import can_decide, can_join_group, is_group_leader


def immediate_minutes() -> int:
    """Even "at once" needs a deadline someone can be late for: the bank's own figure (本行设定)."""
    return settings.YINGJI_IMMEDIATE_MINUTES


def leader_grace() -> timedelta:
    """How long an overdue task waits before its group leader is told (本行设定)."""
    return timedelta(minutes=settings.YINGJI_LEADER_GRACE_MINUTES)


OPEN_TASK = (TaskStatus.OPEN, TaskStatus.CLAIMED)
GROUP_NAME_LENGTH = 60
# “名称：组长姓名” or “name:leader name”: the first colon, full-width or ASCII, parts the two.
GROUP_LEADER_SEPARATOR = re.compile(r"[:：]")


def _transitions():
    from .lifecycle import TRANSITIONS

    return TRANSITIONS


def _holders(incident: Incident, position) -> list[Person]:
    """People holding the position at the incident's unit (with its departments), else the nearest unit
    above that has one."""
    for unit in chain_up_to(incident.unit, UnitType.HEAD_OFFICE):
        nearby = Person.objects.filter(
            positions=position,
            user__is_active=True,
            unit__path__startswith=unit.path,
            unit__depth__lte=unit.depth + 1,
        ).select_related("unit")
        people = [p for p in nearby if p.unit_id == unit.pk or p.unit.type == UnitType.DEPARTMENT]
        if people:
            return people
    return []


def activate_plan(
    *,
    actor: Person,
    incident: Incident,
    version: PlanVersion,
    leader: Person,
    deputies: list[Person] = (),
    members: list[Person] = (),
    groups: list[str] = (),
) -> Incident:
    """启动: the leading group, its working groups, and one task per plan step for the people holding the
    step's position, due by the step's timing."""
    if not visibility.can_see_unit(actor.user, incident.unit):
        raise NotVisible()
    if not can_decide(actor, incident):
        raise NotAllowed(_("Only an emergency administrator or a leader can activate a plan."))
    ensure_activatable(version)
    people = [leader, *deputies, *members]
    if len({p.pk for p in people}) != len(people):
        raise InvalidInput(
            _("Each person has one role in the leading group."), fields={"members": _("Repeated.")}
        )
    for person in people:
        if not can_join_group(actor.user, person, incident):
            raise InvalidInput(_("%(name)s cannot join this incident's group.") % {"name": person.name})
    working_groups = _with_plan_groups(version, _working_groups(groups, people), people)
    names = list(working_groups)
    now = clock.now()
    with transaction.atomic():
        transition(incident, Status.ACTIVATED, table=_transitions())
        Incident.objects.filter(pk=incident.pk).update(
            plan_version=version, activated_at=now, termination_approvers=version.termination
        )
        incident.plan_version, incident.activated_at = version, now
        Member.objects.bulk_create(
            [Member(incident=incident, person=leader, role=MemberRole.LEADER)]
            + [Member(incident=incident, person=p, role=MemberRole.DEPUTY) for p in deputies]
            + [Member(incident=incident, person=p, role=MemberRole.MEMBER) for p in members]
        )
        formed = {
            name: WorkingGroup.objects.create(incident=incident, name=name, leader=group_leader)
            for name, group_leader in working_groups.items()
        }
        tasks = []
        for step in version.steps.select_related("position"):
            due = None
            if step.timing == Timing.IMMEDIATE:
                due = now + timedelta(minutes=immediate_minutes())
            elif step.timing == Timing.WITHIN and step.minutes:
                due = now + timedelta(minutes=step.minutes)
            task = Task.objects.create(
                incident=incident,
                step=step,
                order=step.order,
                title=step.action,
                position=step.position,
                condition=step.condition,
                branch=step.branch,
                group=formed.get(step.group[:GROUP_NAME_LENGTH]) if step.group else None,
                created_at=now,
                due_at=due,
            )
            task.candidates.set(_holders(incident, step.position))
            tasks.append(task)
            if due is not None:
                schedule_due_check(task)
        timeline.add(
            incident,
            TimelineEvent.ACTIVATED,
            _("Plan “%(title)s” v%(n)s activated; group leader %(leader)s; %(count)s tasks.")
            % {"title": version.title, "n": version.number, "leader": leader.name, "count": len(tasks)},
            actor=actor,
            data={"version": version.pk},
        )
        told = {p.pk: p for t in tasks for p in t.candidates.all()} | {p.pk: p for p in people}
        notify.notify(
            subject=alerts.subject_of(
                incident,
                _("Plan activated: %(title)s") % {"title": version.title},
                _("You have tasks or a role in %(number)s.") % {"number": incident.number},
            ),
            recipients=[
                Recipient(p, incident.unit, _("task or group role"))
                for p in told.values()
                if p.pk != actor.pk
            ],
            ack_minutes=None,
            round_key="activation",
        )
        audit.record(
            actor=actor.user,
            action="incident.activate",
            obj=incident,
            data={
                "plan": version.plan.code,
                "version": version.number,
                "leader": leader.name,
                "deputies": [p.name for p in deputies],
                "members": [p.name for p in members],
                "groups": names,
                "group_leaders": {name: p.name for name, p in working_groups.items() if p is not None},
                "tasks": len(tasks),
            },
        )
    return incident


def split_group(entry: str) -> tuple[str, str]:
    """“名称” → (name, ""); “名称：组长姓名” or “name:leader name” → (name, leader's name)."""
    name, _sep, leader = GROUP_LEADER_SEPARATOR.sub("：", entry, count=1).partition("：")
    return name.strip()[:GROUP_NAME_LENGTH], leader.strip()


def _working_groups(entries: Iterable[str], people: list[Person]) -> dict[str, Person | None]:
    """The working groups as typed, each with the leader it names: that name must be exactly one person
    of the leading group being formed. Refused as a whole, before anything is written."""

    def refuse(message: str) -> InvalidInput:
        return InvalidInput(message, fields={"groups": message})

    groups: dict[str, Person | None] = {}
    for entry in entries:
        if not entry.strip():
            continue
        name, leader_name = split_group(entry)
        if not name:
            raise refuse(_("“%(entry)s”: a working group needs a name.") % {"entry": entry.strip()})
        leader = None
        if leader_name:
            matches = [p for p in people if p.name == leader_name]
            if not matches:
                raise refuse(
                    _("%(group)s: %(name)s is not in the leading group; add them there first.")
                    % {"group": name, "name": leader_name}
                )
            if len(matches) > 1:
                raise refuse(
                    _("%(group)s: %(count)s people in the leading group are called %(name)s.")
                    % {"group": name, "count": len(matches), "name": leader_name}
                )
            leader = matches[0]
        if name in groups and None not in (groups[name], leader) and groups[name] != leader:
            raise refuse(_("%(group)s is given two different leaders.") % {"group": name})
        groups[name] = groups.get(name) or leader
    return groups


def _with_plan_groups(
    version: PlanVersion, typed: dict[str, Person | None], people: list[Person]
) -> dict[str, Person | None]:
    """The plan's own working groups come first and are always formed, so each step lands in the group
    the plan gives it; the typed ones add to them or name a leader. A plan group nobody named a leader
    for is led by the first of the leading group (组长, then 副组长, then 成员) holding the plan's
    `leader_position` for it."""
    groups: dict[str, Person | None] = {}
    for entry in version.groups or []:
        name = (entry.get("name") or "").strip()[:GROUP_NAME_LENGTH]
        if not name:
            continue
        code = entry.get("leader_position") or ""
        holder = next((p for p in people if code and p.holds(code)), None)
        groups[name] = typed.get(name) or groups.get(name) or holder
    for name, leader in typed.items():
        groups.setdefault(name, leader)
    return groups


def schedule_due_check(task: Task) -> None:
    from ..jobs import check_tasks_due

    enqueue_together_on_commit([(check_tasks_due, "task_ids", [task.pk], task.due_at)])


def _task_action(actor: Person, task: Task) -> Task:
    incident = task.incident
    if not visibility.can_see_unit(actor.user, incident.unit):
        raise NotVisible()
    if incident.status not in OPEN_STATUSES:
        raise InvalidTransition(_("Tasks can change only while the incident is being handled."))
    locked = Task.objects.select_for_update().get(pk=task.pk)
    if locked.status not in OPEN_TASK:
        raise InvalidTransition(
            _("This task is already %(status)s.") % {"status": locked.get_status_display()}
        )
    if locked.owner_id and locked.owner_id != actor.pk and not can_decide(actor, incident):
        raise NotAllowed(_("%(name)s has claimed this task.") % {"name": locked.owner.name})
    return locked


def _start_responding(incident: Incident) -> None:
    if incident.status == Status.ACTIVATED:
        transition(incident, Status.RESPONDING, table=_transitions())
        timeline.add(incident, TimelineEvent.STATUS, _("Responding: the first task is under way."))


def claim_task(*, actor: Person, task: Task) -> Task:
    with transaction.atomic():
        locked = _task_action(actor, task)
        if locked.owner_id == actor.pk:
            return locked
        Task.objects.filter(pk=locked.pk).update(owner=actor, status=TaskStatus.CLAIMED)
        locked.refresh_from_db()
        _start_responding(locked.incident)
        timeline.add(
            locked.incident,
            TimelineEvent.TASK,
            _("%(name)s took: %(task)s") % {"name": actor.name, "task": locked.title[:80]},
            actor=actor,
            data={"task": locked.pk},
        )
        audit.record(actor=actor.user, action="task.claim", obj=locked, unit=locked.incident.unit)
    return locked


def complete_task(*, actor: Person, task: Task, note: str = "", done_at=None) -> Task:
    """Done, with a note and the time it was done (defaults to now; never in the future)."""
    now = clock.now()
    done_at = done_at or now
    if done_at > now:
        raise InvalidInput(
            _("The time is in the future."), fields={"done_at": _("The time is in the future.")}
        )
    with transaction.atomic():
        locked = _task_action(actor, task)
        if done_at < locked.created_at - timedelta(hours=24):
            raise InvalidInput(_("The time is before the task existed."), fields={"done_at": _("Too early.")})
        Task.objects.filter(pk=locked.pk).update(
            status=TaskStatus.DONE, owner=locked.owner or actor, done_at=done_at, note=note.strip()[:4000]
        )
        locked.refresh_from_db()
        _start_responding(locked.incident)
        timeline.add(
            locked.incident,
            TimelineEvent.TASK,
            _("Done: %(task)s %(note)s") % {"task": locked.title[:80], "note": note.strip()},
            actor=actor,
            data={"task": locked.pk, "done_at": done_at.isoformat()},
        )
        audit.record(
            actor=actor.user,
            action="task.done",
            obj=locked,
            unit=locked.incident.unit,
            data={"note": note.strip(), "done_at": done_at.isoformat()},
        )
    return locked


def task_not_applicable(*, actor: Person, task: Task, reason: str) -> Task:
    if not (reason or "").strip():
        raise InvalidInput(_("Say why the step does not apply."), fields={"reason": _("Required.")})
    with transaction.atomic():
        locked = _task_action(actor, task)
        Task.objects.filter(pk=locked.pk).update(
            status=TaskStatus.NOT_APPLICABLE,
            owner=locked.owner or actor,
            done_at=clock.now(),
            note=reason.strip()[:4000],
        )
        locked.refresh_from_db()
        _start_responding(locked.incident)
        timeline.add(
            locked.incident,
            TimelineEvent.TASK,
            _("Not applicable: %(task)s (%(reason)s)")
            % {"task": locked.title[:80], "reason": reason.strip()},
            actor=actor,
            data={"task": locked.pk},
        )
        audit.record(
            actor=actor.user,
            action="task.not_applicable",
            obj=locked,
            unit=locked.incident.unit,
            data={"reason": reason.strip()},
        )
    return locked


# --- working groups ---------------------------------------------------------------------------------


def _may_organise(actor: Person, incident: Incident) -> None:
    """Putting tasks into working groups and naming their leaders: those who decide on the incident and
    its group leader, while it is being handled."""
    if not visibility.can_see_unit(actor.user, incident.unit):
        raise NotVisible()
    if not (can_decide(actor, incident) or is_group_leader(actor, incident)):
        raise NotAllowed(
            _("Only an emergency administrator, a leader or the group leader organises the working groups.")
        )
    if incident.status not in OPEN_STATUSES:
        raise InvalidTransition(_("Working groups can change only while the incident is being handled."))


def assign_task_to_group(*, actor: Person, task: Task, group: WorkingGroup | None) -> Task:
    """Put a task into one of the incident's working groups, or (group=None) take it out of its group."""
    incident = task.incident
    _may_organise(actor, incident)
    if group is not None and group.incident_id != incident.pk:
        raise InvalidInput(
            _("The working group belongs to another incident."),
            fields={"group": _("Pick a working group of this incident.")},
        )
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        if locked.group_id == (group.pk if group else None):
            return locked
        before = locked.group.name if locked.group_id else None
        Task.objects.filter(pk=locked.pk).update(group=group)
        locked.refresh_from_db()
        if group is not None:
            text = _("%(task)s → working group %(group)s") % {"task": locked.title[:80], "group": group.name}
        else:
            text = _("%(task)s taken out of working group %(group)s") % {
                "task": locked.title[:80],
                "group": before,
            }
        timeline.add(
            incident,
            TimelineEvent.TASK,
            text,
            actor=actor,
            data={"task": locked.pk, "group": group.pk if group else None},
        )
        audit.record(
            actor=actor.user,
            action="task.assign_group",
            obj=locked,
            unit=incident.unit,
            data={"group": group.name if group else None, "before": before},
        )
    return locked


def set_group_leader(*, actor: Person, group: WorkingGroup, leader: Person) -> WorkingGroup:
    """Name the leader of a working group: someone of the incident's leading group. They are told; an
    overdue task of the group reminds them."""
    incident = group.incident
    _may_organise(actor, incident)
    if not Member.objects.filter(incident=incident, person=leader).exists():
        raise InvalidInput(
            _("%(name)s is not in the incident's leading group.") % {"name": leader.name},
            fields={"leader": _("Pick someone of the leading group.")},
        )
    with transaction.atomic():
        locked = WorkingGroup.objects.select_for_update().get(pk=group.pk)
        if locked.leader_id == leader.pk:
            return locked
        before = locked.leader.name if locked.leader_id else None
        WorkingGroup.objects.filter(pk=locked.pk).update(leader=leader)
        locked.refresh_from_db()
        timeline.add(
            incident,
            TimelineEvent.TASK,
            _("%(name)s leads working group %(group)s.") % {"name": leader.name, "group": locked.name},
            actor=actor,
            data={"group": locked.pk, "leader": leader.pk},
        )
        if leader.pk != actor.pk:
            notify.notify(
                subject=alerts.subject_of(
                    incident,
                    _("You lead working group %(group)s") % {"group": locked.name},
                    _("%(number)s: the group's overdue tasks come to you.") % {"number": incident.number},
                ),
                recipients=[Recipient(leader, incident.unit, _("working group leader"))],
                ack_minutes=None,
                round_key=f"group-{locked.pk}-leader-{leader.pk}",
            )
        audit.record(
            actor=actor.user,
            action="group.set_leader",
            obj=locked,
            unit=incident.unit,
            data={"group": locked.name, "leader": leader.name, "before": before},
        )
    return locked


def remind_overdue(task_id: int) -> str:
    """Run when a task falls due: tell its owner (or those who may do it); if it is still open a little
    later, tell the group leader. Each reminder goes once."""
    task = Task.objects.select_related("incident__unit", "incident__kind", "owner", "group__leader").get(
        pk=task_id
    )
    now = clock.now()
    if task.status not in OPEN_TASK or task.due_at is None or task.due_at > now:
        return "not due"
    incident = task.incident
    if incident.status not in OPEN_STATUSES:
        return "incident no longer handled"  # a false alarm or an ended case pages nobody
    if task.overdue_notified_at is None:
        with transaction.atomic():
            if not Task.objects.filter(pk=task.pk, overdue_notified_at__isnull=True).update(
                overdue_notified_at=now
            ):
                return "already reminded"
            owners = [task.owner] if task.owner else list(task.candidates.all())
            notify.notify(
                subject=alerts.subject_of(incident, _("Overdue: %(task)s") % {"task": task.title[:60]}),
                recipients=[Recipient(p, incident.unit, _("task overdue")) for p in owners],
                ack_minutes=None,
                round_key=f"task-{task.pk}-due",
            )
            timeline.add(
                incident,
                TimelineEvent.TASK,
                _("Overdue, owner reminded: %(task)s") % {"task": task.title[:80]},
                data={"task": task.pk},
            )
            from ..jobs import check_task_due

            enqueue_on_commit(later(check_task_due, now + leader_grace()), task_id=task.pk)
        return "owner reminded"
    if task.leader_notified_at is None and now >= task.overdue_notified_at + leader_grace():
        leader = task.group.leader if task.group and task.group.leader else None
        leader = leader or next((m.person for m in incident.members.filter(role=MemberRole.LEADER)), None)
        with transaction.atomic():
            if not Task.objects.filter(pk=task.pk, leader_notified_at__isnull=True).update(
                leader_notified_at=now
            ):
                return "already reminded"
            if leader is not None:
                notify.notify(
                    subject=alerts.subject_of(
                        incident, _("Still overdue: %(task)s") % {"task": task.title[:60]}
                    ),
                    recipients=[Recipient(leader, incident.unit, _("group leader"))],
                    ack_minutes=None,
                    round_key=f"task-{task.pk}-leader",
                )
            timeline.add(
                incident,
                TimelineEvent.TASK,
                _("Still overdue, group leader told: %(task)s") % {"task": task.title[:80]},
                data={"task": task.pk},
            )
        return "leader reminded"
    return "nothing to do"
