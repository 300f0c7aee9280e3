"""Editing plans in the pages: a new draft from the approved version, its header and steps, then
review and approval. Each view parses, calls one service, and shows the service's refusal."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from yingji.core.errors import DomainError
from yingji.core.web import add_error, domain_view

from . import services, structure
from .forms import ReasonForm, StepForm, VersionForm
from .models import Plan, PlanVersion, Step


def _editor(request) -> None:
    if not services.can_edit_plans(request.user):
        raise PermissionDenied()


def _version(code: str, number: int) -> PlanVersion:
    return get_object_or_404(PlanVersion.objects.select_related("plan"), plan__code=code, number=number)


@domain_view
@require_POST
def revise(request, code):
    _editor(request)
    plan = get_object_or_404(Plan, code=code)
    try:
        draft = services.start_revision(actor=request.user, plan=plan)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(plan)
    messages.success(request, _("Draft v%(n)s created from the approved version.") % {"n": draft.number})
    return redirect(draft)


@domain_view
@require_http_methods(["GET", "POST"])
def edit_version(request, code, number):
    _editor(request)
    version = _version(code, number)
    initial = {f: getattr(version, f) for f in ("title", "principles", "termination", "change_note")}
    initial["groups"] = structure.groups_as_lines(version.groups)
    form = VersionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        # A post without the field (not the page's form) leaves the groups alone.
        lines = data.pop("groups")
        groups = (
            structure.groups_from_lines(lines, before=version.groups) if "groups" in request.POST else None
        )
        try:
            services.update_version(actor=request.user, version=version, groups=groups, **data)
        except DomainError as exc:
            add_error(form, exc)
        else:
            return redirect(version)
    return render(
        request, "plans/form.html", {"form": form, "version": version, "heading": _("Edit the plan")}
    )


def _step_data(form: StepForm) -> dict:
    return form.cleaned_data


@domain_view
@require_http_methods(["GET", "POST"])
def add_step(request, code, number):
    _editor(request)
    version = _version(code, number)
    form = StepForm(
        request.POST or None, initial={"timing": "immediate"}, groups=structure.group_names(version.groups)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.add_step(actor=request.user, version=version, **_step_data(form))
        except DomainError as exc:
            add_error(form, exc)
        else:
            return redirect(version)
    return render(request, "plans/form.html", {"form": form, "version": version, "heading": _("Add a step")})


def _step(version: PlanVersion, step_id: int) -> Step:
    return get_object_or_404(Step.objects.select_related("version", "position"), pk=step_id, version=version)


@domain_view
@require_http_methods(["GET", "POST"])
def edit_step(request, code, number, step_id):
    _editor(request)
    version = _version(code, number)
    step = _step(version, step_id)
    initial = {f: getattr(step, f) for f in services.STEP_FIELDS}
    form = StepForm(request.POST or None, initial=initial, groups=structure.group_names(version.groups))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_step(actor=request.user, step=step, **_step_data(form))
        except DomainError as exc:
            add_error(form, exc)
        else:
            return redirect(version)
    return render(
        request,
        "plans/form.html",
        {"form": form, "version": version, "heading": _("Edit step %(n)s") % {"n": step.order}},
    )


@domain_view
@require_POST
def delete_step(request, code, number, step_id):
    _editor(request)
    version = _version(code, number)
    try:
        services.delete_step(actor=request.user, step=_step(version, step_id))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(version)


@domain_view
@require_POST
def move_step(request, code, number, step_id):
    _editor(request)
    version = _version(code, number)
    offset = -1 if request.POST.get("direction") == "up" else 1
    try:
        services.move_step(actor=request.user, step=_step(version, step_id), offset=offset)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(f"{version.get_absolute_url()}#step-{step_id}")


ACTIONS = {
    "submit": (services.submit_for_review, gettext_lazy("Submitted for review.")),
    "approve": (services.approve, gettext_lazy("Approved: this version is now the plan in force.")),
}


@domain_view
@require_POST
def version_action(request, code, number, action):
    _editor(request)
    version = _version(code, number)
    if action == "return":
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Say what must change."))
            return redirect(version)
        call, done = (
            lambda **kw: services.return_to_draft(reason=form.cleaned_data["reason"], **kw),
            _("Returned to draft."),
        )
    elif action in ACTIONS:
        call, done = ACTIONS[action]
    else:
        raise PermissionDenied()
    try:
        call(actor=request.user, version=version)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect(version)
