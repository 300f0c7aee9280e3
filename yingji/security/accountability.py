"""Deciding an accountability record (处理决定): a record opened by a 重大安全隐患 (sign_as_inspector) is
decided once — 通报批评, 经济处罚, 纪律处分, 免责 or an outcome the bank added — with the reasons, by a
leader of the unit above or of head office (permissions.can_decide). Reads are scoped by visibility."""

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.core import clock, inputs
from yingji.core.errors import InvalidInput, NotAllowed, NotVisible
from yingji.core.transitions import transition
from yingji.orgs import visibility
from yingji.orgs.models import Person
from yingji.orgs.visibility import Viewer

from . import permissions
from .models import ACCOUNTABILITY_TRANSITIONS, Accountability, AccountabilityStatus, Outcome

MAX_REASONS = 2000


def records_for(viewer: Viewer, *, status: str = "") -> QuerySet[Accountability]:
    qs = visibility.visible(Accountability.objects.all(), viewer).select_related(
        "unit", "person", "outcome", "decided_by", "opened_by", "result__inspection"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-opened_at", "-pk")


def record_for(*, viewer: Viewer, pk: int) -> Accountability:
    return visibility.get_visible_or_404(records_for(viewer), viewer, pk=pk)


def decide(*, actor: Person, record: Accountability, outcome: Outcome | None, reasons: str) -> Accountability:
    if not permissions.sees(actor, record.unit):
        raise NotVisible()
    if not permissions.can_decide(actor, record.unit):
        raise NotAllowed(_("A leader of the unit above or of head office decides an accountability record."))
    errors: dict[str, str] = {}
    if outcome is None or not outcome.is_active:
        errors["outcome"] = _("Choose a decision.")
    reasons = (reasons or "").strip()
    if not reasons:
        errors["reasons"] = _("Give the reasons for the decision.")
    elif len(reasons) > MAX_REASONS:
        errors["reasons"] = _("At most %(n)s characters.") % {"n": MAX_REASONS}
    elif problem := inputs.text_problem(reasons):
        errors["reasons"] = problem
    if errors:
        raise InvalidInput(_("The decision is not recorded."), fields=errors)
    with transaction.atomic():
        transition(record, AccountabilityStatus.DECIDED, table=ACCOUNTABILITY_TRANSITIONS)
        record.outcome, record.decision = outcome, reasons
        record.decided_at, record.decided_by = clock.now(), actor
        record.save(update_fields=["outcome", "decision", "decided_at", "decided_by"])
        audit.record(
            actor=actor.user,
            action="security.decide_accountability",
            obj=record,
            data={"person": record.person.name, "decision": outcome.name, "reasons": reasons},
        )
    return record
