"""The evaluation page of a drill: ratings and timing while and after it runs, the hot wash, the meeting
and its attendees, findings into the corrective register, the conclusion. Thin like the other views."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from yingji.core.web import act, domain_view
from yingji.corrective.models import Category, Grade
from yingji.corrective.selectors import recurrence_counts

from . import evaluating, selectors
from . import evaluation as reads
from .evaluation_forms import AttendeeForm, DrillFindingForm, MeetingForm, RatingForm
from .models import ExpectedAction, MeetingAttendee, Objective, Status
from .permissions import can_plan


def _back(drill, anchor: str = "") -> HttpResponse:
    response = redirect("drills:evaluation", pk=drill.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _form_errors(request: HttpRequest, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else error)


@domain_view
@require_GET
def evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    drill = selectors.drill_for(viewer=request.user, pk=pk)
    actions = reads.action_results(drill)
    objectives = reads.objective_results(drill, actions)
    points, passed, table = reads.score(drill, actions=actions, objectives=objectives)
    record = reads.evaluation_of(drill)
    me = reads.evaluator_of(request.user, drill)
    leads = evaluating.is_lead(request.user, drill)
    manages = evaluating.can_evaluate(request.user, drill)
    ended = drill.status == Status.ENDED
    for result in actions:
        result.mine = next((r for r in result.ratings if me and r.evaluator_id == me.pk), None)
        result.others = [r for r in result.ratings if not (me and r.evaluator_id == me.pk)]
    summary = {
        "total": len(actions),
        "rated": sum(1 for r in actions if r.rating),
        "late": sum(1 for r in actions if r.late),
        "missed": sum(1 for r in actions if r.missed),
        "poor": sum(1 for r in actions if r.rating in ("M", "U")),
        "proposed": sum(1 for r in actions if r.proposed),
    }
    findings = reads.findings_of(drill)
    seen = recurrence_counts(viewer=request.user, keys=[f.recurrence_key for f in findings])
    for finding in findings:
        finding.seen_times = seen.get(finding.recurrence_key, 1)
    # Scenarios with something to look at open by themselves; the rest stay folded on a phone.
    troubled = {r.scenario.pk for r in actions if r.late or r.missed or r.rating in ("M", "U")}
    context = {
        "drill": drill,
        "summary": summary,
        "troubled": troubled,
        "actions": actions,
        "objectives": objectives,
        "score": points,
        "passed": passed,
        "table": table,
        "record": record,
        "attendees": list(record.attendees.all()) if record else [],
        "findings": findings,
        "me": me,
        "outsiders": [p for p in reads.evaluators(drill) if p.person_id is None],
        "can_rate": me is not None and drill.status in evaluating.RATING_OPEN,
        "correcting": ended,
        "leads": leads,
        "manages": manages and ended,
        "records_findings": manages and drill.status in (Status.ENDED, Status.EVALUATED),
        "plans": can_plan(request.user, drill.unit),
        "meeting_form": MeetingForm(
            drill=drill,
            initial={
                "meeting_at": record.meeting_at if record else None,
                "place": record.meeting_place if record else "",
                "lead_evaluator": record.lead_evaluator_id if record else None,
                "strengths": record.strengths if record else "",
            },
        ),
        "attendee_form": AttendeeForm(drill=drill),
        "finding_form": DrillFindingForm(drill=drill, viewer=request.user),
        "categories": Category.choices,
        "grades": Grade.choices,
        "ratings": [("P", _("P")), ("S", _("S")), ("M", _("M")), ("U", _("U"))],
        "deficiency": Grade.DEFICIENCY,
    }
    return render(request, "drills/evaluation.html", context)


@domain_view
@require_POST
def rate_action(request: HttpRequest, pk: int, action_id: int) -> HttpResponse:
    drill = selectors.drill_for(viewer=request.user, pk=pk)
    action = get_object_or_404(
        ExpectedAction.objects.select_related("scenario"), pk=action_id, scenario__drill=drill
    )
    action.scenario.drill = drill
    form = RatingForm(request.POST, drill=drill)
    if not form.is_valid():
        _form_errors(request, form)
    elif act(
        request,
        evaluating.rate_action,
        actor=request.user,
        expected_action=action,
        rating=form.cleaned_data["rating"],
        note=form.cleaned_data["note"],
        reason=form.cleaned_data["reason"],
        on_behalf_of=form.cleaned_data["on_behalf_of"],
    ):
        messages.success(request, _("Rating recorded."))
    return _back(drill, f"action-{action.pk}")


@domain_view
@require_POST
def rate_objective(request: HttpRequest, pk: int, objective_id: int) -> HttpResponse:
    drill = selectors.drill_for(viewer=request.user, pk=pk)
    objective = get_object_or_404(Objective, pk=objective_id, drill=drill)
    objective.drill = drill
    form = RatingForm(request.POST, drill=drill)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        act(
            request,
            evaluating.rate_objective,
            actor=request.user,
            objective=objective,
            rating=form.cleaned_data["rating"],
            note=form.cleaned_data["note"],
        )
    return _back(drill, "objectives")


@domain_view
@require_POST
def hot_wash(request: HttpRequest, pk: int) -> HttpResponse:
    drill = selectors.drill_for(viewer=request.user, pk=pk)
    text = request.POST.get("hot_wash", "")[:8000]
    act(request, evaluating.record_hot_wash, actor=request.user, drill=drill, text=text)
    return _back(drill, "hot-wash")


@domain_view
@require_POST
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    drill = selectors.drill_for(viewer=request.user, pk=pk)
    form = MeetingForm(request.POST, drill=drill)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        data = form.cleaned_data
        act(
            request,
            evaluating.update_meeting,
            actor=request.user,
            drill=drill,
            meeting_at=data["meeting_at"],
            place=data["place"],
            lead_evaluator=data["lead_evaluator"],
            strengths=data["strengths"],
        )
    return _back(drill, "meeting")


@domain_view
@require_POST
def add_attendee(request: HttpRequest, pk: int) -> HttpResponse:
    drill = selectors.drill_for(viewer=request.user, pk=pk)
    form = AttendeeForm(request.POST, drill=drill)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        data = form.cleaned_data
        act(
            request,
            evaluating.add_attendee,
            actor=request.user,
            drill=drill,
            category=data["category"],
            participant=data["participant"],
            name=data["name"],
            organisation=data["organisation"],
        )
    return _back(drill, "meeting")


@domain_view
@require_POST
def remove_attendee(request: HttpRequest, pk: int, attendee_id: int) -> HttpResponse:
    drill = selectors.drill_for(viewer=request.user, pk=pk)
    attendee = get_object_or_404(MeetingAttendee, pk=attendee_id, evaluation__drill=drill)
    attendee.evaluation.drill = drill
    act(request, evaluating.remove_attendee, actor=request.user, attendee=attendee)
    return _back(drill, "meeting")


@domain_view
@require_POST
def add_finding(request: HttpRequest, pk: int) -> HttpResponse:
    drill = selectors.drill_for(viewer=request.user, pk=pk)
    form = DrillFindingForm(request.POST, drill=drill, viewer=request.user)
    if not form.is_valid():
        _form_errors(request, form)
    elif act(request, evaluating.record_drill_finding, actor=request.user, drill=drill, **form.finding()):
        messages.success(request, _("Finding recorded in the corrective register."))
    return _back(drill, "findings")


@domain_view
@require_POST
def conclude(request: HttpRequest, pk: int) -> HttpResponse:
    drill = selectors.drill_for(viewer=request.user, pk=pk)
    if act(request, evaluating.conclude_evaluation, actor=request.user, drill=drill):
        messages.success(request, _("The evaluation is concluded."))
    return _back(drill)


@domain_view
@require_POST
def mark_critical(request: HttpRequest, pk: int, action_id: int) -> HttpResponse:
    drill = selectors.drill_for(viewer=request.user, pk=pk)
    action = get_object_or_404(
        ExpectedAction.objects.select_related("scenario"), pk=action_id, scenario__drill=drill
    )
    action.scenario.drill = drill
    critical = request.POST.get("critical") == "1"
    act(request, evaluating.mark_critical, actor=request.user, expected_action=action, critical=critical)
    return redirect(drill.get_absolute_url() + "#scenarios")
