"""Forms of the actions in the incident room. They only parse what a person typed; every rule about
who may do what, and when, lives in the services."""

import re
from dataclasses import dataclass

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core import inputs
from yingji.core.forms import BootstrapMixin
from yingji.orgs import visibility
from yingji.orgs.models import Person, Position, Unit, UnitType
from yingji.plans.models import Fact, Level, PlanVersion, VersionStatus
from yingji.plans.selectors import fitting_plans

from . import selectors
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


@dataclass
class PlanCard:
    """A plan offered at activation: its approved version, whether it fits the incident's kind and unit
    type, its working groups (name and the leader's position) and whom its leading group proposes."""

    version: PlanVersion
    fitting: bool
    groups: list[tuple[str, str]]
    proposal: dict
    checked: bool = False


@dataclass
class PersonRow:
    person: Person
    positions: str
    leader: bool
    deputy: bool
    member: bool
    hidden: bool


class ActivateForm(BootstrapMixin, forms.Form):
    """启动 on a phone: the plans that fit the incident as cards (the others behind 其他预案), the leading
    group as one list of people by unit where each row has 组长 (one), 副组长 and 成员 (any), pre-set from
    the chosen plan's leading group, and extra working groups: the plan's own are always formed."""

    version = forms.TypedChoiceField(label=gettext_lazy("Plan"), coerce=int, widget=forms.RadioSelect)
    leader = PersonChoice(
        label=gettext_lazy("Group leader (组长)"), queryset=Person.objects.none(), widget=forms.RadioSelect
    )
    deputies = PeopleChoice(
        label=gettext_lazy("Deputy leaders (副组长)"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    members = PeopleChoice(
        label=gettext_lazy("Members (成员)"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    groups = forms.CharField(
        label=gettext_lazy("More working groups"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "The plan's own working groups are formed anyway. Add others one per line; to give a group "
            "its leader, write “name：leader” — the leader must be in the leading group above."
        ),
    )

    def __init__(
        self, *args, viewer, incident: Incident, actor: Person | None = None, filter_text="", **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.incident = incident
        self.filter_text = (filter_text or "").strip()[:50]
        people = eligible_people(viewer=viewer, incident=incident).prefetch_related("positions")
        for name in ("leader", "deputies", "members"):
            self.fields[name].queryset = people
        self.people = list(people)
        self.plan_cards = plan_cards(incident, self.people)
        self.fields["version"].choices = [(c.version.pk, c.version.title) for c in self.plan_cards]
        if not self.is_bound:
            self.initial |= self._proposed(actor)
        chosen = str(self["version"].value() or "")
        for card in self.plan_cards:
            card.checked = str(card.version.pk) == chosen

    def _proposed(self, actor: Person | None) -> dict:
        """The first fitting plan, and its leading group; without one, the activator leads."""
        card = next((c for c in self.plan_cards if c.fitting), None)
        proposal = card.proposal if card else {"leader": None, "deputies": [], "members": []}
        return {
            "version": card.version.pk if card else None,
            "leader": proposal["leader"] or (actor.pk if actor else None),
            "deputies": proposal["deputies"],
            "members": proposal["members"],
        }

    @property
    def fitting_cards(self) -> list[PlanCard]:
        return [c for c in self.plan_cards if c.fitting]

    @property
    def other_cards(self) -> list[PlanCard]:
        return [c for c in self.plan_cards if not c.fitting]

    def people_by_unit(self) -> list[tuple[Unit, list[PersonRow]]]:
        """The people by unit (top of the tree first), each row saying what is chosen. A row the filter
        text does not match is hidden, unless it is chosen: a choice never disappears from view."""

        def chosen(name: str) -> set[str]:
            value = self[name].value()
            values = value if isinstance(value, list | tuple) else [value]
            return {str(v) for v in values if v not in (None, "")}

        leader, deputies, members = chosen("leader"), chosen("deputies"), chosen("members")
        text = self.filter_text
        units: dict[int, tuple[Unit, list[PersonRow]]] = {}
        for p in self.people:
            pk = str(p.pk)
            picked = pk in leader or pk in deputies or pk in members
            row = PersonRow(
                person=p,
                positions="、".join(x.name for x in p.positions.all()),
                leader=pk in leader,
                deputy=pk in deputies,
                member=pk in members,
                hidden=bool(text) and not picked and text not in f"{p.name} {p.unit.name}",
            )
            units.setdefault(p.unit_id, (p.unit, []))[1].append(row)
        return sorted(units.values(), key=lambda entry: self._nearness(entry[0]))

    def _nearness(self, unit: Unit) -> tuple[int, int, str]:
        """The incident's own unit (and below) first, then the units above from the nearest up: on a
        phone the people at hand come before head office."""
        here = self.incident.unit.path
        if unit.path.startswith(here):
            return (0, 0, unit.path)
        acting = unit.path[: -Unit.steplen] if unit.type == UnitType.DEPARTMENT else unit.path
        return (1, -len(acting), unit.path)

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


def plan_cards(incident: Incident, people: list[Person]) -> list[PlanCard]:
    """Every approved plan as a card, those that fit the incident first (plans.selectors.fitting_plans:
    its kind, its unit's type), each with its groups and proposed leading group. Three queries."""
    fitting = {p.pk for p in fitting_plans(kind=incident.kind, unit_type=incident.unit.type)}
    versions = list(
        PlanVersion.objects.filter(status=VersionStatus.APPROVED)
        .select_related("plan")
        .order_by("plan__sort_order", "plan__code")
    )
    codes = {g.get("leader_position") for v in versions for g in v.groups or []} - {None, ""}
    names = dict(Position.objects.filter(code__in=codes).values_list("code", "name"))
    cards = [
        PlanCard(
            version=v,
            fitting=v.plan_id in fitting,
            groups=[(g["name"], names.get(g.get("leader_position") or "", "")) for g in v.groups or []],
            proposal=selectors.proposed_leadership(
                leadership=v.leadership or {}, incident=incident, people=people
            ),
        )
        for v in versions
    ]
    return sorted(cards, key=lambda c: not c.fitting)


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
