"""Every write of the responsibility letters: one function per business action, keyword-only, one
transaction with its audit entry. Generating a year's letters starts one deadline clock per letter
(yingji/deadlines), whose reminders and overdue notices go through yingji/notify (see reminders.py);
signing meets the clock."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.core import clock, inputs
from yingji.core.errors import InvalidInput, NotAllowed, NotVisible
from yingji.core.transitions import transition
from yingji.deadlines import services as deadlines
from yingji.deadlines.models import Deadline
from yingji.deadlines.services import Subject
from yingji.orgs.models import Person, Unit

from . import permissions, wording
from .models import TRANSITIONS, Kind, Letter, LetterTemplate, Method, Round, Status
from .reminders import DEADLINE, SUBJECT_TYPE

MAX_TEXT = 4000


def seed_deadline(year: int) -> date:
    month, day = settings.YINGJI_LETTER_DEADLINE_MONTH_DAY
    return date(year, month, day)


def end_of(day: date) -> datetime:
    """24:00 of `day` in Shanghai, stored as 00:00 of the next day."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=clock.SHANGHAI)


def _newcomer_rule(day: date) -> tuple[date, str]:
    days = int(settings.YINGJI_LETTER_NEW_STAFF_DAYS)
    text = _("Joined during the year: %(days)s days to sign (set by the bank)") % {"days": days}
    return day + timedelta(days=days), text


def newcomer_due(joined: date, year_deadline: date) -> tuple[date, str]:
    """The last day for one who joined on `joined`: the year's deadline, or YINGJI_LETTER_NEW_STAFF_DAYS
    after joining if that is later (本行设定), with the rule as people read it."""
    due, rule = _newcomer_rule(joined)
    if due <= year_deadline:
        return year_deadline, _seed_rule()
    return due, rule


def _seed_rule() -> str:
    month, day = settings.YINGJI_LETTER_DEADLINE_MONTH_DAY
    return _("Annual security work plan: signed by %(month)s/%(day)s") % {"month": month, "day": day}


def _parties(kind: str, unit: Unit, person: Person | None) -> tuple[str, str]:
    """Party A and B: a unit signs to the unit above; an employee to their unit (a department's
    employee to the unit the department belongs to)."""
    if kind == Kind.UNIT:
        above = unit.parent_unit
        return (above.name if above else unit.name), unit.name
    assert person is not None
    return unit.acting_unit.name, person.name


def _build(
    *,
    round: Round,
    template: LetterTemplate,
    kind: str,
    unit: Unit,
    person: Person | None,
    due: date,
    rule: str,
) -> Letter:
    party_a, party_b = _parties(kind, unit, person)
    words = {"year": round.year, "party_a": party_a, "party_b": party_b}
    return Letter(
        round=round,
        year=round.year,
        kind=kind,
        unit=unit,
        person=person,
        title=wording.fill(template.title, **words),
        party_a=party_a,
        party_b=party_b,
        preamble=wording.fill(template.preamble, **words),
        clauses=[wording.fill(c, **words) for c in template.clause_list()],
        closing=wording.fill(template.closing, **words),
        due_at=end_of(due),
        due_rule=rule,
        created_at=clock.now(),
    )


def _clock_for(letter: Letter) -> Deadline:
    return Deadline(
        subject_type=SUBJECT_TYPE,
        subject_id=letter.pk,
        name=DEADLINE,
        label=(_("Sign the %(title)s") % {"title": letter.title})[:100],
        unit=letter.unit,
        owner=letter.person,
        started_at=letter.created_at,
        due_at=letter.due_at,
        source=letter.due_rule,
        reminders=list(settings.YINGJI_LETTER_REMINDERS),
    )


