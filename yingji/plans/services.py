"""Every write to the plan library. A plan changes only through a new version: draft → in review →
approved (by a head-office 应急管理员 who neither drafted, edited nor submitted it) → superseded by the
next."""

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.core import clock
from yingji.core.errors import InvalidInput, InvalidTransition, NotAllowed
from yingji.core.transitions import transition
from yingji.orgs import visibility
from yingji.orgs.models import Position

from . import structure
from .models import Plan, PlanVersion, Step, Timing, VersionStatus

S = VersionStatus
TRANSITIONS = {
    S.DRAFT: {S.IN_REVIEW},
    S.IN_REVIEW: {S.DRAFT, S.APPROVED},
    S.APPROVED: {S.SUPERSEDED},
    S.SUPERSEDED: set(),
}
OPEN = (S.DRAFT, S.IN_REVIEW)
STEP_FIELDS = (
    "action",
    "position",
    "position_inferred",
    "timing",
    "minutes",
    "condition",
    "branch",
    "record",
    "group",
)
# What a new draft copies from the version it starts from, besides its steps.
VERSION_FIELDS = (
    "title",
    "principles",
    "contacts",
    "termination",
    "termination_approvers",
    "groups",
    "leadership",
)


def can_edit_plans(user) -> bool:
    return user.is_authenticated and (user.is_superuser or visibility.is_emergency_admin(user))


def can_approve_plans(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or (visibility.is_emergency_admin(user) and visibility.is_head_office(user))
    )


def _require_editor(actor: User) -> None:
    if not can_edit_plans(actor):
        raise NotAllowed(_("Only an emergency administrator can edit plans."))


def _require_draft(version: PlanVersion) -> None:
    if version.status != S.DRAFT:
        raise InvalidTransition(
            _("Only a draft can be edited; this version is “%(status)s”.")
            % {"status": version.get_status_display()}
        )


def _edited_by(actor: User, version: PlanVersion) -> None:
    """Remember who changed the version: four eyes keep them from approving it."""
    version.editors.add(actor)


def ensure_activatable(version: PlanVersion) -> None:
    """What an event's activation asks before it uses a version."""
    if version.status != S.APPROVED:
        raise InvalidTransition(
            _("Only an approved version can be activated; “%(title)s” v%(n)s is “%(status)s”.")
            % {"title": version.title, "n": version.number, "status": version.get_status_display()}
        )


def start_revision(*, actor: User, plan: Plan) -> PlanVersion:
    """A new draft, copied from the current approved version (or the latest one)."""
    _require_editor(actor)
    with transaction.atomic():
        Plan.objects.select_for_update().get(pk=plan.pk)
        if plan.versions.filter(status__in=OPEN).exists():
            raise InvalidInput(_("This plan already has a version in draft or in review."))
        return _new_draft(actor, plan)


def draft_for_finding(*, actor: User, plan: Plan, finding_text: str) -> PlanVersion:
    """A finding against the plan (a drill's, an inspection's) opens its next draft, or joins the one
    already open, so the plan gets better. Whoever records the finding opens it; editing and four-eyes
    approval stay with the emergency administrators."""
    with transaction.atomic():
        Plan.objects.select_for_update().get(pk=plan.pk)
        open_version = plan.versions.filter(status__in=OPEN).order_by("-number").first()
        if open_version is not None:
            return open_version
        return _new_draft(actor, plan, reason=finding_text)


