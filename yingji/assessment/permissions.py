"""Who writes a year's summary, who approves it, who sets the weights. Read by the services (which
refuse) and by the pages (which hide the buttons), so the two cannot disagree."""

from yingji.orgs import visibility
from yingji.orgs.models import Person, PositionCode, Unit

from .models import Summary

# Who write a summary besides the unit heads: the 应急管理员 and the leaders of the unit or above.
WRITERS = frozenset({PositionCode.EMERGENCY_ADMIN, PositionCode.LEADER, "vice_president"})
# Who approve: those who head or lead the unit or a unit above (an 应急管理员 writes, a leader approves).
APPROVERS = frozenset({PositionCode.LEADER, "vice_president"})


def _holds(person: Person, codes: frozenset[str]) -> bool:
    return any(p.is_unit_head or p.code in codes for p in person.positions.all())


def can_write(user, unit: Unit) -> bool:
    person = visibility.person_of(user)
    return (
        person is not None
        and user.is_active
        and visibility.can_see_unit(user, unit)
        and _holds(person, WRITERS)
    )


def can_approve(user, summary: Summary) -> bool:
    """Heads or leads the summary's unit or a unit above it, and is not its author (four eyes)."""
    person = visibility.person_of(user)
    if person is None or not user.is_active or not visibility.can_see_unit(user, summary.unit):
        return False
    return summary.author_id != person.pk and _holds(person, APPROVERS)


def can_set_weights(user) -> bool:
    """Head office's 应急管理员: the weights are the bank's."""
    person = visibility.person_of(user)
    return (
        person is not None
        and user.is_active
        and person.unit.acting_unit.depth == 1
        and person.holds(PositionCode.EMERGENCY_ADMIN)
    )
