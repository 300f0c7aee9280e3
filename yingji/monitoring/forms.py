"""The rule form of head office's 应急管理员, and the leadership group's decision on a proposal."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.core import inputs
from yingji.core.forms import BootstrapMixin
from yingji.orgs.models import Person, Position, Unit, UnitType
from yingji.plans.models import EventKind

from .models import WarningRule

# Unit types a rule may stand for, and how far up it may tell (what notify's chain knows).
RULE_TYPES = [
    (t.value, t.label) for t in (UnitType.CALL_CENTRE, UnitType.OUTLET, UnitType.SUB_BRANCH, UnitType.BRANCH)
]
REACHES = [
    (t.value, t.label)
    for t in (
        UnitType.OUTLET,
        UnitType.SUB_BRANCH,
        UnitType.CALL_CENTRE,
        UnitType.BRANCH,
        UnitType.HEAD_OFFICE,
    )
]


class RuleForm(BootstrapMixin, forms.ModelForm):
    unit_type = forms.ChoiceField(label=_("unit type"), choices=[("", "—"), *RULE_TYPES], required=False)
    unit = forms.ModelChoiceField(
        label=_("unit"),
        queryset=Unit.objects.filter(is_active=True).exclude(type=UnitType.DEPARTMENT).order_by("path"),
        required=False,
        empty_label="—",
        help_text=_("A rule for one unit replaces its type's rule of the same measure there."),
    )
    reach = forms.ChoiceField(label=_("told up to"), choices=REACHES)
    positions = forms.ModelMultipleChoiceField(
        label=_("also told"), queryset=Position.objects.order_by("sort_order"), required=False
    )
    event_kind = forms.ModelChoiceField(
        label=_("event kind"), queryset=EventKind.objects.all(), required=False, empty_label="—"
    )

    class Meta:
        model = WarningRule
        fields = [
            "name",
            "measure",
            "unit_type",
            "unit",
            "threshold",
            "for_minutes",
            "level",
            "action",
            "event_kind",
            "reach",
            "positions",
            "bank_own",
            "source_note",
            "is_active",
        ]

    def clean_name(self):
        return inputs.check_text(self.cleaned_data["name"].strip(), "name")

    def clean_source_note(self):
        return inputs.check_text(self.cleaned_data["source_note"].strip(), "source_note")

    def clean_threshold(self):
        value = self.cleaned_data["threshold"]
        if value is None or not (0 <= value <= 1_000_000):
            raise forms.ValidationError(_("Between 0 and 1,000,000."))
        return value

    def clean_for_minutes(self):
        value = self.cleaned_data["for_minutes"]
        if value is not None and value > 7 * 24 * 60:
            raise forms.ValidationError(_("At most a week."))
        return value

    def clean(self):
        data = super().clean()
        if bool(data.get("unit")) == bool(data.get("unit_type")):
            raise forms.ValidationError(_("Choose either a unit type or one unit."))
        return data

    def rule_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "positions"}
        data["unit_type"] = data.get("unit_type") or ""
        return data


class DecisionForm(BootstrapMixin, forms.Form):
    accept = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Accept: report an incident")), ("0", _("Dismiss"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[inputs.validate_text],
    )


LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


def _moment(label):
    return forms.DateTimeField(
        label=label,
        input_formats=[LOCAL_MINUTE, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE),
    )


class SilenceForm(BootstrapMixin, forms.Form):
    """A silence for planned work, over the units the 应急管理员 sees."""

    unit = forms.ModelChoiceField(label=_("unit"), queryset=Unit.objects.none(), empty_label=None)
    subtree = forms.BooleanField(label=_("and the units below it"), required=False, initial=True)
    measure = forms.ChoiceField(label=_("measure"), required=False)
    source = forms.CharField(
        label=_("source"),
        required=False,
        max_length=40,
        help_text=_("The source's code, e.g. queue; empty for every source."),
        validators=[inputs.validate_text],
    )
    starts_at = _moment(pgettext_lazy("silence", "from"))
    ends_at = _moment(pgettext_lazy("silence", "until"))
    reason = forms.CharField(
        label=_("reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[inputs.validate_text],
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import Measure

        self.fields["unit"].queryset = units
        self.fields["measure"].choices = [("", _("Every measure")), *Measure.choices]


class IntegrationForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("name"), max_length=80, validators=[inputs.validate_text])
    kind = forms.ChoiceField(label=_("kind"))
    units = forms.ModelMultipleChoiceField(
        label=_("reports for"),
        queryset=Unit.objects.filter(is_active=True).exclude(type=UnitType.DEPARTMENT).order_by("path"),
        help_text=_("And the units below them."),
    )
    contact = forms.ModelChoiceField(
        label=_("contact"),
        queryset=Person.objects.none(),
        help_text=_("An incident a warning opens by itself is reported in this person's name."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import Integration

        self.fields["kind"].choices = Integration.Kind.choices
        self.fields["contact"].queryset = (
            Person.objects.filter(user__is_active=True).select_related("unit").order_by("unit__path", "name")
        )
