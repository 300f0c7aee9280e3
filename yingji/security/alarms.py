"""A 重大安全隐患 is told at once, inside the signing transaction (the deliveries go out on commit): the
unit's head, today's 带班领导 and its leaders, and the head and 带班领导 of the unit above, as corrective
actions tell a unit (yingji/corrective/notices.py)."""

from django.utils.translation import gettext as _

from yingji.core import clock
from yingji.notify import services as notify
from yingji.notify.recipients import Recipient, next_up, recipients_on
from yingji.orgs.models import Position, PositionCode

SUBJECT_TYPE = "security.inspection"


def leaders_of(unit) -> list[Recipient]:
    today = clock.local_today()
    positions = list(Position.objects.filter(code__in=[PositionCode.LEADER, PositionCode.PRESIDENT]))
    told = recipients_on([unit.acting_unit], positions=positions, on_date=today)
    seen = {r.person.pk for r in told}
    return told + [r for r in next_up(unit, on_date=today) if r.person.pk not in seen]


def tell_leaders(*, inspection, results) -> list:
    unit = inspection.unit
    lines = [
        f"· {r.area_name}：{r.text}。{r.note}（{_('person responsible')}：{r.responsible.name}）"
        for r in results
    ]
    title = _("Major safety hazard found at %(unit)s") % {"unit": unit.name}
    body = (
        _("Security inspection #%(n)s by %(inspector)s found:")
        % {"n": inspection.pk, "inspector": inspection.inspector.name}
        + "\n"
        + "\n".join(lines)
    )
    return notify.notify(
        subject=notify.Subject(
            SUBJECT_TYPE, inspection.pk, unit, title[:200], body, inspection.get_absolute_url()
        ),
        recipients=leaders_of(unit),
        ack_minutes=None,
        round_key=f"major-{inspection.pk}",
    )
