"""Forms of the actions in the incident room. They only parse what a person typed; every rule about
who may do what, and when, lives in the services."""

import re

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core import inputs
from yingji.core.forms import BootstrapMixin
from yingji.orgs import visibility
from yingji.orgs.models import Person, Unit, UnitType
from yingji.plans.models import Fact, Level, PlanVersion, VersionStatus

from .models import REPORT_FIELDS, Incident, WorkingGroup

GROUP_SEPARATORS = re.compile(r"[\n\r、,，;；]+")
RESPONSIBILITY_SEPARATOR = re.compile(r"[:：]")


class FollowUpForm(forms.Form):
    """续报: what is new, the 示范文本 第三条 content it adds, and new facts the level rules read."""

    text = forms.CharField(label=gettext_lazy("What is new"), max_length=4000)
    location = forms.CharField(required=False, max_length=200)
    cause = forms.CharField(required=False, max_length=2000)
    nature = forms.CharField(required=False, max_length=2000)
    amount_involved = forms.CharField(required=False, max_length=100)
    people_involved = forms.CharField(required=False, max_length=100)
    main_harm = forms.CharField(required=False, max_length=2000)
    customer_reaction = forms.CharField(required=False, max_length=2000)
    trend = forms.CharField(required=False, max_length=2000)
    measures_taken = forms.CharField(required=False, max_length=2000)
    outlets_affected = forms.IntegerField(required=False, min_value=0, max_value=10**9)
    injured = forms.IntegerField(required=False, min_value=0, max_value=10**9)
    deaths = forms.IntegerField(required=False, min_value=0, max_value=10**9)
    customers_gathered = forms.IntegerField(required=False, min_value=0, max_value=10**9)
    system_down_minutes = forms.IntegerField(required=False, min_value=0, max_value=10**9)
    amount_yuan = forms.DecimalField(required=False, min_value=0, max_digits=15, decimal_places=2)
    media_exposure = forms.BooleanField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key in REPORT_FIELDS:
            self.fields[key].label = Incident._meta.get_field(key).verbose_name
        for key, label in Fact.choices:
            self.fields[key].label = label

    def content(self) -> dict[str, str]:
        return {key: self.cleaned_data[key] for key in REPORT_FIELDS if self.cleaned_data.get(key)}

    def facts(self) -> dict:
        facts: dict = {}
        for key in Fact.values:
            value = self.cleaned_data.get(key)
            if value is None or value is False:
                continue
            # Amounts go as text: the timeline keeps the facts as JSON, which has no decimals.
            facts[key] = str(value) if key == Fact.AMOUNT_YUAN else value
        return facts


class CommentForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Comment"), max_length=4000)


class LevelForm(forms.Form):
    level = forms.ChoiceField(label=gettext_lazy("Level"), choices=Level.choices)
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=2000)


class ReasonForm(forms.Form):
    """Cancel as a false alarm; a step that does not apply. The services say when the reason is short."""

    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=4000)


class SummaryForm(forms.Form):
    summary = forms.CharField(label=gettext_lazy("Why the response can end"), required=False, max_length=4000)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[("approve", gettext_lazy("Approve")), ("reject", gettext_lazy("Reject"))],
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=4000)


class DoneForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=4000)
    done_at = forms.DateTimeField(
        label=gettext_lazy("Done at"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"],
        validators=[inputs.validate_event_time],
    )


class LinkForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("Other incident's number"), max_length=20)
    mode = forms.ChoiceField(
        label=gettext_lazy("How"),
        choices=[
            ("link", gettext_lazy("Link: related events")),
            ("merge", gettext_lazy("Merge: this report is a duplicate of the other")),
        ],
        initial="link",
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=200)

    def clean_number(self) -> str:
        return self.cleaned_data["number"].strip().upper()


def eligible_people(*, viewer, incident: Incident) -> QuerySet[Person]:
    """Whom the activator can put in the leading group, as activate_plan allows them: active people the
    viewer sees at the incident's unit and below it, and the people of the units above it (with their
    departments), who see the incident anyway — the 支行行长 leads an outlet's event."""
    unit = incident.unit
    steplen = Unit.steplen
    ancestors = [unit.path[:i] for i in range(steplen, len(unit.path), steplen)]
    above = Q(unit__path__in=ancestors)
    for path in ancestors:
        above |= Q(
            unit__type=UnitType.DEPARTMENT,
            unit__path__startswith=path,
            unit__depth=len(path) // steplen + 1,
        )
    below = Q(visibility.scope(viewer), unit__path__startswith=unit.path)
    return (
        Person.objects.filter(below | above, user__is_active=True)
        .select_related("unit")
        .order_by("unit__path", "name")
    )


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.name} · {obj.unit.name}"


class PeopleChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.name} · {obj.unit.name}"


