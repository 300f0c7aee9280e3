"""Head office's pages of the security year's rules and decisions: the inspection schedule (本行设定, per
unit type) and the accountability records with their decisions (处理决定). Thin: parse, call one service."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from yingji.core.errors import InvalidInput, InvalidTransition
from yingji.core.web import add_error, domain_view, person_required, record_pk
from yingji.orgs import visibility
from yingji.orgs.models import UnitType

from . import accountability, coverage, permissions, services
from .forms import DecisionForm, ScheduleForm
from .models import AccountabilityStatus, InspectionSchedule


@domain_view
@require_http_methods(["GET", "POST"])
def schedule(request: HttpRequest) -> HttpResponse:
    person = visibility.person_of(request.user)
    may_set = permissions.can_set_schedule(person)
    posted = None
    if request.method == "POST":
        if not may_set or person is None:
            raise PermissionDenied()
        posted = ScheduleForm(request.POST)
        if posted.is_valid():
            try:
                services.set_schedule(
                    actor=person,
                    unit_type=posted.cleaned_data["unit_type"],
                    every_months=posted.cleaned_data["every_months"],
                )
            except InvalidInput as exc:
                add_error(posted, exc)
            else:
                messages.success(request, _("Inspection schedule saved."))
                return redirect("security:schedule")
    current = coverage.schedule()
    rows_set = {r.unit_type: r for r in InspectionSchedule.objects.select_related("set_by")}
    rows = []
    for unit_type in services.SCHEDULED_TYPES:
        form = None
        if may_set:
            mine = posted is not None and posted.data.get("unit_type") == unit_type
            form = (
                posted
                if mine
                else ScheduleForm(
                    initial={"unit_type": unit_type, "every_months": current.get(unit_type, 0)},
                    auto_id=f"id_{unit_type}_%s",
                )
            )
        rows.append(
            {
                "label": UnitType(unit_type).label,
                "months": current.get(unit_type, 0),
                "row": rows_set.get(unit_type),
                "form": form,
            }
        )
    status = 400 if posted is not None and posted.errors else 200
    return render(request, "security/schedule.html", {"rows": rows}, status=status)


@require_GET
def accountabilities(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in AccountabilityStatus.values:
        status = ""
    records = list(accountability.records_for(request.user, status=status)[:100])
    return render(
        request,
        "security/accountabilities.html",
        {"records": records, "status": status, "statuses": AccountabilityStatus.choices},
    )


@domain_view
@require_http_methods(["GET", "POST"])
def accountability_page(request: HttpRequest, pk: str) -> HttpResponse:
    record = accountability.record_for(viewer=request.user, pk=record_pk(pk))
    person = visibility.person_of(request.user)
    may_decide = record.status == AccountabilityStatus.OPEN and permissions.can_decide(person, record.unit)
    form = DecisionForm(request.POST or None) if may_decide else None
    if request.method == "POST":
        if form is None:
            if record.status != AccountabilityStatus.OPEN:
                messages.error(request, _("This record is already decided."))
                return redirect(record)
            raise PermissionDenied()
        if form.is_valid():
            try:
                accountability.decide(
                    actor=person_required(request),
                    record=record,
                    outcome=form.cleaned_data["outcome"],
                    reasons=form.cleaned_data["reasons"],
                )
            except (InvalidInput, InvalidTransition) as exc:
                add_error(form, exc)
            else:
                messages.success(request, _("Decision recorded."))
                return redirect(record)
    return render(
        request,
        "security/accountability.html",
        {"record": record, "form": form},
        status=400 if form is not None and form.errors else 200,
    )
