"""Who may do what on an incident. Seeing it follows the one visibility rule; deciding on it takes an
emergency administrator, a unit head or a bank leader of a unit that sees it."""

from yingji.orgs import visibility
from yingji.orgs.models import Person, PositionCode

DECIDING_POSITIONS = {
    PositionCode.EMERGENCY_ADMIN,
    PositionCode.LEADER,
    PositionCode.PRESIDENT,
    "vice_president",
}


def can_see(user, incident) -> bool:
    return visibility.can_see_unit(user, incident.unit)


def can_decide(person: Person | None, incident) -> bool:
    if person is None or not visibility.can_see_unit(person.user, incident.unit):
        return False
    return any(p.code in DECIDING_POSITIONS or p.is_unit_head for p in person.positions.all())


def is_group_leader(person: Person | None, incident) -> bool:
    from .models import MemberRole

    return person is not None and incident.members.filter(person=person, role=MemberRole.LEADER).exists()


def can_join_group(actor_user, person: Person, incident) -> bool:
    """Someone the activator manages, or someone who sees the incident anyway (the 支行行长 leads an
    outlet's event); never an inactive account."""
    return person.user.is_active and (
        visibility.can_see_unit(actor_user, person.unit)
        or visibility.can_see_unit(person.user, incident.unit)
    )
