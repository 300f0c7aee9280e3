"""Reading an uploaded Excel workbook for an import: the one engine the complaint and the org imports
share, so that a limit or a fix is made once.

It opens the file, checks it is an .xlsx by its content, holds it to the limits in the settings,
checks the header row, and yields the rows below it as {field: value}; each import then checks its
rows with a `RowCheck`, which collects every error of the file as (row as Excel numbers it, column
header, reason) for the page or the run to show.

The limits hold before the work is heavy. The upload's size is checked before it is read
(`IMPORT_MAX_BYTES`), the zip's unpacked size before openpyxl parses it (so a small file cannot
unpack into gigabytes of XML), and reading stops at the first row past `IMPORT_MAX_ROWS`. Empty rows
do not count, and the sheet is taken to end after `BLANK_RUN` empty rows in a row: Excel's "used
range" often runs to row 1,048,576 once someone formats a whole column, and a sheet's own dimension
can say anything, so neither is trusted. Nothing is dropped silently: if a value follows such a run
(found by a scan of the sheet's XML, not a parse), the file is refused with the row it is in. A 6 MB
file of 1.2 million empty rows is refused or read in half a second instead of holding a web thread
for 37 s. (openpyxl itself parsed such a sheet whole on opening, looking for its dimension; see
`_dimensions_before_the_rows`.)"""

import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime
from io import BytesIO
from typing import Any

import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG, SheetDimension, WorkSheetParser
from openpyxl.xml.functions import iterparse

from .inputs import text_problem
from .xlsx import write_row

XLSX_SUFFIX = ".xlsx"
ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls) and other old Office files
BLANK_RUN = 1000  # this many empty rows in a row end the sheet
UNPACK_FACTOR = 20  # a workbook's XML is rarely ten times its zip; twenty is generous
Progress = Callable[[int], None]
NoteLine = tuple[bool, list[str]]  # a line of the template's notes sheet: (bold, its cells)
VALUE_TAGS = (b"<v>", b"<is>", b":v>", b":is>")  # a cell's value, or an inline string, any prefix
ROW_START = re.compile(rb"<(?:\w+:)?row\b[^>]*?\sr=\"(\d+)\"")

TOO_LARGE = gettext_lazy("The file is larger than %(mb)s MB.")
UNPACKS_TOO_LARGE = gettext_lazy(
    "The file unpacks to more than %(mb)s MB; it cannot be an import of at most %(rows)s rows."
)
TOO_MANY_ROWS = gettext_lazy("The file has more than %(n)s rows; split it.")
UNREADABLE = gettext_lazy("The file is not an Excel workbook (.xlsx) or cannot be read.")
NOT_XLSX = gettext_lazy("Only Excel workbooks (.xlsx) can be imported.")
DATA_AFTER_EMPTY_ROWS = gettext_lazy(
    "Row %(row)s holds data after %(n)s empty rows in a row; delete the empty rows and upload the file again."
)
OLD_XLS = gettext_lazy(
    "This is an Excel 97-2003 workbook (.xls): open it in Excel, save it as an Excel workbook (.xlsx) "
    "and upload that."
)


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    required: bool
    width: int
    example: str
    max_length: int = 0
    as_text: bool = False  # text format in the template, so Excel keeps leading zeros and long numbers
    help: Any = ""  # a lazy msgid: what the template's notes sheet says about the column


@dataclass(frozen=True)
class RowError:
    row: int | None  # as Excel numbers it; None for the file as a whole
    column: str  # the header, "" for the row or the file
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Limits:
    max_rows: int
    max_bytes: int

    @property
    def max_mb(self) -> int:
        return self.max_bytes // 2**20


def _dimensions_before_the_rows(parser: WorkSheetParser) -> tuple[int, int, int, int] | None:
    """openpyxl's `parse_dimensions`, stopping where the rows begin. openpyxl's own waits for the end
    of `<sheetData>`, so a sheet without a `<dimension>` is parsed whole when the workbook is merely
    opened (10 s for 1.2 million empty rows) before a single row is asked for. Same answer, no scan."""
    for _event, element in iterparse(parser.source, events=("start",)):
        if element.tag == DIMENSION_TAG:
            return SheetDimension.from_tree(element).boundaries
        if element.tag == DATA_TAG:
            return None
    return None


# Kept so a test can show both give the same answer on the openpyxl the lock pins.
openpyxl_dimensions = WorkSheetParser.parse_dimensions
WorkSheetParser.parse_dimensions = _dimensions_before_the_rows  # type: ignore[method-assign]


