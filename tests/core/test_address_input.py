"""An address with a NUL byte or a percent-escape that is not UTF-8 (a lone surrogate) is refused with a
400 before anything reads it: the API in its JSON error shape, a page as a Chinese page."""

from io import StringIO

import pytest
from django.core.management import call_command

from yingji.incidents.models import Incident

NUL = "网址中含有空字符（NUL），任何文本都不能包含它。"
NOT_UTF8 = "网址中含有不是有效 UTF-8 文本的字符。"


@pytest.fixture
def token(hexie_lobby) -> str:
    out = StringIO()
    call_command("issue_token", "hexie_lobby", stdout=out)
    return out.getvalue().strip()


def api_get(client, path: str, token: str):
    return client.get(path, headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/api/v1/units/%00", NUL),
        ("/api/v1/plans?text=%00", NUL),
        ("/api/v1/plans?%00=1", NUL),
        ("/api/v1/units/%ED%A0%80", NOT_UTF8),  # a lone surrogate, U+D800, as UTF-8 would spell it
        ("/api/v1/plans?text=%ED%A0%80", NOT_UTF8),
        ("/api/v1/plans?text=%C0%80", NOT_UTF8),  # an overlong NUL
        ("/api/v1/plans?text=%E5%92", NOT_UTF8),  # a character cut in half
    ],
)
def test_the_api_answers_a_bad_address_with_its_400_in_json(client, token, path, message):
    response = api_get(client, path, token)
    assert response.status_code == 400
    assert response.json() == {"error": "invalid", "message": message, "fields": {}}


def test_chinese_in_an_address_is_still_fine(client, token):
    response = api_get(client, "/api/v1/plans?text=%E5%AE%A2%E6%88%B7+%E5%8F%97%E4%BC%A4", token)
    assert response.status_code == 200


def test_a_report_sent_to_a_bad_address_creates_nothing(client, token):
    before = Incident.objects.count()
    response = client.post(
        "/api/v1/incidents?source=%00",
        {
            "kind": "customer_injured",
            "unit": "JN0101",
            "occurred_at": "2026-01-01T10:00:00",
            "description": "x",
        },
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    assert Incident.objects.count() == before


def test_a_page_answers_a_nul_in_its_query_with_a_chinese_page(client, hexie_lobby):
    client.force_login(hexie_lobby.user)
    response = client.get("/incidents/?q=%00")
    assert response.status_code == 400
    page = response.content.decode()
    assert "无效的网址" in page and NUL in page


def test_a_page_answers_a_lone_surrogate_in_its_path_with_a_chinese_page(client, hexie_lobby):
    client.force_login(hexie_lobby.user)
    response = client.get("/incidents/%ED%A0%80/")
    assert response.status_code == 400
    assert NOT_UTF8 in response.content.decode()


def test_an_anonymous_visitor_gets_the_400_too_not_the_sign_in_page(client, demo):
    response = client.get("/login/?next=%00")
    assert response.status_code == 400


def test_the_refusal_is_in_english_for_a_person_who_chose_english(client, hexie_lobby):
    client.force_login(hexie_lobby.user)
    client.cookies["django_language"] = "en"
    response = client.get("/incidents/?q=%00")
    assert response.status_code == 400
    assert "The address holds a NUL character" in response.content.decode()
