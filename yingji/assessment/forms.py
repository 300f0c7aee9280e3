from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.core.forms import BootstrapMixin
from yingji.orgs.models import UnitType

from . import scoring, writing

# The unit types a ranking compares (departments act for their unit and are not assessed).
RANKED_TYPES = (UnitType.BRANCH, UnitType.SUB_BRANCH, UnitType.OUTLET, UnitType.CALL_CENTRE)


class GenerateForm(BootstrapMixin, forms.Form):
    unit = forms.ChoiceField(label=_("unit"))
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.code, u.name) for u in units]


class SummaryForm(BootstrapMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field, heading in writing.section_headings():
            self.fields[field] = forms.CharField(
                label=heading,
                required=False,
                max_length=writing.MAX_SECTION,
                widget=forms.Textarea(attrs={"rows": 8}),
            )


class RankingForm(BootstrapMixin, forms.Form):
    type = forms.ChoiceField(
        label=_("unit type"), choices=[(t.value, t.label) for t in RANKED_TYPES], required=False
    )
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100, required=False)


class WeightsForm(BootstrapMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for component in scoring.COMPONENTS:
            self.fields[component.code] = forms.IntegerField(
                label=component.label, help_text=component.explains, min_value=0, max_value=100
            )
