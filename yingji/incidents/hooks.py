"""What notify calls back when a notice about an incident is acknowledged or escalated."""

from django.utils.translation import gettext as _

from yingji.notify.subjects import SubjectHooks, register

from . import timeline
from .models import Incident, TimelineEvent


def _incident(notice) -> Incident | None:
    return Incident.objects.filter(pk=notice.subject_id).first()


def on_acknowledged(notice) -> None:
    incident = _incident(notice)
    if incident is not None:
        minutes = (notice.acknowledged_at - notice.created_at).total_seconds() / 60
        timeline.add(
            incident,
            TimelineEvent.ACKNOWLEDGED,
            _("%(name)s acknowledged (after %(m).0f min).") % {"name": notice.recipient.name, "m": minutes},
            actor=notice.recipient,
            data={"notice": notice.pk},
        )


def on_escalated(notice, new_notices) -> None:
    incident = _incident(notice)
    if incident is not None:
        names = "、".join(n.recipient.name for n in new_notices) or _("nobody above")
        timeline.add(
            incident,
            TimelineEvent.ESCALATED,
            _("%(name)s did not acknowledge in time; passed up to %(to)s.")
            % {"name": notice.recipient.name, "to": names},
            data={"notice": notice.pk},
        )


def register_hooks() -> None:
    register("incidents.incident", SubjectHooks(on_acknowledged=on_acknowledged, on_escalated=on_escalated))
