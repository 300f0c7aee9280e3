"""Every write of the training sessions: one function per business action, keyword-only, one transaction
with its audit entry, each status change through the one transition table (models.TRANSITIONS).

planned → held (the trainer opens it, or the first attendee signs in) → recorded (attendance final);
planned → cancelled. Attendees sign in on their phone within the session's time window (本行设定:
YINGJI_TRAINING_SIGNIN_EARLY_MINUTES before it starts to YINGJI_TRAINING_SIGNIN_LATE_MINUTES after it
ends); the trainer marks attendance afterwards, with a reason."""

from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.core import clock, inputs
from yingji.core.errors import InvalidInput, NotAllowed, NotVisible
from yingji.core.transitions import transition
from yingji.orgs.models import Person, Unit
from yingji.security import permissions as security_permissions
from yingji.security import services as security_services
from yingji.security import uploads

from . import permissions
from .models import TRANSITIONS, Attendance, Cadence, How, Material, Session, SessionKind, Status

MAX_TEXT = 300
LONGEST = timedelta(hours=12)
AHEAD = timedelta(days=400)


def _text(errors: dict[str, str], field: str, value: str, *, limit: int = MAX_TEXT, required=False) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        errors[field] = _("At most %(n)s characters.") % {"n": limit}
    elif value and (problem := inputs.text_problem(value)):
        errors[field] = problem
    elif required and not value:
        errors[field] = _("This field is required.")
    return value


def window(session: Session) -> tuple[datetime, datetime]:
    """When an attendee may sign in (本行设定)."""
    early = timedelta(minutes=int(settings.YINGJI_TRAINING_SIGNIN_EARLY_MINUTES))
    late = timedelta(minutes=int(settings.YINGJI_TRAINING_SIGNIN_LATE_MINUTES))
    return session.starts_at - early, session.ends_at + late


def staff_of(unit: Unit):
    """The people a session at `unit` may expect: the active staff of the unit and the units below."""
    return Person.objects.filter(unit__path__startswith=unit.path, user__is_active=True).select_related(
        "unit"
    )


def _label(session: Session) -> dict[str, str]:
    return {"unit": session.unit.code, "session_kind": session.kind.name, "topic": session.topic}


def plan_session(
    *,
    actor: Person,
    unit: Unit,
    kind: SessionKind | None,
    topic: str,
    starts_at: datetime | None,
    ends_at: datetime | None,
    attendees: list[Person],
    trainer: Person | None = None,
    trainer_name: str = "",
    place: str = "",
) -> Session:
    if not permissions.sees(actor, unit):
        raise NotVisible()
    if not permissions.can_plan(actor, unit):
        raise NotAllowed(
            _("Emergency administrators, heads, leaders, trainers and security staff plan training sessions.")
        )
    errors: dict[str, str] = {}
    if kind is None or not kind.is_active:
        errors["kind"] = _("Choose a kind of session.")
    topic = _text(errors, "topic", topic, limit=200, required=True)
    place = _text(errors, "place", place, limit=100)
    trainer_name = _text(errors, "trainer_name", trainer_name, limit=50)
    if trainer is None and not trainer_name:
        errors["trainer"] = _("Name the trainer: one of the bank's trainers, or an outside trainer by name.")
    elif trainer is not None and trainer_name:
        errors["trainer_name"] = _("Either one of the bank's people or an outside trainer, not both.")
    elif trainer is not None and (not trainer.is_active or not permissions.sees(actor, trainer.unit)):
        errors["trainer"] = _("Choose an active person of the units you see.")
    now = clock.now()
    if starts_at is None or ends_at is None:
        errors["starts_at"] = _("Give the date and the times of the session.")
    elif ends_at <= starts_at:
        errors["ends_at"] = _("The session ends after it starts.")
    elif ends_at - starts_at > LONGEST:
        errors["ends_at"] = _("A session lasts at most 12 hours.")
    elif starts_at < now - timedelta(days=366) or starts_at > now + AHEAD:
        errors["starts_at"] = _("Give a date within a year of today.")
    staff = {p.pk for p in staff_of(unit)}
    if not attendees:
        errors["attendees"] = _("Choose the staff expected.")
    elif any(p.pk not in staff for p in attendees):
        errors["attendees"] = _("Only active staff of the unit and the units below can be expected.")
    if errors:
        raise InvalidInput(_("The session is not planned."), fields=errors)
    with transaction.atomic():
        session = Session.objects.create(
            kind=kind,
            unit=unit,
            topic=topic,
            place=place,
            starts_at=starts_at,
            ends_at=ends_at,
            trainer=trainer,
            trainer_name=trainer_name,
            planned_by=actor,
            planned_at=now,
        )
        Attendance.objects.bulk_create(
            Attendance(session=session, person=p) for p in {p.pk: p for p in attendees}.values()
        )
        audit.record(
            actor=actor.user,
            action="training.plan",
            obj=session,
            data={**_label(session), "count": len(set(p.pk for p in attendees))},
        )
    return session


