"""The reads behind the ledger (投诉台账) and the statistics page. Like every selector they start from
what the viewer may see (selectors.complaints_for); each figure is one grouped query, never a loop over
complaints, so the page costs the same dozen queries for ten complaints or a million."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Case, CharField, Count, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Substr, TruncMonth
from django.utils.translation import gettext as _

from yingji.core import clock
from yingji.orgs import visibility
from yingji.orgs.models import Unit, UnitType

from . import selectors
from .models import OPEN_STATUSES, Callback, Channel, Complaint, Decision, Kind

# The columns the ledger reads: one query over the joined names, no row fetched twice.
LEDGER_FIELDS = (
    "number",
    "received_at",
    "channel",
    "unit__name",
    "customer_name",
    "customer_phone",
    "customer_id_number",
    "subject_unit__name",
    "staff_complained_name",
    "business__name",
    "cause__name",
    "kind",
    "joint_count",
    "is_major",
    "status",
    "period_days",
    "decision_due_at",
    "replied_at",
    "satisfaction",
    "handling_unit__name",
    "owner__name",
    "decision_rule",
    "content",
    "decision_findings",
    "decision_remedy",
)
CHUNK = 2000


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=clock.SHANGHAI)


FILTER_UNITS_MAX = 300


def unit_choices(viewer) -> list[tuple[str, str]]:
    """The units a filter offers, as a tree (indented under their parents). Past a few hundred units
    (head office sees ten thousand outlets) it stops at the sub-branches: a list nobody scrolls would
    also take seconds to render."""
    units = visibility.visible_units(viewer).filter(is_active=True)
    if units.count() > FILTER_UNITS_MAX:
        units = units.exclude(type__in=[UnitType.OUTLET, UnitType.DEPARTMENT])
    units = list(units.order_by("path"))
    top = min((u.depth for u in units), default=1)
    return [(u.code, "\u3000" * (u.depth - top) + u.name) for u in units]


def visible_unit(viewer, code: str) -> Unit | None:
    return visibility.visible_units(viewer).filter(code=code).first() if code else None


def in_subtree(unit: Unit) -> Q:
    """A complaint belongs to a unit's subtree when that subtree registered it or handles it — the same
    two fields visibility follows."""
    return Q(unit__path__startswith=unit.path) | Q(handling_unit__path__startswith=unit.path)


def complaints_in(
    viewer,
    *,
    status: str = "",
    channel: str = "",
    kind: str = "",
    unit_code: str = "",
    received_from: date | None = None,
    received_to: date | None = None,
) -> QuerySet[Complaint]:
    """The complaint list's filters: a unit means its whole subtree; the dates are Shanghai days,
    both included."""
    complaints = selectors.complaints_for(viewer, status=status, channel=channel, kind=kind)
    if unit_code:
        unit = visible_unit(viewer, unit_code)
        complaints = complaints.filter(in_subtree(unit)) if unit else complaints.none()
    if received_from:
        complaints = complaints.filter(received_at__gte=local_midnight(received_from))
    if received_to:
        complaints = complaints.filter(received_at__lt=local_midnight(received_to + timedelta(days=1)))
    return complaints


def ledger_rows(viewer, **filters: Any) -> Iterator[dict[str, Any]]:
    """The ledger's rows, oldest first, read in chunks: only the columns it prints."""
    # The decision the customer last received (a review's replaces the first), in the same query.
    last_decision = Decision.objects.filter(complaint=OuterRef("pk")).order_by("-delivered_at", "-pk")
    return (
        complaints_in(viewer, **filters)
        .annotate(
            decision_findings=Subquery(last_decision.values("findings")[:1]),
            decision_remedy=Subquery(last_decision.values("remedy")[:1]),
        )
        .order_by("received_at", "pk")
        .values(*LEDGER_FIELDS)
        .iterator(chunk_size=CHUNK)
    )


# --- Statistics ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    count: int


@dataclass
class Statistics:
    since: date
    until: date
    root: Unit
    total: int = 0
    by_month: list[Row] = field(default_factory=list)
    by_unit: list[Row] = field(default_factory=list)
    by_channel: list[Row] = field(default_factory=list)
    by_business: list[Row] = field(default_factory=list)
    by_cause: list[Row] = field(default_factory=list)
    by_kind: list[Row] = field(default_factory=list)
    by_satisfaction: list[Row] = field(default_factory=list)
    decided: int = 0
    decided_on_time: int = 0
    overdue_open: int = 0
    outlets: int = 0

    @property
    def on_time_rate(self) -> float | None:
        """Decisions delivered within the deadline, in per cent of the decisions delivered."""
        return round(100 * self.decided_on_time / self.decided, 1) if self.decided else None

    @property
    def per_thousand_outlets(self) -> float | None:
        """The regulator's ratio: complaints in the period per 1,000 active outlets in the scope."""
        return round(self.total * 1000 / self.outlets, 1) if self.outlets else None


def default_period(today: date | None = None) -> tuple[date, date]:
    """This year up to today (Shanghai)."""
    today = today or clock.local_today()
    return date(today.year, 1, 1), today


