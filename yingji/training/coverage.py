"""Each unit's training coverage per quarter (seed 001: 全年按季度 安全教育、消防教育、拒腐防变警示教育):
units × quarters with the sessions that took place at the unit by kind, and the share of its staff (its
own people and its departments') who attended at least one 季度安全教育 in the quarter, anywhere. Units
are those of the types the bank's schedule (`Cadence`, 本行设定) names, scoped by visibility. Read in a
fixed number of queries whatever the number of units."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from yingji.core import clock
from yingji.drills.compliance import Period, period_of, periods
from yingji.orgs import visibility
from yingji.orgs.models import Person, Unit, UnitType
from yingji.orgs.visibility import Viewer

from .figures import year_bounds
from .models import QUARTERLY_SAFETY, TOOK_PLACE, Attendance, Cadence, Session, SessionKind


@dataclass
class Cell:
    held: dict[str, int] = field(default_factory=dict)  # kind name → sessions that took place
    missing: list[str] = field(default_factory=list)  # kinds the schedule wants this quarter, not held
    staff: int = 0
    trained: int = 0
    current: bool = False
    past: bool = False

    @property
    def share(self) -> int | None:
        return round(100 * self.trained / self.staff) if self.staff else None


@dataclass
class Row:
    unit: Unit
    cells: list[Cell]


def schedule() -> dict[str, list[Cadence]]:
    """Unit type → the cadences the bank set for it."""
    found: dict[str, list[Cadence]] = defaultdict(list)
    for c in Cadence.objects.filter(every_months__gt=0, kind__is_active=True).select_related("kind"):
        found[c.unit_type].append(c)
    return dict(found)


def _acting_id(unit_id: int, unit_type: str, path: str, by_path: dict[str, int]) -> int:
    if unit_type == UnitType.DEPARTMENT and len(path) > Unit.steplen:
        return by_path.get(path[: -Unit.steplen], unit_id)
    return unit_id


def _quarter(moment: datetime) -> int:
    return (moment.astimezone(clock.SHANGHAI).month - 1) // 3


def rows(viewer: Viewer, *, year: int, now: datetime | None = None) -> tuple[list[Period], list[Row]]:
    now = now or clock.now()
    today = now.astimezone(clock.SHANGHAI).date()
    plan = schedule()
    quarters = periods(3, year)
    units = list(
        visibility.visible(Unit.objects.filter(type__in=list(plan), is_active=True), viewer, "").order_by(
            "path"
        )
    )
    if not units:
        return quarters, []
    ids = {u.pk for u in units}
    start, end = year_bounds(year)
    kinds = {k.pk: k for k in SessionKind.objects.all()}
    held = Session.objects.filter(
        unit_id__in=ids, status__in=TOOK_PLACE, starts_at__gte=start, starts_at__lt=end
    )
    by_path = dict(Unit.objects.filter(path__in=[u.path for u in units]).values_list("path", "pk"))
    staff: dict[int, int] = {}  # person → the unit they count for
    people = visibility.visible(Person.objects.filter(user__is_active=True), viewer)
    for pk, unit_id, unit_type, path in people.values_list("pk", "unit_id", "unit__type", "unit__path"):
        acting = _acting_id(unit_id, unit_type, path, by_path)
        if acting in ids:
            staff[pk] = acting
    trained: dict[tuple[int, int], set[int]] = defaultdict(set)
    for person_id, at in Attendance.objects.filter(
        person_id__in=list(staff),
        attended_at__isnull=False,
        session__kind__code=QUARTERLY_SAFETY,
        session__status__in=TOOK_PLACE,
        session__starts_at__gte=start,
        session__starts_at__lt=end,
    ).values_list("person_id", "session__starts_at"):
        trained[(staff[person_id], _quarter(at))].add(person_id)
    counts: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    kinds_held: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
    for unit_id, kind_id, at in held.values_list("unit_id", "kind_id", "starts_at"):
        counts[(unit_id, _quarter(at))][kinds[kind_id].name] += 1
        kinds_held[unit_id].append((kind_id, at))
    headcount: dict[int, int] = defaultdict(int)
    for acting in staff.values():
        headcount[acting] += 1
    found = []
    for unit in units:
        cells = []
        for n, q in enumerate(quarters):
            cell = Cell(
                held=dict(counts[(unit.pk, n)]),
                staff=headcount[unit.pk],
                trained=len(trained[(unit.pk, n)]),
                current=q.start <= today < q.end,
                past=q.end <= today,
            )
            if cell.past:
                cell.missing = _missing(plan.get(unit.type, []), kinds_held[unit.pk], q.last_day)
            cells.append(cell)
        found.append(Row(unit, cells))
    return quarters, found


def _missing(cadences: list[Cadence], held: list[tuple[int, datetime]], day: date) -> list[str]:
    """Kinds whose period (of the cadence's length) ends on `day` with no session of the kind in it."""
    missing = []
    for c in cadences:
        period = period_of(c.every_months, day)
        if period.last_day != day:
            continue
        if not any(k == c.kind_id and period.starts_at() <= at < period.ends_at() for k, at in held):
            missing.append(c.kind.name)
    return missing


def not_held(cadence: Cadence, period: Period) -> list[Unit]:
    """Active units of the cadence's type that held no session of its kind in `period` (the warning)."""
    units = list(Unit.objects.filter(type=cadence.unit_type, is_active=True).order_by("path"))
    done = set(
        Session.objects.filter(
            unit__in=units,
            kind_id=cadence.kind_id,
            status__in=TOOK_PLACE,
            starts_at__gte=period.starts_at(),
            starts_at__lt=period.ends_at(),
        ).values_list("unit_id", flat=True)
    )
    return [u for u in units if u.pk not in done]
