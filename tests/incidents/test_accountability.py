"""004 第二十一条: the investigation says whether the event was 隐瞒 (concealed) or 谎报 (falsely reported)
— 缓报 is read off the timestamps — and lists the accountability measures: who is responsible, the
measure taken, whether the case went to 公安 (第二十条), with a note. The special report carries them."""

from io import BytesIO

import pytest
from django.urls import reverse
from docx import Document

from yingji.core.errors import InvalidInput, InvalidTransition
from yingji.core.testing import footprint
from yingji.incidents import services
from yingji.incidents.exports import special_report_docx
from yingji.incidents.models import Investigation, Status

from .factories import incident_in, past_the_watch, person

pytestmark = pytest.mark.usefixtures("library")

MEASURES = [
    {"person": "郑和谐", "measure": "通报批评，扣减当季绩效", "police": False, "note": "未按规定首报"},
    {"person": "外包保洁员", "measure": "解除劳务合同", "police": True, "note": "涉嫌伪造现场记录"},
]


def test_the_investigation_records_concealment_false_reports_and_measures(now, hexie_lobby, hexie_president):
    incident = incident_in(Status.INVESTIGATING)
    services.save_findings(
        actor=hexie_president,
        incident=incident,
        concealed=True,
        concealed_note="网点负责人两小时后才上报支行",
        false_report=False,
        accountability=MEASURES,
    )
    found = Investigation.objects.get(incident=incident)
    assert (found.concealed, found.false_report) == (True, False)
    assert found.concealed_note == "网点负责人两小时后才上报支行"
    assert found.accountability == MEASURES


def test_a_measure_without_its_person_or_measure_is_refused(now, hexie_lobby, hexie_president):
    incident = incident_in(Status.INVESTIGATING)
    before = footprint()
    with pytest.raises(InvalidInput, match="2"):
        services.save_findings(
            actor=hexie_president,
            incident=incident,
            accountability=[MEASURES[0], {"person": "王大堂", "measure": " ", "police": False}],
        )
    assert footprint() == before


def test_after_closing_the_accountability_cannot_be_rewritten(now, hexie_lobby, hexie_president):
    incident = incident_in(Status.CLOSED)
    before = footprint()
    with pytest.raises(InvalidTransition):
        services.save_findings(actor=hexie_president, incident=incident, concealed=False)
    assert footprint() == before


def test_the_investigator_records_them_in_the_room(client, now, hexie_lobby, hexie_president):
    incident = incident_in(Status.INVESTIGATING)
    client.force_login(hexie_president.user)
    room = client.get(incident.get_absolute_url()).content.decode()
    assert "是否存在隐瞒" in room and "是否存在谎报" in room and 'name="acc_person"' in room

    client.post(
        reverse("incidents:accountability", kwargs={"number": incident.number}),
        {
            "concealed": "no",
            "false_report": "yes",
            "false_report_note": "首报称无人受伤，实际一人骨折",
            "acc_person": ["王大堂", ""],
            "acc_measure": ["书面检查", ""],
            "acc_police": ["no", "no"],
            "acc_note": ["", ""],
        },
    )
    found = Investigation.objects.get(incident=incident)
    assert (found.concealed, found.false_report) == (False, True)
    assert found.accountability == [{"person": "王大堂", "measure": "书面检查", "police": False, "note": ""}]


def test_the_lobby_manager_cannot_write_them(client, now, hexie_lobby):
    incident = incident_in(Status.INVESTIGATING)
    client.force_login(hexie_lobby.user)
    before = footprint()
    url = reverse("incidents:accountability", kwargs={"number": incident.number})
    assert client.post(url, {"concealed": "yes"}).status_code == 403
    assert footprint() == before


def test_the_special_report_lists_them(now, hexie_lobby, hexie_president):
    incident = incident_in(Status.INVESTIGATING)
    services.save_findings(
        actor=hexie_president,
        incident=incident,
        cause="地面湿滑",
        warnings_in_time=True,
        preventive_measures="铺设防滑垫",
        concealed=True,
        concealed_note="延迟两小时上报",
        false_report=False,
        accountability=MEASURES,
    )
    past_the_watch(incident)
    services.close_investigation(actor=person("hexie_president"), incident=incident)
    document = Document(BytesIO(special_report_docx(incident)))
    text = "\n".join(
        [p.text for p in document.paragraphs]
        + [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    )
    assert "报告责任与责任追究" in text and "延迟两小时上报" in text
    assert "解除劳务合同" in text and "已移交" in text and "通报批评，扣减当季绩效" in text
