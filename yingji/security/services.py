"""Every write of the security inspections: one function per business action, keyword-only, one
transaction with its audit entry. A failed item becomes a finding and a corrective action in the one
corrective register (yingji/corrective), as a drill's findings do; closing one takes an inspector's
re-check (`recheck_rectification`)."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.core import clock, inputs
from yingji.core.errors import InvalidInput, NotAllowed, NotVisible
from yingji.core.transitions import transition
from yingji.corrective import services as corrective
from yingji.corrective.models import CorrectiveAction, Grade, SourceType
from yingji.orgs.models import Person, Unit

from . import alarms, coverage, permissions
from .models import (
    TRANSITIONS,
    Accountability,
    Area,
    ChecklistItem,
    FindingLink,
    Inspection,
    InspectionSchedule,
    ItemResult,
    Result,
    Status,
)

MAX_NOTE = 2000
# The unit types an inspection schedule is set for, and the lengths offered (0: not scheduled).
SCHEDULED_TYPES = ("branch", "sub_branch", "outlet")
SCHEDULE_CHOICES = (0, 1, 3, 6, 12)


def _label(inspection: Inspection) -> str:
    return _("Security inspection #%(n)s of %(unit)s") % {"n": inspection.pk, "unit": inspection.unit.name}


def _note(errors: dict[str, str], field: str, value: str, *, limit: int = MAX_NOTE) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        errors[field] = _("At most %(n)s characters.") % {"n": limit}
    elif value and (problem := inputs.text_problem(value)):
        errors[field] = problem
    return value


def _locked(inspection: Inspection) -> Inspection:
    return Inspection.objects.select_for_update().select_related("unit", "inspector").get(pk=inspection.pk)


# --- Conducting ------------------------------------------------------------------------------------


def start_inspection(*, actor: Person, unit: Unit) -> Inspection:
    """An inspection of `unit` with every item of the checklist in use, copied as it reads today."""
    if not permissions.sees(actor, unit):
        raise NotVisible()
    if not permissions.can_inspect(actor, unit):
        raise NotAllowed(
            _(
                "Emergency administrators, heads and leaders of the units above inspect a unit; "
                "not its own staff."
            )
        )
    items = list(ChecklistItem.objects.filter(is_active=True).select_related("area"))
    if not items:
        raise InvalidInput(_("The checklist is empty: add items first."))
    with transaction.atomic():
        inspection = Inspection.objects.create(unit=unit, inspector=actor, started_at=clock.now())
        ItemResult.objects.bulk_create(
            ItemResult(
                inspection=inspection,
                item=item,
                area_name=item.area.name,
                text=item.text,
                sort_order=n,
            )
            for n, item in enumerate(items)
        )
        audit.record(
            actor=actor.user,
            action="security.start_inspection",
            obj=inspection,
            data={"unit": unit.code, "count": len(items)},
        )
    return inspection


def record_item(
    *,
    actor: Person,
    result: ItemResult,
    outcome: str,
    note: str = "",
    major_hazard: bool = False,
    responsible: Person | None = None,
) -> ItemResult:
    """The inspector's verdict on one item: passed, failed (saying what is wrong) or not applicable. A
    failure may be a 重大安全隐患, which names the person responsible."""
    inspection = result.inspection
    if not permissions.can_conduct(actor, inspection):
        raise NotAllowed(_("Only the inspector records the items of an inspection."))
    if inspection.status != Status.CONDUCTING:
        raise InvalidInput(_("The inspection is signed: its items can no longer change."))
    errors: dict[str, str] = {}
    if outcome not in (Result.PASS, Result.FAIL, Result.NOT_APPLICABLE):
        errors["outcome"] = _("Choose passed, failed or not applicable.")
    note = _note(errors, "note", note)
    if outcome == Result.FAIL and not note:
        errors["note"] = _("Say what is wrong: it becomes the rectification's finding.")
    if major_hazard and outcome != Result.FAIL:
        errors["major_hazard"] = _("Only a failed item can be a major safety hazard.")
    if major_hazard:
        if responsible is None:
            errors["responsible"] = _("Name the person responsible for the major safety hazard.")
        elif not responsible.is_active or not permissions.sees(actor, responsible.unit):
            errors["responsible"] = _("Choose an active person of the units you see.")
    if errors:
        raise InvalidInput(_("The item is not recorded."), fields=errors)
    with transaction.atomic():
        # One writer at a time, and no change once the inspector signed (the lock sees the latest status).
        if _locked(inspection).status != Status.CONDUCTING:
            raise InvalidInput(_("The inspection is signed: its items can no longer change."))
        result.result, result.note = outcome, note
        result.major_hazard = major_hazard
        result.responsible = responsible if major_hazard else None
        result.checked_at = clock.now()
        result.save(update_fields=["result", "note", "major_hazard", "responsible", "checked_at"])
        audit.record(
            actor=actor.user,
            action="security.record_item",
            obj=inspection,
            data={"text": result.text, "decision": outcome, "note": note, "major": major_hazard},
        )
    return result


# --- Signing ---------------------------------------------------------------------------------------


def _owner_for(unit: Unit, inspector: Person) -> Person:
    """Who answers for the rectification: the unit's head, else the inspector (who then reassigns it)."""
    heads = [
        p
        for p in Person.objects.filter(unit=unit, user__is_active=True).prefetch_related("positions")
        if any(pos.is_unit_head for pos in p.positions.all())
    ]
    return heads[0] if heads else inspector


