"""The drill compliance page (units × periods, plans × last drilled) and the requirements page. Thin:
parse, read a selector or call one service, render."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yingji.core import clock, inputs
from yingji.core.errors import DomainError
from yingji.core.forms import BootstrapMixin
from yingji.core.web import add_error, domain_view
from yingji.orgs.models import UnitType
from yingji.plans.models import Plan

from . import compliance, requirements, selectors
from .models import Requirement

BANK_SETTING = gettext_lazy(
    "The bank's own setting (本行设定): the source documents say only that outlets drill every quarter."
)
EVERY_CHOICES = [
    (1, gettext_lazy("Every month")),
    (3, gettext_lazy("Every quarter")),
    (6, gettext_lazy("Every half year")),
    (12, gettext_lazy("Every year")),
]


def _years() -> list[int]:
    return list(range(clock.local_today().year + 1, inputs.records_begin().year - 1, -1))


class FilterForm(BootstrapMixin, forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int, required=False)
    type = forms.ChoiceField(label=gettext_lazy("Type of unit"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in _years()]
        self.fields["type"].choices = [("", _("All types")), *compliance.unit_types_required()]


class RequirementForm(BootstrapMixin, forms.Form):
    unit_type = forms.ChoiceField(
        label=gettext_lazy("Type of unit"),
        choices=[(v, label) for v, label in UnitType.choices if v != UnitType.DEPARTMENT],
    )
    plan = forms.ModelChoiceField(
        label=gettext_lazy("Plan"),
        queryset=Plan.objects.none(),
        required=False,
        empty_label=gettext_lazy("Any plan"),
    )
    every_months = forms.TypedChoiceField(
        label=gettext_lazy("Drill at least"), choices=EVERY_CHOICES, coerce=int, help_text=BANK_SETTING
    )
    warn_days = forms.IntegerField(
        label=gettext_lazy("Warn this many days before a period ends"),
        min_value=1,
        max_value=365,
        help_text=gettext_lazy("The bank's own setting (本行设定): the source documents set no warning."),
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = selectors.plans_in_force()


class ChangeForm(BootstrapMixin, forms.Form):
    every_months = RequirementForm.base_fields["every_months"]
    warn_days = RequirementForm.base_fields["warn_days"]
    note = RequirementForm.base_fields["note"]
    active = forms.BooleanField(label=gettext_lazy("In force"), required=False)


@require_GET
def compliance_page(request: HttpRequest) -> HttpResponse:
    year, unit_type = clock.local_today().year, ""
    form = FilterForm(request.GET or None, initial={"year": year})
    if form.is_bound and form.is_valid():
        year = form.cleaned_data["year"] or year
        unit_type = form.cleaned_data["type"] or ""
    matrices = compliance.units_matrix(viewer=request.user, year=year, unit_type=unit_type or None)
    plans = compliance.plans_for(viewer=request.user)
    return render(
        request,
        "drills/compliance.html",
        {
            "form": form,
            "year": year,
            "matrices": matrices,
            "plans": plans,
            "stale": sum(1 for row in plans if row.stale),
            "plan_months": compliance.plan_limit_months(),
            "today": clock.local_today(),
            "can_edit": requirements.can_edit_requirements(request.user),
        },
    )


@domain_view
@require_http_methods(["GET", "POST"])
def requirement_list(request: HttpRequest) -> HttpResponse:
    can_edit = requirements.can_edit_requirements(request.user)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied()
    form = RequirementForm(request.POST or None, initial=dict(requirements.DEFAULT)) if can_edit else None
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            requirements.add_requirement(
                actor=request.user,
                unit_type=data["unit_type"],
                plan=data["plan"],
                every_months=data["every_months"],
                warn_days=data["warn_days"],
                note=data["note"],
            )
        except DomainError as exc:
            add_error(form, exc)
        else:
            messages.success(request, _("Requirement added."))
            return redirect("drills:requirements")
    rows = [
        (r, compliance.describe(r))
        for r in Requirement.objects.select_related("plan")
        .prefetch_related("plan__versions")
        .order_by("-active", "unit_type", "pk")
    ]
    return render(request, "drills/requirements.html", {"rows": rows, "form": form, "can_edit": can_edit})


def _editable(request: HttpRequest, pk: int) -> Requirement:
    if not requirements.can_edit_requirements(request.user):
        raise PermissionDenied()
    return get_object_or_404(
        Requirement.objects.select_related("plan").prefetch_related("plan__versions"), pk=pk
    )


@domain_view
@require_http_methods(["GET", "POST"])
def requirement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    requirement = _editable(request, pk)
    initial = {
        "every_months": requirement.every_months,
        "warn_days": requirement.warn_days,
        "note": requirement.note,
        "active": requirement.active,
    }
    form = ChangeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            requirements.change_requirement(actor=request.user, requirement=requirement, **form.cleaned_data)
        except DomainError as exc:
            add_error(form, exc)
        else:
            messages.success(request, _("Requirement saved."))
            return redirect("drills:requirements")
    return render(
        request,
        "drills/requirement_edit.html",
        {"requirement": requirement, "text": compliance.describe(requirement), "form": form},
    )


@domain_view
@require_POST
def requirement_switch(request: HttpRequest, pk: int) -> HttpResponse:
    requirement = _editable(request, pk)
    on = request.POST.get("active") == "1"
    requirements.switch_requirement(actor=request.user, requirement=requirement, active=on)
    messages.success(request, _("Requirement switched on.") if on else _("Requirement switched off."))
    return redirect("drills:requirements")
