"""Every read of the responsibility letters that lists or counts, scoped by `visibility` to what the
viewer sees (their unit and below); a letter outside it is answered as if it did not exist."""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from yingji.core import clock
from yingji.orgs import visibility
from yingji.orgs.models import Person, Unit
from yingji.orgs.visibility import Viewer

from .figures import counted
from .models import Kind, Letter, Round, Status


def letters_for(
    viewer: Viewer, *, year: int | None = None, unit: str = "", status: str = "", kind: str = ""
) -> QuerySet[Letter]:
    qs = visibility.visible(Letter.objects.all(), viewer).select_related("unit", "person", "signed_by")
    if year:
        qs = qs.filter(year=year)
    if unit:
        path = Unit.objects.filter(code=unit).values_list("path", flat=True).first()
        if path is None:
            return qs.none()
        qs = qs.filter(unit__path__startswith=path)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-year", "unit__path", "kind", "pk")


def letter_for(*, viewer: Viewer, pk: int) -> Letter:
    """A letter the viewer's units hold, or the viewer's own (an employee whose letter stayed at a unit
    they left before signing it sees it wherever it is)."""
    person = visibility.person_of(viewer)
    seen = visibility.scope(viewer)
    if person is not None:
        seen |= Q(person=person)
    found = (
        Letter.objects.filter(seen, pk=pk)
        .select_related("unit", "person", "signed_by", "recorded_by")
        .first()
    )
    if found is None:
        from yingji.core.errors import NotVisible

        raise NotVisible()
    return found


def letters_to_sign(person: Person) -> list[Letter]:
    """What `person` has to sign, soonest due first: their own employee letters and, for a unit's head,
    the unit letter of their unit. For the home page's "待签责任书" (the lead wires it there)."""
    if not person.is_active:
        return []
    mine = Q(kind=Kind.EMPLOYEE, person=person)
    if any(p.is_unit_head for p in person.positions.all()):
        mine |= Q(kind=Kind.UNIT, unit_id=person.unit_id)
    return list(
        Letter.objects.filter(mine, status=Status.PENDING).select_related("unit").order_by("due_at", "pk")
    )


def rounds_for(viewer: Viewer, *, year: int) -> QuerySet[Round]:
    return visibility.visible(Round.objects.filter(year=year), viewer).select_related("unit", "started_by")


@dataclass
class CoverageRow:
    unit: Unit
    unit_letter: Letter | None = None
    signed: int = 0
    total: int = 0
    overdue: int = 0
    unsigned: list[Letter] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        unit_ok = self.unit_letter is None or self.unit_letter.is_signed
        return unit_ok and self.signed == self.total

    @property
    def unit_letter_overdue(self) -> bool:
        letter = self.unit_letter
        return letter is not None and not letter.is_signed and letter.due_at < clock.now()


def coverage(viewer: Viewer, *, year: int, root: Unit | None = None) -> list[CoverageRow]:
    """Units (of `root`'s subtree, within what the viewer sees) × (their unit letter, employees signed /
    total, overdue); units with no letter of the year are left out. Two queries."""
    letters = counted(letters_for(viewer, year=year, unit=root.code if root else ""))
    rows: dict[int, CoverageRow] = {}
    now = clock.now()
    for letter in letters.select_related("person__user").order_by("unit__path", "pk"):
        row = rows.setdefault(letter.unit_id, CoverageRow(unit=letter.unit))
        if letter.kind == Kind.UNIT:
            row.unit_letter = letter
            continue
        row.total += 1
        if letter.is_signed:
            row.signed += 1
        else:
            row.unsigned.append(letter)
            if letter.due_at < now:
                row.overdue += 1
    return list(rows.values())


def unsigned_people(rows: list[CoverageRow]) -> list[Letter]:
    """The employee letters not signed yet, soonest due first (overdue at the top)."""
    return sorted((x for r in rows for x in r.unsigned), key=lambda x: (x.due_at, x.unit.path, x.pk))
