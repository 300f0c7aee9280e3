"""Drill compliance (reads): did each unit drill as often as the bank requires, and when was each plan in
force last drilled (seed 000: outlets drill every quarter; how often, for whom and how early to warn are
the bank's own settings, 本行设定, kept as Requirement rows).

A requirement cuts the calendar year in Asia/Shanghai into periods of `every_months` (3: quarters, 6:
halves, 12: the year). A unit drilled in a period when a drill that really ran (its clock started within
the period) was organised by the unit or had the unit taking part; for a requirement of one plan, the
drill must also have had a scenario drawn from that plan. A sub-branch's drill with its outlets taking
part therefore counts for each of those outlets.

Everything here is read in a fixed number of queries whatever the number of units and drills: the drills
of the year with their units and plans are read once and matched in memory."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum

from django.conf import settings
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from yingji.core import clock
from yingji.orgs import visibility
from yingji.orgs.models import Unit, UnitType
from yingji.plans.models import Plan

from . import selectors
from .models import Drill, Requirement, Scenario, Status

# Period lengths the requirements page offers, with their names.
EVERY_MONTHS = (1, 3, 6, 12)


@dataclass(frozen=True)
class Period:
    """A period of a requirement: [start, end) in local days."""

    every_months: int
    year: int
    index: int  # 1-based within the year
    start: date
    end: date  # the first day after the period

    @property
    def key(self) -> str:
        """Stable and short: what a warning's round key names (2026-m3-4: the fourth quarter of 2026)."""
        return f"{self.year}-m{self.every_months}-{self.index}"

    @property
    def last_day(self) -> date:
        return date.fromordinal(self.end.toordinal() - 1)

    @property
    def short(self) -> str:
        """A column's heading: 第4季度, 上半年, 2026年, 3月."""
        if self.every_months == 3:
            return _("Q%(n)s") % {"n": self.index}
        if self.every_months == 6:
            return _("First half") if self.index == 1 else _("Second half")
        if self.every_months == 12:
            return _("Year %(year)s") % {"year": self.year}
        if self.every_months == 1:
            return _("Month %(n)s") % {"n": self.index}
        return f"{self.start:%m-%d}–{self.last_day:%m-%d}"

    @property
    def label(self) -> str:
        """In a sentence: 2026年第4季度."""
        if self.every_months == 12:
            return self.short
        return _("%(year)s %(period)s") % {
            "year": _("Year %(year)s") % {"year": self.year},
            "period": self.short,
        }

    def starts_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=clock.SHANGHAI)

    def ends_at(self) -> datetime:
        return datetime.combine(self.end, time.min, tzinfo=clock.SHANGHAI)

    def days_left(self, today: date) -> int:
        """Days from today to the period's end, today counted: 1 on its last day."""
        return (self.end - today).days


