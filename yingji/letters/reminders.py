"""Who is told when a letter's deadline passes a checkpoint (yingji/deadlines fires them once each): the
signer at each reminder before the deadline (催办); the signer and their unit's head, 带班领导 and
应急管理员 when it is overdue; the unit above a day later."""

from django.utils.translation import gettext as _

from yingji.core import clock
from yingji.core.due import due_text
from yingji.notify import services as notify
from yingji.notify.recipients import Recipient, next_up, recipients_on
from yingji.orgs.models import Person, Position, PositionCode

SUBJECT_TYPE = "letters.letter"
DEADLINE = "sign"
OVERDUE_ACK_MINUTES = 24 * 60


def signers(letter) -> list[Recipient]:
    """An employee letter's employee; a unit letter's head(s)."""
    reason = _("Signs the responsibility letter")
    if letter.person_id:
        return [Recipient(letter.person, letter.unit, reason)]
    people = Person.objects.filter(unit=letter.unit, user__is_active=True, positions__is_unit_head=True)
    return [Recipient(p, letter.unit, reason) for p in people.select_related("user").distinct()]


def on_deadline_checkpoint(deadline, checkpoint: str) -> None:
    """Runs inside the deadline's firing transaction, once per checkpoint."""
    from .models import Letter, Status

    letter = Letter.objects.select_related("unit", "person__user").filter(pk=deadline.subject_id).first()
    if letter is None or letter.status != Status.PENDING:
        return
    if letter.person_id and not letter.person.user.is_active:  # left the bank: nobody to remind
        return
    words = {"title": letter.title, "who": letter.party_b, "due": due_text(letter.due_at)}
    told = signers(letter)
    ack = None
    if checkpoint.startswith("r"):
        title = _("Reminder: sign the %(title)s (%(who)s) by %(due)s") % words
    elif checkpoint == "due":
        title = _("Overdue: the %(title)s of %(who)s was to be signed by %(due)s") % words
        around = recipients_on(
            [letter.unit.acting_unit],
            positions=list(Position.objects.filter(code=PositionCode.EMERGENCY_ADMIN)),
            on_date=clock.local_today(),
        )
        told += [r for r in around if all(r.person.pk != t.person.pk for t in told)]
        ack = OVERDUE_ACK_MINUTES
    else:  # "up": a day later, the unit above hears of it
        title = _("Still unsigned: the %(title)s of %(who)s (due %(due)s)") % words
        told = next_up(letter.unit, on_date=clock.local_today())
        ack = OVERDUE_ACK_MINUTES
    notify.notify(
        subject=notify.Subject(
            SUBJECT_TYPE, letter.pk, letter.unit, title, letter.due_rule, letter.get_absolute_url()
        ),
        recipients=told,
        ack_minutes=ack,
        round_key=f"dl-{deadline.pk}-{checkpoint}-{int(deadline.due_at.timestamp())}",
    )