def generate(*, actor: Person, unit: Unit, year: int) -> Round:
    """The year's letters for `unit`'s subtree: a unit letter for each active unit below it (signed by its
    head to the unit above) and an employee letter for each active person. Running it again adds what is
    missing (a unit opened since) and leaves every letter issued as it is; a letter another round already
    issued (a unit above generated first) is not issued twice."""
    if not permissions.sees(actor, unit):
        raise NotVisible()
    if not permissions.can_generate(actor, unit):
        raise NotAllowed(_("The unit's emergency administrator, head or leaders issue its letters."))
    today = clock.local_today()
    if not today.year - 1 <= year <= today.year + 1:
        raise InvalidInput(
            _("Letters are issued for last year, this year or next year."), fields={"year": _("Not valid.")}
        )
    wording.ensure_templates()
    templates = {t.kind: t for t in LetterTemplate.objects.all()}
    units = list(Unit.objects.filter(path__startswith=unit.path, is_active=True).exclude(pk=unit.pk))
    people = list(
        Person.objects.filter(unit__path__startswith=unit.path, user__is_active=True).select_related("unit")
    )
    with transaction.atomic():
        round, created = Round.objects.get_or_create(
            unit=unit,
            year=year,
            defaults={"deadline": seed_deadline(year), "started_at": clock.now(), "started_by": actor},
        )
        have_units = set(
            Letter.objects.filter(year=year, kind=Kind.UNIT, unit__in=units).values_list("unit_id", flat=True)
        )
        have_people = set(
            Letter.objects.filter(year=year, kind=Kind.EMPLOYEE, person__in=people).values_list(
                "person_id", flat=True
            )
        )
        due, rule = round.deadline, _seed_rule()
        if due < today and not created:
            due, rule = _newcomer_rule(today)
        new = [
            _build(
                round=round,
                template=templates[Kind.UNIT],
                kind=Kind.UNIT,
                unit=u,
                person=None,
                due=due,
                rule=rule,
            )
            for u in units
            if u.pk not in have_units
        ] + [
            _build(
                round=round,
                template=templates[Kind.EMPLOYEE],
                kind=Kind.EMPLOYEE,
                unit=p.unit,
                person=p,
                due=due,
                rule=rule,
            )
            for p in people
            if p.pk not in have_people
        ]
        letters = Letter.objects.bulk_create(new, batch_size=500)
        if any(x.pk is None for x in letters):  # a database that does not return the new ids
            letters = list(Letter.objects.filter(round=round, created_at=new[0].created_at)) if new else []
        deadlines.start_many([_clock_for(x) for x in letters])
        audit.record(
            actor=actor.user,
            action="letters.generate",
            obj=round,
            unit=unit,
            data={"unit": unit.code, "year": year, "count": len(letters), "due": due.isoformat()},
        )
    return round


def issue_to_newcomer(person: Person) -> Letter | None:
    """A person created in (or moved into) a unit whose year has letters gets their employee letter, due
    YINGJI_LETTER_NEW_STAFF_DAYS days from today, or by the year's deadline if that is later. One who moved
    with their letter unsigned takes it along to the new unit. Called on every save of a Person."""
    year = clock.local_today().year
    rounds = [
        r
        for r in Round.objects.filter(year=year).select_related("unit")
        if person.unit.path.startswith(r.unit.path)
    ]
    existing = Letter.objects.filter(year=year, kind=Kind.EMPLOYEE, person=person).first()
    with transaction.atomic():
        if existing is not None:
            if existing.status == Status.PENDING and existing.unit_id != person.unit_id:
                before = existing.unit.code
                existing.unit = person.unit
                existing.party_a = _parties(Kind.EMPLOYEE, person.unit, person)[0]
                existing.save(update_fields=["unit", "party_a"])
                Deadline.objects.filter(subject_type=SUBJECT_TYPE, subject_id=existing.pk).update(
                    unit=person.unit
                )
                audit.record(
                    actor=None,
                    action="letters.move",
                    obj=existing,
                    data={"person": person.name, "unit": person.unit.code, "previous": before},
                )
            return existing
        if not rounds or not person.is_active:
            return None
        round = max(rounds, key=lambda r: r.unit.depth)  # the nearest unit that issued letters
        wording.ensure_templates()
        template = LetterTemplate.objects.get(kind=Kind.EMPLOYEE)
        due, rule = newcomer_due(clock.local_today(), round.deadline)
        letter = _build(
            round=round,
            template=template,
            kind=Kind.EMPLOYEE,
            unit=person.unit,
            person=person,
            due=due,
            rule=rule,
        )
        letter.save()
        deadlines.start_many([_clock_for(letter)])
        audit.record(
            actor=None,
            action="letters.issue_newcomer",
            obj=letter,
            data={"person": person.name, "unit": person.unit.code, "year": year, "due": due.isoformat()},
        )
    return letter


