"""Drill pages. Thin: parse, call a selector or one service, render; a refusal is the service's message."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yingji.core import clock, inputs
from yingji.core.documents import DOCX_MIME
from yingji.core.errors import DomainError, NotAllowed
from yingji.core.web import act, add_error, domain_view
from yingji.orgs.models import Unit

from . import briefing as briefings
from . import poll_pass, selectors, services
from .forms import (
    BriefingForm,
    CreateForm,
    DrillForm,
    InjectForm,
    ObjectiveForm,
    ParticipantForm,
    ScenarioForm,
)
from .models import Channel, Drill, ExpectedAction, Inject, Participant
from .permissions import can_plan

PER_PAGE = 25


@require_GET
def drill_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.drills_for(viewer=request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "drills/list.html", {"page": page, "drills": page.object_list})


@domain_view
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    form = CreateForm(request.POST or None, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        units = list(Unit.objects.filter(code__in=data["units"]))
        common = {
            "actor": request.user,
            "unit": Unit.objects.get(code=data["unit"]),
            "units": units,
            "starts_at": data["starts_at"],
            "place": data["place"],
        }
        try:
            if data["source"] == "template":
                drill = services.create_from_template(
                    **common,
                    template=data["template"],
                    form=data["form"],
                    compress_to_minutes=data["compress_to_minutes"],
                )
            elif data["source"] == "plan":
                drill = services.create_from_plan(
                    **common, plan=data["plan"], form=data["form"], title=data["title"]
                )
            else:
                drill = services.create_from_scratch(**common, title=data["title"], form=data["form"])
        except DomainError as exc:
            add_error(form, exc)
        else:
            return redirect(drill)
    return render(
        request,
        "drills/create.html",
        {
            "form": form,
            "templates": selectors.templates(),
            "report_minutes": settings.YINGJI_DRILL_REPORT_MINUTES,
            "scenario_minutes": settings.YINGJI_DRILL_SCENARIO_MINUTES,
        },
    )


def _page(request: HttpRequest, pk: int) -> tuple[Drill, bool]:
    drill = selectors.drill_for(viewer=request.user, pk=pk)
    return drill, can_plan(request.user, drill.unit) and drill.editable


@domain_view
@require_GET
def drill(request: HttpRequest, pk: int) -> HttpResponse:
    found, may_edit = _page(request, pk)
    scenarios = list(found.scenarios.all())
    return render(
        request,
        "drills/drill.html",
        {
            "drill": found,
            "may_edit": may_edit,
            "scenarios": scenarios,
            "participants": list(found.participants.all()),
            "objectives": list(found.objectives.all()),
            "injects": list(found.injects.all()),
        },
    )


def _changeable(request: HttpRequest, pk: int) -> Drill:
    """The drill, if the user may change it now; else 403 with the reason (404 outside their units)."""
    found, may_edit = _page(request, pk)
    if not can_plan(request.user, found.unit):
        raise NotAllowed(_("Only emergency administrators, trainers, unit heads and leaders plan drills."))
    if not may_edit:
        raise NotAllowed(_("This drill can no longer be changed."))
    return found


def _edit(request, pk, form_class, action, template: str, *, form_kwargs=None, initial=None):
    """GET shows the form, POST calls `action(drill, cleaned_data)`; both on a drill the user may change."""
    found = _changeable(request, pk)
    form = form_class(request.POST or None, **(form_kwargs(found) if form_kwargs else {}), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            action(found, form.cleaned_data)
        except DomainError as exc:
            add_error(form, exc)
        else:
            return redirect(found)
    return render(request, template, {"drill": found, "form": form})


@domain_view
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    found = _changeable(request, pk)
    form = DrillForm(request.POST or None, instance=Drill.objects.get(pk=found.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_drill(actor=request.user, drill=found, **form.cleaned_data)
        except DomainError as exc:
            add_error(form, exc)
        else:
            return redirect(found)
    return render(request, "drills/form.html", {"drill": found, "form": form})


@domain_view
@require_http_methods(["GET", "POST"])
def add_participant(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(
        request,
        pk,
        ParticipantForm,
        lambda d, data: services.add_participant(actor=request.user, drill=d, **data),
        "drills/form.html",
        form_kwargs=lambda d: {"drill": d, "viewer": request.user},
    )


@domain_view
@require_POST
def remove_participant(request: HttpRequest, pk: int, participant_id: int) -> HttpResponse:
    found = selectors.drill_for(viewer=request.user, pk=pk)
    participant = get_object_or_404(Participant, pk=participant_id, drill=found)
    participant.drill = found
    act(request, services.remove_participant, actor=request.user, participant=participant)
    return redirect(found)


@domain_view
@require_http_methods(["GET", "POST"])
def add_scenario(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(
        request,
        pk,
        ScenarioForm,
        lambda d, data: services.add_scenario(actor=request.user, drill=d, **data),
        "drills/form.html",
    )


@domain_view
@require_http_methods(["GET", "POST"])
def add_objective(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(
        request,
        pk,
        ObjectiveForm,
        lambda d, data: services.add_objective(actor=request.user, drill=d, **data),
        "drills/form.html",
        form_kwargs=lambda d: {"drill": d},
    )


@domain_view
@require_http_methods(["GET", "POST"])
def add_inject(request: HttpRequest, pk: int) -> HttpResponse:
    def add(d, data):
        data = dict(data)
        offset = data.pop("offset")
        services.add_inject(
            actor=request.user,
            drill=d,
            offset_seconds=offset,
            expected_actions=list(data.pop("expected_actions")),
            **data,
        )

    return _edit(request, pk, InjectForm, add, "drills/form.html", form_kwargs=lambda d: {"drill": d})


@domain_view
@require_POST
def remove_inject(request: HttpRequest, pk: int, inject_id: int) -> HttpResponse:
    found = selectors.drill_for(viewer=request.user, pk=pk)
    inject = get_object_or_404(Inject, pk=inject_id, drill=found)
    inject.drill = found
    act(request, services.remove_inject, actor=request.user, inject=inject)
    return redirect(found)


@domain_view
@require_http_methods(["GET", "POST"])
def briefing(request: HttpRequest, pk: int) -> HttpResponse:
    found, may_edit = _page(request, pk)
    current = found.briefing
    may_edit = may_edit and current.issued_at is None
    form = BriefingForm(
        request.POST or None, initial={field: getattr(current, field) for field, _h in briefings.SECTIONS}
    )
    if request.method == "POST":
        if not may_edit:
            raise NotAllowed(_("The briefing has been issued and can no longer be changed."))
        if form.is_valid():
            try:
                services.edit_briefing(actor=request.user, drill=found, **form.cleaned_data)
            except DomainError as exc:
                add_error(form, exc)
            else:
                return redirect("drills:briefing", pk=found.pk)
    sections = [(heading, getattr(current, field)) for field, heading in briefings.section_headings()]
    return render(
        request,
        "drills/briefing.html",
        {
            "drill": found,
            "briefing": current,
            "sections": sections,
            "form": form,
            "may_edit": may_edit,
            "may_issue": can_plan(request.user, found.unit) and current.issued_at is None,
        },
    )


@domain_view
@require_GET
def briefing_docx(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.drill_for(viewer=request.user, pk=pk)
    response = HttpResponse(briefings.docx(found.briefing), content_type=DOCX_MIME)
    response["Content-Disposition"] = f'attachment; filename="drill-briefing-{found.pk}.docx"'
    return response


@domain_view
@require_POST
def issue_briefing(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.drill_for(viewer=request.user, pk=pk)
    act(request, services.issue_briefing, actor=request.user, drill=found)
    return redirect("drills:briefing", pk=found.pk)


@domain_view
@require_POST
def regenerate_briefing(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.drill_for(viewer=request.user, pk=pk)
    act(request, services.regenerate_briefing, actor=request.user, drill=found)
    return redirect("drills:briefing", pk=found.pk)


# ── The live run ─────────────────────────────────────────────────────────────────────────────────────

RUN_ACTIONS = {
    "start": services.start_run,
    "pause": services.pause_run,
    "resume": services.resume_run,
    "end": services.end_run,
}
INJECT_ACTIONS = ("release", "skip", "ack")


# How often a run page asks for news. Released injects must reach 95 % of the phones within 2 s: every
# 3 s, the wait for the next poll alone is 2.85 s at p95; every 1 s, 200 phones' polls take most of two
# cores before anything is released; every 1.5 s met it with 200 phones (bench/drill_poll.py,
# bench/RESULTS.md). A poll with nothing new is answered 204 from the drill's row, which is what makes
# polling this often affordable.
RUN_POLL_SECONDS = 1.5


def _run_context(request: HttpRequest, found: Drill, *, schedule_checked: bool = False) -> dict:
    # The schedule moves when anyone looks: the injects that fell due are released before the page is drawn.
    # A poll has just read the drill's row, whose next due time says whether any did (running.falls_due).
    if not schedule_checked or selectors.falls_due(found, clock.now()):
        services.release_due(found)
    state = selectors.run_state(drill=found, viewer=request.user, now=clock.now())
    return {
        "drill": found,
        "channels": Channel.choices,
        "poll_seconds": RUN_POLL_SECONDS,
        "poll_pass": poll_pass.issue(drill=found, viewer=request.user),
        **state,
    }


@domain_view
@require_GET
def run(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.run_drill_for(viewer=request.user, pk=pk)
    return render(request, "drills/run.html", _run_context(request, found))


@login_not_required  # a poll with a valid pass is answered before the session is read; see below
@domain_view
@require_GET
def run_live(request: HttpRequest, pk: int) -> HttpResponse:
    """The live part of the run page, asked for by every phone every few seconds with the mark of what it
    shows (`since`) and its poll pass. Nothing new, and nothing fallen due: 204, on which htmx leaves the
    page as it is. With a valid pass that answer reads the drill's row and nothing else (poll_pass.py)."""
    since = request.GET.get("since", "")
    if inputs.record_id(pk) is not None and poll_pass.holds(request.GET.get("pass", ""), int(pk)):
        row = poll_pass.drill_row(int(pk))
        if row is not None and selectors.run_unchanged(row, since, clock.now()):
            return HttpResponse(status=204)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    found = selectors.run_drill_for(viewer=request.user, pk=pk)
    if selectors.run_unchanged(found, since, clock.now()):
        return HttpResponse(status=204)
    # The region alone needs none of the layout's context processors (the menu, the viewer's roles: a
    # query of positions), only the CSRF token of its forms; after a release every phone draws it.
    context = {**_run_context(request, found, schedule_checked=True), "csrf_token": get_token(request)}
    return HttpResponse(get_template("drills/_run_live.html").render(context))


