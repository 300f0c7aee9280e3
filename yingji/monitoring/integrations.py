"""Signal integrations: a system that reports signals holds a token of its own (yjs_…), hashed as the
API's personal tokens are, scoped to the units it reports for and the units below them."""

import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from yingji.api.models import hash_token
from yingji.audit import services as audit
from yingji.core import clock, rows
from yingji.core.errors import InvalidInput
from yingji.orgs import visibility
from yingji.orgs.models import Person, Unit

from .models import Integration

TOKEN_PREFIX = "yjs_"


_INTEGRATION = (
    f"SELECT {rows.columns(Integration, 'i')} FROM {rows.table(Integration)} i "
    "WHERE i.key_hash = %s AND i.revoked_at IS NULL"
)


def authenticate_integration(raw: str) -> Integration | None:
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    row = rows.one(_INTEGRATION, [hash_token(raw)])
    return rows.instance(Integration, row)[0] if row is not None else None


def issue_integration(
    *, actor, name: str, kind: str, units: list[Unit], contact: Person
) -> tuple[Integration, str]:
    """A new integration with its token; the raw value is returned once, only its hash is kept. The
    contact reports the incidents its warnings open, so they must see every unit it reports for."""
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
