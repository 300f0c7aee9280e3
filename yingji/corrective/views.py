"""The register's pages: the list with its counts, a finding with its actions and its recurrences, an
action with its moves, and the form that records a finding. Thin: parse, call a selector or one
service, render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yingji.core import clock
from yingji.core.due import due_text
from yingji.core.errors import InvalidInput, InvalidTransition
from yingji.core.web import add_error, domain_view, record_pk
from yingji.orgs import visibility
from yingji.orgs.models import Person

from . import permissions, selectors, services
from .forms import ActionForm, CancelForm, CompleteForm, FilterForm, FindingForm, NoFields, VerifyForm
from .models import RUNNING, TRANSITIONS, CorrectiveAction, Finding, Grade, Status

PER_PAGE = 25


def _row(action: CorrectiveAction, now) -> dict:
    return {
        "action": action,
        "due": due_text(action.due_at),
        "overdue": action.status in RUNNING and action.due_at < now,
    }


def _settings_days() -> list[tuple[str, int]]:
    return [(label, services.days_for(value)) for value, label in Grade.choices]


@require_GET
def register(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None, viewer=request.user)
    chosen = form.selection()
    show_findings = request.GET.get("show") == "findings"
    now = clock.now()
    if show_findings:
        about = {k: chosen.get(k, "") for k in ("grade", "category", "source_type", "unit")}
        page = Paginator(selectors.findings_for(request.user, **about), PER_PAGE).get_page(
            request.GET.get("page")
        )
        counts = selectors.recurrence_counts(viewer=request.user, keys=[f.recurrence_key for f in page])
        rows = [{"finding": f, "times": counts.get(f.recurrence_key, 1)} for f in page]
    else:
        qs = selectors.actions_for(request.user, now=now, **chosen)
        page = Paginator(qs.prefetch_related("findings"), PER_PAGE).get_page(request.GET.get("page"))
        rows = [_row(a, now) for a in page]
    person = visibility.person_of(request.user)
    counts = selectors.status_counts(request.user, now=now)
    return render(
        request,
        "corrective/register.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "show_findings": show_findings,
            "counts": [(value, label, counts[value]) for value, label in Status.choices],
            "overdue_count": counts["overdue"],
            "filtered": bool(chosen),
            "may_record": person is not None and permissions.can_record(person, person.unit.acting_unit),
        },
    )


@domain_view
@require_http_methods(["GET", "POST"])
def new_finding(request: HttpRequest) -> HttpResponse:
    person = visibility.person_of(request.user)
    if person is None or not permissions.can_record(person, person.unit.acting_unit):
        raise PermissionDenied(
            _("Emergency administrators, unit heads and leaders record findings and open corrective actions.")
        )
    form = FindingForm(request.POST or None, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        finding = form.finding()
        if finding["unit"] is None:
            form.add_error("unit", _("Choose one of your units."))
        else:
            action = form.action() if form.cleaned_data["action_text"] else None
            try:
                recorded, opened = services.record_with_action(actor=person, finding=finding, action=action)
            except InvalidInput as exc:
                add_error(form, _renamed(exc))
            else:
                messages.success(
                    request, _("Finding recorded.") + (" " + _opened_text(opened) if opened else "")
                )
                return redirect(recorded)
    return render(request, "corrective/new.html", {"form": form, "days": _settings_days()})


def _renamed(exc: InvalidInput) -> InvalidInput:
    """The services name an action's text `text` and its dates `due_at`/`next_drill_at`; the form shows
    them at its own fields."""
    names = {"due_at": "due_day", "next_drill_at": "next_drill_day"}
    return InvalidInput(exc.message, fields={names.get(k, k): v for k, v in exc.fields.items()})


def _opened_text(action: CorrectiveAction) -> str:
    return _("Corrective action opened for %(owner)s, due %(due)s.") % {
        "owner": action.owner.name,
        "due": due_text(action.due_at),
    }


def _finding_page(
    request: HttpRequest, finding: Finding, action_form: ActionForm | None = None
) -> HttpResponse:
    person = visibility.person_of(request.user)
    now = clock.now()
    actions = list(finding.actions.select_related("unit", "owner").order_by("due_at", "pk"))
    may_open = person is not None and permissions.can_record(person, finding.unit)
    return render(
        request,
        "corrective/finding.html",
        {
            "finding": finding,
            "rows": [_row(a, now) for a in actions],
            "recurrences": selectors.recurrences(viewer=request.user, finding=finding),
            "may_open": may_open,
            "action_form": action_form or (ActionForm(viewer=request.user) if may_open else None),
            "days": _settings_days(),
        },
    )


@domain_view
@require_GET
def finding(request: HttpRequest, pk: str) -> HttpResponse:
    return _finding_page(request, selectors.finding_for(viewer=request.user, pk=record_pk(pk)))


@domain_view
@require_POST
def open_for_finding(request: HttpRequest, pk: str) -> HttpResponse:
    found = selectors.finding_for(viewer=request.user, pk=record_pk(pk))
    person = visibility.person_of(request.user)
    if person is None or not permissions.can_record(person, found.unit):
        raise PermissionDenied(
            _("Emergency administrators, unit heads and leaders record findings and open corrective actions.")
        )
    form = ActionForm(request.POST, viewer=request.user)
    if form.is_valid():
        try:
            opened = services.open_action(actor=person, findings=[found], **form.action())
        except InvalidInput as exc:
            add_error(form, _renamed(exc))
        else:
            messages.success(request, _opened_text(opened))
            return redirect(found)
    return _finding_page(request, found, form)


# slug → (its form, the one service it calls, what is said when done)
ACTIONS = {
    "start": (
        NoFields,
        lambda p, a, d: services.start(actor=p, action=a),
        gettext_lazy("Work on it has started."),
    ),
    "complete": (
        CompleteForm,
        lambda p, a, d: services.complete(actor=p, action=a, evidence=d["evidence"]),
        gettext_lazy("Done; a later drill verifies it."),
    ),
    "verify": (
        VerifyForm,
        lambda p, a, d: services.verify(actor=p, action=a, by_source=d["by_source"], rating=d["rating"]),
        gettext_lazy("Verification recorded."),
    ),
    "cancel": (
        CancelForm,
        lambda p, a, d: services.cancel(actor=p, action=a, reason=d["reason"]),
        gettext_lazy("Corrective action cancelled."),
    ),
}


def allowed_moves(person: Person | None, action: CorrectiveAction) -> list[str]:
    """What the viewer may do now: the transition table and the permissions the services check."""
    if person is None:
        return []
    moves = TRANSITIONS.get(action.status, frozenset())
    allowed = []
    if Status.IN_PROGRESS in moves and permissions.can_work(person, action):
        allowed.append("start")
    if Status.DONE in moves and permissions.can_work(person, action):
        allowed.append("complete")
    if Status.VERIFIED in moves and permissions.can_verify(person, action):
        allowed.append("verify")
    if Status.CANCELLED in moves and permissions.can_cancel(person, action):
        allowed.append("cancel")
    return allowed


def _action_page(request: HttpRequest, action: CorrectiveAction, forms: dict | None = None) -> HttpResponse:
    person = visibility.person_of(request.user)
    moves = allowed_moves(person, action)
    forms = forms or {}
    shown = {slug: forms.get(slug) or ACTIONS[slug][0](prefix=slug) for slug in moves}
    return render(
        request,
        "corrective/action.html",
        {
            "action": action,
            "row": _row(action, clock.now()),
            "findings": list(action.findings.select_related("unit").order_by("-found_at", "pk")),
            "events": list(action.events.select_related("actor").order_by("at", "pk")),
            "forms": shown,
        },
    )


@domain_view
@require_GET
def action(request: HttpRequest, pk: str) -> HttpResponse:
    return _action_page(request, selectors.action_for(viewer=request.user, pk=record_pk(pk)))


@domain_view
@require_POST
def act(request: HttpRequest, pk: str, action: str) -> HttpResponse:
    move = action
    if move not in ACTIONS:
        raise Http404()
    found = selectors.action_for(viewer=request.user, pk=record_pk(pk))
    person = visibility.person_of(request.user)
    if person is None:
        raise PermissionDenied()
    form_class, call, done = ACTIONS[move]
    form = form_class(request.POST, prefix=move)
    if form.is_valid():
        try:
            call(person, found, form.cleaned_data)
        except InvalidTransition as exc:
            messages.error(request, exc.message)
            return redirect(found)
        except InvalidInput as exc:
            add_error(form, exc)
        else:
            messages.success(request, str(done))
            return redirect(found)
    return _action_page(request, found, {move: form})
