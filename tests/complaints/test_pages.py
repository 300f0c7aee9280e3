"""The complaint register's pages, as the people at the counter and their managers use them."""

from datetime import timedelta

import pytest
from django.urls import reverse

from yingji.complaints.models import Complaint, Event
from yingji.core import clock
from yingji.core.testing import footprint

pytestmark = pytest.mark.django_db

LIST = reverse("complaints:list")
NEW = reverse("complaints:register")


def local_minute(dt) -> str:
    return dt.astimezone(clock.SHANGHAI).strftime("%Y-%m-%dT%H:%M")


def counter_form(**overrides) -> dict:
    fields = {
        "channel": "counter",
        "received_at": local_minute(clock.now() - timedelta(minutes=5)),
        "unit": "JN0101",
        "customer_name": "李四",
        "customer_phone": "13987654321",
        "customer_id_number": "",
        "kind": "problem",
        "request": "要求退还手续费",
        "content": "办理转账被多收手续费五十元。",
        "business": "",
        "cause": "",
        "subject_unit": "",
        "staff_complained_name": "",
        "staff_complained": "",
        "joint_count": "1",
        "major_cause": "",
    }
    fields.update(overrides)
    return fields


def test_the_outlet_head_of_a_sibling_branch_neither_lists_nor_opens_a_hexie_complaint(
    client, register, other_manager
):
    complaint = register()
    client.force_login(other_manager.user)
    assert complaint.number not in client.get(LIST).content.decode()
    assert client.get(complaint.get_absolute_url()).status_code == 404


def test_the_register_shows_the_phone_masked_even_to_the_outlet_head(client, register, hexie_manager):
    complaint = register(customer_phone="13812345678")
    client.force_login(hexie_manager.user)
    page = client.get(LIST).content.decode()
    assert complaint.number in page
    assert "138****5678" in page
    assert "13812345678" not in page


def test_the_register_filters_overdue_complaints_and_counts_them(client, register, hexie_manager, now):
    late = register(customer_name="王五")
    now.advance(days=20)
    fresh = register(customer_name="赵六")
    client.force_login(hexie_manager.user)
    response = client.get(LIST, {"overdue": "on"})
    page = response.content.decode()
    assert late.number in page and fresh.number not in page
    assert response.context["overdue_count"] == 1


def test_the_register_finds_a_complaint_by_customer_name(client, register, hexie_manager):
    wanted = register(customer_name="欧阳娜娜")
    other = register(customer_name="张三")
    client.force_login(hexie_manager.user)
    page = client.get(LIST, {"q": "欧阳"}).content.decode()
    assert wanted.number in page and other.number not in page


def test_the_lobby_manager_registers_a_counter_complaint_and_sees_its_number_and_deadline(
    client, hexie_lobby
):
    client.force_login(hexie_lobby.user)
    assert client.get(NEW).status_code == 200
    response = client.post(NEW, counter_form(), follow=True)
    complaint = Complaint.objects.get(customer_phone="13987654321")
    assert response.redirect_chain[-1][0] == complaint.get_absolute_url()
    page = response.content.decode()
    assert complaint.number in page
    due = complaint.decision_due_at.astimezone(clock.SHANGHAI) - timedelta(days=1)
    assert f"{due:%Y-%m-%d} 24:00" in page
    assert complaint.decision_rule in page
    assert (complaint.receiver, complaint.unit.code, complaint.channel) == (hexie_lobby, "JN0101", "counter")


def test_a_complaint_received_in_the_future_is_refused_on_its_field_and_nothing_is_saved(client, hexie_lobby):
    client.force_login(hexie_lobby.user)
    before = footprint()
    tomorrow = local_minute(clock.now() + timedelta(days=1))
    response = client.post(NEW, counter_form(received_at=tomorrow))
    assert response.status_code == 200
    assert response.context["form"].errors["received_at"]
    assert footprint() == before


