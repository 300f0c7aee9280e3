"""Signal integrations: a system that reports signals holds a token of its own (yjs_…), hashed as the
API's personal tokens are, scoped to the units it reports for and the units below them."""

import secrets
import threading
import time

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from yingji.api.models import hash_token
from yingji.audit import services as audit
from yingji.core import clock, rows
from yingji.core.errors import InvalidInput, NotAllowed
from yingji.orgs import visibility
from yingji.orgs.models import Person, Unit

from .models import Integration

TOKEN_PREFIX = "yjs_"


_INTEGRATION = (
    f"SELECT {rows.columns(Integration, 'i')} FROM {rows.table(Integration)} i "
    "WHERE i.key_hash = %s AND i.revoked_at IS NULL"
)


_SCOPE = (
    f"SELECT a.path FROM {rows.table(Integration.units.through)} iu "
    f"JOIN {rows.table(Unit)} a ON a.id = iu.unit_id WHERE iu.integration_id = %s"
)

# The tokens this process has checked lately: hash → (checked at, monotonic s; the integration or None;
# the paths of the units it reports for). An integration sends twenty batches a second: each would
# otherwise read its token and its scope again. A token revoked here leaves at once; one revoked in
# another process is refused here within YINGJI_SIGNAL_TOKEN_CACHE_SECONDS (本行设定).
_known: dict[str, tuple[float, Integration | None, tuple[str, ...]]] = {}
_lock = threading.Lock()
_KNOWN_MAX = 1000


def authenticate_integration(raw: str) -> Integration | None:
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    key = hash_token(raw)
    moment = time.monotonic()
    hit = _known.get(key)
    if hit is not None and moment - hit[0] < settings.YINGJI_SIGNAL_TOKEN_CACHE_SECONDS:
        return hit[1]
    row = rows.one(_INTEGRATION, [key])
    integration = rows.instance(Integration, row)[0] if row is not None else None
    scope = tuple(path for (path,) in rows.every(_SCOPE, [integration.pk])) if integration else ()
    with _lock:
        if len(_known) >= _KNOWN_MAX:
            _known.clear()
        _known[key] = (moment, integration, scope)
    return integration


def scope_of(integration: Integration) -> tuple[str, ...]:
    """The paths of the units `integration` reports for (the units below them too)."""
    hit = _known.get(integration.key_hash)
    if hit is not None and hit[1] is not None and hit[1].pk == integration.pk:
        return hit[2]
    return tuple(path for (path,) in rows.every(_SCOPE, [integration.pk]))


def forget_tokens() -> None:
    """Drop this process's copies (a revocation; tests)."""
    with _lock:
        _known.clear()


def issue_integration(
    *, actor, name: str, kind: str, units: list[Unit], contact: Person
) -> tuple[Integration, str]:
    """A new integration with its token; the raw value is returned once, only its hash is kept. The
    contact reports the incidents its warnings open, so they must see every unit it reports for."""
    _require_admin(actor)
    name = (name or "").strip()
    if not name or not units:
        raise InvalidInput(_("An integration needs a name and the units it reports for."))
    if kind not in Integration.Kind.values:
        raise InvalidInput(_("Unknown kind of integration."))
    if not all(visibility.can_see_unit(contact.user, u) for u in units):
        raise InvalidInput(
            _("The contact must belong to a unit that sees every unit the integration reports for.")
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        integration = Integration.objects.create(
            name=name[:80],
            kind=kind,
            contact=contact,
            key_hash=hash_token(raw),
            prefix=raw[:10],
            created_at=clock.now(),
        )
        integration.units.set(units)
        audit.record(
            actor=actor,
            action="integration.issue",
            obj=integration,
            unit=units[0],
            data={"name": integration.name, "units": [u.code for u in units], "prefix": integration.prefix},
        )
    return integration, raw


def revoke_integration(*, actor, integration: Integration) -> Integration:
    """The token stops working (in this process at once, in the others within the cache's seconds); the
    integration and what it sent stay. A second revocation changes nothing."""
    _require_admin(actor)
    with transaction.atomic():
        locked = Integration.objects.select_for_update().get(pk=integration.pk)
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = clock.now()
        locked.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            action="integration.revoke",
            obj=locked,
            unit=locked.units.order_by("path").first(),
            data={"name": locked.name, "prefix": locked.prefix},
        )
        forget_tokens()  # now, and again once committed (a request between the two read it unrevoked)
        transaction.on_commit(forget_tokens)
    return locked


def _require_admin(actor) -> None:
    """Head office's 应急管理员 issue and revoke tokens on their page; `manage.py` (no actor) too."""
    from .services import may_edit_rules

    if actor is not None and not may_edit_rules(actor):
        raise NotAllowed(
            _("Only head office's emergency administrators issue and revoke integration tokens.")
        )
