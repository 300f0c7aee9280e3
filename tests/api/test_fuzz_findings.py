"""What the fuzzer (tests/api/test_fuzz.py) found, each kept as a story of its own."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from yingji.api.api import api
from yingji.complaints import services as complaints
from yingji.complaints.models import Complaint, Status
from yingji.core import clock
from yingji.core.testing import footprint


@pytest.fixture
def token(hexie_lobby) -> str:
    out = StringIO()
    call_command("issue_token", "hexie_lobby", stdout=out)
    return out.getvalue().strip()


def test_a_withdrawal_sent_as_a_bare_number_is_refused_and_withdraws_nothing(client, token, hexie_lobby):
    complaint = complaints.register_complaint(
        receiver=hexie_lobby,
        unit=hexie_lobby.unit,
        channel="counter",
        received_at=clock.now() - timedelta(minutes=10),
        customer_name="张三",
        content="排队一个多小时无人引导。",
    )
    before = footprint()
    response = client.post(
        f"/api/v1/complaints/{complaint.pk}/withdraw",
        "-6517",
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid",
        "message": "无法读取请求体，请发送一个 JSON 对象。",
        "fields": {},
    }
    assert Complaint.objects.get(pk=complaint.pk).status == Status.REGISTERED
    assert footprint() == before


def test_a_plan_id_that_is_not_a_number_is_a_400_the_schema_declares(client, token):
    response = client.get("/api/v1/plans/null,null", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400 and response.json()["fields"] == {"plan_id": "该值的类型不正确。"}
    declared = api.get_openapi_schema()["paths"]["/api/v1/plans/{plan_id}"]["get"]["responses"]
    assert 400 in declared


def test_every_operation_declares_the_400_401_and_503_any_request_may_get(demo):
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method, operation in operations.items():
            declared = {str(status) for status in operation["responses"]}
            assert {"400", "401", "503"} <= declared, f"{method.upper()} {path} declares {sorted(declared)}"
