"""The report form (首报) and the list's filters. Action forms live in forms_actions.py."""

import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from yingji.core import clock, inputs
from yingji.core.forms import FilterDateField
from yingji.orgs import visibility
from yingji.orgs.models import Person, Unit
from yingji.plans.models import EventGroup, EventKind, Fact, Level

from .models import REPORT_FIELDS, Incident, Status

INTEGER_FACTS = (
    Fact.OUTLETS_AFFECTED,
    Fact.INJURED,
    Fact.DEATHS,
    Fact.CUSTOMERS_GATHERED,
    Fact.SYSTEM_DOWN_MINUTES,
)
SHORT_CONTENT = {"location", "amount_involved", "people_involved"}
LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


def kind_choices() -> list:
    """Event kinds under their group, in the library's order: the <select> shows them as <optgroup>s."""
    by_group: dict[str, list[tuple[str, str]]] = {}
    for kind in EventKind.objects.order_by("sort_order", "code"):
        by_group.setdefault(kind.group, []).append((kind.code, kind.name))
    return [("", _("Choose what happened"))] + [
        (label, by_group[value]) for value, label in EventGroup.choices if value in by_group
    ]


def unit_choices(viewer) -> list[tuple[str, str]]:
    """The units the reporter may report for, as a tree (indented under their parents)."""
    units = list(visibility.visible_units(viewer).filter(is_active=True).order_by("path"))
    top = min((u.depth for u in units), default=1)
    return [(u.code, "\u3000" * (u.depth - top) + u.name) for u in units]


def style(form: forms.Form) -> None:
    """Bootstrap's classes, and `is-invalid` on the fields in error. Unlike yingji.core.forms.BootstrapMixin
    this runs after the choices are set: validating before that would refuse every kind and unit."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        if form.is_bound and name in form.errors:
            css += " is-invalid"
        widget.attrs["class"] = css


class StyledForm(forms.Form):
    def add_error(self, field, error) -> None:
        """A service's refusal, placed after validation, marks its field too."""
        super().add_error(field, error)
        style(self)


def local_now_minute() -> str:
    return clock.now().astimezone(clock.SHANGHAI).strftime(LOCAL_MINUTE)


