from datetime import date

from django.db.models import F, QuerySet

from yingji.core import inputs
from yingji.orgs import visibility

from .models import AuditEntry


def audit_entries(
    *,
    viewer,
    action: str = "",
    actor: str = "",
    object_type: str = "",
    unit_code: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEntry]:
    """Entries about units the viewer sees (entries without a unit only for head office)."""
    qs = AuditEntry.objects.all()
    root = visibility.scope_root(viewer)
    if not visibility.is_head_office(viewer):
        qs = qs.filter(unit_path__startswith=root.path) if root is not None else qs.none()
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(actor_name__icontains=actor)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if unit_code:
        unit = visibility.visible_units(viewer).filter(code=unit_code).first()
        qs = qs.filter(unit_path__startswith=unit.path) if unit else qs.none()
    if since:
        qs = qs.filter(at__gte=inputs.day_start(since))
    if until:
        qs = qs.filter(at__lt=inputs.day_end(until))
    # Newest first: the entries waiting for their place in the chain (a few seconds), then the chain.
    return qs.order_by(F("chain_seq").desc(nulls_first=True), "-seq")


def known_actions() -> list[str]:
    return list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())


def known_object_types() -> list[str]:
    return list(AuditEntry.objects.order_by("object_type").values_list("object_type", flat=True).distinct())
