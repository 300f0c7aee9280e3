"""The actions of the incident room. Each view parses a form, calls one service and goes back to the room
with what happened; a refusal is shown as the service words it. Outside visibility answers 404, an
action the person may not take 403 (yingji.core.web.domain_view)."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import engines
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from yingji.core.errors import DomainError, NotAllowed, NotVisible
from yingji.core.web import domain_view
from yingji.orgs import visibility
from yingji.orgs.models import Person
from yingji.plans.models import Level, severity

from . import selectors, services
from .forms_actions import (
    ActivateForm,
    CommentForm,
    DecisionForm,
    DoneForm,
    FindingsForm,
    FollowUpForm,
    GroupLeaderForm,
    LevelForm,
    LinkForm,
    ReasonForm,
    SummaryForm,
    TaskGroupForm,
    error_text,
)
from .models import Incident, Task, WorkingGroup
from .permissions import can_decide
from .views import room_context

Outcome = Callable[[dict], object]


def _incident(request: HttpRequest, number: str) -> tuple[Incident, Person]:
    incident = selectors.incident_for(viewer=request.user, number=number)
    person = visibility.person_of(request.user)
    if person is None:
        raise PermissionDenied(_("Only a person of the bank acts on an incident."))
    return incident, person


def _back(incident: Incident, anchor: str = "") -> HttpResponse:
    return redirect(f"{incident.get_absolute_url()}#{anchor}" if anchor else incident.get_absolute_url())


def _act(
    request: HttpRequest,
    incident: Incident,
    form: forms.Form,
    action: Outcome,
    done: str,
    *,
    anchor: str = "",
) -> HttpResponse:
    """The one shape of every action: a bad form or a refused action shows its message and changes
    nothing; a done action says so. Either way the person is back in the room."""
    if not form.is_valid():
        messages.error(request, error_text(form))
        return _back(incident, anchor)
    try:
        action(form.cleaned_data)
    except (NotVisible, NotAllowed):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return _back(incident, anchor)


@domain_view
@require_POST
def follow_up(request, number):
    incident, person = _incident(request, number)
    form = FollowUpForm(request.POST)
    return _act(
        request,
        incident,
        form,
        lambda data: services.add_follow_up(
            author=person, incident=incident, text=data["text"], facts=form.facts(), content=form.content()
        ),
        _("Follow-up report added."),
        anchor="yj-case-actions",
    )


@domain_view
@require_POST
def comment(request, number):
    incident, person = _incident(request, number)
    return _act(
        request,
        incident,
        CommentForm(request.POST),
        lambda data: services.add_comment(author=person, incident=incident, text=data["text"]),
        _("Comment added."),
        anchor="yj-case-actions",
    )


@domain_view
@require_POST
def level(request, number):
    incident, person = _incident(request, number)
    asked = request.POST.get("level", "")
    # Below what the rules give, the change is a request the unit above decides (services.change_level).
    lowering = asked in Level.values and severity(asked) < severity(incident.classified_level)
    return _act(
        request,
        incident,
        LevelForm(request.POST),
        lambda data: services.change_level(
            actor=person, incident=incident, level=data["level"], reason=data["reason"]
        ),
        _("Asked the unit above to approve the lower level.") if lowering else _("Level updated."),
        anchor="yj-case-actions",
    )


# Without htmx the form opens as a page of its own: the partial inside the site's frame.
ACTIVATE_PAGE = (
    '{% extends "base.html" %}{% load static %}{% block title %}{{ heading }}{% endblock %}'
    '{% block content %}{% include "incidents/_activate.html" %}{% endblock %}'
    "{% block scripts %}<script src=\"{% static 'js/activate.js' %}\"></script>{% endblock %}"
)


@domain_view
@require_http_methods(["GET", "POST"])
def activate(request, number):
    """GET: the activation form (into the room through htmx, or as a page without it). POST: 启动."""
    incident, person = _incident(request, number)
    if request.method == "GET":
        if not can_decide(person, incident):
            raise PermissionDenied(_("Only an emergency administrator or a leader can activate a plan."))
        form = ActivateForm(
            viewer=request.user, incident=incident, actor=person, filter_text=request.GET.get("q", "")
        )
        context = {"incident": incident, "activate_form": form, "can_decide": True, "person": person}
        if request.headers.get("HX-Request"):
            return render(request, "incidents/_activate.html", context)
        page = engines["django"].from_string(ACTIVATE_PAGE)
        return HttpResponse(page.render(context | {"heading": _("Activate a plan")}, request))
    form = ActivateForm(request.POST, viewer=request.user, incident=incident)
    return _act(
        request,
        incident,
        form,
        lambda data: services.activate_plan(
            actor=person,
            incident=incident,
            version=data["version"],
            leader=data["leader"],
            deputies=list(data["deputies"]),
            members=list(data["members"]),
            groups=data["groups"],
        ),
        _("Plan activated: the tasks are on the board."),
        anchor="yj-task-board",
    )


def _claim(person: Person, task: Task) -> Outcome:
    return lambda data: services.claim_task(actor=person, task=task)


def _done(person: Person, task: Task) -> Outcome:
    return lambda data: services.complete_task(
        actor=person, task=task, note=data["note"], done_at=data["done_at"]
    )


def _not_applicable(person: Person, task: Task) -> Outcome:
    return lambda data: services.task_not_applicable(actor=person, task=task, reason=data["reason"])


class _NoFields(forms.Form):
    pass


TASK_ACTIONS = {
    "claim": (_NoFields, _claim, gettext_lazy("Task claimed.")),
    "done": (DoneForm, _done, gettext_lazy("Task done.")),
    "not-applicable": (ReasonForm, _not_applicable, gettext_lazy("Marked not applicable.")),
}


@domain_view
@require_POST
def task_action(request, number, task_id, action):
    if action not in TASK_ACTIONS:
        raise Http404()
    incident, person = _incident(request, number)
    task = (
        Task.objects.select_related("incident__unit", "owner").filter(incident=incident, pk=task_id).first()
    )
    if task is None:
        raise Http404()
    form_class, call, done = TASK_ACTIONS[action]
    return _act(
        request, incident, form_class(request.POST), call(person, task), str(done), anchor=f"task-{task.pk}"
    )


def _on_the_board(
    request: HttpRequest,
    incident: Incident,
    form: forms.Form,
    action: Outcome,
    done: str,
    *,
    anchor: str,
) -> HttpResponse:
    """An action of the task board. Without htmx it is _act: back in the room with a message. Through
    htmx the room's live region comes back, with what happened shown above the board."""
    if request.headers.get("HX-Request") != "true":
        return _act(request, incident, form, action, done, anchor=anchor)
    if not form.is_valid():
        said = {"level": "danger", "text": error_text(form)}
    else:
        try:
            action(form.cleaned_data)
        except (NotVisible, NotAllowed):
            raise
        except DomainError as exc:
            said = {"level": "danger", "text": exc.message}
        else:
            said = {"level": "success", "text": done}

    context = room_context(request, incident.number) | {"board_message": said}
    return render(request, "incidents/_room_live.html", context)


