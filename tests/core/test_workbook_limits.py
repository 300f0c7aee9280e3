"""Uploads are bounded. Both Excel imports (complaints, units and people) read through one engine that
stops at the row and size limits in the settings, with a message that names them, before the work is
heavy; refuses what is no .xlsx by its content; and reads a workbook of a million empty rows in a
moment instead of holding a web thread for half a minute."""

import re
import time
import zipfile
from datetime import timedelta
from io import BytesIO

import openpyxl
import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from yingji.complaints import imports as complaint_imports
from yingji.complaints.models import Complaint, ImportRun
from yingji.core import clock
from yingji.core.testing import footprint, run_jobs
from yingji.orgs.models import Unit

COMPLAINT_HEADERS = [c.header for c in complaint_imports.COLUMNS]
UNIT_HEADERS = ["代码", "名称", "类型", "上级代码", "地址", "电话"]
OLE_XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096


def complaint_row(name: str = "张三") -> list:
    received = (clock.now() - timedelta(hours=2)).astimezone(clock.SHANGHAI).replace(tzinfo=None)
    return ["客服热线", received, "JN0101", name, "13812345678", "", "排队一个多小时无人引导。"]


def unit_row(code: str) -> list:
    return [code, f"网点{code}", "营业网点", "JN01", "", ""]