def root_unit(viewer, unit_code: str = "") -> Unit | None:
    """The unit the statistics are about: the chosen one, or the top of what the viewer sees."""
    if unit_code:
        return visible_unit(viewer, unit_code)
    root = visibility.scope_root(viewer)
    if root is None and viewer.is_authenticated and viewer.is_superuser:
        return Unit.objects.filter(depth=1).order_by("path").first()
    return root


def _grouped(complaints: QuerySet[Complaint], key: str) -> dict[Any, int]:
    """One GROUP BY: {value of `key`: number of complaints}."""
    return {
        row[key]: row["n"]
        for row in complaints.values(key).annotate(n=Count("pk")).order_by().values(key, "n")
    }


def _by_choice(counts: dict[Any, int], choices: list[tuple[str, Any]]) -> list[Row]:
    labels = dict(choices)
    rows = [Row(str(value), str(labels.get(value, value)), n) for value, n in counts.items() if value]
    return sorted(rows, key=lambda r: (-r.count, r.label))


def _by_name(counts: dict[Any, int]) -> list[Row]:
    """Business type or cause by name; complaints not classified yet are one row at the end."""
    rows = sorted(
        (Row(str(name), str(name), n) for name, n in counts.items() if name),
        key=lambda r: (-r.count, r.label),
    )
    if unclassified := counts.get(None, 0):
        rows.append(Row("", _("Not classified"), unclassified))
    return rows


def _months(since: date, until: date) -> list[date]:
    months, month = [], date(since.year, since.month, 1)
    while month <= until:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def _by_month(complaints: QuerySet[Complaint], since: date, until: date) -> list[Row]:
    counts = _grouped(complaints.annotate(month=TruncMonth("received_at", tzinfo=clock.SHANGHAI)), "month")
    by_key: dict[str, int] = {}
    for month, n in counts.items():
        key = (
            month.astimezone(clock.SHANGHAI).strftime("%Y-%m") if isinstance(month, datetime) else str(month)
        )
        by_key[key[:7]] = by_key.get(key[:7], 0) + n
    return [
        Row(m.strftime("%Y-%m"), m.strftime("%Y-%m"), by_key.get(m.strftime("%Y-%m"), 0))
        for m in _months(since, until)
    ]


def _by_unit(complaints: QuerySet[Complaint], root: Unit) -> list[Row]:
    """By the root's direct children (and the root itself): a complaint counts under the child whose
    subtree registered it, or else handles it."""
    width = len(root.path) + Unit.steplen
    branch = Case(
        When(unit__path__startswith=root.path, then=Substr("unit__path", 1, width)),
        default=Substr("handling_unit__path", 1, width),
        output_field=CharField(),
    )
    counts = _grouped(complaints.annotate(branch=branch), "branch")
    rows = []
    if own := counts.get(root.path, 0):
        rows.append(Row(root.code, _("%(unit)s itself") % {"unit": root.name}, own))
    children = Unit.objects.filter(path__startswith=root.path, depth=root.depth + 1, is_active=True)
    for child in children.order_by("path"):
        rows.append(Row(child.code, child.name, counts.get(child.path, 0)))
    return rows


def statistics(viewer, *, since: date, until: date, unit_code: str = "") -> Statistics | None:
    """Counts by month, unit, channel, business type, cause and kind of the complaints received in
    [since, until] (Shanghai days) in the unit's subtree; on-time decisions; satisfaction; complaints per
    1,000 outlets. None when the unit is not one the viewer sees."""
    root = root_unit(viewer, unit_code)
    if root is None:
        return None
    complaints = complaints_in(viewer, received_from=since, received_to=until)
    if unit_code:
        complaints = complaints.filter(in_subtree(root))
    stats = Statistics(since=since, until=until, root=root)
    stats.by_kind = _by_choice(_grouped(complaints, "kind"), Kind.choices)
    stats.total = sum(row.count for row in stats.by_kind)
    stats.by_month = _by_month(complaints, since, until)
    stats.by_unit = _by_unit(complaints, root)
    stats.by_channel = _by_choice(_grouped(complaints, "channel"), Channel.choices)
    stats.by_business = _by_name(_grouped(complaints, "business__name"))
    stats.by_cause = _by_name(_grouped(complaints, "cause__name"))
    stats.by_satisfaction = _by_choice(_grouped(complaints, "satisfaction"), Callback.Satisfaction.choices)
    decisions = Decision.objects.filter(is_review=False, complaint__in=complaints.values("pk")).aggregate(
        decided=Count("pk"), on_time=Count("pk", filter=Q(on_time=True))
    )
    stats.decided, stats.decided_on_time = decisions["decided"], decisions["on_time"]
    stats.overdue_open = complaints.filter(status__in=OPEN_STATUSES, decision_due_at__lt=clock.now()).count()
    stats.outlets = Unit.objects.filter(
        type=UnitType.OUTLET, is_active=True, path__startswith=root.path
    ).count()
    return stats
