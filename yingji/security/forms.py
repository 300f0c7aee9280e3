from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.core.forms import BootstrapMixin
from yingji.orgs.models import Person

from .models import Area, Outcome, Result

OUTCOMES = [(r.value, r.label) for r in (Result.PASS, Result.FAIL, Result.NOT_APPLICABLE)]


class ItemForm(BootstrapMixin, forms.Form):
    outcome = forms.ChoiceField(
        label=_("Result"), choices=OUTCOMES, widget=forms.RadioSelect(attrs={"class": "form-check-input"})
    )
    note = forms.CharField(
        label=pgettext_lazy("inspection", "Notes"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    major_hazard = forms.BooleanField(label=_("Major safety hazard (重大安全隐患)"), required=False)
    responsible = forms.ModelChoiceField(
        label=_("Person responsible"), queryset=Person.objects.none(), required=False, empty_label="—"
    )

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        if people is not None:
            self.fields["responsible"].queryset = people


class PhotoForm(BootstrapMixin, forms.Form):
    photo = forms.FileField(label=_("Photo"))


class RecheckForm(BootstrapMixin, forms.Form):
    passed = forms.TypedChoiceField(
        label=_("Re-check"),
        choices=[("1", _("Rectified: close it")), ("0", _("Not rectified: open again"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    note = forms.CharField(
        label=_("What the re-check found"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ChecklistItemForm(BootstrapMixin, forms.Form):
    area = forms.ModelChoiceField(label=_("Area"), queryset=Area.objects.all(), empty_label="—")
    text = forms.CharField(label=_("Item"), max_length=300)


class StartForm(BootstrapMixin, forms.Form):
    unit = forms.ChoiceField(label=_("Unit to inspect"))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.code, f"{u.name}（{u.code}）") for u in units]


SCHEDULE_LABELS = [
    (0, _("Not scheduled")),
    (1, _("Monthly")),
    (3, _("Quarterly")),
    (6, _("Half-yearly")),
    (12, _("Yearly")),
]


class ScheduleForm(BootstrapMixin, forms.Form):
    unit_type = forms.CharField(widget=forms.HiddenInput, max_length=20)
    every_months = forms.TypedChoiceField(label=_("Inspected"), choices=SCHEDULE_LABELS, coerce=int)


class DecisionForm(BootstrapMixin, forms.Form):
    outcome = forms.ModelChoiceField(
        label=pgettext_lazy("accountability", "Decision"),
        queryset=Outcome.objects.filter(is_active=True),
        empty_label="—",
    )
    reasons = forms.CharField(label=_("Reasons"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
