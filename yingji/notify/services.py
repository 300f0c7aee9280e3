"""Telling people: notices with an acknowledgement deadline, their deliveries on every channel, and the
escalation of what nobody acknowledged. Deliveries and checks run as jobs after commit."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.core import clock, jobs
from yingji.core.errors import NotVisible
from yingji.core.jobs import ListJob, enqueue_together_on_commit
from yingji.orgs.models import Person, Unit

from . import rulebook, subjects
from .channels import PERSONAL
from .models import Delivery, DeliveryStatus, Notice
from .recipients import Recipient, next_up
from .rulebook import Rulebook

STALE_CLAIM = timedelta(minutes=5)


@dataclass(frozen=True)
class Subject:
    type: str
    id: int
    unit: Unit
    title: str
    body: str
    url: str


def notify(
    *,
    subject: Subject,
    recipients: list[Recipient],
    ack_minutes: int | None,
    round_key: str,
    escalated_from: Notice | None = None,
    rules: Rulebook | None = None,
) -> list[Notice]:
    """Create the notices of one round (skipping anyone already told in it) and their deliveries, inside
    the caller's transaction; the deliveries and the acknowledgement check are enqueued on commit.
    `rules`: the rulebook the caller read already (for the group robots)."""
    now = clock.now()
    due = now + timedelta(minutes=ack_minutes) if ack_minutes else None
    wanted = [
        Notice(
            subject_type=subject.type,
            subject_id=subject.id,
            unit=subject.unit,
            recipient=r.person,
            title=subject.title,
            body=subject.body,
            url=subject.url,
            reason=r.reason[:200],
            created_at=now,
            ack_due_at=due,
            escalated_from=escalated_from,
            key=f"{subject.type}:{subject.id}:{round_key}:{r.person.pk}",
        )
        for r in recipients
    ]
    if wanted:
        existing = set(Notice.objects.filter(key__in=[n.key for n in wanted]).values_list("key", flat=True))
        wanted = [n for n in wanted if n.key not in existing]
    if not wanted:
        return []
    # One INSERT; PostgreSQL and SQLite 3.35+ give the new primary keys back, so nothing is read again:
    # each notice keeps the recipient (with their user) it was built with, for the channels' addresses.
    # Newest first, as Notice's ordering lists them.
    notices = Notice.objects.bulk_create(wanted)[::-1]
    if any(n.pk is None for n in notices):  # a database that cannot return them
        notices = list(
            Notice.objects.filter(key__in=[n.key for n in wanted]).select_related("recipient__user")
        )
    deliveries = [Delivery(notice=n, channel=c.name) for n in notices for c in PERSONAL if c.address(n)]
    units_told: dict[int, Notice] = {}
    for notice, recipient in zip(notices, recipients_by_key(notices, recipients), strict=True):
        units_told.setdefault(recipient.unit.pk, notice)
    webhooks = (rules or rulebook.current()).webhooks
    for unit_id, notice in units_told.items():
        for webhook in webhooks.get(unit_id, []):
            deliveries.append(Delivery(notice=notice, channel=f"webhook:{webhook.pk}"))
    Delivery.objects.bulk_create(deliveries)
    from . import tasks

    ids = [n.pk for n in notices]
    jobs: list[ListJob] = [(tasks.deliver_notices, "notice_ids", ids, None)]
    if due is not None:
        jobs.append((tasks.check_acknowledgements, "notice_ids", ids, due))
    # After the commit, in one transaction; merged with the other rounds of a batch of alarms.
    enqueue_together_on_commit(jobs)
    return notices


def recipients_by_key(notices: list[Notice], recipients: list[Recipient]) -> list[Recipient]:
    by_person = {r.person.pk: r for r in recipients}
    return [by_person[n.recipient_id] for n in notices]


def acknowledge(*, person: Person, notice: Notice) -> Notice:
    """已收到. Only the recipient acknowledges their notice; a second tap changes nothing."""
    if notice.recipient_id != person.pk:
        raise NotVisible()
    with transaction.atomic():
        now = clock.now()
        updated = Notice.objects.filter(pk=notice.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=now
        )
        if not updated:
            notice.refresh_from_db()
            return notice
        notice.acknowledged_at = now
        audit.record(
            actor=person.user,
            action="notice.acknowledge",
            obj=notice,
            unit=notice.unit,
            data={"subject": f"{notice.subject_type}:{notice.subject_id}"},
        )
        hook = subjects.hooks_for(notice.subject_type).on_acknowledged
        if hook is not None:
            hook(notice)
    return notice


def withdraw(
    *, subject_type: str, subject_id: int, reason: str, actor=None, round_key: str | None = None
) -> int:
    """The subject ended (an incident terminated, cancelled or closed; a complaint closed), or with
    `round_key` one question about it was answered (a termination decided): the notices still waiting
    for 已收到 stop asking. They are kept, marked withdrawn with the reason, and never escalated
    (escalate_overdue skips them). Runs in the caller's transaction; returns how many."""
    now = clock.now()
    scope = {"key__startswith": f"{subject_type}:{subject_id}:{round_key}:"} if round_key else {}
    with transaction.atomic():
        pending = list(
            Notice.objects.select_for_update()
            .filter(
                subject_type=subject_type,
                subject_id=subject_id,
                acknowledged_at__isnull=True,
                withdrawn_at__isnull=True,
                **scope,
            )
            .select_related("unit")
            .order_by("pk")
        )
        if not pending:
            return 0
        ids = [n.pk for n in pending]
        Notice.objects.filter(pk__in=ids).update(withdrawn_at=now, withdrawn_reason=reason[:200])
        audit.record(
            actor=actor,
            action="notice.withdraw",
            object_type=subject_type,
            object_id=str(subject_id),
            unit=pending[0].unit,
            data={"notices": ids, "reason": reason[:200]},
        )
    return len(ids)


