"""Forms of the actions on a complaint's page. Each has a prefix (its action's name) so that all of them
can sit on one page with distinct ids. They only parse: what is required, and when, the services say in
their own words, so most fields are optional here."""

from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.core.forms import BootstrapMixin
from yingji.incidents.forms import local_now_minute, unit_choices
from yingji.orgs.models import Unit

from .forms import ErrorsAtFieldsMixin, PersonChoiceField, categories, local_datetime_field, visible_people
from .models import Callback, Category, Pause
from .services.escalation import reputation_kinds

# The ways a decision reaches the customer: the keys of services.work.DELIVERY_WAYS.
DELIVERY_CHOICES = [
    ("phone", _("Phone call")),
    ("sms", _("Text message")),
    ("letter", _("Letter")),
    ("in_person", _("In person")),
    ("email", _("E-mail")),
]


def _text(label, *, rows: int = 2, max_length: int = 4000) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=max_length, widget=forms.Textarea(attrs={"rows": rows})
    )


class ActionForm(ErrorsAtFieldsMixin, BootstrapMixin, forms.Form):
    """Prefixed by its action; `now` fields start at the present minute."""

    now_fields: tuple[str, ...] = ()

    def __init__(self, *args, prefix: str, **kwargs):
        initial = kwargs.setdefault("initial", {})
        for name in self.now_fields:
            initial.setdefault(name, local_now_minute())
        super().__init__(*args, prefix=prefix, **kwargs)


class NoFields(ActionForm):
    pass


class WorkOrderForm(ActionForm):
    to_unit = forms.ChoiceField(label=_("To (department or outlet)"))
    assignee = PersonChoiceField(label=_("Handler (optional)"), queryset=None, required=False)
    instructions = _text(_("Instructions"))

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].choices = unit_choices(viewer)
        self.fields["assignee"].queryset = visible_people(viewer)
        self.fields["assignee"].empty_label = _("— the unit decides —")

    def clean_to_unit(self) -> Unit:
        return Unit.objects.get(code=self.cleaned_data["to_unit"])


class PauseForm(ActionForm):
    reason = forms.ChoiceField(label=_("Why the clock stops"), choices=Pause.Reason.choices)
    note = _text(_("Note"))


class NewFactsForm(ActionForm):
    now_fields = ("received_at",)
    facts = _text(_("New facts from the customer"), rows=3)
    received_at = local_datetime_field(_("Received at"), required=False)


class ExtendForm(ActionForm):
    now_fields = ("customer_told_at",)
    reason = _text(_("Why it needs more time"))
    customer_told_at = local_datetime_field(_("Customer told at"), required=False)
    customer_told_how = forms.CharField(
        label=_("Customer told how"), required=False, max_length=100, initial=_("Phone call")
    )


class ProposalForm(ActionForm):
    findings = _text(_("What the investigation found"), rows=3)
    proposal = _text(_("Proposed decision"), rows=3)


class ApproveForm(ActionForm):
    note = _text(_("Note (optional)"))


class ReturnForm(ActionForm):
    reason = _text(_("What must change"))


class DecisionForm(ActionForm):
    now_fields = ("delivered_at",)
    findings = _text(_("Findings"), rows=3)
    basis = _text(_("Basis (rules, contract)"))
    remedy = _text(_("Remedy (optional)"))
    delivered_how = forms.ChoiceField(label=_("Delivered how"), choices=DELIVERY_CHOICES)
    delivered_at = local_datetime_field(_("Delivered at"), required=False)


class CallbackForm(ActionForm):
    satisfaction = forms.ChoiceField(label=_("Satisfaction"), choices=Callback.Satisfaction.choices)
    note = _text(_("What the customer said"))
    reopen = forms.BooleanField(label=_("Not satisfied: handle it again"), required=False)


class WithdrawForm(ActionForm):
    now_fields = ("withdrawn_at",)
    withdrawn_at = local_datetime_field(_("Withdrawal received at"), required=False)
    note = _text(_("Note"))


class ReviewForm(ActionForm):
    now_fields = ("requested_at",)
    requested_at = local_datetime_field(_("Review asked for at"), required=False)
    note = _text(_("Note"))


class MeetingForm(ActionForm):
    now_fields = ("met_at",)
    met_at = local_datetime_field(_("Met the customer at"), required=False)
    note = _text(_("What the customer wants (note)"))


class MaliciousForm(ActionForm):
    reason = _text(_("Why the meeting or negotiation failed"))


class LeaderReportForm(ActionForm):
    now_fields = ("reported_at",)
    reported_at = local_datetime_field(_("Reported to the general manager at"), required=False)
    note = _text(_("Result and response plan (note)"))


class EscalateForm(ActionForm):
    kind = forms.ModelChoiceField(
        label=_("Reputation event kind"), queryset=reputation_kinds(), required=False, empty_label=None
    )
    spread = _text(_("How it is spreading (a poster, WeChat posts, the media)"), rows=3)
    media_exposure = forms.BooleanField(label=_("Exposed on the media or self-media"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = reputation_kinds()
        # 002: a major complaint spreading is the 重大投诉（社会声誉） kind; the others stay a choice.
        self.fields["kind"].initial = reputation_kinds().filter(code="major_complaint").first()


class KnowledgeForm(ActionForm):
    question = forms.CharField(label=_("The customer's question"), required=False, max_length=300)
    answer = _text(_("Approved answer"), rows=4)
    business = forms.ModelChoiceField(
        label=_("Business type"), queryset=Category.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["business"].queryset = categories(Category.Axis.BUSINESS)
        self.fields["business"].empty_label = _("— as the complaint —")


def error_text(form: forms.Form) -> str:
    """A form's errors as one line for a message, each with its field's own label: "姓名：必填项。"."""
    return " ".join(form.error_lines())  # type: ignore[attr-defined]
