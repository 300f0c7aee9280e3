"""Every write of the corrective register: one function per business action, keyword-only, one
transaction with its audit entry. The deadline of an action runs on `yingji.deadlines` (reminders,
overdue, the unit above a day later); the status moves only through `TRANSITIONS`."""

import re
import unicodedata
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.core import clock, inputs
from yingji.core.errors import InvalidInput, NotAllowed, NotVisible
from yingji.core.transitions import transition
from yingji.deadlines import services as deadlines
from yingji.deadlines.services import Subject
from yingji.notify import services as notify
from yingji.notify.recipients import Recipient
from yingji.orgs.models import Person, Unit
from yingji.plans.models import Plan, Step

from . import permissions
from .models import (
    GRADE_ORDER,
    TRANSITIONS,
    VERIFYING,
    ActionEvent,
    Category,
    CorrectiveAction,
    Finding,
    Grade,
    Rating,
    SourceType,
    Status,
)
from .notices import SUBJECT_TYPE

DEADLINE = "done"
MAX_TEXT = 4000
MAX_KEY = 60


# --- The bank's own figures (本行设定) -------------------------------------------------------------


def days_for(grade: str) -> int:
    """Days to complete an action of this grade when no date is given: YINGJI_CORRECTIVE_DAYS_<GRADE>."""
    return int(getattr(settings, f"YINGJI_CORRECTIVE_DAYS_{grade.upper()}"))


def max_days() -> int:
    return int(settings.YINGJI_CORRECTIVE_MAX_DAYS)


def gravest(grades: list[str]) -> str:
    return min(grades, key=lambda g: GRADE_ORDER.index(Grade(g)))


def default_due(grade: str) -> tuple[datetime, str]:
    """End of the day `days_for(grade)` days from today (24:00 Asia/Shanghai), and the rule as people
    read it next to the date."""
    days = days_for(grade)
    last_day = clock.local_today() + timedelta(days=days)
    due = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=clock.SHANGHAI)
    rule = _("%(grade)s: %(days)s days (set by the bank)") % {"grade": Grade(grade).label, "days": days}
    return due, rule


# --- Recurrence ------------------------------------------------------------------------------------


def _normal(text: str) -> str:
    """Case, width, spaces and punctuation do not make two findings different."""
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\W_]+", "", text)


def recurrence_key_for(
    *, category: str, plan: Plan | None, plan_step: Step | None, key: str = "", text: str = ""
) -> str:
    """One weakness seen twice has one key: its category and the plan step it concerns (by plan and
    step order, which survive a new version), else the caller's short key, else the plan, else the
    finding's own words."""
    if plan_step is not None and plan is not None:
        return f"{category}|step|{plan.code}|{plan_step.order}"
    if key.strip():
        return f"{category}|key|{_normal(key)[:MAX_KEY]}"
    if plan is not None:
        return f"{category}|plan|{plan.code}"
    return f"{category}|text|{_normal(text)[:80]}"


# --- Checks shared by the services -----------------------------------------------------------------


def _require_recorder(actor: Person, unit: Unit) -> None:
    if not permissions.sees(actor, unit):
        raise NotVisible()
    if not permissions.can_record(actor, unit):
        raise NotAllowed(
            _("Emergency administrators, unit heads and leaders record findings and open corrective actions.")
        )


def _require_seen(actor: Person, action: CorrectiveAction) -> None:
    if action.owner_id != actor.pk and not permissions.sees(actor, action.unit):
        raise NotVisible()