def test_the_same_phone_again_is_offered_as_a_repeat_and_merged_when_ticked(client, register, hexie_lobby):
    first = register(customer_phone="13987654321")
    client.force_login(hexie_lobby.user)
    before = footprint()

    offered = client.post(NEW, counter_form(content="还是手续费的事"))
    assert first.number in offered.content.decode()
    assert footprint() == before

    merged = client.post(
        NEW,
        counter_form(content="还是手续费的事", repeats_checked="13987654321", repeat_of=first.number),
        follow=True,
    )
    assert merged.redirect_chain[-1][0] == first.get_absolute_url()
    assert Complaint.objects.filter(customer_phone="13987654321").count() == 1
    assert first.events.filter(event=Event.MERGED).exists()


def test_the_same_phone_registered_anew_when_the_person_says_so(client, register, hexie_lobby):
    register(customer_phone="13987654321")
    client.force_login(hexie_lobby.user)
    client.post(NEW, counter_form(repeats_checked="13987654321", repeat_of=""))
    assert Complaint.objects.filter(customer_phone="13987654321").count() == 2


def test_the_phone_typed_brings_the_open_complaints_into_the_form(client, register, hexie_lobby):
    first = register(customer_phone="13987654321")
    client.force_login(hexie_lobby.user)
    box = client.get(NEW, {"customer_phone": "13987654321"}, headers={"HX-Request": "true"})
    assert first.number in box.content.decode()
    assert 'name="repeat_of"' in box.content.decode()


def test_the_knowledge_base_finds_an_answer_on_the_phone(client, hexie_lobby, hexie_manager, register):
    from yingji.complaints.models import KnowledgeEntry

    complaint = register()
    KnowledgeEntry.objects.create(
        question="转账手续费能退吗",
        answer="按收费标准核实，多收的当日退还。",
        source=complaint,
        created_by=hexie_manager,
        created_at=clock.now(),
    )
    client.force_login(hexie_lobby.user)
    page = client.get(reverse("complaints:knowledge"), {"q": "手续费"}).content.decode()
    assert "按收费标准核实" in page
    assert complaint.get_absolute_url() in page


def test_the_register_links_to_the_ledger_of_what_it_shows(client, hexie_lobby):
    client.force_login(hexie_lobby.user)
    page = client.get("/complaints/", {"status": "registered", "since": "2026-01-01"}).content.decode()
    assert "/complaints/ledger.xlsx?status=registered&amp;received_from=2026-01-01" in page
    assert "/complaints/stats/" in page


def test_a_register_too_large_to_count_says_more_than_the_cap(client, hexie_lobby, monkeypatch):
    from yingji.complaints import services
    from yingji.complaints.views import CappedPaginator
    from yingji.core import clock

    for phone in ("13800000001", "13800000002", "13800000003"):
        services.register_complaint(
            receiver=hexie_lobby,
            unit=hexie_lobby.unit,
            channel="hotline",
            received_at=clock.now(),
            customer_name="周先生",
            customer_phone=phone,
            content="转账未到账",
        )
    monkeypatch.setattr(CappedPaginator, "COUNT_CAP", 2)
    client.force_login(hexie_lobby.user)
    page = client.get("/complaints/").content.decode()
    assert "more than 2" in page or "超过 2" in page


def test_the_search_finds_a_complaint_by_the_start_of_its_number(client, hexie_lobby):
    from yingji.complaints import services
    from yingji.core import clock

    complaint = services.register_complaint(
        receiver=hexie_lobby,
        unit=hexie_lobby.unit,
        channel="hotline",
        received_at=clock.now(),
        customer_name="周先生",
        content="转账未到账",
    )
    client.force_login(hexie_lobby.user)
    page = client.get("/complaints/", {"q": complaint.number.lower()[:-2]}).content.decode()
    assert complaint.number in page
    assert complaint.number in client.get("/complaints/", {"q": "周"}).content.decode()
