"""Who is told when a corrective action's deadline passes a checkpoint: the owner at each reminder
(催办), the owner and the unit's head and 带班领导 when it is overdue, the unit above a day later."""

from django.utils.translation import gettext as _

from yingji.core import clock
from yingji.core.due import due_text
from yingji.notify import services as notify
from yingji.notify.recipients import Recipient, next_up, recipients_on

from .models import ActionEvent, CorrectiveAction

SUBJECT_TYPE = "corrective.action"
OVERDUE_ACK_MINUTES = 60


def on_deadline_checkpoint(deadline, checkpoint: str) -> None:
    """Runs inside the deadline's firing transaction, once per checkpoint."""
    action = (
        CorrectiveAction.objects.select_related("unit", "owner__user", "owner__unit")
        .filter(pk=deadline.subject_id)
        .first()
    )
    if action is None:
        return
    due = due_text(deadline.due_at)
    words = {"text": action.text[:80], "due": due}
    owner = [Recipient(action.owner, action.unit, _("Owner of the corrective action"))]
    if checkpoint.startswith("r"):
        title = _("Reminder: corrective action “%(text)s” is due %(due)s") % words
        told, ack = owner, None
        event = _("Reminder (%(pct)s%% of the time used), due %(due)s.") % {"pct": checkpoint[1:], "due": due}
    elif checkpoint == "due":
        title = _("Overdue: corrective action “%(text)s” was due %(due)s") % words
        told = recipients_on([action.unit.acting_unit], positions=[], on_date=clock.local_today())
        if all(r.person.pk != action.owner_id for r in told):
            told = owner + told
        ack = OVERDUE_ACK_MINUTES
        event = _("Overdue (due %(due)s); told %(who)s.") % {
            "due": due,
            "who": "、".join(r.person.name for r in told) or _("nobody"),
        }
    else:  # "up": still overdue a day later, the unit above hears of it
        title = _("Still overdue: corrective action “%(text)s” (due %(due)s)") % words
        told = next_up(action.unit, on_date=clock.local_today())
        ack = OVERDUE_ACK_MINUTES
        event = _("Still overdue a day later: escalated to %(who)s.") % {
            "who": "、".join(r.person.name for r in told) or _("nobody above")
        }
    notify.notify(
        subject=notify.Subject(
            SUBJECT_TYPE, action.pk, action.unit, title, action.text[:300], action.get_absolute_url()
        ),
        recipients=told,
        ack_minutes=ack,
        round_key=f"dl-{deadline.pk}-{checkpoint}-{int(deadline.due_at.timestamp())}",
    )
    ActionEvent.objects.create(action=action, at=clock.now(), actor=None, text=event)
