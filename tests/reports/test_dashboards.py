"""Dashboards: each chart with its numbers in a table and an Excel export, the monthly summary in Word
with the charts as images, and nothing of a unit the viewer does not see."""

from io import BytesIO

from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from yingji.core import clock
from yingji.reports import charts, dashboards, exports

from ..incidents.factories import ReportFactory, activate


def test_head_office_sees_the_month_s_incidents_by_level_in_the_chart_and_its_table(client, now, hq_duty):
    ReportFactory()
    client.force_login(hq_duty.user)

    page = client.get(reverse("reports:dashboards")).content.decode()

    month = clock.local_today().strftime("%Y-%m")
    assert 'id="chart-incidents-month"' in page and 'id="table-incidents-month"' in page
    assert 'id="chart-incidents-kind"' in page and 'id="dashboard-data"' in page
    assert "查看数据" in page and f'<th scope="row" class="fw-normal text-nowrap">{month}</th>' in page


def test_mtta_is_the_time_from_the_report_to_the_first_acknowledgement(now, hq_duty):
    incident = ReportFactory()
    now.advance(minutes=6)
    notice = incident_notices(incident).first()
    from yingji.notify import services

    services.acknowledge(person=notice.recipient, notice=notice)
    now.advance(minutes=30)
    services.acknowledge(person=(later := incident_notices(incident).last()).recipient, notice=later)
    selection = dashboards.select(hq_duty.user)

    chart = charts.response_times(hq_duty.user, selection.period)

    row = chart.rows[-1]
    assert row[0] == clock.local_today().strftime("%Y-%m")
    assert 5.9 <= row[1] <= 6.1 and row[3] == 1  # the first acknowledgement counts, not the last
    assert row[2] is None  # not terminated yet


def incident_notices(incident):
    from yingji.notify.models import Notice

    return Notice.objects.filter(subject_type="incidents.incident", subject_id=incident.pk).order_by("pk")


def test_a_chart_s_excel_export_has_its_table_and_keeps_text_as_text(client, now, branch_duty):
    activate(ReportFactory())
    client.force_login(branch_duty.user)

    answer = client.get(reverse("reports:chart_xlsx", args=["incidents-kind"]), {"unit": "JN"})

    assert answer.status_code == 200
    sheet = load_workbook(BytesIO(b"".join(answer.streaming_content))).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["客户意外受伤", 1] in values and values[0][0] == "各类事件数量"


def test_a_label_that_looks_like_a_formula_is_exported_as_text():
    chart = charts.Chart("units", "按机构", "hbar", ["机构", "事件"], [['=HYPERLINK("http://x","y")', 2]])

    sheet = load_workbook(exports.workbook(chart, scope="总行")).active

    cell = next(c for row in sheet.iter_rows() for c in row if str(c.value).startswith("=HYPERLINK"))
    assert cell.data_type == "s" and cell.quotePrefix


def test_the_monthly_summary_is_a_word_document_with_the_charts_as_images(client, now, hq_duty):
    ReportFactory()
    client.force_login(hq_duty.user)

    answer = client.get(reverse("reports:summary_docx"))

    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/vnd.openxml")
    doc = Document(BytesIO(answer.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "应急管理情况月报" in text and "报告事件数：1" in text
    assert len(doc.inline_shapes) >= 1 and len(doc.tables) >= 1


def test_a_branch_cannot_open_the_dashboards_of_the_sibling_branch(client, now, branch_duty):
    client.force_login(branch_duty.user)
    for name in ("reports:dashboards", "reports:summary_docx"):
        assert client.get(reverse(name), {"unit": "JB"}).status_code == 404
    assert (
        client.get(reverse("reports:chart_xlsx", args=["incidents-kind"]), {"unit": "JB"}).status_code == 404
    )
    assert client.get(reverse("reports:dashboards"), {"unit": "JN01"}).status_code == 200
