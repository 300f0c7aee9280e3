"""The readiness pages: 我的预案职责 (a person's role cards, their acknowledgement and quizzes, phone
first), a quiz attempt, the course of seed 003, and a unit's readiness (people × plans). Thin: parse,
call a selector or one service, render."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yingji.core import inputs
from yingji.core.errors import DomainError
from yingji.core.web import act, domain_view
from yingji.orgs import visibility
from yingji.orgs.models import Person, Position
from yingji.plans.models import Plan, PlanVersion

from . import course, selectors, services
from .models import AttemptStatus


def _person(request: HttpRequest) -> Person:
    person = visibility.person_of(request.user)
    if person is None:
        raise PermissionDenied(_("Only a member of staff can do this."))
    return person


@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    person = visibility.person_of(request.user)
    plans = selectors.my_plans(person) if person else []
    return render(
        request,
        "readiness/mine.html",
        {
            "tab": "readiness",
            "person": person,
            "plans": plans,
            "due": sum(p.cards_due for p in plans),
            "not_passed": sum(1 for p in plans if p.passed is None),
            "ready": sum(1 for p in plans if p.ready),
            "pass_mark": settings.YINGJI_QUIZ_PASS_SCORE,
            "own_unit": person.unit.acting_unit if person else None,
        },
    )


@require_POST
@domain_view
def acknowledge(request: HttpRequest, version_id: int, position: str) -> HttpResponse:
    person = _person(request)
    pk = inputs.record_id(version_id)
    version = PlanVersion.objects.filter(pk=pk).first() if pk else None
    found = Position.objects.filter(code=position).first()
    if version is None or found is None:
        raise Http404()
    if act(request, services.acknowledge, person=person, version=version, position=found):
        messages.success(
            request,
            _("Acknowledged: %(title)s, as %(position)s.")
            % {
                "title": version.title,
                "position": found.name,
            },
        )
    return redirect(f"{_mine_url()}#plan-{version.plan_id}")


def _mine_url() -> str:
    return reverse("readiness:mine")


@require_POST
@domain_view
def start_quiz(request: HttpRequest, code: str) -> HttpResponse:
    person = _person(request)
    plan = Plan.objects.filter(code=code).first()
    if plan is None:
        raise Http404()
    try:
        attempt = services.start_plan_quiz(person=person, plan=plan)
    except DomainError as exc:
        if exc.status == 403:
            raise
        messages.error(request, exc.message)
        return redirect(_mine_url())
    return redirect(attempt)


@require_POST
@domain_view
def start_course_quiz(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    try:
        attempt = services.start_course_quiz(person=person)
    except DomainError as exc:
        if exc.status == 403:
            raise
        messages.error(request, exc.message)
        return redirect("readiness:course")
    return redirect(attempt)


@require_http_methods(["GET", "POST"])
@domain_view
def attempt(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.attempt_for(viewer=request.user, pk=inputs.record_id(pk) or 0)
    errors: dict[str, str] = {}
    chosen: list = []
    if request.method == "POST" and found.status == AttemptStatus.OPEN:
        chosen = [request.POST.get(f"q{n}", "") for n in range(1, len(found.questions) + 1)]
        try:
            services.submit(person=found.person, attempt=found, answers=chosen)
        except DomainError as exc:
            if exc.status == 403:
                raise
            messages.error(request, exc.message)
            errors = exc.fields
        else:
            return redirect(found)
    questions = [
        {
            "n": n,
            "q": q,
            "chosen": found.answers[n - 1] if found.answers else _int(chosen[n - 1] if chosen else None),
            "error": errors.get(f"q{n}", ""),
        }
        for n, q in enumerate(found.questions, start=1)
    ]
    return render(
        request,
        "readiness/attempt.html",
        {"tab": "readiness", "attempt": found, "questions": questions, "done": found.status != "open"},
        status=400 if errors else 200,
    )


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_GET
def course_page(request: HttpRequest) -> HttpResponse:
    person = visibility.person_of(request.user)
    return render(
        request,
        "readiness/course.html",
        {
            "tab": "readiness",
            "course": course.shipped(),
            "entries": course.entries(),
            "attempts": selectors.course_attempts(person) if person else [],
            "pass_mark": settings.YINGJI_QUIZ_PASS_SCORE,
            "person": person,
        },
    )


@require_GET
def unit_page(request: HttpRequest, code: str) -> HttpResponse:
    unit = visibility.visible_unit(request.user, code)
    if unit is None:
        raise Http404()
    rows = selectors.people_readiness(unit)
    people = sorted((row for row in rows if row.concerned), key=lambda row: row.ready)
    total = selectors.Summary()
    for row in people:
        total.add(row)
    parent = unit.parent_unit
    return render(
        request,
        "readiness/unit.html",
        {
            "tab": "readiness",
            "unit": unit,
            "parent": parent if parent and visibility.can_see_unit(request.user, parent) else None,
            "people": people,
            "total": total,
            "children": selectors.by_child(unit, rows),
            "pass_mark": settings.YINGJI_QUIZ_PASS_SCORE,
        },
    )
