"""Who is told of a warning: up the tree from its unit to the rule's reach, on each unit its head and
today's 带班领导, and the positions the rule names. Through notify, so its channels, acknowledgement
deadline and escalation hold for warnings too; 已收到 on the notice acknowledges the warning."""

from django.conf import settings
from django.utils.translation import gettext as _

from yingji.core import clock
from yingji.notify import services as notify
from yingji.notify.recipients import chain_up_to, recipients_on

SUBJECT_TYPE = "monitoring.warning"


def tell(warning, rule) -> None:
    """Inside the raising transaction: the notices of the first round (their deliveries go on commit)."""
    told = recipients_on(
        chain_up_to(warning.unit, rule.reach or "branch"),
        positions=list(rule.positions.all()),
        on_date=clock.local_today(),
    )
    body = _("%(level)s warning. %(what)s") % {"level": warning.get_level_display(), "what": warning.title}
    if warning.proposal == "pending":
        body += " " + _("An incident is proposed: the leadership group decides on the warning's page.")
    notify.notify(
        subject=notify.Subject(
            SUBJECT_TYPE, warning.pk, warning.unit, warning.title, body, warning.get_absolute_url()
        ),
        recipients=told,
        ack_minutes=settings.YINGJI_SIGNAL_ACK_MINUTES,
        round_key="raised",
    )


def withdraw(warning) -> None:
    notify.withdraw(subject_type=SUBJECT_TYPE, subject_id=warning.pk, reason=_("The warning cleared."))


def on_acknowledged(notice) -> None:
    """已收到 on a warning's notice: the warning is acknowledged by that person, if nobody did before."""
    from .models import SignalWarning
    from .services import acknowledge_in_place

    warning = SignalWarning.objects.filter(pk=notice.subject_id).select_related("unit").first()
    if warning is not None:
        acknowledge_in_place(warning, notice.recipient)
