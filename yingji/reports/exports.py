"""A chart's numbers as an Excel workbook: its table as the page shows it, every text cell written as
text (yingji/core/xlsx.py), so a unit or cause named `=…` is never taken for a formula."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from yingji.core import xlsx

from .charts import Chart

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(chart: Chart, *, scope: str) -> BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.title = chart.key[:31]
    xlsx.write_row(sheet, [chart.title])
    sheet["A1"].font = Font(bold=True, size=13)
    xlsx.write_row(sheet, [scope])
    if chart.note:
        xlsx.write_row(sheet, [chart.note])
    xlsx.write_row(sheet, [])
    xlsx.write_row(sheet, chart.columns)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in chart.rows:
        xlsx.write_row(sheet, row)
    sheet.column_dimensions["A"].width = 28
    buffer = BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer
