"""静默 for planned work (a queue system's upgrade, a core-banking window): an 应急管理员 of head office or
a branch silences a unit (or its subtree), a measure or a source, from–to, with the reason. A warning
the silence covers is still raised and kept, as an auditor wants the record, but marked silenced:
nobody is told and no incident is opened. Ending a silence early is recorded too."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.core import clock, inputs
from yingji.core.errors import InvalidInput, NotAllowed, NotVisible
from yingji.orgs import visibility
from yingji.orgs.models import Person, Unit, UnitType

from .models import Silence

# The longest a silence may last (planned work is hours, a weekend at most; 本行设定 would be a
# setting if the bank wanted another): a forgotten silence must not hide a bank's warnings for months.
MAX_DAYS = 7


def may_silence(user, unit: Unit | None = None) -> bool:
    """Head office's or a branch's 应急管理员 (their department's unit counts as theirs), for a unit
    they see."""
    if not visibility.is_emergency_admin(user):
        return False
    root = visibility.scope_root(user)
    if root is None or root.type not in (UnitType.HEAD_OFFICE, UnitType.BRANCH):
        return False
    return unit is None or visibility.can_see_unit(user, unit)


def set_silence(
    *,
    person: Person,
    unit: Unit,
    subtree: bool,
    measure: str,
    source: str,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
) -> Silence:
    if not visibility.can_see_unit(person.user, unit):
        raise NotVisible()
    if not may_silence(person.user, unit):
        raise NotAllowed(_("Only an emergency administrator of head office or a branch sets a silence."))
    reason = inputs.check_text((reason or "").strip(), "reason")[:1000]
    errors = {}
    if not reason:
        errors["reason"] = _("Say what planned work the silence is for.")
    if ends_at <= starts_at:
        errors["ends_at"] = _("The end must be after the start.")
    elif ends_at - starts_at > timedelta(days=MAX_DAYS):
        errors["ends_at"] = _("A silence lasts at most %d days.") % MAX_DAYS
    if ends_at <= clock.now():
        errors["ends_at"] = _("The end must be in the future.")
    if errors:
        raise InvalidInput(_("The silence was not set."), fields=errors)
    with transaction.atomic():
        silence = Silence.objects.create(
            unit=unit,
            subtree=subtree,
            measure=measure or "",
            source=(source or "").strip()[:40],
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason,
            created_by=person,
            created_at=clock.now(),
        )
        audit.record(
            actor=person.user,
            action="silence.set",
            obj=silence,
            unit=unit,
            data={
                "subtree": subtree,
                "measure": silence.measure,
                "source": silence.source,
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat(),
                "reason": reason,
            },
        )
    return silence


def end_silence(*, person: Person, silence: Silence) -> Silence:
    """Ended before its time (the work finished early): warnings are told again from now."""
    if not visibility.can_see_unit(person.user, silence.unit):
        raise NotVisible()
    if not may_silence(person.user, silence.unit):
        raise NotAllowed(_("Only an emergency administrator of head office or a branch sets a silence."))
    with transaction.atomic():
        locked = Silence.objects.select_for_update().get(pk=silence.pk)
        now = clock.now()
        if locked.ended_at is not None or locked.ends_at <= now:
            return locked
        Silence.objects.filter(pk=locked.pk).update(ended_at=now, ended_by=person)
        audit.record(actor=person.user, action="silence.end", obj=locked, unit=locked.unit)
    locked.refresh_from_db()
    return locked


def covering(*, unit: Unit, measure: str, source: str, at: datetime) -> Silence | None:
    """The silence in force over this warning, if any (the first set)."""
    ancestors = [unit.path[:i] for i in range(Unit.steplen, len(unit.path), Unit.steplen)]
    candidates = Silence.objects.filter(
        Q(unit=unit) | Q(subtree=True, unit__path__in=ancestors),
        starts_at__lte=at,
        ends_at__gt=at,
    ).select_related("unit")
    for silence in candidates.order_by("created_at", "pk"):
        if silence.covers(unit=unit, measure=measure, source=source, at=at):
            return silence
    return None


def silences_for(viewer, *, current_only: bool = False) -> list[Silence]:
    found = visibility.visible(Silence.objects.select_related("unit", "created_by", "ended_by"), viewer)
    if current_only:
        now = clock.now()
        found = found.filter(starts_at__lte=now, ends_at__gt=now, ended_at__isnull=True)
    return list(found.order_by("-starts_at", "-pk")[:200])