class ActivateForm(BootstrapMixin, forms.Form):
    """启动: an approved plan version (the ones answering the incident's kind first), the leading group
    and the working groups."""

    version = forms.TypedChoiceField(label=gettext_lazy("Plan"), coerce=int)
    leader = PersonChoice(label=gettext_lazy("Group leader (组长)"), queryset=Person.objects.none())
    deputies = PeopleChoice(
        label=gettext_lazy("Deputy leaders (副组长)"), queryset=Person.objects.none(), required=False
    )
    members = PeopleChoice(
        label=gettext_lazy("Members (成员)"), queryset=Person.objects.none(), required=False
    )
    groups = forms.CharField(
        label=gettext_lazy("Working groups"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "One per line, or separated by 、 or commas. To give a group its leader, write "
            "“name：leader” — the leader must be in the leading group above."
        ),
    )

    def __init__(self, *args, viewer, incident: Incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].choices = version_choices(incident)
        people = eligible_people(viewer=viewer, incident=incident)
        for name in ("leader", "deputies", "members"):
            self.fields[name].queryset = people
        for name in ("deputies", "members"):
            self.fields[name].widget.attrs["size"] = 6

    def clean_version(self) -> PlanVersion:
        version = (
            PlanVersion.objects.select_related("plan")
            .filter(pk=self.cleaned_data["version"], status=VersionStatus.APPROVED)
            .first()
        )
        if version is None:
            raise forms.ValidationError(_("Pick an approved plan."))
        return version

    def clean_groups(self) -> list[str]:
        """One entry per group, “名称” or “名称：组长姓名”, left whole: activate_plan reads the leader's
        name and shortens the group's name (services.tasks.split_group)."""
        entries = [entry.strip() for entry in GROUP_SEPARATORS.split(self.cleaned_data["groups"])]
        return list(dict.fromkeys(entry for entry in entries if entry))


class TaskGroupForm(forms.Form):
    """Which working group of the incident a task belongs to; empty takes it out of its group."""

    group = forms.ModelChoiceField(
        label=gettext_lazy("Working group"), queryset=WorkingGroup.objects.none(), required=False
    )

    def __init__(self, *args, incident: Incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = WorkingGroup.objects.filter(incident=incident)


class GroupLeaderForm(forms.Form):
    """Who leads a working group: someone of the incident's leading group."""

    leader = forms.ModelChoiceField(label=gettext_lazy("Group leader"), queryset=Person.objects.none())

    def __init__(self, *args, incident: Incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = Person.objects.filter(incident_roles__incident=incident)


def version_choices(incident: Incident) -> list:
    versions = list(
        PlanVersion.objects.filter(status=VersionStatus.APPROVED)
        .select_related("plan")
        .order_by("plan__sort_order", "plan__code")
    )
    answering = set(incident.kind.plans.values_list("pk", flat=True))
    first = [(v.pk, v.title) for v in versions if v.plan_id in answering]
    others = [(v.pk, v.title) for v in versions if v.plan_id not in answering]
    choices: list = []
    if first:
        choices.append((_("Plans for %(kind)s") % {"kind": incident.kind.name}, first))
    if others:
        choices.append((_("Other plans"), others))
    return choices


class FindingsForm(forms.Form):
    """The typed part of the investigation (004 第十九条). Responsible people come one per line as
    “姓名：责任”."""

    cause = forms.CharField(label=gettext_lazy("Cause"), required=False, max_length=10000)
    warnings_in_time = forms.TypedChoiceField(
        label=gettext_lazy("Warnings came in time"),
        required=False,
        choices=[("", "—"), ("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))],
        coerce=lambda value: {"yes": True, "no": False}.get(value),
        empty_value=None,
    )
    warnings_note = forms.CharField(label=gettext_lazy("About the warnings"), required=False, max_length=4000)
    responsibility = forms.CharField(
        label=gettext_lazy("Responsible people"), required=False, max_length=10000
    )
    consequences = forms.CharField(label=gettext_lazy("Consequences"), required=False, max_length=10000)
    preventive_measures = forms.CharField(
        label=gettext_lazy("Preventive measures"), required=False, max_length=10000
    )

    def clean_responsibility(self) -> list[dict[str, str]]:
        rows, bad = [], []
        for number, line in enumerate(self.cleaned_data["responsibility"].splitlines(), start=1):
            if not line.strip():
                continue
            name, duty = _split_responsibility(line)
            if not name or not duty:
                bad.append(str(number))
                continue
            rows.append({"name": name[:50], "responsibility": duty})
        if bad:
            raise forms.ValidationError(
                _("Line %(lines)s: write “name：responsibility”.") % {"lines": "、".join(bad)}
            )
        return rows


def _split_responsibility(line: str) -> tuple[str, str]:
    """“姓名：责任” (full-width or ASCII colon) → (name, responsibility)."""
    name, _sep, duty = RESPONSIBILITY_SEPARATOR.sub("：", line, count=1).partition("：")
    return name.strip(), duty.strip()


def error_text(form: forms.Form) -> str:
    """A bound form's errors as one line for a message: “label: error”."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        text = "；".join(str(e) for e in errors)
        parts.append(f"{label}：{text}" if label else text)
    return " ".join(parts)
