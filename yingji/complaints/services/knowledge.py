"""The knowledge base: a closed complaint yields a question and its approved answer."""

from django.db import transaction
from django.utils.translation import gettext as _

from yingji.audit import services as audit
from yingji.core import clock
from yingji.core.errors import InvalidInput, NotAllowed
from yingji.orgs.models import Person

from .. import permissions
from ..models import DONE_STATUSES, Category, Complaint, KnowledgeEntry
from .common import require_visible


def add_knowledge_entry(
    *, author: Person, complaint: Complaint, question: str, answer: str, business: Category | None = None
) -> KnowledgeEntry:
    """Only from a decided complaint, and the answer is approved by whoever adds it: a leader or a
    consumer-protection officer (front-line staff rely on it on the phone)."""
    require_visible(author, complaint)
    if not (permissions.leads(author) or permissions.is_consumer_protection(author)):
        raise NotAllowed(_("A leader or consumer-protection officer approves knowledge-base answers."))
    errors = {}
    if not question.strip():
        errors["question"] = _("Write the customer's question.")
    if not answer.strip():
        errors["answer"] = _("Write the approved answer.")
    if errors:
        raise InvalidInput(_("The entry is not complete."), fields=errors)
    if complaint.status not in DONE_STATUSES:
        raise InvalidInput(_("Only a decided complaint can become a knowledge-base entry."))
    with transaction.atomic():
        entry = KnowledgeEntry.objects.create(
            question=question.strip()[:300],
            answer=answer.strip(),
            business=business or complaint.business,
            source=complaint,
            created_by=author,
            approved_by=author,
            created_at=clock.now(),
        )
        audit.record(
            actor=author.user,
            action="complaint.knowledge_entry",
            obj=entry,
            unit=complaint.unit,
            data={"complaint": complaint.number, "question": entry.question},
        )
    return entry
