"""A letter as Word (.docx): the title and year, the parties, the responsibilities numbered, the closing and
a signature block for both parties; a signed letter says when and how it was signed."""

from datetime import timedelta

from django.utils.translation import gettext as _
from docx.shared import Cm

from yingji.core import clock, documents

from .models import Kind, Letter


def letter_docx(letter: Letter) -> bytes:
    doc = documents.new_document(letter.title, _("Year %(year)s") % {"year": letter.year})
    documents.add_labelled(doc, _("Party A"), letter.party_a)
    if letter.kind == Kind.UNIT:
        documents.add_labelled(doc, _("Party B"), _("%(unit)s (its head signs)") % {"unit": letter.party_b})
    else:
        documents.add_labelled(
            doc, _("Party B"), _("%(name)s, %(unit)s") % {"name": letter.party_b, "unit": letter.unit.name}
        )
    doc.add_paragraph(letter.preamble)
    doc.add_heading(_("Responsibilities"), level=1)
    for n, clause in enumerate(letter.clauses, start=1):
        documents.add_numbered(doc, clause, n)
    if letter.closing:
        doc.add_paragraph(letter.closing)
    documents.add_labelled(doc, _("Sign by"), _due_day(letter))
    doc.add_heading(_("Signatures"), level=1)
    table = doc.add_table(rows=3, cols=2)
    table.style = "Table Grid"
    for row in table.rows[1:]:
        row.height = Cm(1.4)  # room for a handwritten signature and a seal
    heads = (_("Party A (seal)"), _("Party B (signature)"))
    for col, text in enumerate(heads):
        table.cell(0, col).text = text
    table.cell(1, 0).text = _("Representative:")
    table.cell(1, 1).text = _("Signed by:") + (f" {letter.signed_by.name}" if letter.signed_by else "")
    signed = _signed_text(letter)
    table.cell(2, 0).text = _("Date:")
    table.cell(2, 1).text = _("Date:") + (f" {signed}" if signed else "")
    if letter.is_signed:
        method = letter.get_method_display()
        doc.add_paragraph(
            _("Signing recorded in the system: %(when)s, %(how)s.") % {"when": signed, "how": method}
        )
    return documents.to_bytes(doc)


def _due_day(letter: Letter) -> str:
    day = letter.due_at.astimezone(clock.SHANGHAI).date() - timedelta(days=1)
    return _("%(year)d/%(month)d/%(day)d") % {"year": day.year, "month": day.month, "day": day.day}


def _signed_text(letter: Letter) -> str:
    if letter.signed_at is None:
        return ""
    return letter.signed_at.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M")


def file_name(letter: Letter) -> str:
    return f"responsibility-letter-{letter.year}-{letter.pk}.docx"
