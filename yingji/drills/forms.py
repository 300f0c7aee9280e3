"""Forms of the drill pages. They parse and offer choices; the services decide (who may, what is valid)."""

import re
from datetime import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.core import inputs
from yingji.core.forms import BootstrapMixin
from yingji.orgs import visibility
from yingji.orgs.models import Person, Position

from .models import Channel, Drill, ExpectedAction, Form, Inject, Participant
from .selectors import plans_in_force, templates

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"
OFFSET = re.compile(r"^\+?(\d{1,2}):([0-5]\d)$")


def _plausible(value: datetime | None) -> None:
    if value is not None and (problem := inputs.filter_date_problem(value.date())):
        raise forms.ValidationError(problem)


def _unit_choices(viewer) -> list[tuple[str, str]]:
    units = list(visibility.visible_units(viewer).filter(is_active=True).order_by("path"))
    top = min((u.depth for u in units), default=1)
    return [(u.code, "\u3000" * (u.depth - top) + u.name) for u in units]


class StartsAtField(forms.DateTimeField):
    def __init__(self, **kwargs) -> None:
        super().__init__(
            label=_("Date and time"),
            required=False,
            input_formats=[LOCAL_MINUTE, "%Y-%m-%d %H:%M"],
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE),
            validators=[_plausible],
            **kwargs,
        )


class CreateForm(BootstrapMixin, forms.Form):
    SOURCES = [
        ("template", _("From a ready template")),
        ("plan", _("From a plan in force")),
        ("scratch", _("From scratch")),
    ]
    source = forms.ChoiceField(
        label=_("Start"), choices=SOURCES, widget=forms.RadioSelect, initial="template"
    )
    template = forms.ModelChoiceField(
        empty_label="—", label=_("Template"), queryset=templates(), required=False
    )
    plan = forms.ModelChoiceField(empty_label="—", label=_("Plan"), queryset=plans_in_force(), required=False)
    title = forms.CharField(
        label=_("Title"), max_length=200, required=False, help_text=_("A template or a plan gives one.")
    )
    unit = forms.ChoiceField(label=_("Organising unit"))
    units = forms.MultipleChoiceField(
        label=_("Units taking part"), widget=forms.SelectMultiple(attrs={"size": 6})
    )
    form = forms.ChoiceField(label=_("Form"), choices=Form.choices, initial=Form.LIVE)
    starts_at = StartsAtField()
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    compress_to_minutes = forms.IntegerField(
        label=_("Compress the script into (minutes)"),
        required=False,
        min_value=10,
        max_value=1440,
        help_text=_("A tabletop may play a day's script in an hour; the scenario clock stays as it is."),
    )

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates()
        self.fields["plan"].queryset = plans_in_force()
        choices = _unit_choices(viewer)
        self.fields["unit"].choices = choices
        self.fields["units"].choices = choices

    def clean(self):
        data = super().clean()
        source = data.get("source")
        if source == "template" and not data.get("template"):
            self.add_error("template", _("Choose a template."))
        if source == "plan" and not data.get("plan"):
            self.add_error("plan", _("Choose a plan."))
        if source == "scratch" and not (data.get("title") or "").strip():
            self.add_error("title", _("Give the drill a title."))
        return data


class DrillForm(BootstrapMixin, forms.ModelForm):
    starts_at = StartsAtField()

    class Meta:
        model = Drill
        fields = [
            "title",
            "form",
            "scope",
            "starts_at",
            "place",
            "purposes",
            "principles",
            "evaluation_criteria",
            "notes",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 4})
            for name in ("purposes", "principles", "evaluation_criteria", "notes")
        }


