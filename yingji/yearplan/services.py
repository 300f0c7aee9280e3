"""Every write of the annual plans: one function per business action, keyword-only, one transaction
with its audit entry. Approval starts each task's clock on `yingji.deadlines` (a reminder the plan's
lead time before the due date, overdue on it, the unit above a day later); a task done meets it."""

from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.core import clock, inputs
from yingji.core.errors import InvalidInput, NotAllowed, NotVisible
from yingji.core.transitions import transition
from yingji.deadlines import services as deadlines
from yingji.deadlines.services import Subject
from yingji.orgs.models import Person, Position, Unit, UnitType

from . import permissions, template
from .models import (
    PLAN_TRANSITIONS,
    TASK_TRANSITIONS,
    AnnualPlan,
    EvidenceKind,
    PlanPhase,
    PlanStatus,
    PlanTask,
    TaskStatus,
    TemplatePhase,
    TemplateTask,
)
from .notices import DEADLINE, SUBJECT_TYPE

MAX_NOTE = 2000
MAX_REMINDER_DAYS = 90


def _text(errors: dict[str, str], field: str, value: str, *, limit: int, required: str = "") -> str:
    value = (value or "").strip()
    if len(value) > limit:
        errors[field] = _("At most %(n)s characters.") % {"n": limit}
    elif value and (problem := inputs.text_problem(value)):
        errors[field] = problem
    elif not value and required:
        errors[field] = required
    return value


def _locked(plan: AnnualPlan) -> AnnualPlan:
    return AnnualPlan.objects.select_for_update().select_related("unit").get(pk=plan.pk)


def year_window() -> range:
    """The years a plan may be drawn up for: last year (late), this year and next."""
    this = clock.local_today().year
    return range(this - 1, this + 2)


# --- Drawing up ------------------------------------------------------------------------------------


def create_plan(*, actor: Person, unit: Unit, year: int) -> AnnualPlan:
    """`unit`'s plan for `year`, built from the shipped template: its phases and dated tasks, each
    owned by the position the template names at `unit`, with the bank's reminder lead time."""
    if not permissions.sees(actor, unit):
        raise NotVisible()
    if not permissions.can_draw_up(actor, unit):
        raise NotAllowed(
            _("The unit's emergency administrators, security staff, heads and leaders draw up its plan.")
        )
    errors: dict[str, str] = {}
    if unit.type == UnitType.DEPARTMENT or not unit.is_active:
        errors["unit"] = _("A plan is drawn up by an active unit, not a department.")
    if year not in year_window():
        window = year_window()
        errors["year"] = _("Choose a year from %(first)s to %(last)s.") % {
            "first": window[0],
            "last": window[-1],
        }
    elif AnnualPlan.objects.filter(unit=unit, year=year).exists():
        errors["year"] = _("%(unit)s already has a plan for %(year)s.") % {"unit": unit.name, "year": year}
    if errors:
        raise InvalidInput(_("The plan is not created."), fields=errors)
    template.ensure_loaded()
    phases = list(TemplatePhase.objects.all())
    tasks = list(TemplateTask.objects.select_related("phase", "owner_position"))
    try:
        with transaction.atomic():
            plan = AnnualPlan.objects.create(
                unit=unit,
                year=year,
                reminder_days=int(settings.YINGJI_YEARPLAN_REMINDER_DAYS),
                created_by=actor,
                created_at=clock.now(),
            )
            made = {
                p.code: PlanPhase.objects.create(
                    plan=plan,
                    code=p.code,
                    name=p.name,
                    starts_on=date(year, p.start_month, p.start_day) if p.start_month else None,
                    ends_on=date(year, p.end_month, p.end_day),
                    sort_order=p.sort_order,
                )
                for p in phases
            }
            PlanTask.objects.bulk_create(
                PlanTask(
                    plan=plan,
                    phase=made[t.phase.code],
                    template=t,
                    title=t.title,
                    text=t.text,
                    owner_unit=unit,
                    owner_position=t.owner_position,
                    due_on=date(year, t.due_month, t.due_day),
                    due_at=template.end_of(date(year, t.due_month, t.due_day)),
                    evidence_kind=t.evidence_kind,
                    evidence_note=t.evidence_note,
                    sort_order=t.sort_order,
                )
                for t in tasks
            )
            audit.record(
                actor=actor.user,
                action="yearplan.create",
                obj=plan,
                data={"unit": unit.code, "year": year, "count": len(tasks)},
            )
    except IntegrityError as exc:  # the same plan created at the same moment by someone else
        raise InvalidInput(
            _("The plan is not created."),
            fields={
                "year": _("%(unit)s already has a plan for %(year)s.") % {"unit": unit.name, "year": year}
            },
        ) from exc
    return plan


