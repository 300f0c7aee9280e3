"""Who is told: up the tree from the unit to the rule's reach, on each unit its head, today's 带班领导
and the rule's positions (应急管理员 by default), counting the unit's own departments (总行办公室 holds
the head office's 应急管理员)."""

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from typing import Any

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


# What a `remembered` block has read: per kind of read, key → value (None: looked for, not there).
_memo: ContextVar[dict[Any, dict] | None] = ContextVar("recipients_memo", default=None)


@contextmanager
def remembered():
    """Inside this block, the ancestors, people and 带班领导 read for one notice round are kept for the
    next: a batch of alarms from the outlets of one sub-branch reads that sub-branch, its branch and head
    office once, not once per outlet. For one job's run, so nothing goes stale."""
    if _memo.get() is not None:
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def remember[T](key: tuple, read: Callable[[], T]) -> T:
    """`read()`, or what it gave for `key` earlier in the same `remembered` block."""
    memo = _memo.get()
    if memo is None:
        return read()
    store = memo.setdefault("other", {})
    if key not in store:
        store[key] = read()
    return store[key]


def _remembered[K, V](kind: Any, keys: list[K], read: Callable[[list[K]], dict[K, V]]) -> dict[K, V]:
    """`read(keys)`, a dict by key; inside a `remembered` block only the keys not read before are read."""
    memo = _memo.get()
    if memo is None:
        return read(keys)
    store = memo.setdefault(kind, {})
    missing = [k for k in keys if k not in store]
    if missing:
        found = read(missing)
        store.update({k: found.get(k) for k in missing})
    return {k: store[k] for k in keys if store[k] is not None}


def read_ahead(units: list[Unit], on_date: date) -> None:
    """Inside a `remembered` block: the chains of these units up to head office, their people and their
    带班领导 on `on_date`, in three queries, so that telling each of them afterwards reads nothing more
    (a batch of alarms from twenty outlets: three queries, not forty)."""
    if _memo.get() is None or not units:
        return
    acting = [u.acting_unit for u in units]
    _units_at(list({a.path[:i] for a in acting for i in range(Unit.steplen, len(a.path), Unit.steplen)}))
    chains = [chain_up_to(u, UnitType.HEAD_OFFICE) for u in acting]
    everyone = list({u.pk: u for chain in chains for u in chain}.values())
    _people_of(everyone)
    _duty_leaders(everyone, on_date)


def chain_up_to(unit: Unit, reach: str) -> list[Unit]:
    """The unit and its ancestors, nearest first, up to the first that stands at `reach` or higher."""
    acting = unit.acting_unit
    prefixes = [acting.path[:i] for i in range(Unit.steplen, len(acting.path), Unit.steplen)]
    ancestors = sorted(_units_at(prefixes), key=lambda u: -u.depth)
    chain: list[Unit] = []
    for candidate in [acting, *ancestors]:
        chain.append(candidate)
        if RANK.get(candidate.type, 0) >= RANK[reach]:
            break
    return chain


def _units_at(paths: list[str]) -> list[Unit]:
    return list(
        _remembered(
            "units", paths, lambda wanted: {u.path: u for u in Unit.objects.filter(path__in=wanted)}
        ).values()
    )


def _people_of(units: list[Unit]) -> dict[int, list[Person]]:
    """Active people of each unit and of its departments, in one query (none for units remembered)."""
    return _remembered(
        "people", [u.pk for u in units], lambda pks: _read_people_of([u for u in units if u.pk in pks])
    )


def _duty_leaders(units: list[Unit], on_date: date) -> dict[int, Person]:
    """Each unit's 带班领导 on `on_date`, where the roster names one."""

    def read(pks: list[int]) -> dict[int, Person]:
        rows = DutyRoster.objects.filter(unit__in=pks, on_date=on_date).select_related(
            "leader__unit", "leader__user"
        )
        return {row.unit_id: row.leader for row in rows}

    return _remembered(("duty", on_date), [u.pk for u in units], read)


def _read_people_of(units: list[Unit]) -> dict[int, list[Person]]:
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
    duty = _duty_leaders(chain, on_date)
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
