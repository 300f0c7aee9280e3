"""The intake form (受理登记) and the register's filters. Action forms live in forms_actions.py. The forms
only parse what a person typed; every rule about the complaint lives in the services."""

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from yingji.core import clock, inputs
from yingji.core.forms import BootstrapMixin, FilterDateField
from yingji.incidents.forms import LOCAL_MINUTE, local_now_minute, unit_choices
from yingji.orgs import visibility
from yingji.orgs.models import Person, Unit

from . import reports
from .models import OPEN_STATUSES, Category, Channel, Kind, MajorCause, Status

LOCAL_INPUTS = [LOCAL_MINUTE, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


def local_datetime_field(label, *, required: bool = True) -> forms.DateTimeField:
    """A datetime-local input read as Asia/Shanghai wall-clock time (the site's time zone): a moment in
    a complaint's life, so within the calendar's years and not in the future (inputs)."""
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=LOCAL_INPUTS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE),
        validators=[inputs.validate_received_time],
    )


def categories(axis: str) -> QuerySet[Category]:
    return Category.objects.filter(axis=axis).order_by("sort_order", "code")


def visible_people(viewer) -> QuerySet[Person]:
    return (
        Person.objects.filter(visibility.scope(viewer, "unit"), user__is_active=True)
        .select_related("unit")
        .order_by("unit__path", "name")
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.name} · {obj.unit.name}"


class ErrorsAtFieldsMixin:
    """A refused form shows each error at its field, also those a service names after validation
    (add_error), and the first field in error takes the focus (`autofocus`: the phone scrolls to it).
    `error_lines()` says each error with the field's own label, for the message above the form."""

    def full_clean(self):
        super().full_clean()  # type: ignore[misc]
        self._mark_errors()

    def add_error(self, field, error):
        super().add_error(field, error)  # type: ignore[misc]
        self._mark_errors()

    def _mark_errors(self) -> None:
        first = True
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            attrs = field.widget.attrs
            attrs.pop("autofocus", None)
            if name not in self._errors:  # type: ignore[attr-defined]
                continue
            if "is-invalid" not in attrs.get("class", ""):
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
            attrs["aria-invalid"] = "true"
            if first:
                attrs["autofocus"] = True
                first = False

    def error_lines(self) -> list[str]:
        """ "Label：error" for each field's error, in the form's order; the form's own errors as they are."""
        lines = [str(e) for e in self.non_field_errors()]  # type: ignore[attr-defined]
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            for error in self._errors.get(name, []) if self._errors else []:  # type: ignore[attr-defined]
                lines.append(gettext("%(label)s: %(error)s") % {"label": field.label, "error": error})
        return lines