def _major_due() -> tuple[datetime, str]:
    days = int(settings.YINGJI_INSPECTION_MAJOR_DAYS)
    last_day = clock.local_today() + timedelta(days=days)
    due = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=clock.SHANGHAI)
    return due, _("Major safety hazard: %(days)s days (set by the bank)") % {"days": days}


def sign_as_inspector(*, actor: Person, inspection: Inspection) -> Inspection:
    """The inspector signs: the items are final, every failed item becomes a rectification (整改) in the
    corrective register, and each 重大安全隐患 tells the unit's leaders at once and opens an accountability
    record for the person responsible."""
    if not permissions.can_conduct(actor, inspection):
        raise NotAllowed(_("Only the inspector signs as the inspector."))
    pending = inspection.results.filter(result=Result.PENDING).count()
    if pending:
        raise InvalidInput(
            _("%(n)s items are not checked yet: each passes, fails or does not apply.") % {"n": pending}
        )
    areas = {a.name: a.category for a in Area.objects.all()}
    with transaction.atomic():
        inspection = _locked(inspection)
        transition(inspection, Status.AWAITING_HEAD, table=TRANSITIONS)
        now = clock.now()
        inspection.inspector_signed_at = now
        inspection.save(update_fields=["inspector_signed_at"])
        label = _label(inspection)
        owner = _owner_for(inspection.unit, actor)
        failed = list(
            inspection.results.filter(result=Result.FAIL).select_related("item__area", "responsible__unit")
        )
        for result in failed:
            finding = corrective.record_finding(
                actor=actor,
                unit=inspection.unit,
                source_type=SourceType.INSPECTION,
                source_id=inspection.pk,
                source_label=label,
                category=areas.get(result.area_name, result.item.area.category),
                grade=Grade.DEFICIENCY if result.major_hazard else Grade.RECTIFICATION,
                text=f"{result.area_name}：{result.text}。{result.note}",
                found_at=result.checked_at or now,
                recurrence_key=f"inspection-item-{result.item_id}",
            )
            FindingLink.objects.create(inspection=inspection, result=result, finding=finding)
            due_at, rule = _major_due() if result.major_hazard else (None, "")
            corrective.open_action(
                actor=actor,
                findings=[finding],
                owner=owner,
                text=_("Rectify: %(item)s (%(note)s)") % {"item": result.text, "note": result.note},
                due_at=due_at,
                due_rule=rule,
            )
            if result.major_hazard:
                _open_accountability(actor=actor, inspection=inspection, result=result)
        if failed and any(r.major_hazard for r in failed):
            alarms.tell_leaders(inspection=inspection, results=[r for r in failed if r.major_hazard])
        audit.record(
            actor=actor.user,
            action="security.sign_inspector",
            obj=inspection,
            data={"unit": inspection.unit.code, "count": len(failed)},
        )
    return inspection


