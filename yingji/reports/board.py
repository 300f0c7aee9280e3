"""The situation board (总行态势; a branch's or sub-branch's for its subtree): what is open, how bad,
where, since when, who has not acknowledged, what is overdue, which warnings stand, who leads on duty
today.

Every figure is one grouped query over the root's subtree (a materialised-path prefix), grouped again by
the prefix of the root's children: the board costs the same dozen queries for twenty units or ten
thousand, and the open incidents it lists are the most severe and oldest few, with their counts in the
same query."""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Substr

from yingji.core import clock, rows
from yingji.incidents.models import OPEN_STATUSES, Incident, Task, TimelineEntry
from yingji.incidents.selectors import OPEN_TASK_STATUSES
from yingji.monitoring import selectors as monitoring
from yingji.monitoring.models import SignalWarning, WarningEvent
from yingji.notify.models import Notice
from yingji.orgs import visibility
from yingji.orgs.models import DutyRoster, Person, Unit, UnitType
from yingji.plans.models import Level

INCIDENT_SUBJECT = "incidents.incident"
KEEP_SECONDS = 600  # how long a version and the board drawn for it are kept; a change makes new ones anyway
# Units whose people see a board on their home page: those with units below them.
BOARD_TYPES = (UnitType.HEAD_OFFICE, UnitType.BRANCH, UnitType.SUB_BRANCH)


def board_root(viewer, code: str = "") -> Unit | None:
    """The unit the board is about: the one named (if the viewer sees it), or the top of what the viewer
    sees (head office for a superuser without a unit)."""
    if code:
        return visibility.visible_unit(viewer, code)
    root = visibility.scope_root(viewer)
    if root is None and viewer.is_authenticated and viewer.is_superuser:
        return Unit.objects.filter(depth=1).order_by("path").first()
    return root


def sees_a_board(viewer) -> bool:
    """A person of a sub-branch, branch or head office (or one of their departments) lands on the board;
    an outlet's or the call centre's staff on their own tasks and notices."""
    person = visibility.person_of(viewer)
    if person is None:
        return viewer.is_authenticated and viewer.is_superuser
    return person.unit.acting_unit.type in BOARD_TYPES


# --- What the board shows --------------------------------------------------------------------------


@dataclass
class Counts:
    by_level: dict[str, int] = field(default_factory=dict)
    unacknowledged: int = 0
    overdue_tasks: int = 0
    warnings: int = 0

    @property
    def open(self) -> int:
        return sum(self.by_level.values())

    def levels(self) -> list[tuple[str, str, int]]:
        return [(value, label, self.by_level.get(value, 0)) for value, label in Level.choices]


@dataclass
class UnitLine:
    """A row of the unit table: the root's own records, or one child's whole subtree."""

    unit: Unit
    own: bool
    counts: Counts


@dataclass
class IncidentLine:
    incident: Incident
    unacknowledged: int
    overdue_tasks: int
    elapsed_minutes: int

    @property
    def elapsed(self) -> str:
        """H:MM since the first report, as board.js keeps ticking it."""
        return f"{self.elapsed_minutes // 60}:{self.elapsed_minutes % 60:02d}"


@dataclass
class Board:
    root: Unit
    now: datetime
    version: str
    totals: Counts
    lines: list[UnitLine]
    by_kind: list[tuple[str, str, int]]
    incidents: list[IncidentLine]
    warnings: list
    duty: list[tuple[Unit, Person | None]]
    rows_limit: int

    @property
    def more_incidents(self) -> int:
        return max(0, self.totals.open - len(self.incidents))

    @property
    def more_warnings(self) -> int:
        return max(0, self.totals.warnings - len(self.warnings))


def _within(root: Unit, field_name: str = "unit") -> Q:
    return Q(**{f"{field_name}__path__startswith": root.path})


def open_incidents(root: Unit) -> QuerySet[Incident]:
    return Incident.objects.filter(_within(root), status__in=OPEN_STATUSES)


def unacknowledged_notices(root: Unit) -> QuerySet[Notice]:
    """Notices about incidents nobody has answered 已收到 yet (a notice is withdrawn when its incident
    ends, so these are the open incidents' own)."""
    return Notice.objects.filter(
        _within(root), subject_type=INCIDENT_SUBJECT, acknowledged_at__isnull=True, withdrawn_at__isnull=True
    )


