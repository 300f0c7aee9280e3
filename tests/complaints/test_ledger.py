"""The complaint ledger (投诉台账) as Excel: one row per complaint the viewer sees, the phone and ID number
masked for everyone but the consumer-protection staff, whose unmasked exports are audited."""

from datetime import datetime
from io import BytesIO

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from yingji.audit.models import AuditEntry
from yingji.complaints import services
from yingji.complaints.models import Category
from yingji.core import clock
from yingji.core.testing import footprint
from yingji.orgs.models import Person, Unit

NOW = datetime(2025, 6, 10, 10, 0, tzinfo=clock.SHANGHAI)
HEADERS = [
    "Number",
    "Time received",
    "Channel",
    "Receiving institution",
    "Customer name",
    "Contact phone",
    "ID document number",
    "Institution complained about",
    "Staff complained about",
    "Business category",
    "Cause of complaint",
    "Nature of complaint",
    "Joint complainants",
    "Major complaint",
    "Status",
    "Period (days)",
    "Reply due",
    "Replied at",
    "Replied on time",
    "Satisfaction",
    "Handling institution",
    "Handler",
    "How the deadline was counted",
    "Content of the complaint",
    "Decision to the customer",
]


@pytest.fixture
def hq_consumer(demo) -> Person:
    return Person.objects.select_related("user", "unit").get(user__username="hq_consumer")


@pytest.fixture(autouse=True)
def frozen():
    with clock.frozen(NOW) as frozen_clock:
        yield frozen_clock


def register(receiver: Person, unit_code: str, received_at: datetime, **more):
    fields = {
        "channel": "counter",
        "customer_name": "张三",
        "customer_phone": "13812345678",
        "customer_id_number": "420102199001011234",
        "content": "排队太久",
    }
    fields.update(more)
    return services.register_complaint(
        receiver=receiver, unit=Unit.objects.get(code=unit_code), received_at=received_at, **fields
    )


@pytest.fixture
def hexie_complaint(hexie_lobby, hexie_manager):
    """Received at the counter of 和谐路营业部 on 3 March, about a teller; decided by phone on 8 March."""
    complaint = register(
        hexie_lobby,
        "JN0101",
        datetime(2025, 3, 3, 9, 30, tzinfo=clock.SHANGHAI),
        subject_unit=Unit.objects.get(code="JN0101"),
        staff_complained_name="何柜员",
        business=Category.objects.filter(axis=Category.Axis.BUSINESS).order_by("sort_order", "code").first(),
        cause=Category.objects.filter(axis=Category.Axis.CAUSE).order_by("sort_order", "code").first(),
        joint_count=2,
    )
    services.start_handling(actor=hexie_lobby, complaint=complaint)
    services.submit_proposal(actor=hexie_lobby, complaint=complaint, findings="属实", proposal="致歉")
    services.approve_proposal(reviewer=hexie_manager, complaint=complaint)
    services.record_decision(
        actor=hexie_lobby,
        complaint=complaint,
        findings="属实",
        basis="服务规范",
        remedy="致歉",
        delivered_how="phone",
        delivered_at=datetime(2025, 3, 8, 15, 0, tzinfo=clock.SHANGHAI),
    )
    complaint.refresh_from_db()
    return complaint


@pytest.fixture
def chengbei_complaint(other_manager):
    """A letter to 城北营业部 (a sibling branch) on 20 May, still open."""
    return register(
        other_manager,
        "JB0101",
        datetime(2025, 5, 20, 11, 0, tzinfo=clock.SHANGHAI),
        channel="letter",
        customer_phone="13900001111",
        customer_id_number="",
    )


