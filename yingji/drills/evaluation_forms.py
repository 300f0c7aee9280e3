"""Forms of the evaluation page: they parse and offer choices; the evaluating services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.core.forms import BootstrapMixin
from yingji.corrective.forms import DayField, end_of, owner_field, visible_people
from yingji.corrective.models import Category, Grade, Rating

from .forms import StartsAtField
from .models import Drill, ExpectedAction, Participant


class RatingForm(forms.Form):
    rating = forms.ChoiceField(label=_("Rating"), choices=Rating.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Rating notes"), max_length=2000, required=False)
    reason = forms.CharField(label=_("Reason for the correction"), max_length=2000, required=False)
    on_behalf_of = forms.ModelChoiceField(
        label=_("For outside evaluator"), queryset=Participant.objects.none(), required=False
    )

    def __init__(self, *args, drill: Drill, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on_behalf_of"].queryset = Participant.objects.filter(
            drill=drill, role=Participant.Role.EVALUATOR, person__isnull=True
        )


class MeetingForm(BootstrapMixin, forms.Form):
    meeting_at = StartsAtField()
    place = forms.CharField(label=_("Meeting place"), max_length=200, required=False)
    lead_evaluator = forms.ModelChoiceField(
        label=_("Lead evaluator"), queryset=Participant.objects.none(), required=False, empty_label="—"
    )
    strengths = forms.CharField(
        label=_("Strengths"), max_length=8000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, drill: Drill, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting_at"].label = _("Evaluation meeting")
        self.fields["lead_evaluator"].queryset = Participant.objects.filter(
            drill=drill, role=Participant.Role.EVALUATOR, person__isnull=False
        )


class AttendeeForm(BootstrapMixin, forms.Form):
    participant = forms.ModelChoiceField(
        label=_("Participant"), queryset=Participant.objects.none(), required=False, empty_label="—"
    )
    name = forms.CharField(label=_("Name"), max_length=50, required=False)
    organisation = forms.CharField(label=_("Organisation"), max_length=100, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=Participant.Category.choices)

    def __init__(self, *args, drill: Drill, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = Participant.objects.filter(drill=drill)


class DrillFindingForm(BootstrapMixin, forms.Form):
    expected_action = forms.ModelChoiceField(
        label=_("Expected action"), queryset=ExpectedAction.objects.none(), required=False, empty_label="—"
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    grade = forms.ChoiceField(label=_("Grade"), choices=Grade.choices)
    text = forms.CharField(label=_("Finding"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    action_text = forms.CharField(
        label=_("Corrective action"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    owner = owner_field()
    due_day = DayField(label=_("Deadline (leave empty for the default by grade)"))

    def __init__(self, *args, drill: Drill, viewer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expected_action"].queryset = ExpectedAction.objects.filter(
            scenario__drill=drill
        ).select_related("scenario")
        self.fields["expected_action"].label_from_instance = lambda a: (
            f"{a.scenario.order}.{a.order} {a.action[:40]}"
        )
        self.fields["owner"].queryset = visible_people(viewer)

    def finding(self) -> dict:
        data = self.cleaned_data
        return {
            "expected_action": data["expected_action"],
            "category": data["category"],
            "grade": data["grade"],
            "text": data["text"],
            "action_text": data["action_text"],
            "owner": data["owner"],
            "due_at": end_of(data.get("due_day")),
        }
