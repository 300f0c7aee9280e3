"""Reads for the notice pages: my own notices, and the rules a head-office administrator edits."""

from django.db.models import QuerySet

from yingji.orgs.models import Person, Unit, UnitType
from yingji.plans.models import EventKind

from .models import KindNotificationRule, Notice, NotificationRule, RegulatorDeadline, Webhook


def my_notices(person: Person | None) -> QuerySet[Notice]:
    if person is None:
        return Notice.objects.none()
    return Notice.objects.filter(recipient=person).order_by("-created_at", "-pk")


def unacknowledged_count(person: Person | None) -> int:
    if person is None:
        return 0
    return Notice.objects.filter(
        recipient=person, acknowledged_at__isnull=True, withdrawn_at__isnull=True
    ).count()


def rules_overview() -> dict:
    """The level rules, each event kind with its own rule if any, and each branch with its regulator
    deadline if any: the whole rules page in five queries."""
    kind_rules = {r.kind_id: r for r in KindNotificationRule.objects.prefetch_related("positions")}
    deadlines = {d.unit_id: d.minutes for d in RegulatorDeadline.objects.all()}
    kinds = EventKind.objects.order_by("group", "sort_order")
    branches = Unit.objects.filter(type__in=[UnitType.BRANCH, UnitType.HEAD_OFFICE]).order_by("path")
    return {
        "level_rules": list(NotificationRule.objects.prefetch_related("positions")),
        "kind_rows": [(k, kind_rules.get(k.pk)) for k in kinds],
        "branch_rows": [(b, deadlines.get(b.pk)) for b in branches],
    }


def robots() -> list[Webhook]:
    """Every group robot, on and off, by unit: the rules page's list (robots are few: one or two a unit)."""
    return list(Webhook.objects.select_related("unit").order_by("unit__path", "-is_active", "pk"))


def kind_rule(kind: EventKind) -> KindNotificationRule | None:
    return KindNotificationRule.objects.filter(kind=kind).first()
