"""Who is told: up the tree from the unit to the rule's reach, on each unit its head, today's 带班领导
and the rule's positions (应急管理员 by default), counting the unit's own departments (总行办公室 holds
the head office's 应急管理员)."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from yingji.orgs.models import DutyRoster, Person, Position, Unit, UnitType

# How high a unit stands, for "told up to". A call centre answers to head office like a sub-branch does.
RANK = {
    UnitType.OUTLET: 0,
    UnitType.SUB_BRANCH: 1,
    UnitType.CALL_CENTRE: 1,
    UnitType.BRANCH: 2,
    UnitType.HEAD_OFFICE: 3,
}


@dataclass(frozen=True)
class Recipient:
    person: Person
    unit: Unit
    reason: str


def chain_up_to(unit: Unit, reach: str) -> list[Unit]:
    """The unit and its ancestors, nearest first, up to the first that stands at `reach` or higher."""
    acting = unit.acting_unit
    prefixes = [acting.path[:i] for i in range(Unit.steplen, len(acting.path), Unit.steplen)]
    ancestors = list(Unit.objects.filter(path__in=prefixes).order_by("-depth"))
    chain: list[Unit] = []
    for candidate in [acting, *ancestors]:
        chain.append(candidate)
        if RANK.get(candidate.type, 0) >= RANK[reach]:
            break
    return chain


def _people_of(units: list[Unit]) -> dict[int, list[Person]]:
    """Active people of each unit and of its departments, in one query."""
    query = Q()
    for unit in units:
        query |= Q(unit=unit) | Q(
            unit__path__startswith=unit.path, unit__type=UnitType.DEPARTMENT, unit__depth=unit.depth + 1
        )
    by_path = {u.path: u.pk for u in units}
    by_unit: dict[int, list[Person]] = {u.pk: [] for u in units}
    people = (
        Person.objects.filter(query, user__is_active=True)
        .select_related("unit", "user")
        .prefetch_related("positions")
    )
    for person in people.order_by("unit__path", "pk"):
        home = by_path.get(person.unit.path) or by_path.get(person.unit.path[: -Unit.steplen])
        if home is not None:
            by_unit[home].append(person)
    return by_unit


def recipients_on(
    chain: list[Unit], *, positions: list[Position], on_date: date, exclude: Person | None = None
) -> list[Recipient]:
    wanted = {p.pk for p in positions}
    duty = {
        row.unit_id: row.leader
        for row in DutyRoster.objects.filter(unit__in=chain, on_date=on_date).select_related(
            "leader__unit", "leader__user"
        )
    }
    seen: set[int] = {exclude.pk} if exclude is not None else set()
    found: list[Recipient] = []

    def add(person: Person, unit: Unit, reason: str) -> None:
        if person.pk not in seen and person.user.is_active:
            seen.add(person.pk)
            found.append(Recipient(person, unit, reason))

    people = _people_of(chain)
    for unit in chain:
        if unit.pk in duty:
            add(duty[unit.pk], unit, f"{unit.name}带班领导")
        for person in people[unit.pk]:
            held = list(person.positions.all())
            if person.unit_id == unit.pk and any(p.is_unit_head for p in held):
                add(person, unit, f"{unit.name}负责人")
            elif any(p.pk in wanted for p in held):
                add(person, unit, unit.name + "、".join(p.name for p in held if p.pk in wanted))
    return found


def recipients(
    *, unit: Unit, reach: str, positions: list[Position], on_date: date, exclude: Person | None = None
) -> list[Recipient]:
    return recipients_on(chain_up_to(unit, reach), positions=positions, on_date=on_date, exclude=exclude)


def next_up(unit: Unit, *, on_date: date) -> list[Recipient]:
    """Whom an unacknowledged notice goes to next: the head and today's 带班领导 of the unit above."""
    parent = unit.acting_unit.parent_unit
    if parent is None:
        return []
    return recipients_on([parent], positions=[], on_date=on_date)