def _locked(letter: Letter) -> Letter:
    return Letter.objects.select_for_update(of=("self",)).select_related("unit", "person").get(pk=letter.pk)


def _signed(letter: Letter, *, actor: Person, method: str, signer: Person | None) -> None:
    transition(letter, Status.SIGNED, table=TRANSITIONS)
    letter.signed_at = clock.now()
    letter.signed_by = signer
    letter.recorded_by = actor
    letter.method = method
    letter.save(
        update_fields=[
            "signed_at",
            "signed_by",
            "recorded_by",
            "method",
            "scan_name",
            "scan_type",
            "scan_size",
        ]
    )
    deadlines.meet(Subject(SUBJECT_TYPE, letter.pk), [DEADLINE], at=letter.signed_at)


def _refuse_signed(letter: Letter) -> None:
    if letter.status == Status.SIGNED:
        raise InvalidInput(_("This letter is signed already."))


def sign(*, actor: Person, letter: Letter) -> Letter:
    """The signer read the letter on their phone and confirms it: the time is recorded."""
    if not permissions.can_sign(actor, letter):
        if not permissions.sees(actor, letter.unit):
            raise NotVisible()
        raise NotAllowed(_("An employee signs their own letter; a unit's head signs its unit letter."))
    _refuse_signed(letter)
    with transaction.atomic():
        letter = _locked(letter)
        _refuse_signed(letter)
        _signed(letter, actor=actor, method=Method.PHONE, signer=actor)
        audit.record(
            actor=actor.user,
            action="letters.sign",
            obj=letter,
            data={
                "title": letter.title,
                "person": letter.party_b,
                "year": letter.year,
                "late": letter.signed_late,
            },
        )
    return letter


def attach_scan(*, actor: Person, letter: Letter, stored_name: str, content_type: str, size: int) -> Letter:
    """The signed paper letter's scan (already checked and written by scans.py) records the signing."""
    if not permissions.can_upload_scan(actor, letter):
        if not permissions.sees(actor, letter.unit):
            raise NotVisible()
        raise NotAllowed(_("The signer or the unit's emergency administrator uploads the signed scan."))
    _refuse_signed(letter)
    with transaction.atomic():
        letter = _locked(letter)
        _refuse_signed(letter)
        letter.scan_name, letter.scan_type, letter.scan_size = stored_name, content_type, size
        signer = letter.person if letter.kind == Kind.EMPLOYEE else None
        _signed(letter, actor=actor, method=Method.SCAN, signer=signer)
        audit.record(
            actor=actor.user,
            action="letters.upload_scan",
            obj=letter,
            data={"title": letter.title, "person": letter.party_b, "year": letter.year, "file": stored_name},
        )
    return letter


def update_template(*, actor: Person, template: LetterTemplate, **fields: str) -> LetterTemplate:
    """Head office edits a letter's wording; letters issued keep the words they were issued with."""
    if not permissions.template_editor(actor):
        raise NotAllowed(
            _("Head office's emergency administrators and security staff edit the letters' wording.")
        )
    errors: dict[str, str] = {}
    limits = {"title": 100, "preamble": MAX_TEXT, "clauses": MAX_TEXT * 2, "closing": MAX_TEXT}
    clean: dict[str, str] = {}
    for name, limit in limits.items():
        value = (fields.get(name) or "").strip()
        if len(value) > limit:
            errors[name] = _("At most %(n)s characters.") % {"n": limit}
        elif value and (problem := inputs.text_problem(value)):
            errors[name] = problem
        elif not value and name != "closing":
            errors[name] = _("This field is required.")
        clean[name] = value
    if errors:
        raise InvalidInput(_("The wording is not saved."), fields=errors)
    changed = {k: v for k, v in clean.items() if getattr(template, k) != v}
    if not changed:
        return template
    with transaction.atomic():
        for k, v in changed.items():
            setattr(template, k, v)
        template.updated_at, template.updated_by = clock.now(), actor
        template.save()
        audit.record(
            actor=actor.user,
            action="letters.edit_template",
            obj=template,
            data={"title": template.title, "changed": sorted(changed)},
        )
    return template