def download(client, person: Person, **filters):
    client.force_login(person.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client.get(reverse("complaints:ledger"), filters)


def sheet_of(response) -> list[list]:
    assert response.status_code == 200, response.content
    workbook = load_workbook(BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def unmasked_exports() -> int:
    return AuditEntry.objects.filter(action="complaint.ledger_unmasked").count()


def test_the_lobby_manager_downloads_the_ledger_with_the_phone_masked(
    client, hexie_lobby, hexie_complaint, chengbei_complaint
):
    response = download(client, hexie_lobby)

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    header, *rows = sheet_of(response)
    assert header == HEADERS
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["Number"] == hexie_complaint.number
    assert row["Time received"] == datetime(2025, 3, 3, 9, 30)  # Shanghai wall-clock time
    assert row["Channel"] == "Counter (in person)"
    assert row["Receiving institution"] == "和谐路营业部"
    assert row["Customer name"] == "张三"
    assert row["Contact phone"] == "138****5678"
    assert row["ID document number"] == "4201**********1234"
    assert row["Institution complained about"] == "和谐路营业部"
    assert row["Staff complained about"] == "何柜员"
    assert row["Business category"] == hexie_complaint.business.name
    assert row["Cause of complaint"] == hexie_complaint.cause.name
    assert row["Nature of complaint"] == "Problem"
    assert row["Joint complainants"] == 2
    assert row["Major complaint"] == "No"
    assert row["Status"] == "Replied"
    assert row["Period (days)"] == 15
    # 3-03 + 15 days ends at 24:00 on 3-18: written as the page and the notices write it, not 3-19 00:00.
    assert row["Reply due"] == "3/18 24:00"
    assert row["Replied at"] == datetime(2025, 3, 8, 15, 0)
    assert row["Replied on time"] == "Yes"
    assert row["Handling institution"] == "和谐路营业部"
    assert row["Handler"] == hexie_lobby.name
    assert row["How the deadline was counted"] == hexie_complaint.decision_rule
    assert row["Content of the complaint"] == "排队太久"
    assert row["Decision to the customer"] == "属实\n致歉"
    assert unmasked_exports() == 0


def test_the_sheet_is_ready_to_filter_with_its_header_frozen(client, hexie_lobby, hexie_complaint):
    response = download(client, hexie_lobby)

    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref == "A1:Y2"
    assert sheet["A1"].font.b
    assert sheet.column_dimensions["W"].width == 60
    assert sheet["B2"].number_format == "yyyy-mm-dd hh:mm"


def test_consumer_protection_gets_the_phone_unmasked_and_the_export_is_audited(
    client, hq_consumer, hexie_complaint, chengbei_complaint
):
    response = download(client, hq_consumer)

    header, *rows = sheet_of(response)
    by_number = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert set(by_number) == {hexie_complaint.number, chengbei_complaint.number}
    assert by_number[hexie_complaint.number]["Contact phone"] == "13812345678"
    assert by_number[hexie_complaint.number]["ID document number"] == "420102199001011234"
    assert by_number[chengbei_complaint.number]["Replied on time"] == "Overdue"
    entry = AuditEntry.objects.get(action="complaint.ledger_unmasked")
    assert entry.actor_id == hq_consumer.user.pk
    assert entry.data["rows"] == 2


def test_an_outlet_head_of_a_sibling_branch_sees_only_their_own_complaints(
    client, other_manager, hexie_complaint, chengbei_complaint
):
    header, *rows = sheet_of(download(client, other_manager))

    assert [row[0] for row in rows] == [chengbei_complaint.number]
    assert rows[0][header.index("Contact phone")] == "139****1111"


def test_the_lists_filters_narrow_the_ledger(client, hq_consumer, hexie_complaint, chengbei_complaint):
    by_channel = sheet_of(download(client, hq_consumer, channel="letter"))
    by_unit = sheet_of(download(client, hq_consumer, unit="JN"))
    by_day = sheet_of(download(client, hq_consumer, received_from="2025-03-03", received_to="2025-03-03"))
    by_status = sheet_of(download(client, hq_consumer, status="replied"))

    assert [row[0] for row in by_channel[1:]] == [chengbei_complaint.number]
    assert [row[0] for row in by_unit[1:]] == [hexie_complaint.number]
    assert [row[0] for row in by_day[1:]] == [hexie_complaint.number]
    assert [row[0] for row in by_status[1:]] == [hexie_complaint.number]


def test_a_bad_filter_is_refused_with_a_reason_and_leaves_nothing_behind(
    client, hq_consumer, hexie_complaint
):
    before = footprint()

    response = download(client, hq_consumer, received_from="2025-13-01")

    assert response.status_code == 400
    assert "Received from" in response.content.decode()
    assert footprint() == before


def test_a_unit_outside_the_viewers_scope_is_refused(client, other_manager, hexie_complaint):
    response = download(client, other_manager, unit="JN0101")

    assert response.status_code == 400


def test_the_ledger_reads_its_rows_in_a_fixed_number_of_queries(
    client, hq_consumer, hexie_lobby, hexie_complaint, django_assert_max_num_queries
):
    for day in range(1, 21):
        register(hexie_lobby, "JN0101", datetime(2025, 4, day, 10, tzinfo=clock.SHANGHAI))
    download(client, hq_consumer)  # the session and the person, once

    with django_assert_max_num_queries(18):
        response = client.get(reverse("complaints:ledger"))
        rows = sheet_of(response)

    assert len(rows) == 1 + 21
