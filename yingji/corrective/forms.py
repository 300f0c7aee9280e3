"""The register's forms. They only parse what a person typed; every rule lives in the services."""

from datetime import date, datetime, time, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.core import clock, inputs
from yingji.core.forms import BootstrapMixin
from yingji.incidents.forms import LOCAL_MINUTE, unit_choices
from yingji.orgs import visibility
from yingji.orgs.models import Person
from yingji.plans.models import Plan

from .models import Category, Grade, Rating, SourceType, Status

ALL = [("", _("All"))]


def end_of(day: date | None) -> datetime | None:
    """A deadline given as a day ends at 24:00 of it, Asia/Shanghai (00:00 of the next day, stored)."""
    if day is None:
        return None
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=clock.SHANGHAI)


def start_of(day: date | None) -> datetime | None:
    """Before a drill on `day` means by 00:00 of that day."""
    if day is None:
        return None
    return datetime.combine(day, time(0), tzinfo=clock.SHANGHAI)


class DayField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("validators", [inputs.validate_filter_date])
        super().__init__(**kwargs)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.name} · {obj.unit.name}"


def owner_field() -> PersonChoiceField:
    return PersonChoiceField(
        queryset=Person.objects.none(), label=_("Owner"), required=False, empty_label=_("— choose —")
    )


def visible_people(viewer):
    return (
        Person.objects.filter(visibility.scope(viewer, "unit"), user__is_active=True)
        .select_related("unit")
        .order_by("unit__path", "name")
    )


class FilterForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=ALL + Status.choices)
    grade = forms.ChoiceField(label=_("Grade"), required=False, choices=ALL + Grade.choices)
    category = forms.ChoiceField(label=_("Category"), required=False, choices=ALL + Category.choices)
    source_type = forms.ChoiceField(label=_("Source"), required=False, choices=ALL + SourceType.choices)
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = ALL + unit_choices(viewer)

    def selection(self) -> dict:
        """The valid filters only: a list never fails on a filter a person mistyped."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}


class ActionFields(forms.Form):
    """The fields of one corrective action, on the new-finding form and on a finding's page."""

    action_text = forms.CharField(
        label=_("Corrective action"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    owner = owner_field()
    due_day = DayField(label=_("Deadline (leave empty for the default by grade)"))
    next_drill_day = DayField(label=_("Date of the unit's next drill (for a deficiency)"))

    def action(self) -> dict:
        data = self.cleaned_data
        return {
            "text": data["action_text"],
            "owner": data["owner"],
            "due_at": end_of(data.get("due_day")),
            "next_drill_at": start_of(data.get("next_drill_day")),
        }


class ActionForm(BootstrapMixin, ActionFields):
    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = visible_people(viewer)
        self.fields["owner"].required = True
        self.fields["action_text"].required = True


class FindingForm(BootstrapMixin, ActionFields):
    unit = forms.ChoiceField(label=_("Unit where it was found"))
    source_type = forms.ChoiceField(label=_("Source"), choices=SourceType.choices)
    source_label = forms.CharField(label=_("Found in (drill, inspection or incident)"), max_length=200)
    source_id = forms.CharField(label=_("Its number (optional)"), max_length=64, required=False)
    plan = forms.ModelChoiceField(
        queryset=Plan.objects.none(), label=_("Plan (optional)"), required=False, empty_label=_("— none —")
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    grade = forms.ChoiceField(label=_("Grade"), choices=Grade.choices)
    text = forms.CharField(label=_("Finding"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    found_at = forms.DateTimeField(
        label=_("Found at"),
        input_formats=[LOCAL_MINUTE, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE),
        validators=[inputs.validate_event_time],
    )
    recurrence_key = forms.CharField(
        label=_("Short key for recurrences (optional)"),
        max_length=60,
        required=False,
        help_text=_("Findings with the same category and key are counted as the same problem."),
    )

    field_order = [
        "unit",
        "source_type",
        "source_label",
        "source_id",
        "plan",
        "category",
        "grade",
        "text",
        "found_at",
        "recurrence_key",
        "action_text",
        "owner",
        "due_day",
        "next_drill_day",
    ]

    def __init__(self, *args, viewer, **kwargs):
        kwargs.setdefault(
            "initial", {"found_at": clock.now().astimezone(clock.SHANGHAI).strftime(LOCAL_MINUTE)}
        )
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = unit_choices(viewer)
        self.fields["plan"].queryset = Plan.objects.order_by("sort_order", "code")
        self.fields["owner"].queryset = visible_people(viewer)
        self.viewer = viewer

    def clean(self):
        data = super().clean()
        if data.get("action_text") and not data.get("owner"):
            self.add_error("owner", _("Choose who owns the corrective action."))
        return data

    def finding(self) -> dict:
        data = self.cleaned_data
        return {
            "unit": visibility.visible_unit(self.viewer, data["unit"]),
            "source_type": data["source_type"],
            "source_label": data["source_label"],
            "source_id": data["source_id"],
            "plan": data["plan"],
            "category": data["category"],
            "grade": data["grade"],
            "text": data["text"],
            "found_at": data["found_at"],
            "recurrence_key": data["recurrence_key"],
        }


class CompleteForm(BootstrapMixin, forms.Form):
    evidence = forms.CharField(
        label=_("What was done, and where it can be seen (notes, links)"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class VerifyForm(BootstrapMixin, forms.Form):
    by_source = forms.CharField(label=_("Re-tested in (drill and scenario)"), max_length=200)
    rating = forms.ChoiceField(label=_("Rating of the expected action"), choices=Rating.choices)


class CancelForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class NoFields(forms.Form):
    pass
