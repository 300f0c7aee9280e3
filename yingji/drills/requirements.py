"""Writes of the bank's drill requirements (本行设定): head-office 应急管理员 add, change and switch them
off; each change commits with its audit entry. Everyone else reads them on the requirements page."""

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.core.errors import InvalidInput, NotAllowed
from yingji.orgs import visibility
from yingji.orgs.models import UnitType
from yingji.plans.models import Plan

from .compliance import EVERY_MONTHS
from .models import Requirement

# What `load_drill_templates` sets up when the bank has no requirement yet: seed 000's outlets drill
# every quarter; the fifteen days' warning is the bank's own setting.
DEFAULT = {"unit_type": UnitType.OUTLET, "every_months": 3, "warn_days": 15}


def can_edit_requirements(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or (visibility.is_emergency_admin(user) and visibility.is_head_office(user))
    )


def _require_editor(actor: User) -> None:
    if not can_edit_requirements(actor):
        raise NotAllowed(_("Only a head-office emergency administrator changes the drill requirements."))


def _checked(every_months: int, warn_days: int) -> tuple[int, int]:
    if every_months not in EVERY_MONTHS:
        raise InvalidInput(
            _("Choose how often: every 1, 3, 6 or 12 months."), fields={"every_months": _("Not a period.")}
        )
    # A warning must fall inside the period: the shortest month has 28 days.
    longest = every_months * 28 - 1
    if not isinstance(warn_days, int) or not 1 <= warn_days <= longest:
        message = _("Warn between 1 and %(n)s days before the period ends.") % {"n": longest}
        raise InvalidInput(message, fields={"warn_days": message})
    return every_months, warn_days


def add_requirement(
    *, actor: User, unit_type: str, plan: Plan | None, every_months: int, warn_days: int, note: str = ""
) -> Requirement:
    _require_editor(actor)
    if unit_type not in UnitType.values or unit_type == UnitType.DEPARTMENT:
        raise InvalidInput(_("Choose a type of unit that drills."), fields={"unit_type": _("Unknown type.")})
    every_months, warn_days = _checked(every_months, warn_days)
    with transaction.atomic():
        # Asked here, not left to the unique constraint: that lets two rows without a plan through
        # (NULLs differ), and its error would be no message for a person.
        if Requirement.objects.filter(unit_type=unit_type, plan=plan).exists():
            message = _("This type of unit already has a requirement for this plan; change that one.")
            raise InvalidInput(message, fields={"plan": message})
        requirement = Requirement.objects.create(
            unit_type=unit_type, plan=plan, every_months=every_months, warn_days=warn_days, note=note
        )
        audit.record(actor=actor, action="drill_requirement.add", obj=requirement, data=_data(requirement))
    return requirement


def change_requirement(
    *, actor: User, requirement: Requirement, every_months: int, warn_days: int, note: str, active: bool
) -> Requirement:
    _require_editor(actor)
    every_months, warn_days = _checked(every_months, warn_days)
    after = {"every_months": every_months, "warn_days": warn_days, "note": note, "active": bool(active)}
    with transaction.atomic():
        current = Requirement.objects.select_for_update().get(pk=requirement.pk)
        changed = {k: [getattr(current, k), v] for k, v in after.items() if getattr(current, k) != v}
        if not changed:
            return current
        for key, value in after.items():
            setattr(current, key, value)
        current.save(update_fields=list(after))
        audit.record(
            actor=actor,
            action="drill_requirement.update",
            obj=current,
            data={
                "type": current.unit_type,
                "plan": current.plan.code if current.plan else "",
                "changed": changed,
            },
        )
    return current


def switch_requirement(*, actor: User, requirement: Requirement, active: bool) -> Requirement:
    """In force or not: a requirement switched off warns nobody and leaves the compliance page."""
    _require_editor(actor)
    with transaction.atomic():
        current = Requirement.objects.select_for_update().get(pk=requirement.pk)
        if current.active == bool(active):
            return current
        current.active = bool(active)
        current.save(update_fields=["active"])
        audit.record(
            actor=actor,
            action="drill_requirement.switch",
            obj=current,
            data={
                "type": current.unit_type,
                "plan": current.plan.code if current.plan else "",
                "active": current.active,
            },
        )
    return current


def ensure_default() -> Requirement | None:
    """The requirement of seed 000 (outlets every quarter, warned 15 days before) when the bank has none
    at all; nothing once any exists (even switched off: the bank decided). Safe to run again."""
    with transaction.atomic():
        if Requirement.objects.exists():
            return None
        requirement = Requirement.objects.create(**DEFAULT, note="")
        audit.record(actor=None, action="drill_requirement.add", obj=requirement, data=_data(requirement))
    return requirement


def _data(requirement: Requirement) -> dict:
    return {
        "type": requirement.unit_type,
        "plan": requirement.plan.code if requirement.plan else "",
        "every_months": requirement.every_months,
        "warn_days": requirement.warn_days,
        "note": requirement.note,
    }
