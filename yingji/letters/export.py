"""The coverage matrix as Excel: one sheet of units (unit letter, employees signed / total, overdue) and
one of every letter of the year the viewer sees, each text written as text (yingji/core/xlsx.py)."""

from io import BytesIO

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook

from yingji.core import clock
from yingji.core.due import due_text
from yingji.core.xlsx import write_row

from .selectors import CoverageRow

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _local(at) -> str:
    return at.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M") if at else ""


def coverage_xlsx(rows: list[CoverageRow], letters) -> bytes:
    book = Workbook(write_only=True)
    units = book.create_sheet(_("Coverage"))
    write_row(units, [_("Unit"), _("Unit letter"), _("Employees signed"), _("Employees"), _("Overdue")])
    for row in rows:
        unit_letter = row.unit_letter
        if unit_letter is None:
            state = ""
        elif unit_letter.is_signed:
            state = pgettext("letter", "signed")
        else:
            state = pgettext("letter", "to be signed")
        write_row(units, [row.unit.name, state, row.signed, row.total, row.overdue])
    sheet = book.create_sheet(_("Responsibility letters"))
    write_row(
        sheet,
        [
            _("Unit"),
            pgettext("letter", "Kind"),
            _("Party B"),
            _("Sign by"),
            _("Status"),
            _("Signed at"),
            _("Signed late"),
        ],
    )
    for x in letters:
        write_row(
            sheet,
            [
                x.unit.name,
                x.get_kind_display(),
                x.party_b,
                due_text(x.due_at),
                x.get_status_display(),
                _local(x.signed_at),
                _("yes") if x.signed_late else "",
            ],
        )
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