class RegisterForm(ErrorsAtFieldsMixin, BootstrapMixin, forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    received_at = local_datetime_field(_("Received at"))
    unit = forms.ChoiceField(label=_("Registered at (unit)"))
    # Under the "Customer" heading: the person's name (姓名), not a "name" of a thing (名称).
    customer_name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    customer_phone = forms.CharField(
        label=_("Customer phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    customer_id_number = forms.CharField(
        label=_("ID number (optional)"),
        max_length=18,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, initial=Kind.PROBLEM)
    request = forms.CharField(
        label=_("What the customer asks (诉求)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    content = forms.CharField(
        label=_("Facts: what the customer complains about"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    business = forms.ModelChoiceField(
        label=_("Business type"), queryset=Category.objects.none(), required=False
    )
    cause = forms.ModelChoiceField(label=_("Cause"), queryset=Category.objects.none(), required=False)
    subject_unit = forms.ChoiceField(label=_("Institution complained about"), required=False)
    staff_complained_name = forms.CharField(
        label=_("Staff complained about (name as told)"), max_length=50, required=False
    )
    staff_complained = PersonChoiceField(
        label=_("Staff complained about (pick the person)"), queryset=Person.objects.none(), required=False
    )
    joint_count = forms.IntegerField(
        label=_("Complainants together"),
        min_value=1,
        max_value=100000,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    major_cause = forms.ChoiceField(
        label=_("Caused by a disaster, an accident or a public-health event"),
        choices=MajorCause.choices,
        required=False,
    )
    # The phone whose open complaints the person has seen on this form (then no second look is asked).
    repeats_checked = forms.CharField(required=False, widget=forms.HiddenInput)
    # The number of an open complaint this one repeats (radio buttons in the page's repeats box).
    repeat_of = forms.CharField(required=False, max_length=20)

    def __init__(self, *args, viewer, person: Person | None, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "channel": Channel.COUNTER,
                "received_at": local_now_minute(),
                "unit": person.unit.acting_unit.code if person else "",
                "kind": Kind.PROBLEM,
                "joint_count": 1,
            },
        )
        super().__init__(*args, **kwargs)
        self.viewer = viewer
        units = unit_choices(viewer)
        self.fields["unit"].choices = units
        self.fields["subject_unit"].choices = [("", _("— not named —")), *units]
        self.fields["business"].queryset = categories(Category.Axis.BUSINESS)
        self.fields["cause"].queryset = categories(Category.Axis.CAUSE)
        self.fields["staff_complained"].queryset = visible_people(viewer)
        self.fields["business"].empty_label = _("— choose —")
        self.fields["cause"].empty_label = _("— choose —")
        self.fields["staff_complained"].empty_label = _("— nobody picked —")
        # The phone's open complaints come into the form as it is typed (htmx), to merge a repeat.
        self.fields["customer_phone"].widget.attrs.update(
            {
                "hx-get": reverse("complaints:register"),
                "hx-trigger": "input changed delay:600ms, change",
                "hx-target": "#yj-repeats",
                "hx-swap": "outerHTML",
            }
        )

    def clean_unit(self) -> Unit:
        return Unit.objects.get(code=self.cleaned_data["unit"])

    def clean_subject_unit(self) -> Unit | None:
        code = self.cleaned_data.get("subject_unit")
        return Unit.objects.get(code=code) if code else None

    def clean_customer_phone(self) -> str:
        return self.cleaned_data["customer_phone"].strip()

    def registration(self) -> dict[str, Any]:
        """The keyword arguments of services.register_complaint, apart from the receiver and repeat_of."""
        data = self.cleaned_data
        return {
            "unit": data["unit"],
            "channel": data["channel"],
            "received_at": data["received_at"],
            "customer_name": data["customer_name"],
            "customer_phone": data["customer_phone"],
            "customer_id_number": data["customer_id_number"],
            "kind": data["kind"],
            "request": data["request"],
            "content": data["content"],
            "business": data["business"],
            "cause": data["cause"],
            "subject_unit": data["subject_unit"],
            "staff_complained_name": data["staff_complained_name"],
            "staff_complained": data["staff_complained"],
            "joint_count": data["joint_count"],
            "major_cause": data["major_cause"] or "",
        }

    def repeats_seen(self) -> bool:
        """The person was shown the open complaints of this phone (and chose)."""
        return self.cleaned_data.get("repeats_checked", "") == self.cleaned_data.get("customer_phone")

    def details_fields(self) -> list[forms.BoundField]:
        names = ["business", "cause", "subject_unit", "staff_complained_name", "staff_complained"]
        return [self[n] for n in names]

    def has_details(self) -> bool:
        names = (
            "business",
            "cause",
            "subject_unit",
            "staff_complained_name",
            "staff_complained",
            "joint_count",
            "major_cause",
            "customer_id_number",
        )
        return self.is_bound and any(n in self.errors for n in names)


OVERDUE = "overdue"


class FilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(
        label=_("Number or customer"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("TS-2026-… or a name")}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), ("open", _("Awaiting decision")), *Status.choices],
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("Any channel")), *Channel.choices]
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any kind")), *Kind.choices])
    business = forms.ModelChoiceField(
        label=_("Business type"), queryset=Category.objects.none(), required=False
    )
    cause = forms.ModelChoiceField(label=_("Cause"), queryset=Category.objects.none(), required=False)
    unit = forms.ChoiceField(label=_("Unit (and below)"), required=False)
    since = FilterDateField(label=_("Received from"))
    until = FilterDateField(label=_("to"))
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.viewer = viewer
        self.fields["unit"].choices = [("", _("All my units")), *reports.unit_choices(viewer)]
        self.fields["business"].queryset = categories(Category.Axis.BUSINESS)
        self.fields["cause"].queryset = categories(Category.Axis.CAUSE)
        self.fields["business"].empty_label = _("Any business type")
        self.fields["cause"].empty_label = _("Any cause")

    def selection(self) -> dict[str, Any]:
        """The filters of selectors.complaints_for."""
        data = self.cleaned_data if self.is_valid() else {}
        chosen: dict[str, Any] = {
            "channel": data.get("channel", ""),
            "kind": data.get("kind", ""),
            "business": data.get("business"),
            "cause": data.get("cause"),
        }
        status = data.get("status", "")
        if status == "open":
            chosen["status__in"] = OPEN_STATUSES
        elif status:
            chosen["status"] = status
        if data.get("unit"):
            unit = visibility.visible_units(self.viewer).filter(code=data["unit"]).first()
            chosen["unit__path__startswith"] = unit.path if unit else "-"
        if data.get("since"):
            chosen["received_at__gte"] = inputs.day_start(data["since"])
        if data.get("until"):
            chosen["received_at__lt"] = inputs.day_end(data["until"])
        if data.get("overdue"):
            chosen["status__in"] = OPEN_STATUSES if status in ("", "open") else [status]
            chosen["decision_due_at__lt"] = clock.now()
        return chosen

    def search(self) -> Q:
        """The text search: a number (or its start, "TS-2026-0001"), or the customer's name from its
        first character. Prefixes, because both have an index a prefix can use; a substring of a
        million names cannot."""
        text = (self.cleaned_data.get("q") or "").strip() if self.is_valid() else ""
        if not text:
            return Q()
        return Q(number__startswith=text.upper()) | Q(customer_name__startswith=text)

    def is_filtered(self) -> bool:
        return any(self.data.get(name) for name in self.fields)
