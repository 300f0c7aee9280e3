"""Group robots (企业微信, 钉钉) a unit's notices are also posted to: added and switched off by head-office
应急管理员 in the rules page, each change audited. A robot is never deleted, only switched off: its
deliveries keep pointing at it."""

from urllib.parse import parse_qsl, urlsplit, urlunsplit

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.core.errors import InvalidInput
from yingji.orgs.models import Unit, UnitType

from .models import Webhook
from .rules import require_rules_editor

KINDS = dict(Webhook.KINDS)


def masked(url: str) -> str:
    """The robot's address with its key hidden: what pages and the audit log show. The key is a secret
    (whoever has it can post to the group)."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = "&".join(f"{k}={v[:4]}…" if v else k for k, v in pairs)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def add_robot(*, actor: User, unit: Unit, kind: str, url: str) -> Webhook:
    require_rules_editor(actor)
    url = (url or "").strip()
    errors = {}
    if kind not in KINDS:
        errors["kind"] = _("Choose WeCom or DingTalk.")
    try:
        URLValidator(schemes=["https"])(url)
    except ValidationError:
        errors["url"] = _("Paste the robot's webhook address as the group settings show it (https://…).")
    if not unit.is_active or unit.type == UnitType.DEPARTMENT:
        errors["unit"] = _("Attach robots to an active unit, not to a department.")
    if errors:
        raise InvalidInput(" ".join(errors.values()), fields=errors)
    if Webhook.objects.filter(unit=unit, url=url, is_active=True).exists():
        raise InvalidInput(_("This robot is already on for this unit."), fields={"url": _("Already on.")})
    with transaction.atomic():
        robot = Webhook.objects.create(unit=unit, kind=kind, url=url)
        audit.record(
            actor=actor,
            action="notify.add_robot",
            obj=robot,
            unit=unit,
            data={"unit": unit.code, "kind": kind, "url": masked(url)},
        )
    return robot


def switch_robot(*, actor: User, robot: Webhook, on: bool) -> Webhook:
    """On or off. Rounds after the change include or leave out the robot; nothing is deleted."""
    require_rules_editor(actor)
    with transaction.atomic():
        locked = Webhook.objects.select_for_update().get(pk=robot.pk)
        if locked.is_active == on:
            return locked
        locked.is_active = on
        locked.save(update_fields=["is_active"])
        audit.record(
            actor=actor,
            action="notify.switch_robot",
            obj=locked,
            unit=locked.unit,
            data={"unit": locked.unit.code, "kind": locked.kind, "url": masked(locked.url), "on": on},
        )
    return locked
