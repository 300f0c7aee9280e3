"""The monthly summary for the leadership (月度应急管理情况), as Word: the month's figures in words, then
each dashboard chart as an image with its table under it, so the document reads the same printed in
black and white or opened without images."""

from io import BytesIO

from django.utils.translation import gettext as _
from docx.shared import Cm

from yingji.core import documents

from . import images
from .charts import Chart
from .dashboards import Selection, all_charts

# A longer table (a day in 15-minute intervals: 96 rows) is left to the dashboards' Excel export: in print
# it would be pages of numbers under one chart.
TABLE_ROWS = 24


def _month_row(chart: Chart, key: str) -> list | None:
    return next((row for row in chart.rows if row and row[0] == key), None)


def document(viewer, s: Selection) -> bytes:
    month = s.month.strftime("%Y-%m")
    charts = all_charts(viewer, s)
    doc = documents.new_document(
        _("Monthly emergency-management summary, %(month)s") % {"month": month},
        _("%(unit)s and the units below it") % {"unit": s.root.name},
    )
    doc.add_heading(_("The month at a glance"), level=1)
    by_key = {c.key: c for c in charts}
    if (row := _month_row(by_key["incidents-month"], month)) is not None:
        documents.add_labelled(doc, _("Incidents reported"), str(row[-1]))
    if (row := _month_row(by_key["response-times"], month)) is not None:
        documents.add_labelled(doc, _("MTTA (minutes)"), "—" if row[1] is None else str(row[1]))
        documents.add_labelled(doc, _("MTTR (minutes)"), "—" if row[2] is None else str(row[2]))
    if (row := _month_row(by_key["complaints-month"], month)) is not None:
        documents.add_labelled(doc, _("Complaints received"), str(row[1]))
        documents.add_labelled(doc, _("Decided on time (%)"), "—" if row[2] is None else str(row[2]))
    for chart in charts:
        doc.add_heading(chart.title, level=1)
        if chart.note:
            doc.add_paragraph(chart.note)
        if not chart.rows or chart.empty:
            doc.add_paragraph(_("Nothing to show for this period."))
            continue
        if (picture := images.png(chart)) is not None:
            doc.add_picture(BytesIO(picture), width=Cm(16))
        if len(chart.rows) <= TABLE_ROWS:
            _table(doc, chart)
        else:
            doc.add_paragraph(_("The numbers are in this chart's Excel export on the dashboards."))
    return documents.to_bytes(doc)


def _table(doc, chart: Chart) -> None:
    table = doc.add_table(rows=1, cols=len(chart.columns))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, chart.columns, strict=True):
        cell.text = str(text)
    for row in chart.rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=False):
            cell.text = "" if value is None else str(value)