@domain_view
@require_POST
def task_group(request, number, task_id):
    """Put a task into one of the incident's working groups (or take it out)."""
    incident, person = _incident(request, number)
    task = Task.objects.select_related("incident__unit").filter(incident=incident, pk=task_id).first()
    if task is None:
        raise Http404()
    form = TaskGroupForm(request.POST, incident=incident)
    return _on_the_board(
        request,
        incident,
        form,
        lambda data: services.assign_task_to_group(actor=person, task=task, group=data["group"]),
        _("Task moved to the working group.")
        if request.POST.get("group")
        else _("Task taken out of its group."),
        anchor=f"task-{task.pk}",
    )


@domain_view
@require_POST
def group_leader(request, number, group_id):
    """Name the leader of a working group from the incident's leading group."""
    incident, person = _incident(request, number)
    group = (
        WorkingGroup.objects.select_related("incident__unit").filter(incident=incident, pk=group_id).first()
    )
    if group is None:
        raise Http404()
    form = GroupLeaderForm(request.POST, incident=incident)
    return _on_the_board(
        request,
        incident,
        form,
        lambda data: services.set_group_leader(actor=person, group=group, leader=data["leader"]),
        _("Group leader set; they have been told."),
        anchor=f"group-{group.pk}",
    )


@domain_view
@require_POST
def request_termination(request, number):
    incident, person = _incident(request, number)
    return _act(
        request,
        incident,
        SummaryForm(request.POST),
        lambda data: services.request_termination(actor=person, incident=incident, summary=data["summary"]),
        _("Termination proposed; every approver the plan names decides."),
        anchor="yj-case-actions",
    )


@domain_view
@require_POST
def decide_termination(request, number):
    incident, person = _incident(request, number)
    form = DecisionForm(request.POST)
    approve = request.POST.get("decision") == "approve"
    return _act(
        request,
        incident,
        form,
        lambda data: services.decide_termination(
            actor=person, incident=incident, approve=data["decision"] == "approve", note=data["note"]
        ),
        _("Your approval is recorded; the response ends when every approver has approved.")
        if approve
        else _("Termination rejected: the response goes on."),
        anchor="yj-case-actions",
    )


@domain_view
@require_POST
def cancel(request, number):
    incident, person = _incident(request, number)
    return _act(
        request,
        incident,
        ReasonForm(request.POST),
        lambda data: services.cancel_incident(actor=person, incident=incident, reason=data["reason"]),
        _("Cancelled as a false alarm."),
    )


class _NoSuchIncident(DomainError):
    """A number typed in the link form that the person cannot see: a message, not a 404 of the room."""


@domain_view
@require_POST
def link(request, number):
    incident, person = _incident(request, number)
    form = LinkForm(request.POST)

    def run(data: dict) -> None:
        try:
            other = selectors.incident_for(viewer=request.user, number=data["number"])
        except NotVisible:
            raise _NoSuchIncident(
                _("There is no incident %(number)s that you can see.") % {"number": data["number"]}
            ) from None
        if data["mode"] == "merge":
            services.merge_incident(actor=person, duplicate=incident, into=other, reason=data["note"])
        else:
            services.link_incidents(actor=person, incident=incident, other=other, note=data["note"])

    merge = request.POST.get("mode") == "merge"
    return _act(
        request,
        incident,
        form,
        run,
        _("Merged: this report is cancelled and points to the other.") if merge else _("Linked."),
        anchor="yj-case-actions",
    )


INVESTIGATION_ACTIONS = {"start", "save", "close"}


@domain_view
@require_POST
def investigation(request, number):
    incident, person = _incident(request, number)
    action = request.POST.get("action", "")
    if action not in INVESTIGATION_ACTIONS:
        messages.error(request, _("Unknown action."))
        return _back(incident, "yj-investigation")
    if action == "start":
        form, call, done = (
            _NoFields(request.POST),
            lambda data: services.start_investigation(actor=person, incident=incident),
            _("Investigation opened."),
        )
    elif action == "save":
        form, call, done = (
            FindingsForm(request.POST),
            lambda data: services.save_findings(actor=person, incident=incident, **data),
            _("Findings saved."),
        )
    else:
        form, call, done = (
            _NoFields(request.POST),
            lambda data: services.close_investigation(actor=person, incident=incident),
            _("Case closed."),
        )
    return _act(request, incident, form, call, done, anchor="yj-investigation")
