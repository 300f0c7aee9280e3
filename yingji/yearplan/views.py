"""The annual plan pages: the year's plans with their progress per unit and phase (one page), a new
plan from the template, the plan (phases and tasks, on a phone too) with its approval, and a task with
its evidence. Thin: parse, call a selector or one service, render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from yingji.core import clock, inputs
from yingji.core.due import due_text
from yingji.core.errors import InvalidInput
from yingji.core.web import act, add_error, domain_view, person_required, record_pk
from yingji.orgs import visibility
from yingji.orgs.models import Person, Unit, UnitType

from . import evidence, permissions, selectors, services
from .forms import (
    CompleteForm,
    CreateForm,
    FileForm,
    LinkForm,
    ReminderForm,
    ReopenForm,
    ReturnForm,
    TaskForm,
)
from .models import AnnualPlan, EvidenceFile, EvidenceKind, PlanStatus, PlanTask, TaskStatus


def _drawable(person: Person | None) -> list[Unit]:
    if person is None:
        return []
    units = visibility.visible(
        Unit.objects.filter(is_active=True).exclude(type=UnitType.DEPARTMENT), person.user, ""
    )
    return [u for u in units.order_by("path") if permissions.can_draw_up(person, u)]


def _year(request: HttpRequest) -> int:
    today = clock.local_today()
    year = inputs.record_id(request.GET.get("year")) or today.year
    return year if 2000 <= year <= today.year + 1 else today.year


@require_GET
def plans(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    person = visibility.person_of(request.user)
    units = _drawable(person)
    phases, rows = selectors.progress(request.user, year=year)
    return render(
        request,
        "yearplan/list.html",
        {
            "year": year,
            "years": list(range(clock.local_today().year + 1, clock.local_today().year - 4, -1)),
            "phases": phases,
            "rows": rows,
            "form": CreateForm(units=units, years=services.year_window(), initial={"year": year})
            if units
            else None,
        },
    )


@domain_view
@require_POST
def create(request: HttpRequest) -> HttpResponse:
    person = person_required(request)
    unit = visibility.visible_unit(request.user, str(request.POST.get("unit", ""))[:32])
    if unit is None:
        raise Http404()
    year = inputs.record_id(request.POST.get("year"))
    try:
        plan = services.create_plan(actor=person, unit=unit, year=year or 0)
    except InvalidInput as exc:
        for message in [exc.message, *dict.fromkeys(exc.fields.values())]:
            messages.error(request, message)
        return redirect("yearplan:list")
    return redirect(plan)


def _plan(request: HttpRequest, pk: str) -> AnnualPlan:
    return selectors.plan_for(viewer=request.user, pk=record_pk(pk))


def _plan_page(
    request: HttpRequest, plan: AnnualPlan, forms: dict | None = None, status: int = 200
) -> HttpResponse:
    person = visibility.person_of(request.user)
    forms = forms or {}
    now = clock.now()
    tasks = list(selectors.tasks_for(request.user, plan=plan))
    phases = []
    for phase in plan.phases.all():
        entries = []
        for task in (t for t in tasks if t.phase_id == phase.pk):
            task.plan = plan
            entries.append(
                {
                    "task": task,
                    "due": due_text(task.due_at),
                    "overdue": selectors.is_overdue(task, now),
                    "late": task.done_late,
                }
            )
        phases.append({"phase": phase, "tasks": entries})
    draft = plan.status == PlanStatus.DRAFT
    may_edit = draft and permissions.can_draw_up(person, plan.unit)
    may_decide = permissions.can_approve(person, plan)
    return render(
        request,
        "yearplan/plan.html",
        {
            "plan": plan,
            "phases": phases,
            "may_edit": may_edit,
            "may_decide": may_decide,
            "reminder_form": forms.get("reminders")
            or ReminderForm(initial={"reminder_days": plan.reminder_days}),
            "return_form": forms.get("return") or ReturnForm(),
            "approver_is_submitter": plan.status == PlanStatus.SUBMITTED
            and person is not None
            and person.pk == plan.submitted_by_id,
        },
        status=status,
    )


@domain_view
@require_GET
def plan(request: HttpRequest, pk: str) -> HttpResponse:
    return _plan_page(request, _plan(request, pk))


@domain_view
@require_POST
def reminders(request: HttpRequest, pk: str) -> HttpResponse:
    found = _plan(request, pk)
    person = person_required(request)
    form = ReminderForm(request.POST)
    if form.is_valid():
        try:
            services.set_reminder_days(actor=person, plan=found, days=form.cleaned_data["reminder_days"])
        except InvalidInput as exc:
            add_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(found)
    return _plan_page(request, found, {"reminders": form}, status=400)


@domain_view
@require_POST
def decide(request: HttpRequest, pk: str, action: str) -> HttpResponse:
    found = _plan(request, pk)
    person = person_required(request)
    if action == "submit":
        done = act(request, services.submit_plan, actor=person, plan=found)
        if done:
            messages.success(request, _("Submitted for approval."))
    elif action == "approve":
        if act(request, services.approve_plan, actor=person, plan=found):
            messages.success(request, _("Approved: the plan is in force and its tasks' reminders run."))
    elif action == "return":
        form = ReturnForm(request.POST)
        if not form.is_valid():
            return _plan_page(request, found, {"return": form}, status=400)
        if act(request, services.return_plan, actor=person, plan=found, note=form.cleaned_data["note"]):
            messages.success(request, _("Sent back to draft."))
    else:
        raise Http404()
    return redirect(found)


def _task(request: HttpRequest, pk: str, task_id: str) -> PlanTask:
    return selectors.task_for(viewer=request.user, plan=_plan(request, pk), pk=record_pk(task_id))


def _task_page(
    request: HttpRequest, task: PlanTask, forms: dict | None = None, status: int = 200
) -> HttpResponse:
    person = visibility.person_of(request.user)
    forms = forms or {}
    plan = task.plan
    working = (
        plan.status == PlanStatus.APPROVED
        and task.status == TaskStatus.OPEN
        and permissions.can_work(person, task)
    )
    editing = plan.status == PlanStatus.DRAFT and permissions.can_draw_up(person, plan.unit)
    links = list(task.links.all())
    linked = {link.record_id for link in links}
    records = (
        [
            r
            for r in evidence.candidates(viewer=request.user, task=task, kind=task.evidence_kind)
            if r[0] not in linked
        ]
        if working and task.evidence_kind != EvidenceKind.FILE
        else []
    )
    task_form = None
    if editing:
        task_form = forms.get("task") or TaskForm(
            initial={
                "due_on": task.due_on,
                "owner_unit": task.owner_unit_id,
                "owner_position": task.owner_position_id,
                "owner_person": task.owner_person_id,
                "evidence_kind": task.evidence_kind,
                "evidence_note": task.evidence_note,
            },
            units=services.owner_units(plan),
            people=services.owner_people(plan),
        )
    return render(
        request,
        "yearplan/task.html",
        {
            "plan": plan,
            "task": task,
            "due": due_text(task.due_at),
            "overdue": selectors.is_overdue(task),
            "files": list(task.files.select_related("uploaded_by")),
            "links": links,
            "working": working,
            "missing": services.missing_evidence(task) if working else None,
            "task_form": task_form,
            "file_form": (forms.get("file") or FileForm())
            if working and task.evidence_kind == EvidenceKind.FILE
            else None,
            "link_form": (forms.get("link") or LinkForm(records=records)) if records else None,
            "no_records": working and task.evidence_kind != EvidenceKind.FILE and not records,
            "complete_form": (forms.get("complete") or CompleteForm()) if working else None,
            "reopen_form": (forms.get("reopen") or ReopenForm())
            if task.status == TaskStatus.DONE and permissions.can_reopen(person, task)
            else None,
        },
        status=status,
    )


@domain_view
@require_GET
def task(request: HttpRequest, pk: str, task_id: str) -> HttpResponse:
    return _task_page(request, _task(request, pk, task_id))


@domain_view
@require_POST
def edit_task(request: HttpRequest, pk: str, task_id: str) -> HttpResponse:
    found = _task(request, pk, task_id)
    person = person_required(request)
    form = TaskForm(
        request.POST, units=services.owner_units(found.plan), people=services.owner_people(found.plan)
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.update_task(actor=person, task=found, **data)
        except InvalidInput as exc:
            add_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(found.plan)
    elif not permissions.can_draw_up(person, found.plan.unit):
        raise PermissionDenied()
    return _task_page(request, found, {"task": form}, status=400)


@domain_view
@require_POST
def add_file(request: HttpRequest, pk: str, task_id: str) -> HttpResponse:
    found = _task(request, pk, task_id)
    person = person_required(request)
    form = FileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            evidence.add_file(actor=person, task=found, upload=form.cleaned_data["file"])
        except InvalidInput as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(request, _("File added."))
            return redirect(found)
    elif not permissions.can_work(person, found):
        raise PermissionDenied()
    return _task_page(request, found, {"file": form}, status=400)


@domain_view
@require_GET
def file(request: HttpRequest, pk: str, task_id: str, file_id: str) -> HttpResponse:
    found = _task(request, pk, task_id)
    row = EvidenceFile.objects.filter(pk=record_pk(file_id), task=found).first()
    if row is None or not evidence.path_of(row).exists():
        raise Http404()
    return FileResponse(
        evidence.path_of(row).open("rb"), content_type=row.content_type, as_attachment=True, filename=row.name
    )


@domain_view
@require_POST
def link(request: HttpRequest, pk: str, task_id: str) -> HttpResponse:
    found = _task(request, pk, task_id)
    person = person_required(request)
    record_id = inputs.record_id(request.POST.get("record"))
    if act(
        request, evidence.link_record, actor=person, task=found, kind=found.evidence_kind, record_id=record_id
    ):
        messages.success(request, _("Record linked."))
    return redirect(found)


@domain_view
@require_POST
def complete(request: HttpRequest, pk: str, task_id: str) -> HttpResponse:
    found = _task(request, pk, task_id)
    person = person_required(request)
    form = CompleteForm(request.POST)
    if not form.is_valid():
        return _task_page(request, found, {"complete": form}, status=400)
    if act(request, services.complete_task, actor=person, task=found, note=form.cleaned_data["note"]):
        messages.success(request, _("The task is done."))
        return redirect(found.plan)
    return redirect(found)


@domain_view
@require_POST
def reopen(request: HttpRequest, pk: str, task_id: str) -> HttpResponse:
    found = _task(request, pk, task_id)
    person = person_required(request)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        if not permissions.can_reopen(person, found):
            raise PermissionDenied()
        return _task_page(request, found, {"reopen": form}, status=400)
    if act(request, services.reopen_task, actor=person, task=found, reason=form.cleaned_data["reason"]):
        messages.success(request, _("The task is open again."))
    return redirect(found)
