"""The actions on a complaint's page. Each is a POST to `<number>/<action>/` that parses its form, calls one
service and goes back to the complaint with what happened; a refusal is shown as the service words it and
changes nothing. Outside visibility answers 404, an action the person may not take 403."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yingji.core import inputs
from yingji.core.errors import DomainError, NotAllowed, NotVisible
from yingji.core.web import add_error, domain_view
from yingji.orgs import visibility
from yingji.orgs.models import Person

from . import selectors, services
from .forms_actions import NoFields, error_text
from .models import Complaint, WorkOrder
from .views import action_form, detail_context

Call = Callable[[Person, Complaint, dict, HttpRequest], object]


def _accept(person: Person, complaint: Complaint, data: dict, request: HttpRequest) -> object:
    order_id = inputs.record_id(request.POST.get("order"))
    order = WorkOrder.objects.filter(complaint=complaint, pk=order_id).first() if order_id else None
    if order is None:
        raise Http404()
    return services.accept_work_order(actor=person, order=order)


# slug → (the form's name on the page, or "" for none; the one service it calls; what is said when done)
ACTIONS: dict[str, tuple[str, Call, object]] = {
    "start": (
        "",
        lambda p, c, d, r: services.start_handling(actor=p, complaint=c),
        gettext_lazy("You handle the complaint now."),
    ),
    "work-order": (
        "work_order",
        lambda p, c, d, r: services.issue_work_order(
            actor=p, complaint=c, to_unit=d["to_unit"], assignee=d["assignee"], instructions=d["instructions"]
        ),
        gettext_lazy("Work order issued; the unit has been told."),
    ),
    "accept": ("", _accept, gettext_lazy("Work order accepted: the complaint is yours now.")),
    "pause": (
        "pause",
        lambda p, c, d, r: services.pause_clock(actor=p, complaint=c, reason=d["reason"], note=d["note"]),
        gettext_lazy("The clock is paused."),
    ),
    "resume": (
        "",
        lambda p, c, d, r: services.resume_clock(actor=p, complaint=c),
        gettext_lazy("The clock runs again; the deadline moved by the paused time."),
    ),
    "new-facts": (
        "new_facts",
        lambda p, c, d, r: services.add_new_facts(
            actor=p, complaint=c, facts=d["facts"], received_at=d["received_at"]
        ),
        gettext_lazy("New facts recorded: the decision period starts again from their receipt."),
    ),
    "extend": (
        "extend",
        lambda p, c, d, r: services.extend_deadline(
            approver=p,
            complaint=c,
            reason=d["reason"],
            customer_told_at=d["customer_told_at"],
            customer_told_how=d["customer_told_how"],
        ),
        gettext_lazy("Deadline extended."),
    ),
    "proposal": (
        "proposal",
        lambda p, c, d, r: services.submit_proposal(
            actor=p, complaint=c, findings=d["findings"], proposal=d["proposal"]
        ),
        gettext_lazy("Proposal submitted for review."),
    ),
    "approve": (
        "approve",
        lambda p, c, d, r: services.approve_proposal(reviewer=p, complaint=c, note=d["note"]),
        gettext_lazy("Proposal approved: the decision can go to the customer."),
    ),
    "send-back": (
        "send_back",
        lambda p, c, d, r: services.return_proposal(reviewer=p, complaint=c, reason=d["reason"]),
        gettext_lazy("Proposal sent back."),
    ),
    "decision": (
        "decision",
        lambda p, c, d, r: services.record_decision(
            actor=p,
            complaint=c,
            findings=d["findings"],
            basis=d["basis"],
            remedy=d["remedy"],
            delivered_how=d["delivered_how"],
            delivered_at=d["delivered_at"],
        ),
        gettext_lazy("Decision recorded."),
    ),
    "callback": (
        "callback",
        lambda p, c, d, r: services.record_callback(
            actor=p, complaint=c, satisfaction=d["satisfaction"], note=d["note"], reopen=d["reopen"]
        ),
        gettext_lazy("Callback recorded."),
    ),
    "archive": (
        "",
        lambda p, c, d, r: services.archive(actor=p, complaint=c),
        gettext_lazy("Archived."),
    ),
    "withdraw": (
        "withdraw",
        lambda p, c, d, r: services.withdraw(
            actor=p, complaint=c, withdrawn_at=d["withdrawn_at"], note=d["note"]
        ),
        gettext_lazy("Withdrawn: the procedure ends."),
    ),
    "review": (
        "review",
        lambda p, c, d, r: services.request_review(
            actor=p, complaint=c, requested_at=d["requested_at"], note=d["note"]
        ),
        gettext_lazy("Review requested: the superior institution decides within 30 days."),
    ),
    "meeting": (
        "meeting",
        lambda p, c, d, r: services.record_meeting(actor=p, complaint=c, met_at=d["met_at"], note=d["note"]),
        gettext_lazy("Meeting recorded: the proposal is due 24 hours after it."),
    ),
    "malicious": (
        "malicious",
        lambda p, c, d, r: services.turn_malicious(actor=p, complaint=c, reason=d["reason"]),
        gettext_lazy("Turned into a malicious complaint; its clocks start now."),
    ),
    "leader-report": (
        "leader_report",
        lambda p, c, d, r: services.report_to_leader(
            actor=p, complaint=c, reported_at=d["reported_at"], note=d["note"]
        ),
        gettext_lazy("Report to the general manager recorded."),
    ),
    "escalate": (
        "escalate",
        lambda p, c, d, r: services.escalate_to_incident(
            actor=p, complaint=c, kind=d["kind"], spread=d["spread"], media_exposure=d["media_exposure"]
        ),
        gettext_lazy("Reported as a reputation incident; the complaint and the incident are linked."),
    ),
    "knowledge": (
        "knowledge",
        lambda p, c, d, r: services.add_knowledge_entry(
            author=p, complaint=c, question=d["question"], answer=d["answer"], business=d["business"]
        ),
        gettext_lazy("Added to the knowledge base."),
    ),
}


def _complaint(request: HttpRequest, number: str) -> tuple[Complaint, Person]:
    complaint = selectors.complaint_for(viewer=request.user, number=number)
    person = visibility.person_of(request.user)
    if person is None:
        raise PermissionDenied(_("Only a person of the bank acts on a complaint."))
    return complaint, person


@domain_view
@require_POST
def act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404()
    complaint, person = _complaint(request, number)
    form_name, call, done = ACTIONS[action]
    form = (
        action_form(form_name, request.user, request.POST) if form_name else NoFields(request.POST, prefix="")
    )
    if not form.is_valid():
        return _refused(request, number, form_name, form, error_text(form))
    try:
        call(person, complaint, form.cleaned_data, request)
    except (NotVisible, NotAllowed):
        raise
    except DomainError as exc:
        # The service's words, each field's at its field and, in the message, under the field's label.
        add_error(form, exc)
        told = [exc.message, *(line for line in form.error_lines() if line != exc.message)]
        return _refused(request, number, form_name, form, " ".join(told))
    messages.success(request, str(done))
    return redirect(f"{complaint.get_absolute_url()}#yj-actions")


def _refused(request: HttpRequest, number: str, form_name: str, form, message: str) -> HttpResponse:
    """The page again with the refused form as it was typed (open, errors at their fields, the first one
    focused), not a redirect that would lose what was typed. Nothing was written."""
    messages.error(request, message)
    bound = {form_name: form} if form_name else {}
    return render(request, "complaints/detail.html", detail_context(request, number, bound=bound))


@domain_view
@require_POST
def reveal(request: HttpRequest, number: str) -> HttpResponse:
    """The unmasked phone and ID number, in this response only; the look is audited."""
    complaint, person = _complaint(request, number)
    revealed = services.reveal_personal_data(viewer=person, complaint=complaint)
    return render(request, "complaints/detail.html", detail_context(request, number, revealed=revealed))
