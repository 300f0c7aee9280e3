"""The year's figures of a unit and every unit below it, read from the records (reads only).

This app counts what the older apps hold: inspections, their failed items and rectifications
(security, corrective), drills, their findings and the bank's drill requirements (drills), incidents by
level and kind (incidents). The annual plan, the letters, training and readiness count their own in
`yingji/<app>/figures.py` (`year_figures(unit, year) -> dict[str, int]`); `collect` asks each that is
installed and says which parts were not."""

import importlib
from datetime import date, datetime, time

from django.apps import apps
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.core import clock
from yingji.corrective.models import RUNNING, CorrectiveAction, Finding, SourceType
from yingji.corrective.models import Status as ActionStatus
from yingji.drills import compliance
from yingji.drills.models import Drill
from yingji.drills.models import Status as DrillStatus
from yingji.incidents.models import Incident
from yingji.incidents.models import Status as IncidentStatus
from yingji.orgs.models import Unit
from yingji.plans.models import Level
from yingji.security.models import Inspection, ItemResult, Result
from yingji.security.models import Status as InspectionStatus

# The parts of the security year other apps count: (app label, what the summary calls the part).
PARTS = (
    ("yearplan", _("Annual work plan")),
    ("letters", _("Responsibility letters")),
    ("training", _("Safety education and training")),
    ("readiness", _("Plan readiness")),
)

# What the summary shows, part by part: (heading, [(figure, label), …]).
GROUPS = (
    (
        pgettext_lazy("year figure", "Annual work plan"),
        (
            ("tasks_total", pgettext_lazy("year figure", "Tasks of the year")),
            ("tasks_done", pgettext_lazy("year figure", "Tasks done")),
            ("tasks_done_late", pgettext_lazy("year figure", "Tasks done late")),
            ("tasks_overdue", pgettext_lazy("year figure", "Tasks overdue, not done")),
        ),
    ),
    (
        pgettext_lazy("year figure", "Responsibility letters"),
        (
            ("letters_total", pgettext_lazy("year figure", "Letters to sign")),
            ("letters_signed", pgettext_lazy("year figure", "Letters signed")),
            ("letters_signed_late", pgettext_lazy("year figure", "Letters signed late")),
            ("letters_unsigned", pgettext_lazy("year figure", "Letters not signed")),
        ),
    ),
    (
        pgettext_lazy("year figure", "Inspections and rectification"),
        (
            ("inspections", pgettext_lazy("year figure", "Inspections")),
            ("inspections_signed", pgettext_lazy("year figure", "Inspections signed by both")),
            ("items_failed", pgettext_lazy("year figure", "Items failed")),
            ("major_hazards", pgettext_lazy("year figure", "Major safety hazards")),
            ("rectifications_total", pgettext_lazy("year figure", "Rectifications")),
            ("rectifications_closed", pgettext_lazy("year figure", "Rectifications closed after re-check")),
            (
                "rectifications_awaiting_recheck",
                pgettext_lazy("year figure", "Rectifications awaiting re-check"),
            ),
            ("rectifications_open", pgettext_lazy("year figure", "Rectifications open")),
            ("rectifications_overdue", pgettext_lazy("year figure", "Rectifications overdue")),
        ),
    ),
    (
        pgettext_lazy("year figure", "Drills"),
        (
            ("drill_periods_due", pgettext_lazy("year figure", "Drills required (unit × period)")),
            ("drill_periods_done", pgettext_lazy("year figure", "Drills required and held")),
            ("drills_held", pgettext_lazy("year figure", "Drills held")),
            ("drills_reported", pgettext_lazy("year figure", "Drill reports signed off")),
            ("drill_findings", pgettext_lazy("year figure", "Problems found in drills")),
            ("drill_actions_total", pgettext_lazy("year figure", "Corrective actions of drills")),
            ("drill_actions_closed", pgettext_lazy("year figure", "Corrective actions of drills verified")),
        ),
    ),
    (
        pgettext_lazy("year figure", "Incidents"),
        (
            ("incidents", pgettext_lazy("year figure", "Incidents")),
            ("incidents_level_1", pgettext_lazy("year figure", "Level Ⅰ incidents")),
            ("incidents_level_2", pgettext_lazy("year figure", "Level Ⅱ incidents")),
            ("incidents_level_3", pgettext_lazy("year figure", "Level Ⅲ incidents")),
            ("incidents_closed", pgettext_lazy("year figure", "Incidents closed")),
        ),
    ),
    (
        pgettext_lazy("year figure", "Safety education and training"),
        (
            ("sessions_held", pgettext_lazy("year figure", "Sessions held")),
            ("attendances", pgettext_lazy("year figure", "Attendances")),
            ("staff", pgettext_lazy("year figure", "Staff")),
            ("staff_trained", pgettext_lazy("year figure", "Staff trained")),
        ),
    ),
    (
        pgettext_lazy("year figure", "Plan readiness"),
        (
            ("staff_concerned", pgettext_lazy("year figure", "Staff concerned by a plan")),
            ("staff_ready", pgettext_lazy("year figure", "Staff ready")),
            ("acknowledgements_due", pgettext_lazy("year figure", "Role cards to acknowledge")),
            ("quizzes_passed", pgettext_lazy("year figure", "Quizzes passed")),
        ),
    ),
)
LABELS = {key: label for _heading, rows in GROUPS for key, label in rows}


def year_window(year: int) -> tuple[datetime, datetime]:
    """1 January to the next 1 January, in Asia/Shanghai."""
    first = datetime.combine(date(year, 1, 1), time.min, tzinfo=clock.SHANGHAI)
    return first, datetime.combine(date(year + 1, 1, 1), time.min, tzinfo=clock.SHANGHAI)


