from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from yingji.core import documents
from yingji.core.clock import SHANGHAI
from yingji.orgs.models import Position

from .models import PlanVersion, Step
from .selectors import RoleCardSection, version_outline


def step_detail(step: Step, *, with_position: bool = True) -> str:
    parts = []
    if with_position:
        who = step.position.name + (_("（inferred）") if step.position_inferred else "")
        parts.append(_("Responsible: %s") % who)
    if step.group:
        parts.append(_("Working group: %s") % step.group)
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
    steps = list(version.steps.all())
    outline = version_outline(version, steps)
    documents.add_labelled(doc, _("Event kinds"), "、".join(k.name for k in plan.kinds.all()))
    title = f"《{plan.source_title}》" if plan.source_title else ""
    documents.add_labelled(doc, _("Source"), f"{title}{plan.source_section}")
    if plan.source_note:
        documents.add_labelled(doc, _("About the source"), plan.source_note)
    if version.principles:
        doc.add_heading(_("Principles"), level=1)
        doc.add_paragraph(version.principles)
    if outline.leadership:
        doc.add_heading(_("Leading group"), level=1)
        for label, names in outline.leadership:
            documents.add_labelled(doc, label, "、".join(names))
    if outline.groups:
        doc.add_heading(_("Working groups"), level=1)
        for group in outline.groups:
            lead = f"（{pgettext('working group', 'Leader')}：{group.leader}）" if group.leader else ""
            documents.add_labelled(doc, group.name + lead, group.duties or "—")
    if version.contacts:
        doc.add_heading(_("Contacts"), level=1)
        for contact in version.contacts:
            doc.add_paragraph(" ".join(str(v) for v in contact.values() if v), style="List Bullet")
    doc.add_heading(_("Steps"), level=1)
    if outline.has_inferred:
        doc.add_paragraph(
            _("（inferred）")
            + "："
            + _("The source names no role for this step; the position is set by the posts of this bank.")
        )
    for step in steps:
        documents.add_numbered(doc, step.action, step.order, step_detail(step))
    doc.add_heading(_("Termination"), level=1)
    if version.termination:
        doc.add_paragraph(version.termination)
    if outline.approvers:
        for approver in outline.approvers:
            doc.add_paragraph(f"{approver.label}（{approver.who}）", style="List Bullet")
    else:
        doc.add_paragraph(
            _(
                "The source names nobody: the incident's group leader and the emergency administrator "
                "of the unit above approve."
            )
        )
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
