"""Every read of complaints starts from what the viewer may see: complaints of their units, and those
handed to their units by a work order."""

from datetime import datetime

from django.db.models import Q, QuerySet

from yingji.core import clock
from yingji.core.errors import NotVisible
from yingji.deadlines.models import Deadline
from yingji.orgs import visibility
from yingji.orgs.models import Unit

from .models import OPEN_STATUSES, Complaint, KnowledgeEntry
from .services.common import SUBJECT_TYPE

# Up to this many visible units, the scope is a literal list of their ids; beyond it, a subquery.
SMALL_SCOPE = 200


def scope(viewer) -> Q:
    """Complaints whose unit or handling unit the viewer sees (visibility.scope on either).

    Written as "unit among the visible units" rather than a path test through two joins: an OR across
    two joined tables cannot use an index, so PostgreSQL read every complaint of the bank to find an
    outlet's. A viewer who sees a few units (an outlet, a sub-branch) gets their ids as a list, which
    both unit indexes can drive; one who sees many (a branch) gets the units as a subquery, hashed once
    and tested per row while the planner walks the index of the order asked for; one who sees every
    unit (head office) needs no test at all."""
    units = visibility.visible_units(viewer).order_by()
    ids = list(units.values_list("pk", flat=True)[: SMALL_SCOPE + 1])
    if len(ids) <= SMALL_SCOPE:
        return Q(unit_id__in=ids) | Q(handling_unit_id__in=ids)
    if not Unit.objects.exclude(visibility.scope(viewer, "")).exists():
        return Q()
    return Q(unit__in=units.values("pk")) | Q(handling_unit__in=units.values("pk"))


def complaints_for(viewer, **filters) -> QuerySet[Complaint]:
    return (
        Complaint.objects.filter(scope(viewer))
        .filter(merged_into__isnull=True)
        .filter(**{k: v for k, v in filters.items() if v not in (None, "")})
        .select_related("unit", "handling_unit", "owner", "business", "cause")
    )


def complaint_for(*, viewer, number: str) -> Complaint:
    complaint = (
        Complaint.objects.filter(scope(viewer), number=number)
        .select_related(
            "unit",
            "handling_unit",
            "owner__unit",
            "receiver",
            "business",
            "cause",
            "subject_unit",
            "staff_complained",
            "incident",
        )
        .first()
    )
    if complaint is None:
        raise NotVisible()
    return complaint


def overdue_now(*, viewer, now: datetime | None = None) -> QuerySet[Complaint]:
    """Open complaints whose decision is past due, oldest first: an index range scan."""
    now = now or clock.now()
    return (
        complaints_for(viewer)
        .filter(status__in=OPEN_STATUSES, decision_due_at__lt=now)
        .order_by("decision_due_at", "pk")
    )


def running_deadlines(complaint: Complaint) -> list[Deadline]:
    return list(
        Deadline.objects.filter(
            subject_type=SUBJECT_TYPE, subject_id=complaint.pk, met_at__isnull=True, cancelled_at__isnull=True
        ).order_by("due_at")
    )


def all_deadlines(complaint: Complaint) -> list[Deadline]:
    return list(
        Deadline.objects.filter(subject_type=SUBJECT_TYPE, subject_id=complaint.pk).order_by("due_at")
    )


def possible_repeats(*, viewer, customer_phone: str, customer_name: str = "") -> QuerySet[Complaint]:
    """Open complaints of the same customer: the intake page offers to merge a repeat into one."""
    if not customer_phone:
        return Complaint.objects.none()
    return complaints_for(viewer, customer_phone=customer_phone).filter(status__in=OPEN_STATUSES)


def search_knowledge(
    *, query: str, business_id: int | None = None, limit: int = 20
) -> QuerySet[KnowledgeEntry]:
    entries = KnowledgeEntry.objects.filter(is_active=True).select_related("business", "source")
    for word in query.split():
        entries = entries.filter(Q(question__icontains=word) | Q(answer__icontains=word))
    if business_id:
        entries = entries.filter(business_id=business_id)
    return entries[:limit]