def overdue_tasks(root: Unit, now: datetime) -> QuerySet[Task]:
    return Task.objects.filter(
        _within(root, "incident__unit"),
        status__in=OPEN_TASK_STATUSES,
        due_at__lt=now,
        incident__status__in=OPEN_STATUSES,
    )


def warnings_within(viewer, root: Unit) -> QuerySet:
    """The uncleared warnings of the root's subtree (yingji.monitoring's selector, scoped to the viewer)."""
    return monitoring.active_warnings(viewer=viewer).filter(_within(root))


def _by_child(queryset: QuerySet, root: Unit, path_field: str, *extra: str) -> list[dict]:
    """One GROUP BY over the prefix of the unit path that names the root's child (the root's own path
    for its own records)."""
    width = len(root.path) + Unit.steplen
    return list(
        queryset.annotate(child=Substr(path_field, 1, width))
        .values("child", *extra)
        .annotate(n=Count("pk"))
        .order_by()
    )


def _version(*parts: object) -> str:
    return hashlib.sha1(repr(parts).encode()).hexdigest()[:16]


def _scalar(queryset: QuerySet, **aggregates) -> list[Subquery]:
    """Aggregates of a whole queryset as scalar subqueries (grouped by a constant: one row, or none)."""
    grouped = queryset.order_by().annotate(_one=Value(1)).values("_one")
    return [
        Subquery(grouped.annotate(**{name: aggregate}).values(name)[:1], output_field=IntegerField())
        for name, aggregate in aggregates.items()
    ]


# Moves whenever anything any board shows may have changed: the newest incident, timeline entry (a level,
# a status, an acknowledgement: incidents/hooks.py writes one), notice, warning and warning event (raised,
# acknowledged, cleared), and how many pending tasks are past due. Primary keys and one partial index
# (task_due_pending): a millisecond however large the bank.
_BANK_MARKS = (
    f"SELECT (SELECT MAX(id) FROM {rows.table(Incident)}), "
    f"(SELECT MAX(id) FROM {rows.table(TimelineEntry)}), (SELECT MAX(id) FROM {rows.table(Notice)}), "
    f"(SELECT MAX(id) FROM {rows.table(SignalWarning)}), (SELECT MAX(id) FROM {rows.table(WarningEvent)}), "
    f"(SELECT COUNT(*) FROM {rows.table(Task)} WHERE status IN ('open', 'claimed') AND due_at < %s)"
)


def version(viewer, root: Unit, now: datetime | None = None) -> str:
    """What changes whenever anything the board of `root` shows changes. The live region sends it back with
    each poll and is answered 204 while it holds; the board drawn for a version is kept (cache). Read as
    the bank's marks (one cheap statement) and, only when those moved, the subtree's own figures."""
    now = now or clock.now()
    marks = rows.one(_BANK_MARKS, [now])
    key = f"reports:version:{root.pk}:{_version(marks)}"
    found = cache.get(key)
    if found is None:
        found = subtree_version(viewer, root, now)
        cache.set(key, found, KEEP_SECONDS)
    return found


def subtree_version(viewer, root: Unit, now: datetime) -> str:
    """The subtree's own figures in one statement of scalar subqueries: a change elsewhere in the bank
    leaves them, and so the board, as they were."""
    parts = [
        *_scalar(open_incidents(root), n=Count("pk"), last=Max("pk")),
        *_scalar(TimelineEntry.objects.filter(_within(root, "incident__unit")), last=Max("pk")),
        *_scalar(Notice.objects.filter(_within(root)), last=Max("pk")),
        *_scalar(unacknowledged_notices(root), n=Count("pk")),
        *_scalar(overdue_tasks(root, now), n=Count("pk")),
        *_scalar(warnings_within(viewer, root), n=Count("pk"), last=Max("pk")),
        *_scalar(WarningEvent.objects.filter(_within(root, "warning__unit")), last=Max("pk")),
    ]
    values = (
        Unit.objects.filter(pk=root.pk)
        .annotate(**{f"v{i}": part for i, part in enumerate(parts)})
        .values_list(*(f"v{i}" for i in range(len(parts))))
        .first()
    )
    return _version(root.pk, values)


