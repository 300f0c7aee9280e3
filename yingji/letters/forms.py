from django import forms
from django.utils.translation import gettext_lazy as _

from .models import LetterTemplate


class GenerateForm(forms.Form):
    unit = forms.ChoiceField(label=_("Unit"), widget=forms.Select(attrs={"class": "form-select"}))
    year = forms.IntegerField(
        label=_("Year"),
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.code, u.name) for u in units]


class ScanForm(forms.Form):
    scan = forms.FileField(
        label=_("Scan of the signed letter (PDF, JPEG or PNG)"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class TemplateForm(forms.ModelForm):
    class Meta:
        model = LetterTemplate
        fields = ["title", "preamble", "clauses", "closing"]
        widgets = {
            "title": forms.TextInput(attrs={"class": "form-control"}),
            "preamble": forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
            "clauses": forms.Textarea(attrs={"rows": 10, "class": "form-control"}),
            "closing": forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        }