def _text(errors: dict[str, str], field: str, value: str, *, required: str, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = required
    elif len(value) > limit:
        errors[field] = _("At most %(n)s characters.") % {"n": limit}
    elif problem := inputs.text_problem(value):
        errors[field] = problem
    return value


def _future(errors: dict[str, str], field: str, value: datetime) -> None:
    now = clock.now()
    if problem := inputs.offset_problem(value):
        errors[field] = problem
    elif value <= now:
        errors[field] = _("The deadline must lie in the future.")
    elif value > now + timedelta(days=max_days()):
        errors[field] = _("The deadline must lie within %(days)s days (set by the bank).") % {
            "days": max_days()
        }


def _aware(value: datetime | None) -> datetime | None:
    """A time without an offset is Asia/Shanghai time, as everywhere in the product."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=clock.SHANGHAI)


def _event(action: CorrectiveAction, actor: Person | None, text: str) -> None:
    ActionEvent.objects.create(action=action, at=clock.now(), actor=actor, text=text)


# --- Findings --------------------------------------------------------------------------------------


def record_finding(
    *,
    actor: Person,
    unit: Unit,
    source_type: str,
    source_label: str,
    category: str,
    grade: str,
    text: str,
    found_at: datetime | None = None,
    source_id: str | int = "",
    plan: Plan | None = None,
    plan_step: Step | None = None,
    recurrence_key: str = "",
) -> Finding:
    """A weakness found at `unit` by a drill, an inspection or an investigation."""
    _require_recorder(actor, unit)
    errors: dict[str, str] = {}
    if source_type not in SourceType.values:
        errors["source_type"] = _("Choose where the finding comes from.")
    if category not in Category.values:
        errors["category"] = _("Choose a category.")
    if grade not in Grade.values:
        errors["grade"] = _("Choose a grade.")
    text = _text(errors, "text", text, required=_("Say what was found."))
    source_label = _text(
        errors,
        "source_label",
        source_label,
        required=_("Say which drill, inspection or incident."),
        limit=200,
    )
    source_id = str(source_id).strip()
    if len(source_id) > 64:
        errors["source_id"] = _("At most %(n)s characters.") % {"n": 64}
    if len(recurrence_key.strip()) > MAX_KEY:
        errors["recurrence_key"] = _("At most %(n)s characters.") % {"n": MAX_KEY}
    found_at = found_at or clock.now()
    if problem := inputs.event_time_problem(found_at):
        errors["found_at"] = problem
    if plan_step is not None:
        if plan is None:
            plan = plan_step.version.plan
        elif plan_step.version.plan_id != plan.pk:
            errors["plan_step"] = _("The step is not one of this plan's.")
    if errors:
        raise InvalidInput(_("The finding is not complete."), fields=errors)
    with transaction.atomic():
        finding = Finding.objects.create(
            unit=unit,
            source_type=source_type,
            source_id=source_id,
            source_label=source_label,
            plan=plan,
            plan_step=plan_step,
            category=category,
            grade=grade,
            text=text,
            found_at=found_at,
            recorded_by=actor,
            recorded_at=clock.now(),
            recurrence_key=recurrence_key_for(
                category=category, plan=plan, plan_step=plan_step, key=recurrence_key, text=text
            ),
        )
        audit.record(
            actor=actor.user,
            action="corrective.record_finding",
            obj=finding,
            data={
                "unit": unit.code,
                "source": source_label,
                "summary": f"{Grade(grade).label} · {Category(category).label}",
                "text": text,
            },
        )
    return finding


# --- Corrective actions ----------------------------------------------------------------------------


def open_action(
    *,
    actor: Person,
    findings: list[Finding],
    owner: Person,
    text: str,
    due_at: datetime | None = None,
    next_drill_at: datetime | None = None,
    unit: Unit | None = None,
    due_rule: str = "",
) -> CorrectiveAction:
    """A measure answering one or more findings, owned by `owner`, due at `due_at` or by default: a
    不足项 before the unit's next drill (`next_drill_at`, when the caller knows it), otherwise the
    bank's days for the gravest grade among the findings. `due_rule`: the words shown next to a `due_at`
    the caller computed by a rule of its own (an inspection's 重大安全隐患), instead of "set by"."""
    due_at, next_drill_at = _aware(due_at), _aware(next_drill_at)
    if not findings:
        raise InvalidInput(_("A corrective action answers at least one finding."), fields={"findings": ""})
    unit = unit or findings[0].unit
    _require_recorder(actor, unit)
    for finding in findings:
        _require_recorder(actor, finding.unit)
    errors: dict[str, str] = {}
    text = _text(errors, "text", text, required=_("Say what will be done."))
    if not owner.is_active or not permissions.sees(actor, owner.unit):
        errors["owner"] = _("Choose an active person of your units as the owner.")
    grade = gravest([f.grade for f in findings])
    if due_at is not None:
        _future(errors, "due_at", due_at)
        rule = due_rule[:200] or _("Set by %(name)s") % {"name": actor.name}
    elif next_drill_at is not None and grade == Grade.DEFICIENCY:
        _future(errors, "next_drill_at", next_drill_at)
        due_at, rule = next_drill_at, _("Deficiency: before the unit's next drill")
    else:
        due_at, rule = default_due(grade)
    if errors:
        raise InvalidInput(_("The corrective action is not complete."), fields=errors)
    with transaction.atomic():
        action = CorrectiveAction.objects.create(
            unit=unit,
            owner=owner,
            text=text,
            due_at=due_at,
            due_rule=rule,
            created_by=actor,
            created_at=clock.now(),
        )
        action.findings.set(findings)
        _event(
            action,
            actor,
            _("Opened, owner %(owner)s, due by: %(rule)s.") % {"owner": owner.name, "rule": rule},
        )
        audit.record(
            actor=actor.user,
            action="corrective.open_action",
            obj=action,
            data={
                "unit": unit.code,
                "findings": [f.pk for f in findings],
                "assignee": owner.pk,
                "due": due_at.isoformat(),
                "text": text,
            },
        )
        _start_clock(action)
        notify.notify(
            subject=_subject(action, _("Corrective action for you: %(text)s") % {"text": action.text[:80]}),
            recipients=[Recipient(owner, unit, _("Owner of the corrective action"))],
            ack_minutes=None,
            round_key=f"opened-{action.pk}",
        )
    return action


def _subject(action: CorrectiveAction, title: str) -> notify.Subject:
    return notify.Subject(
        SUBJECT_TYPE, action.pk, action.unit, title, action.text[:300], action.get_absolute_url()
    )


def _start_clock(action: CorrectiveAction) -> None:
    deadlines.start(
        subject=Subject(SUBJECT_TYPE, action.pk),
        name=DEADLINE,
        label=_("Corrective action"),
        unit=action.unit,
        owner=action.owner,
        due_at=action.due_at,
        source=action.due_rule,
    )


def _locked(action: CorrectiveAction) -> CorrectiveAction:
    return (
        CorrectiveAction.objects.select_for_update().select_related("unit", "owner__user").get(pk=action.pk)
    )


def start(*, actor: Person, action: CorrectiveAction) -> CorrectiveAction:
    _require_seen(actor, action)
    if not permissions.can_work(actor, action):
        raise NotAllowed(_("The owner, or who answers for the unit, works on a corrective action."))
    with transaction.atomic():
        action = _locked(action)
        transition(action, Status.IN_PROGRESS, table=TRANSITIONS)
        action.started_at = clock.now()
        action.save(update_fields=["started_at"])
        _event(action, actor, _("Work started."))
        audit.record(actor=actor.user, action="corrective.start", obj=action, data={"status": action.status})
    return action


def complete(*, actor: Person, action: CorrectiveAction, evidence: str) -> CorrectiveAction:
    """Done: what was done and where it can be seen (notes, links). A later drill verifies it."""
    _require_seen(actor, action)
    if not permissions.can_work(actor, action):
        raise NotAllowed(_("The owner, or who answers for the unit, works on a corrective action."))
    errors: dict[str, str] = {}
    evidence = _text(errors, "evidence", evidence, required=_("Say what was done and where it can be seen."))
    if errors:
        raise InvalidInput(_("The evidence is missing."), fields=errors)
    with transaction.atomic():
        action = _locked(action)
        transition(action, Status.DONE, table=TRANSITIONS)
        action.done_at = clock.now()
        action.evidence = evidence
        action.save(update_fields=["done_at", "evidence"])
        deadlines.meet(Subject(SUBJECT_TYPE, action.pk), [DEADLINE], at=action.done_at)
        _event(action, actor, _("Done: %(evidence)s") % {"evidence": evidence})
        audit.record(actor=actor.user, action="corrective.complete", obj=action, data={"note": evidence})
    return action


def verify(*, actor: Person, action: CorrectiveAction, by_source: str, rating: str) -> CorrectiveAction:
    """A later drill re-tested it (`by_source`, e.g. "演练 X 场景一"): rated P or S, it is verified; rated M
    or U, it is open again, with a new deadline by its grade."""
    _require_seen(actor, action)
    if not permissions.can_verify(actor, action):
        raise NotAllowed(_("Who answers for the unit verifies a corrective action; its owner does not."))
    errors: dict[str, str] = {}
    if rating not in Rating.values:
        errors["rating"] = _("Choose the rating the drill gave: P, S, M or U.")
    by_source = _text(errors, "by_source", by_source, required=_("Say which drill re-tested it."), limit=200)
    if errors:
        raise InvalidInput(_("The verification is not complete."), fields=errors)
    words = {"source": by_source, "rating": rating}
    return _settle(
        actor=actor,
        action=action,
        passed=rating in VERIFYING,
        source=f"{by_source} {rating}",
        decision=rating,
        verified_text=_("Verified: %(source)s rated %(rating)s.") % words,
        reopened_text=_("Not verified: %(source)s rated %(rating)s; open again.") % words,
    )


def recheck(
    *, actor: Person, action: CorrectiveAction, by_source: str, passed: bool, note: str
) -> CorrectiveAction:
    """An inspector re-checked it on the spot (`by_source`, e.g. "安全检查 #12 复查"): passed, it is
    verified; not passed, it is open again with a new deadline by its grade. What was seen is `note`."""
    _require_seen(actor, action)
    if not permissions.can_recheck(actor, action):
        raise NotAllowed(_("An inspector of the unit re-checks a rectification; its owner does not."))
    errors: dict[str, str] = {}
    by_source = _text(
        errors, "by_source", by_source, required=_("Say which inspection re-checked it."), limit=200
    )
    note = _text(errors, "note", note, required=_("Say what the re-check found."))
    if errors:
        raise InvalidInput(_("The re-check is not complete."), fields=errors)
    words = {"source": by_source, "note": note}
    return _settle(
        actor=actor,
        action=action,
        passed=passed,
        source=by_source,
        decision="pass" if passed else "fail",
        verified_text=_("Re-checked and passed (%(source)s): %(note)s") % words,
        reopened_text=_("Re-checked and not passed (%(source)s): %(note)s; open again.") % words,
    )


def _settle(
    *,
    actor: Person,
    action: CorrectiveAction,
    passed: bool,
    source: str,
    decision: str,
    verified_text: str,
    reopened_text: str,
) -> CorrectiveAction:
    """Done → verified, or done → open again with a new deadline by its grade: one move, two judges (a
    drill's rating, an inspector's re-check)."""
    now = clock.now()
    with transaction.atomic():
        action = _locked(action)
        if passed:
            transition(action, Status.VERIFIED, table=TRANSITIONS)
            action.verified_at, action.verified_by, action.verified_by_source = now, actor, source[:200]
            action.save(update_fields=["verified_at", "verified_by", "verified_by_source"])
            _event(action, actor, verified_text)
            code = "corrective.verify"
        else:
            transition(action, Status.OPEN, table=TRANSITIONS)
            action.due_at, action.due_rule = default_due(gravest([f.grade for f in action.findings.all()]))
            action.started_at = action.done_at = None
            action.save(update_fields=["due_at", "due_rule", "started_at", "done_at"])
            _start_clock(action)
            _event(action, actor, reopened_text)
            code = "corrective.reopen"
        audit.record(
            actor=actor.user,
            action=code,
            obj=action,
            data={"source": source, "decision": decision, "due": action.due_at.isoformat()},
        )
    return action


def cancel(*, actor: Person, action: CorrectiveAction, reason: str) -> CorrectiveAction:
    _require_seen(actor, action)
    if not permissions.can_cancel(actor, action):
        raise NotAllowed(_("Who answers for the unit cancels a corrective action."))
    errors: dict[str, str] = {}
    reason = _text(errors, "reason", reason, required=_("Say why it is cancelled."))
    if errors:
        raise InvalidInput(_("The reason is missing."), fields=errors)
    with transaction.atomic():
        action = _locked(action)
        transition(action, Status.CANCELLED, table=TRANSITIONS)
        action.cancelled_at, action.cancel_reason = clock.now(), reason
        action.save(update_fields=["cancelled_at", "cancel_reason"])
        deadlines.stop_all(Subject(SUBJECT_TYPE, action.pk), at=action.cancelled_at)
        _event(action, actor, _("Cancelled: %(reason)s") % {"reason": reason})
        audit.record(actor=actor.user, action="corrective.cancel", obj=action, data={"reason": reason})
    return action


def record_with_action(
    *, actor: Person, finding: dict, action: dict | None
) -> tuple[Finding, CorrectiveAction | None]:
    """The register's form: a finding and, if one is given, its first corrective action, together or
    not at all (a refused action leaves no finding behind)."""
    with transaction.atomic():
        recorded = record_finding(actor=actor, **finding)
        opened = open_action(actor=actor, findings=[recorded], **action) if action else None
    return recorded, opened
