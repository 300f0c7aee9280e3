"""Every write of the year's summaries and of the assessment's weights. One transaction each, its audit
entry, the one transition table (models.TRANSITIONS); a refusal changes nothing.

Four eyes: whoever submitted a summary is its author and never approves it, superusers included; an
approver heads or leads the summary's unit or a unit above (permissions.can_approve)."""

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.core import clock
from yingji.core.errors import InvalidInput, NotAllowed
from yingji.core.transitions import transition
from yingji.orgs import visibility
from yingji.orgs.models import Person, Unit

from . import figures, permissions, scoring, writing
from .models import TRANSITIONS, Status, Summary, Weight

# A year a summary may be written for: the product's first years up to the current one.
FIRST_YEAR = 2000


def _person(actor) -> Person:
    person = visibility.person_of(actor)
    if person is None:
        raise NotAllowed(_("Only a member of staff writes or approves a summary."))
    return person


def _writer(actor, unit: Unit) -> Person:
    if not permissions.can_write(actor, unit):
        raise NotAllowed(
            _(
                "Only the emergency administrator, the head or a leader of the unit or a unit above "
                "writes its summary."
            )
        )
    return _person(actor)


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= clock.local_today().year:
        raise InvalidInput(
            _("Some fields are not valid."),
            fields={"year": _("A year from %(first)s to this year.") % {"first": FIRST_YEAR}},
        )


def _snapshot(unit: Unit, year: int) -> tuple[dict, dict[str, str]]:
    snapshot = figures.collect(unit, year)
    # Stored text is written in the bank's language, whatever the language of the page.
    with translation.override(settings.LANGUAGE_CODE):
        return snapshot, writing.generate(unit, year, snapshot)


def generate_summary(*, actor, unit: Unit, year: int) -> Summary:
    """The summary of the unit's year from the records as they stand: made, or made again while it is
    a draft (its figures are taken afresh and every section is written again; edits are replaced)."""
    person = _writer(actor, unit)
    _check_year(year)
    with transaction.atomic():
        existing = Summary.objects.select_for_update().filter(unit=unit, year=year).first()
        if existing is not None and existing.status != Status.DRAFT:
            raise InvalidInput(_("The summary has been submitted and is no longer generated again."))
        snapshot, sections = _snapshot(unit, year)
        now = clock.now()
        summary, created = Summary.objects.update_or_create(
            unit=unit,
            year=year,
            defaults={
                "figures": snapshot,
                "generated_at": now,
                "generated_by": person,
                "updated_at": now,
                **sections,
            },
        )
        audit.record(
            actor=actor,
            action="assessment.generate_summary",
            obj=summary,
            data={"unit": unit.code, "year": year, "revised": not created},
        )
    return summary


def _locked(summary: Summary) -> Summary:
    return Summary.objects.select_for_update().select_related("unit").get(pk=summary.pk)


def _draft(summary: Summary) -> None:
    if summary.status != Status.DRAFT:
        raise InvalidInput(_("The summary has been submitted and can no longer be changed."))


def edit_summary(*, actor, summary: Summary, **sections: str) -> Summary:
    _writer(actor, summary.unit)
    if set(sections) - set(writing.FIELDS):
        raise InvalidInput(_("Some fields are not valid."))
    too_long = {
        k: _("At most %s characters.") % writing.MAX_SECTION
        for k, v in sections.items()
        if len(v) > writing.MAX_SECTION
    }
    if too_long:
        raise InvalidInput(_("Some fields are not valid."), fields=too_long)
    with transaction.atomic():
        locked = _locked(summary)
        _draft(locked)
        changed = [k for k, v in sections.items() if getattr(locked, k) != v]
        for key, value in sections.items():
            setattr(locked, key, value)
        locked.updated_at = clock.now()
        locked.save(update_fields=[*sections, "updated_at"])
        audit.record(actor=actor, action="assessment.edit_summary", obj=locked, data={"changed": changed})
    return locked


