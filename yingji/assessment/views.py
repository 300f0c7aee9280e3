"""The year's summaries and the assessment's pages: the list with a summary to generate, one summary
(its figures, its score, its sections, the buttons of its life) and its Word document, the ranking of a
unit type for a year, and the bank's weights. Thin: parse, call a selector or one service, render."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yingji.core import clock
from yingji.core.documents import DOCX_MIME
from yingji.core.errors import DomainError, NotAllowed
from yingji.core.web import act, add_error, domain_view, record_pk
from yingji.orgs import visibility
from yingji.orgs.models import Unit, UnitType

from . import figures, permissions, scoring, selectors, services, writing
from .forms import RANKED_TYPES, GenerateForm, RankingForm, SummaryForm, WeightsForm
from .models import Status

PAGE_ROWS = 100


def _writable_units(user) -> list[Unit]:
    kinds = [UnitType.HEAD_OFFICE, *RANKED_TYPES]  # a department writes for its unit, not for itself
    units = visibility.visible_units(user).filter(type__in=kinds, is_active=True).order_by("path")
    return [u for u in units if permissions.can_write(user, u)]


@require_GET
def summaries(request: HttpRequest) -> HttpResponse:
    units = _writable_units(request.user)
    form = GenerateForm(units=units, initial={"year": clock.local_today().year}) if units else None
    rows = list(selectors.summaries_for(request.user)[:PAGE_ROWS])
    return render(request, "assessment/list.html", {"summaries": rows, "form": form, "tab": "assessment"})


@domain_view
@require_POST
def generate(request: HttpRequest) -> HttpResponse:
    units = _writable_units(request.user)
    form = GenerateForm(request.POST, units=units)
    if form.is_valid():
        unit = next(u for u in units if u.code == form.cleaned_data["unit"])
        try:
            summary = services.generate_summary(actor=request.user, unit=unit, year=form.cleaned_data["year"])
        except DomainError as exc:
            for problem in list(exc.fields.values()) or [exc.message]:
                messages.error(request, problem)
        else:
            return redirect(summary)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("assessment:list")


@domain_view
@require_http_methods(["GET", "POST"])
def summary(request: HttpRequest, pk: str) -> HttpResponse:
    found = selectors.summary_for(viewer=request.user, pk=record_pk(pk))
    may_write = permissions.can_write(request.user, found.unit)
    may_edit = may_write and found.status == Status.DRAFT
    form = SummaryForm(request.POST or None, initial={f: getattr(found, f) for f in writing.FIELDS})
    if request.method == "POST":
        if not may_write:
            raise NotAllowed()
        if not may_edit:
            messages.error(request, _("The summary has been submitted and can no longer be changed."))
            return redirect(found)
        if form.is_valid():
            try:
                services.edit_summary(actor=request.user, summary=found, **form.cleaned_data)
            except DomainError as exc:
                add_error(form, exc)
            else:
                return redirect(found)
    snapshot = found.figures
    return render(
        request,
        "assessment/summary.html",
        {
            "summary": found,
            "title": writing.title(found.unit, found.year),
            "sections": [(heading, getattr(found, field)) for field, heading in writing.section_headings()],
            "groups": writing.figure_rows(snapshot),
            "kinds": snapshot.get("incident_kinds") or [],
            "missing": [str(dict(figures.PARTS).get(m, m)) for m in snapshot.get("missing", [])],
            "scored": scoring.assess(snapshot.get("figures", {})),
            "form": form,
            "may_edit": may_edit,
            "may_generate": may_edit,
            "may_submit": may_edit and visibility.person_of(request.user) is not None,
            "may_approve": found.status == Status.SUBMITTED and permissions.can_approve(request.user, found),
            "tab": "assessment",
        },
    )


@domain_view
@require_GET
def summary_docx(request: HttpRequest, pk: str) -> HttpResponse:
    found = selectors.summary_for(viewer=request.user, pk=record_pk(pk))
    response = HttpResponse(writing.docx(found), content_type=DOCX_MIME)
    response["Content-Disposition"] = f'attachment; filename="summary-{found.unit.code}-{found.year}.docx"'
    return response


ACTIONS = {
    "regenerate": lambda request, s: {"service": services.generate_summary, "unit": s.unit, "year": s.year},
    "submit": lambda request, s: {"service": services.submit_summary, "summary": s},
    "return": lambda request, s: {
        "service": services.return_summary,
        "summary": s,
        "reason": request.POST.get("reason", "")[:4000],
    },
    "approve": lambda request, s: {"service": services.approve_summary, "summary": s},
}


@domain_view
@require_POST
def summary_action(request: HttpRequest, pk: str, action: str) -> HttpResponse:
    found = selectors.summary_for(viewer=request.user, pk=record_pk(pk))
    if action not in ACTIONS:
        raise Http404()
    act(request, actor=request.user, **ACTIONS[action](request, found))
    return redirect(found)


@require_GET
def ranking(request: HttpRequest) -> HttpResponse:
    unit_type, year = UnitType.OUTLET.value, clock.local_today().year
    # Unbound, the form shows what the page ranks (outlets, this year), not its first choice and a blank.
    form = RankingForm(request.GET or None, initial={"type": unit_type, "year": year})
    if form.is_bound and form.is_valid():
        unit_type = form.cleaned_data["type"] or unit_type
        year = form.cleaned_data["year"] or year
    rows = selectors.ranking(request.user, unit_type=unit_type, year=year) if not form.errors else []
    current = scoring.weights()
    return render(
        request,
        "assessment/ranking.html",
        {
            "form": form,
            "rows": rows,
            "year": year,
            "type_label": UnitType(unit_type).label,
            "components": [(c, current[c.code]) for c in scoring.COMPONENTS],
            "tab": "assessment",
        },
    )


@domain_view
@require_http_methods(["GET", "POST"])
def weights(request: HttpRequest) -> HttpResponse:
    may_set = permissions.can_set_weights(request.user)
    current = scoring.weights()
    form = WeightsForm(request.POST or None, initial=current)
    if request.method == "POST":
        if not may_set:
            raise NotAllowed(_("Only head office's emergency administrator sets the assessment's weights."))
        if form.is_valid():
            try:
                services.set_weights(actor=request.user, weights=form.cleaned_data)
            except DomainError as exc:
                add_error(form, exc)
            else:
                messages.success(request, _("The weights are saved."))
                return redirect("assessment:weights")
    return render(
        request,
        "assessment/weights.html",
        {
            "form": form,
            "may_set": may_set,
            "rows": [(c, current[c.code]) for c in scoring.COMPONENTS],
            "total": sum(current.values()),
            "tab": "assessment",
        },
    )
