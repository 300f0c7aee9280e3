"""Who may do what with responsibility letters, read by the services (which refuse) and the pages (which
hide the buttons)."""

from yingji.orgs import visibility
from yingji.orgs.models import Person, PositionCode, Unit

from .models import Kind, Letter


def sees(person: Person | None, unit: Unit) -> bool:
    return person is not None and person.is_active and visibility.can_see_unit(person.user, unit)


def heads(person: Person) -> bool:
    return any(p.is_unit_head for p in person.positions.all())


def can_generate(person: Person | None, unit: Unit) -> bool:
    """The unit's 应急管理员, head or leaders (or those of a unit above) issue its letters."""
    if not sees(person, unit):
        return False
    assert person is not None
    return person.holds(PositionCode.EMERGENCY_ADMIN) or person.holds(PositionCode.LEADER) or heads(person)


def can_sign(person: Person | None, letter: Letter) -> bool:
    """An employee signs their own letter; the head of a unit signs its unit letter."""
    if person is None or not person.is_active:
        return False
    if letter.kind == Kind.EMPLOYEE:
        return letter.person_id == person.pk
    return person.unit_id == letter.unit_id and heads(person)


def can_upload_scan(person: Person | None, letter: Letter) -> bool:
    """The signer, or whoever issues the unit's letters (who collects the signed paper)."""
    return can_sign(person, letter) or can_generate(person, letter.unit)


def template_editor(person: Person | None) -> bool:
    """Head office's 应急管理员 and security staff edit the wording of the letters."""
    if person is None or not person.is_active or person.unit.acting_unit.depth != 1:
        return False
    return person.holds(PositionCode.EMERGENCY_ADMIN) or person.holds("security_officer")
