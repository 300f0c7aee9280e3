"""Who may do what with security inspections. Read by the services (which refuse) and by the pages (which
hide the buttons), so the two cannot disagree."""

from yingji.corrective import permissions as corrective
from yingji.orgs import visibility
from yingji.orgs.models import Person, PositionCode, Unit

from .models import Inspection

SECURITY_OFFICER = "security_officer"


def can_inspect(person: Person | None, unit: Unit) -> bool:
    """An inspector comes from above or from the security department: who may record findings for the
    unit (应急管理员, heads and leaders who see it), never a member of the unit inspected itself."""
    return (
        person is not None and corrective.can_record(person, unit) and person.unit.acting_unit.pk != unit.pk
    )


def is_unit_head(person: Person | None, unit: Unit) -> bool:
    """The unit's head (an outlet's 网点负责人) signs the inspection for it."""
    return (
        person is not None
        and person.is_active
        and person.unit_id == unit.pk
        and any(p.is_unit_head for p in person.positions.all())
    )


def can_conduct(person: Person | None, inspection: Inspection) -> bool:
    return person is not None and person.pk == inspection.inspector_id


def can_manage_checklist(person: Person | None) -> bool:
    """Head office's 应急管理员 and security staff extend the bank's checklist."""
    if person is None or not person.is_active or person.unit.acting_unit.depth != 1:
        return False
    return person.holds(PositionCode.EMERGENCY_ADMIN) or person.holds(SECURITY_OFFICER)


def sees(person: Person | None, unit: Unit) -> bool:
    return person is not None and person.is_active and visibility.can_see_unit(person.user, unit)


def can_set_schedule(person: Person | None) -> bool:
    """Head office's 应急管理员 set how often each unit type is inspected (本行设定)."""
    return (
        person is not None
        and person.is_active
        and person.unit.acting_unit.depth == 1
        and person.holds(PositionCode.EMERGENCY_ADMIN)
    )


DECIDING = {PositionCode.PRESIDENT, PositionCode.LEADER, "vice_president"}


def can_decide(person: Person | None, unit: Unit) -> bool:
    """A leader (行长, 副行长, 行领导) of the unit above the one inspected, or of head office, decides an
    accountability record of `unit` (对重大安全隐患的责任人及时进行处罚); never the unit's own people."""
    if person is None or not person.is_active or not sees(person, unit):
        return False
    own = person.unit.acting_unit
    above = unit.parent_unit
    if own.pk == unit.pk or not (own.depth == 1 or (above is not None and own.pk == above.acting_unit.pk)):
        return False
    return any(p.code in DECIDING for p in person.positions.all())
