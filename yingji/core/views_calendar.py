"""The working-day calendar: everyone signed in reads it; a head-office 应急管理员 extends it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.db.models.functions import ExtractYear
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import clock, services_calendar
from .errors import DomainError
from .forms import CalendarDayForm, CalendarYearForm
from .models import CalendarDay, CalendarSource, CalendarYear
from .web import add_error, domain_view


def calendar(request: HttpRequest) -> HttpResponse:
    return _page(request, _selected_year(request.GET.get("year")))


@domain_view
@require_POST
def calendar_add(request: HttpRequest) -> HttpResponse:
    if not services_calendar.can_edit_calendar(request.user):
        raise PermissionDenied(
            _("Only an emergency administrator of the head office can change the calendar.")
        )
    if request.POST.get("action") == "year":
        year_form = CalendarYearForm(request.POST)
        if year_form.is_valid():
            year = year_form.cleaned_data["year"]
            try:
                services_calendar.mark_year_covered(actor=request.user, year=year)  # type: ignore[arg-type]
            except DomainError as exc:
                add_error(year_form, exc)
            else:
                messages.success(
                    request, _("%(year)s is published: its holidays now count.") % {"year": year}
                )
                return redirect(f"{reverse('calendar')}?year={year}")
        return _page(request, _selected_year(year_form.cleaned_data.get("year")), year_form=year_form)
    day_form = CalendarDayForm(request.POST)
    if day_form.is_valid():
        data = day_form.cleaned_data
        try:
            services_calendar.set_calendar_day(actor=request.user, **data)  # type: ignore[arg-type]
        except DomainError as exc:
            add_error(day_form, exc)
        else:
            messages.success(request, _("%(date)s saved.") % {"date": f"{data['date']:%Y-%m-%d}"})
            return redirect(f"{reverse('calendar')}?year={data['date'].year}")
    day = day_form.cleaned_data.get("date")
    return _page(request, _selected_year(day.year if day else None), day_form=day_form)


def source_label(source: str, year: int) -> str:
    """Where a day comes from, in the bank's words: the rows loaded from the chinese-calendar package
    transcribe the State Council's yearly notice, which is what staff know and cite (never the package)."""
    if source == CalendarSource.STAFF:
        return _("entered by staff")
    return _("Notice of the General Office of the State Council on the holidays of %(year)s") % {"year": year}


def _selected_year(value: object) -> int:
    try:
        year = int(str(value))
    except ValueError:
        return clock.local_today().year
    return (
        year
        if services_calendar.FIRST_YEAR <= year <= services_calendar.LAST_YEAR
        else clock.local_today().year
    )


def _page(
    request: HttpRequest,
    year: int,
    *,
    day_form: CalendarDayForm | None = None,
    year_form: CalendarYearForm | None = None,
) -> HttpResponse:
    covered = {c.year: c for c in CalendarYear.objects.select_related("recorded_by__person")}
    counts = {
        row["y"]: row
        for row in CalendarDay.objects.annotate(y=ExtractYear("date"))
        .order_by()
        .values("y")
        .annotate(
            off=Count("pk", filter=Q(is_working_day=False)), work=Count("pk", filter=Q(is_working_day=True))
        )
    }
    years = [
        {
            "year": y,
            "covered": covered.get(y),
            "off": counts.get(y, {}).get("off", 0),
            "work": counts.get(y, {}).get("work", 0),
        }
        for y in sorted(set(covered) | set(counts) | {year, clock.local_today().year + 1})
    ]
    can_edit = services_calendar.can_edit_calendar(request.user)
    if can_edit:
        day_form = day_form or CalendarDayForm()
        year_form = year_form or CalendarYearForm(initial={"year": year})
    return render(
        request,
        "core/calendar.html",
        {
            "year": year,
            "years": years,
            "covered": covered.get(year),
            "covered_source": source_label(covered[year].source, year) if year in covered else "",
            "days": [
                (d, source_label(d.source, d.date.year)) for d in CalendarDay.objects.filter(date__year=year)
            ],
            "can_edit": can_edit,
            "day_form": day_form,
            "year_form": year_form,
        },
    )
