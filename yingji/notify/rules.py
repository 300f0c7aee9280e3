"""Editing who is told: the rules are data that head-office 应急管理员 change in the pages, each change
audited like any other."""

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.core.errors import InvalidInput, NotAllowed
from yingji.orgs import visibility
from yingji.orgs.models import Position, Unit, UnitType

from .models import KindNotificationRule, NotificationRule, RegulatorDeadline
from .recipients import RANK

# Where a region sets no regulator deadline of its own: the bank's setting, not the seeds'.
DEFAULT_REGULATOR_MINUTES = settings.YINGJI_REGULATOR_MINUTES

MAX_MINUTES = 24 * 60


def can_edit_rules(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or (visibility.is_emergency_admin(user) and visibility.is_head_office(user))
    )


def require_rules_editor(actor: User) -> None:
    if not can_edit_rules(actor):
        raise NotAllowed(_("Only a head-office emergency administrator edits the notification rules."))


def _minutes(value, field: str) -> int:
    if not isinstance(value, int) or not 1 <= value <= MAX_MINUTES:
        raise InvalidInput(_("Give minutes between 1 and 1440."), fields={field: _("1 to 1440 minutes.")})
    return value


def update_level_rule(
    *,
    actor: User,
    rule: NotificationRule,
    reach: str,
    ack_minutes: int,
    regulator_report: bool,
    late_report_minutes: int,
    positions: list[Position],
) -> NotificationRule:
    require_rules_editor(actor)
    if reach not in (UnitType.SUB_BRANCH, UnitType.BRANCH, UnitType.HEAD_OFFICE) or reach not in RANK:
        raise InvalidInput(_("Unknown reach."), fields={"reach": _("Unknown reach.")})
    before = {
        "reach": rule.reach,
        "ack_minutes": rule.ack_minutes,
        "regulator_report": rule.regulator_report,
        "late_report_minutes": rule.late_report_minutes,
        "positions": sorted(p.code for p in rule.positions.all()),
    }
    after = {
        "reach": reach,
        "ack_minutes": _minutes(ack_minutes, "ack_minutes"),
        "regulator_report": bool(regulator_report),
        "late_report_minutes": _minutes(late_report_minutes, "late_report_minutes"),
        "positions": sorted(p.code for p in positions),
    }
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if not changed:
        return rule
    with transaction.atomic():
        for key in ("reach", "ack_minutes", "regulator_report", "late_report_minutes"):
            setattr(rule, key, after[key])
        rule.save()
        rule.positions.set(positions)
        audit.record(
            actor=actor,
            action="notify.update_level_rule",
            obj=rule,
            data={"level": rule.level, "changed": changed},
        )
    return rule


def set_kind_rule(
    *, actor: User, kind, regulator_report: bool, positions: list[Position]
) -> KindNotificationRule:
    require_rules_editor(actor)
    with transaction.atomic():
        rule, _created = KindNotificationRule.objects.get_or_create(kind=kind)
        rule.regulator_report = bool(regulator_report)
        rule.save()
        rule.positions.set(positions)
        audit.record(
            actor=actor,
            action="notify.set_kind_rule",
            obj=rule,
            data={
                "kind": kind.code,
                "regulator_report": rule.regulator_report,
                "positions": sorted(p.code for p in positions),
            },
        )
    return rule


def set_regulator_deadline(*, actor: User, unit: Unit, minutes: int | None) -> RegulatorDeadline | None:
    """A region's own deadline for telling the regulator; None removes it (the default applies)."""
    require_rules_editor(actor)
    if unit.type not in (UnitType.BRANCH, UnitType.HEAD_OFFICE):
        raise InvalidInput(_("Deadlines are set per branch."), fields={"unit": _("Pick a branch.")})
    with transaction.atomic():
        if minutes is None:
            RegulatorDeadline.objects.filter(unit=unit).delete()
            audit.record(actor=actor, action="notify.clear_regulator_deadline", obj=unit)
            return None
        deadline, _created = RegulatorDeadline.objects.update_or_create(
            unit=unit, defaults={"minutes": _minutes(minutes, "minutes")}
        )
        audit.record(actor=actor, action="notify.set_regulator_deadline", obj=unit, data={"minutes": minutes})
    return deadline
