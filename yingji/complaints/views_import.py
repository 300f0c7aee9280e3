"""The Excel import of complaints: upload, the template to fill in, and an import's progress and
result. Thin: the checks and writes are in imports.py (and jobs_import.py for a long file)."""

from io import BytesIO

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from yingji.core import workbook_import
from yingji.core.errors import InvalidInput
from yingji.core.forms import BootstrapMixin
from yingji.core.web import add_error, domain_view

from . import imports
from .models import Category, ImportRun

TEMPLATE_NAME = "投诉导入模板.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX}"}),
    )


def _require_importer(request) -> None:
    if not imports.may_import(request.user):
        raise PermissionDenied(_("Only staff with a unit can import complaints."))


@domain_view
@require_http_methods(["GET", "POST"])
def import_start(request):
    _require_importer(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[imports.RowError] = []
    if request.method == "POST" and form.is_valid():
        try:
            run, errors = imports.start_import(actor=request.user, upload=form.cleaned_data["file"])
        except InvalidInput as exc:
            add_error(form, exc)
        else:
            if run is not None:
                return redirect(run)
    bounds = workbook_import.limits()
    limits = {"max_rows": bounds.max_rows, "max_mb": bounds.max_mb}
    return render(request, "complaints/import.html", {"form": form, "errors": errors, **limits})


@domain_view
@require_GET
def import_status(request, pk):
    _require_importer(request)
    run = imports.run_for(viewer=request.user, pk=pk)
    created = imports.created_complaints(viewer=request.user, run=run)
    summary = ngettext(
        "%(n)s complaint imported from %(file)s.",
        "%(n)s complaints imported from %(file)s.",
        run.created_count,
    ) % {"n": run.created_count, "file": run.file_name}
    checking = run.processed <= run.total
    context = {
        "run": run,
        "created": created,
        "more": run.created_count - len(created),
        "summary": summary,
        "running": run.status in (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING),
        "checking": checking,
        "done_rows": run.processed if checking else run.processed - run.total,
        "bar_max": 2 * run.total,
    }
    partial = request.headers.get("HX-Request") == "true"
    return render(
        request, "complaints/import_progress.html" if partial else "complaints/import_status.html", context
    )


@require_GET
def import_template(request):
    _require_importer(request)
    return FileResponse(
        BytesIO(template_workbook()), as_attachment=True, filename=TEMPLATE_NAME, content_type=XLSX
    )


def template_workbook() -> bytes:
    """The file to fill in; its notes sheet lists the channels, kinds, major causes and categories."""
    more: list[workbook_import.NoteLine] = [
        (False, []),
        (True, [imports.HEADERS["channel"], _("Code")]),
        *((False, [name, code]) for name, code in imports.CHANNEL_NAMES.items()),
        (False, []),
        (True, [imports.HEADERS["kind"], _("Code")]),
        *((False, [name, code]) for name, code in imports.KIND_NAMES.items()),
        (False, []),
        (True, [imports.HEADERS["major_cause"], _("Code")]),
        *((False, [name, code]) for name, code in imports.MAJOR_NAMES.items()),
    ]
    for axis, header in ((Category.Axis.BUSINESS, "business"), (Category.Axis.CAUSE, "cause")):
        more += [(False, []), (True, [imports.HEADERS[header], _("Code")])]
        more += [(False, [c.name, c.code]) for c in Category.objects.filter(axis=axis)]
    return workbook_import.template(
        title="投诉",
        columns=imports.COLUMNS,
        notes_title=imports.NOTES_SHEET,
        help_of=lambda c: c.help,
        more=more,
        widths=(18, 22, 70),
    )