def _require_draft(actor: Person, plan: AnnualPlan) -> None:
    if not permissions.sees(actor, plan.unit):
        raise NotVisible()
    if not permissions.can_draw_up(actor, plan.unit):
        raise NotAllowed(
            _("The unit's emergency administrators, security staff, heads and leaders edit its plan.")
        )
    if plan.status != PlanStatus.DRAFT:
        raise InvalidInput(
            _("Only a draft plan can be changed; this one is %(status)s.")
            % {"status": plan.get_status_display()}
        )


def set_reminder_days(*, actor: Person, plan: AnnualPlan, days: int | None) -> AnnualPlan:
    _require_draft(actor, plan)
    if days is None or not 0 <= days <= MAX_REMINDER_DAYS:
        raise InvalidInput(
            _("The plan is not changed."),
            fields={"reminder_days": _("Give a number of days from 0 to %(n)s.") % {"n": MAX_REMINDER_DAYS}},
        )
    with transaction.atomic():
        plan = _locked(plan)
        if plan.status != PlanStatus.DRAFT:
            raise InvalidInput(_("Only a draft plan can be changed."))
        before = plan.reminder_days
        plan.reminder_days = days
        plan.save(update_fields=["reminder_days"])
        audit.record(
            actor=actor.user,
            action="yearplan.edit",
            obj=plan,
            data={"changed": {"reminder_days": [before, days]}},
        )
    return plan


def owner_units(plan: AnnualPlan) -> list[Unit]:
    """Units a task of the plan may be owned at: the plan's unit and its departments."""
    children = Unit.objects.filter(
        path__startswith=plan.unit.path, depth=plan.unit.depth + 1, type=UnitType.DEPARTMENT
    )
    return [plan.unit, *children.order_by("code")]


def owner_people(plan: AnnualPlan):
    """People a task may be owned by: the active staff of the plan's unit and its departments."""
    return (
        Person.objects.filter(unit__in=owner_units(plan), user__is_active=True)
        .select_related("unit")
        .order_by("unit__path", "name")
    )


def update_task(
    *,
    actor: Person,
    task: PlanTask,
    due_on: date | None,
    owner_unit: Unit | None,
    owner_position: Position | None,
    owner_person: Person | None,
    evidence_kind: str,
    evidence_note: str,
) -> PlanTask:
    """While the plan is a draft: a task's due date, owner and the evidence it requires."""
    plan = task.plan
    _require_draft(actor, plan)
    errors: dict[str, str] = {}
    if due_on is None:
        errors["due_on"] = _("Give the due date.")
    elif due_on.year != plan.year:
        errors["due_on"] = _("The due date lies in %(year)s, the plan's year.") % {"year": plan.year}
    allowed_units = owner_units(plan)
    if owner_unit is None or owner_unit.pk not in {u.pk for u in allowed_units}:
        errors["owner_unit"] = _("Choose the plan's unit or one of its departments.")
    if owner_person is not None and not owner_people(plan).filter(pk=owner_person.pk).exists():
        errors["owner_person"] = _("Choose an active person of the plan's unit or its departments.")
    if owner_person is None and owner_position is None:
        errors["owner_position"] = _("Name a position or a person who owns the task.")
    if evidence_kind not in EvidenceKind.values:
        errors["evidence_kind"] = _("Choose the evidence the task requires.")
    evidence_note = _text(errors, "evidence_note", evidence_note, limit=100)
    if errors:
        raise InvalidInput(_("The task is not changed."), fields=errors)
    with transaction.atomic():
        plan = _locked(plan)
        if plan.status != PlanStatus.DRAFT:
            raise InvalidInput(_("Only a draft plan can be changed."))
        task = (
            PlanTask.objects.select_for_update(of=("self",))
            .select_related("owner_unit", "owner_position", "owner_person")
            .get(pk=task.pk)
        )
        before = _shown(task)
        task.due_on, task.due_at = due_on, template.end_of(due_on)
        task.owner_unit, task.owner_position, task.owner_person = owner_unit, owner_position, owner_person
        task.evidence_kind, task.evidence_note = evidence_kind, evidence_note
        task.save()
        after = _shown(task)
        changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if changed:
            audit.record(
                actor=actor.user,
                action="yearplan.edit_task",
                obj=plan,
                data={"text": task.title, "changed": changed},
            )
    return task


