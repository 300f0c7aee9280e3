"""The Excel batch import of complaints, as the lobby manager of 和谐路营业部 uses it: the template, a
good file registering every row with its clocks, a file with one bad row registering nothing and
listing the problems by row and column, a file that is no workbook refused, and a long file imported
in the background behind a progress bar."""

from datetime import timedelta
from io import BytesIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from yingji.audit.models import AuditEntry
from yingji.audit.verify import verify_chain
from yingji.complaints import imports
from yingji.complaints.models import Complaint, ImportRun
from yingji.complaints.services.common import SUBJECT_TYPE
from yingji.core import clock
from yingji.core.testing import footprint, run_jobs
from yingji.deadlines.models import Deadline

HEADERS = [c.header for c in imports.COLUMNS]


def a_row(**changes) -> dict:
    received = (clock.now() - timedelta(hours=2)).astimezone(clock.SHANGHAI).replace(tzinfo=None)
    return {
        "渠道": "客服热线",
        "受理时间": received,
        "受理机构代码": "JN0101",
        "客户姓名": "张三",
        "联系电话": "13812345678",
        "证件号码": "",
        "投诉内容": "排队一个多小时无人引导。",
        "诉求": "要求道歉",
        "投诉性质": "问题型",
        "业务类别": "柜面及网点服务",
        "投诉原因": "service_attitude",
        "联名人数": 1,
        **changes,
    }


def workbook(rows: list[dict], name: str = "投诉.xlsx") -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append([row.get(h) for h in HEADERS])
    out = BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type=imports.XLSX_SUFFIX)


def upload(client, file, **headers):
    return client.post(reverse("complaints:import"), {"file": file}, headers=headers)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Jobs are enqueued when the upload's transaction commits."""
    return django_capture_on_commit_callbacks


@pytest.fixture
def lobby(client, hexie_lobby):
    client.force_login(hexie_lobby.user)
    return client


def test_the_template_has_the_chinese_headers_and_lists_the_channels(lobby):
    answer = lobby.get(reverse("complaints:import_template"))
    assert answer.status_code == 200
    book = openpyxl.load_workbook(BytesIO(b"".join(answer.streaming_content)))
    first = [c.value for c in book.worksheets[0][1]]
    assert first[:12] == [
        "渠道",
        "受理时间",
        "受理机构代码",
        "客户姓名",
        "联系电话",
        "证件号码",
        "投诉内容",
        "诉求",
        "投诉性质",
        "业务类别",
        "投诉原因",
        "联名人数",
    ]
    notes = [row[0] for row in book[imports.NOTES_SHEET].iter_rows(values_only=True)]
    assert {"客服热线", "建议型", "借记卡", "系统故障"} <= set(notes)


def test_a_good_file_registers_every_complaint_with_its_clocks(lobby, hexie_lobby):
    rows = [
        a_row(),
        a_row(渠道="letter", 投诉性质="建议型", 客户姓名="李四"),
        a_row(渠道="柜面", 投诉性质="malicious", 客户姓名="王五", 受理时间="2026-01-05 10:00"),
    ]
    answer = upload(lobby, workbook(rows))
    run = ImportRun.objects.get()
    assert answer.status_code == 302 and answer.url == run.get_absolute_url()
    assert run.status == "done" and run.total == 3 and run.created_count == 3
    complaints = list(Complaint.objects.order_by("pk"))
    assert [c.customer_name for c in complaints] == ["张三", "李四", "王五"]
    assert [c.channel for c in complaints] == ["hotline", "letter", "counter"]
    assert [c.kind for c in complaints] == ["problem", "suggestion", "malicious"]
    assert {c.receiver for c in complaints} == {hexie_lobby}
    assert complaints[0].business.code == "counter_service" and complaints[0].cause.code == "service_attitude"
    assert (
        complaints[2].received_at.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M") == "2026-01-05 10:00"
    )
    for c in complaints:
        decision = Deadline.objects.get(subject_type=SUBJECT_TYPE, subject_id=c.pk, name="decision")
        assert decision.due_at == c.decision_due_at and decision.source == c.decision_rule
        assert decision.next_at is not None and c.events.get().event == "registered"
    internal = Deadline.objects.filter(subject_type=SUBJECT_TYPE, subject_id=complaints[1].pk)
    assert set(internal.values_list("name", flat=True)) == {"decision", "pass_on", "dept_report"}
    registered = AuditEntry.objects.filter(
        action="complaint.register", object_id__in=[c.pk for c in complaints]
    )
    assert registered.count() == 3 and verify_chain().ok
    assert AuditEntry.objects.filter(action="complaint.import", object_id=str(run.pk)).exists()
    page = lobby.get(answer.url)
    assert complaints[0].number in page.text and "every 2s" not in page.text


