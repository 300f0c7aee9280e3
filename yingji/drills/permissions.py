"""Who plans a drill: 应急管理员, 内训师, the unit's heads and its leaders, for a unit they see. Everyone
else of the units taking part sees the drill (selectors.scope) but does not change it."""

from yingji.orgs import visibility
from yingji.orgs.models import PositionCode, Unit

# Positions that plan drills besides the unit heads (Position.is_unit_head).
PLANNERS = frozenset({PositionCode.EMERGENCY_ADMIN, PositionCode.LEADER, "vice_president", "trainer"})


def can_plan(user, unit: Unit) -> bool:
    if user.is_authenticated and user.is_superuser and visibility.person_of(user) is None:
        return True
    person = visibility.person_of(user)
    if person is None or not visibility.can_see_unit(user, unit):
        return False
    return any(p.code in PLANNERS or p.is_unit_head for p in person.positions.all())
