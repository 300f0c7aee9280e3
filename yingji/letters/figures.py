"""The year's letters in figures, for the year's summary and assessment (yingji/assessment calls it)."""

from django.db.models import Count, F, Q

from yingji.orgs.models import Unit

from .models import Letter, Status


def year_figures(unit: Unit, year: int) -> dict[str, int]:
    """The responsibility letters of `year` over `unit` and every unit below it, unit and employee
    letters together (the caller decides what `unit` the reader may see; nothing here scopes by user).

    Keys (all ints):
      - ``letters_total``: letters issued for the year (a person who left without signing is not counted);
      - ``letters_signed``: of those, signed, on a phone or by an uploaded scan;
      - ``letters_signed_late``: of the signed, those signed after their deadline (3/10, or a newcomer's);
      - ``letters_unsigned``: not signed yet (``letters_total - letters_signed``), overdue or not.
    """
    counts = counted(Letter.objects.filter(year=year, unit__path__startswith=unit.path)).aggregate(
        total=Count("pk"),
        signed=Count("pk", filter=Q(status=Status.SIGNED)),
        late=Count("pk", filter=Q(status=Status.SIGNED, signed_at__gt=F("due_at"))),
    )
    total, signed = counts["total"] or 0, counts["signed"] or 0
    return {
        "letters_total": total,
        "letters_signed": signed,
        "letters_signed_late": counts["late"] or 0,
        "letters_unsigned": total - signed,
    }


def counted(letters):
    """The letters that count: all but the unsigned ones of people whose account is deactivated (who left)."""
    return letters.exclude(status=Status.PENDING, person__user__is_active=False)
