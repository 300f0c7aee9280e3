from django import forms
from django.contrib.auth.forms import PasswordChangeForm


class BootstrapMixin:
    """Give every widget Bootstrap's classes, and mark invalid fields, so templates stay logic-free."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                continue
            base = (
                "form-select"
                if isinstance(widget, forms.Select | forms.SelectMultiple)
                else ("form-check-input" if isinstance(widget, forms.CheckboxInput) else "form-control")
            )
            if self.is_bound and name in self.errors:  # type: ignore[attr-defined]
                base += " is-invalid"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {base}".strip()


class StyledPasswordChangeForm(BootstrapMixin, PasswordChangeForm):
    pass