def limits() -> Limits:
    return Limits(max_rows=settings.IMPORT_MAX_ROWS, max_bytes=settings.IMPORT_MAX_BYTES)


def file_error(reason: Any) -> RowError:
    return RowError(None, "", str(reason))


def text(value: Any) -> str:
    """A cell as the text a person reads in it."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone typed as a number comes back as 13800000000.0
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d 00:00")
    return str(value).strip()


# --- Reading ----------------------------------------------------------------------------------------


def refuse_upload(upload: UploadedFile) -> RowError | None:
    """Why an upload is refused before it is read into memory, if it is."""
    if not (upload.name or "").lower().endswith(XLSX_SUFFIX):
        return file_error(NOT_XLSX)
    if (upload.size or 0) > limits().max_bytes:
        return file_error(TOO_LARGE % {"mb": limits().max_mb})
    return None


def _refuse_content(data: bytes, bounds: Limits) -> RowError | None:
    """Why the bytes are no workbook to open, judged by their content, not their name."""
    if len(data) > bounds.max_bytes:
        return file_error(TOO_LARGE % {"mb": bounds.max_mb})
    if data.startswith(OLE_SIGNATURE):
        return file_error(OLD_XLS)
    if not data.startswith(ZIP_SIGNATURE):
        return file_error(UNREADABLE)
    try:  # the sizes each entry declares; reading an entry past its size fails its CRC check
        unpacked = sum(info.file_size for info in zipfile.ZipFile(BytesIO(data)).infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return file_error(UNREADABLE)
    if unpacked > bounds.max_bytes * UNPACK_FACTOR:
        return file_error(UNPACKS_TOO_LARGE % {"mb": bounds.max_mb * UNPACK_FACTOR, "rows": bounds.max_rows})
    return None


def _last_row_with_data(data: bytes, path: str) -> int | None:
    """The number of the last row of a sheet that holds a value, found by looking for the last value
    tag in its XML rather than parsing it (a fraction of a second for a million rows); None if that
    row cannot be told (a sheet that does not number its rows)."""
    last: int | None = None
    with zipfile.ZipFile(BytesIO(data)).open(path.lstrip("/")) as sheet:
        carry = b""
        while chunk := sheet.read(2**20):
            buffer = carry + chunk
            value = max(buffer.rfind(tag) for tag in VALUE_TAGS)
            if value >= 0:
                start = buffer.rfind(b"<", 0, max(buffer.rfind(b"row ", 0, value), 0))
                found = ROW_START.match(buffer, start) if start >= 0 else None
                last = int(found.group(1)) if found else None
            # Keep the last row's start (and at most a megabyte) for a value in the next chunk.
            row_start = buffer.rfind(b"<", 0, max(buffer.rfind(b"row "), 0))
            keep = len(buffer) - 64 if row_start < 0 else min(row_start, len(buffer) - 64)
            carry = buffer[max(keep, len(buffer) - 2**20) :]
    return last


def _blank(values: tuple[Any, ...]) -> bool:
    return not any(v is not None and str(v).strip() for v in values)


def read(
    data: bytes, columns: tuple[Column, ...], bounds: Limits | None = None, *, peek: int | None = None
) -> tuple[list[tuple[int, dict[str, Any]]], list[RowError]]:
    """The first sheet's rows below the headers as (row number, {field: value as Excel gives it}), or
    why the file cannot be imported at all. With `peek`, reading stops after peek + 1 rows: enough
    to tell a short file, to be imported at once, from a long one, to be left to a job."""
    bounds = bounds or limits()
    if refused := _refuse_content(data, bounds):
        return [], [refused]
    try:
        book = openpyxl.load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception:  # a zip, XML, key or value error: whatever it is, it is not a workbook we can read
        return [], [file_error(UNREADABLE)]
    try:
        lines = book.worksheets[0].iter_rows(values_only=True, max_col=len(columns))
        header = [text(v) for v in next(lines, ())]
        if not any(header):
            return [], [file_error(_("The file is empty."))]
        expected = [c.header for c in columns]
        if header[: len(expected)] != expected:
            reason = _("The first row must hold the headers %(expected)s, in this order.") % {
                "expected": "、".join(expected)
            }
            return [], [RowError(1, "", reason)]
        rows: list[tuple[int, dict[str, Any]]] = []
        blanks = 0
        for number, values in enumerate(lines, start=2):
            if _blank(values):
                blanks += 1
                if blanks == BLANK_RUN:
                    after = _last_row_with_data(data, book.worksheets[0]._worksheet_path)
                    if after is not None and after > number:
                        return [], [file_error(DATA_AFTER_EMPTY_ROWS % {"row": after, "n": BLANK_RUN})]
                    break
                continue
            blanks = 0
            if peek is not None and len(rows) > peek:
                break
            if len(rows) == bounds.max_rows:
                return [], [file_error(TOO_MANY_ROWS % {"n": bounds.max_rows})]
            rows.append((number, {c.field: v for c, v in zip(columns, values, strict=False)}))
    except Exception:  # a damaged sheet fails while its rows are read
        return [], [file_error(UNREADABLE)]
    finally:
        book.close()
    if not rows:
        return [], [file_error(_("The file has no rows to import below the headers."))]
    return rows, []


def template(
    *,
    title: str,
    columns: tuple[Column, ...],
    notes_title: str,
    help_of: Callable[[Column], Any],
    more: list[NoteLine],
    widths: tuple[int, int, int],
) -> bytes:
    """An import's file to fill in: headers in bold, one example row, widths, text format where Excel
    would eat leading zeros; a second sheet explains each column and the limits, then `more`."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    write_row(sheet, [c.header for c in columns])
    write_row(sheet, [c.example for c in columns])
    sheet.freeze_panes = "A2"
    for index, c in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.cell(1, index).font = Font(bold=True)
        sheet.cell(2, index).font = Font(italic=True, color="808080")
        sheet.column_dimensions[letter].width = c.width
        if c.as_text:
            sheet.column_dimensions[letter].number_format = "@"
            sheet.cell(2, index).number_format = "@"
    bounds = limits()
    told = _("At most %(rows)s rows and %(mb)s MB. A file with any error imports nothing.")
    lines: list[NoteLine] = [
        (True, [_("Column"), _("Required"), _("What to write")]),
        *((False, [c.header, _("yes") if c.required else _("no"), str(help_of(c))]) for c in columns),
        (False, []),
        (False, [_("Row 2 is an example: delete it. Keep row 1 as it is.")]),
        (False, [told % {"rows": bounds.max_rows, "mb": bounds.max_mb}]),
        *more,
    ]
    notes = book.create_sheet(notes_title)
    for bold, cells in lines:
        write_row(notes, cells)
        for cell in notes[notes.max_row] if bold else ():
            cell.font = Font(bold=True)
    for letter, width in zip("ABC", widths, strict=True):
        notes.column_dimensions[letter].width = width
    out = BytesIO()
    book.save(out)
    return out.getvalue()