class ParticipantForm(BootstrapMixin, forms.Form):
    role = forms.ChoiceField(label=_("Drill role"), choices=Participant.Role.choices)
    person = forms.ModelChoiceField(
        empty_label="—", label=_("Member of staff"), queryset=Person.objects.none(), required=False
    )
    name = forms.CharField(label=_("Or an outsider's name"), max_length=50, required=False)
    organisation = forms.CharField(label=_("Organisation"), max_length=100, required=False)
    category = forms.ChoiceField(
        label=_("Category"), choices=Participant.Category.choices, initial=Participant.Category.STAFF
    )
    position = forms.ModelChoiceField(
        empty_label="—", label=_("Real position"), queryset=Position.objects.all(), required=False
    )
    group = forms.ChoiceField(label=_("Working group"), required=False)

    def __init__(self, *args, drill: Drill, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        units = drill.units.all()
        self.fields["person"].queryset = (
            visibility.visible(Person.objects.filter(unit__in=units), viewer)
            .select_related("unit")
            .order_by("unit__path", "name")
        )
        self.fields["group"].choices = [("", "—")] + [(g["name"], g["name"]) for g in drill.groups]


class ScenarioForm(BootstrapMixin, forms.Form):
    plan = forms.ModelChoiceField(empty_label="—", label=_("Plan in force"), queryset=plans_in_force())
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    clock_start = forms.TimeField(
        label=_("Scenario clock starts"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans_in_force()


def _actions_of(drill: Drill):
    return ExpectedAction.objects.filter(scenario__drill=drill).select_related("scenario", "position")


class ActionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: ExpectedAction) -> str:
        return f"{obj.scenario.order}.{obj.order} {obj.action[:40]}"


class ActionsChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: ExpectedAction) -> str:
        return f"{obj.scenario.order}.{obj.order} {obj.action[:40]}"


class ObjectiveForm(BootstrapMixin, forms.Form):
    text = forms.CharField(label=_("Objective"), max_length=300)
    target_minutes = forms.IntegerField(
        label=_("Target (minutes)"), required=False, min_value=1, max_value=10000
    )
    expected_action = ActionChoice(
        empty_label="—", label=_("Measured on"), queryset=ExpectedAction.objects.none(), required=False
    )

    def __init__(self, *args, drill: Drill, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expected_action"].queryset = _actions_of(drill)


class InjectForm(BootstrapMixin, forms.Form):
    offset = forms.CharField(
        label=_("Offset from start"), max_length=6, initial="+0:00", help_text=_("As +H:MM, e.g. +2:10.")
    )
    clock_time = forms.TimeField(
        label=_("Scenario clock"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    text = forms.CharField(label=_("What happens"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    recipient = forms.ChoiceField(label=_("Who receives it"), choices=Inject.Recipient.choices)
    recipient_position = forms.ModelChoiceField(
        empty_label="—", label=_("Position"), queryset=Position.objects.all(), required=False
    )
    recipient_group = forms.ChoiceField(label=_("Working group"), required=False)
    recipient_participant = forms.ModelChoiceField(
        empty_label="—", label=_("Named player"), queryset=Participant.objects.none(), required=False
    )
    controller_notes = forms.CharField(
        label=_("Controller notes"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    expected_actions = ActionsChoice(
        label=_("Expected actions"),
        queryset=ExpectedAction.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    contingency_for = ActionChoice(
        empty_label="—",
        label=_("Contingency: release only if this has not happened"),
        queryset=ExpectedAction.objects.none(),
        required=False,
    )

    def __init__(self, *args, drill: Drill, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient_group"].choices = [("", "—")] + [(g["name"], g["name"]) for g in drill.groups]
        self.fields["recipient_participant"].queryset = drill.participants.filter(
            role=Participant.Role.PLAYER
        )
        self.fields["expected_actions"].queryset = _actions_of(drill)
        self.fields["contingency_for"].queryset = _actions_of(drill)

    def clean_offset(self) -> int:
        match = OFFSET.match(self.cleaned_data["offset"].strip())
        if not match:
            raise forms.ValidationError(_("Write the offset as +H:MM, e.g. +2:10."))
        return (int(match[1]) * 60 + int(match[2])) * 60


class BriefingForm(BootstrapMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .briefing import section_headings

        for field, heading in section_headings():
            self.fields[field] = forms.CharField(
                label=heading, required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 8})
            )
