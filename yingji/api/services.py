import secrets
from datetime import timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.core import clock, rows
from yingji.core.errors import InvalidInput, NotAllowed, NotVisible
from yingji.orgs import visibility
from yingji.orgs.models import Person, Unit

from .models import ApiToken, hash_token

PREFIX = "yj_"
# Avoid a write on every request: last_used_at is refreshed at most once a minute.
LAST_USED_GRANULARITY = timedelta(minutes=1)


def issue_token(*, actor: User | None, person: Person) -> tuple[ApiToken, str]:
    """A new token for `person`; the raw value is returned once and only its hash is stored."""
    if not person.user.is_active:
        raise InvalidInput(_("An inactive person cannot hold a token."))
    raw = PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            person=person, key_hash=hash_token(raw), prefix=raw[:10], created_at=clock.now()
        )
        audit.record(
            actor=actor,
            action="api_token.issue",
            obj=token,
            unit=person.unit,
            data={"person": person.name, "prefix": token.prefix},
        )
    return token, raw


def revoke_token(*, actor: User, token: ApiToken) -> ApiToken:
    person = token.person
    if person.user_id != actor.pk:
        if not visibility.can_see_unit(actor, person.unit):
            raise NotVisible()
        if not visibility.can_manage(actor, person.unit):
            raise NotAllowed()
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = clock.now()
        locked.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            action="api_token.revoke",
            obj=locked,
            unit=person.unit,
            data={"person": person.name, "prefix": locked.prefix},
        )
    return locked


def revoke_tokens_of(*, actor: User, person: Person, reason: str) -> int:
    """Revoke every live token of `person`, each with its audit entry; runs inside the caller's
    transaction (a person's deactivation), so a token never outlives the account it acts for and a
    reactivated person needs a new one."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("revoke_tokens_of() must run inside the caller's transaction")
    now = clock.now()
    live = list(ApiToken.objects.select_for_update().filter(person=person, revoked_at__isnull=True))
    for token in live:
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            action="api_token.revoke",
            obj=token,
            unit=person.unit,
            data={"person": person.name, "prefix": token.prefix, "reason": reason},
        )
    return len(live)


# Every API request asks this first, and a regional surge asks it thousands of times a minute: the live
# token with its person, their user and unit, in one statement written once.
_TOKEN = (
    f"SELECT {rows.columns(ApiToken, 't')}, {rows.columns(Person, 'p')}, {rows.columns(User, 'u')}, "
    f"{rows.columns(Unit, 'n')} FROM {rows.table(ApiToken)} t "
    f"JOIN {rows.table(Person)} p ON p.id = t.person_id "
    f"JOIN {rows.table(User)} u ON u.id = p.user_id "
    f"JOIN {rows.table(Unit)} n ON n.id = p.unit_id "
    "WHERE t.key_hash = %s AND t.revoked_at IS NULL"
)
_TOUCH = f"UPDATE {rows.table(ApiToken)} SET last_used_at = %s WHERE id = %s"


def _find_token(raw: str) -> ApiToken | None:
    row = rows.one(_TOKEN, [hash_token(raw)])
    if row is None:
        return None
    token, at = rows.instance(ApiToken, row)
    person, at = rows.instance(Person, row, at)
    user, at = rows.instance(User, row, at)
    unit, _ = rows.instance(Unit, row, at)
    person.user, person.unit, token.person = user, unit, person
    return token


def authenticate_token(raw: str) -> User | None:
    if not raw.startswith(PREFIX) or len(raw) > 100:
        return None
    token = _find_token(raw)
    if token is None or not token.person.user.is_active:
        return None
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_GRANULARITY:
        # Bookkeeping, not a business change: no audit entry for a timestamp.
        rows.run(_TOUCH, [now, token.pk])
    user = token.person.user
    user.person = token.person  # already loaded: saves a query per request
    return user


def issue_token_by(*, actor: User, person: Person) -> tuple[ApiToken, str]:
    """A token issued from the person's page: by whoever may edit that person (an 应急管理员 of their
    unit or above, or a superuser), with the same refusals as editing them."""
    if not visibility.can_see_unit(actor, person.unit):
        raise NotVisible()
    if not visibility.can_manage(actor, person.unit):
        raise NotAllowed(_("Only an emergency administrator of this unit or above can do this."))
    return issue_token(actor=actor, person=person)
