from collections.abc import Callable

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
from .rules import DEFAULT_REGULATOR_MINUTES

BANK_SETTING = gettext_lazy("The bank's own setting (本行设定): the source documents give no such time.")


class LevelRuleForm(BootstrapMixin, forms.Form):
    reach = forms.ChoiceField(
        label=gettext_lazy("Told up to"), choices=NotificationRule._meta.get_field("reach").choices
    )
    # Neither time is in the source documents: each is the bank's own setting and says so.
    ack_minutes = forms.IntegerField(
        label=gettext_lazy("Minutes to acknowledge"),
        min_value=1,
        max_value=1440,
        help_text=BANK_SETTING,
    )
    late_report_minutes = forms.IntegerField(
        label=gettext_lazy("First report late after (minutes)"),
        min_value=1,
        max_value=1440,
        help_text=BANK_SETTING,
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
        label=gettext_lazy("Minutes after the first report"),
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
            "regulator_default": DEFAULT_REGULATOR_MINUTES,
        },
    )


def _saved(request, form: forms.Form | None, write: Callable[[dict], object]):
    """Every edit of the page: the form's errors, or `write(cleaned data)`; the outcome as a message
    (a refusal's own words), then back to the page."""
    if form is not None and not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("notify:rules")
    try:
        write(form.cleaned_data if form is not None else {})
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("notify:rules")


@require_POST
def save_level_rule(request, level):
    _editor(request)
    rule = get_object_or_404(NotificationRule, level=level)
    return _saved(
        request,
        LevelRuleForm(request.POST, prefix=level),
        lambda data: rules.update_level_rule(
            actor=request.user, rule=rule, **{**data, "positions": list(data["positions"])}
        ),
    )


@require_POST
def save_kind_rule(request, code):
    _editor(request)
    kind = get_object_or_404(EventKind, code=code)

    def write(data: dict) -> None:
        # A row that does not post the positions keeps the ones already set.
        existing = selectors.kind_rule(kind)
        positions = (
            list(data["positions"])
            if "positions" in request.POST
            else list(existing.positions.all())
            if existing
            else []
        )
        rules.set_kind_rule(
            actor=request.user, kind=kind, regulator_report=data["regulator_report"], positions=positions
        )

    return _saved(request, KindRuleForm(request.POST), write)


@require_POST
def save_deadline(request, code):
    _editor(request)
    unit = get_object_or_404(Unit, code=code)
    return _saved(
        request,
        DeadlineForm(request.POST),
        lambda data: rules.set_regulator_deadline(actor=request.user, unit=unit, minutes=data["minutes"]),
    )


@require_POST
def add_robot(request):
    _editor(request)

    def write(data: dict) -> None:
        unit = Unit.objects.filter(code=data["unit"].strip()).first()
        if unit is None:
            raise InvalidInput(_("Unknown unit."), fields={"unit": _("Unknown unit.")})
        robots.add_robot(actor=request.user, unit=unit, kind=data["kind"], url=data["url"])

    return _saved(request, RobotForm(request.POST), write)


@require_POST
def switch_robot(request, pk):
    _editor(request)
    robot = get_object_or_404(Webhook, pk=pk)
    on = request.POST.get("on") == "1"
    return _saved(request, None, lambda data: robots.switch_robot(actor=request.user, robot=robot, on=on))
