from datetime import date

from django.db.models import Count, QuerySet

from . import visibility
from .models import DutyRoster, Person, Unit


def visible_units_in_tree_order(*, viewer) -> QuerySet[Unit]:
    return visibility.visible_units(viewer).order_by("path")


def unit_tree(*, viewer) -> list[Unit]:
    """Visible units in tree order (materialised path order is depth-first order)."""
    return list(visibility.visible_units(viewer).annotate(people_count=Count("people")).order_by("path"))


def unit_by_code(*, viewer, code: str) -> Unit:
    return visibility.get_visible_or_404(Unit.objects.all(), viewer, "", code=code)


def people_of_unit(*, viewer, unit: Unit) -> QuerySet[Person]:
    return (
        visibility.visible(Person.objects.all(), viewer)
        .filter(unit=unit)
        .select_related("user", "unit")
        .prefetch_related("positions")
    )


def person_by_id(*, viewer, pk: int) -> Person:
    qs = Person.objects.select_related("user", "unit").prefetch_related("positions")
    return visibility.get_visible_or_404(qs, viewer, pk=pk)


def search_people(*, viewer, text: str = "", limit: int = 50) -> QuerySet[Person]:
    qs = visibility.visible(Person.objects.all(), viewer).select_related("unit", "user")
    if text:
        from django.db.models import Q

        qs = qs.filter(Q(name__icontains=text) | Q(user__username__icontains=text) | Q(mobile__contains=text))
    return qs.prefetch_related("positions")[:limit]


def duty_leader(*, unit: Unit, on_date: date) -> Person | None:
    row = DutyRoster.objects.select_related("leader").filter(unit=unit, on_date=on_date).first()
    return row.leader if row else None


def roster(*, unit: Unit, start: date, days: int) -> dict[date, DutyRoster]:
    from datetime import timedelta

    rows = DutyRoster.objects.select_related("leader").filter(
        unit=unit, on_date__gte=start, on_date__lt=start + timedelta(days=days)
    )
    return {r.on_date: r for r in rows}


def duty_candidates(*, viewer, unit: Unit) -> QuerySet[Person]:
    """People who may lead on duty at `unit`: active people of the unit's own subtree or of the unit
    above it (a 支行 leader often leads an outlet's day), limited to what the viewer sees."""
    base = unit.parent_unit or unit
    return (
        visibility.visible(Person.objects.all(), viewer)
        .filter(unit__path__startswith=base.path, user__is_active=True)
        .select_related("unit")
        .order_by("unit__path", "name")
    )