def _add_months(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 + months
    return date(total // 12, total % 12 + 1, 1)


def periods(every_months: int, year: int) -> list[Period]:
    """The periods of a year, from January; a length that does not divide the year ends the last one
    on 31 December."""
    step = max(1, min(int(every_months), 12))
    found, start, index = [], date(year, 1, 1), 1
    year_end = date(year + 1, 1, 1)
    while start < year_end:
        end = min(_add_months(start, step), year_end)
        found.append(Period(step, year, index, start, end))
        start, index = end, index + 1
    return found


def period_of(every_months: int, day: date) -> Period:
    return next(p for p in periods(every_months, day.year) if p.start <= day < p.end)


def describe(requirement: Requirement) -> str:
    """The requirement in words, as the pages and the warnings say it (本行设定 is added by the caller)."""
    words = {
        "type": requirement.get_unit_type_display(),
        "months": requirement.every_months,
        "days": requirement.warn_days,
    }
    if requirement.plan_id is not None:
        words["plan"] = str(requirement.plan)
        return (
            _(
                "%(type)s drill the plan “%(plan)s” at least every %(months)s months; warned %(days)s "
                "days before a period ends"
            )
            % words
        )
    return (
        _("%(type)s drill at least every %(months)s months; warned %(days)s days before a period ends")
        % words
    )


# --- What ran, read once -------------------------------------------------------------------------


@dataclass
class DrillsRun:
    """The drills that ran between two moments: per unit (organiser or taking part) their start times,
    and per drill the plans its scenarios drew."""

    starts_by_unit: dict[int, list[tuple[datetime, int]]] = field(default_factory=dict)
    plans_by_drill: dict[int, set[int]] = field(default_factory=dict)

    def drilled(self, unit_id: int, period: Period, plan_id: int | None = None) -> list[datetime]:
        """When the unit's drills in the period started (of the plan, for a plan's requirement)."""
        first, last = period.starts_at(), period.ends_at()
        return sorted(
            at
            for at, drill_id in self.starts_by_unit.get(unit_id, [])
            if first <= at < last and (plan_id is None or plan_id in self.plans_by_drill.get(drill_id, ()))
        )


def drills_run(*, between: tuple[datetime, datetime], within: Q) -> DrillsRun:
    """Three queries: the drills started in the window (within `within`, a filter on Drill), the units
    taking part in them, and the plans their scenarios drew."""
    ran = Drill.objects.filter(
        within, started_at__gte=between[0], started_at__lt=between[1], started_at__isnull=False
    ).exclude(status=Status.CANCELLED)
    found = DrillsRun()
    starts: dict[int, datetime] = {}
    by_unit: dict[int, set[int]] = defaultdict(set)
    for pk, unit_id, started_at in ran.values_list("pk", "unit_id", "started_at"):
        starts[pk] = started_at
        by_unit[unit_id].add(pk)
    if not starts:
        return found
    ids = ran.values("pk")
    for drill_id, unit_id in Drill.units.through.objects.filter(drill_id__in=ids).values_list(
        "drill_id", "unit_id"
    ):
        by_unit[unit_id].add(drill_id)
    for drill_id, plan_id in Scenario.objects.filter(
        drill_id__in=ids, plan_version__isnull=False
    ).values_list("drill_id", "plan_version__plan_id"):
        found.plans_by_drill.setdefault(drill_id, set()).add(plan_id)
    found.starts_by_unit = {
        u: [(starts[d], d) for d in drills if d in starts] for u, drills in by_unit.items()
    }
    return found


# --- Units × periods -----------------------------------------------------------------------------


class State(StrEnum):
    DONE = "done"
    MISSING = "missing"  # the period ended without a drill
    DUE_SOON = "due_soon"  # the period ends within warn_days and no drill yet
    OPEN = "open"  # the period is under way, no drill yet, not yet in the warning window
    FUTURE = "future"


@dataclass
class Cell:
    period: Period
    state: State
    drilled_on: list[date]
    days_left: int | None = None


@dataclass
class UnitRow:
    unit: Unit
    cells: list[Cell]

    @property
    def missing(self) -> int:
        return sum(1 for c in self.cells if c.state in (State.MISSING, State.DUE_SOON))


@dataclass
class RequirementMatrix:
    requirement: Requirement
    text: str
    periods: list[Period]
    rows: list[UnitRow]

    @property
    def done(self) -> int:
        return sum(1 for r in self.rows for c in r.cells if c.state == State.DONE)

    @property
    def due(self) -> int:
        """Cells that needed a drill by now or soon: ended periods and the current one."""
        return sum(1 for r in self.rows for c in r.cells if c.state != State.FUTURE)


def cell(requirement: Requirement, period: Period, drilled: list[datetime], today: date) -> Cell:
    days = [at.astimezone(clock.SHANGHAI).date() for at in drilled]
    if days:
        return Cell(period, State.DONE, days)
    if today >= period.end:
        return Cell(period, State.MISSING, [])
    if today < period.start:
        return Cell(period, State.FUTURE, [])
    left = period.days_left(today)
    return Cell(period, State.DUE_SOON if left <= requirement.warn_days else State.OPEN, [], left)


def requirements_in_force(unit_type: str | None = None) -> list[Requirement]:
    found = Requirement.objects.filter(active=True).select_related("plan").prefetch_related("plan__versions")
    if unit_type:
        found = found.filter(unit_type=unit_type)
    return list(found.order_by("unit_type", "plan__sort_order", "pk"))


def units_matrix(
    *, viewer, year: int, unit_type: str | None = None, today: date | None = None
) -> list[RequirementMatrix]:
    """Per requirement in force, the viewer's units of its type × the periods of the year: five
    queries whatever the size of the bank."""
    today = today or clock.local_today()
    requirements = requirements_in_force(unit_type)
    if not requirements:
        return []
    types = {r.unit_type for r in requirements}
    units = list(visibility.visible_units(viewer).filter(type__in=types, is_active=True).order_by("path"))
    first = datetime.combine(date(year, 1, 1), time.min, tzinfo=clock.SHANGHAI)
    last = datetime.combine(date(year + 1, 1, 1), time.min, tzinfo=clock.SHANGHAI)
    ran = drills_run(between=(first, last), within=selectors.scope(viewer))
    matrices = []
    for requirement in requirements:
        cut = periods(requirement.every_months, year)
        rows = [
            UnitRow(
                unit,
                [cell(requirement, p, ran.drilled(unit.pk, p, requirement.plan_id), today) for p in cut],
            )
            for unit in units
            if unit.type == requirement.unit_type
        ]
        matrices.append(RequirementMatrix(requirement, describe(requirement), cut, rows))
    return matrices


# --- Plans × last drilled ------------------------------------------------------------------------


def months_before(moment: datetime, months: int) -> datetime:
    local = moment.astimezone(clock.SHANGHAI)
    total = local.year * 12 + local.month - 1 - months
    year, month = total // 12, total % 12 + 1
    day = min(local.day, _days_in(year, month))
    return local.replace(year=year, month=month, day=day)


def _days_in(year: int, month: int) -> int:
    return (_add_months(date(year, month, 1), 1) - date(year, month, 1)).days


@dataclass
class PlanRow:
    plan: Plan
    last_drilled_at: datetime | None
    stale: bool


def plan_limit_months() -> int:
    return settings.YINGJI_PLAN_DRILL_MONTHS


def plans_matrix(*, within: Q, now: datetime | None = None) -> list[PlanRow]:
    """Each plan in force with the start of the last drill (within `within`, a filter on Drill) that
    drew a scenario from it, and whether that is older than YINGJI_PLAN_DRILL_MONTHS (本行设定) or never.
    Two queries."""
    now = now or clock.now()
    since = months_before(now, plan_limit_months())
    plans = list(selectors.plans_in_force())
    last = dict(
        Scenario.objects.filter(
            plan_version__plan__in=[p.pk for p in plans],
            drill__in=Drill.objects.filter(within, started_at__isnull=False)
            .exclude(status=Status.CANCELLED)
            .values("pk"),
        )
        .values("plan_version__plan_id")
        .annotate(last=Max("drill__started_at"))
        .values_list("plan_version__plan_id", "last")
    )
    return [PlanRow(p, last.get(p.pk), last.get(p.pk) is None or last[p.pk] < since) for p in plans]


def plans_for(*, viewer, now: datetime | None = None) -> list[PlanRow]:
    """The plans matrix of what the viewer sees, the plans overdue for a drill first."""
    return sorted(plans_matrix(within=selectors.scope(viewer), now=now), key=lambda row: not row.stale)


def unit_types_required() -> list[tuple[str, str]]:
    """The unit types some requirement in force names, for the page's filter."""
    wanted = set(Requirement.objects.filter(active=True).values_list("unit_type", flat=True))
    return [(value, label) for value, label in UnitType.choices if value in wanted]