class ReportForm(StyledForm):
    kind = forms.ChoiceField(label=_("What happened"))
    unit = forms.ChoiceField(label=_("Where (unit)"))
    occurred_at = forms.DateTimeField(
        label=_("When it happened"),
        input_formats=[LOCAL_MINUTE, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE),
        validators=[inputs.validate_event_time],
    )
    description = forms.CharField(
        label=_("In a few words"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    idempotency_key = forms.CharField(max_length=100, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, viewer, person: Person | None, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "unit": person.unit.acting_unit.code if person else "",
                "occurred_at": local_now_minute(),
                "idempotency_key": uuid.uuid4().hex,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_choices()
        self.fields["unit"].choices = unit_choices(viewer)
        self.fields["description"].widget.attrs["placeholder"] = _(
            "e.g. A customer slipped in the lobby and hurt his leg."
        )
        for name in REPORT_FIELDS:
            label = capfirst(Incident._meta.get_field(name).verbose_name)
            if name in SHORT_CONTENT:
                self.fields[name] = forms.CharField(label=label, required=False, max_length=200)
            else:
                self.fields[name] = forms.CharField(
                    label=label, required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
                )
        for fact in INTEGER_FACTS:
            self.fields[fact.value] = forms.IntegerField(
                label=fact.label,
                required=False,
                min_value=0,
                max_value=10**12,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
        self.fields[Fact.AMOUNT_YUAN.value] = forms.DecimalField(
            label=Fact.AMOUNT_YUAN.label,
            required=False,
            min_value=Decimal(0),
            max_digits=15,
            decimal_places=2,
            widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
        )
        self.fields[Fact.MEDIA_EXPOSURE.value] = forms.BooleanField(
            label=Fact.MEDIA_EXPOSURE.label, required=False
        )
        style(self)

    def clean_kind(self) -> EventKind:
        kind = EventKind.objects.filter(code=self.cleaned_data["kind"]).first()
        if kind is None:
            raise forms.ValidationError(_("Choose what happened."))
        return kind

    def clean_unit(self) -> Unit:
        return Unit.objects.get(code=self.cleaned_data["unit"])

    def content_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in REPORT_FIELDS]

    def fact_fields(self) -> list[forms.BoundField]:
        """The numbers first, then the yes/no."""
        names = [*(f.value for f in INTEGER_FACTS), Fact.AMOUNT_YUAN.value, Fact.MEDIA_EXPOSURE.value]
        return [self[name] for name in names]

    def has_details(self) -> bool:
        """Open the "more details" section when it holds something or an error."""
        names = (*REPORT_FIELDS, *Fact.values)
        return self.is_bound and any(self.data.get(n) or n in self.errors for n in names)

    def report(self) -> dict[str, Any]:
        """The keyword arguments of services.report_incident, apart from the reporter."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "unit": data["unit"],
            "occurred_at": data["occurred_at"],
            "description": data["description"],
            "content": {name: data[name] for name in REPORT_FIELDS if data.get(name)},
            "facts": self.facts(),
            "idempotency_key": data.get("idempotency_key") or None,
        }

    def facts(self) -> dict[str, Any]:
        """Empty means not given; an amount goes as text (JSON has no decimals)."""
        facts: dict[str, Any] = {}
        for name in Fact.values:
            value = self.cleaned_data.get(name)
            if value is None or value is False:
                continue
            facts[name] = str(value) if name == Fact.AMOUNT_YUAN else value
        return facts


OPEN = "open"


class FilterForm(StyledForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), (OPEN, _("Open (not yet terminated)")), *Status.choices],
    )
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("Any level")), *Level.choices]
    )
    kind = forms.ChoiceField(label=_("Event kind"), required=False)
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    since = FilterDateField(label=_("Reported from"))
    until = FilterDateField(label=_("to"))

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = kind_choices()
        self.fields["kind"].choices = [("", _("Any kind")), *kinds[1:]]
        self.fields["unit"].choices = [("", _("All my units")), *unit_choices(viewer)]
        style(self)

    def selection(self) -> dict[str, Any]:
        """The selector's filters; the `open` pseudo-status is returned apart."""
        data = self.cleaned_data if self.is_valid() else {}
        since, until = data.get("since"), data.get("until")
        return {
            "status": data.get("status", "") if data.get("status") != OPEN else "",
            "level": data.get("level", ""),
            "kind": data.get("kind", ""),
            "unit_code": data.get("unit", ""),
            "since": inputs.day_start(since) if since else None,
            "until": inputs.day_end(until) if until else None,
        }

    def open_only(self) -> bool:
        return self.is_valid() and self.cleaned_data.get("status") == OPEN


# --- Approvals by the unit above and the accountability findings (views_approvals.py) ---------------


class LevelDecisionForm(forms.Form):
    """The unit above on a request to lower the level below the rules."""

    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))]
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


YES_NO = [("", "—"), ("yes", _("Yes")), ("no", _("No"))]


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class AccountabilityForm(forms.Form):
    """004 第二十一条: whether the reporting was 隐瞒 (concealed) or 谎报 (false), and the measures taken
    against the people responsible (第二十条: handed to 公安 where it is a crime). The measures come as
    rows of inputs with the same names (person, measure, police, note), one row per measure."""

    concealed = forms.TypedChoiceField(
        label=_("Was the event concealed (隐瞒)?"),
        choices=YES_NO,
        coerce=_yes_no,
        empty_value=None,
        required=False,
    )
    concealed_note = forms.CharField(label=_("About the concealment"), required=False, max_length=4000)
    false_report = forms.TypedChoiceField(
        label=_("Was it falsely reported (谎报)?"),
        choices=YES_NO,
        coerce=_yes_no,
        empty_value=None,
        required=False,
    )
    false_report_note = forms.CharField(label=_("About the false report"), required=False, max_length=4000)

    ROWS = ("person", "measure", "police", "note")

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.rows = self._rows(data) if data is not None else []

    @staticmethod
    def _rows(data) -> list[dict]:
        columns = {name: data.getlist(f"acc_{name}") for name in AccountabilityForm.ROWS}
        count = max((len(values) for values in columns.values()), default=0)
        rows = []
        for index in range(count):
            cell = {
                name: (values[index] if index < len(values) else "").strip()
                for name, values in columns.items()
            }
            if not any(cell[name] for name in ("person", "measure", "note")):
                continue  # an empty row of the page
            rows.append(
                {
                    "person": cell["person"],
                    "measure": cell["measure"],
                    "police": cell["police"] == "yes",
                    "note": cell["note"],
                }
            )
        return rows

    def findings(self) -> dict:
        return {**self.cleaned_data, "accountability": self.rows}