def workbook(headers: list, rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in [headers, *rows]:
        book.active.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def with_empty_rows(content: bytes, count: int, then: str = "") -> bytes:
    """The workbook with `count` empty (formatted) rows after its last, and no <dimension>: what a
    sheet looks like once someone formats whole columns, written as raw XML so it is quick to make;
    `then` is written in column A of one more row after them."""
    source, out = zipfile.ZipFile(BytesIO(content)), BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                xml = re.sub(r"<dimension[^>]*/>", "", data.decode())
                first = len(re.findall(r"<row ", xml)) + 1
                empty = "".join(
                    f'<row r="{n}"><c r="A{n}" s="0"/></row>' for n in range(first, first + count)
                )
                if then:
                    n = first + count
                    empty += f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{then}</t></is></c></row>'
                data = xml.replace("</sheetData>", empty + "</sheetData>").encode()
            target.writestr(info.filename, data)
    return out.getvalue()


def with_padding(content: bytes, size: int) -> bytes:
    """The workbook with one more entry that unpacks to `size` bytes (and zips to almost nothing)."""
    out = BytesIO(content)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as target:
        target.writestr("xl/media/padding.bin", b"\0" * size)
    return out.getvalue()


def upload(client, importer: str, content: bytes, name: str = "导入.xlsx"):
    file = SimpleUploadedFile(name, content)
    if importer == "complaints":
        return client.post(reverse("complaints:import"), {"file": file})
    return client.post(reverse("orgs:import"), {"kind": "units", "file": file})


def reasons(answer) -> list[str]:
    return [e.reason for e in answer.context["errors"]]


def file_of(importer: str, count: int) -> bytes:
    if importer == "complaints":
        return workbook(COMPLAINT_HEADERS, [complaint_row(f"客户{i}") for i in range(count)])
    return workbook(UNIT_HEADERS, [unit_row(f"JN01{i + 10:02d}") for i in range(count)])


@pytest.fixture
def as_importer(client, hexie_lobby, hq_duty):
    """The person who uses each import: the lobby manager for complaints, the head-office duty
    administrator for units; pages in English, so the reasons read as their msgids."""
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"

    def sign_in(importer: str):
        client.force_login((hexie_lobby if importer == "complaints" else hq_duty).user)
        return client

    return sign_in


BOTH = pytest.mark.parametrize("importer", ["complaints", "units"])


@BOTH
def test_a_file_longer_than_the_row_limit_is_refused_naming_the_limit(as_importer, settings, importer):
    settings.IMPORT_MAX_ROWS = 3
    client, before = as_importer(importer), footprint()
    answer = upload(client, importer, file_of(importer, 4))
    assert reasons(answer) == ["The file has more than 3 rows; split it."]
    assert footprint() == before


def test_the_row_limit_is_told_in_chinese(client, hexie_lobby, settings):
    settings.IMPORT_MAX_ROWS = 3
    client.force_login(hexie_lobby.user)
    answer = upload(client, "complaints", file_of("complaints", 4))
    assert reasons(answer) == ["文件超过 3 行，请拆分后再导入。"]
    assert "最多 3 行、10 MB" in answer.text


@BOTH
def test_a_file_larger_than_the_size_limit_is_refused_before_it_is_read(as_importer, settings, importer):
    settings.IMPORT_MAX_BYTES = 2**20
    client, before = as_importer(importer), footprint()
    answer = upload(client, importer, b"PK\x03\x04" + b"\0" * 2**20)
    assert reasons(answer) == ["The file is larger than 1 MB."]
    assert footprint() == before


@BOTH
def test_a_small_file_that_unpacks_to_gigabytes_is_refused_unopened(as_importer, settings, importer):
    settings.IMPORT_MAX_BYTES = 2**20
    client, before = as_importer(importer), footprint()
    bomb = with_padding(file_of(importer, 1), 21 * 2**20)
    assert len(bomb) < 2**20
    answer = upload(client, importer, bomb)
    assert reasons(answer) == [
        "The file unpacks to more than 20 MB; it cannot be an import of at most 20000 rows."
    ]
    assert footprint() == before


@BOTH
def test_an_old_excel_file_is_refused_by_its_content_whatever_its_name(as_importer, importer):
    client, before = as_importer(importer), footprint()
    answer = upload(client, importer, OLE_XLS, name="台账.xlsx")
    [reason] = reasons(answer)
    assert reason.startswith("This is an Excel 97-2003 workbook (.xls)")
    assert footprint() == before


def test_a_long_file_over_the_limit_fails_in_its_job_and_registers_nothing(
    as_importer, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_JOB_THRESHOLD_ROWS, settings.IMPORT_MAX_ROWS = 2, 4
    client = as_importer("complaints")
    with django_capture_on_commit_callbacks(execute=True):
        answer = upload(client, "complaints", file_of("complaints", 5))
    assert answer.status_code == 302
    run_jobs()
    run = ImportRun.objects.get()
    assert run.status == "failed" and Complaint.objects.count() == 0
    assert [e["reason"] for e in run.errors] == [
        "文件超过 4 行，请拆分后再导入。"
    ]  # jobs speak the bank's language


def test_a_complaint_received_before_the_calendar_begins_is_refused_in_its_row(as_importer):
    client, before = as_importer("complaints"), footprint()
    row = complaint_row()
    row[1] = "1970-01-01 10:00"
    answer = upload(client, "complaints", workbook(COMPLAINT_HEADERS, [row]))
    [error] = answer.context["errors"]
    assert (error.row, error.column) == (2, "受理时间") and "cannot be received before" in error.reason
    assert footprint() == before


# --- A million empty rows ---------------------------------------------------------------------------

EMPTY_ROWS = 1_200_000


@pytest.fixture(scope="module")
def million_empty_rows() -> dict[str, bytes]:
    """One good row, then 1.2 million formatted empty rows and no dimension: about 6 MB each."""
    return {
        "complaints": with_empty_rows(workbook(COMPLAINT_HEADERS, [complaint_row()]), EMPTY_ROWS),
        "units": with_empty_rows(workbook(UNIT_HEADERS, [unit_row("JN0110")]), EMPTY_ROWS),
    }


@BOTH
def test_a_million_empty_rows_do_not_hold_the_page(as_importer, million_empty_rows, importer):
    """Before the engine: 37 s for the complaint file on the development machine; now well under 1 s."""
    client = as_importer(importer)
    content = million_empty_rows[importer]
    assert 5 * 2**20 < len(content) < 10 * 2**20
    started = time.perf_counter()
    answer = upload(client, importer, content)
    elapsed = time.perf_counter() - started
    assert answer.status_code == 302, reasons(answer)
    assert elapsed < 5, f"{elapsed:.1f} s"
    if importer == "complaints":
        assert Complaint.objects.filter(customer_name="张三").count() == 1
    else:
        assert Unit.objects.filter(code="JN0110").exists()


@BOTH
def test_data_after_a_long_run_of_empty_rows_is_not_dropped_silently(as_importer, importer):
    client, before = as_importer(importer), footprint()
    content = with_empty_rows(file_of(importer, 1), 1500, then="客服热线")
    answer = upload(client, importer, content)
    assert reasons(answer) == [
        "Row 1503 holds data after 1000 empty rows in a row; delete the empty rows and upload the file again."
    ]
    assert footprint() == before


@pytest.mark.parametrize("dimension", [True, False], ids=["with a dimension", "without"])
def test_our_dimension_reader_answers_as_openpyxls_own(dimension):
    """The engine replaces openpyxl's dimension reader (which parses a sheet without <dimension> whole);
    on the openpyxl the lock pins, both give the same answer for the same sheet."""
    from openpyxl.worksheet._reader import WorkSheetParser

    from yingji.core import workbook_import

    content = workbook(["a", "b", "c"], [[1, 2, 3], [4, 5, 6]])
    if not dimension:
        content = with_empty_rows(content, 0)
    answers = []
    for reader in (workbook_import.openpyxl_dimensions, WorkSheetParser.parse_dimensions):
        with zipfile.ZipFile(BytesIO(content)) as book, book.open("xl/worksheets/sheet1.xml") as sheet:
            answers.append(reader(WorkSheetParser(sheet, [])))
    assert answers[0] == answers[1]
    assert (answers[1] is not None) == dimension
