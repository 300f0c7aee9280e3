"""Warnings pages: the list, one warning with its history and the leadership group's decision, and the
rules (read by everyone; edited by head office's 应急管理员). Thin: parse, call one selector or one
service, render."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yingji.core import clock
from yingji.core.errors import InvalidInput
from yingji.core.web import add_error, domain_view, record_pk
from yingji.orgs import visibility
from yingji.orgs.models import UnitType

from . import selectors, services, silences
from .forms import DecisionForm, IntegrationForm, RuleForm, SilenceForm
from .models import Integration, Silence, WarningRule, WarningStatus
from .transitions import shown


@require_GET
def warning_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "active")
    rows = selectors.warning_list(viewer=request.user, status=status)
    tabs = [("active", _("Not cleared")), *WarningStatus.choices, ("all", _("All"))]
    return render(
        request,
        "monitoring/list.html",
        {
            "rows": [(w, shown(w.rule, w.value)) for w in rows],
            "tabs": tabs,
            "status": status,
            "silenced_now": len(silences.silences_for(request.user, current_only=True)),
            "may_manage_tokens": services.may_edit_rules(request.user),
        },
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
    return _page(request, selectors.warning_of(viewer=request.user, pk=record_pk(pk)))


@domain_view
@require_POST
def acknowledge(request: HttpRequest, pk: str) -> HttpResponse:
    found = selectors.warning_of(viewer=request.user, pk=record_pk(pk))
    person = visibility.person_of(request.user)
    if person is None:
        raise PermissionDenied()
    services.acknowledge_warning(person=person, warning=found)
    messages.success(request, _("Warning acknowledged."))
    return redirect(found)


@domain_view
@require_POST
def decide(request: HttpRequest, pk: str) -> HttpResponse:
    found = selectors.warning_of(viewer=request.user, pk=record_pk(pk))
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
        rule = WarningRule.objects.filter(pk=record_pk(pk)).first()
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


# --- Silences for planned work -------------------------------------------------------------------


@domain_view
@require_http_methods(["GET", "POST"])
def silence_list(request: HttpRequest) -> HttpResponse:
    may_set = silences.may_silence(request.user)
    form = None
    if may_set:
        units = (
            visibility.visible_units(request.user).filter(is_active=True).exclude(type=UnitType.DEPARTMENT)
        )
        form = SilenceForm(request.POST or None, units=units.order_by("path"), initial=_silence_initial())
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                silences.set_silence(person=visibility.person_of(request.user), **data)
            except InvalidInput as exc:
                add_error(form, exc)
            else:
                messages.success(request, _("Silence set."))
                return redirect("monitoring:silences")
    elif request.method == "POST":
        raise PermissionDenied(
            _("Only an emergency administrator of head office or a branch sets a silence.")
        )
    return render(
        request,
        "monitoring/silences.html",
        {"silences": silences.silences_for(request.user), "form": form, "now": clock.now()},
    )


def _silence_initial() -> dict:
    start = clock.now().astimezone(clock.SHANGHAI).replace(second=0, microsecond=0)
    return {"starts_at": start, "ends_at": start + timedelta(hours=2), "subtree": True}


@domain_view
@require_POST
def silence_end(request: HttpRequest, pk: str) -> HttpResponse:
    found = visibility.get_visible_or_404(
        Silence.objects.select_related("unit"), request.user, pk=record_pk(pk)
    )
    person = visibility.person_of(request.user)
    if person is None:
        raise PermissionDenied()
    silences.end_silence(person=person, silence=found)
    messages.success(request, _("Silence ended: warnings are told again."))
    return redirect("monitoring:silences")


# --- Integration tokens (head office's 应急管理员) -------------------------------------------------


def _require_token_admin(request: HttpRequest) -> None:
    if not services.may_edit_rules(request.user):
        raise PermissionDenied(
            _("Only head office's emergency administrators issue and revoke integration tokens.")
        )


@domain_view
@require_GET
def integration_list(request: HttpRequest) -> HttpResponse:
    _require_token_admin(request)
    return render(request, "monitoring/integrations.html", {"integrations": selectors.integrations()})


@domain_view
@require_http_methods(["GET", "POST"])
def integration_new(request: HttpRequest) -> HttpResponse:
    _require_token_admin(request)
    form = IntegrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            integration, raw = services.issue_integration(
                actor=request.user,
                name=data["name"],
                kind=data["kind"],
                units=list(data["units"]),
                contact=data["contact"],
            )
        except InvalidInput as exc:
            add_error(form, exc)
        else:
            # Shown this once, on this answer (never stored, never redirected to): only its hash is kept.
            response = render(
                request, "monitoring/integration_issued.html", {"integration": integration, "raw": raw}
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "monitoring/integration_new.html", {"form": form})


@domain_view
@require_POST
def integration_revoke(request: HttpRequest, pk: str) -> HttpResponse:
    _require_token_admin(request)
    found = Integration.objects.filter(pk=record_pk(pk)).first()
    if found is None:
        raise Http404()
    services.revoke_integration(actor=request.user, integration=found)
    messages.success(request, _("Token revoked: %s no longer reports.") % found.name)
    return redirect("monitoring:integrations")
