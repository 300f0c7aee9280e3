"""The complaint pages: the register (台账 on screen), intake (受理登记), a complaint's page and the
knowledge base. Thin: parse, call a selector or one service, render. The actions on a complaint are in
views_actions.py."""

from datetime import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from yingji.core import clock
from yingji.core.due import due_text
from yingji.core.errors import InvalidInput, InvalidTransition
from yingji.core.web import add_error, domain_view
from yingji.deadlines.models import Deadline
from yingji.orgs import visibility
from yingji.orgs.models import Person

from . import forms_actions as af
from . import permissions, selectors, services
from .forms import FilterForm, RegisterForm
from .models import DONE_STATUSES, OPEN_STATUSES, TRANSITIONS, Complaint, Kind, Status, WorkOrder
from .privacy import mask_id_number, mask_phone
from .services.steps import BEFORE_PROPOSAL
from .services.work import last_proposal

PER_PAGE = 25
DELIVERY_LABELS = dict(af.DELIVERY_CHOICES)
MAX_REPEATS = 10


def is_overdue(complaint: Complaint, now: datetime) -> bool:
    return complaint.status in OPEN_STATUSES and complaint.decision_due_at < now


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP rows: head office's "all open" is 300,000 complaints, and counting them
    exactly costs more than the page; past the cap the page says "more than 10,000"."""

    COUNT_CAP = 10_000

    @cached_property
    def count(self) -> int:
        return self.object_list[: self.COUNT_CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.COUNT_CAP


@require_GET
def complaint_list(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None, viewer=request.user)
    complaints = selectors.complaints_for(request.user, **form.selection()).filter(form.search())
    page = CappedPaginator(complaints, PER_PAGE).get_page(request.GET.get("page"))
    now = clock.now()
    rows = [
        {
            "complaint": c,
            "phone": mask_phone(c.customer_phone),
            "due": due_text(c.decision_due_at),
            "overdue": is_overdue(c, now),
            "paused": c.status == Status.PAUSED,
        }
        for c in page.object_list
    ]
    return render(
        request,
        "complaints/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "overdue_count": selectors.overdue_now(viewer=request.user, now=now).count(),
            "filtered": form.is_filtered(),
            "ledger_query": _ledger_query(request),
        },
    )


# The list's filter names → the ledger's, so "download" exports what the list shows.
LEDGER_PARAMS = {
    "status": "status",
    "channel": "channel",
    "kind": "kind",
    "unit": "unit",
    "since": "received_from",
    "until": "received_to",
}


def _ledger_query(request: HttpRequest) -> str:
    query = QueryDict(mutable=True)
    for name, ledger_name in LEDGER_PARAMS.items():
        if request.GET.get(name):
            query[ledger_name] = request.GET[name]
    return query.urlencode()


@domain_view
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    person = visibility.person_of(request.user)
    if request.method == "GET" and request.headers.get("HX-Request") == "true":
        return _repeats_box(request, request.GET.get("customer_phone", "").strip())
    form = RegisterForm(request.POST or None, viewer=request.user, person=person)
    repeats: list[Complaint] = []
    if request.method == "POST" and person is None:
        form.add_error(
            None, _("Your account belongs to no unit, so it cannot register; sign in as a person.")
        )
    elif request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["customer_phone"]
        repeats = _repeats(request, phone)
        if repeats and not form.repeats_seen():
            # Shown once: the person decides to merge into one of them or to register anew.
            messages.warning(
                request, _("This customer has open complaints: merge as a repeat or register anew.")
            )
        else:
            repeat_of = next((c for c in repeats if c.number == form.cleaned_data["repeat_of"]), None)
            try:
                complaint = services.register_complaint(
                    receiver=person, repeat_of=repeat_of, **form.registration()
                )
            except (InvalidInput, InvalidTransition) as exc:
                add_error(form, exc)
            else:
                if repeat_of is not None:
                    messages.success(
                        request,
                        _("Recorded as a repeat of %(number)s: no new register entry.")
                        % {"number": complaint.number},
                    )
                else:
                    messages.success(
                        request,
                        _("Complaint %(number)s registered. Decision due %(due)s.")
                        % {"number": complaint.number, "due": due_text(complaint.decision_due_at)},
                    )
                return redirect(complaint)
    return render(
        request,
        "complaints/register.html",
        {"form": form, "person": person, "repeats": repeats, "phone": form.data.get("customer_phone", "")},
    )


def _repeats(request: HttpRequest, phone: str) -> list[Complaint]:
    if not phone:
        return []
    return list(selectors.possible_repeats(viewer=request.user, customer_phone=phone)[:MAX_REPEATS])


def _repeats_box(request: HttpRequest, phone: str) -> HttpResponse:
    """The open complaints of the phone just typed, into the form through htmx."""
    return render(
        request,
        "complaints/register.html#repeats",
        {"repeats": _repeats(request, phone), "phone": phone, "chosen": ""},
    )


# The forms of the actions on the page, by action name; each view in views_actions.py posts one.
ACTION_FORMS = {
    "work_order": af.WorkOrderForm,
    "pause": af.PauseForm,
    "new_facts": af.NewFactsForm,
    "extend": af.ExtendForm,
    "proposal": af.ProposalForm,
    "approve": af.ApproveForm,
    "send_back": af.ReturnForm,
    "decision": af.DecisionForm,
    "callback": af.CallbackForm,
    "withdraw": af.WithdrawForm,
    "review": af.ReviewForm,
    "knowledge": af.KnowledgeForm,
    "meeting": af.MeetingForm,
    "malicious": af.MaliciousForm,
    "leader_report": af.LeaderReportForm,
    "escalate": af.EscalateForm,
}


def action_form(name: str, viewer, data=None, *, initial: dict | None = None) -> af.ActionForm:
    form_class = ACTION_FORMS[name]
    if form_class is af.WorkOrderForm:
        return form_class(data, prefix=name, viewer=viewer, initial=initial or {})
    return form_class(data, prefix=name, initial=initial or {})


def decision_initial(complaint: Complaint) -> dict[str, str]:
    """The decision starts from the approved proposal: its findings, and the proposed decision as the
    remedy, for the handler to correct rather than type again."""
    proposal = last_proposal(complaint)
    if complaint.status != Status.APPROVED or proposal is None:
        return {}
    return {
        "findings": proposal.data.get("findings", ""),
        "remedy": proposal.data.get("proposal", proposal.text),
    }


def allowed_actions(person: Person | None, complaint: Complaint) -> set[str]:
    """What the viewer may do now: the transition table and the permissions the services check."""
    if person is None:
        return set()
    status = complaint.status
    moves = TRANSITIONS.get(Status(status), set())
    handles = permissions.can_handle(person, complaint)
    reviews = permissions.can_review(person, complaint)
    actions: set[str] = set()
    if handles:
        if status == Status.REGISTERED:
            actions.add("start")
        if Status.ASSIGNED in moves:
            actions.add("work_order")
        if Status.PAUSED in moves and status != Status.PAUSED:
            actions.add("pause")
        if status == Status.PAUSED:
            actions.add("resume")
        if status in OPEN_STATUSES and status != Status.PAUSED:
            actions.add("new_facts")
        if status == Status.REPLIED:
            actions.add("callback")
        if Status.ARCHIVED in moves:
            actions.add("archive")
        if Status.WITHDRAWN in moves:
            actions.add("withdraw")
        if status == Status.APPROVED or (
            status == Status.REVIEWING and permissions.is_superior_of(person, complaint.unit)
        ):
            actions.add("decision")
    if status == Status.ASSIGNED and any(
        o.state == WorkOrder.State.ISSUED and permissions.can_accept(person, o)
        for o in complaint.work_orders.all()
    ):
        actions.add("accept")
    if status in (Status.HANDLING, Status.RETURNED) and permissions.is_handler(person, complaint):
        actions.add("proposal")
    if reviews and status in (Status.PENDING_REVIEW, Status.APPROVED):
        proposal = last_proposal(complaint)
        if proposal is None or proposal.actor_id != person.pk:
            actions.add("send_back")
            if status == Status.PENDING_REVIEW:
                actions.add("approve")
    may_extend = reviews or permissions.is_superior_of(person, complaint.unit)
    if status in OPEN_STATUSES and complaint.period_days < 60 and may_extend:
        actions.add("extend")
    if complaint.replied_at and Status.REVIEWING in moves:
        actions.add("review")
    if status in DONE_STATUSES and (permissions.leads(person) or permissions.is_consumer_protection(person)):
        actions.add("knowledge")
    # Seed 001's steps with their clocks (services.steps), offered in the states the services accept.
    if handles and status in BEFORE_PROPOSAL and complaint.kind == Kind.PROBLEM:
        if complaint.met_customer_at is None:
            actions.add("meeting")
        actions.add("malicious")
    if (
        handles
        and complaint.kind == Kind.MALICIOUS
        and complaint.reported_to_leader_at is None
        and last_proposal(complaint) is not None
    ):
        actions.add("leader_report")
    if (
        complaint.incident_id is None
        and status != Status.WITHDRAWN
        and permissions.can_escalate(person, complaint)
    ):
        actions.add("escalate")
    return actions


DEADLINE_STATES = {
    "running": gettext_lazy("running"),
    "paused": gettext_lazy("paused"),
    "met": gettext_lazy("met"),
    "stopped": gettext_lazy("stopped"),
    "overdue": gettext_lazy("overdue"),
}


def deadline_state(deadline: Deadline, now: datetime) -> str:
    if deadline.cancelled_at:
        return "stopped"
    if deadline.met_at:
        return "met"
    if deadline.paused_at:
        return "paused"
    if deadline.due_at < now:
        return "overdue"
    return "running"


def detail_context(
    request: HttpRequest, number: str, *, revealed: dict | None = None, bound: dict | None = None
) -> dict:
    """The complaint's page. `bound`: a refused action's form by name, shown as it was typed."""
    complaint = selectors.complaint_for(viewer=request.user, number=number)
    person = visibility.person_of(request.user)
    now = clock.now()
    actions = allowed_actions(person, complaint)
    decisions = list(complaint.decisions.select_related("decided_by", "approved_by"))
    for decision in decisions:
        decision.delivered_label = DELIVERY_LABELS.get(decision.delivered_how, decision.delivered_how)
    deadlines = [
        {"deadline": d, "due": due_text(d.due_at), "state": state, "state_label": DEADLINE_STATES[state]}
        for d in selectors.all_deadlines(complaint)
        for state in [deadline_state(d, now)]
    ]
    return {
        "complaint": complaint,
        "person": person,
        "phone": mask_phone(complaint.customer_phone),
        "id_number": mask_id_number(complaint.customer_id_number),
        "revealed": revealed,
        "may_reveal": permissions.sees_personal_data(person, complaint),
        "decision_due": due_text(complaint.decision_due_at),
        "review_due": due_text(complaint.review_due_at),
        "overdue": is_overdue(complaint, now),
        "deadlines": deadlines,
        "work_orders": complaint.work_orders.select_related(
            "to_unit", "assignee", "issued_by", "accepted_by"
        ),
        "extensions": complaint.extensions.select_related("approved_by"),
        "pauses": complaint.pauses.select_related("started_by"),
        "decisions": decisions,
        "callbacks": complaint.callbacks.select_related("called_by"),
        "events": complaint.events.select_related("actor"),
        "actions": actions,
        "forms": {
            name: (bound or {}).get(name)
            or action_form(
                name, request.user, initial=decision_initial(complaint) if name == "decision" else None
            )
            for name in actions
            if name in ACTION_FORMS
        },
    }


@domain_view
@require_GET
def detail(request: HttpRequest, number: str) -> HttpResponse:
    return render(request, "complaints/detail.html", detail_context(request, number))


@require_GET
def knowledge(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    entries = list(selectors.search_knowledge(query=query))
    sources = [e.source_id for e in entries if e.source_id]
    # The source complaint is a link only for those who may open it.
    seen = set(selectors.complaints_for(request.user, pk__in=sources).values_list("pk", flat=True))
    rows = [{"entry": e, "linked": e.source_id in seen} for e in entries]
    return render(request, "complaints/knowledge.html", {"query": query, "rows": rows})
