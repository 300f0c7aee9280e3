"""Complaints over the API, as the hotline system sends them: the intake with its idempotency key, a
time without offset refused, visibility across sibling branches, the running deadlines with how each
was counted, masking of personal data and the audit entry of an unmasked read, withdrawal and new facts."""

import re
from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from yingji.audit.models import AuditEntry
from yingji.complaints.models import Complaint, Status
from yingji.core import clock
from yingji.core.testing import footprint
from yingji.orgs.models import Person


def issue(username: str) -> str:
    out = StringIO()
    call_command("issue_token", username, stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def tokens(demo) -> dict[str, str]:
    names = ("hexie_lobby", "hexie_manager", "other_manager", "jn_consumer")
    return {name: issue(name) for name in names}


@pytest.fixture
def jn_consumer(demo) -> Person:
    return Person.objects.get(user__username="jn_consumer")


def call(client, method: str, path: str, token: str, body: dict | None = None, **headers):
    headers = {"Authorization": f"Bearer {token}", **headers}
    if method == "get":
        return client.get(path, headers=headers)
    return getattr(client, method)(path, body or {}, content_type="application/json", headers=headers)


def a_complaint(**changes) -> dict:
    return {
        "channel": "hotline",
        "received_at": (clock.now() - timedelta(minutes=10)).astimezone(clock.SHANGHAI).isoformat(),
        "unit": "JN0101",
        "customer_name": "张三",
        "customer_phone": "13812345678",
        "customer_id_number": "420102199001011234",
        "content": "排队一个多小时无人引导，柜员态度生硬。",
        "request": "要求道歉",
        "kind": "problem",
        "joint_count": 1,
        "business": "counter_service",
        "cause": "service_attitude",
        **changes,
    }


def register(client, token: str, key: str | None = None, **changes):
    headers = {"Idempotency-Key": key} if key else {}
    return call(client, "post", "/api/v1/complaints", token, a_complaint(**changes), **headers)


def test_a_complaint_from_the_hotline_answers_201_with_its_number_and_deadline(client, tokens):
    answer = register(client, tokens["hexie_lobby"])
    assert answer.status_code == 201
    body = answer.json()
    assert set(body) == {"id", "number", "status", "decision_due_at", "decision_rule", "is_major", "incident"}
    assert re.fullmatch(r"TS-\d{4}-\d{6}", body["number"])
    assert body["status"] == "registered" and body["is_major"] is False and body["incident"] is None
    complaint = Complaint.objects.get(pk=body["id"])
    assert body["decision_due_at"].endswith("+08:00")
    assert complaint.decision_due_at.astimezone(clock.SHANGHAI).isoformat() == body["decision_due_at"]
    assert body["decision_rule"] == complaint.decision_rule != ""
    assert complaint.unit.code == "JN0101" and complaint.receiver.user.username == "hexie_lobby"
    assert complaint.business.code == "counter_service" and complaint.channel == "hotline"


def test_the_same_idempotency_key_twice_creates_one_complaint(client, tokens):
    first = register(client, tokens["hexie_lobby"], key="hotline-call-0001")
    before = footprint()
    again = register(client, tokens["hexie_lobby"], key="hotline-call-0001")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert footprint() == before


def test_a_time_without_its_offset_is_refused_and_creates_nothing(client, tokens):
    before = footprint()
    answer = register(client, tokens["hexie_lobby"], received_at="2026-03-02T09:30:00")
    assert answer.status_code == 400
    assert set(answer.json()["fields"]) == {"received_at"}
    assert "+08:00" in answer.json()["fields"]["received_at"]
    assert footprint() == before


def test_an_unknown_unit_and_category_are_400s_naming_the_fields(client, tokens):
    before = footprint()
    answer = register(client, tokens["hexie_lobby"], unit="NOPE99", cause="alien_landing")
    assert answer.status_code == 400
    assert set(answer.json()["fields"]) == {"unit", "cause"}
    assert footprint() == before


def test_a_unit_of_a_sibling_branch_is_404(client, tokens):
    before = footprint()
    answer = register(client, tokens["hexie_lobby"], unit="JB0101")
    assert answer.status_code == 404
    assert footprint() == before


def test_the_outlet_head_of_another_branch_cannot_read_or_list_it(client, tokens):
    number = register(client, tokens["hexie_lobby"]).json()
    answer = call(client, "get", f"/api/v1/complaints/{number['id']}", tokens["other_manager"])
    assert answer.status_code == 404
    assert answer.json()["error"] == "not_found"
    listed = call(client, "get", "/api/v1/complaints", tokens["other_manager"]).json()
    assert number["id"] not in [c["id"] for c in listed["items"]]


def test_the_complaint_shows_every_running_deadline_and_how_it_was_counted(client, tokens):
    made = register(client, tokens["hexie_lobby"]).json()
    body = call(client, "get", f"/api/v1/complaints/{made['id']}", tokens["hexie_lobby"]).json()
    assert body["status"] == "registered" and body["status_display"] == Status.REGISTERED.label
    assert body["decision_due_at"] == made["decision_due_at"]
    names = [d["name"] for d in body["deadlines"]]
    # A problem complaint's proposal clock waits for the face-to-face meeting (面谈后24小时内).
    assert set(names) == {"decision", "agreement"}
    decision = next(d for d in body["deadlines"] if d["name"] == "decision")
    assert set(decision) == {"name", "label", "due_at", "paused", "source"}
    assert decision["due_at"] == made["decision_due_at"] and decision["paused"] is False
    assert decision["source"] == made["decision_rule"]
    assert all(d["source"] for d in body["deadlines"])
    assert [e["event"] for e in body["events"]] == ["registered"]
    assert body["work_orders"] == []


def test_the_outlet_head_sees_the_phone_and_id_masked_and_no_look_is_audited(client, tokens):
    made = register(client, tokens["hexie_lobby"]).json()
    looks = AuditEntry.objects.filter(action="complaint.view_personal_data").count()
    body = call(client, "get", f"/api/v1/complaints/{made['id']}", tokens["hexie_manager"]).json()
    assert body["personal_data_masked"] is True
    assert body["customer_phone"] == "138****5678"
    assert body["customer_id_number"] == "4201**********1234"
    assert AuditEntry.objects.filter(action="complaint.view_personal_data").count() == looks


def test_consumer_protection_staff_see_them_unmasked_and_the_look_is_audited(client, tokens, jn_consumer):
    made = register(client, tokens["hexie_lobby"]).json()
    body = call(client, "get", f"/api/v1/complaints/{made['id']}", tokens["jn_consumer"]).json()
    assert body["personal_data_masked"] is False
    assert body["customer_phone"] == "13812345678"
    assert body["customer_id_number"] == "420102199001011234"
    look = AuditEntry.objects.filter(action="complaint.view_personal_data").latest("seq")
    assert look.actor_id == jn_consumer.user_id and look.object_id == str(made["id"])


def test_the_list_masks_phones_even_for_consumer_protection_and_filters_by_unit_subtree(client, tokens):
    register(client, tokens["hexie_lobby"])
    register(client, tokens["hexie_lobby"], channel="letter", kind="suggestion", customer_phone="13900001111")
    page = call(client, "get", "/api/v1/complaints?channel=letter&unit=JN01", tokens["jn_consumer"]).json()
    assert page["count"] == 1
    assert page["items"][0]["customer_phone"] == "139****1111"
    assert page["items"][0]["kind"] == "suggestion"
    assert call(client, "get", "/api/v1/complaints?overdue=true", tokens["hexie_lobby"]).json()["count"] == 0
    naive = call(client, "get", "/api/v1/complaints?received_from=2026-01-01T00:00:00", tokens["hexie_lobby"])
    assert naive.status_code == 400


def test_the_hotline_withdraws_a_complaint_and_its_clocks_stop(client, tokens):
    made = register(client, tokens["hexie_lobby"]).json()
    answer = call(
        client,
        "post",
        f"/api/v1/complaints/{made['id']}/withdraw",
        tokens["hexie_lobby"],
        {"note": "客户撤诉"},
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == Status.WITHDRAWN and body["deadlines"] == []
    assert body["events"][-1]["text"] == "客户撤诉"


def test_new_facts_restart_the_decision_period(client, tokens):
    made = register(
        client, tokens["hexie_lobby"], received_at=(clock.now() - timedelta(days=3)).isoformat()
    ).json()
    later = (clock.now() - timedelta(minutes=5)).isoformat()
    answer = call(
        client,
        "post",
        f"/api/v1/complaints/{made['id']}/new-facts",
        tokens["hexie_lobby"],
        {"facts": "客户补充了转账凭证。", "received_at": later},
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["decision_due_at"] > made["decision_due_at"]
    assert body["events"][-1]["event"] == "new_facts"


def test_the_outlet_head_of_another_branch_cannot_withdraw_it(client, tokens):
    made = register(client, tokens["hexie_lobby"]).json()
    before = footprint()
    answer = call(client, "post", f"/api/v1/complaints/{made['id']}/withdraw", tokens["other_manager"], {})
    assert answer.status_code == 404
    assert footprint() == before


def test_the_hotline_records_the_meeting_and_the_proposal_clock_runs_24_hours_from_it(
    client, tokens, library
):
    made = register(client, tokens["hexie_lobby"]).json()
    met_at = (clock.now() - timedelta(minutes=2)).replace(microsecond=0)

    answer = call(
        client,
        "post",
        f"/api/v1/complaints/{made['id']}/meeting",
        tokens["hexie_lobby"],
        {"met_at": met_at.isoformat(), "note": "客户要求赔偿"},
    )

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert datetime.fromisoformat(body["met_customer_at"]) == met_at
    proposal = next(d for d in body["deadlines"] if d["name"] == "proposal")
    assert datetime.fromisoformat(proposal["due_at"]) == met_at + timedelta(hours=24)


def test_a_problem_complaint_is_turned_malicious_over_the_api(client, tokens, library):
    made = register(client, tokens["hexie_lobby"]).json()

    answer = call(
        client,
        "post",
        f"/api/v1/complaints/{made['id']}/malicious",
        tokens["hexie_lobby"],
        {"reason": "协商失败"},
    )

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["kind"] == "malicious"
    assert {"proposal", "visit", "decision"} <= {d["name"] for d in body["deadlines"]}


def test_a_malicious_complaints_report_before_its_final_opinion_is_a_409_and_changes_nothing(
    client, tokens, library
):
    made = register(client, tokens["hexie_lobby"], kind="malicious").json()
    before = footprint()

    answer = call(client, "post", f"/api/v1/complaints/{made['id']}/leader-report", tokens["hexie_lobby"], {})

    assert answer.status_code == 409, answer.content
    assert footprint() == before


def test_the_outlet_head_escalates_a_spreading_complaint_over_the_api(client, tokens, library):
    made = register(client, tokens["hexie_lobby"]).json()

    answer = call(
        client,
        "post",
        f"/api/v1/complaints/{made['id']}/escalate",
        tokens["hexie_manager"],
        {"kind": "major_complaint", "spread": "门口张贴大字报，朋友圈转发", "media_exposure": True},
    )

    assert answer.status_code == 200, answer.content
    assert answer.json()["incident"]
    assert answer.json()["is_major"] is True


def test_the_lobby_manager_may_not_escalate_over_the_api(client, tokens, library):
    made = register(client, tokens["hexie_lobby"]).json()
    before = footprint()

    answer = call(
        client,
        "post",
        f"/api/v1/complaints/{made['id']}/escalate",
        tokens["hexie_lobby"],
        {"kind": "major_complaint", "spread": "朋友圈"},
    )

    assert answer.status_code == 403
    assert footprint() == before


def test_an_escalation_to_a_kind_outside_the_reputation_group_is_refused_on_its_field(
    client, tokens, library
):
    made = register(client, tokens["hexie_lobby"]).json()

    answer = call(
        client,
        "post",
        f"/api/v1/complaints/{made['id']}/escalate",
        tokens["hexie_manager"],
        {"kind": "complaint_general", "spread": "朋友圈"},
    )

    assert answer.status_code == 400
    assert "kind" in answer.json()["fields"]
