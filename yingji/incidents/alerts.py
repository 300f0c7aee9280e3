"""Whom an incident tells, and the regulator duty, from the notification rules (data, not code)."""

from datetime import timedelta

from django.db.models import Q
from django.utils.translation import gettext as _

from yingji.core import clock
from yingji.notify import rulebook
from yingji.notify import rules as notify_rules
from yingji.notify import services as notify
from yingji.notify.models import KindNotificationRule, NotificationRule
from yingji.notify.recipients import RANK, chain_up_to, recipients_on, remember
from yingji.notify.rulebook import Rulebook
from yingji.orgs.models import Person, PositionCode, Unit, UnitType
from yingji.plans.models import Level

from . import timeline
from .models import Incident, Task, TaskKind, TimelineEvent

DEFAULT_REGULATOR_MINUTES = notify_rules.DEFAULT_REGULATOR_MINUTES  # 本行设定 (settings)


def rule_for(level: str, rules: Rulebook | None = None) -> NotificationRule:
    return (rules or rulebook.current()).rule_for(level)


def _up_to(chain: list[Unit], reach: str) -> list[Unit]:
    """The part of a chain up to head office that chain_up_to(unit, reach) would give."""
    for index, unit in enumerate(chain):
        if RANK.get(unit.type, 0) >= RANK[reach]:
            return chain[: index + 1]
    return chain


def subject_of(incident: Incident, title: str | None = None, body: str = "") -> notify.Subject:
    return notify.Subject(
        "incidents.incident",
        incident.pk,
        incident.unit,
        title or f"{Level(incident.level).label} {incident.kind.name} · {incident.unit.name}",
        body or f"{incident.number}：{incident.description[:200]}",
        incident.get_absolute_url(),
    )


def raise_the_alarm(
    incident: Incident,
    *,
    round_key: str,
    exclude: Person | None = None,
    rules: Rulebook | None = None,
) -> list:
    """Tell the chain and, when the level or kind calls for it, add the regulator task. The rules come
    from the process's rulebook (`rules` when the caller has read it already) and the chain up to head
    office is read once for both: a regional surge makes this the hottest path."""
    rules = rules or rulebook.current()
    rule = rules.rule_for(incident.level)
    kind_rule = rules.kind_rule(incident.kind_id)
    chain = chain_up_to(incident.unit, UnitType.HEAD_OFFICE)
    notices = tell_the_chain(
        incident,
        round_key=round_key,
        exclude=exclude,
        rule=rule,
        kind_rule=kind_rule,
        chain=chain,
        rules=rules,
    )
    if rule.regulator_report or (kind_rule and kind_rule.regulator_report):
        add_regulator_task(incident, chain=chain, rules=rules)
    return notices


def tell_the_chain(
    incident: Incident,
    *,
    round_key: str,
    exclude: Person | None = None,
    rule: NotificationRule | None = None,
    kind_rule: KindNotificationRule | None = None,
    chain: list[Unit] | None = None,
    rules: Rulebook | None = None,
) -> list:
    """Notify up the tree as far as the incident's level reaches, and note it on the timeline."""
    rules = rules or rulebook.current()
    if rule is None:
        rule = rules.rule_for(incident.level)
    positions = rules.told_positions(rule.level, incident.kind_id)
    targets = recipients_on(
        _up_to(chain, rule.reach) if chain is not None else chain_up_to(incident.unit, rule.reach),
        positions=positions,
        on_date=clock.local_today(),
        exclude=exclude,
    )
    notices = notify.notify(
        subject=subject_of(incident),
        recipients=targets,
        ack_minutes=rule.ack_minutes,
        round_key=round_key,
        rules=rules,
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


def regulator_minutes(unit: Unit, chain: list[Unit] | None = None, rules: Rulebook | None = None) -> int:
    """The nearest regional deadline up the tree; `chain` (up to head office) when the caller has it."""
    chain = chain if chain is not None else chain_up_to(unit, UnitType.HEAD_OFFICE)
    deadlines = (rules or rulebook.current()).regulator_minutes
    return next((deadlines[u.pk] for u in chain if u.pk in deadlines), DEFAULT_REGULATOR_MINUTES)


def _regulator_reporters(branch: Unit) -> list[Person]:
    """The branch's 应急管理员 (its departments included); without one, its head and 带班领导."""
    admins = list(
        Person.objects.filter(
            Q(unit=branch)
            | Q(
                unit__path__startswith=branch.path,
                unit__type=UnitType.DEPARTMENT,
                unit__depth=branch.depth + 1,
            ),
            positions__code=PositionCode.EMERGENCY_ADMIN,
            user__is_active=True,
        )
        .distinct()
        .order_by("pk")
    )
    return admins or [r.person for r in recipients_on([branch], positions=[], on_date=clock.local_today())]


def add_regulator_task(
    incident: Incident, *, chain: list[Unit], rules: Rulebook | None = None
) -> Task | None:
    """报告监管机构, due a set time after the first report, for the 应急管理员 of the nearest branch.
    `chain` runs up to head office."""
    if incident.tasks.filter(kind=TaskKind.REGULATOR_REPORT).exists():
        return None
    rules = rules or rulebook.current()
    branch = _up_to(chain, UnitType.BRANCH)[-1]
    task = Task.objects.create(
        incident=incident,
        kind=TaskKind.REGULATOR_REPORT,
        order=0,
        title=_("Report to the regulator"),
        position=rules.position(PositionCode.EMERGENCY_ADMIN),
        created_at=clock.now(),
        due_at=incident.reported_at + timedelta(minutes=regulator_minutes(incident.unit, chain, rules)),
    )
    Task.candidates.through.objects.bulk_create(
        [
            Task.candidates.through(task=task, person=p)
            for p in remember(("regulator reporters", branch.pk), lambda: _regulator_reporters(branch))
        ]
    )
    from .services.tasks import schedule_due_check

    schedule_due_check(task)
    return task
