"""Word documents every app exports (plans, role cards, later incident reports and drill reports):
A4, a Chinese font that Word and LibreOffice both have or substitute, real heading styles (so the
navigation pane works) and real numbering."""

from io import BytesIO

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

CJK_FONT = "宋体"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"


def _set_fonts(style, east_asia: str, size: float | None = None, bold: bool | None = None) -> None:
    style.font.name = LATIN_FONT
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), east_asia)
    if size is not None:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold


def new_document(title: str, subtitle: str = "") -> Document:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin = section.bottom_margin = Cm(2.2)
    _set_fonts(doc.styles["Normal"], CJK_FONT, 11)
    for name, size in (("Title", 20), ("Heading 1", 15), ("Heading 2", 13), ("Heading 3", 12)):
        _set_fonts(doc.styles[name], HEADING_FONT, size, True)
        doc.styles[name].font.color.rgb = None
    core = doc.core_properties
    core.title = title
    heading = doc.add_heading(title, level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if subtitle:
        para = doc.add_paragraph(subtitle)
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return doc


def add_numbered(doc: Document, text: str, number: int, detail: str = "") -> None:
    """A numbered line with its number written out, so it survives copy-paste and any reader."""
    para = doc.add_paragraph()
    para.paragraph_format.left_indent = Cm(0.8)
    para.paragraph_format.first_line_indent = Cm(-0.8)
    para.paragraph_format.space_after = Pt(2)
    para.add_run(f"{number}．").bold = True
    para.add_run(text)
    if detail:
        sub = doc.add_paragraph()
        sub.paragraph_format.left_indent = Cm(0.8)
        sub.paragraph_format.space_after = Pt(6)
        run = sub.add_run(detail)
        run.font.size = Pt(9.5)
        run.italic = True


def add_labelled(doc: Document, label: str, text: str) -> None:
    para = doc.add_paragraph()
    para.add_run(f"{label}：").bold = True
    para.add_run(text)


def to_bytes(doc: Document) -> bytes:
    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
