"""The letters' pages: the coverage matrix (and generating a year's letters), one's own letters to sign, a
letter on a phone (its text, the confirm button, the scan upload), its Word file and its scan, and the
wording head office edits. Thin: parse, call a selector or one service, render."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yingji.core import clock, inputs
from yingji.core.documents import DOCX_MIME
from yingji.core.due import due_text
from yingji.core.errors import InvalidInput
from yingji.core.web import act, add_error, domain_view, person_required, record_pk
from yingji.orgs import visibility
from yingji.orgs.models import Person, Unit, UnitType

from . import document, export, permissions, scans, selectors, services, wording
from .figures import counted
from .forms import GenerateForm, ScanForm, TemplateForm
from .models import Kind, LetterTemplate


def _year(request: HttpRequest) -> int:
    today = clock.local_today()
    year = inputs.record_id(request.GET.get("year")) or today.year
    return year if 2000 <= year <= today.year + 1 else today.year


def _issuers(person: Person | None) -> list[Unit]:
    if person is None:
        return []
    units = visibility.visible(
        Unit.objects.filter(is_active=True).exclude(type=UnitType.DEPARTMENT), person.user, ""
    ).order_by("path")[:300]
    return [u for u in units if permissions.can_generate(person, u)]


@require_GET
def coverage_page(request: HttpRequest) -> HttpResponse:
    person = visibility.person_of(request.user)
    year = _year(request)
    code = str(request.GET.get("unit", ""))[:32]
    root = visibility.visible_unit(request.user, code) if code else None
    rows = selectors.coverage(request.user, year=year, root=root)
    now = clock.now()
    issuers = _issuers(person)
    form = GenerateForm(units=issuers, initial={"year": year}) if issuers else None
    return render(
        request,
        "letters/coverage.html",
        {
            "year": year,
            "root": root,
            "rows": rows,
            "unsigned": [
                {"letter": x, "due": due_text(x.due_at), "overdue": x.due_at < now}
                for x in selectors.unsigned_people(rows)
            ],
            "rounds": list(selectors.rounds_for(request.user, year=year)),
            "form": form,
            "may_edit_wording": permissions.template_editor(person),
            "reminders": "%、".join(str(p) for p in settings.YINGJI_LETTER_REMINDERS),
            "new_days": settings.YINGJI_LETTER_NEW_STAFF_DAYS,
        },
    )


@require_GET
def coverage_xlsx(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    code = str(request.GET.get("unit", ""))[:32]
    root = visibility.visible_unit(request.user, code) if code else None
    rows = selectors.coverage(request.user, year=year, root=root)
    letters = counted(selectors.letters_for(request.user, year=year, unit=root.code if root else ""))
    response = HttpResponse(export.coverage_xlsx(rows, letters), content_type=export.XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="responsibility-letters-{year}.xlsx"'
    return response


@domain_view
@require_POST
def generate(request: HttpRequest) -> HttpResponse:
    person = person_required(request)
    unit = visibility.visible_unit(request.user, str(request.POST.get("unit", ""))[:32])
    if unit is None:
        raise Http404()
    year = inputs.record_id(request.POST.get("year")) or 0
    try:
        round = services.generate(actor=person, unit=unit, year=year)
    except InvalidInput as exc:
        messages.error(request, exc.message)
        return redirect("letters:coverage")
    messages.success(
        request, _("The letters of %(year)s for %(unit)s are issued.") % {"year": year, "unit": unit.name}
    )
    return redirect(f"{reverse('letters:coverage')}?year={round.year}&unit={unit.code}")


@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    person = visibility.person_of(request.user)
    letters = selectors.letters_to_sign(person) if person else []
    now = clock.now()
    return render(
        request,
        "letters/mine.html",
        {"letters": [{"letter": x, "due": due_text(x.due_at), "overdue": x.due_at < now} for x in letters]},
    )


def _letter_page(request: HttpRequest, pk: str, scan_form: ScanForm | None = None, status: int = 200):
    letter = selectors.letter_for(viewer=request.user, pk=record_pk(pk))
    person = visibility.person_of(request.user)
    pending = not letter.is_signed
    return render(
        request,
        "letters/letter.html",
        {
            "letter": letter,
            "due": due_text(letter.due_at),
            "overdue": pending and letter.due_at < clock.now(),
            "may_sign": pending and permissions.can_sign(person, letter),
            "scan_form": (scan_form or ScanForm())
            if pending and permissions.can_upload_scan(person, letter)
            else None,
        },
        status=status,
    )


@domain_view
@require_GET
def letter(request: HttpRequest, pk: str) -> HttpResponse:
    return _letter_page(request, pk)


@domain_view
@require_POST
def sign(request: HttpRequest, pk: str) -> HttpResponse:
    found = selectors.letter_for(viewer=request.user, pk=record_pk(pk))
    if act(request, services.sign, actor=person_required(request), letter=found):
        messages.success(request, _("Signed. Thank you."))
    return redirect(found)


@domain_view
@require_POST
def upload_scan(request: HttpRequest, pk: str) -> HttpResponse:
    found = selectors.letter_for(viewer=request.user, pk=record_pk(pk))
    person = person_required(request)
    form = ScanForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            scans.upload(actor=person, letter=found, file=form.cleaned_data["scan"])
        except InvalidInput as exc:
            add_error(form, exc)
        else:
            messages.success(request, _("The signed scan is kept; the letter counts as signed."))
            return redirect(found)
    elif not permissions.can_upload_scan(person, found):
        raise PermissionDenied()
    return _letter_page(request, pk, scan_form=form, status=400)


@domain_view
@require_GET
def scan_file(request: HttpRequest, pk: str) -> HttpResponse:
    found = selectors.letter_for(viewer=request.user, pk=record_pk(pk))
    if not found.scan_name or not scans.path_of(found).exists():
        raise Http404()
    return FileResponse(scans.path_of(found).open("rb"), content_type=found.scan_type)


@domain_view
@require_GET
def docx(request: HttpRequest, pk: str) -> HttpResponse:
    found = selectors.letter_for(viewer=request.user, pk=record_pk(pk))
    response = HttpResponse(document.letter_docx(found), content_type=DOCX_MIME)
    response["Content-Disposition"] = f'attachment; filename="{document.file_name(found)}"'
    return response


@domain_view
@require_http_methods(["GET", "POST"])
def template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in Kind.values:
        raise Http404()
    person = visibility.person_of(request.user)
    may_edit = permissions.template_editor(person)
    wording.ensure_templates()
    current = LetterTemplate.objects.get(kind=kind)
    form = TemplateForm(request.POST or None, instance=current) if may_edit else None
    if request.method == "POST":
        if form is None or person is None:
            raise PermissionDenied()
        if form.is_valid():
            try:
                services.update_template(
                    actor=person, template=LetterTemplate.objects.get(kind=kind), **form.cleaned_data
                )
            except InvalidInput as exc:
                add_error(form, exc)
            else:
                messages.success(request, _("The wording is saved; letters issued from now on use it."))
                return redirect("letters:template", kind=kind)
    return render(
        request,
        "letters/template.html",
        {"template": current, "form": form, "kinds": Kind.choices, "kind": kind},
        status=400 if form is not None and form.errors else 200,
    )
