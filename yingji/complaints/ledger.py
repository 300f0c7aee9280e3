"""The complaint ledger (投诉台账) as an Excel workbook: one row per complaint the viewer sees, written
in openpyxl's write-only mode while the rows stream from the database, so a year of a big bank's
complaints costs a file on disk, not the server's memory. The customer's phone and ID number are masked
for everyone but the consumer-protection staff; an unmasked export is written to the audit log."""

import tempfile
from datetime import datetime
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from yingji.audit import services as audit
from yingji.core import clock
from yingji.core.due import due_text
from yingji.core.xlsx import write_row
from yingji.orgs import visibility

from . import permissions, reports
from .models import OPEN_STATUSES, Callback, Channel, Kind, Status
from .privacy import mask_id_number, mask_phone

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

# (heading, width in characters)
COLUMNS = [
    (gettext_lazy("Number"), 16),
    (gettext_lazy("Time received"), 17),
    (gettext_lazy("Channel"), 14),
    (gettext_lazy("Receiving institution"), 16),
    (gettext_lazy("Customer name"), 10),
    (gettext_lazy("Contact phone"), 14),
    (gettext_lazy("ID document number"), 20),
    (gettext_lazy("Institution complained about"), 16),
    (gettext_lazy("Staff complained about"), 10),
    (gettext_lazy("Business category"), 14),
    (gettext_lazy("Cause of complaint"), 14),
    (gettext_lazy("Nature of complaint"), 9),
    (gettext_lazy("Joint complainants"), 8),
    (gettext_lazy("Major complaint"), 8),
    (gettext_lazy("Status"), 10),
    (gettext_lazy("Period (days)"), 8),
    (gettext_lazy("Reply due"), 17),
    (gettext_lazy("Replied at"), 17),
    (gettext_lazy("Replied on time"), 8),
    (gettext_lazy("Satisfaction"), 10),
    (gettext_lazy("Handling institution"), 16),
    (gettext_lazy("Handler"), 10),
    (gettext_lazy("How the deadline was counted"), 60),
    (gettext_lazy("Content of the complaint"), 60),
    (gettext_lazy("Decision to the customer"), 60),
]
# The reply deadline is text written as everywhere else (core.due: "12月18日 24:00"), not a cell that
# Excel would show as the next day's 00:00.
DATETIME_COLUMNS = {1, 17}


def file_name() -> str:
    return _("complaint-ledger-%(day)s.xlsx") % {"day": clock.local_today().strftime("%Y%m%d")}


def _local(value: datetime | None) -> datetime | None:
    """Excel has no time zones: the Shanghai wall-clock time, naive."""
    return value.astimezone(clock.SHANGHAI).replace(tzinfo=None) if value else None


class _Labels:
    """The choices' labels, looked up once per export in the viewer's language."""

    def __init__(self) -> None:
        self.channel = {k: str(v) for k, v in Channel.choices}
        self.kind = {k: str(v) for k, v in Kind.choices}
        self.status = {k: str(v) for k, v in Status.choices}
        self.satisfaction = {k: str(v) for k, v in Callback.Satisfaction.choices}
        self.yes, self.no, self.overdue = _("Yes"), _("No"), _("Overdue")


def _on_time(row: dict[str, Any], now: datetime, labels: _Labels) -> str:
    if row["replied_at"] is not None:
        return labels.yes if row["replied_at"] <= row["decision_due_at"] else labels.no
    if row["status"] in OPEN_STATUSES and row["decision_due_at"] < now:
        return labels.overdue
    return ""


def _values(row: dict[str, Any], *, unmasked: bool, now: datetime, labels: _Labels) -> list[Any]:
    phone, id_number = row["customer_phone"], row["customer_id_number"]
    return [
        row["number"],
        _local(row["received_at"]),
        labels.channel.get(row["channel"], row["channel"]),
        row["unit__name"],
        row["customer_name"],
        phone if unmasked else mask_phone(phone),
        id_number if unmasked else mask_id_number(id_number),
        row["subject_unit__name"] or "",
        row["staff_complained_name"],
        row["business__name"] or "",
        row["cause__name"] or "",
        labels.kind.get(row["kind"], row["kind"]),
        row["joint_count"],
        labels.yes if row["is_major"] else labels.no,
        labels.status.get(row["status"], row["status"]),
        row["period_days"],
        due_text(row["decision_due_at"]),
        _local(row["replied_at"]),
        _on_time(row, now, labels),
        labels.satisfaction.get(row["satisfaction"], row["satisfaction"]),
        row["handling_unit__name"],
        row["owner__name"],
        row["decision_rule"],
        row["content"],
        _decision(row),
    ]


def _decision(row: dict[str, Any]) -> str:
    """The decision as the customer got it: what was found, then what the bank does."""
    parts = [row["decision_findings"] or "", row["decision_remedy"] or ""]
    return "\n".join(p for p in parts if p)


def export(viewer, **filters: Any) -> IO[bytes]:
    """The ledger of what `viewer` sees under the list's filters, as an open temporary .xlsx file
    positioned at its start. Unmasked (consumer-protection staff) exports leave an audit entry."""
    person = visibility.person_of(viewer)
    unmasked = permissions.is_consumer_protection(person)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Complaint ledger"))
    for index, (_heading, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "B2"
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    header = []
    for heading, _width in COLUMNS:
        cell = WriteOnlyCell(sheet, value=str(heading))
        cell.font, cell.alignment = bold, wrap
        header.append(cell)
    write_row(sheet, header)

    labels, now, count = _Labels(), clock.now(), 0
    for row in reports.ledger_rows(viewer, **filters):
        values = _values(row, unmasked=unmasked, now=now, labels=labels)
        for index in DATETIME_COLUMNS:
            if values[index] is not None:
                cell = WriteOnlyCell(sheet, value=values[index])
                cell.number_format = DATETIME_FORMAT
                values[index] = cell
        write_row(sheet, values)  # a customer's words stay words, never a formula
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{count + 1}"

    # Handed to the response, which closes it once sent; closed here if anything fails first.
    output = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        workbook.save(output)
        output.seek(0)
        if unmasked:
            with transaction.atomic():
                audit.record(
                    actor=viewer,
                    action="complaint.ledger_unmasked",
                    unit=person.unit if person else None,
                    data={"filters": {k: str(v) for k, v in filters.items() if v}, "rows": count},
                )
    except BaseException:
        output.close()
        raise
    return output
