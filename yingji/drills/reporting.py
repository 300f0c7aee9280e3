"""Every write of a drill report (演练报告): drafted from the evaluated drill, edited, submitted by its
author (撰稿), then returned or signed off (审签) by someone else. Four eyes: whoever submitted it never
signs it off, superusers included; the sign-off moves the drill evaluated → reported, and only then is the
report issued (its Word document no longer says 草稿).

Who writes: those who plan the drill (permissions.can_plan: 应急管理员, 内训师, unit heads, leaders).
Who signs off: a unit head, a leader or an 应急管理员 of the organising unit or of a unit above it, as
seed 000's 审签领导 is the sub-branch's leader."""

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.core import clock
from yingji.core.errors import InvalidInput, NotAllowed
from yingji.core.transitions import transition
from yingji.orgs import visibility
from yingji.orgs.models import Person, PositionCode

from . import report_writing
from .models import TRANSITIONS, Drill, Report, Status
from .permissions import can_plan

# Positions that sign a report off besides the unit heads (Position.is_unit_head).
SIGNERS = frozenset({PositionCode.EMERGENCY_ADMIN, PositionCode.LEADER, "vice_president"})
# A section longer than this is not a report section but a pasted document.
MAX_SECTION = 20_000


def report_of(drill: Drill) -> Report | None:
    return Report.objects.filter(drill=drill).select_related("author", "approver").first()


def can_write(user, drill: Drill) -> bool:
    return can_plan(user, drill.unit)


def can_sign_off(user, drill: Drill, report: Report | None) -> bool:
    """A leading person of the organising unit or above, who is not the report's author."""
    person = visibility.person_of(user)
    if person is None or not user.is_active or not visibility.can_see_unit(user, drill.unit):
        return False
    if report is not None and report.author_id == person.pk:
        return False
    return any(p.is_unit_head or p.code in SIGNERS for p in person.positions.all())


def state(report: Report | None) -> str:
    """not_written, draft, submitted or signed_off."""
    if report is None:
        return "not_written"
    if report.approved_at:
        return "signed_off"
    return "submitted" if report.submitted_at else "draft"


def _writer(actor, drill: Drill) -> None:
    if not can_write(actor, drill):
        raise NotAllowed(_("Only those who plan the drill write its report."))


def _lock(drill: Drill) -> Report | None:
    """The drill's row, then its report's, always in that order, so two writers queue instead of
    deadlocking; the drill's status is read fresh onto `drill`."""
    drill.status = Drill.objects.select_for_update().values_list("status", flat=True).get(pk=drill.pk)
    return Report.objects.select_for_update().filter(drill=drill).first()


def _locked(drill: Drill) -> Report:
    report = _lock(drill)
    if report is None:
        raise InvalidInput(_("The report has not been written yet."))
    return report


def _evaluated(drill: Drill) -> None:
    if drill.status != Status.EVALUATED:
        raise InvalidInput(_("The report is written once the drill has been evaluated."))


def _still_draft(report: Report) -> None:
    if report.approved_at:
        raise InvalidInput(_("The report has been signed off and can no longer be changed."))
    if report.submitted_at:
        raise InvalidInput(_("The report has been submitted for sign-off and can no longer be changed."))


def draft_report(*, actor, drill: Drill) -> Report:
    """Write (or write again) every section from the drill as it stands; edits made are replaced."""
    _writer(actor, drill)
    with transaction.atomic():
        existing = _lock(drill)
        _evaluated(drill)
        if existing is not None:
            _still_draft(existing)
        # Stored text is written in the bank's language, whatever the language of the page.
        with translation.override(settings.LANGUAGE_CODE):
            sections = report_writing.generate(drill)
        report, created = Report.objects.update_or_create(
            drill=drill, defaults={**sections, "updated_at": clock.now()}
        )
        audit.record(
            actor=actor,
            action="drill.draft_report",
            obj=drill,
            data={"title": drill.title, "revised": not created},
        )
    return report


def edit_report(*, actor, drill: Drill, **sections: str) -> Report:
    _writer(actor, drill)
    unknown = set(sections) - set(report_writing.FIELDS)
    if unknown:
        raise InvalidInput(_("Some fields are not valid."))
    too_long = {
        k: _("At most %s characters.") % MAX_SECTION for k, v in sections.items() if len(v) > MAX_SECTION
    }
    if too_long:
        raise InvalidInput(_("Some fields are not valid."), fields=too_long)
    with transaction.atomic():
        report = _locked(drill)
        _still_draft(report)
        _evaluated(drill)
        changed = [k for k, v in sections.items() if getattr(report, k) != v]
        for key, value in sections.items():
            setattr(report, key, value)
        report.updated_at = clock.now()
        report.save()
        audit.record(actor=actor, action="drill.edit_report", obj=drill, data={"changed": changed})
    return report


def _person(actor) -> Person:
    person = visibility.person_of(actor)
    if person is None:
        raise NotAllowed(_("Only a member of staff signs a report."))
    return person


def submit_report(*, actor, drill: Drill) -> Report:
    """撰稿: whoever submits it is its author, and so cannot sign it off."""
    _writer(actor, drill)
    author = _person(actor)
    with transaction.atomic():
        report = _locked(drill)
        _still_draft(report)
        _evaluated(drill)
        empty = {
            f: _("This field is required.") for f in report_writing.FIELDS if not getattr(report, f).strip()
        }
        if empty:
            raise InvalidInput(
                _("Every section of the report needs text before it is submitted."), fields=empty
            )
        report.author, report.submitted_at, report.returned_reason = author, clock.now(), ""
        report.save(update_fields=["author", "submitted_at", "returned_reason"])
        audit.record(actor=actor, action="drill.submit_report", obj=drill, data={"author": author.name})
    return report


def _approver(actor, drill: Drill, report: Report) -> Person:
    person = _person(actor)
    if report.author_id == person.pk:
        raise NotAllowed(_("The author of a report cannot sign it off: someone else must."))
    if not can_sign_off(actor, drill, report):
        raise NotAllowed(
            _(
                "Only a unit head, a leader or an emergency administrator of the organising unit "
                "or a unit above signs a report off."
            )
        )
    if not report.submitted_at or report.approved_at:
        raise InvalidInput(_("The report is not waiting for sign-off."))
    return person


def return_report(*, actor, drill: Drill, reason: str) -> Report:
    """Sent back to be written again, with why; the author sees the reason and submits again."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            _("Say why the report goes back."), fields={"reason": _("This field is required.")}
        )
    if len(reason) > 2000:
        raise InvalidInput(
            _("Some fields are not valid."), fields={"reason": _("At most %s characters.") % 2000}
        )
    with transaction.atomic():
        report = _locked(drill)
        _approver(actor, drill, report)
        report.submitted_at, report.returned_reason = None, reason
        report.save(update_fields=["submitted_at", "returned_reason"])
        audit.record(
            actor=actor,
            action="drill.return_report",
            obj=drill,
            data={"reason": reason},
        )
    return report


def sign_off_report(*, actor, drill: Drill) -> Report:
    """审签: the report is issued and the drill is reported."""
    with transaction.atomic():
        report = _locked(drill)
        approver = _approver(actor, drill, report)
        transition(drill, Status.REPORTED, table=TRANSITIONS, expect={Status.EVALUATED})
        report.approver, report.approved_at = approver, clock.now()
        report.save(update_fields=["approver", "approved_at"])
        audit.record(
            actor=actor,
            action="drill.sign_off_report",
            obj=drill,
            data={"author": report.author.name if report.author else "", "approver": approver.name},
        )
    return report
