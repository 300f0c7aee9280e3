"""On a phone, a refused complaint form keeps what was typed, shows each error at its field, takes the
reader there, and its message names the field by its own label; the decision starts from the approved
proposal; the customer's name is 姓名; every deadline is written one way."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from yingji.complaints import services
from yingji.complaints.forms_actions import WithdrawForm
from yingji.complaints.models import Kind
from yingji.core import clock
from yingji.core.testing import footprint

pytestmark = pytest.mark.django_db


def act(complaint, action: str) -> str:
    return reverse("complaints:act", kwargs={"number": complaint.number, "action": action})


def chinese(client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"


def field_tag(page: str, name: str) -> str:
    """The opening tag of the input or textarea named `name`."""
    found = re.search(rf'<(?:input|textarea|select)[^>]*name="{re.escape(name)}"[^>]*>', page)
    assert found, name
    return found.group(0)


def test_a_refused_proposal_keeps_what_was_typed_and_shows_the_error_at_its_field(
    client, register, hexie_lobby
):
    complaint = register()
    services.start_handling(actor=hexie_lobby, complaint=complaint)
    client.force_login(hexie_lobby.user)
    chinese(client)
    before = footprint()

    response = client.post(
        act(complaint, "proposal"), {"proposal-findings": "", "proposal-proposal": "向客户致歉"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert footprint() == before
    # What was typed is still there; the empty field is marked and says why, under itself.
    assert "向客户致歉</textarea>" in page
    findings = field_tag(page, "proposal-findings")
    assert "is-invalid" in findings and "autofocus" in findings
    assert "is-invalid" not in field_tag(page, "proposal-proposal")
    assert 'class="invalid-feedback d-block" id="id_proposal-findings-error">请填写调查情况。' in page
    # The message above names the field by its own Chinese label.
    assert [str(m) for m in response.context["messages"]] == [
        "处理意见不完整。 调查核实情况：请填写调查情况。"
    ]
    assert "complaint-forms.js" in page


def test_a_form_refused_before_the_service_names_the_field_by_its_label(client, register, hexie_lobby):
    complaint = register()
    client.force_login(hexie_lobby.user)
    chinese(client)

    response = client.post(
        act(complaint, "withdraw"), {"withdraw-withdrawn_at": "不是时间", "withdraw-note": "撤回"}
    )

    page = response.content.decode()
    assert "is-invalid" in field_tag(page, "withdraw-withdrawn_at")
    assert "撤回</textarea>" in page
    with translation.override("zh-hans"):
        label = str(WithdrawForm.base_fields["withdrawn_at"].label)
    assert [str(m).split("：")[0] for m in response.context["messages"]] == [label]


def test_a_refused_registration_keeps_the_fields_and_names_the_missing_one_as_xingming(client, hexie_lobby):
    client.force_login(hexie_lobby.user)
    chinese(client)
    form = {
        "channel": "counter",
        "received_at": (clock.now() - timedelta(minutes=5))
        .astimezone(clock.SHANGHAI)
        .strftime("%Y-%m-%dT%H:%M"),
        "unit": "JN0101",
        "customer_name": "",
        "customer_phone": "13987654321",
        "kind": "problem",
        "content": "办理转账被多收手续费五十元。",
        "joint_count": "1",
    }

    response = client.post(reverse("complaints:register"), form)

    page = response.content.decode()
    assert response.status_code == 200
    assert "办理转账被多收手续费五十元。</textarea>" in page
    assert 'value="13987654321"' in page
    name = field_tag(page, "customer_name")
    assert "is-invalid" in name and "autofocus" in name
    assert '<label class="form-label fw-semibold" for="id_customer_name">姓名</label>' in page
    assert "<li>姓名：" in page


def test_the_customer_is_named_xingming_on_the_complaints_page(client, register, hexie_lobby):
    complaint = register()
    client.force_login(hexie_lobby.user)
    chinese(client)
    page = client.get(complaint.get_absolute_url()).content.decode()
    assert "<dt>姓名</dt><dd>张三</dd>" in page


def test_the_decision_form_starts_from_the_approved_proposal(client, register, hexie_lobby, hexie_manager):
    complaint = register()
    services.start_handling(actor=hexie_lobby, complaint=complaint)
    services.submit_proposal(
        actor=hexie_lobby,
        complaint=complaint,
        findings="柜员未按规定引导。",
        proposal="向客户致歉并退还手续费。",
    )
    services.approve_proposal(reviewer=hexie_manager, complaint=complaint)
    client.force_login(hexie_lobby.user)

    page = client.get(complaint.get_absolute_url()).content.decode()

    assert re.search(r'name="decision-findings"[^>]*>\s*柜员未按规定引导。</textarea>', page)
    assert re.search(r'name="decision-remedy"[^>]*>\s*向客户致歉并退还手续费。</textarea>', page)


def test_the_deadline_is_written_as_24_00_of_its_last_day_on_the_page(client, register, hexie_lobby):
    complaint = register()
    client.force_login(hexie_lobby.user)
    chinese(client)
    page = client.get(complaint.get_absolute_url()).content.decode()
    last_day = (complaint.decision_due_at - timedelta(seconds=1)).astimezone(clock.SHANGHAI)
    assert f"{last_day.month}月{last_day.day}日 24:00" in page


def test_the_lobby_manager_records_the_meeting_on_the_page_and_sees_the_rule(client, register, hexie_lobby):
    complaint = register(kind=Kind.PROBLEM)
    services.start_handling(actor=hexie_lobby, complaint=complaint)
    client.force_login(hexie_lobby.user)
    chinese(client)
    met = clock.now().astimezone(clock.SHANGHAI).strftime("%Y-%m-%dT%H:%M")

    response = client.post(
        act(complaint, "meeting"), {"meeting-met_at": met, "meeting-note": ""}, follow=True
    )

    page = response.content.decode()
    assert "依据《投诉应急预案》问题型投诉：面谈后24小时内" in page
    complaint.refresh_from_db()
    assert complaint.met_customer_at is not None


def test_each_actions_explanation_stays_with_its_own_action(client, register, hexie_lobby):
    complaint = register()
    services.start_handling(actor=hexie_lobby, complaint=complaint)
    client.force_login(hexie_lobby.user)

    page = client.get(complaint.get_absolute_url()).content.decode()

    withdraw = page[page.index("yj-action-withdraw") :]
    withdraw = withdraw[: withdraw.index("</details>")]
    assert "yj-action-help" not in withdraw
    meeting = page[page.index("yj-action-meeting") :]
    assert "yj-action-help" in meeting[: meeting.index("</details>")]
