"""The API acts with exactly the token holder's visibility; errors are JSON with a Chinese message."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from yingji.api.models import ApiToken
from yingji.audit.models import AuditEntry


def issue(username: str) -> str:
    out = StringIO()
    call_command("issue_token", username, stdout=out)
    return out.getvalue().strip()


def get(client, path: str, token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(path, headers=headers)


def test_issue_token_prints_a_token_once_and_keeps_only_its_hash(hexie_manager):
    raw = issue("hexie_manager")
    token = ApiToken.objects.get(person=hexie_manager)
    assert raw.startswith("yj_") and len(raw) > 40
    assert raw not in token.key_hash and token.prefix == raw[:10]
    assert AuditEntry.objects.filter(action="api_token.issue", object_id=str(token.pk)).exists()


def test_issue_token_for_an_unknown_user_fails_clearly(demo):
    with pytest.raises(CommandError, match="no user named ghost"):
        issue("ghost")


def test_me_says_who_the_token_is(client, hexie_manager):
    body = get(client, "/api/v1/me", issue("hexie_manager")).json()
    assert body["username"] == "hexie_manager" and body["name"] == "郑和谐"
    assert body["unit"]["code"] == "JN0101" and body["unit"]["parent_code"] == "JN01"
    assert [p["code"] for p in body["positions"]] == ["outlet_head"]


def test_units_lists_only_what_the_token_holder_sees(client, branch_duty):
    units = get(client, "/api/v1/units", issue("branch_duty")).json()
    codes = {u["code"] for u in units}
    assert "JN0101" in codes and "JN" in codes
    assert not codes & {"JB", "JB0101", "HQ", "CC"}
    outlet = next(u for u in units if u["code"] == "JN0101")
    assert outlet == {
        "code": "JN0101",
        "name": "和谐路营业部",
        "type": "outlet",
        "type_display": "营业网点",
        "parent_code": "JN01",
        "phone": "027-86661001",
        "address": "江城市江南区和谐路100号",
    }


def test_a_unit_of_the_other_branch_is_404_in_json(client, hexie_manager):
    answer = get(client, "/api/v1/units/JB0101", issue("hexie_manager"))
    assert answer.status_code == 404
    assert answer.json() == {"error": "not_found", "message": "未找到。", "fields": {}}


def test_units_list_does_a_fixed_number_of_queries(client, hq_duty, django_assert_max_num_queries):
    token = issue("hq_duty")
    with django_assert_max_num_queries(6):
        assert len(get(client, "/api/v1/units", token).json()) == 21


def test_no_token_bad_token_and_revoked_token_are_401_json(client, hexie_manager):
    for token in (None, "yj_not-a-real-token", "garbage"):
        answer = get(client, "/api/v1/me", token)
        assert answer.status_code == 401
        assert answer.json()["error"] == "unauthorized" and answer.json()["message"]


def test_a_revoked_token_stops_working(client, hexie_manager):
    raw = issue("hexie_manager")
    client.force_login(hexie_manager.user)
    token = ApiToken.objects.get(person=hexie_manager)
    client.post(f"/tokens/{token.pk}/revoke/")
    client.logout()
    assert get(client, "/api/v1/me", raw).status_code == 401
    assert AuditEntry.objects.filter(action="api_token.revoke").count() == 1


def test_another_branchs_manager_cannot_revoke_a_token(client, hexie_manager, other_manager):
    raw = issue("hexie_manager")
    token = ApiToken.objects.get(person=hexie_manager)
    client.force_login(other_manager.user)
    assert client.post(f"/tokens/{token.pk}/revoke/").status_code == 404
    client.logout()
    assert get(client, "/api/v1/me", raw).status_code == 200


def test_a_deactivated_persons_token_stops_working(client, hexie_lobby, branch_duty):
    from yingji.orgs.services import set_person_active

    raw = issue("hexie_lobby")
    set_person_active(actor=branch_duty.user, person=hexie_lobby, active=False)
    assert get(client, "/api/v1/me", raw).status_code == 401


def test_openapi_docs_are_served(client, hexie_lobby):
    # Anonymous visitors get neither (tests/api/test_schema_access.py); a signed-in person gets both.
    client.force_login(hexie_lobby.user)
    assert client.get("/api/v1/openapi.json").json()["info"]["title"].startswith("Yingji")
    assert client.get("/api/v1/docs").status_code == 200
    assert client.get("/api/docs").url == "/api/v1/docs"