def escalate_overdue(*, notice_ids: list[int]) -> int:
    """Each of these notices still unacknowledged past its deadline goes to the next person up. Safe to
    run twice: a notice is escalated once (conditional update), and the new notices have unique keys."""
    now = clock.now()
    escalated = 0
    candidates = Notice.objects.filter(
        pk__in=notice_ids,
        acknowledged_at__isnull=True,
        escalated_at__isnull=True,
        withdrawn_at__isnull=True,
        ack_due_at__lte=now,
    ).select_related("recipient__unit", "unit")
    for notice in candidates:
        with transaction.atomic():
            # Withdrawn meanwhile (the case ended): nobody is paged about a case that stopped asking.
            if not Notice.objects.filter(
                pk=notice.pk,
                escalated_at__isnull=True,
                acknowledged_at__isnull=True,
                withdrawn_at__isnull=True,
            ).update(escalated_at=now):
                continue
            targets = next_up(notice.recipient.unit, on_date=clock.local_today())
            minutes = int((notice.ack_due_at - notice.created_at).total_seconds() // 60) or None
            subject = Subject(
                notice.subject_type,
                notice.subject_id,
                notice.unit,
                notice.title,
                _("%(name)s did not acknowledge within %(n)s minutes: passed up to you.")
                % {"name": notice.recipient.name, "n": minutes}
                + "\n"
                + notice.body,
                notice.url,
            )
            new = notify(
                subject=subject,
                recipients=targets,
                ack_minutes=minutes,
                round_key=f"esc-{notice.pk}",
                escalated_from=notice,
            )
            audit.record(
                actor=None,
                action="notice.escalate",
                obj=notice,
                unit=notice.unit,
                data={"to": [n.recipient.name for n in new]},
            )
            hook = subjects.hooks_for(notice.subject_type).on_escalated
            if hook is not None:
                hook(notice, new)
            escalated += 1
    return escalated


def claim(delivery: Delivery) -> bool:
    """Take a delivery for sending with one conditional UPDATE: of two workers, one wins. The claim
    names the worker, so a worker that dies holding it is found (`take_over_deliveries`). A claim left
    by no known worker is taken over once it is STALE_CLAIM old."""
    now = clock.now()
    abandoned = Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_CLAIM)
    return bool(
        Delivery.objects.filter(
            Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED, DeliveryStatus.UNKNOWN]) | abandoned,
            pk=delivery.pk,
        ).update(
            status=DeliveryStatus.SENDING,
            claimed_at=now,
            claimed_by=jobs.current_worker(),
            attempts=F("attempts") + 1,
            taken_over_at=Case(When(abandoned, then=Value(now)), default=F("taken_over_at")),
        )
    )


def take_over_deliveries(*, dead: set[str], live: set[str]) -> int:
    """The reaper's part for notices (`yingji.core.workers.reap`): deliveries that dead workers were
    sending, or whose claim is STALE_CLAIM old and held by no live worker, may or may not have reached
    the channel. They are marked "outcome unknown" and a delivery job sends them again, with the same
    delivery key, so a channel that deduplicates shows them once."""
    now = clock.now()
    lost = Q(claimed_by__in=dead) | (Q(claimed_at__lt=now - STALE_CLAIM) & ~Q(claimed_by__in=live))
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(lost, status=DeliveryStatus.SENDING)
            .values_list("pk", "notice_id")
        )
        if not rows:
            return 0
        Delivery.objects.filter(pk__in=[pk for pk, _ in rows], status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.UNKNOWN, taken_over_at=now
        )
        from . import tasks

        jobs.enqueue_in_transaction(tasks.deliver_notices, notice_ids=sorted({n for _, n in rows}))
    return len(rows)


def mark(delivery: Delivery, *, sent: bool, error: str = "") -> None:
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.SENT if sent else DeliveryStatus.FAILED,
        sent_at=clock.now() if sent else None,
        error=error[:2000],
    )


def ensure_recipient(person: Person, notice_id: int) -> Notice:
    notice = Notice.objects.filter(pk=notice_id, recipient=person).first()
    if notice is None:
        raise NotVisible()
    return notice
