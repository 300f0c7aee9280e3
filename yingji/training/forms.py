from datetime import datetime

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.core import clock
from yingji.core.forms import BootstrapMixin
from yingji.orgs import visibility
from yingji.orgs.models import Person, PositionCode, Unit
from yingji.security.forms import SCHEDULE_LABELS

from . import permissions, services
from .models import SessionKind


class PlanForm(BootstrapMixin, forms.Form):
    kind = forms.ModelChoiceField(
        label=pgettext_lazy("training", "Kind"),
        queryset=SessionKind.objects.filter(is_active=True),
        empty_label="—",
    )
    topic = forms.CharField(label=_("Topic"), max_length=200)
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start = forms.TimeField(
        label=pgettext_lazy("training", "From"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    end = forms.TimeField(
        label=pgettext_lazy("training", "To"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    place = forms.CharField(label=_("Place"), max_length=100, required=False)
    trainer = forms.ModelChoiceField(
        label=_("Trainer (内训师)"), queryset=Person.objects.none(), required=False, empty_label="—"
    )
    trainer_name = forms.CharField(label=_("or an outside trainer"), max_length=50, required=False)
    attendees = forms.ModelMultipleChoiceField(
        label=_("Staff expected"),
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, unit: Unit, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        staff = services.staff_of(unit).order_by("unit__path", "name")
        self.fields["attendees"].queryset = staff
        self.fields["attendees"].label_from_instance = lambda p: f"{p.name}（{p.unit.name}）"
        trainers = visibility.visible(Person.objects.filter(user__is_active=True), viewer).filter(
            Q(
                positions__code__in=[
                    permissions.TRAINER,
                    permissions.SECURITY_OFFICER,
                    PositionCode.EMERGENCY_ADMIN,
                ]
            )
            | Q(unit__path__startswith=unit.path)
            | Q(user=viewer)
        )
        self.fields["trainer"].queryset = Person.objects.filter(pk__in=trainers.values("pk")).select_related(
            "unit"
        )
        self.fields["trainer"].label_from_instance = lambda p: f"{p.name}（{p.unit.name}）"
        if not self.is_bound:
            self.initial.setdefault("attendees", [p.pk for p in staff])

    def moments(self) -> tuple[datetime | None, datetime | None]:
        data = self.cleaned_data
        if not all(data.get(k) for k in ("day", "start", "end")):
            return None, None
        return (
            datetime.combine(data["day"], data["start"], tzinfo=clock.SHANGHAI),
            datetime.combine(data["day"], data["end"], tzinfo=clock.SHANGHAI),
        )


class MarkForm(BootstrapMixin, forms.Form):
    present = forms.TypedChoiceField(
        label=_("Attendance"),
        choices=[("1", _("Present")), ("0", _("Absent"))],
        coerce=lambda v: v == "1",
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)


class CancelForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class MaterialForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("Material"))


class CadenceForm(BootstrapMixin, forms.Form):
    every_months = forms.TypedChoiceField(label=_("Held"), choices=SCHEDULE_LABELS, coerce=int)