def _open_accountability(*, actor: Person, inspection: Inspection, result: ItemResult) -> Accountability:
    record = Accountability.objects.create(
        result=result,
        unit=inspection.unit,
        person=result.responsible,
        opened_at=clock.now(),
        opened_by=actor,
    )
    audit.record(
        actor=actor.user,
        action="security.open_accountability",
        obj=inspection,
        data={"person": result.responsible.name, "text": result.text, "note": result.note},
    )
    return record


def sign_as_head(*, actor: Person, inspection: Inspection) -> Inspection:
    """The unit's head confirms the record on their own phone; signed by both, it is locked."""
    if not permissions.sees(actor, inspection.unit):
        raise NotVisible()
    if not permissions.is_unit_head(actor, inspection.unit):
        raise NotAllowed(_("The head of the unit inspected signs for it."))
    with transaction.atomic():
        inspection = _locked(inspection)
        transition(inspection, Status.SIGNED, table=TRANSITIONS)
        inspection.head, inspection.head_signed_at = actor, clock.now()
        inspection.save(update_fields=["head", "head_signed_at"])
        audit.record(
            actor=actor.user, action="security.sign_head", obj=inspection, data={"unit": inspection.unit.code}
        )
    return inspection


# --- Re-check and checklist ------------------------------------------------------------------------


def inspection_of(action: CorrectiveAction) -> Inspection | None:
    link = FindingLink.objects.filter(finding__actions=action).select_related("inspection__unit").first()
    return link.inspection if link else None


def recheck_rectification(
    *, actor: Person, action: CorrectiveAction, passed: bool, note: str
) -> CorrectiveAction:
    """An inspector goes back and looks: passed, the rectification is verified (closed); not passed, it
    is open again. Only an inspector of the unit, never the rectification's owner."""
    inspection = inspection_of(action)
    if inspection is None or not permissions.sees(actor, action.unit):
        raise NotVisible()
    if not permissions.can_inspect(actor, action.unit):
        raise NotAllowed(_("An inspector of the unit re-checks a rectification; its owner does not."))
    by_source = _("Re-check of security inspection #%(n)s") % {"n": inspection.pk}
    return corrective.recheck(actor=actor, action=action, by_source=by_source, passed=passed, note=note)


def add_checklist_item(*, actor: Person, area: Area, text: str) -> ChecklistItem:
    if not permissions.can_manage_checklist(actor):
        raise NotAllowed(_("Head office's emergency administrators and security staff extend the checklist."))
    errors: dict[str, str] = {}
    text = _note(errors, "text", text, limit=300)
    if not text and "text" not in errors:
        errors["text"] = _("Say what the inspector checks.")
    if errors:
        raise InvalidInput(_("The item is not added."), fields=errors)
    with transaction.atomic():
        last = area.items.order_by("-sort_order").values_list("sort_order", flat=True).first() or 0
        item = ChecklistItem.objects.create(area=area, text=text, sort_order=last + 10, added_by=actor)
        audit.record(
            actor=actor.user,
            action="security.add_checklist_item",
            obj=item,
            data={"text": f"{area.name}：{text}"},
        )
    return item


def set_schedule(*, actor: Person, unit_type: str, every_months: int) -> None:
    """Head office's 应急管理员 sets how often units of a type are inspected (0: not scheduled)."""
    if not permissions.can_set_schedule(actor):
        raise NotAllowed(_("Head office's emergency administrators set the inspection schedule."))
    errors: dict[str, str] = {}
    if unit_type not in SCHEDULED_TYPES:
        errors["unit_type"] = _("Choose a branch, a sub-branch or an outlet.")
    if every_months not in SCHEDULE_CHOICES:
        errors["every_months"] = _("Choose monthly, quarterly, half-yearly, yearly or not scheduled.")
    if errors:
        raise InvalidInput(_("The schedule is not changed."), fields=errors)
    with transaction.atomic():
        before = coverage.schedule().get(unit_type, 0)
        row, _created = InspectionSchedule.objects.update_or_create(
            unit_type=unit_type,
            defaults={"every_months": every_months, "set_by": actor, "set_at": clock.now()},
        )
        audit.record(
            actor=actor.user,
            action="security.set_schedule",
            obj=row,
            unit=actor.unit,
            data={"unit_type": unit_type, "before": before, "after": every_months},
        )
