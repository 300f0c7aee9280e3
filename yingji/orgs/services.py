"""Every write to the organisation: one function per action, one transaction, its audit entry."""

import secrets
from datetime import date

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.core.errors import InvalidInput, NotAllowed, NotVisible

from . import visibility
from .models import DutyRoster, Person, Position, Unit, UnitType

# Which unit types may sit under which: the shape of a bank, checked on every create and import.
PARENT_TYPES: dict[str, set[str]] = {
    UnitType.HEAD_OFFICE: set(),
    UnitType.BRANCH: {UnitType.HEAD_OFFICE},
    UnitType.SUB_BRANCH: {UnitType.BRANCH},
    UnitType.OUTLET: {UnitType.SUB_BRANCH, UnitType.BRANCH},
    UnitType.CALL_CENTRE: {UnitType.HEAD_OFFICE, UnitType.BRANCH},
    UnitType.DEPARTMENT: {UnitType.HEAD_OFFICE, UnitType.BRANCH, UnitType.SUB_BRANCH, UnitType.CALL_CENTRE},
}

UNIT_FIELDS = ("code", "name", "type", "address", "phone")


def _require_manage(actor: User, unit: Unit) -> None:
    if not visibility.can_see_unit(actor, unit) and not actor.is_superuser:
        raise NotVisible()
    if not visibility.can_manage(actor, unit):
        raise NotAllowed(_("Only an emergency administrator of this unit or above can do this."))


def _validation_to_input(exc: ValidationError) -> InvalidInput:
    fields = {k: " ".join(str(m) for m in v) for k, v in getattr(exc, "message_dict", {}).items()}
    return InvalidInput(" ".join(str(m) for m in exc.messages), fields=fields)


def _check_password(password: str, user: User) -> None:
    """Every path that sets a password runs the validators of settings.AUTH_PASSWORD_VALIDATORS."""
    from django.contrib.auth.password_validation import validate_password

    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), fields={"password": " ".join(exc.messages)}) from exc


def check_parent_type(parent: Unit | None, unit_type: str) -> None:
    allowed = PARENT_TYPES.get(unit_type)
    if allowed is None:
        raise InvalidInput(_("Unknown unit type."), fields={"type": _("Unknown unit type.")})
    if parent is None and unit_type != UnitType.HEAD_OFFICE:
        raise InvalidInput(_("Only the head office has no parent."), fields={"parent": _("Required.")})
    if parent is not None and parent.type not in allowed:
        msg = _("A %(child)s cannot be placed under a %(parent)s.") % {
            "child": UnitType(unit_type).label,
            "parent": parent.get_type_display(),
        }
        raise InvalidInput(msg, fields={"parent": msg})


def create_unit(
    *, actor: User, parent: Unit | None, code: str, name: str, type: str, address: str = "", phone: str = ""
) -> Unit:
    if parent is None:
        if not actor.is_superuser:
            raise NotAllowed()
        if Unit.objects.get_root_nodes().exists():
            raise InvalidInput(_("The bank already has a head office."))
    else:
        _require_manage(actor, parent)
    check_parent_type(parent, type)
    unit = Unit(code=code.strip(), name=name.strip(), type=type, address=address.strip(), phone=phone.strip())
    try:
        unit.full_clean(exclude=["path", "depth", "numchild"])
    except ValidationError as exc:
        raise _validation_to_input(exc) from exc
    with transaction.atomic():
        unit = (
            Unit.objects.add_root(instance=unit)
            if parent is None
            else Unit.objects.add_child(parent, instance=unit)
        )
        audit.record(
            actor=actor,
            action="unit.create",
            obj=unit,
            data={f: getattr(unit, f) for f in UNIT_FIELDS} | {"parent": parent and parent.code},
        )
    return unit


def update_unit(*, actor: User, unit: Unit, **changes: str) -> Unit:
    _require_manage(actor, unit)
    unknown = set(changes) - {"name", "address", "phone", "is_active"}
    if unknown:
        raise InvalidInput(_("These fields cannot be changed here: %s") % ", ".join(sorted(unknown)))
    before = {f: getattr(unit, f) for f in changes}
    for field, value in changes.items():
        setattr(unit, field, value.strip() if isinstance(value, str) else value)
    try:
        unit.full_clean(exclude=["path", "depth", "numchild", "code"])
    except ValidationError as exc:
        unit.refresh_from_db()
        raise _validation_to_input(exc) from exc
    diff = {f: [before[f], getattr(unit, f)] for f in changes if before[f] != getattr(unit, f)}
    if not diff:
        return unit
    with transaction.atomic():
        unit.save(update_fields=list(diff))
        audit.record(actor=actor, action="unit.update", obj=unit, data={"changed": diff})
    return unit


