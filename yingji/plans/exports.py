from django.utils.translation import gettext as _

from yingji.core import documents
from yingji.core.clock import SHANGHAI
from yingji.orgs.models import Position

from .models import PlanVersion, Step
from .selectors import RoleCardSection


def step_detail(step: Step, *, with_position: bool = True) -> str:
    parts = []
    if with_position:
        who = step.position.name + (_("（inferred）") if step.position_inferred else "")
        parts.append(_("Responsible: %s") % who)
    timing = step.get_timing_display()
    if step.minutes:
        timing = _("within %(n)s minutes") % {"n": step.minutes}
    parts.append(_("When: %s") % timing)
    if step.condition:
        parts.append(_("Condition: %s") % step.condition)
    if step.branch:
        parts.append(_("Branch: %s") % step.branch)
    if step.record:
        parts.append(_("Record: %s") % step.record)
    return "；".join(parts)


def plan_docx(version: PlanVersion) -> bytes:
    plan = version.plan
    approved = version.approved_at.astimezone(SHANGHAI).strftime("%Y-%m-%d") if version.approved_at else "—"
    doc = documents.new_document(
        version.title,
        _("Version %(n)s · %(status)s · approved %(date)s by %(who)s")
        % {
            "n": version.number,
            "status": version.get_status_display(),
            "date": approved,
            "who": version.approved_by_name or "—",
        },
    )
    documents.add_labelled(doc, _("Event kinds"), "、".join(k.name for k in plan.kinds.all()))
    documents.add_labelled(doc, _("Source"), f"{plan.source_file} · {plan.source_section}")
    if version.principles:
        doc.add_heading(_("Principles"), level=1)
        doc.add_paragraph(version.principles)
    if version.contacts:
        doc.add_heading(_("Contacts"), level=1)
        for contact in version.contacts:
            doc.add_paragraph(" ".join(str(v) for v in contact.values() if v), style="List Bullet")
    doc.add_heading(_("Steps"), level=1)
    for step in version.steps.all():
        documents.add_numbered(doc, step.action, step.order, step_detail(step))
    if version.termination:
        doc.add_heading(_("Termination"), level=1)
        doc.add_paragraph(version.termination)
    return documents.to_bytes(doc)


def role_card_docx(position: Position, sections: list[RoleCardSection]) -> bytes:
    doc = documents.new_document(
        _("Role card: %s") % position.name, _("Every step this position owns in the approved plans")
    )
    for section in sections:
        doc.add_heading(section.version.title, level=1)
        for number, step in enumerate(section.steps, start=1):
            documents.add_numbered(doc, step.action, number, step_detail(step, with_position=False))
    if not sections:
        doc.add_paragraph(_("No plan gives this position a step."))
    return documents.to_bytes(doc)
