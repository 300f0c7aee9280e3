"""Every read of the corrective register starts from what the viewer may see: findings and actions of
their unit and the units below it; an action's owner always sees their own (and its findings)."""

from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from yingji.core import clock
from yingji.core.errors import NotVisible
from yingji.orgs import visibility

from .models import RUNNING, CorrectiveAction, Finding, Status

Link = CorrectiveAction.findings.through


def _person_id(viewer) -> int | None:
    person = visibility.person_of(viewer)
    return person.pk if person is not None else None


def action_scope(viewer) -> Q:
    scope = visibility.scope(viewer, "unit")
    if (pk := _person_id(viewer)) is not None and viewer.is_active:
        scope |= Q(owner_id=pk)
    return scope


def finding_scope(viewer) -> Q:
    scope = visibility.scope(viewer, "unit")
    if (pk := _person_id(viewer)) is not None and viewer.is_active:
        owned = Link.objects.filter(finding_id=OuterRef("pk"), correctiveaction__owner_id=pk)
        scope |= Q(Exists(owned))
    return scope


def _unit_path(viewer, code: str) -> str | None:
    unit = visibility.visible_unit(viewer, code) if code else None
    return unit.path if unit is not None else None


def actions_for(
    viewer,
    *,
    status: str = "",
    grade: str = "",
    category: str = "",
    source_type: str = "",
    unit: str = "",
    overdue: bool = False,
    now: datetime | None = None,
) -> QuerySet[CorrectiveAction]:
    qs = CorrectiveAction.objects.filter(action_scope(viewer))
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(status__in=RUNNING, due_at__lt=now or clock.now())
    if unit:
        path = _unit_path(viewer, unit)
        qs = qs.filter(unit__path__startswith=path) if path else qs.none()
    about = {
        k: v
        for k, v in {
            "finding__grade": grade,
            "finding__category": category,
            "finding__source_type": source_type,
        }.items()
        if v
    }
    if about:
        qs = qs.filter(Exists(Link.objects.filter(correctiveaction_id=OuterRef("pk"), **about)))
    return qs.select_related("unit", "owner").order_by("due_at", "pk")


def findings_for(
    viewer, *, grade: str = "", category: str = "", source_type: str = "", unit: str = ""
) -> QuerySet[Finding]:
    qs = Finding.objects.filter(finding_scope(viewer))
    filters = {
        k: v for k, v in {"grade": grade, "category": category, "source_type": source_type}.items() if v
    }
    qs = qs.filter(**filters)
    if unit:
        path = _unit_path(viewer, unit)
        qs = qs.filter(unit__path__startswith=path) if path else qs.none()
    return qs.select_related("unit", "plan").order_by("-found_at", "-pk")


def finding_for(*, viewer, pk: int) -> Finding:
    finding = (
        Finding.objects.filter(finding_scope(viewer), pk=pk)
        .select_related("unit", "plan", "plan_step", "recorded_by")
        .first()
    )
    if finding is None:
        raise NotVisible()
    return finding


def action_for(*, viewer, pk: int) -> CorrectiveAction:
    action = (
        CorrectiveAction.objects.filter(action_scope(viewer), pk=pk)
        .select_related("unit", "owner__user", "owner__unit", "created_by", "verified_by")
        .first()
    )
    if action is None:
        raise NotVisible()
    return action


def status_counts(viewer, *, now: datetime | None = None) -> dict[str, int]:
    """How many actions the viewer sees in each status, and how many of the running ones are overdue."""
    qs = CorrectiveAction.objects.filter(action_scope(viewer))
    counts = {s: 0 for s in Status.values}
    counts.update(dict(qs.order_by().values_list("status").annotate(n=Count("pk"))))
    counts["overdue"] = qs.filter(status__in=RUNNING, due_at__lt=now or clock.now()).count()
    return counts


def recurrences(*, viewer, finding: Finding) -> list[Finding]:
    """The other findings the viewer sees with the same recurrence key: the same weakness again."""
    return list(
        Finding.objects.filter(finding_scope(viewer), recurrence_key=finding.recurrence_key)
        .exclude(pk=finding.pk)
        .select_related("unit")
        .order_by("-found_at", "-pk")
    )


def recurrence_counts(*, viewer, keys: list[str]) -> dict[str, int]:
    """How often each key occurs among the findings the viewer sees: one query for a page."""
    if not keys:
        return {}
    rows = (
        Finding.objects.filter(finding_scope(viewer), recurrence_key__in=set(keys))
        .order_by()
        .values_list("recurrence_key")
        .annotate(n=Count("pk"))
    )
    return dict(rows)
