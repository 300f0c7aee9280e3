from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.core.forms import BootstrapMixin
from yingji.orgs.models import Position, UnitType

from .models import EventGroup, EventKind, Timing


class SearchForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    group = forms.ChoiceField(
        label=_("Group"), required=False, choices=[("", _("All groups")), *EventGroup.choices]
    )
    kind = forms.ChoiceField(label=_("Event kind"), required=False)
    unit_type = forms.ChoiceField(
        label=_("Unit type"), required=False, choices=[("", _("All unit types")), *UnitType.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All kinds"))] + [
            (k.code, k.name) for k in EventKind.objects.order_by("group", "sort_order")
        ]


class VersionForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    principles = forms.CharField(
        label=_("Principles"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    termination = forms.CharField(
        label=_("Who approves termination"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    groups = forms.CharField(
        label=_("Working groups"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One a line: the group's name, a colon, then its duties."),
    )
    change_note = forms.CharField(
        label=_("What changed"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class StepForm(BootstrapMixin, forms.Form):
    action = forms.CharField(label=_("Action"), widget=forms.Textarea(attrs={"rows": 3}))
    position = forms.ModelChoiceField(
        label=_("Responsible position"), queryset=Position.objects.all(), to_field_name="code"
    )
    position_inferred = forms.BooleanField(
        label=_("Position inferred (the source names no role)"), required=False
    )
    timing = forms.ChoiceField(label=_("When"), choices=Timing.choices)
    minutes = forms.IntegerField(label=_("Within minutes"), required=False, min_value=1, max_value=100000)
    condition = forms.CharField(label=_("Condition"), required=False, max_length=200)
    branch = forms.CharField(label=_("Branch"), required=False, max_length=60)
    record = forms.CharField(
        label=_("What to record"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    group = forms.ChoiceField(label=_("Working group"), required=False)

    def __init__(self, *args, groups: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [
            ("", _("None (the leading group or the unit)")),
            *((g, g) for g in groups),
        ]


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