def _actions(actions, prefix: str) -> dict[str, int]:
    """A set of corrective actions by where they stand: cancelled ones are not counted."""
    now = clock.now()
    running = Q(status__in=RUNNING)
    counted = CorrectiveAction.objects.filter(pk__in=actions.values("pk")).exclude(
        status=ActionStatus.CANCELLED
    )
    got = counted.aggregate(
        total=Count("pk"),
        closed=Count("pk", filter=Q(status=ActionStatus.VERIFIED)),
        awaiting_recheck=Count("pk", filter=Q(status=ActionStatus.DONE)),
        open=Count("pk", filter=running),
        overdue=Count("pk", filter=running & Q(due_at__lt=now)),
    )
    return {f"{prefix}_{key}": value for key, value in got.items()}


def inspection_figures(unit: Unit, year: int) -> dict[str, int]:
    """Inspections started in the year at the unit or below, their failed items and rectifications."""
    first, last = year_window(year)
    inspections = Inspection.objects.filter(
        unit__path__startswith=unit.path, started_at__gte=first, started_at__lt=last
    )
    figures = inspections.aggregate(
        inspections=Count("pk"), inspections_signed=Count("pk", filter=Q(status=InspectionStatus.SIGNED))
    )
    failed = ItemResult.objects.filter(inspection__in=inspections.values("pk"), result=Result.FAIL)
    figures |= failed.aggregate(
        items_failed=Count("pk"), major_hazards=Count("pk", filter=Q(major_hazard=True))
    )
    rectifications = CorrectiveAction.objects.filter(
        findings__inspection_link__inspection__in=inspections.values("pk")
    )
    return figures | _actions(rectifications, "rectifications")


def drill_figures(unit: Unit, year: int) -> dict[str, int]:
    """Drills that ran in the year, organised by the unit or below or with them taking part; the problems
    found in them and their corrective actions; and the bank's drill requirements (compliance) for the
    unit and the units below it: each unit × period of the year that has begun, and those drilled."""
    first, last = year_window(year)
    within = Q(unit__path__startswith=unit.path) | Q(units__path__startswith=unit.path)
    ran = Drill.objects.filter(
        pk__in=Drill.objects.filter(within, started_at__gte=first, started_at__lt=last)
        .exclude(status=DrillStatus.CANCELLED)
        .values("pk")
    )
    figures = ran.aggregate(
        drills_held=Count("pk"), drills_reported=Count("pk", filter=Q(status=DrillStatus.REPORTED))
    )
    ids = [str(pk) for pk in ran.values_list("pk", flat=True)]
    findings = Finding.objects.filter(source_type=SourceType.DRILL, source_id__in=ids)
    figures["drill_findings"] = findings.count()
    actions = _actions(CorrectiveAction.objects.filter(findings__in=findings.values("pk")), "drill_actions")
    figures |= {k: actions[k] for k in ("drill_actions_total", "drill_actions_closed")}
    return figures | _drill_periods(unit, year, within)


def _drill_periods(unit: Unit, year: int, within: Q) -> dict[str, int]:
    today = clock.local_today()
    runs = compliance.drills_run(between=year_window(year), within=within)
    due = done = 0
    units = Unit.objects.filter(path__startswith=unit.path, is_active=True)
    for requirement in compliance.requirements_in_force():
        of_type = [u.pk for u in units if u.type == requirement.unit_type]
        for period in compliance.periods(requirement.every_months, year):
            if today < period.start:
                continue
            for unit_id in of_type:
                due += 1
                done += bool(runs.drilled(unit_id, period, requirement.plan_id))
    return {"drill_periods_due": due, "drill_periods_done": done}


LEVEL_KEYS = {Level.I: "incidents_level_1", Level.II: "incidents_level_2", Level.III: "incidents_level_3"}


def _incidents(unit: Unit, year: int):
    first, last = year_window(year)
    return Incident.objects.filter(
        unit__path__startswith=unit.path,
        occurred_at__gte=first,
        occurred_at__lt=last,
        merged_into__isnull=True,
    ).exclude(status=IncidentStatus.CANCELLED)


def incident_figures(unit: Unit, year: int) -> dict[str, int]:
    """Incidents that happened in the year at the unit or below (not cancelled, not merged into another),
    by level, and those closed."""
    counts = {key: Count("pk", filter=Q(level=level)) for level, key in LEVEL_KEYS.items()}
    return _incidents(unit, year).aggregate(
        incidents=Count("pk"), incidents_closed=Count("pk", filter=Q(status=IncidentStatus.CLOSED)), **counts
    )


def incidents_by_kind(unit: Unit, year: int) -> list[list]:
    """[[kind's name, how many], …], the most frequent first."""
    rows = (
        _incidents(unit, year)
        .values("kind__name", "kind__sort_order")
        .annotate(n=Count("pk"))
        .order_by("-n", "kind__sort_order", "kind__name")
    )
    return [[row["kind__name"], row["n"]] for row in rows]


def collect(unit: Unit, year: int) -> dict:
    """Everything the summary and the score read, as a snapshot that can be stored as JSON."""
    figures = inspection_figures(unit, year) | drill_figures(unit, year) | incident_figures(unit, year)
    missing = []
    for label, _name in PARTS:
        if not apps.is_installed(f"yingji.{label}"):
            missing.append(label)
            continue
        module = importlib.import_module(f"yingji.{label}.figures")
        figures |= {key: int(value) for key, value in module.year_figures(unit, year).items()}
    return {"figures": figures, "incident_kinds": incidents_by_kind(unit, year), "missing": missing}
