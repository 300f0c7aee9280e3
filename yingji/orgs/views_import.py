"""The Excel import pages: upload, the template to fill in, and an import's progress and result.
Thin: the checks and writes are in imports.py (and tasks.py for a long file)."""

from io import BytesIO

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from yingji.core import workbook_import
from yingji.core.errors import InvalidInput
from yingji.core.forms import BootstrapMixin
from yingji.core.web import add_error, domain_view

from . import imports, services
from .models import ImportRun, Position

TEMPLATE_NAMES = {ImportRun.Kind.UNITS: "单位导入模板.xlsx", ImportRun.Kind.PEOPLE: "人员导入模板.xlsx"}
SHEET_TITLES = {ImportRun.Kind.UNITS: "单位", ImportRun.Kind.PEOPLE: "人员"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What the template's 说明 sheet says about each column, by header.
HELP = {
    "代码": gettext_lazy("Unique: letters, digits, - and _, at most 32."),
    "名称": gettext_lazy("Name of the unit."),
    "类型": gettext_lazy("One of the unit types listed below."),
    "上级代码": gettext_lazy("Code of the unit above: a unit you manage, or a unit in an earlier row."),
    "地址": gettext_lazy("Optional."),
    "电话": gettext_lazy("Optional: e.g. 0571-88888888, 13800000000 or 95588."),
    "用户名": gettext_lazy("Sign-in name, unique whatever the case: letters, digits and @ . + - _"),
    "姓名": gettext_lazy("Full name."),
    "手机号": gettext_lazy("11 digits starting with 1."),
    "所属单位代码": gettext_lazy("Code of a unit you manage."),
    "岗位": gettext_lazy("One or more of the positions listed below, separated by 、 or a comma."),
    "邮箱": gettext_lazy("Optional."),
}


class ImportForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What the file holds"),
        choices=ImportRun.Kind.choices,
        initial=ImportRun.Kind.UNITS,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX}"}),
    )


def _require_importer(request) -> None:
    if not imports.may_import(request.user):
        raise PermissionDenied(_("Only an emergency administrator can import."))


@domain_view
@require_http_methods(["GET", "POST"])
def import_start(request):
    _require_importer(request)
    form = ImportForm(
        request.POST or None, request.FILES or None, initial={"kind": request.GET.get("kind", "units")}
    )
    errors: list[imports.RowError] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = imports.import_file(
                actor=request.user, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"]
            )
        except InvalidInput as exc:
            add_error(form, exc)
        else:
            if result.run is not None:
                return redirect(result.run)
            errors = result.errors
    bounds = workbook_import.limits()
    limits = {"max_rows": bounds.max_rows, "max_mb": bounds.max_mb}
    return render(request, "orgs/import.html", {"form": form, "errors": errors, **limits})


@domain_view
@require_GET
def import_status(request, pk):
    _require_importer(request)
    run = imports.run_for(viewer=request.user, pk=pk)
    done = run.status == ImportRun.Status.DONE
    created = imports.created_records(viewer=request.user, run=run) if done else []
    n, file_name = run.created_count, run.file_name
    if run.kind == ImportRun.Kind.UNITS:
        summary = ngettext("%(n)s unit imported from %(file)s.", "%(n)s units imported from %(file)s.", n)
    else:
        summary = ngettext("%(n)s person imported from %(file)s.", "%(n)s people imported from %(file)s.", n)
    context = {
        "run": run,
        "created": created,
        "more": n - len(created),
        "summary": summary % {"n": n, "file": file_name},
    }
    partial = request.headers.get("HX-Request") == "true"
    return render(request, "orgs/_import_run.html" if partial else "orgs/import_status.html", context)


@require_GET
def import_template(request, kind):
    _require_importer(request)
    if kind not in imports.COLUMNS:
        raise Http404()
    return FileResponse(
        BytesIO(template_workbook(kind)), as_attachment=True, filename=TEMPLATE_NAMES[kind], content_type=XLSX
    )


def template_workbook(kind: str) -> bytes:
    """The file to fill in; its notes sheet lists the valid unit types or positions."""
    more: list[workbook_import.NoteLine] = []
    if kind == ImportRun.Kind.UNITS:
        names = {value: name for name, value in imports.TYPE_NAMES.items()}
        more += [(False, []), (True, [_("Unit type"), _("May be placed under")])]
        for name, value in imports.TYPE_NAMES.items():
            under = [names[t] for t in names if t in services.PARENT_TYPES[value]]
            more.append((False, [name, "、".join(under) or "—"]))
    else:
        more.append(
            (False, [_("Imported people cannot sign in until an administrator sets their password.")])
        )
        more += [(False, []), (True, [_("Position"), _("English name")])]
        more += [(False, [p.name, p.name_en]) for p in Position.objects.all()]
    return workbook_import.template(
        title=SHEET_TITLES[kind],
        columns=imports.COLUMNS[kind],
        notes_title=imports.NOTES_SHEET,
        help_of=lambda c: HELP[c.header],
        more=more,
        widths=(16, 24, 70),
    )
