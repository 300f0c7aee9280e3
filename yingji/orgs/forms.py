from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.core.forms import BootstrapMixin

from .models import Position, UnitType
from .validators import validate_code, validate_mobile, validate_phone


class UnitForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False, validators=[validate_phone])


class NewUnitForm(UnitForm):
    code = forms.CharField(label=_("Code"), max_length=32, validators=[validate_code])
    type = forms.ChoiceField(
        label=_("Type"), choices=[c for c in UnitType.choices if c[0] != UnitType.HEAD_OFFICE]
    )
    field_order = ["code", "name", "type", "address", "phone"]


class PersonForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    mobile = forms.CharField(label=_("Mobile"), max_length=11, validators=[validate_mobile])
    positions = forms.ModelMultipleChoiceField(
        label=_("Positions"),
        queryset=Position.objects.all(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )


class NewPersonForm(PersonForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput,
        required=False,
        help_text=_("Leave empty to set it later; the person cannot sign in until then."),
    )
    field_order = ["username", "name", "mobile", "email", "positions", "password"]


class SetPasswordForm(BootstrapMixin, forms.Form):
    password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)


class RosterDayForm(forms.Form):
    on_date = forms.DateField()
    leader = forms.IntegerField(required=False)
