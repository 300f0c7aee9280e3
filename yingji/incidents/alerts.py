"""Whom an incident tells, and the regulator duty, from the notification rules (data, not code)."""

from datetime import timedelta

from django.utils.translation import gettext as _

from yingji.core import clock
from yingji.notify import services as notify
from yingji.notify.models import KindNotificationRule, NotificationRule, RegulatorDeadline
from yingji.notify.recipients import Recipient, chain_up_to, recipients, recipients_on
from yingji.orgs.models import Person, PositionCode, Unit, UnitType
from yingji.plans.models import Level

from . import timeline
from .models import Incident, Task, TaskKind, TimelineEvent

DEFAULT_REGULATOR_MINUTES = 60


def rule_for(level: str) -> NotificationRule:
    return NotificationRule.objects.prefetch_related("positions").get(level=level)


def subject_of(incident: Incident, title: str | None = None, body: str = "") -> notify.Subject:
    return notify.Subject(
        "incidents.incident",
        incident.pk,
        incident.unit,
        title or f"{Level(incident.level).label} {incident.kind.name} · {incident.unit.name}",
        body or f"{incident.number}：{incident.description[:200]}",
        incident.get_absolute_url(),
    )


def tell_the_chain(incident: Incident, *, round_key: str, exclude: Person | None = None) -> list:
    """Notify up the tree as far as the incident's level reaches, and note it on the timeline."""
    rule = rule_for(incident.level)
    positions = list(rule.positions.all())
    kind_rule = KindNotificationRule.objects.filter(kind=incident.kind).prefetch_related("positions").first()
    if kind_rule is not None:
        positions += list(kind_rule.positions.all())
    targets = recipients(
        unit=incident.unit,
        reach=rule.reach,
        positions=positions,
        on_date=clock.local_today(),
        exclude=exclude,
    )
    notices = notify.notify(
        subject=subject_of(incident), recipients=targets, ack_minutes=rule.ack_minutes, round_key=round_key
    )
    if notices:
        names = "、".join(f"{n.recipient.name}（{n.reason}）" for n in notices)
        timeline.add(
            incident,
            TimelineEvent.NOTIFIED,
            _("Notified: %(names)s") % {"names": names},
            data={"notices": [n.pk for n in notices], "round": round_key},
        )
    return notices


def needs_regulator_report(incident: Incident) -> bool:
    if rule_for(incident.level).regulator_report:
        return True
    kind_rule = KindNotificationRule.objects.filter(kind=incident.kind).first()
    return bool(kind_rule and kind_rule.regulator_report)


def regulator_minutes(unit: Unit) -> int:
    chain = chain_up_to(unit, UnitType.HEAD_OFFICE)
    deadlines = {d.unit_id: d.minutes for d in RegulatorDeadline.objects.filter(unit__in=chain)}
    return next((deadlines[u.pk] for u in chain if u.pk in deadlines), DEFAULT_REGULATOR_MINUTES)


def add_regulator_task(incident: Incident) -> Task | None:
    """报告监管机构, due a set time after the first report, for the 应急管理员 of the nearest branch."""
    if incident.tasks.filter(kind=TaskKind.REGULATOR_REPORT).exists() or not needs_regulator_report(incident):
        return None
    from yingji.orgs.models import Position

    chain = chain_up_to(incident.unit, UnitType.BRANCH)
    admin = Position.objects.filter(code=PositionCode.EMERGENCY_ADMIN)
    owners: list[Recipient] = recipients_on(chain[-1:], positions=list(admin), on_date=clock.local_today())
    task = Task.objects.create(
        incident=incident,
        kind=TaskKind.REGULATOR_REPORT,
        order=0,
        title=_("Report to the regulator"),
        position=admin.first(),
        created_at=clock.now(),
        due_at=incident.reported_at + timedelta(minutes=regulator_minutes(incident.unit)),
    )
    task.candidates.set(
        [r.person for r in owners if r.person.holds(PositionCode.EMERGENCY_ADMIN)]
        or [r.person for r in owners]
    )
    from .services.tasks import schedule_due_check

    schedule_due_check(task)
    return task
