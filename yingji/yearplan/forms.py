from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.core.forms import BootstrapMixin
from yingji.orgs.models import Person, Position, Unit

from .models import EvidenceKind


class CreateForm(BootstrapMixin, forms.Form):
    unit = forms.ChoiceField(label=_("Unit"))
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)

    def __init__(self, *args, units=(), years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.code, u.name) for u in units]
        self.fields["year"].choices = [(y, str(y)) for y in years]


class ReminderForm(BootstrapMixin, forms.Form):
    reminder_days = forms.IntegerField(
        label=_("Remind the owner this many days before the due date (set by the bank)"),
        min_value=0,
        max_value=90,
    )


class TaskForm(BootstrapMixin, forms.Form):
    due_on = forms.DateField(
        label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    owner_unit = forms.ModelChoiceField(label=_("Owner unit"), queryset=Unit.objects.none(), empty_label=None)
    owner_position = forms.ModelChoiceField(
        label=_("Owner position"), queryset=Position.objects.all(), required=False, empty_label="—"
    )
    owner_person = forms.ModelChoiceField(
        label=_("Owner person"), queryset=Person.objects.none(), required=False, empty_label="—"
    )
    evidence_kind = forms.ChoiceField(label=_("Evidence required"), choices=EvidenceKind.choices)
    evidence_note = forms.CharField(label=_("What evidence"), max_length=100, required=False)

    def __init__(self, *args, units=None, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["owner_unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units]).order_by(
                "path"
            )
        if people is not None:
            self.fields["owner_person"].queryset = people


class FileForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("Evidence file"))


class LinkForm(BootstrapMixin, forms.Form):
    record = forms.TypedChoiceField(label=pgettext_lazy("yearplan", "Record"), coerce=int)

    def __init__(self, *args, records=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record"].choices = [(pk, label) for pk, label, _url in records]


class CompleteForm(BootstrapMixin, forms.Form):
    note = forms.CharField(
        label=_("What was done"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReturnForm(BootstrapMixin, forms.Form):
    note = forms.CharField(
        label=pgettext_lazy("yearplan", "What should change"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReopenForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why the task is not done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
