"""The dashboards' selection (which unit, which month) and the charts for it, shared by the page, the
Excel exports and the monthly Word summary."""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from yingji.core import clock
from yingji.orgs.models import Unit

from . import charts
from .board import board_root


@dataclass
class Selection:
    root: Unit
    month: date  # the first day of the last month shown
    day: date  # the call centre's day

    @property
    def period(self) -> charts.Period:
        return charts.period(self.root, self.month)

    @property
    def scope(self) -> str:
        p = self.period
        return _("%(unit)s and the units below it, %(first)s to %(last)s") % {
            "unit": self.root.name,
            "first": p.first.strftime("%Y-%m"),
            "last": p.last.strftime("%Y-%m"),
        }


def select(viewer, *, unit_code: str = "", month: str = "", day: str = "") -> Selection | None:
    """None when the unit named is not one the viewer sees; a month or day that does not parse (or lies
    outside the records' years) is taken as this month, today."""
    root = board_root(viewer, unit_code)
    if root is None:
        return None
    today = clock.local_today()
    return Selection(root, _parse_month(month) or date(today.year, today.month, 1), _parse_day(day) or today)


def _parse_month(text: str) -> date | None:
    try:
        year, month = (int(part) for part in text.split("-")[:2])
        found = date(year, month, 1)
    except (ValueError, TypeError):
        return None
    return found if 2000 <= found.year <= clock.local_today().year + 1 else None


def _parse_day(text: str) -> date | None:
    try:
        found = date.fromisoformat(text)
    except (ValueError, TypeError):
        return None
    return found if 2000 <= found.year <= clock.local_today().year + 1 else None


def all_charts(viewer, s: Selection) -> list[charts.Chart]:
    p = s.period
    complaints_month, complaints_cause = charts.complaints(viewer, p)
    return [
        charts.incidents_by_month(viewer, p),
        charts.incidents_by_kind(viewer, p),
        charts.response_times(viewer, p),
        complaints_month,
        complaints_cause,
        *charts.drill_coverage(viewer, s.root, s.month.year),
        *(charts.call_centre_day(viewer, unit, s.day) for unit in charts.call_centres(viewer, s.root)),
    ]


def one_chart(viewer, s: Selection, key: str) -> charts.Chart | None:
    """The chart of that key alone (an Excel export reads only what it exports)."""
    p = s.period
    single = {
        "incidents-month": charts.incidents_by_month,
        "incidents-kind": charts.incidents_by_kind,
        "response-times": charts.response_times,
    }
    if key in single:
        return single[key](viewer, p)
    if key.startswith("complaints-"):
        found = charts.complaints(viewer, p)
    elif key.startswith("drills-"):
        found = charts.drill_coverage(viewer, s.root, s.month.year)
    elif key.startswith("call-centre-"):
        code = key.removeprefix("call-centre-")
        found = [
            charts.call_centre_day(viewer, u, s.day)
            for u in charts.call_centres(viewer, s.root)
            if u.code == code
        ]
    else:
        return None
    return next((c for c in found if c.key == key), None)