def test_one_bad_row_registers_nothing_and_every_problem_is_listed(lobby):
    before = footprint()
    rows = [
        a_row(),
        a_row(渠道="飞鸽传书", 受理机构代码="JB0101"),
        a_row(受理时间="明天上午", 联名人数=0, 客户姓名=""),
    ]
    answer = upload(lobby, workbook(rows))
    assert answer.status_code == 200
    assert footprint() == before
    problems = {(e.row, e.column) for e in answer.context["errors"]}
    assert problems == {
        (3, "渠道"),
        (3, "受理机构代码"),
        (4, "受理时间"),
        (4, "联名人数"),
        (4, "客户姓名"),
    }
    assert 'id="import-errors"' in answer.text and "飞鸽传书" in answer.text


def test_a_file_that_is_not_a_workbook_is_refused(lobby):
    before = footprint()
    csv = SimpleUploadedFile("投诉.csv", "渠道,受理时间\n".encode(), content_type="text/csv")
    answer = upload(lobby, csv)
    assert answer.status_code == 200
    assert [e.reason for e in answer.context["errors"]] == [str(imports.NOT_XLSX)]
    fake = SimpleUploadedFile("投诉.xlsx", b"not a zip at all", content_type="application/octet-stream")
    answer = upload(lobby, fake)
    assert [e.reason for e in answer.context["errors"]] == [str(imports.UNREADABLE)]
    assert footprint() == before


def test_a_long_file_is_imported_in_the_background_behind_a_progress_bar(lobby, settings, on_commit):
    settings.IMPORT_JOB_THRESHOLD_ROWS = 2
    with on_commit(execute=True):
        answer = upload(lobby, workbook([a_row(客户姓名=f"客户{i}") for i in range(5)]))
    run = ImportRun.objects.get()
    assert run.status == "queued" and Complaint.objects.count() == 0
    page = lobby.get(answer.url)
    assert "<progress" in page.text and 'hx-trigger="every 2s"' in page.text
    run_jobs()
    partial = lobby.get(answer.url, headers={"HX-Request": "true"})
    assert partial.templates[0].name == "complaints/import_progress.html"
    assert "<progress" not in partial.text and "every 2s" not in partial.text
    run.refresh_from_db()
    assert run.status == "done" and run.created_count == 5 and run.processed == 10
    assert Complaint.objects.count() == 5


def test_a_long_file_with_a_bad_row_fails_on_its_page_and_registers_nothing(lobby, settings, on_commit):
    settings.IMPORT_JOB_THRESHOLD_ROWS = 2
    with on_commit(execute=True):
        answer = upload(lobby, workbook([a_row(), a_row(), a_row(投诉性质="随便")]))
    run_jobs()
    run = ImportRun.objects.get()
    assert run.status == "failed" and Complaint.objects.count() == 0
    assert run.errors == [{"row": 4, "column": "投诉性质", "reason": run.errors[0]["reason"]}]
    assert "随便" in lobby.get(answer.url).text


def test_an_import_cannot_run_twice(lobby, settings, on_commit):
    settings.IMPORT_JOB_THRESHOLD_ROWS = 0
    with on_commit(execute=True):
        upload(lobby, workbook([a_row()]))
    run = ImportRun.objects.get()
    run_jobs()
    again = imports.import_complaints(run=run)
    assert again.status == "done" and Complaint.objects.count() == 1


def test_someone_else_cannot_open_the_import(lobby, client, other_manager):
    upload(lobby, workbook([a_row()]))
    run = ImportRun.objects.get()
    client.force_login(other_manager.user)
    assert client.get(run.get_absolute_url()).status_code == 404


def test_an_imported_complaint_has_the_same_clocks_as_one_registered_at_the_counter(lobby, register):
    received = clock.now() - timedelta(days=2, hours=3)
    upload(lobby, workbook([a_row(受理时间=received.astimezone(clock.SHANGHAI).replace(tzinfo=None))]))
    imported = Complaint.objects.get()
    by_hand = register(received_at=imported.received_at, channel="hotline")

    def clocks(c):
        rows = Deadline.objects.filter(subject_type=SUBJECT_TYPE, subject_id=c.pk).order_by("name")
        return [(d.name, d.label, d.due_at, d.source, d.next_at, d.reminders) for d in rows]

    assert clocks(imported) == clocks(by_hand)
    assert (imported.decision_due_at, imported.decision_rule) == (
        by_hand.decision_due_at,
        by_hand.decision_rule,
    )
    assert imported.events.get().text == by_hand.events.get().text
