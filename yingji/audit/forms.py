from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.core.forms import BootstrapMixin, FilterDateField

from . import labels


class AuditFilterForm(BootstrapMixin, forms.Form):
    action = forms.ChoiceField(label=_("Action"), required=False)
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    actor = forms.CharField(label=_("Actor"), required=False, max_length=150)
    unit_code = forms.CharField(label=_("Unit code"), required=False, max_length=32)
    since = FilterDateField(label=_("From"))
    until = FilterDateField(label=_("To"))

    def __init__(self, *args, actions: list[str], object_types: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        # In words, in the order people read them; the code stays the value the filter sends.
        action_choices = sorted(((a, labels.action_label(a)) for a in actions), key=lambda c: c[1])
        type_choices = sorted(((t, labels.object_type_label(t)) for t in object_types), key=lambda c: c[1])
        self.fields["action"].choices = [("", _("All")), *action_choices]
        self.fields["object_type"].choices = [("", _("All")), *type_choices]