def _run_check(actor: Person, session: Session) -> None:
    if not permissions.sees(actor, session.unit):
        raise NotVisible()
    if not permissions.can_run(actor, session):
        raise NotAllowed(_("The trainer, the organiser or who answers for the unit runs a session."))


def hold(*, actor: Person, session: Session) -> Session:
    """The trainer opens the session: it is taking place (from its sign-in window on)."""
    _run_check(actor, session)
    if clock.now() < window(session)[0]:
        raise InvalidInput(_("The session has not started yet."))
    with transaction.atomic():
        transition(session, Status.HELD, table=TRANSITIONS)
        session.held_at = clock.now()
        session.save(update_fields=["held_at"])
        audit.record(actor=actor.user, action="training.hold", obj=session, data=_label(session))
    return session


def cancel(*, actor: Person, session: Session, reason: str) -> Session:
    _run_check(actor, session)
    errors: dict[str, str] = {}
    reason = _text(errors, "reason", reason, required=True)
    if errors:
        raise InvalidInput(_("The session is not cancelled."), fields=errors)
    with transaction.atomic():
        transition(session, Status.CANCELLED, table=TRANSITIONS)
        audit.record(
            actor=actor.user,
            action="training.cancel",
            obj=session,
            data={**_label(session), "reason": reason},
        )
    return session


def sign_in(*, actor: Person, session: Session) -> Attendance:
    """The attendee signs in on their phone during the session's window; the first sign-in marks the
    session held."""
    row = Attendance.objects.filter(session=session, person=actor).first()
    if row is None:
        raise NotAllowed(_("Only the staff expected at the session sign in."))
    if session.status not in (Status.PLANNED, Status.HELD):
        raise InvalidInput(
            _("The session is %(status)s: sign-in is closed.") % {"status": session.get_status_display()}
        )
    opens, closes = window(session)
    now = clock.now()
    if not opens <= now <= closes:
        raise InvalidInput(
            _("Sign-in is open from %(opens)s to %(closes)s (set by the bank).")
            % {
                "opens": f"{opens.astimezone(clock.SHANGHAI):%m-%d %H:%M}",
                "closes": f"{closes.astimezone(clock.SHANGHAI):%m-%d %H:%M}",
            }
        )
    with transaction.atomic():
        row = Attendance.objects.select_for_update().get(pk=row.pk)
        if row.attended_at is not None:
            raise InvalidInput(
                _("You signed in at %(at)s already.")
                % {"at": f"{row.attended_at.astimezone(clock.SHANGHAI):%H:%M}"}
            )
        if session.status == Status.PLANNED:
            transition(session, Status.HELD, table=TRANSITIONS, expect={Status.PLANNED})
            session.held_at = now
            session.save(update_fields=["held_at"])
        row.attended_at, row.how = now, How.SIGNED_IN
        row.save(update_fields=["attended_at", "how"])
        audit.record(actor=actor.user, action="training.sign_in", obj=session, data=_label(session))
    return row