@domain_view
@require_POST
def run_control(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    service = RUN_ACTIONS.get(action)
    if service is None:
        raise Http404()
    found = selectors.drill_for(viewer=request.user, pk=pk)
    act(request, service, actor=request.user, drill=found)
    return redirect("drills:run", pk=found.pk)


@domain_view
@require_POST
def run_inject(request: HttpRequest, pk: int, inject_id: int, action: str) -> HttpResponse:
    if action not in INJECT_ACTIONS:
        raise Http404()
    found = selectors.drill_for(viewer=request.user, pk=pk)
    inject = get_object_or_404(Inject, pk=inject_id, drill=found)
    inject.drill = found
    if action == "release":
        act(request, services.release_inject, actor=request.user, inject=inject)
    elif action == "skip":
        reason = request.POST.get("reason", "")
        act(request, services.skip_inject, actor=request.user, inject=inject, reason=reason)
    else:
        act(request, services.acknowledge_inject, actor=request.user, inject=inject)
    return redirect("drills:run", pk=found.pk)


@domain_view
@require_POST
def run_add_inject(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.drill_for(viewer=request.user, pk=pk)
    text = request.POST.get("text", "")[:2000]
    channel = request.POST.get("channel", Channel.IN_APP)
    act(request, services.add_unscripted_inject, actor=request.user, drill=found, text=text, channel=channel)
    return redirect("drills:run", pk=found.pk)


@domain_view
@require_POST
def run_log(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.drill_for(viewer=request.user, pk=pk)
    action_id = inputs.record_id(request.POST.get("expected_action"))
    action = ExpectedAction.objects.filter(pk=action_id, scenario__drill=found).first() if action_id else None
    text = request.POST.get("text", "")[:2000]
    act(request, services.log_action, actor=request.user, drill=found, expected_action=action, text=text)
    return redirect("drills:run", pk=found.pk)