def _shown(task: PlanTask) -> dict[str, str]:
    """A task's editable fields as people read them, for the audit entry of a change."""
    return {
        "due_on": task.due_on.isoformat(),
        "owner_unit": task.owner_unit.name,
        "owner_position": task.owner_position.name if task.owner_position else "",
        "owner_person": task.owner_person.name if task.owner_person else "",
        "evidence_kind": str(task.get_evidence_kind_display()),
        "evidence_note": task.evidence_note,
    }


# --- Approval --------------------------------------------------------------------------------------


def submit_plan(*, actor: Person, plan: AnnualPlan) -> AnnualPlan:
    _require_draft(actor, plan)
    with transaction.atomic():
        plan = _locked(plan)
        transition(plan, PlanStatus.SUBMITTED, table=PLAN_TRANSITIONS)
        plan.submitted_by, plan.submitted_at, plan.return_note = actor, clock.now(), ""
        plan.save(update_fields=["submitted_by", "submitted_at", "return_note"])
        audit.record(
            actor=actor.user,
            action="yearplan.submit",
            obj=plan,
            data={"unit": plan.unit.code, "year": plan.year},
        )
    return plan


def _require_approver(actor: Person, plan: AnnualPlan) -> None:
    if not permissions.sees(actor, plan.unit):
        raise NotVisible()
    if not permissions.leads(actor, plan.unit):
        raise NotAllowed(_("A head or leader of the unit or of a unit above approves its plan."))
    if plan.submitted_by_id == actor.pk:
        raise NotAllowed(_("Someone other than who submitted the plan approves it (four eyes)."))


def approve_plan(*, actor: Person, plan: AnnualPlan) -> AnnualPlan:
    """The plan is in force: each task's clock starts (a reminder the plan's lead time before its due
    date, overdue on it, the unit above a day later)."""
    _require_approver(actor, plan)
    with transaction.atomic():
        plan = _locked(plan)
        if plan.submitted_by_id == actor.pk:
            raise NotAllowed(_("Someone other than who submitted the plan approves it (four eyes)."))
        transition(plan, PlanStatus.APPROVED, table=PLAN_TRANSITIONS, expect={PlanStatus.SUBMITTED})
        plan.approved_by, plan.approved_at = actor, clock.now()
        plan.save(update_fields=["approved_by", "approved_at"])
        tasks = list(plan.tasks.filter(status=TaskStatus.OPEN).select_related("owner_person"))
        for task in tasks:
            _start_clock(plan, task)
        audit.record(
            actor=actor.user,
            action="yearplan.approve",
            obj=plan,
            data={"unit": plan.unit.code, "year": plan.year, "count": len(tasks)},
        )
    return plan


def return_plan(*, actor: Person, plan: AnnualPlan, note: str) -> AnnualPlan:
    """Sent back to draft with what to change."""
    _require_approver(actor, plan)
    errors: dict[str, str] = {}
    note = _text(errors, "note", note, limit=MAX_NOTE, required=_("Say what should change."))
    if errors:
        raise InvalidInput(_("The plan is not sent back."), fields=errors)
    with transaction.atomic():
        plan = _locked(plan)
        transition(plan, PlanStatus.DRAFT, table=PLAN_TRANSITIONS, expect={PlanStatus.SUBMITTED})
        plan.return_note = note
        plan.save(update_fields=["return_note"])
        audit.record(actor=actor.user, action="yearplan.return", obj=plan, data={"note": note})
    return plan


def reminder_share(plan: AnnualPlan, task: PlanTask, started) -> tuple[float, ...]:
    """The reminder as a share of the task's time (the deadlines count reminders that way): the plan's
    lead time before the due date; at once when less time than that is left."""
    allowed = (task.due_at - started).total_seconds()
    lead = timedelta(days=plan.reminder_days).total_seconds()
    if allowed <= 0:
        return ()
    return (round(max(0.0, 100 * (allowed - lead) / allowed), 6),)