# --- Checking ---------------------------------------------------------------------------------------


class RowCheck:
    """Collects the errors of one row into the file's list, and says whether the row is clean. On
    creation it checks what every import checks: the template's example row left in, required values,
    lengths, and text that cannot be stored (a NUL, a lone surrogate)."""

    def __init__(self, number: int, texts: dict[str, str], columns: tuple[Column, ...], errors: list):
        self.number, self.values, self.errors = number, texts, errors
        self.headers = {c.field: c.header for c in columns}
        self.count = len(errors)
        self.fields: set[str] = set()
        if all(texts.get(c.field, "") == c.example for c in columns):
            self.error("", _("This is the template’s example row; delete it."))
        for c in columns:
            value = texts.get(c.field, "")
            if c.required and not value:
                self.error(c.field, _("A value is required."))
            elif c.max_length and len(value) > c.max_length:
                self.error(c.field, _("At most %(n)s characters.") % {"n": c.max_length})
            elif problem := text_problem(value):
                self.error(c.field, problem)

    def error(self, field: str, reason: Any, *, unless_said: bool = False) -> None:
        """One more reason; with `unless_said`, only if the field has none yet."""
        if unless_said and field in self.fields:
            return
        self.fields.add(field)
        self.errors.append(RowError(self.number, self.headers.get(field, ""), str(reason)))

    def check(self, field: str, validator: Callable[[str], None]) -> None:
        if value := self.values.get(field):
            try:
                validator(value)
            except ValidationError as exc:
                self.error(field, " ".join(exc.messages))

    def said(self, field: str) -> bool:
        return field in self.fields

    @property
    def ok(self) -> bool:
        return len(self.errors) == self.count


def chunks(values: Iterable[str], size: int = 500) -> Iterator[list[str]]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]
