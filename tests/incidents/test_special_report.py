"""The special report (004 第十九条: 形成专门报告) downloads as Word and says what the record says: the
number, 缓报 when the first report came late, who did each task and when, the findings, who closed it."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.conf import settings
from django.urls import reverse
from docx import Document

from yingji.core import clock
from yingji.incidents import services
from yingji.incidents.exports import special_report_docx
from yingji.incidents.models import Incident
from yingji.plans.models import EventKind, PlanVersion, VersionStatus

from .factories import person


def text_of(content: bytes) -> str:
    document = Document(BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def closed_case(*, reporter, manager, minutes_ago: int) -> Incident:
    """A customer slipped in the hall; 王大堂 did the first step; the case went through to closing:
    the outlet head led the group, 刘和谐 (支行行长) proposed the end, the outlet head (组长) and 韩应急
    (和谐支行应急管理员) approved it, and the case closed once the watch (本行设定) was over."""
    with clock.frozen(clock.now().replace(microsecond=0)) as frozen:
        incident = services.report_incident(
            reporter=reporter,
            kind=EventKind.objects.get(code="customer_injured"),
            unit=reporter.unit,
            occurred_at=clock.now() - timedelta(minutes=minutes_ago),
            description="一位老年客户在大厅湿滑处摔倒，膝盖出血",
        )
        version = PlanVersion.objects.get(
            plan__code="outlet-service-customer-injured", status=VersionStatus.APPROVED
        )
        services.activate_plan(actor=manager, incident=incident, version=version, leader=manager)
        first = incident.tasks.filter(position__code="lobby_manager").order_by("order").first()
        services.complete_task(actor=reporter, task=first, note="已安抚客户，现场已拍照留存")
        services.request_termination(
            actor=person("hexie_president"), incident=incident, summary="客户已送医，营业秩序恢复正常"
        )
        for approver in (manager, person("hexie_admin")):
            services.decide_termination(actor=approver, incident=incident, approve=True)
        services.start_investigation(actor=manager, incident=incident)
        services.save_findings(
            actor=manager,
            incident=incident,
            cause="雨天地面湿滑，清洁后未放置警示牌",
            warnings_in_time=False,
            warnings_note="保洁未报告地面湿滑",
            responsibility=[{"name": "施保安", "responsibility": "未按规定放置警示牌"}],
            consequences="客户膝盖擦伤，网点赔付医药费",
            preventive_measures="雨天在门口铺设防滑垫并放置警示牌",
        )
        frozen.advance(hours=settings.YINGJI_WATCH_HOURS, seconds=1)
        services.close_investigation(actor=manager, incident=incident)
    incident.refresh_from_db()
    return incident


@pytest.fixture
def late_case(library, hexie_lobby, hexie_manager) -> Incident:
    return closed_case(reporter=hexie_lobby, manager=hexie_manager, minutes_ago=120)


def test_the_special_report_downloads_and_says_what_the_record_says(client, late_case, hexie_manager):
    client.force_login(hexie_manager.user)

    answer = client.get(reverse("incidents:special_report_docx", kwargs={"number": late_case.number}))

    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    text = text_of(answer.content)
    assert late_case.number in text and "客户意外受伤" in text and "和谐路营业部" in text
    assert "缓报" in text
    assert "大堂经理发现情况后，查看客户伤情" in text and "已安抚客户，现场已拍照留存" in text
    assert "王大堂" in text  # who did the task
    assert "雨天地面湿滑，清洁后未放置警示牌" in text and "保洁未报告地面湿滑" in text
    assert "施保安" in text and "未按规定放置警示牌" in text
    assert "客户膝盖擦伤，网点赔付医药费" in text and "雨天在门口铺设防滑垫并放置警示牌" in text
    assert "郑和谐" in text  # who closed it


def test_a_report_made_in_time_is_not_called_late(library, hexie_lobby, hexie_manager):
    incident = closed_case(reporter=hexie_lobby, manager=hexie_manager, minutes_ago=5)

    assert "缓报" not in text_of(special_report_docx(incident))


def test_the_headings_are_real_word_headings(late_case):
    document = Document(BytesIO(special_report_docx(late_case)))

    assert document.paragraphs[0].style.name == "Title"
    assert sum(p.style.name == "Heading 1" for p in document.paragraphs) >= 5


def test_the_report_reads_in_a_fixed_number_of_queries_not_one_per_row(late_case, django_assert_num_queries):
    # The room's lists (its complaints too), the metrics, the findings (with the linked warnings that
    # answer 预警是否及时: one query, however many), the header's relations.
    with django_assert_num_queries(18):
        special_report_docx(late_case)


def test_someone_of_the_sibling_outlet_cannot_download_it(client, late_case, plaza_manager):
    client.force_login(plaza_manager.user)

    answer = client.get(reverse("incidents:special_report_docx", kwargs={"number": late_case.number}))

    assert answer.status_code == 404
