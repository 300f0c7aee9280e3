"""Decisions that wait on someone other than the person who asked: lowering a level below the rules
(the unit above decides) and the accountability part of the investigation (004 第二十一条). Thin, like
views_actions: parse, call one service, back to the room with what happened."""

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.core.web import domain_view

from . import services
from .forms import AccountabilityForm, LevelDecisionForm
from .views_actions import _act, _incident


@domain_view
@require_POST
def decide_level(request: HttpRequest, number: str) -> HttpResponse:
    incident, person = _incident(request, number)
    approve = request.POST.get("decision") == "approve"
    return _act(
        request,
        incident,
        LevelDecisionForm(request.POST),
        lambda data: services.decide_lowering(
            actor=person, incident=incident, approve=data["decision"] == "approve", note=data["note"]
        ),
        _("Lowering the level approved: the new level holds.")
        if approve
        else _("Lowering the level rejected: the level stays."),
        anchor="yj-level-request",
    )


@domain_view
@require_POST
def accountability(request: HttpRequest, number: str) -> HttpResponse:
    """隐瞒/谎报 and the accountability measures, saved with the other findings while under investigation."""
    incident, person = _incident(request, number)
    form = AccountabilityForm(request.POST)
    return _act(
        request,
        incident,
        form,
        lambda data: services.save_findings(actor=person, incident=incident, **form.findings()),
        _("Accountability findings saved."),
        anchor="yj-accountability",
    )
