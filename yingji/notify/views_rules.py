from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yingji.core.errors import DomainError, InvalidInput
from yingji.core.forms import BootstrapMixin
from yingji.orgs.models import Position, Unit
from yingji.plans.models import EventKind

from . import robots, rules, selectors
from .models import NotificationRule, Webhook


class LevelRuleForm(BootstrapMixin, forms.Form):
    reach = forms.ChoiceField(
        label=gettext_lazy("Told up to"), choices=NotificationRule._meta.get_field("reach").choices
    )
    ack_minutes = forms.IntegerField(
        label=gettext_lazy("Minutes to acknowledge"), min_value=1, max_value=1440
    )
    late_report_minutes = forms.IntegerField(
        label=gettext_lazy("First report late after (minutes)"), min_value=1, max_value=1440
    )
    regulator_report = forms.BooleanField(label=gettext_lazy("Report to the regulator"), required=False)
    positions = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Positions told on every unit on the way"),
        queryset=Position.objects.all(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class KindRuleForm(BootstrapMixin, forms.Form):
    regulator_report = forms.BooleanField(
        label=gettext_lazy("Always report to the regulator"), required=False
    )
    positions = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Extra positions told"),
        queryset=Position.objects.all(),
        to_field_name="code",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )


class DeadlineForm(BootstrapMixin, forms.Form):
    minutes = forms.IntegerField(
        label=gettext_lazy("Minutes after the first report (empty: default 60)"),
        min_value=1,
        max_value=1440,
        required=False,
    )


class RobotForm(BootstrapMixin, forms.Form):
    unit = forms.CharField(label=gettext_lazy("Unit code"), max_length=32)
    kind = forms.ChoiceField(label=gettext_lazy("Robot kind"), choices=Webhook.KINDS)
    url = forms.CharField(label=gettext_lazy("Robot webhook address"), max_length=500)


def _editor(request) -> None:
    if not rules.can_edit_rules(request.user):
        raise PermissionDenied()


def rules_page(request):
    _editor(request)
    overview = selectors.rules_overview()
    return render(
        request,
        "notify/rules.html",
        {
            "level_forms": [
                (
                    r,
                    LevelRuleForm(
                        prefix=r.level,
                        initial={
                            "reach": r.reach,
                            "ack_minutes": r.ack_minutes,
                            "late_report_minutes": r.late_report_minutes,
                            "regulator_report": r.regulator_report,
                            "positions": list(r.positions.all()),
                        },
                    ),
                )
                for r in overview["level_rules"]
            ],
            "kind_rows": overview["kind_rows"],
            "branch_rows": overview["branch_rows"],
            "robot_rows": [(r, robots.masked(r.url)) for r in selectors.robots()],
            "robot_form": RobotForm(),
        },
    )


def _done(request, form_or_error) -> None:
    if isinstance(form_or_error, DomainError):
        messages.error(request, form_or_error.message)
    elif form_or_error is not None:
        messages.error(request, " ".join(str(e) for errors in form_or_error.errors.values() for e in errors))
    else:
        messages.success(request, _("Saved."))


@require_POST
def save_level_rule(request, level):
    _editor(request)
    rule = get_object_or_404(NotificationRule, level=level)
    form = LevelRuleForm(request.POST, prefix=level)
    if not form.is_valid():
        _done(request, form)
        return redirect("notify:rules")
    try:
        rules.update_level_rule(
            actor=request.user,
            rule=rule,
            **{**form.cleaned_data, "positions": list(form.cleaned_data["positions"])},
        )
    except DomainError as exc:
        _done(request, exc)
    else:
        _done(request, None)
    return redirect("notify:rules")


@require_POST
def save_kind_rule(request, code):
    _editor(request)
    kind = get_object_or_404(EventKind, code=code)
    form = KindRuleForm(request.POST)
    if form.is_valid():
        # A row that does not post the positions keeps the ones already set.
        existing = selectors.kind_rule(kind)
        positions = (
            list(form.cleaned_data["positions"])
            if "positions" in request.POST
            else list(existing.positions.all())
            if existing
            else []
        )
        rules.set_kind_rule(
            actor=request.user,
            kind=kind,
            regulator_report=form.cleaned_data["regulator_report"],
            positions=positions,
        )
        _done(request, None)
    else:
        _done(request, form)
    return redirect("notify:rules")


@require_POST
def save_deadline(request, code):
    _editor(request)
    unit = get_object_or_404(Unit, code=code)
    form = DeadlineForm(request.POST)
    if not form.is_valid():
        _done(request, form)
        return redirect("notify:rules")
    try:
        rules.set_regulator_deadline(actor=request.user, unit=unit, minutes=form.cleaned_data["minutes"])
    except DomainError as exc:
        _done(request, exc)
    else:
        _done(request, None)
    return redirect("notify:rules")


@require_POST
def add_robot(request):
    _editor(request)
    form = RobotForm(request.POST)
    if not form.is_valid():
        _done(request, form)
        return redirect("notify:rules")
    unit = Unit.objects.filter(code=form.cleaned_data["unit"].strip()).first()
    try:
        if unit is None:
            raise InvalidInput(_("Unknown unit."), fields={"unit": _("Unknown unit.")})
        robots.add_robot(
            actor=request.user, unit=unit, kind=form.cleaned_data["kind"], url=form.cleaned_data["url"]
        )
    except DomainError as exc:
        _done(request, exc)
    else:
        _done(request, None)
    return redirect("notify:rules")


@require_POST
def switch_robot(request, pk):
    _editor(request)
    robot = get_object_or_404(Webhook, pk=pk)
    robots.switch_robot(actor=request.user, robot=robot, on=request.POST.get("on") == "1")
    _done(request, None)
    return redirect("notify:rules")