def _positions(codes: list[str]) -> list[Position]:
    found = {p.code: p for p in Position.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise InvalidInput(
            _("Unknown position: %s") % ", ".join(missing),
            fields={"positions": _("Unknown position: %s") % ", ".join(missing)},
        )
    return [found[c] for c in codes]


def create_person(
    *,
    actor: User,
    unit: Unit,
    username: str,
    name: str,
    mobile: str,
    position_codes: list[str],
    email: str = "",
    password: str | None = None,
) -> Person:
    """Creates the sign-in account and the person. Without a password the account gets an unusable
    one until an administrator sets it, so nobody can sign in with a guessable default; a password
    given must pass the password validators."""
    _require_manage(actor, unit)
    username = username.strip()
    if not username:
        raise InvalidInput(_("A username is required."), fields={"username": _("Required.")})
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidInput(_("The username “%s” is taken.") % username, fields={"username": _("Taken.")})
    if not position_codes:
        raise InvalidInput(_("A person holds at least one position."), fields={"positions": _("Required.")})
    positions = _positions(position_codes)
    person = Person(unit=unit, name=name.strip(), mobile=mobile.strip())
    try:
        person.full_clean(exclude=["user"])
    except ValidationError as exc:
        raise _validation_to_input(exc) from exc
    if password is not None:
        _check_password(password, User(username=username, email=email))
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, email=email, password=password)
            person.user = user
            person.save()
            person.positions.set(positions)
            audit.record(
                actor=actor,
                action="person.create",
                obj=person,
                data={
                    "username": username,
                    "name": person.name,
                    "mobile": person.mobile,
                    "unit": unit.code,
                    "positions": position_codes,
                },
            )
    except IntegrityError as exc:
        raise InvalidInput(_("The username “%s” is taken.") % username) from exc
    return person


def update_person(
    *,
    actor: User,
    person: Person,
    name: str | None = None,
    mobile: str | None = None,
    unit: Unit | None = None,
    position_codes: list[str] | None = None,
) -> Person:
    _require_manage(actor, person.unit)
    if unit is not None and unit != person.unit:
        _require_manage(actor, unit)
    before = {
        "name": person.name,
        "mobile": person.mobile,
        "unit": person.unit.code,
        "positions": sorted(p.code for p in person.positions.all()),
    }
    positions = _positions(position_codes) if position_codes is not None else None
    if position_codes is not None and not position_codes:
        raise InvalidInput(_("A person holds at least one position."), fields={"positions": _("Required.")})
    if name is not None:
        person.name = name.strip()
    if mobile is not None:
        person.mobile = mobile.strip()
    if unit is not None:
        person.unit = unit
    try:
        person.full_clean(exclude=["user"])
    except ValidationError as exc:
        person.refresh_from_db()
        raise _validation_to_input(exc) from exc
    after = {
        "name": person.name,
        "mobile": person.mobile,
        "unit": person.unit.code,
        "positions": sorted(position_codes) if position_codes is not None else before["positions"],
    }
    diff = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if not diff:
        return person
    with transaction.atomic():
        person.save()
        if positions is not None:
            person.positions.set(positions)
        audit.record(actor=actor, action="person.update", obj=person, data={"changed": diff})
    return person


def set_person_active(*, actor: User, person: Person, active: bool) -> Person:
    _require_manage(actor, person.unit)
    if person.user_id == actor.pk and not active:
        raise InvalidInput(_("You cannot deactivate your own account."))
    if person.user.is_active == active:
        return person
    with transaction.atomic():
        User.objects.filter(pk=person.user_id).update(is_active=active)
        person.user.is_active = active
        audit.record(actor=actor, action="person.activate" if active else "person.deactivate", obj=person)
        if not active:
            # Its tokens die with the account: reactivating a person does not bring them back.
            from yingji.api.services import revoke_tokens_of

            revoke_tokens_of(actor=actor, person=person, reason="person.deactivate")
    return person


def set_password(*, actor: User, person: Person, password: str) -> None:
    """An administrator sets a person's password (first sign-in, or a forgotten one)."""
    _require_manage(actor, person.unit)
    _check_password(password, person.user)
    with transaction.atomic():
        person.user.set_password(password)
        person.user.save(update_fields=["password"])
        audit.record(actor=actor, action="person.set_password", obj=person)


def assign_duty_leader(*, actor: User, unit: Unit, on_date: date, leader: Person | None) -> DutyRoster | None:
    """Set (or, with leader=None, clear) the 带班领导 of `unit` on `on_date`."""
    _require_manage(actor, unit)
    if leader is not None and (not visibility.can_see_unit(actor, leader.unit) or not leader.user.is_active):
        raise InvalidInput(
            _("That person cannot be the leader on duty here."),
            fields={"leader": _("Not a person you manage.")},
        )
    with transaction.atomic():
        current = DutyRoster.objects.select_for_update().filter(unit=unit, on_date=on_date).first()
        previous = current.leader.name if current else None
        if leader is None:
            if current is None:
                return None
            current.delete()
            audit.record(
                actor=actor,
                action="duty.clear",
                obj=unit,
                data={"date": on_date.isoformat(), "previous": previous},
            )
            return None
        if current is not None and current.leader_id == leader.pk:
            return current
        if current is None:
            current = DutyRoster.objects.create(unit=unit, on_date=on_date, leader=leader)
        else:
            current.leader = leader
            current.save(update_fields=["leader"])
        audit.record(
            actor=actor,
            action="duty.assign",
            obj=unit,
            data={
                "date": on_date.isoformat(),
                "leader": leader.name,
                "leader_id": leader.pk,
                "previous": previous,
            },
        )
    return current


def random_password() -> str:
    return secrets.token_urlsafe(12)


def change_own_password(*, user: User, new_password: str) -> None:
    """The signed-in person changes their own password (the form has checked the old one; the
    validators run here as well, so no caller can skip them)."""
    _check_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        person = visibility.person_of(user)
        audit.record(
            actor=user,
            action="account.change_password",
            obj=person or user,
            object_type="" if person else "auth.user",
        )
