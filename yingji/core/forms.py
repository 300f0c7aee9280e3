from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from . import inputs


class BootstrapMixin:
    """Give every widget Bootstrap's classes, and mark invalid fields, so templates stay logic-free."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                continue
            base = (
                "form-select"
                if isinstance(widget, forms.Select | forms.SelectMultiple)
                else ("form-check-input" if isinstance(widget, forms.CheckboxInput) else "form-control")
            )
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {base}".strip()

    def full_clean(self):
        # Marked after validation, not in __init__: a subclass may still set choices or querysets
        # after super().__init__(), and validating before that would reject every valid choice.
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            field = self.fields.get(name)  # type: ignore[attr-defined]
            if field is not None and "is-invalid" not in field.widget.attrs.get("class", ""):
                field.widget.attrs["class"] = f"{field.widget.attrs.get('class', '')} is-invalid".strip()


class FilterDateField(forms.DateField):
    """A list's "from" or "to" day: a date picker, refused with a message outside the years a list can
    filter on (inputs.FILTER_FIRST..FILTER_LAST), so a list never fails on its filter."""

    default_validators = [inputs.validate_filter_date]

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        super().__init__(**kwargs)


class StyledPasswordChangeForm(BootstrapMixin, PasswordChangeForm):
    pass


class CalendarDayForm(BootstrapMixin, forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    is_working_day = forms.TypedChoiceField(
        label=_("Kind of day"),
        choices=[
            ("0", _("Day off (statutory holiday)")),
            ("1", _("Working day (make-up day on a weekend)")),
        ],
        coerce=lambda value: value == "1",
        empty_value=None,
    )
    name = forms.CharField(
        label=_("Name"), max_length=50, help_text=_("For example 国庆节, or 国庆节调休 for a make-up day.")
    )


class CalendarYearForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
