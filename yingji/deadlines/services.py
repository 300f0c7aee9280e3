"""Start, pause, resume, move, meet and stop a deadline; fire its checkpoints once each.

A checkpoint is due when its share of the allowed time has passed, paused time not counting: the
reminders (催办) at `reminders` percent, "due" at the deadline itself, and "up" a day after it, when the
unit above is told. Each change schedules a check at the next checkpoint as a database job, so a
deadline fires within the worker's poll interval of its time, after a restart too; an earlier job
whose time was moved away finds nothing due and does nothing."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction

from yingji.core import clock
from yingji.core.jobs import enqueue_on_commit, later
from yingji.orgs.models import Person, Unit

from . import subjects
from .models import Deadline

ESCALATE_AFTER = timedelta(days=1)
DEFAULT_REMINDERS = (50, 80)


@dataclass(frozen=True)
class Subject:
    type: str
    id: int


def start(
    *,
    subject: Subject,
    name: str,
    label: str,
    unit: Unit,
    due_at: datetime,
    source: str,
    owner: Person | None = None,
    started_at: datetime | None = None,
    reminders: tuple[int, ...] = DEFAULT_REMINDERS,
) -> Deadline:
    """Start the clock (or start it again: new facts restart a complaint's period)."""
    started_at = started_at or clock.now()
    deadline, _ = Deadline.objects.update_or_create(
        subject_type=subject.type,
        subject_id=subject.id,
        name=name,
        defaults={
            "label": label,
            "unit": unit,
            "owner": owner,
            "started_at": started_at,
            "due_at": due_at,
            "source": source,
            "reminders": list(reminders),
            "paused_at": None,
            "paused_seconds": 0,
            "fired": [],
            "met_at": None,
            "cancelled_at": None,
        },
    )
    _schedule(deadline)
    return deadline


def start_many(clocks: list[Deadline]) -> list[Deadline]:
    """Start many new clocks at once (a batch import): one insert, and one job after the commit that
    schedules each clock's first check, instead of ten thousand job rows inside the transaction."""
    for deadline in clocks:
        deadline.reminders = deadline.reminders or list(DEFAULT_REMINDERS)
        deadline.fired = []
        deadline.next_at = _next_checkpoint(deadline)
    # PostgreSQL and SQLite (3.35+) both return the new ids from a bulk insert.
    created = Deadline.objects.bulk_create(clocks, batch_size=1000)
    from .tasks import schedule_checks

    enqueue_on_commit(schedule_checks, deadline_ids=[d.pk for d in created])
    return created


def running(subject: Subject) -> list[Deadline]:
    return list(
        Deadline.objects.filter(
            subject_type=subject.type, subject_id=subject.id, met_at__isnull=True, cancelled_at__isnull=True
        )
    )


def _locked(subject: Subject, names: list[str] | None = None) -> list[Deadline]:
    qs = Deadline.objects.select_for_update().filter(
        subject_type=subject.type, subject_id=subject.id, met_at__isnull=True, cancelled_at__isnull=True
    )
    if names is not None:
        qs = qs.filter(name__in=names)
    return list(qs.order_by("pk"))


def pause(subject: Subject, *, at: datetime | None = None) -> list[Deadline]:
    """Stop every running clock of the subject (鉴定、检测、评估 or mediation)."""
    at = at or clock.now()
    paused = []
    for deadline in _locked(subject):
        if deadline.paused_at is None:
            deadline.paused_at = at
            deadline.next_at = None
            deadline.save(update_fields=["paused_at", "next_at"])
            paused.append(deadline)
    return paused


def resume(subject: Subject, *, at: datetime | None = None) -> list[Deadline]:
    """Start the clocks again; each deadline moves by the time it stood still."""
    at = at or clock.now()
    resumed = []
    for deadline in _locked(subject):
        if deadline.paused_at is None:
            continue
        stood = at - deadline.paused_at
        deadline.due_at += stood
        deadline.paused_seconds += int(stood.total_seconds())
        deadline.paused_at = None
        deadline.save(update_fields=["due_at", "paused_seconds", "paused_at"])
        _schedule(deadline)
        resumed.append(deadline)
    return resumed


def move(subject: Subject, name: str, *, due_at: datetime, source: str) -> Deadline | None:
    """A new due time (an approved extension); the reminders already sent stay sent."""
    for deadline in _locked(subject, [name]):
        deadline.due_at = due_at
        deadline.source = source
        # An extension gives new time: the overdue checkpoints may fire again for the new date.
        deadline.fired = [c for c in deadline.fired if c not in ("due", "up")]
        deadline.save(update_fields=["due_at", "source", "fired"])
        _schedule(deadline)
        return deadline
    return None


def meet(subject: Subject, names: list[str], *, at: datetime | None = None) -> list[Deadline]:
    """What was due is done: these clocks stop for good."""
    at = at or clock.now()
    met = _locked(subject, names)
    Deadline.objects.filter(pk__in=[d.pk for d in met]).update(met_at=at, next_at=None)
    return met


def stop_all(subject: Subject, *, at: datetime | None = None) -> int:
    """The procedure ended (withdrawn, archived): nothing of it is due any more."""
    at = at or clock.now()
    ids = [d.pk for d in _locked(subject)]
    return Deadline.objects.filter(pk__in=ids).update(cancelled_at=at, next_at=None)


def checkpoints(deadline: Deadline) -> list[tuple[str, datetime]]:
    """Each checkpoint and when it falls, paused time not counting."""
    allowed = deadline.due_at - deadline.started_at - timedelta(seconds=deadline.paused_seconds)
    base = deadline.started_at + timedelta(seconds=deadline.paused_seconds)
    points = [(f"r{p}", base + allowed * (p / 100)) for p in deadline.reminders]
    points += [("due", deadline.due_at), ("up", deadline.due_at + ESCALATE_AFTER)]
    return points


def _next_checkpoint(deadline: Deadline) -> datetime | None:
    pending = [at for code, at in checkpoints(deadline) if code not in deadline.fired]
    return min(pending) if pending else None


def _schedule(deadline: Deadline) -> None:
    from .tasks import check_deadline

    deadline.next_at = _next_checkpoint(deadline) if deadline.paused_at is None else None
    Deadline.objects.filter(pk=deadline.pk).update(next_at=deadline.next_at)
    if deadline.next_at is not None:
        enqueue_on_commit(later(check_deadline, deadline.next_at), deadline_id=deadline.pk)


def fire_due_checkpoints(deadline_id: int) -> list[str]:
    """Fire what is due now and not fired yet, under the row's lock; schedule the next check."""
    now = clock.now()
    with transaction.atomic():
        deadline = (
            Deadline.objects.select_for_update(of=("self",))
            .select_related("unit", "owner__user")
            .filter(pk=deadline_id)
            .first()
        )
        if deadline is None or not deadline.is_running or deadline.is_paused:
            return []
        due = [code for code, at in checkpoints(deadline) if at <= now and code not in deadline.fired]
        # A reminder whose moment passed while the overdue point passed too says nothing new.
        if "due" in due:
            skipped = [c for c in due if c.startswith("r")]
            due = [c for c in due if not c.startswith("r")]
        else:
            skipped = []
        deadline.fired = sorted({*deadline.fired, *due, *skipped})
        deadline.save(update_fields=["fired"])
        handler = subjects.handler_for(deadline.subject_type)
        if handler is not None:
            for code in due:
                handler(deadline, code)
        _schedule(deadline)
    return due
