"""The actions on a complaint's page: each a POST that calls one service and comes back to the page."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from yingji.audit.models import AuditEntry
from yingji.complaints.models import Status, WorkOrder
from yingji.core import clock
from yingji.core.testing import footprint

pytestmark = pytest.mark.django_db


def act(complaint, action: str) -> str:
    return reverse("complaints:act", kwargs={"number": complaint.number, "action": action})


def local_minute(dt) -> str:
    return dt.astimezone(clock.SHANGHAI).strftime("%Y-%m-%dT%H:%M")


def test_a_complaint_goes_from_the_counter_to_the_callback_through_its_page(
    client, register, hexie_lobby, hexie_ops, hexie_manager
):
    complaint = register()

    client.force_login(hexie_lobby.user)
    page = client.get(complaint.get_absolute_url()).content.decode()
    assert act(complaint, "work-order") in page
    response = client.post(
        act(complaint, "work-order"),
        {
            "work_order-to_unit": "JN0101",
            "work_order-assignee": hexie_ops.pk,
            "work_order-instructions": "请核实",
        },
        follow=True,
    )
    assert response.context["complaint"].status == Status.ASSIGNED
    order = WorkOrder.objects.get(complaint=complaint)

    client.force_login(hexie_ops.user)
    client.post(act(complaint, "accept"), {"order": order.pk})
    client.post(
        act(complaint, "proposal"),
        {"proposal-findings": "柜员未按规定引导。", "proposal-proposal": "向客户致歉并加强培训。"},
    )
    complaint.refresh_from_db()
    assert (complaint.status, complaint.owner) == (Status.PENDING_REVIEW, hexie_ops)

    client.force_login(hexie_manager.user)
    client.post(act(complaint, "approve"), {"approve-note": ""})

    client.force_login(hexie_ops.user)
    client.post(
        act(complaint, "decision"),
        {
            "decision-findings": "柜员未按规定引导。",
            "decision-basis": "《营业网点服务规范》",
            "decision-remedy": "致歉",
            "decision-delivered_how": "phone",
            "decision-delivered_at": local_minute(clock.now()),
        },
    )
    response = client.post(
        act(complaint, "callback"), {"callback-satisfaction": "satisfied", "callback-note": ""}, follow=True
    )
    complaint.refresh_from_db()
    assert complaint.status == Status.CALLED_BACK
    page = response.content.decode()
    with translation.override("zh-hans"):  # 已回访
        assert str(Status.CALLED_BACK.label) in page
    assert "yj-on-time" in page


def test_an_action_refused_by_the_rules_says_why_and_changes_nothing(client, register, hexie_lobby):
    complaint = register()
    client.force_login(hexie_lobby.user)
    before = footprint()
    response = client.post(act(complaint, "archive"), follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert footprint() == before
    complaint.refresh_from_db()
    assert complaint.status == Status.REGISTERED


def test_an_incomplete_proposal_is_refused_with_the_services_words(client, register, hexie_lobby):
    complaint = register()
    client.force_login(hexie_lobby.user)
    client.post(act(complaint, "start"), follow=True)
    before = footprint()
    response = client.post(
        act(complaint, "proposal"), {"proposal-findings": "", "proposal-proposal": ""}, follow=True
    )
    with translation.override("zh-hans"):
        said = str(_("Write down what the investigation found."))
    assert [said in str(m) for m in response.context["messages"]] == [True]
    assert footprint() == before


def test_a_teller_who_does_not_handle_it_may_not_take_it_on(client, register, hexie_teller):
    complaint = register()
    client.force_login(hexie_teller.user)
    before = footprint()
    assert client.post(act(complaint, "start")).status_code == 403
    assert footprint() == before


def test_a_sibling_outlet_head_gets_not_found_for_an_action(client, register, other_manager):
    complaint = register()
    client.force_login(other_manager.user)
    before = footprint()
    assert client.post(act(complaint, "start")).status_code == 404
    assert footprint() == before


def test_the_receiver_sees_the_full_phone_only_after_asking_and_the_look_is_audited(
    client, register, hexie_lobby
):
    complaint = register(customer_phone="13812345678")
    client.force_login(hexie_lobby.user)
    assert "13812345678" not in client.get(complaint.get_absolute_url()).content.decode()
    looks = AuditEntry.objects.filter(action="complaint.view_personal_data").count()
    page = client.post(reverse("complaints:reveal", kwargs={"number": complaint.number})).content.decode()
    assert "13812345678" in page
    assert AuditEntry.objects.filter(action="complaint.view_personal_data").count() == looks + 1


def test_a_teller_may_not_see_the_full_phone(client, register, hexie_teller):
    complaint = register(customer_phone="13812345678")
    client.force_login(hexie_teller.user)
    before = footprint()
    response = client.post(reverse("complaints:reveal", kwargs={"number": complaint.number}))
    assert response.status_code == 403
    assert footprint() == before
