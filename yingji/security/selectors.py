"""Every read of the security inspections that lists or counts, scoped by `visibility` to what the
viewer sees (their unit and below); a record outside it is answered as if it did not exist."""

from django.db.models import Count, Q, QuerySet

from yingji.corrective.models import CorrectiveAction, SourceType
from yingji.orgs import visibility
from yingji.orgs.visibility import Viewer

from .models import Accountability, Inspection


def inspections_for(viewer: Viewer, *, unit: str = "", status: str = "") -> QuerySet[Inspection]:
    qs = visibility.visible(Inspection.objects.all(), viewer).select_related("unit", "inspector", "head")
    if unit:
        path = _path(unit)
        if path is None:  # no such unit: nothing, rather than a pattern no unit can match
            return qs.none()
        qs = qs.filter(unit__path__startswith=path)
    if status:
        qs = qs.filter(status=status)
    return qs.annotate(
        failed=Count("results", filter=Q(results__result="fail")),
        majors=Count("results", filter=Q(results__major_hazard=True)),
    ).order_by("-started_at", "-pk")  # a grouped query drops Meta.ordering


def _path(code: str) -> str | None:
    from yingji.orgs.models import Unit

    return Unit.objects.filter(code=code).values_list("path", flat=True).first()


def inspection_for(*, viewer: Viewer, pk: int) -> Inspection:
    return visibility.get_visible_or_404(
        Inspection.objects.select_related("unit", "inspector", "head"), viewer, pk=pk
    )


def rectifications_for(viewer: Viewer, *, inspection: Inspection | None = None) -> QuerySet[CorrectiveAction]:
    """Corrective actions answering an inspection's failed items that the viewer sees (their units'
    actions, and their own as owner)."""
    person = visibility.person_of(viewer)
    seen = visibility.scope(viewer)
    if person is not None:
        seen |= Q(owner=person)
    qs = CorrectiveAction.objects.filter(seen, findings__source_type=SourceType.INSPECTION)
    if inspection is not None:
        qs = qs.filter(findings__inspection_link__inspection=inspection)
    return qs.distinct().select_related("unit", "owner").order_by("due_at", "pk")


def rectification_for(*, viewer: Viewer, pk: int) -> CorrectiveAction:
    from yingji.core.errors import NotVisible

    found = rectifications_for(viewer).filter(pk=pk).first()
    if found is None:
        raise NotVisible()
    return found


def accountabilities_for(viewer: Viewer, *, inspection: Inspection) -> QuerySet[Accountability]:
    return visibility.visible(
        Accountability.objects.filter(result__inspection=inspection), viewer
    ).select_related("person", "result")
