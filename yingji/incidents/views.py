"""Pages to report and follow incidents. Thin: parse, call a selector or one service, render. The
actions of the room (activate, tasks, terminate …) are in views_actions.py."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from yingji.core import clock
from yingji.core.documents import DOCX_MIME
from yingji.core.errors import InvalidInput
from yingji.core.web import add_error, domain_view
from yingji.orgs import visibility
from yingji.plans.models import Fact

from . import approvals, metrics, permissions, selectors, services
from .forms import FilterForm, ReportForm
from .models import OPEN_STATUSES, REPORT_FIELDS, Incident, Status

PER_PAGE = 25
HOME_ROWS = 10
AFTER_TERMINATION = (Status.TERMINATED, Status.INVESTIGATING, Status.CLOSED)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@require_GET
def incident_list(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None, viewer=request.user)
    incidents = selectors.incidents_for(viewer=request.user, **form.selection())
    if form.open_only():
        incidents = incidents.filter(status__in=OPEN_STATUSES)
    if _is_htmx(request):  # the home page's "open incidents" card
        return render(
            request,
            "incidents/list.html#rows",
            {"incidents": incidents[:HOME_ROWS], "compact": True},
        )
    page = Paginator(incidents, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "incidents/list.html",
        {
            "form": form,
            "page": page,
            "incidents": page.object_list,
            "filtered": any(request.GET.get(name) for name in form.fields),
        },
    )


@domain_view
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    person = visibility.person_of(request.user)
    form = ReportForm(request.POST or None, viewer=request.user, person=person)
    if request.method == "POST" and person is None:
        form.add_error(None, _("Your account belongs to no unit, so it cannot report; sign in as a person."))
    elif request.method == "POST" and form.is_valid():
        try:
            incident = services.report_incident(reporter=person, **form.report())
        except InvalidInput as exc:
            add_error(form, _on_form_fields(exc))
        else:
            return redirect(incident)
    return render(request, "incidents/report.html", {"form": form, "person": person})


def _on_form_fields(exc: InvalidInput) -> InvalidInput:
    """The service names a fact `facts.injured`; the form's field is `injured`."""
    exc.fields = {key.removeprefix("facts."): message for key, message in exc.fields.items()}
    return exc


def room_context(request: HttpRequest, number: str) -> dict:
    incident = selectors.incident_for(viewer=request.user, number=number)
    person = visibility.person_of(request.user)
    room = selectors.room(incident)
    now = clock.now()
    positions = selectors.task_positions(room["tasks"])
    which = request.GET.get("tasks", "")
    if which not in {"mine", *(p.code for p in positions)}:
        which = ""
    shown = selectors.tasks_for_position(room["tasks"], incident=incident, person=person, which=which)
    # Filtered, a group none of whose tasks are shown is left out rather than shown empty.
    groups = room["groups"]
    if which:
        groups = [g for g in groups if any(t.group_id == g.pk for t in shown)]
    return {
        **room,
        "incident": incident,
        "person": person,
        # The task board in the live region shows its buttons by these too.
        "can_decide": permissions.can_decide(person, incident),
        "is_group_leader": permissions.is_group_leader(person, incident),
        "now": now,
        "immediate_minutes": settings.YINGJI_IMMEDIATE_MINUTES,
        "ended_at": incident.terminated_at or incident.closed_at,
        "is_open": incident.status in OPEN_STATUSES,
        "report_content": _content(incident),
        "report_facts": _facts(incident.facts),
        "follow_up_reports": [
            {"item": f, "content": _content(f), "facts": _facts(f.facts)} for f in room["follow_ups"]
        ],
        "board": selectors.task_board(shown, groups, now),
        "task_filter": which,
        "task_positions": positions,
        **approvals.room_context(incident, person),  # termination and level approvals waiting
        "my_notices": [
            n for n in room["notices"] if person and n.recipient_id == person.pk and n.awaits_acknowledgement
        ],
    }


def _content(report) -> list[tuple[str, str]]:
    """The 示范文本 第三条 fields a report (or a follow-up) filled in, with their labels."""
    return [
        (report._meta.get_field(name).verbose_name, getattr(report, name))
        for name in REPORT_FIELDS
        if getattr(report, name)
    ]


def _facts(facts: dict) -> list[tuple[str, object]]:
    return [(Fact(key).label, value) for key, value in facts.items() if key in Fact.values]


@domain_view
@require_GET
def room(request: HttpRequest, number: str) -> HttpResponse:
    context = room_context(request, number)
    incident = context["incident"]
    context["metrics"] = metrics.compute(incident) if incident.status in AFTER_TERMINATION else None
    return render(request, "incidents/room.html", context)


@domain_view
@require_GET
def room_live(request: HttpRequest, number: str) -> HttpResponse:
    return render(request, "incidents/_room_live.html", room_context(request, number))


@domain_view
@require_GET
def special_report_docx(request: HttpRequest, number: str) -> HttpResponse:
    from .exports import special_report_docx as build  # written alongside the action views

    incident: Incident = selectors.incident_for(viewer=request.user, number=number)
    response = HttpResponse(build(incident), content_type=DOCX_MIME)
    response["Content-Disposition"] = f'attachment; filename="special-report-{incident.number}.docx"'
    return response