def board(viewer, root: Unit, now: datetime | None = None, version_seen: str = "") -> Board:
    """The board of `root`'s subtree as `viewer` sees it (the caller checked the viewer sees `root`); the
    same for everyone who sees `root`, since they see all of its subtree."""
    now = now or clock.now()
    rows = settings.YINGJI_BOARD_ROWS
    children = [
        u
        for u in Unit.objects.filter(
            path__startswith=root.path, depth=root.depth + 1, is_active=True
        ).order_by("path")
    ]
    lines = {root.path: UnitLine(root, True, Counts())}
    lines |= {child.path: UnitLine(child, False, Counts()) for child in children}
    totals = Counts()

    def line(child_path: str) -> UnitLine | None:
        return lines.get(child_path)

    for row in _by_child(open_incidents(root), root, "unit__path", "level"):
        totals.by_level[row["level"]] = totals.by_level.get(row["level"], 0) + row["n"]
        if (found := line(row["child"])) is not None:
            found.counts.by_level[row["level"]] = found.counts.by_level.get(row["level"], 0) + row["n"]
    for row in _by_child(unacknowledged_notices(root), root, "unit__path"):
        totals.unacknowledged += row["n"]
        if (found := line(row["child"])) is not None:
            found.counts.unacknowledged += row["n"]
    for row in _by_child(overdue_tasks(root, now), root, "incident__unit__path"):
        totals.overdue_tasks += row["n"]
        if (found := line(row["child"])) is not None:
            found.counts.overdue_tasks += row["n"]
    warnings = warnings_within(viewer, root)
    for row in _by_child(warnings, root, "unit__path"):
        totals.warnings += row["n"]
        if (found := line(row["child"])) is not None:
            found.counts.warnings += row["n"]
    warning_rows = list(warnings.select_related("unit").order_by("-raised_at", "-pk")[:rows])

    by_kind = [
        (row["kind__code"], row["kind__name"], row["n"])
        for row in open_incidents(root)
        .values("kind__code", "kind__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "kind__name")
    ]
    return Board(
        root=root,
        now=now,
        version=version_seen or version(viewer, root, now),
        totals=totals,
        # The root's own line only when it has something; departments only when they do.
        lines=[
            ln
            for ln in lines.values()
            if (not ln.own and ln.unit.type != UnitType.DEPARTMENT) or _any(ln.counts)
        ],
        by_kind=by_kind,
        incidents=_incident_lines(root, now, rows),
        warnings=warning_rows,
        duty=_duty(root, children, now),
        rows_limit=rows,
    )


def _any(counts: Counts) -> bool:
    return bool(counts.open or counts.unacknowledged or counts.overdue_tasks or counts.warnings)


def _count_of(queryset: QuerySet, outer: str) -> Coalesce:
    counted = queryset.values(outer).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted[:1], output_field=IntegerField()), 0)


def _incident_lines(root: Unit, now: datetime, limit: int) -> list[IncidentLine]:
    """The most severe open incidents, oldest first within a level (Ⅰ sorts before Ⅱ and Ⅲ as stored),
    each with its unacknowledged notices and overdue tasks counted in the same query."""
    notices = Notice.objects.filter(
        subject_type=INCIDENT_SUBJECT,
        subject_id=OuterRef("pk"),
        acknowledged_at__isnull=True,
        withdrawn_at__isnull=True,
    )
    tasks = Task.objects.filter(incident=OuterRef("pk"), status__in=OPEN_TASK_STATUSES, due_at__lt=now)
    found = (
        open_incidents(root)
        .select_related("kind", "unit")
        .annotate(waiting=_count_of(notices, "subject_id"), late=_count_of(tasks, "incident"))
        .order_by("level", "reported_at", "pk")[:limit]
    )
    return [
        IncidentLine(i, i.waiting, i.late, max(0, int((now - i.reported_at).total_seconds() // 60)))
        for i in found
    ]


def _duty(root: Unit, children: list[Unit], now: datetime) -> list[tuple[Unit, Person | None]]:
    """Today's 带班领导 of the root and of each unit directly below it (departments have none)."""
    units = [root, *(c for c in children if c.type != UnitType.DEPARTMENT)]
    today = now.astimezone(clock.SHANGHAI).date()
    leaders = {
        r.unit_id: r.leader
        for r in DutyRoster.objects.filter(unit__in=[u.pk for u in units], on_date=today).select_related(
            "leader"
        )
    }
    return [(u, leaders.get(u.pk)) for u in units]
