"""Every read of summaries and scores that lists, scoped by `visibility` to what the viewer sees (their
unit and below); a summary outside it is answered as if it did not exist."""

from dataclasses import dataclass

from django.db.models import QuerySet

from yingji.orgs import visibility
from yingji.orgs.models import Unit
from yingji.orgs.visibility import Viewer

from . import figures, scoring
from .models import Status, Summary


def summaries_for(viewer: Viewer, *, year: int | None = None, unit_type: str = "") -> QuerySet[Summary]:
    qs = visibility.visible(Summary.objects.all(), viewer).select_related("unit", "author", "approver")
    if year:
        qs = qs.filter(year=year)
    if unit_type:
        qs = qs.filter(unit__type=unit_type)
    return qs.order_by("-year", "unit__path")


def summary_for(*, viewer: Viewer, pk: int) -> Summary:
    return visibility.get_visible_or_404(
        Summary.objects.select_related("unit", "author", "approver", "generated_by"), viewer, pk=pk
    )


@dataclass
class Ranked:
    unit: Unit
    scored: scoring.Scored
    summary: Summary | None
    frozen: bool  # scored from an approved summary's figures, not from the records as they are now
    rank: int | None = None


def ranking(viewer: Viewer, *, unit_type: str, year: int) -> list[Ranked]:
    """The viewer's units of one type, best score first. A unit whose summary of the year is approved
    is scored from the figures it approved; any other from the records as they stand."""
    weights = scoring.weights()
    units = list(visibility.visible_units(viewer).filter(type=unit_type, is_active=True).order_by("path"))
    approved = {
        s.unit_id: s
        for s in Summary.objects.filter(unit__in=units, year=year).select_related("unit", "approver")
    }
    rows = []
    for unit in units:
        summary = approved.get(unit.pk)
        frozen = summary is not None and summary.status == Status.APPROVED
        snapshot = summary.figures if frozen else figures.collect(unit, year)
        rows.append(Ranked(unit, scoring.assess(snapshot["figures"], weights), summary, frozen))
    rows.sort(key=lambda r: (r.scored.score is None, -(r.scored.score or 0), r.unit.path))
    for n, row in enumerate(rows, 1):
        row.rank = n if row.scored.score is not None else None
    return rows