def submit_summary(*, actor, summary: Summary) -> Summary:
    """Whoever submits it is its author, and so cannot approve it."""
    author = _writer(actor, summary.unit)
    with transaction.atomic():
        locked = _locked(summary)
        empty = {f: _("This field is required.") for f in writing.FIELDS if not getattr(locked, f).strip()}
        if locked.status == Status.DRAFT and empty:
            raise InvalidInput(
                _("Every section of the summary needs text before it is submitted."), fields=empty
            )
        transition(locked, Status.SUBMITTED, table=TRANSITIONS)
        locked.author, locked.submitted_at, locked.returned_reason = author, clock.now(), ""
        locked.save(update_fields=["author", "submitted_at", "returned_reason"])
        audit.record(
            actor=actor, action="assessment.submit_summary", obj=locked, data={"author": author.name}
        )
    return locked


def _approver(actor, summary: Summary) -> Person:
    person = _person(actor)
    if summary.author_id == person.pk:
        raise NotAllowed(_("The author of a summary cannot approve it: someone else must."))
    if not permissions.can_approve(actor, summary):
        raise NotAllowed(_("Only the head or a leader of the unit or a unit above approves its summary."))
    return person


def return_summary(*, actor, summary: Summary, reason: str) -> Summary:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            _("Say why the summary goes back."), fields={"reason": _("This field is required.")}
        )
    if len(reason) > 2000:
        raise InvalidInput(
            _("Some fields are not valid."), fields={"reason": _("At most %s characters.") % 2000}
        )
    with transaction.atomic():
        locked = _locked(summary)
        _approver(actor, locked)
        transition(locked, Status.DRAFT, table=TRANSITIONS, expect={Status.SUBMITTED})
        locked.submitted_at, locked.returned_reason = None, reason
        locked.save(update_fields=["submitted_at", "returned_reason"])
        audit.record(actor=actor, action="assessment.return_summary", obj=locked, data={"reason": reason})
    return locked


def approve_summary(*, actor, summary: Summary) -> Summary:
    """The summary is issued: its text and its figures stay as they are from now on."""
    with transaction.atomic():
        locked = _locked(summary)
        approver = _approver(actor, locked)
        transition(locked, Status.APPROVED, table=TRANSITIONS, expect={Status.SUBMITTED})
        locked.approver, locked.approved_at = approver, clock.now()
        locked.save(update_fields=["approver", "approved_at"])
        audit.record(
            actor=actor,
            action="assessment.approve_summary",
            obj=locked,
            data={"author": locked.author.name if locked.author else "", "approver": approver.name},
        )
    return locked


def set_weights(*, actor, weights: dict[str, int]) -> dict[str, int]:
    """Head office's 应急管理员 sets the bank's weights, each 0–100 and not all 0."""
    if not permissions.can_set_weights(actor):
        raise NotAllowed(_("Only head office's emergency administrator sets the assessment's weights."))
    bad = {
        code: _("A whole number from 0 to 100.")
        for code in scoring.BY_CODE
        if not isinstance(weights.get(code), int) or not 0 <= weights[code] <= 100
    }
    if bad or set(weights) - set(scoring.BY_CODE):
        raise InvalidInput(_("Some fields are not valid."), fields=bad)
    if not any(weights.values()):
        raise InvalidInput(_("At least one component needs a weight above 0."))
    person = _person(actor)
    with transaction.atomic():
        before = scoring.weights()
        changed = {code: [before[code], w] for code, w in weights.items() if before[code] != w}
        now = clock.now()
        for code in changed:
            Weight.objects.update_or_create(
                component=code, defaults={"weight": weights[code], "changed_by": person, "changed_at": now}
            )
        audit.record(
            actor=actor,
            action="assessment.set_weights",
            object_type="assessment.weight",
            object_id="",
            unit=person.unit.acting_unit,
            data={"changed": changed},
        )
    return scoring.weights()
