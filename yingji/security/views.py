"""The inspection pages: the list and a new inspection, the inspection on a phone (one item at a time,
photos, the two signatures, the re-check of its rectifications), the coverage matrix and the checklist.
Thin: parse, call a selector or one service, render."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yingji.core import clock, inputs
from yingji.core.due import due_text
from yingji.core.errors import InvalidInput, InvalidTransition
from yingji.core.web import add_error, domain_view, person_required, record_pk
from yingji.corrective.models import RUNNING, CorrectiveAction
from yingji.corrective.models import Status as ActionStatus
from yingji.orgs import visibility
from yingji.orgs.models import Person, Unit

from . import coverage, permissions, photos, selectors, services
from .forms import ChecklistItemForm, ItemForm, PhotoForm, RecheckForm, StartForm
from .models import Area, Inspection, ItemResult, Photo, Status

PAGE_ROWS = 50


def _inspectable(person: Person | None) -> list[Unit]:
    if person is None:
        return []
    own = person.unit.acting_unit
    units = visibility.visible(
        Unit.objects.filter(type__in=list(coverage.schedule()), is_active=True), person.user, ""
    ).exclude(pk=own.pk)
    return [u for u in units.order_by("path") if permissions.can_inspect(person, u)]


@require_GET
def inspections(request: HttpRequest) -> HttpResponse:
    person = visibility.person_of(request.user)
    units = _inspectable(person)
    rows = list(selectors.inspections_for(request.user)[:PAGE_ROWS])
    return render(
        request,
        "security/list.html",
        {"inspections": rows, "start_form": StartForm(units=units) if units else None},
    )


@domain_view
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    person = person_required(request)
    unit = visibility.visible_unit(request.user, str(request.POST.get("unit", ""))[:32])
    if unit is None:
        raise Http404()
    try:
        inspection = services.start_inspection(actor=person, unit=unit)
    except InvalidInput as exc:
        messages.error(request, exc.message)
        return redirect("security:list")
    return redirect(inspection)


def _page(request: HttpRequest, inspection: Inspection, forms: dict | None = None, status: int = 200):
    person = visibility.person_of(request.user)
    forms = forms or {}
    conducting = inspection.status == Status.CONDUCTING and permissions.can_conduct(person, inspection)
    people = Person.objects.filter(unit=inspection.unit, user__is_active=True).order_by("name")
    results = list(
        inspection.results.select_related("responsible").prefetch_related(
            "photos", Prefetch("finding_link__finding__actions", queryset=CorrectiveAction.objects.all())
        )
    )
    items = []
    for r in results:
        entry = {"result": r}
        if conducting:
            entry["form"] = forms.get(("item", r.pk)) or ItemForm(
                initial={
                    "outcome": r.result or None,
                    "note": r.note,
                    "major_hazard": r.major_hazard,
                    "responsible": r.responsible_id,
                },
                people=people,
                prefix=f"i{r.pk}",
            )
            entry["photo_form"] = forms.get(("photo", r.pk)) or PhotoForm(prefix=f"p{r.pk}")
        items.append(entry)
    now = clock.now()
    rectifications = []
    for action in selectors.rectifications_for(request.user, inspection=inspection):
        may_recheck = (
            action.status == ActionStatus.DONE
            and person is not None
            and person.pk != action.owner_id
            and permissions.can_inspect(person, action.unit)
        )
        rectifications.append(
            {
                "action": action,
                "due": due_text(action.due_at),
                "overdue": action.status in RUNNING and action.due_at < now,
                "form": (forms.get(("recheck", action.pk)) or RecheckForm(prefix=f"r{action.pk}"))
                if may_recheck
                else None,
            }
        )
    checked = sum(1 for r in results if r.result)
    return render(
        request,
        "security/inspection.html",
        {
            "inspection": inspection,
            "items": items,
            "checked": checked,
            "total": len(results),
            "conducting": conducting,
            "may_sign_inspector": conducting,
            "may_sign_head": inspection.status == Status.AWAITING_HEAD
            and permissions.is_unit_head(person, inspection.unit),
            "rectifications": rectifications,
            "accountabilities": list(selectors.accountabilities_for(request.user, inspection=inspection)),
        },
        status=status,
    )


@domain_view
@require_GET
def inspection(request: HttpRequest, pk: str) -> HttpResponse:
    return _page(request, selectors.inspection_for(viewer=request.user, pk=record_pk(pk)))


def _result(request: HttpRequest, pk: str, item_id: str) -> tuple[Inspection, ItemResult]:
    found = selectors.inspection_for(viewer=request.user, pk=record_pk(pk))
    result = found.results.filter(pk=record_pk(item_id)).first()
    if result is None:
        raise Http404()
    result.inspection = found
    return found, result


@domain_view
@require_POST
def record_item(request: HttpRequest, pk: str, item_id: str) -> HttpResponse:
    found, result = _result(request, pk, item_id)
    person = person_required(request)
    people = Person.objects.filter(unit=found.unit, user__is_active=True)
    form = ItemForm(request.POST, people=people, prefix=f"i{result.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.record_item(
                actor=person,
                result=result,
                outcome=data["outcome"],
                note=data["note"],
                major_hazard=data["major_hazard"],
                responsible=data["responsible"],
            )
        except InvalidInput as exc:
            add_error(form, exc)
        else:
            return redirect(f"{found.get_absolute_url()}#item-{result.pk}")
    return _page(request, found, {("item", result.pk): form}, status=400)


@domain_view
@require_POST
def add_photo(request: HttpRequest, pk: str, item_id: str) -> HttpResponse:
    found, result = _result(request, pk, item_id)
    person = person_required(request)
    form = PhotoForm(request.POST, request.FILES, prefix=f"p{result.pk}")
    if form.is_valid():
        try:
            photos.add_photo(actor=person, result=result, upload=form.cleaned_data["photo"])
        except InvalidInput as exc:
            form.add_error("photo", exc.message)
        else:
            return redirect(f"{found.get_absolute_url()}#item-{result.pk}")
    return _page(request, found, {("photo", result.pk): form}, status=400)


@domain_view
@require_GET
def photo(request: HttpRequest, pk: str, photo_id: str) -> HttpResponse:
    found = selectors.inspection_for(viewer=request.user, pk=record_pk(pk))
    shot = Photo.objects.filter(pk=record_pk(photo_id), result__inspection=found).first()
    if shot is None or not photos.path_of(shot).exists():
        raise Http404()
    return FileResponse(photos.path_of(shot).open("rb"), content_type=shot.content_type)


@domain_view
@require_POST
def sign(request: HttpRequest, pk: str) -> HttpResponse:
    found = selectors.inspection_for(viewer=request.user, pk=record_pk(pk))
    person = person_required(request)
    try:
        if found.status == Status.CONDUCTING:
            services.sign_as_inspector(actor=person, inspection=found)
            messages.success(request, _("Signed. Each failed item is now a rectification."))
        else:
            services.sign_as_head(actor=person, inspection=found)
            messages.success(request, _("Signed for the unit: the record is locked."))
    except (InvalidInput, InvalidTransition) as exc:
        messages.error(request, exc.message)
    return redirect(found)


@domain_view
@require_POST
def recheck(request: HttpRequest, pk: str, action_id: str) -> HttpResponse:
    found = selectors.inspection_for(viewer=request.user, pk=record_pk(pk))
    person = person_required(request)
    action = (
        selectors.rectifications_for(request.user, inspection=found).filter(pk=record_pk(action_id)).first()
    )
    if action is None:
        raise Http404()
    form = RecheckForm(request.POST, prefix=f"r{action.pk}")
    if form.is_valid():
        try:
            services.recheck_rectification(
                actor=person,
                action=action,
                passed=form.cleaned_data["passed"],
                note=form.cleaned_data["note"],
            )
        except InvalidTransition as exc:
            messages.error(request, exc.message)
            return redirect(found)
        except InvalidInput as exc:
            add_error(form, exc)
        else:
            messages.success(request, _("Re-check recorded."))
            return redirect(found)
    return _page(request, found, {("recheck", action.pk): form}, status=400)


@require_GET
def coverage_page(request: HttpRequest) -> HttpResponse:
    today = clock.local_today()
    year = inputs.record_id(request.GET.get("year")) or today.year
    if not 2000 <= year <= today.year + 1:
        year = today.year
    return render(
        request,
        "security/coverage.html",
        {
            "matrices": coverage.matrices(request.user, year=year),
            "year": year,
            "warn_days": settings.YINGJI_INSPECTION_WARN_DAYS,
        },
    )


@domain_view
@require_http_methods(["GET", "POST"])
def checklist(request: HttpRequest) -> HttpResponse:
    person = visibility.person_of(request.user)
    may_add = permissions.can_manage_checklist(person)
    form = ChecklistItemForm(request.POST or None) if may_add else None
    if request.method == "POST":
        if not may_add or person is None or form is None:
            raise PermissionDenied()
        if form.is_valid():
            try:
                services.add_checklist_item(
                    actor=person, area=form.cleaned_data["area"], text=form.cleaned_data["text"]
                )
            except InvalidInput as exc:
                add_error(form, exc)
            else:
                messages.success(request, _("Item added to the checklist."))
                return redirect("security:checklist")
    areas = Area.objects.prefetch_related("items")
    return render(
        request,
        "security/checklist.html",
        {"areas": areas, "form": form},
        status=400 if form is not None and form.errors else 200,
    )
