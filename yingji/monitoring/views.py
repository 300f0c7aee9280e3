"""Warnings pages: the list, one warning with its history and the leadership group's decision, and the
rules (read by everyone; edited by head office's 应急管理员). Thin: parse, call one selector or one
service, render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yingji.core import inputs
from yingji.core.errors import InvalidInput
from yingji.core.web import add_error, domain_view
from yingji.orgs import visibility

from . import selectors, services
from .forms import DecisionForm, RuleForm
from .models import WarningRule, WarningStatus
from .transitions import shown


def _pk(value) -> int:
    pk = inputs.record_id(value)
    if pk is None:
        raise Http404()
    return pk


@require_GET
def warning_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "active")
    rows = selectors.warning_list(viewer=request.user, status=status)
    tabs = [("active", _("Not cleared")), *WarningStatus.choices, ("all", _("All"))]
    return render(
        request,
        "monitoring/list.html",
        {"rows": [(w, shown(w.rule, w.value)) for w in rows], "tabs": tabs, "status": status},
    )


def _page(request: HttpRequest, warning, form: DecisionForm | None = None) -> HttpResponse:
    person = visibility.person_of(request.user)
    return render(
        request,
        "monitoring/warning.html",
        {
            "warning": warning,
            "value": shown(warning.rule, warning.value),
            "worst": shown(warning.rule, warning.worst),
            "threshold": shown(warning.rule, warning.threshold),
            "events": warning.events.select_related("actor"),
            "may_decide": warning.proposal == "pending" and services.can_decide(person, warning),
            "form": form or DecisionForm(),
        },
    )


@domain_view
@require_GET
def warning(request: HttpRequest, pk: str) -> HttpResponse:
    return _page(request, selectors.warning_of(viewer=request.user, pk=_pk(pk)))


@domain_view
@require_POST
def acknowledge(request: HttpRequest, pk: str) -> HttpResponse:
    found = selectors.warning_of(viewer=request.user, pk=_pk(pk))
    person = visibility.person_of(request.user)
    if person is None:
        raise PermissionDenied()
    services.acknowledge_warning(person=person, warning=found)
    messages.success(request, _("Warning acknowledged."))
    return redirect(found)


@domain_view
@require_POST
def decide(request: HttpRequest, pk: str) -> HttpResponse:
    found = selectors.warning_of(viewer=request.user, pk=_pk(pk))
    person = visibility.person_of(request.user)
    if not services.can_decide(person, found):
        raise PermissionDenied(
            _("Only a leader, a unit head or an emergency administrator decides on a proposal.")
        )
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            decided = services.decide_proposal(
                person=person,
                warning=found,
                accept=form.cleaned_data["accept"],
                note=form.cleaned_data["note"],
            )
        except InvalidInput as exc:
            add_error(form, exc)
        else:
            if decided.incident_id:
                messages.success(request, _("Incident %s reported.") % decided.incident.number)
                return redirect(decided.incident)
            messages.success(request, _("Proposal dismissed."))
            return redirect(decided)
    return _page(request, found, form)


@require_GET
def rules(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "monitoring/rules.html",
        {"rules": selectors.rules(), "may_edit": services.may_edit_rules(request.user)},
    )


def _require_editor(request: HttpRequest) -> None:
    if not services.may_edit_rules(request.user):
        raise PermissionDenied(_("Only head office's emergency administrators edit the warning rules."))


@domain_view
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, pk: str | None = None) -> HttpResponse:
    _require_editor(request)
    rule = None
    if pk is not None:
        rule = WarningRule.objects.filter(pk=_pk(pk)).first()
        if rule is None:
            raise Http404()
    form = RuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_rule(
                actor=request.user, rule=rule, data=form.rule_data(), positions=form.cleaned_data["positions"]
            )
        except InvalidInput as exc:
            add_error(form, exc)
        else:
            messages.success(request, _("Warning rule saved."))
            return redirect("monitoring:rules")
    return render(request, "monitoring/rule_edit.html", {"form": form, "rule": rule})