def _new_draft(actor: User, plan: Plan, *, reason: str = "") -> PlanVersion:
    base = plan.versions.filter(status=S.APPROVED).first() or plan.versions.order_by("-number").first()
    number = (plan.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    copied = {f: getattr(base, f) for f in VERSION_FIELDS} if base else {"title": plan.code}
    draft = PlanVersion.objects.create(
        plan=plan, number=number, status=S.DRAFT, created_by=actor, created_at=clock.now(), **copied
    )
    if base is not None:
        Step.objects.bulk_create(
            [
                Step(version=draft, order=s.order, **{f: getattr(s, f) for f in STEP_FIELDS})
                for s in base.steps.all()
            ]
        )
    data = {"plan": plan.code, "number": number, "from": base.number if base else None}
    if reason:
        data["reason"] = reason[:200]
    audit.record(actor=actor, action="plan_version.draft", obj=draft, data=data)
    return draft


def update_version(
    *,
    actor: User,
    version: PlanVersion,
    title: str,
    principles: str,
    termination: str,
    change_note: str,
    groups: list[dict] | None = None,
) -> PlanVersion:
    """The draft's header. `groups` (the working groups, see `structure`) is left as it is when None."""
    _require_editor(actor)
    _require_draft(version)
    if not title.strip():
        raise InvalidInput(_("A plan needs a title."), fields={"title": _("Required.")})
    if groups is not None:
        _check_groups(version, groups)
    with transaction.atomic():
        changed = {}
        values = [
            ("title", title.strip()),
            ("principles", principles.strip()),
            ("termination", termination.strip()),
            ("change_note", change_note.strip()),
        ]
        if groups is not None:
            values.append(("groups", groups))
        for field, value in values:
            if getattr(version, field) != value:
                changed[field] = [getattr(version, field), value]
                setattr(version, field, value)
        if changed:
            version.save(update_fields=list(changed))
            _edited_by(actor, version)
            audit.record(actor=actor, action="plan_version.update", obj=version, data={"changed": changed})
    return version


def _check_groups(version: PlanVersion, groups: list[dict]) -> None:
    """Working groups with a name each, no name twice, and none taken away from a step that names it."""
    positions = set(Position.objects.values_list("code", flat=True))
    if structure.group_errors(groups, positions):
        raise InvalidInput(
            _("Each working group needs a name of at most %(n)s characters, and no name may repeat.")
            % {"n": structure.GROUP_NAME_MAX},
            fields={"groups": _("Check the working groups.")},
        )
    names = set(structure.group_names(groups))
    orphans = sorted(
        (order, group)
        for order, group in version.steps.exclude(group="").values_list("order", "group")
        if group not in names
    )
    if orphans:
        message = _("Step %(order)s belongs to the working group “%(group)s”: change the step first.") % {
            "order": orphans[0][0],
            "group": orphans[0][1],
        }
        raise InvalidInput(message, fields={"groups": message})


def _clean_step(version: PlanVersion, data: dict) -> dict:
    errors = {}
    action = (data.get("action") or "").strip()
    if not action:
        errors["action"] = _("Required.")
    position = data.get("position")
    if isinstance(position, str):
        position = Position.objects.filter(code=position).first()
    if position is None:
        errors["position"] = _("Unknown position.")
    timing = data.get("timing") or Timing.IMMEDIATE
    if timing not in Timing.values:
        errors["timing"] = _("Unknown timing.")
    minutes = data.get("minutes")
    if timing == Timing.WITHIN and not minutes:
        errors["minutes"] = _("Give the minutes for a time limit.")
    condition = (data.get("condition") or "").strip()
    if timing == Timing.ON_CONDITION and not condition:
        errors["condition"] = _("Say when the step applies.")
    group = (data.get("group") or "").strip()
    if group and group not in structure.group_names(version.groups):
        errors["group"] = _("The plan has no such working group.")
    if errors:
        raise InvalidInput(_("The step is not valid."), fields=errors)
    return {
        "action": action,
        "position": position,
        "position_inferred": bool(data.get("position_inferred")),
        "timing": timing,
        "minutes": minutes if timing == Timing.WITHIN else None,
        "condition": condition,
        "branch": (data.get("branch") or "").strip(),
        "record": (data.get("record") or "").strip(),
        "group": group,
    }


def _step_snapshot(step: Step) -> dict:
    return {f: (step.position.code if f == "position" else getattr(step, f)) for f in STEP_FIELDS}


def add_step(*, actor: User, version: PlanVersion, **data) -> Step:
    _require_editor(actor)
    _require_draft(version)
    fields = _clean_step(version, data)
    with transaction.atomic():
        PlanVersion.objects.select_for_update().get(pk=version.pk)
        order = (version.steps.aggregate(n=Max("order"))["n"] or 0) + 1
        step = Step.objects.create(version=version, order=order, **fields)
        _edited_by(actor, version)
        audit.record(actor=actor, action="plan_step.add", obj=step, data=_step_snapshot(step))
    return step


def update_step(*, actor: User, step: Step, **data) -> Step:
    _require_editor(actor)
    _require_draft(step.version)
    fields = _clean_step(step.version, data)
    before = _step_snapshot(step)
    with transaction.atomic():
        for field, value in fields.items():
            setattr(step, field, value)
        step.save()
        after = _step_snapshot(step)
        diff = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if diff:
            _edited_by(actor, step.version)
            audit.record(actor=actor, action="plan_step.update", obj=step, data={"changed": diff})
    return step


def delete_step(*, actor: User, step: Step) -> None:
    _require_editor(actor)
    version = step.version
    _require_draft(version)
    with transaction.atomic():
        PlanVersion.objects.select_for_update().get(pk=version.pk)
        snapshot = _step_snapshot(step)
        step_id = step.pk
        step.delete()
        _renumber(version, [s.pk for s in version.steps.order_by("order")])
        _edited_by(actor, version)
        audit.record(actor=actor, action="plan_step.delete", obj=version, data={"step": step_id, **snapshot})


def move_step(*, actor: User, step: Step, offset: int) -> None:
    """Move a step up (-1) or down (+1)."""
    _require_editor(actor)
    version = step.version
    _require_draft(version)
    with transaction.atomic():
        PlanVersion.objects.select_for_update().get(pk=version.pk)
        ids = list(version.steps.order_by("order").values_list("pk", flat=True))
        index = ids.index(step.pk)
        target = index + offset
        if not 0 <= target < len(ids):
            return
        ids[index], ids[target] = ids[target], ids[index]
        _renumber(version, ids)
        _edited_by(actor, version)
        audit.record(
            actor=actor, action="plan_step.move", obj=step, data={"from": index + 1, "to": target + 1}
        )


def _renumber(version: PlanVersion, ordered_ids: list[int]) -> None:
    # Two passes so the unique (version, order) constraint never sees a duplicate.
    offset = len(ordered_ids) + 1000
    for position, pk in enumerate(ordered_ids, start=1):
        Step.objects.filter(pk=pk).update(order=position + offset)
    for position, pk in enumerate(ordered_ids, start=1):
        Step.objects.filter(pk=pk).update(order=position)


def submit_for_review(*, actor: User, version: PlanVersion) -> PlanVersion:
    _require_editor(actor)
    if version.status == S.DRAFT and not version.steps.exists():
        raise InvalidInput(_("A plan needs at least one step."))
    with transaction.atomic():
        transition(version, S.IN_REVIEW, table=TRANSITIONS)
        PlanVersion.objects.filter(pk=version.pk).update(submitted_by=actor, submitted_at=clock.now())
        audit.record(actor=actor, action="plan_version.submit", obj=version, data={"number": version.number})
    version.refresh_from_db()
    return version


def return_to_draft(*, actor: User, version: PlanVersion, reason: str) -> PlanVersion:
    if not can_approve_plans(actor):
        raise NotAllowed(_("Only a head-office emergency administrator reviews plans."))
    if not reason.strip():
        raise InvalidInput(_("Say what must change."), fields={"reason": _("Required.")})
    with transaction.atomic():
        transition(version, S.DRAFT, table=TRANSITIONS)
        audit.record(actor=actor, action="plan_version.return", obj=version, data={"reason": reason.strip()})
    return version


def approve(*, actor: User, version: PlanVersion) -> PlanVersion:
    """Four eyes are two people: the approver is a head-office 应急管理员 who neither drafted, edited nor
    submitted this version. A superuser is held to the same rule."""
    if not can_approve_plans(actor):
        raise NotAllowed(_("Only a head-office emergency administrator approves plans."))
    with transaction.atomic():
        locked = PlanVersion.objects.select_for_update().get(pk=version.pk)
        if actor.pk in locked.hands():
            raise NotAllowed(
                _(
                    "Someone who drafted, edited or submitted a version cannot approve it; ask another "
                    "head-office emergency administrator."
                )
            )
        previous = version.plan.versions.select_for_update().filter(status=S.APPROVED).first()
        if previous is not None:
            transition(previous, S.SUPERSEDED, table=TRANSITIONS)
        transition(version, S.APPROVED, table=TRANSITIONS)
        person = visibility.person_of(actor)
        now = clock.now()
        PlanVersion.objects.filter(pk=version.pk).update(
            approved_by=actor,
            approved_at=now,
            approved_by_name=person.name if person else actor.get_username(),
        )
        audit.record(
            actor=actor,
            action="plan_version.approve",
            obj=version,
            data={
                "plan": version.plan.code,
                "number": version.number,
                "supersedes": previous.number if previous else None,
            },
        )
    version.refresh_from_db()
    return version
