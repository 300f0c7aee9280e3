"""The drill report's pages: read it (all sections, who wrote it, its state), edit it while a draft,
write it from the drill, submit it, return it or sign it off, and download it as Word. Thin: each
button calls one service of reporting.py; a refusal of role is a 403, any other is said on the page."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yingji.core.documents import DOCX_MIME
from yingji.core.errors import DomainError, NotAllowed
from yingji.core.forms import BootstrapMixin
from yingji.core.web import add_error, domain_view
from yingji.orgs import visibility

from . import report_writing, reporting, selectors
from .models import Status


class ReportForm(BootstrapMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field, heading in report_writing.section_headings():
            self.fields[field] = forms.CharField(
                label=heading,
                required=False,
                max_length=reporting.MAX_SECTION,
                widget=forms.Textarea(attrs={"rows": 8}),
            )


@domain_view
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, pk: int) -> HttpResponse:
    drill = selectors.drill_for(viewer=request.user, pk=pk)
    current = reporting.report_of(drill)
    state = reporting.state(current)
    may_write = reporting.can_write(request.user, drill) and drill.status == Status.EVALUATED
    may_edit = may_write and state == "draft"
    initial = {f: getattr(current, f) for f in report_writing.FIELDS} if current else {}
    form = ReportForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not may_edit:
            raise NotAllowed(_("The report cannot be edited now."))
        if form.is_valid():
            try:
                reporting.edit_report(actor=request.user, drill=drill, **form.cleaned_data)
            except DomainError as exc:
                add_error(form, exc)
            else:
                return redirect("drills:report", pk=drill.pk)
    sections = [
        (heading, getattr(current, field) if current else "")
        for field, heading in report_writing.section_headings()
    ]
    return render(
        request,
        "drills/report.html",
        {
            "drill": drill,
            "report": current,
            "state": state,
            "sections": sections,
            "form": form,
            "may_edit": may_edit,
            "may_draft": may_write and state in ("not_written", "draft"),
            "may_submit": may_edit and visibility.person_of(request.user) is not None,
            "may_sign": state == "submitted" and reporting.can_sign_off(request.user, drill, current),
        },
    )


@domain_view
@require_GET
def report_docx(request: HttpRequest, pk: int) -> HttpResponse:
    drill = selectors.drill_for(viewer=request.user, pk=pk)
    response = HttpResponse(report_writing.docx(drill, reporting.report_of(drill)), content_type=DOCX_MIME)
    response["Content-Disposition"] = f'attachment; filename="drill-report-{drill.pk}.docx"'
    return response


def _button(request: HttpRequest, pk: int, service, **kwargs) -> HttpResponse:
    drill = selectors.drill_for(viewer=request.user, pk=pk)
    try:
        service(actor=request.user, drill=drill, **kwargs)
    except NotAllowed:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("drills:report", pk=drill.pk)


@domain_view
@require_POST
def draft_report(request: HttpRequest, pk: int) -> HttpResponse:
    return _button(request, pk, reporting.draft_report)


@domain_view
@require_POST
def submit_report(request: HttpRequest, pk: int) -> HttpResponse:
    return _button(request, pk, reporting.submit_report)


@domain_view
@require_POST
def return_report(request: HttpRequest, pk: int) -> HttpResponse:
    return _button(request, pk, reporting.return_report, reason=request.POST.get("reason", "")[:4000])


@domain_view
@require_POST
def sign_off_report(request: HttpRequest, pk: int) -> HttpResponse:
    return _button(request, pk, reporting.sign_off_report)
