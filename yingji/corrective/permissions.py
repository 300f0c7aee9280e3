"""Who may do what in the corrective register. Read by the services (which refuse) and by the pages
(which hide the buttons), so the two cannot disagree."""

from yingji.orgs import visibility
from yingji.orgs.models import Person, PositionCode, Unit

from .models import CorrectiveAction, SourceType

# Who answers for a unit's weaknesses: its head, its leaders, and the 应急管理员 who see it.
LEADING = {
    PositionCode.PRESIDENT,
    PositionCode.LEADER,
    PositionCode.OUTLET_HEAD,
    "vice_president",
    "dept_head",
}


def _leads(person: Person) -> bool:
    held = list(person.positions.all())
    return any(p.code in LEADING or p.is_unit_head or p.code == PositionCode.EMERGENCY_ADMIN for p in held)


def sees(person: Person | None, unit: Unit) -> bool:
    return person is not None and person.is_active and visibility.can_see_unit(person.user, unit)


def can_record(person: Person | None, unit: Unit) -> bool:
    """Record a finding and open actions for `unit`: 应急管理员, unit heads and leaders who see it."""
    return person is not None and sees(person, unit) and _leads(person)


def can_work(person: Person | None, action: CorrectiveAction) -> bool:
    """Start and complete it: its owner, or whoever may record findings for its unit."""
    if person is None:
        return False
    return person.pk == action.owner_id or can_record(person, action.unit)


def closed_by_recheck(action: CorrectiveAction) -> bool:
    """An inspection's rectification closes when an inspector re-checks it on the spot (yingji/security),
    never from a drill's rating (有记录、有反馈、有整改)."""
    return action.findings.filter(source_type=SourceType.INSPECTION).exists()


def can_verify(person: Person | None, action: CorrectiveAction) -> bool:
    """Verify it from a later drill's rating: who may record for its unit, never its own owner."""
    return (
        person is not None
        and person.pk != action.owner_id
        and can_record(person, action.unit)
        and not closed_by_recheck(action)
    )


def can_recheck(person: Person | None, action: CorrectiveAction) -> bool:
    """Re-check it on the spot: who may record for its unit, never its own owner."""
    return person is not None and person.pk != action.owner_id and can_record(person, action.unit)


def can_cancel(person: Person | None, action: CorrectiveAction) -> bool:
    return can_record(person, action.unit)