def mark(*, actor: Person, session: Session, person: Person, present: bool, reason: str) -> Attendance:
    """The trainer marks an expected person present (they came but did not sign in) or absent, afterwards,
    saying why."""
    _run_check(actor, session)
    errors: dict[str, str] = {}
    reason = _text(errors, "reason", reason, required=True)
    if errors:
        raise InvalidInput(_("The attendance is not changed."), fields=errors)
    if session.status != Status.HELD:
        raise InvalidInput(_("Attendance is marked while the session is held, before it is recorded."))
    with transaction.atomic():
        row = Attendance.objects.select_for_update().filter(session=session, person=person).first()
        if row is None:
            raise InvalidInput(_("This person is not expected at the session."))
        if row.attended == present:
            raise InvalidInput(_("Nothing to change: the attendance already says so."))
        row.attended_at = clock.now() if present else None
        row.how = How.MARKED if present else ""
        row.marked_by, row.reason = actor, reason
        row.save(update_fields=["attended_at", "how", "marked_by", "reason"])
        audit.record(
            actor=actor.user,
            action="training.mark",
            obj=session,
            data={**_label(session), "person": person.name, "present": present, "reason": reason},
        )
    return row


def record(*, actor: Person, session: Session) -> Session:
    """The attendance is final: held → recorded, once the session has ended."""
    _run_check(actor, session)
    if clock.now() < session.ends_at:
        raise InvalidInput(_("The session has not ended yet."))
    with transaction.atomic():
        transition(session, Status.RECORDED, table=TRANSITIONS)
        session.recorded_at = clock.now()
        session.save(update_fields=["recorded_at"])
        attended = session.attendances.filter(attended_at__isnull=False).count()
        audit.record(
            actor=actor.user,
            action="training.record",
            obj=session,
            data={**_label(session), "count": attended},
        )
    return session


# --- Materials -------------------------------------------------------------------------------------


def folder() -> Path:
    return Path(settings.VAR_DIR) / "uploads" / "training"


def path_of(material: Material) -> Path:
    return folder() / material.stored_name


def add_material(*, actor: Person, session: Session, upload: UploadedFile) -> Material:
    _run_check(actor, session)
    if session.status in (Status.RECORDED, Status.CANCELLED):
        raise InvalidInput(
            _("The session is %(status)s: its materials can no longer change.")
            % {"status": session.get_status_display()}
        )
    limit = int(settings.YINGJI_TRAINING_MATERIALS_PER_SESSION)
    if session.materials.count() >= limit:
        raise InvalidInput(
            _("At most %(n)s files per session (set by the bank).") % {"n": limit}, fields={"file": ""}
        )
    found = uploads.checked(
        upload,
        kinds=settings.YINGJI_TRAINING_MATERIAL_TYPES,
        max_mb=settings.YINGJI_TRAINING_MATERIAL_MAX_MB,
        what=_("material"),
        field="file",
    )
    name = uploads.shown_name(upload, found, max_length=120, field="file")

    def save(stored: str) -> Material:
        material = Material.objects.create(
            session=session,
            name=name,
            stored_name=stored,
            content_type=found.content_type,
            size=len(found.data),
            uploaded_by=actor,
            uploaded_at=clock.now(),
        )
        audit.record(
            actor=actor.user,
            action="training.add_material",
            obj=session,
            data={**_label(session), "file": name},
        )
        return material

    return uploads.keep(found, folder(), save)


def set_cadence(*, actor: Person, cadence: Cadence, every_months: int) -> Cadence:
    """Head office's 应急管理员 sets how often a unit type holds a kind of session (0: not scheduled)."""
    if not security_permissions.can_set_schedule(actor):
        raise NotAllowed(_("Head office's emergency administrators set the training schedule."))
    if every_months not in security_services.SCHEDULE_CHOICES:
        raise InvalidInput(
            _("Choose monthly, quarterly, half-yearly, yearly or not scheduled."), fields={"every_months": ""}
        )
    with transaction.atomic():
        before = cadence.every_months
        cadence.every_months = every_months
        cadence.save(update_fields=["every_months"])
        audit.record(
            actor=actor.user,
            action="training.set_cadence",
            obj=cadence,
            unit=actor.unit,
            data={
                "unit_type": cadence.unit_type,
                "session_kind": cadence.kind.name,
                "before": before,
                "after": every_months,
            },
        )
    return cadence