def _start_clock(plan: AnnualPlan, task: PlanTask) -> None:
    started = clock.now()
    deadlines.start(
        subject=Subject(SUBJECT_TYPE, task.pk),
        name=DEADLINE,
        label=task.title,
        unit=plan.unit,
        owner=task.owner_person,
        due_at=task.due_at,
        started_at=started,
        source=_("Annual plan %(year)s: due %(day)s; reminder %(days)s days before (set by the bank)")
        % {"year": plan.year, "day": task.due_on.isoformat(), "days": plan.reminder_days},
        reminders=reminder_share(plan, task, started),
    )


# --- Tasks -----------------------------------------------------------------------------------------


def require_workable(actor: Person, task: PlanTask) -> None:
    """A task takes evidence and is done while its plan is in force and it is open, by its owner."""
    if not permissions.sees(actor, task.plan.unit):
        raise NotVisible()
    if not permissions.can_work(actor, task):
        raise NotAllowed(_("The task's owner, or who draws up the unit's plan, works on it."))
    if task.plan.status != PlanStatus.APPROVED:
        raise InvalidInput(_("The plan is not approved yet: its tasks start once it is."))
    if task.status != TaskStatus.OPEN:
        raise InvalidInput(_("The task is done; a leader may open it again."))


def missing_evidence(task: PlanTask) -> str | None:
    """What the task's template requires and it does not have yet, in words; None when it has it."""
    if task.evidence_kind == EvidenceKind.FILE:
        has = task.files.exists()
    else:
        has = task.links.filter(kind=task.evidence_kind).exists()
    if has:
        return None
    what = task.evidence_note or task.get_evidence_kind_display()
    if task.evidence_kind == EvidenceKind.FILE:
        return _("Upload the evidence first (%(what)s): this task cannot be done without it.") % {
            "what": what
        }
    return _("Link the evidence first (%(what)s): this task cannot be done without it.") % {"what": what}


def complete_task(*, actor: Person, task: PlanTask, note: str = "") -> PlanTask:
    require_workable(actor, task)
    errors: dict[str, str] = {}
    note = _text(errors, "note", note, limit=MAX_NOTE)
    if errors:
        raise InvalidInput(_("The task is not done."), fields=errors)
    with transaction.atomic():
        task = PlanTask.objects.select_for_update(of=("self",)).select_related("plan__unit").get(pk=task.pk)
        if (missing := missing_evidence(task)) is not None:
            raise InvalidInput(missing, fields={"evidence": missing})
        transition(task, TaskStatus.DONE, table=TASK_TRANSITIONS)
        task.done_at, task.done_by, task.done_note = clock.now(), actor, note
        task.save(update_fields=["done_at", "done_by", "done_note"])
        deadlines.meet(Subject(SUBJECT_TYPE, task.pk), [DEADLINE], at=task.done_at)
        audit.record(
            actor=actor.user,
            action="yearplan.complete_task",
            obj=task.plan,
            data={"text": task.title, "note": note, "done_late": task.done_late},
        )
    return task


def reopen_task(*, actor: Person, task: PlanTask, reason: str) -> PlanTask:
    """A leader finds the evidence does not hold: the task is open again and its clock runs again."""
    if not permissions.sees(actor, task.plan.unit):
        raise NotVisible()
    if not permissions.can_reopen(actor, task):
        raise NotAllowed(_("A head or leader of the unit or above opens a done task again."))
    errors: dict[str, str] = {}
    reason = _text(errors, "reason", reason, limit=MAX_NOTE, required=_("Say why the task is not done."))
    if errors:
        raise InvalidInput(_("The task is not opened again."), fields=errors)
    with transaction.atomic():
        task = (
            PlanTask.objects.select_for_update(of=("self",))
            .select_related("plan__unit", "owner_person")
            .get(pk=task.pk)
        )
        transition(task, TaskStatus.OPEN, table=TASK_TRANSITIONS)
        task.done_at, task.done_by = None, None
        task.save(update_fields=["done_at", "done_by"])
        _start_clock(task.plan, task)
        audit.record(
            actor=actor.user,
            action="yearplan.reopen_task",
            obj=task.plan,
            data={"text": task.title, "reason": reason},
        )
    return task
