"""The dashboards' figures: each chart is a table (a first column of labels, then one column per series),
so the page's table, the Excel export and the Word summary's image show the same numbers the chart
draws. Each figure is one or two grouped queries over what the viewer sees of the chosen unit's subtree.

MTTA is the time from the first report to the first acknowledgement of any of its notices; MTTR the time
from the first report to termination; both in minutes, averaged over the incidents first reported in
the month."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Min, OuterRef, Q, Subquery
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from yingji.complaints import reports as complaint_reports
from yingji.complaints.models import Decision
from yingji.core import clock
from yingji.drills import compliance
from yingji.incidents.models import Incident
from yingji.monitoring import selectors as monitoring
from yingji.notify.models import Notice
from yingji.orgs import visibility
from yingji.orgs.models import Unit, UnitType
from yingji.plans.models import Level

from .board import INCIDENT_SUBJECT

MONTHS = 12  # the trends cover the twelve months up to the chosen one
# A heat map of more units than this shows the units directly below the chosen one, each as the share
# of its units that drilled; fewer are shown one by one.
HEATMAP_UNITS = 40


@dataclass
class Chart:
    key: str
    title: str
    kind: str  # bar_stacked, hbar, line, bar_line, heatmap
    columns: list[str]
    rows: list[list[Any]]
    plotted: int = 0  # how many series (after the label) the chart draws; 0: all
    unit: str = ""  # what the values are in: "%", "min"
    note: str = ""
    marks: list[tuple[str, float]] = field(default_factory=list)  # threshold lines: (name, value)

    @property
    def empty(self) -> bool:
        return not any(any(v for v in row[1:] if isinstance(v, int | float)) for row in self.rows)

    def spec(self) -> dict[str, Any]:
        """What dashboards.js draws."""
        plotted = self.plotted or len(self.columns) - 1
        return {
            "type": self.kind,
            "title": self.title,
            "labels": [str(row[0]) for row in self.rows],
            "series": [
                {"name": self.columns[i], "values": [row[i] for row in self.rows]}
                for i in range(1, plotted + 1)
            ],
            "unit": self.unit,
            "marks": [{"name": n, "value": v} for n, v in self.marks],
        }


@dataclass
class Period:
    root: Unit
    first: date  # the first day of the first month
    last: date  # the first day of the last month

    @property
    def months(self) -> list[date]:
        found, month = [], self.first
        while month <= self.last:
            found.append(month)
            month = _next_month(month)
        return found

    @property
    def since(self) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=clock.SHANGHAI)

    @property
    def until(self) -> datetime:
        return datetime.combine(_next_month(self.last), time.min, tzinfo=clock.SHANGHAI)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def period(root: Unit, last: date, months: int = MONTHS) -> Period:
    last = date(last.year, last.month, 1)
    total = last.year * 12 + last.month - 1 - (months - 1)
    return Period(root, date(total // 12, total % 12 + 1, 1), last)


def _month_key(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(clock.SHANGHAI).strftime("%Y-%m")
    return str(value)[:7]


def _incidents(viewer, p: Period):
    return visibility.visible(Incident.objects.all(), viewer).filter(
        unit__path__startswith=p.root.path, reported_at__gte=p.since, reported_at__lt=p.until
    )


# --- Incidents -------------------------------------------------------------------------------------


def incidents_by_month(viewer, p: Period) -> Chart:
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for row in (
        _incidents(viewer, p)
        .annotate(month=TruncMonth("reported_at", tzinfo=clock.SHANGHAI))
        .values("month", "level")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[_month_key(row["month"]), row["level"]] += row["n"]
    levels = [value for value, _label in Level.choices]
    rows = []
    for month in p.months:
        key = month.strftime("%Y-%m")
        values = [counts.get((key, level), 0) for level in levels]
        rows.append([key, *values, sum(values)])
    return Chart(
        "incidents-month",
        _("Incidents per month by level"),
        "bar_stacked",
        [_("Month"), *(str(label) for _v, label in Level.choices), _("Total")],
        rows,
        plotted=len(levels),
    )


def incidents_by_kind(viewer, p: Period) -> Chart:
    rows = [
        [row["kind__name"], row["n"]]
        for row in _incidents(viewer, p)
        .values("kind__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "kind__name")
    ]
    return Chart("incidents-kind", _("Incidents by kind"), "hbar", [_("Event kind"), _("Incidents")], rows)


def response_times(viewer, p: Period) -> Chart:
    """MTTA and MTTR per month of first report, in minutes (one query: each incident with its first
    acknowledgement as a subquery), with how many incidents each average covers."""
    first_ack = (
        Notice.objects.filter(
            subject_type=INCIDENT_SUBJECT, subject_id=OuterRef("pk"), acknowledged_at__isnull=False
        )
        .values("subject_id")
        .annotate(first=Min("acknowledged_at"))
        .values("first")[:1]
    )
    ack: dict[str, list[float]] = defaultdict(list)
    done: dict[str, list[float]] = defaultdict(list)
    for reported, acknowledged, terminated in (
        _incidents(viewer, p)
        .annotate(first_ack=Subquery(first_ack))
        .values_list("reported_at", "first_ack", "terminated_at")
    ):
        key = _month_key(reported)
        if acknowledged is not None and acknowledged >= reported:
            ack[key].append((acknowledged - reported).total_seconds() / 60)
        if terminated is not None and terminated >= reported:
            done[key].append((terminated - reported).total_seconds() / 60)

    def mean(values: list[float]) -> float | None:
        return round(sum(values) / len(values), 1) if values else None

    rows = []
    for month in p.months:
        key = month.strftime("%Y-%m")
        rows.append([key, mean(ack[key]), mean(done[key]), len(ack[key]), len(done[key])])
    return Chart(
        "response-times",
        _("Time to acknowledge and to terminate (MTTA / MTTR)"),
        "line",
        [
            _("Month"),
            _("MTTA (minutes)"),
            _("MTTR (minutes)"),
            _("Incidents acknowledged"),
            _("Incidents terminated"),
        ],
        rows,
        plotted=2,
        unit="min",
        note=_("MTTA: first report to the first acknowledgement; MTTR: first report to termination."),
    )


# --- Complaints ------------------------------------------------------------------------------------


def complaints(viewer, p: Period) -> tuple[Chart, Chart]:
    """Volume and decisions on time per month, and volume by cause, through the complaint statistics'
    own reads (the same scope and counts as its page)."""
    last_day = _next_month(p.last) - timedelta(days=1)
    stats = complaint_reports.statistics(viewer, since=p.first, until=last_day, unit_code=p.root.code)
    if stats is None:
        return (
            Chart("complaints-month", _("Complaints and decisions on time"), "bar_line", [], []),
            Chart("complaints-cause", _("Complaints by cause"), "hbar", [], []),
        )
    in_scope = complaint_reports.complaints_in(viewer, received_from=p.first, received_to=last_day).filter(
        complaint_reports.in_subtree(p.root)
    )
    decided: dict[str, tuple[int, int]] = {}
    for row in (
        Decision.objects.filter(is_review=False, complaint__in=in_scope.values("pk"))
        .annotate(month=TruncMonth("delivered_at", tzinfo=clock.SHANGHAI))
        .values("month")
        .annotate(n=Count("pk"), on_time=Count("pk", filter=Q(on_time=True)))
        .order_by()
    ):
        key = _month_key(row["month"])
        n, on_time = decided.get(key, (0, 0))
        decided[key] = (n + row["n"], on_time + row["on_time"])
    rows = []
    for row in stats.by_month:
        n, on_time = decided.get(row.key, (0, 0))
        rows.append([row.key, row.count, round(100 * on_time / n, 1) if n else None, n])
    by_month = Chart(
        "complaints-month",
        _("Complaints and decisions on time"),
        "bar_line",
        [_("Month"), _("Complaints received"), _("Decided on time (%)"), _("Decisions delivered")],
        rows,
        plotted=2,
        note=_("On time: decisions delivered within the deadline, of the decisions delivered in the month."),
    )
    by_cause = Chart(
        "complaints-cause",
        _("Complaints by cause"),
        "hbar",
        [_("Cause of complaint"), _("Complaints")],
        [[r.label, r.count] for r in stats.by_cause],
    )
    return by_month, by_cause


# --- Drills ----------------------------------------------------------------------------------------


def drill_coverage(viewer, root: Unit, year: int) -> list[Chart]:
    """Per drill requirement in force, the units × periods of the year (drills/compliance.py's matrix):
    100 where the unit drilled, 0 where it did not in time, empty for a period not yet due. Past
    HEATMAP_UNITS units, each unit directly below `root` is one row, as the share of its units that
    drilled."""
    charts = []
    for matrix in compliance.units_matrix(viewer=viewer, year=year):
        rows_in = [r for r in matrix.rows if r.unit.path.startswith(root.path)]
        columns = [_("Unit"), *(p.short for p in matrix.periods)]
        if len(rows_in) <= HEATMAP_UNITS:
            rows = [[r.unit.name, *(_cell_value([c]) for c in r.cells)] for r in rows_in]
        else:
            groups: dict[str, list] = defaultdict(list)
            width = len(root.path) + Unit.steplen
            for r in rows_in:
                groups[r.unit.path[:width]].append(r)
            names = dict(Unit.objects.filter(path__in=list(groups)).values_list("path", "name"))
            rows = [
                [
                    names.get(path, path),
                    *(_cell_value([r.cells[i] for r in found]) for i in range(len(matrix.periods))),
                ]
                for path, found in sorted(groups.items())
            ]
        charts.append(
            Chart(
                f"drills-{matrix.requirement.pk}",
                _("Drill coverage: %(requirement)s") % {"requirement": matrix.text},
                "heatmap",
                columns,
                rows,
                unit="%",
                note=_(
                    "Share of units that drilled in the period (本行设定 requirement); empty: not yet due."
                ),
            )
        )
    return charts


def _cell_value(cells: list) -> float | None:
    due = [c for c in cells if c.state != compliance.State.FUTURE]
    if not due:
        return None
    return round(100 * sum(1 for c in due if c.state == compliance.State.DONE) / len(due), 1)


# --- Call centre -----------------------------------------------------------------------------------


def call_centres(viewer, root: Unit) -> list[Unit]:
    return list(
        visibility.visible_units(viewer)
        .filter(path__startswith=root.path, type=UnitType.CALL_CENTRE, is_active=True)
        .order_by("path")
    )


def call_centre_day(viewer, unit: Unit, day: date) -> Chart:
    """接通率 and 服务水平 per 15 minutes of the day against the rules' thresholds (yingji.monitoring)."""
    series = monitoring.call_centre_series(viewer=viewer, unit=unit, day=day)
    rows = [
        [
            i.start.astimezone(clock.SHANGHAI).strftime("%H:%M"),
            i.answer_rate,
            i.service_level,
            i.offered,
            i.answered,
            i.within_20s,
        ]
        for i in series
    ]
    first = series[0] if series else None
    marks = [
        (name, float(value))
        for name, value in (
            (_("Answer rate threshold"), first.answer_rate_threshold if first else None),
            (_("Service level threshold"), first.service_level_threshold if first else None),
        )
        if value is not None
    ]
    return Chart(
        f"call-centre-{unit.code}",
        _("%(unit)s: answer rate and service level, %(day)s") % {"unit": unit.name, "day": day.isoformat()},
        "line",
        [
            _("Interval"),
            _("Answer rate (%)"),
            _("Service level (%)"),
            _("Calls offered"),
            _("Calls answered"),
            _("Answered within 20 s"),
        ],
        rows,
        plotted=2,
        unit="%",
        marks=marks,
    )
